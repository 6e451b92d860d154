//! The evaluator: the facts of one request (the request, its findings, the requesting state's
//! risk) and a catalogue in, a decision out. Every rule is tried in catalogue order; the outcome
//! is the most restrictive minimum among the rules that fired, and everything else the decision
//! says (safeguards, referrals, reasons) is traceable to one of them by id. The legal basis comes
//! from the partner table: a rule cites an instrument only when it binds the requesting state.

use std::collections::{BTreeMap, BTreeSet};

use haven_domain::{
    CountryCode, Decision, DecisionFinding, FindingCode, Ground, Outcome, ReferralCode, Request,
    RiskLevel, Safeguard, SafeguardCode,
};

use crate::catalogue::{Catalogue, Citation, Conditions, Rule, Scope, When, placeholders};
use crate::partners::Applicable;
use crate::reply::reply_under;
use crate::words;

/// What the policy decides on. The findings come from screening and context expansion, already
/// computed: the policy does not screen.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub request: &'a Request,
    /// The state that received the request: the partner table is looked up by (requested
    /// state, requesting state).
    pub requested_state: CountryCode,
    pub findings: Vec<DecisionFinding>,
    /// The requesting state's risk profile, if the knowledge base has one.
    pub state_risk: Option<RiskLevel>,
}

/// Decides on a request. Pure and deterministic: the same facts give the same decision, byte for
/// byte once serialised. The decision's findings are the facts' findings ordered by party (then
/// request-wide ones) and code; safeguards by measure (then request-wide ones) and code;
/// referrals by code; reasons and `rules_applied` in catalogue order.
pub fn evaluate(catalogue: &Catalogue, facts: &Facts<'_>) -> Decision {
    let mut findings = facts.findings.clone();
    // Screening may list findings in any order; the decision should not depend on it.
    findings.sort_by_key(|f| (f.party.is_none(), f.party, f.code));
    let applicable = catalogue
        .partners()
        .applicable(facts.requested_state, facts.request);
    let ctx = Ctx {
        request: facts.request,
        findings: &findings,
        state_risk: facts.state_risk,
        applicable: &applicable,
    };

    let mut outcome = Outcome::Proceed;
    let mut referrals = BTreeSet::new();
    let mut safeguards = Safeguards::default();
    let mut reasons = Vec::new();
    let mut rules_applied = Vec::new();
    let mut grounds = Vec::new();
    for rule in catalogue.rules() {
        let (hit, targets) = match rule.scope {
            Scope::Request => match ctx.check(&rule.when, None) {
                Some(hit) => (hit, vec![None]),
                None => continue,
            },
            Scope::Measure => {
                let mut union = Hit::default();
                let mut targets = Vec::new();
                for index in 0..ctx.request.measures.len() {
                    if let Some(hit) = ctx.check(&rule.when, Some(index)) {
                        union.merge(hit);
                        targets.push(Some(index));
                    }
                }
                if targets.is_empty() {
                    continue;
                }
                (union, targets)
            }
        };
        outcome = outcome.max(ctx.outcome(rule));
        referrals.extend(rule.then.referrals.iter().copied());
        for spec in &rule.then.safeguards {
            let cited: Vec<String> = spec
                .cites
                .iter()
                .flat_map(|&c| ctx.render(&rule.citations[c]))
                .collect();
            // A safeguard whose own sources do not apply to this kind of request still rests on
            // the rule's sources that do (validation guarantees there is one).
            let cited = if cited.is_empty() {
                ctx.citations(rule)
            } else {
                cited
            };
            for &target in &targets {
                safeguards.add(target, spec.code, &cited);
            }
        }
        reasons.push(ctx.reason(rule, &hit));
        rules_applied.push(rule.id.clone());
        grounds.push(Ground {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            findings: hit.findings.iter().map(|&i| i + 1).collect(),
            citations: ctx.citations(rule),
        });
    }

    // Each finding names the rules that rest on it (DESIGN §5.3), the other way round from
    // the grounds.
    for ground in &grounds {
        for &number in &ground.findings {
            findings[number - 1].rules.push(ground.rule.clone());
        }
    }

    Decision {
        outcome,
        legal_basis: Some(applicable.basis.clone()),
        safeguards: safeguards.into_list(facts.request),
        findings,
        referrals: referrals.into_iter().collect::<Vec<ReferralCode>>(),
        reasons,
        reply_to_requesting_state: reply_under(facts.request, outcome, &applicable),
        rules_applied,
        grounds,
        catalogue_version: Some(catalogue.version().to_owned()),
        ledger: None,
    }
}

/// What made a rule fire: indices of findings, offences and measures, for its reason.
#[derive(Debug, Default)]
struct Hit {
    findings: BTreeSet<usize>,
    offences: BTreeSet<usize>,
    measures: BTreeSet<usize>,
}

impl Hit {
    fn merge(&mut self, other: Hit) {
        self.findings.extend(other.findings);
        self.offences.extend(other.offences);
        self.measures.extend(other.measures);
    }
}

/// The safeguards collected so far, keyed so that iteration is the decision's order: measures in
/// request order, then request-wide ones; codes in declaration order within each.
#[derive(Default)]
struct Safeguards(BTreeMap<(bool, usize, SafeguardCode), Vec<String>>);

impl Safeguards {
    fn add(&mut self, measure: Option<usize>, code: SafeguardCode, citations: &[String]) {
        let key = (measure.is_none(), measure.unwrap_or(0), code);
        let entry = self.0.entry(key).or_default();
        // Two rules may require the same safeguard on the same measure: one entry, both sources.
        for citation in citations {
            if !entry.contains(citation) {
                entry.push(citation.clone());
            }
        }
    }

    fn into_list(self, request: &Request) -> Vec<Safeguard> {
        let on_measures: BTreeSet<SafeguardCode> = self
            .0
            .keys()
            .filter(|(wide, _, _)| !wide)
            .map(|&(_, _, code)| code)
            .collect();
        self.0
            .into_iter()
            // A request-wide safeguard already attached to a measure would say the same twice.
            .filter(|((wide, _, code), _)| !(*wide && on_measures.contains(code)))
            .map(|((wide, index, code), citations)| Safeguard {
                code,
                citation: citations.join("; "),
                applies_to: (!wide)
                    .then(|| words::measure(request, index, &request.measures[index])),
                measure: (!wide).then_some(index),
            })
            .collect()
    }
}

/// The facts, with the sorted findings, as the checks see them.
struct Ctx<'a> {
    request: &'a Request,
    findings: &'a [DecisionFinding],
    state_risk: Option<RiskLevel>,
    applicable: &'a Applicable<'a>,
}

impl Ctx<'_> {
    /// The outcome a rule that fired imposes: its own, or `refuse` where the ground it names is
    /// mandatory under the instrument that applies (the Belgian 2004 law for a political
    /// offence, say, where the 1959 Convention only permits refusal).
    fn outcome(&self, rule: &Rule) -> Outcome {
        let mandatory = rule
            .then
            .refuse_if_mandatory
            .as_deref()
            .is_some_and(|name| {
                self.applicable
                    .clause(name)
                    .iter()
                    .any(|(_, clause)| clause.mandatory)
            });
        if mandatory {
            Outcome::Refuse
        } else {
            rule.then.outcome
        }
    }

    /// A citation as text for this request: nothing when it is for another kind of request or
    /// an instrument not in force with the requesting state; a clause as the article of each
    /// instrument that applies.
    fn render(&self, citation: &Citation) -> Vec<String> {
        if !citation.applies_to(self.request.kind) {
            return Vec::new();
        }
        if let Some(name) = &citation.clause {
            return self
                .applicable
                .clause(name)
                .into_iter()
                .map(|(instrument, clause)| {
                    format!("{} {} [{}]", instrument.title, clause.pinpoint, clause.tag)
                })
                .collect();
        }
        match &citation.instrument {
            Some(id) if !self.applicable.binds(id) => Vec::new(),
            _ => vec![citation.to_string()],
        }
    }

    /// Does `when` hold (for one measure, in measure scope)? What made it hold, if so.
    fn check(&self, when: &When, measure: Option<usize>) -> Option<Hit> {
        let mut hit = self.check_set(&when.base, measure)?;
        if !when.either.is_empty() {
            let mut any = false;
            // Every alternative that holds contributes to the reason, not just the first.
            for alternative in &when.either {
                if let Some(more) = self.check_set(alternative, measure) {
                    hit.merge(more);
                    any = true;
                }
            }
            if !any {
                return None;
            }
        }
        Some(hit)
    }

    fn check_set(&self, c: &Conditions, measure: Option<usize>) -> Option<Hit> {
        let request = self.request;
        let mut hit = Hit::default();
        if !c.kinds.is_empty() && !c.kinds.contains(&request.kind) {
            return None;
        }
        if let Some(level) = c.state_risk_at_least
            && self.state_risk.is_none_or(|risk| risk < level)
        {
            return None;
        }
        if !c.offence_categories.is_empty() {
            let matched: Vec<usize> = (0..request.offences.len())
                .filter(|&i| c.offence_categories.contains(&request.offences[i].category))
                .collect();
            if matched.is_empty() {
                return None;
            }
            hit.offences.extend(matched);
        }
        if !c.measures.is_empty() {
            let matched: Vec<usize> = match measure {
                Some(i) => vec![i],
                None => (0..request.measures.len()).collect(),
            }
            .into_iter()
            .filter(|&i| c.measures.contains(&request.measures[i].kind))
            .collect();
            if matched.is_empty() {
                return None;
            }
            hit.measures.extend(matched);
        }
        // Anywhere in the request, whatever the measure: a protected person named anywhere
        // changes what a measure without a party (officials' presence) may be.
        if self
            .findings
            .iter()
            .any(|f| c.findings_none.contains(&f.code))
        {
            return None;
        }
        if !c.findings_any.is_empty() || !c.findings_all.is_empty() {
            let qualifying: Vec<usize> = (0..self.findings.len())
                .filter(|&i| self.qualifies(c, &self.findings[i], measure))
                .collect();
            if !c.findings_any.is_empty() {
                let matched: Vec<usize> = qualifying
                    .iter()
                    .copied()
                    .filter(|&i| c.findings_any.contains(&self.findings[i].code))
                    .collect();
                if matched.is_empty() {
                    return None;
                }
                hit.findings.extend(matched);
            }
            if !c.findings_all.is_empty() {
                let matched = self.all_on_one_party(&c.findings_all, &qualifying);
                if matched.is_empty() {
                    return None;
                }
                hit.findings.extend(matched);
            }
        }
        if let Some(i) = measure {
            hit.measures.insert(i);
        }
        Some(hit)
    }

    /// The findings by which some one party has every code of `all` (request-wide findings
    /// count for every party); empty if no party has them all.
    fn all_on_one_party(&self, all: &[FindingCode], qualifying: &[usize]) -> BTreeSet<usize> {
        let relevant: Vec<usize> = qualifying
            .iter()
            .copied()
            .filter(|&i| all.contains(&self.findings[i].code))
            .collect();
        let parties: BTreeSet<Option<usize>> =
            relevant.iter().map(|&i| self.findings[i].party).collect();
        let mut matched = BTreeSet::new();
        for party in parties {
            let group: Vec<usize> = relevant
                .iter()
                .copied()
                .filter(|&i| self.findings[i].party == party || self.findings[i].party.is_none())
                .collect();
            if all
                .iter()
                .all(|code| group.iter().any(|&i| self.findings[i].code == *code))
            {
                matched.extend(group);
            }
        }
        matched
    }

    /// Does a finding pass the party and role filters (and concern the measure's party)?
    fn qualifies(&self, c: &Conditions, f: &DecisionFinding, measure: Option<usize>) -> bool {
        let request = self.request;
        if let (Some(i), Some(p)) = (measure, f.party)
            && request.measures[i].party != Some(p)
        {
            return false;
        }
        if !c.party_roles.is_empty() {
            // A party the request gives no role may be the subject: it qualifies.
            let ok = f
                .party
                .and_then(|p| request.parties.get(p))
                .is_some_and(|party| party.role.is_none_or(|role| c.party_roles.contains(&role)));
            if !ok {
                return false;
            }
        }
        if !c.party_measures.is_empty() {
            let ok = f.party.is_some_and(|p| {
                request
                    .measures
                    .iter()
                    .any(|m| m.party == Some(p) && c.party_measures.contains(&m.kind))
            });
            if !ok {
                return false;
            }
        }
        // A finding that does not say which role qualifies: a superfluous safeguard costs less
        // than a lawyer's files searched without one.
        c.finding_roles.is_empty() || f.role.is_none_or(|role| c.finding_roles.contains(&role))
    }

    /// The rule's citations that apply to this request, as text, each source once: where two
    /// clauses point at the same article with different tags (one read, one from memory), the
    /// better-founded tag is kept.
    fn citations(&self, rule: &Rule) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for text in rule.citations.iter().flat_map(|c| self.render(c)) {
            let (source, tag) = split_tag(&text);
            match out.iter().position(|seen| split_tag(seen).0 == source) {
                Some(at) if tag_strength(tag) > tag_strength(split_tag(&out[at]).1) => {
                    out[at] = text;
                }
                Some(_) => {}
                None => out.push(text),
            }
        }
        out
    }

    /// The rule's reason: its template filled in, its sentence for this kind of request, and its
    /// citations in brackets.
    fn reason(&self, rule: &Rule, hit: &Hit) -> String {
        let request = self.request;
        let mut text = String::new();
        let mut rest = rule.reason.as_str();
        for name in placeholders(&rule.reason).flatten() {
            let marker = format!("{{{name}}}");
            let at = rest.find(&marker).unwrap_or(rest.len());
            text.push_str(&rest[..at]);
            text.push_str(&self.fill(name, hit));
            rest = rest.get(at + marker.len()..).unwrap_or("");
        }
        text.push_str(rest);
        if let Some((_, extra)) = rule
            .reason_for_kind
            .iter()
            .find(|(k, _)| *k == request.kind)
        {
            text.push(' ');
            text.push_str(extra);
        }
        text.push_str(" (");
        text.push_str(&self.citations(rule).join("; "));
        text.push(')');
        text
    }

    fn fill(&self, name: &str, hit: &Hit) -> String {
        let request = self.request;
        match name {
            "parties" => {
                let mut parties: BTreeSet<usize> = hit
                    .findings
                    .iter()
                    .filter_map(|&i| self.findings[i].party)
                    .collect();
                if parties.is_empty() {
                    parties = hit
                        .measures
                        .iter()
                        .filter_map(|&i| request.measures[i].party)
                        .collect();
                }
                let named: Vec<String> = parties
                    .into_iter()
                    .map(|p| words::party(request, p))
                    .collect();
                if named.is_empty() {
                    "a person named in the request".into()
                } else {
                    words::and_list(&named)
                }
            }
            // By number (DESIGN §5.3): the memo lists each finding once, reasons point at it.
            "findings" => {
                let numbers: Vec<String> =
                    hit.findings.iter().map(|&i| (i + 1).to_string()).collect();
                match numbers.len() {
                    0 => "none recorded".into(),
                    1 => format!("finding {}", numbers[0]),
                    _ => format!("findings {}", words::and_list(&numbers)),
                }
            }
            "measures" => {
                let measures: Vec<String> = hit
                    .measures
                    .iter()
                    .map(|&i| words::measure(request, i, &request.measures[i]))
                    .collect();
                if measures.is_empty() {
                    "none".into()
                } else {
                    words::and_list(&measures)
                }
            }
            "offences" => {
                let offences: Vec<String> = hit
                    .offences
                    .iter()
                    .map(|&i| {
                        let o = &request.offences[i];
                        format!("{}: {}", o.category.as_str(), o.description)
                    })
                    .collect();
                if offences.is_empty() {
                    "none given".into()
                } else {
                    offences.join("; ")
                }
            }
            "state" => request.requesting_state.as_str().to_ascii_uppercase(),
            "kind" => words::kind_phrase(request.kind).into(),
            "risk" => match self.state_risk {
                Some(risk) => words::risk_word(risk).into(),
                None if self
                    .findings
                    .iter()
                    .any(|f| f.code == FindingCode::RequestingStateHighRisk) =>
                {
                    "high".into()
                }
                None => "not on file".into(),
            },
            // Validation admits only the names above.
            _ => format!("{{{name}}}"),
        }
    }
}

/// "Law X Art 4 [S]" → ("Law X Art 4", "S"); a citation without a tag has an empty one.
fn split_tag(citation: &str) -> (&str, &str) {
    match citation.strip_suffix(']').and_then(|c| c.rsplit_once(" [")) {
        Some((source, tag)) => (source, tag),
        None => (citation, ""),
    }
}

/// How well a tag's source was checked (DESIGN §6): read in the primary text, a secondary
/// source, from memory.
fn tag_strength(tag: &str) -> u8 {
    match tag {
        "P" => 3,
        "S" => 2,
        "M" => 1,
        _ => 0,
    }
}
