//! Assessment end to end over an in-memory registry and context: the DESIGN §1 case, the
//! namesake, context two hops away, determinism, and a reply that never leaks.

use std::collections::BTreeMap;

use haven_assess::records::{context_record, query, registry_record};
use haven_assess::{Knowledge, KnowledgeError, Link, Settings, assess, derive_findings};
use haven_domain::{
    ContextPerson, ContextRecord, CountryCode, Finding, FindingCode, Outcome, Party, PersonId,
    ReferralCode, RegistryPerson, Request, SafeguardCode, StateProfile, parse_context_line,
    parse_registry_line, parse_request,
};
use haven_index::{Index, Match};
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
fn the_design_case_is_frozen_or_refused_with_the_son_flagged() {
    let knowledge = Memory::new();
    let decision = assess(
        &request(DESIGN_CASE),
        &knowledge,
        &settings(),
        Catalogue::bundled(),
    )
    .expect("assessed");
    assert!(
        matches!(decision.outcome, Outcome::FreezeAndRefer | Outcome::Refuse),
        "{decision:#?}"
    );

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
fn a_namesake_with_another_birth_date_is_not_protected() {
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

    let mut outcomes = std::collections::BTreeSet::new();
    let mut codes = std::collections::BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let request = parse_request(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
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
