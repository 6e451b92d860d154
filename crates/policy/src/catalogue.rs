//! The rule catalogue (DESIGN §6) as typed, validated data: parsed from `rules/catalogue.toml`,
//! checked once (unique ids, known codes, a citation for every rule and every request kind it can
//! fire on, every instrument a rule cites present in the partner table), then read by the
//! evaluator.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use haven_domain::{
    FindingCode, MeasureKind, OffenceCategory, Outcome, PartyRole, PersonRole, ReferralCode,
    RequestKind, RiskLevel, SafeguardCode,
};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

use crate::PolicyError;
use crate::partners::{BUNDLED_PARTNERS, PartnerTable, known_clause};

/// The catalogue shipped with Haven, embedded at build time so that the binary and its rules
/// cannot drift apart.
pub const BUNDLED_CATALOGUE: &str = include_str!("../rules/catalogue.toml");

/// The placeholders a reason template may use (see the catalogue's header).
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "parties", "findings", "measures", "offences", "state", "kind", "risk",
];

/// Every request kind, for the "a citation for every kind the rule can fire on" check.
const ALL_KINDS: &[RequestKind] = &[
    RequestKind::Mla,
    RequestKind::Eio,
    RequestKind::Extradition,
    RequestKind::RedNotice,
    RequestKind::Diffusion,
];

/// A versioned, validated set of rules. Only [`Catalogue::parse`] builds one, so a catalogue
/// that exists is valid.
#[derive(Debug, Clone)]
pub struct Catalogue {
    version: String,
    rules: Vec<Rule>,
    partners: PartnerTable,
}

/// One rule: when it fires, what it imposes, why, and on what legal source.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id ("refoulement-extradition"): decisions and audits refer to it.
    pub id: String,
    /// One line for the memo.
    pub title: String,
    pub scope: Scope,
    pub when: When,
    pub then: Then,
    /// The reason template, with `{placeholders}`.
    pub reason: String,
    /// A sentence added to the reason for requests of one kind (e.g. EIO Art 11(4)).
    pub reason_for_kind: Vec<(RequestKind, String)>,
    /// At least one; those that apply to the request's kind end the reason.
    pub citations: Vec<Citation>,
}

/// Whether a rule fires once per request or once per matching measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Request,
    /// Tried on every requested measure; safeguards attach to the measures it fired on.
    Measure,
}

/// A rule's conditions: all of `base`, and at least one of `either` when there are any.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct When {
    pub base: Conditions,
    pub either: Vec<Conditions>,
}

/// One set of conditions, all of which must hold; an empty list is no condition.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Conditions {
    pub kinds: Vec<RequestKind>,
    pub offence_categories: Vec<OffenceCategory>,
    /// The measure under consideration (measure scope), or some measure of the request.
    pub measures: Vec<MeasureKind>,
    pub state_risk_at_least: Option<RiskLevel>,
    pub findings_any: Vec<FindingCode>,
    /// No finding of the request, on any party, has one of these codes (e.g. observe-only
    /// presence of foreign officials, unless a party is protected against their state).
    pub findings_none: Vec<FindingCode>,
    /// Every code found on the same party (request-wide findings count for every party).
    pub findings_all: Vec<FindingCode>,
    pub party_roles: Vec<PartyRole>,
    pub party_measures: Vec<MeasureKind>,
    pub finding_roles: Vec<PersonRole>,
}

impl Conditions {
    fn is_empty(&self) -> bool {
        self.kinds.is_empty()
            && self.offence_categories.is_empty()
            && self.measures.is_empty()
            && self.state_risk_at_least.is_none()
            && self.findings_any.is_empty()
            && self.findings_none.is_empty()
            && self.findings_all.is_empty()
            && self.party_roles.is_empty()
            && self.party_measures.is_empty()
            && self.finding_roles.is_empty()
    }
}

/// What a rule imposes when it fires.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Then {
    /// The least restrictive outcome the decision may have once this rule fired.
    pub outcome: Outcome,
    /// A clause (of the partner table) whose ground, where the applicable instrument makes it
    /// mandatory, raises the outcome to `refuse` (e.g. `political_offence`).
    pub refuse_if_mandatory: Option<String>,
    pub referrals: Vec<ReferralCode>,
    pub safeguards: Vec<SafeguardSpec>,
}

/// A safeguard a rule requires, with the rule's citations that ground it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SafeguardSpec {
    pub code: SafeguardCode,
    /// Indices into the rule's `citations`.
    pub cites: Vec<usize>,
}

/// How far a citation's wording has been checked (DESIGN §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// Read in the primary text.
    P,
    /// From a secondary source.
    S,
    /// From memory: check before relying on the wording.
    M,
}

impl Tag {
    pub(crate) fn parse(text: &str) -> Option<Tag> {
        match text {
            "P" => Some(Tag::P),
            "S" => Some(Tag::S),
            "M" => Some(Tag::M),
            _ => None,
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tag::P => "P",
            Tag::S => "S",
            Tag::M => "M",
        })
    }
}

/// A legal source, as DESIGN §6 gives it: a source cited as such (case law, the ECHR, EU law
/// that binds the requested state), an instrument of the partner table (cited only when it is in
/// force with the requesting state), or a clause (the article of whichever instrument applies).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Citation {
    /// The source; for an instrument, its title in the partner table; for a clause, empty.
    pub source: String,
    /// The partner table's instrument id, when the citation is to an instrument.
    pub instrument: Option<String>,
    /// The clause name (one of `partners::CLAUSES`), when the citation is to a clause.
    pub clause: Option<String>,
    /// Article, paragraph or principle, where DESIGN §6 gives one.
    pub pinpoint: Option<String>,
    pub tag: Tag,
    /// Cited only for requests of these kinds; empty: for every kind.
    pub kinds: Vec<RequestKind>,
}

impl Citation {
    /// Does this citation ground a decision on a request of this kind?
    pub fn applies_to(&self, kind: RequestKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    /// The key a safeguard's `cites` names it by: the source, instrument id or clause name.
    fn key(&self) -> &str {
        self.instrument
            .as_deref()
            .or(self.clause.as_deref())
            .unwrap_or(&self.source)
    }
}

impl fmt::Display for Citation {
    /// `Kruglov v Russia (ECtHR 2020) §125 [P]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(pinpoint) = &self.pinpoint {
            write!(f, " {pinpoint}")?;
        }
        write!(f, " [{}]", self.tag)
    }
}

impl Catalogue {
    /// The catalogue shipped in `rules/catalogue.toml` with its partner table
    /// `rules/partners.toml`, parsed on first use.
    pub fn bundled() -> &'static Catalogue {
        static BUNDLED: OnceLock<Catalogue> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // A test parses the bundled files, so this cannot fail in a released build.
            Catalogue::parse(BUNDLED_CATALOGUE).expect("the bundled rule catalogue is valid")
        })
    }

    /// Parses and validates a catalogue against the bundled partner table. Errors name the
    /// rule id and the field.
    pub fn parse(text: &str) -> Result<Catalogue, PolicyError> {
        Catalogue::parse_with(text, PartnerTable::parse(BUNDLED_PARTNERS)?)
    }

    /// Parses and validates a catalogue against a partner table: a rule that cites an
    /// instrument the table does not have is an error naming the rule.
    pub fn parse_with(text: &str, partners: PartnerTable) -> Result<Catalogue, PolicyError> {
        let raw: RawCatalogue =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() {
            return Err(PolicyError::Catalogue {
                field: "version",
                message: "may not be empty".into(),
            });
        }
        if raw.rules.is_empty() {
            return Err(PolicyError::Catalogue {
                field: "rule",
                message: "the catalogue has no rules".into(),
            });
        }
        let mut seen = BTreeMap::new();
        let mut rules = Vec::with_capacity(raw.rules.len());
        for (index, raw_rule) in raw.rules.into_iter().enumerate() {
            let rule = raw_rule.validate(index, &partners)?;
            if let Some(first) = seen.insert(rule.id.clone(), index) {
                return Err(PolicyError::rule(
                    &rule.id,
                    "id",
                    format!("duplicate: rules #{first} and #{index} share it"),
                ));
            }
            rules.push(rule);
        }
        Ok(Catalogue {
            version,
            rules,
            partners,
        })
    }

    /// The partner table the catalogue was validated against.
    pub fn partners(&self) -> &PartnerTable {
        &self.partners
    }

    /// The catalogue's version: the caller records it with each case, so that a decision can
    /// be traced to the rules that made it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The rules, in catalogue order (the order of reasons in a decision).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

// The raw shapes: strings where the typed catalogue has codes, so that validation can name the
// rule and field of an unknown code (serde's own error would give only a line number).

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: String,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    when: RawConditions,
    then: Option<RawThen>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reason_for_kind: BTreeMap<String, String>,
    #[serde(default)]
    citations: Vec<RawCitation>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConditions {
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    offence_categories: Vec<String>,
    #[serde(default)]
    measures: Vec<String>,
    #[serde(default)]
    state_risk_at_least: Option<String>,
    #[serde(default)]
    findings_any: Vec<String>,
    #[serde(default)]
    findings_none: Vec<String>,
    #[serde(default)]
    findings_all: Vec<String>,
    #[serde(default)]
    party_roles: Vec<String>,
    #[serde(default)]
    party_measures: Vec<String>,
    #[serde(default)]
    finding_roles: Vec<String>,
    #[serde(default)]
    either: Vec<RawConditions>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThen {
    outcome: String,
    #[serde(default)]
    refuse_if_mandatory: Option<String>,
    #[serde(default)]
    referrals: Vec<String>,
    #[serde(default)]
    safeguards: Vec<RawSafeguard>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSafeguard {
    code: String,
    /// Sources of the rule's citations; absent: all of them.
    #[serde(default)]
    cites: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCitation {
    #[serde(default)]
    source: String,
    #[serde(default)]
    instrument: Option<String>,
    #[serde(default)]
    clause: Option<String>,
    #[serde(default)]
    pinpoint: Option<String>,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    kinds: Vec<String>,
}

/// Parses a snake_case wire name into one of the domain's serde enums.
pub(crate) fn wire<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    let de: StrDeserializer<'_, ValueError> = text.into_deserializer();
    T::deserialize(de).ok()
}

/// Validates one rule; `ctx` carries the rule id for errors.
struct Checker<'a> {
    rule: &'a str,
}

impl Checker<'_> {
    fn err(&self, field: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError::rule(self.rule, field, message)
    }

    fn list<T>(
        &self,
        field: &str,
        values: &[String],
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, PolicyError> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                parse(v).ok_or_else(|| {
                    self.err(format!("{field}[{i}]"), format!("unknown {what} {v:?}"))
                })
            })
            .collect()
    }

    fn conditions(&self, prefix: &str, raw: &RawConditions) -> Result<Conditions, PolicyError> {
        let field = |name: &str| format!("{prefix}.{name}");
        let state_risk_at_least = match &raw.state_risk_at_least {
            None => None,
            Some(v) => Some(wire::<RiskLevel>(v).ok_or_else(|| {
                self.err(
                    field("state_risk_at_least"),
                    format!("unknown risk level {v:?}"),
                )
            })?),
        };
        Ok(Conditions {
            kinds: self.list(&field("kinds"), &raw.kinds, "request kind", wire)?,
            offence_categories: self.list(
                &field("offence_categories"),
                &raw.offence_categories,
                "offence category",
                wire,
            )?,
            measures: self.list(&field("measures"), &raw.measures, "measure kind", wire)?,
            state_risk_at_least,
            findings_any: self.list(
                &field("findings_any"),
                &raw.findings_any,
                "finding code",
                FindingCode::parse,
            )?,
            findings_none: self.list(
                &field("findings_none"),
                &raw.findings_none,
                "finding code",
                FindingCode::parse,
            )?,
            findings_all: self.list(
                &field("findings_all"),
                &raw.findings_all,
                "finding code",
                FindingCode::parse,
            )?,
            party_roles: self.list(&field("party_roles"), &raw.party_roles, "party role", wire)?,
            party_measures: self.list(
                &field("party_measures"),
                &raw.party_measures,
                "measure kind",
                wire,
            )?,
            finding_roles: self.list(
                &field("finding_roles"),
                &raw.finding_roles,
                "person role",
                wire,
            )?,
        })
    }

    /// The party and role filters narrow the findings of their own set; alone they would
    /// silently match every request.
    fn filters_have_findings(&self, prefix: &str, c: &Conditions) -> Result<(), PolicyError> {
        let filtered = !c.party_roles.is_empty()
            || !c.party_measures.is_empty()
            || !c.finding_roles.is_empty();
        if filtered && c.findings_any.is_empty() && c.findings_all.is_empty() {
            return Err(self.err(
                prefix,
                "party_roles, party_measures and finding_roles narrow findings_any or \
                 findings_all of the same set, which has neither",
            ));
        }
        Ok(())
    }

    fn template(&self, field: &str, text: &str) -> Result<(), PolicyError> {
        if text.trim().is_empty() {
            return Err(self.err(field, "may not be empty"));
        }
        for piece in placeholders(text) {
            match piece {
                Ok(name) if PLACEHOLDERS.contains(&name) => {}
                Ok(name) => {
                    return Err(self.err(
                        field,
                        format!(
                            "unknown placeholder {{{name}}} (known: {})",
                            PLACEHOLDERS.join(", ")
                        ),
                    ));
                }
                Err(()) => return Err(self.err(field, "a '{' is not closed by '}'")),
            }
        }
        Ok(())
    }
}

/// The `{name}` placeholders of a template, in order; `Err` for an unclosed brace.
pub(crate) fn placeholders(text: &str) -> impl Iterator<Item = Result<&str, ()>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let open = rest.find('{')?;
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                rest = &after[close + 1..];
                Some(Ok(name))
            }
            None => {
                rest = "";
                Some(Err(()))
            }
        }
    })
}

/// The kinds of request a rule can fire on: its own `kinds`, narrowed by its alternatives'.
fn possible_kinds(when: &When) -> BTreeSet<usize> {
    let allowed = |kinds: &[RequestKind], k: RequestKind| kinds.is_empty() || kinds.contains(&k);
    (0..ALL_KINDS.len())
        .filter(|&i| {
            let k = ALL_KINDS[i];
            allowed(&when.base.kinds, k)
                && (when.either.is_empty() || when.either.iter().any(|c| allowed(&c.kinds, k)))
        })
        .collect()
}

impl RawRule {
    /// Validates one rule, in the order a reader of the TOML meets its parts.
    fn validate(self, index: usize, partners: &PartnerTable) -> Result<Rule, PolicyError> {
        let label = if self.id.trim().is_empty() {
            format!("#{index}")
        } else {
            self.id.clone()
        };
        let check = Checker { rule: &label };
        let id = check.identity(&self.id, &self.title)?;
        let scope = check.scope(self.scope.as_deref())?;
        let when = check.when(&self.when, scope)?;
        let citations = check.citations(&self.citations, &when, partners)?;
        let then = check.then(self.then.as_ref(), &citations)?;
        check.template("reason", &self.reason)?;
        let reason_for_kind = check.reasons_for_kind(&self.reason_for_kind)?;
        Ok(Rule {
            id,
            title: self.title.trim().to_owned(),
            scope,
            when,
            then,
            reason: normalise_space(&self.reason),
            reason_for_kind,
            citations,
        })
    }
}

impl Checker<'_> {
    /// The id (stable, lower-case, hyphenated) and a title.
    fn identity(&self, id: &str, title: &str) -> Result<String, PolicyError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(self.err("id", "may not be empty"));
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(self.err("id", "use lower-case letters, digits and '-' only"));
        }
        if title.trim().is_empty() {
            return Err(self.err("title", "may not be empty"));
        }
        Ok(id.to_owned())
    }

    fn scope(&self, scope: Option<&str>) -> Result<Scope, PolicyError> {
        match scope {
            None | Some("request") => Ok(Scope::Request),
            Some("measure") => Ok(Scope::Measure),
            Some(other) => Err(self.err(
                "scope",
                format!("{other:?} is neither \"request\" nor \"measure\""),
            )),
        }
    }

    /// The base conditions and the alternatives: at least one condition in all, alternatives
    /// that do not nest, and a measure rule that says which measures.
    fn when(&self, raw: &RawConditions, scope: Scope) -> Result<When, PolicyError> {
        let base = self.conditions("when", raw)?;
        self.filters_have_findings("when", &base)?;
        let mut either = Vec::with_capacity(raw.either.len());
        for (i, raw) in raw.either.iter().enumerate() {
            let prefix = format!("when.either[{i}]");
            if !raw.either.is_empty() {
                return Err(self.err(format!("{prefix}.either"), "alternatives do not nest"));
            }
            let alternative = self.conditions(&prefix, raw)?;
            if alternative.is_empty() {
                return Err(self.err(prefix, "an alternative needs at least one condition"));
            }
            self.filters_have_findings(&prefix, &alternative)?;
            either.push(alternative);
        }
        let when = When { base, either };
        if when.base.is_empty() && when.either.is_empty() {
            return Err(self.err("when", "a rule needs at least one condition"));
        }
        if scope == Scope::Measure && when.base.measures.is_empty() {
            return Err(self.err(
                "when.measures",
                "a rule of scope \"measure\" must say which measures it applies to",
            ));
        }
        Ok(when)
    }

    /// Every citation: a source, an instrument of the partner table, or a clause; and for every
    /// kind of request the rule can fire on, one that does not depend on who asks.
    fn citations(
        &self,
        raw: &[RawCitation],
        when: &When,
        partners: &PartnerTable,
    ) -> Result<Vec<Citation>, PolicyError> {
        if raw.is_empty() {
            return Err(self.err("citations", "every rule cites at least one legal source"));
        }
        let citations = raw
            .iter()
            .enumerate()
            .map(|(i, raw)| self.citation(i, raw, partners))
            .collect::<Result<Vec<_>, _>>()?;
        for k in possible_kinds(when) {
            let kind = ALL_KINDS[k];
            // An instrument's citation may drop out for a partner not party to it; a source or
            // a clause (which falls back on national law) always says something.
            if !citations
                .iter()
                .any(|c| c.instrument.is_none() && c.applies_to(kind))
            {
                return Err(self.err(
                    "citations",
                    format!(
                        "no citation applies to a request of kind {} whoever sends it",
                        kind.as_str()
                    ),
                ));
            }
        }
        Ok(citations)
    }

    fn citation(
        &self,
        i: usize,
        raw: &RawCitation,
        partners: &PartnerTable,
    ) -> Result<Citation, PolicyError> {
        let field = |name: &str| format!("citations[{i}].{name}");
        let kinds = self.list(&field("kinds"), &raw.kinds, "request kind", wire)?;
        let pinpoint = raw
            .pinpoint
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        let given = [
            !raw.source.trim().is_empty(),
            raw.instrument.is_some(),
            raw.clause.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(self.err(
                format!("citations[{i}]"),
                "give exactly one of source, instrument or clause",
            ));
        }
        if let Some(clause) = &raw.clause {
            known_clause(clause).map_err(|message| self.err(field("clause"), message))?;
            if pinpoint.is_some() || !raw.tag.trim().is_empty() {
                return Err(self.err(
                    field("clause"),
                    "a clause takes its article and tag from the partner table",
                ));
            }
            return Ok(Citation {
                source: String::new(),
                instrument: None,
                clause: Some(clause.clone()),
                pinpoint: None,
                tag: Tag::M,
                kinds,
            });
        }
        let tag = Tag::parse(raw.tag.trim())
            .ok_or_else(|| self.err(field("tag"), format!("{:?} is not P, S or M", raw.tag)))?;
        let (source, instrument) = match &raw.instrument {
            Some(id) => {
                let found = partners.instrument(id).ok_or_else(|| {
                    self.err(
                        field("instrument"),
                        format!("{id:?} is not an instrument of the partner table"),
                    )
                })?;
                (found.title.clone(), Some(id.clone()))
            }
            None => (raw.source.trim().to_owned(), None),
        };
        Ok(Citation {
            source,
            instrument,
            clause: None,
            pinpoint,
            tag,
            kinds,
        })
    }

    fn then(&self, raw: Option<&RawThen>, citations: &[Citation]) -> Result<Then, PolicyError> {
        let Some(raw) = raw else {
            return Err(self.err("then", "missing"));
        };
        let outcome = Outcome::parse(&raw.outcome).ok_or_else(|| {
            self.err("then.outcome", format!("unknown outcome {:?}", raw.outcome))
        })?;
        if let Some(clause) = &raw.refuse_if_mandatory {
            known_clause(clause)
                .map_err(|message| self.err("then.refuse_if_mandatory", message))?;
        }
        let referrals = self.list(
            "then.referrals",
            &raw.referrals,
            "referral code",
            ReferralCode::parse,
        )?;
        let safeguards = raw
            .safeguards
            .iter()
            .enumerate()
            .map(|(i, raw)| self.safeguard(i, raw, citations))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Then {
            outcome,
            refuse_if_mandatory: raw.refuse_if_mandatory.clone(),
            referrals,
            safeguards,
        })
    }

    /// A safeguard and the rule's citations that ground it (by source, instrument id or clause
    /// name; all of them when `cites` is absent).
    fn safeguard(
        &self,
        i: usize,
        raw: &RawSafeguard,
        citations: &[Citation],
    ) -> Result<SafeguardSpec, PolicyError> {
        let code = SafeguardCode::parse(&raw.code).ok_or_else(|| {
            self.err(
                format!("then.safeguards[{i}].code"),
                format!("unknown safeguard code {:?}", raw.code),
            )
        })?;
        let Some(sources) = &raw.cites else {
            return Ok(SafeguardSpec {
                code,
                cites: (0..citations.len()).collect(),
            });
        };
        let mut cites = Vec::new();
        for (j, source) in sources.iter().enumerate() {
            let hits: Vec<usize> = (0..citations.len())
                .filter(|&c| citations[c].key() == source.trim())
                .collect();
            if hits.is_empty() {
                return Err(self.err(
                    format!("then.safeguards[{i}].cites[{j}]"),
                    format!("{source:?} is not the source of any of the rule's citations"),
                ));
            }
            for hit in hits {
                if !cites.contains(&hit) {
                    cites.push(hit);
                }
            }
        }
        if cites.is_empty() {
            return Err(self.err(format!("then.safeguards[{i}].cites"), "cites nothing"));
        }
        Ok(SafeguardSpec { code, cites })
    }

    fn reasons_for_kind(
        &self,
        raw: &BTreeMap<String, String>,
    ) -> Result<Vec<(RequestKind, String)>, PolicyError> {
        let mut reason_for_kind = Vec::new();
        for (kind, text) in raw {
            let field = format!("reason_for_kind.{kind}");
            let parsed = wire::<RequestKind>(kind)
                .ok_or_else(|| self.err(field.clone(), format!("unknown request kind {kind:?}")))?;
            self.template(&field, text)?;
            reason_for_kind.push((parsed, normalise_space(text)));
        }
        Ok(reason_for_kind)
    }
}

/// Collapses the line breaks and indentation of a multi-line TOML string into single spaces, so
/// that the file can wrap its prose and the decision still reads as one paragraph.
pub(crate) fn normalise_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
