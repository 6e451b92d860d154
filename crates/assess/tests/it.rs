//! Assessment end to end over an in-memory registry and context: the DESIGN §1 case, the
//! namesake, context two hops away, determinism, a reply that never leaks, each tier's findings
//! (a scripted index), and candidates that cannot be accounted for.

use std::collections::BTreeMap;

use haven_assess::records::{context_record, query, registry_record};
use haven_assess::{Knowledge, KnowledgeError, Link, Settings, assess, derive_findings};
use haven_domain::{
    ContextPerson, ContextRecord, CountryCode, Finding, FindingCode, Outcome, Party, PersonId,
    ProtectionStatus, ReferralCode, RegistryPerson, Request, SafeguardCode, StateProfile,
    parse_context_line, parse_registry_line, parse_request,
};
use haven_index::{Index, Match, Source};
use haven_names::Tier;
use haven_policy::Catalogue;

const REGISTRY: &str = r#"{"id": "R-1001", "names": ["Aigerim Bekova", "Бекова Айгерим"], "birth_date": "1971-03-02", "nationalities": ["kz"], "gender": "f", "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013-10-01", "against": ["kz"]}, "roles": ["lawyer", "human_rights_defender"], "relations": [{"kind": "child", "to": "R-1002"}]}
{"id": "R-1002", "names": ["Timur Bekov"], "birth_date": "1995-05-20", "nationalities": ["kz"], "gender": "m", "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2014-02-01", "against": ["kz"]}}
{"id": "R-1003", "names": ["Yerlan Jumabayev"], "birth_date": "1980-07-15", "nationalities": ["kz"], "gender": "m", "protection": {"status": "subsidiary", "granted_by": "de", "granted_on": "2019", "against": ["kz"]}, "roles": ["journalist"]}"#;

const CONTEXT: &str = r#"{"kind": "person", "id": "C-7", "names": ["Marat Bekov"], "nationalities": ["kz"], "roles": ["political_opponent"], "relations": [{"kind": "sibling", "to": "R-1001"}]}
{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "date": "2017", "summary": "Recognised as a political prisoner (invented for the test).", "source": "Illustrative source"}
{"kind": "state_profile", "state": "kz", "risk": "high", "summary": "Persecution of lawyers (invented for the test).", "sources": ["Illustrative source"]}
{"kind": "state_profile", "state": "nl", "risk": "low", "summary": "Invented for the test.", "sources": ["Illustrative source"]}"#;

/// The §1 case: the lawyer named in Cyrillic by the state she fled, her son as account holder.
const DESIGN_CASE: &str = r#"{"reference": "MLA/2019/0412", "kind": "mla", "requesting_state": "kz", "received_on": "2019-09-10",
  "offences": [{"description": "large-scale fraud", "category": "fraud"}],
  "parties": [{"role": "subject", "names": ["Бекова Айгерим"], "birth_date": "1971", "nationalities": ["kz"]},
              {"role": "account_holder", "names": ["Тимур Беков"]}],
  "measures": [{"kind": "search_premises", "party": 0, "premises": "home"}, {"kind": "seize_devices", "party": 0},
               {"kind": "banking_records", "party": 1}, {"kind": "foreign_officials_present", "count": 2}]}"#;

struct Memory {
    registry: BTreeMap<PersonId, RegistryPerson>,
    context: BTreeMap<PersonId, ContextPerson>,
    findings: Vec<Finding>,
    profiles: Vec<StateProfile>,
    index: Index,
}

impl Memory {
    fn new() -> Memory {
        Memory::from_text(REGISTRY, CONTEXT)
    }

    fn from_text(registry_text: &str, context_text: &str) -> Memory {
        let registry: BTreeMap<_, _> = registry_text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_registry_line(l).expect("registry line"))
            .map(|p| (p.id.clone(), p))
            .collect();
        let mut context = BTreeMap::new();
        let mut findings = Vec::new();
        let mut profiles = Vec::new();
        for line in context_text.lines().filter(|l| !l.trim().is_empty()) {
            match parse_context_line(line).expect("context line") {
                ContextRecord::Person(p) => {
                    context.insert(p.id.clone(), p);
                }
                ContextRecord::Finding(f) => findings.push(f),
                ContextRecord::StateProfile(s) => profiles.push(s),
            }
        }
        let records = registry
            .values()
            .map(registry_record)
            .chain(context.values().map(context_record));
        let index = Index::build(records, 1);
        Memory {
            registry,
            context,
            findings,
            profiles,
            index,
        }
    }
}

impl Knowledge for Memory {
    fn screen(&self, party: &Party, limit: usize) -> Result<Vec<Match>, KnowledgeError> {
        Ok(self.index.screen(&query(party), limit))
    }
    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, KnowledgeError> {
        Ok(self.registry.get(id).cloned())
    }
    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, KnowledgeError> {
        Ok(self.context.get(id).cloned())
    }
    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, KnowledgeError> {
        let stated = |from: &PersonId| -> Vec<haven_domain::Relation> {
            self.registry
                .get(from)
                .map(|p| p.relations.clone())
                .or_else(|| self.context.get(from).map(|p| p.relations.clone()))
                .unwrap_or_default()
        };
        let mut links: Vec<Link> = stated(id)
            .into_iter()
            .map(|r| Link {
                id: r.to,
                kind: r.kind,
            })
            .collect();
        for other in self.registry.keys().chain(self.context.keys()) {
            for relation in stated(other) {
                if &relation.to == id {
                    links.push(Link {
                        id: other.clone(),
                        kind: relation.kind.inverse(),
                    });
                }
            }
        }
        Ok(links)
    }
    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, KnowledgeError> {
        Ok(self
            .findings
            .iter()
            .filter(|f| &f.about == id)
            .cloned()
            .collect())
    }
    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, KnowledgeError> {
        Ok(self.profiles.iter().find(|p| p.state == state).cloned())
    }
}

fn settings() -> Settings {
    Settings::new(CountryCode::parse("be").expect("valid"))
}

fn codes_for(findings: &[haven_domain::DecisionFinding], party: usize) -> Vec<FindingCode> {
    findings
        .iter()
        .filter(|f| f.party == Some(party))
        .map(|f| f.code)
        .collect()
}

fn request(text: &str) -> Request {
    parse_request(text).expect("valid request")
}

#[test]
fn the_design_case_is_frozen_and_referred_with_the_son_flagged() {
    let knowledge = Memory::new();
    let decision = assess(
        &request(DESIGN_CASE),
        &knowledge,
        &settings(),
        Catalogue::bundled(),
    )
    .expect("assessed");
    // An MLA request without arrest or surrender: frozen and referred, not refused.
    assert_eq!(decision.outcome, Outcome::FreezeAndRefer, "{decision:#?}");

    let mother = codes_for(&decision.findings, 0);
    assert!(
        mother.contains(&FindingCode::ProtectedAgainstRequestingState),
        "{mother:?}"
    );
    assert!(
        mother.contains(&FindingCode::ProtectedProfession),
        "{mother:?}"
    );
    assert!(
        mother.contains(&FindingCode::PrivilegedMaterialLikely),
        "{mother:?}"
    );
    assert!(
        mother.contains(&FindingCode::ContextPoliticalPersecution),
        "{mother:?}"
    );
    let son = codes_for(&decision.findings, 1);
    assert!(
        son.contains(&FindingCode::ProtectedAgainstRequestingState),
        "{son:?}"
    );
    assert!(
        son.contains(&FindingCode::RelativeOfProtectedPerson),
        "{son:?}"
    );

    let safeguards: Vec<SafeguardCode> = decision.safeguards.iter().map(|s| s.code).collect();
    for needed in [
        SafeguardCode::IndependentLegalObserver,
        SafeguardCode::PrivilegeSealing,
        // The officials of the state she fled may not attend, not even to observe
        // (LEGAL-REVIEW §3).
        SafeguardCode::NoForeignOfficials,
        SafeguardCode::WarrantPresented,
    ] {
        assert!(
            safeguards.contains(&needed),
            "{needed:?} missing from {safeguards:?}"
        );
    }
    assert!(!safeguards.contains(&SafeguardCode::ForeignOfficialsObserveOnly));
    assert!(decision.referrals.contains(&ReferralCode::AsylumAuthority));
    assert!(
        decision.reasons.iter().all(|r| r.contains('[')),
        "every reason cites: {:?}",
        decision.reasons
    );
    let leaks = haven_policy::leaks(&decision.reply_to_requesting_state);
    assert!(
        leaks.is_empty(),
        "{leaks:?} in {}",
        decision.reply_to_requesting_state
    );
    let evidence = decision.findings[0].matched.as_ref().expect("evidence");
    assert_eq!(evidence.id, "R-1001");
    assert!(
        evidence.explanation.contains("Cyrillic") || evidence.explanation.contains("identical")
    );
}

#[test]
fn a_namesake_born_in_another_year_is_a_possible_match_only_where_it_matters() {
    let knowledge = Memory::new();
    let namesake = request(
        r#"{"reference": "EIO/2024/77", "kind": "eio", "requesting_state": "nl", "received_on": "2024-03-01",
            "eio": {"issuing_authority": "Public Prosecution Service (invented)"},
            "offences": [{"description": "invoice fraud", "category": "fraud"}],
            "parties": [{"role": "subject", "names": ["Aigerim Bekova"], "birth_date": "1999-11-30", "nationalities": ["kz"]}],
            "measures": [{"kind": "banking_records", "party": 0}]}"#,
    );
    let findings = derive_findings(&namesake, &knowledge, &settings()).expect("derived");
    assert!(
        findings.iter().all(|f| f.party != Some(0)),
        "the namesake is nobody we know: {findings:#?}"
    );
    let decision =
        assess(&namesake, &knowledge, &settings(), Catalogue::bundled()).expect("assessed");
    assert!(
        decision.outcome <= Outcome::ProceedWithSafeguards,
        "{:?}",
        decision.outcome
    );

    // The same name and the wrong birth year in a request from the state she fled: one
    // contradiction lowers the match to `possible` (the one same-person rule of the index),
    // which is never silence — a request may carry a wrong date.
    let from_kz = request(
        r#"{"reference": "MLA/2024/78", "kind": "mla", "requesting_state": "kz", "received_on": "2024-03-01",
            "offences": [{"description": "invoice fraud", "category": "fraud"}],
            "parties": [{"role": "subject", "names": ["Aigerim Bekova"], "birth_date": "1999-11-30", "nationalities": ["kz"]}],
            "measures": [{"kind": "banking_records", "party": 0}]}"#,
    );
    let decision =
        assess(&from_kz, &knowledge, &settings(), Catalogue::bundled()).expect("assessed");
    assert_eq!(
        codes_for(&decision.findings, 0),
        [FindingCode::PossibleMatchProtected],
        "{decision:#?}"
    );
    assert_eq!(decision.outcome, Outcome::FreezeAndRefer);
    assert!(decision.referrals.contains(&ReferralCode::AsylumAuthority));
}

#[test]
fn protection_granted_elsewhere_and_a_minor_by_birth_date() {
    let knowledge = Memory::new();
    let text = r#"{"reference": "EXT/2020/5", "kind": "extradition", "requesting_state": "kz", "received_on": "2020-01-10",
        "offences": [{"description": "insulting officials", "category": "defamation"}],
        "parties": [{"role": "subject", "names": ["Жумабаев Ерлан"], "birth_date": "1980-07-15"},
                    {"role": "witness", "names": ["Someone Young"], "birth_date": "2008-04-01"}],
        "measures": [{"kind": "provisional_arrest", "party": 0}, {"kind": "surrender", "party": 0}]}"#;
    let decision = assess(
        &request(text),
        &knowledge,
        &settings(),
        Catalogue::bundled(),
    )
    .expect("assessed");
    let subject = codes_for(&decision.findings, 0);
    assert!(
        subject.contains(&FindingCode::ProtectedAgainstRequestingState),
        "{subject:?}"
    );
    assert!(
        subject.contains(&FindingCode::ProtectedByOtherState),
        "{subject:?}"
    );
    assert!(
        subject.contains(&FindingCode::ProtectedProfession),
        "{subject:?}"
    );
    assert_eq!(
        codes_for(&decision.findings, 1),
        [FindingCode::MinorInvolved]
    );
    assert!(
        decision
            .findings
            .iter()
            .any(|f| f.code == FindingCode::OffenceCategoryFlag)
    );
    assert_eq!(decision.outcome, Outcome::Refuse);
    assert!(haven_policy::leaks(&decision.reply_to_requesting_state).is_empty());
}

#[test]
fn decisions_are_deterministic() {
    let knowledge = Memory::new();
    let first = assess(
        &request(DESIGN_CASE),
        &knowledge,
        &settings(),
        Catalogue::bundled(),
    )
    .expect("assessed");
    let again = assess(
        &request(DESIGN_CASE),
        &Memory::new(),
        &settings(),
        Catalogue::bundled(),
    )
    .expect("assessed");
    assert_eq!(
        serde_json::to_string(&first).expect("json"),
        serde_json::to_string(&again).expect("json")
    );
}

/// Every bundled example (`examples/data/`): its decision is snapshotted, and together they
/// produce every outcome and every finding code.
#[test]
fn bundled_examples_cover_every_outcome_and_finding() {
    let (knowledge, examples) = bundled_examples();
    let mut outcomes = std::collections::BTreeSet::new();
    let mut codes = std::collections::BTreeSet::new();
    for (file, request) in examples {
        let decision =
            assess(&request, &knowledge, &settings(), Catalogue::bundled()).expect("assessed");
        let leaks = haven_policy::leaks(&decision.reply_to_requesting_state);
        assert!(leaks.is_empty(), "{}: {leaks:?}", file.display());
        // The reply names only instruments in force with the requesting state.
        let table = Catalogue::bundled().partners();
        let in_force = table.in_force_with(request.requesting_state);
        let foreign: Vec<&str> = table
            .instruments_cited(&decision.reply_to_requesting_state)
            .into_iter()
            .filter(|id| !in_force.contains(id))
            .collect();
        assert!(foreign.is_empty(), "{}: cites {foreign:?}", file.display());
        // Every finding names the rules that rest on it (DESIGN §5.3).
        for finding in &decision.findings {
            assert!(
                !finding.rules.is_empty(),
                "{}: finding {} names no rule",
                file.display(),
                finding.code.as_str()
            );
        }
        outcomes.insert(decision.outcome);
        codes.extend(decision.findings.iter().map(|f| f.code));
        let name = file
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        insta::assert_json_snapshot!(name.clone(), decision);
        insta::assert_snapshot!(
            format!("{name}-memo"),
            haven_assess::memo(&request, &decision)
        );
    }
    assert_eq!(
        outcomes.len(),
        Outcome::ALL.len(),
        "outcomes produced: {outcomes:?}"
    );
    let missing: Vec<_> = FindingCode::ALL
        .iter()
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "finding codes no example produces: {missing:?}"
    );
}

/// The bundled examples (`examples/data/`): their registry and context, and every request in
/// file order with its path.
fn bundled_examples() -> (Memory, Vec<(std::path::PathBuf, Request)>) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let read = |name: &str| std::fs::read_to_string(data.join(name)).expect("bundled example data");
    let knowledge = Memory::from_text(&read("registry.jsonl"), &read("context.jsonl"));
    let mut files: Vec<_> = std::fs::read_dir(data.join("requests"))
        .expect("requests folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "bundled requests: {files:?}");
    let examples = files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("readable");
            let request =
                parse_request(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            (file, request)
        })
        .collect();
    (knowledge, examples)
}

/// The keys under which protection details travel in a decision's JSON.
const PROTECTION_KEYS: &[&str] = &[
    "protection",
    "status",
    "granted_by",
    "granted_on",
    "applied_on",
];

/// The status words as the memo renders them.
const STATUS_PHRASES: &[&str] = &[
    "refugee status",
    "subsidiary protection",
    "temporary protection",
    "asylum application pending",
];

/// What in `text` states a protection detail of the registry: a status phrase, a granting or
/// application date of a record (with its month at least: a bare year is too common a string to
/// mean a date), "granted by" followed by a state code.
fn protection_details_in(text: &str, registry: &[RegistryPerson]) -> Vec<String> {
    let mut found: Vec<String> = STATUS_PHRASES
        .iter()
        .filter(|p| text.contains(*p))
        .map(|p| (*p).to_owned())
        .collect();
    for person in registry {
        let dates = [person.protection.granted_on, person.protection.applied_on];
        for date in dates.into_iter().flatten().filter(|d| d.month().is_some()) {
            let date = date.to_string();
            if text.contains(&date) {
                found.push(format!("{date} of {}", person.id));
            }
        }
    }
    for (at, _) in text.match_indices("granted by ") {
        let after = &text[at + "granted by ".len()..];
        let code: String = after.chars().take_while(|c| c.is_alphanumeric()).collect();
        if CountryCode::parse(&code).is_ok() {
            found.push(format!("granted by {code}"));
        }
    }
    found
}

/// Every key of a JSON value and every string in it, at any depth.
fn keys_and_strings(value: &serde_json::Value, keys: &mut Vec<String>, strings: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                keys_and_strings(inner, keys, strings);
            }
        }
        serde_json::Value::Array(items) => {
            for inner in items {
                keys_and_strings(inner, keys, strings);
            }
        }
        serde_json::Value::String(text) => strings.push(text.clone()),
        _ => {}
    }
}

/// Need to know (DESIGN §5.4): for every bundled example, the restricted decision and its memo
/// say that a person is protected and must be referred, never the protection details; the full
/// decision and its memo keep them.
#[test]
fn a_restricted_decision_and_its_memo_state_no_protection_details() {
    let (knowledge, examples) = bundled_examples();
    let registry: Vec<RegistryPerson> = knowledge.registry.values().cloned().collect();
    let mut facts_seen = 0;
    for (file, request) in &examples {
        let decision =
            assess(request, &knowledge, &settings(), Catalogue::bundled()).expect("assessed");
        facts_seen += decision
            .findings
            .iter()
            .filter(|f| f.protection.is_some())
            .count();
        let restricted = decision.restricted();
        let json = serde_json::to_value(&restricted).expect("serialises");
        let (mut keys, mut strings) = (Vec::new(), Vec::new());
        keys_and_strings(&json, &mut keys, &mut strings);
        let bad_keys: Vec<&String> = keys
            .iter()
            .filter(|k| PROTECTION_KEYS.contains(&k.as_str()))
            .collect();
        assert!(bad_keys.is_empty(), "{}: {bad_keys:?}", file.display());
        for text in &strings {
            let details = protection_details_in(text, &registry);
            assert!(
                details.is_empty(),
                "{}: {details:?} in {text:?}",
                file.display()
            );
        }
        let memo = haven_assess::memo(request, &restricted);
        let details = protection_details_in(&memo, &registry);
        assert!(
            details.is_empty(),
            "{}: {details:?} in the restricted memo:\n{memo}",
            file.display()
        );
        assert!(
            !memo.contains("Protection of"),
            "{}:\n{memo}",
            file.display()
        );

        // What the restricted view removed is all that changed.
        assert_eq!(restricted.outcome, decision.outcome);
        assert_eq!(restricted.safeguards, decision.safeguards);
        assert_eq!(restricted.referrals, decision.referrals);
        for (kept, full) in restricted.findings.iter().zip(&decision.findings) {
            assert_eq!(kept.detail, full.detail);
            assert_eq!(kept.code, full.code);
        }
    }
    assert!(
        facts_seen > 0,
        "no bundled example carries protection facts"
    );

    // The full decision keeps the facts, so the checks above can fail: example 01's subject is
    // a refugee, and the memo of the full decision says so.
    let (file, request) = &examples[0];
    assert!(
        file.ends_with("01-mla-kz-refugee-lawyer-home-search.json"),
        "{file:?}"
    );
    let decision =
        assess(request, &knowledge, &settings(), Catalogue::bundled()).expect("assessed");
    let subject = decision
        .findings
        .iter()
        .find(|f| f.code == FindingCode::ProtectedAgainstRequestingState)
        .expect("the subject is protected");
    let facts = subject
        .protection
        .as_ref()
        .expect("the full decision has the facts");
    assert_eq!(facts.protection.status, ProtectionStatus::Refugee);
    let json = serde_json::to_string(&decision).expect("serialises");
    assert!(json.contains("\"protection\"") && json.contains("\"status\":\"refugee\""));
    let memo = haven_assess::memo(request, &decision);
    let details = protection_details_in(&memo, &registry);
    assert!(
        details.iter().any(|d| d == "refugee status")
            && details.iter().any(|d| d == "granted by be"),
        "{details:?} in the full memo:\n{memo}"
    );
}

/// Knowledge whose screening answer is scripted: the registry and context of a [`Memory`], the
/// candidates given, whatever the party. Lets a test fix the tier and watch what assess does
/// with it.
struct Scripted {
    memory: Memory,
    candidates: Vec<Match>,
}

impl Knowledge for Scripted {
    fn screen(&self, _: &Party, _: usize) -> Result<Vec<Match>, KnowledgeError> {
        Ok(self.candidates.clone())
    }
    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, KnowledgeError> {
        self.memory.registry_person(id)
    }
    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, KnowledgeError> {
        self.memory.context_person(id)
    }
    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, KnowledgeError> {
        self.memory.links_of(id)
    }
    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, KnowledgeError> {
        self.memory.findings_about(id)
    }
    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, KnowledgeError> {
        self.memory.state_profile(state)
    }
}

/// A candidate as the index would return it, at the given tier.
fn candidate(id: &str, source: Source, tier: Tier) -> Match {
    Match {
        id: id.to_owned(),
        source,
        score: 0.8,
        name_score: 0.8,
        tier,
        names: vec!["(scripted)".to_owned()],
        explanation: format!("scripted {tier} candidate"),
    }
}

/// A context person linked to nobody, for the "possible context hit that touches no protection"
/// row.
const UNLINKED_CONTEXT: &str = r#"{"kind": "person", "id": "C-9", "names": ["Gulmira Sadykova"], "nationalities": ["kz"], "roles": ["journalist"]}
{"kind": "finding", "id": "F-9", "about": "C-9", "type": "court_found_political_motive", "state": "kz", "date": "2020", "summary": "Invented for the test.", "source": "Illustrative source"}"#;

/// The findings on party 0 of a one-party MLA request from `state` (a home search, so that a
/// lawyer's privilege is reached) when screening returns exactly `candidates`.
fn party_codes(state: &str, candidates: Vec<Match>) -> Result<Vec<FindingCode>, String> {
    let knowledge = Scripted {
        memory: Memory::from_text(REGISTRY, &format!("{CONTEXT}\n{UNLINKED_CONTEXT}")),
        candidates,
    };
    let text = format!(
        r#"{{"reference": "T/1", "kind": "mla", "requesting_state": "{state}", "received_on": "2024-01-10",
            "offences": [{{"description": "fraud", "category": "fraud"}}],
            "parties": [{{"role": "subject", "names": ["Scripted Party"]}}],
            "measures": [{{"kind": "search_premises", "party": 0, "premises": "home"}}]}}"#
    );
    let findings =
        derive_findings(&request(&text), &knowledge, &settings()).map_err(|e| e.to_string())?;
    let mut codes = codes_for(&findings, 0);
    codes.sort();
    codes.dedup();
    Ok(codes)
}

#[test]
fn each_tier_gives_its_findings() {
    use FindingCode::*;
    use Source::{Context, Registry};
    use Tier::{Match as Precise, None as Nothing, Possible};
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, &str, Source, Tier, &[FindingCode])] = &[
        // The lawyer herself, certain: everything her record and her context say.
        (
            "kz",
            "R-1001",
            Registry,
            Precise,
            &[
                ProtectedAgainstRequestingState,
                RelativeOfProtectedPerson,
                ProtectedProfession,
                ContextPoliticalPersecution,
                PrivilegedMaterialLikely,
            ],
        ),
        // Possibly her: one finding that freezes, never silence.
        (
            "kz",
            "R-1001",
            Registry,
            Possible,
            &[PossibleMatchProtected],
        ),
        // The index says it is someone else.
        ("kz", "R-1001", Registry, Nothing, &[]),
        // Protected by Germany: a possible match is referred too (the granting state must be
        // consulted if it is him).
        (
            "tr",
            "R-1003",
            Registry,
            Possible,
            &[PossibleMatchProtected],
        ),
        (
            "tr",
            "R-1003",
            Registry,
            Precise,
            &[
                ProtectedByOtherState,
                ProtectedProfession,
                PrivilegedMaterialLikely,
            ],
        ),
        // Protection that does not bear on this request: no protection finding at either tier;
        // a certain identity still brings his mother's context (two hops), a possible one
        // nothing (see findings.rs).
        (
            "nl",
            "R-1002",
            Registry,
            Precise,
            &[ContextPoliticalPersecution],
        ),
        ("nl", "R-1002", Registry, Possible, &[]),
        // A context person whose sister is protected against the requesting state.
        (
            "kz",
            "C-7",
            Context,
            Precise,
            &[RelativeOfProtectedPerson, ContextPoliticalPersecution],
        ),
        ("kz", "C-7", Context, Possible, &[PossibleMatchProtected]),
        // A possible likeness to a context person who touches no protection: no context
        // finding of its own (see findings.rs), while a certain one gives them.
        ("kz", "C-9", Context, Possible, &[]),
        (
            "kz",
            "C-9",
            Context,
            Precise,
            &[
                ProtectedProfession,
                PrivilegedMaterialLikely,
                ContextPoliticalPersecution,
            ],
        ),
    ];
    for (state, id, source, tier, expected) in cases {
        let mut expected = expected.to_vec();
        expected.sort();
        assert_eq!(
            party_codes(state, vec![candidate(id, *source, *tier)]),
            Ok(expected),
            "{id} ({source:?}) at tier {tier} in a request from {state}"
        );
    }
}

#[test]
fn a_candidate_that_cannot_be_accounted_for_stops_the_assessment() {
    let cases = [
        (
            candidate("R 1001", Source::Registry, Tier::Possible),
            r#"screening returned registry candidate "R 1001", which is not a valid person id: "R 1001" contains whitespace; ids are single tokens"#,
        ),
        (
            candidate("R-9999", Source::Registry, Tier::Match),
            "screening returned registry record R-9999, which the registry does not hold: the index and the store are out of step; rebuild the index and assess again",
        ),
        (
            candidate("C-404", Source::Context, Tier::Possible),
            "screening returned context record C-404, which the context does not hold: the index and the store are out of step; rebuild the index and assess again",
        ),
    ];
    for (candidate, expected) in cases {
        assert_eq!(
            party_codes("kz", vec![candidate.clone()]),
            Err(expected.to_owned()),
            "{candidate:?}"
        );
    }
}
