//! Screening persons against the registry and the context knowledge base: the current index's
//! ranked matches, shown as the principal's role may see them, each run recorded in the ledger
//! (LED Art 25: who, when, why, which records came back).

use haven_access::{Action, Principal};
use haven_domain::Party;
use haven_index::Match;
use haven_ledger::ObjectId;
use haven_names::Tier;

use crate::need_to_know::{ScreenedMatch, screened_matches};
use crate::{AppError, Service, entry_by};

/// At most this many matched ids are named in one ledger entry; the rest are counted.
const MAX_LOGGED_IDS: usize = 1000;

/// How to screen.
#[derive(Debug, Clone)]
pub struct ScreenOptions {
    /// Matches per query and per source (registry, context), best first; at least 1.
    pub limit: usize,
    /// Matches below this tier are left out (`Tier::None` keeps every candidate).
    pub min_tier: Tier,
    /// Why the screening is done (a case or request reference): recorded in the ledger.
    pub justification: String,
    /// The batch file's name, if the queries came from one (recorded in the ledger).
    pub batch: Option<String>,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            limit: 10,
            min_tier: Tier::None,
            justification: "screening".into(),
            batch: None,
        }
    }
}

impl Service {
    /// Screens each party; one list of matches per party, in order. Appends one `screen` entry
    /// naming the records returned, and one `read_protected` entry if protection details were
    /// shown, before anything is returned.
    pub fn screen(
        &self,
        who: &Principal,
        parties: &[Party],
        options: &ScreenOptions,
    ) -> Result<Vec<Vec<ScreenedMatch>>, AppError> {
        self.authorize(who, Action::Screen)?;
        if options.limit == 0 {
            return Err(AppError::Invalid("limit: must be at least 1".into()));
        }
        let index = self.screening_index()?.current();
        let queries: Vec<_> = parties.iter().map(haven_assess::records::query).collect();
        let mut results = if queries.len() == 1 {
            vec![index.screen(&queries[0], options.limit)]
        } else {
            index.screen_batch(&queries, options.limit)
        };
        for matches in &mut results {
            matches.retain(|m| m.tier >= options.min_tier);
        }

        let mut screened = Vec::with_capacity(results.len());
        let mut disclosed = Vec::new();
        for matches in &results {
            let (view, shown) = screened_matches(who, matches, self.db.as_ref())?;
            screened.push(view);
            disclosed.extend(shown);
        }
        self.log_screening(who, options, queries.len(), &results)?;
        self.log_disclosure(who, &options.justification, &[], disclosed)?;
        Ok(screened)
    }

    fn log_screening(
        &self,
        who: &Principal,
        options: &ScreenOptions,
        queries: usize,
        results: &[Vec<Match>],
    ) -> Result<(), AppError> {
        let mut objects = vec![ObjectId::parse(format!("queries:{queries}"))?];
        if let Some(name) = &options.batch {
            objects.push(ObjectId::tagged("batch", name)?);
        }
        let mut ids: Vec<String> = results
            .iter()
            .flatten()
            .map(|m| format!("{}:{}", m.source.label(), m.id))
            .collect();
        ids.sort();
        ids.dedup();
        let logged = ids.len().min(MAX_LOGGED_IDS);
        for id in &ids[..logged] {
            objects.push(ObjectId::parse(id.clone())?);
        }
        if ids.len() > logged {
            objects.push(ObjectId::parse(format!(
                "more_matches:{}",
                ids.len() - logged
            ))?);
        }
        let entry = entry_by(
            who,
            haven_ledger::Action::Screen,
            options.justification.clone(),
        )?
        .with_objects(objects);
        self.db
            .append_ledger(&entry)
            .map_err(AppError::from_store)?;
        Ok(())
    }

    /// Records that protection details of `records` were shown to `who` (nothing if none were).
    pub(crate) fn log_disclosure(
        &self,
        who: &Principal,
        why: &str,
        context: &[ObjectId],
        mut records: Vec<String>,
    ) -> Result<(), AppError> {
        if records.is_empty() {
            return Ok(());
        }
        records.sort();
        records.dedup();
        let mut objects = context.to_vec();
        for id in records {
            objects.push(ObjectId::tagged("registry", &id)?);
        }
        let entry = entry_by(who, haven_ledger::Action::ReadProtected, why)?.with_objects(objects);
        self.db
            .append_ledger(&entry)
            .map_err(AppError::from_store)?;
        Ok(())
    }
}
