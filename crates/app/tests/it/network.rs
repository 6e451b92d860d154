//! The context network of a case and who may see what in it: only the asylum liaison learns
//! which persons are protected (and that read is a ledger entry); every other role sees the
//! matched parties as the memo names them and every other person as a neutral person, with
//! nothing that tells a registry record from a context record.

use haven_app::{AppError, ContextNetwork, NetworkNode, Role};

use crate::{entries_since, example_request, ledger_size, principal, with_examples};

/// A case of an example request, opened by an officer.
fn case_of(service: &haven_app::Service, file: &str) -> String {
    service
        .assess(&principal(Role::Officer), &example_request(file), true)
        .expect("an officer may submit a request")
        .case
        .expect("stored")
}

fn node<'n>(network: &'n ContextNetwork, name: &str) -> &'n NetworkNode {
    network
        .nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("{name} is in the network: {network:#?}"))
}

const LAWYER_CASE: &str = "01-mla-kz-refugee-lawyer-home-search.json";
const SISTER_CASE: &str = "09-mla-kz-lawyers-sister-as-witness.json";

#[test]
fn an_officer_sees_the_parties_and_their_relatives_but_not_who_is_protected() {
    let (dir, service) = with_examples();
    let case = case_of(&service, LAWYER_CASE);
    let before = ledger_size(dir.path());
    let network = service
        .context_network(&principal(Role::Officer), &case)
        .expect("an officer may read cases");
    assert!(!network.shows_protection);
    assert!(network.nodes.iter().all(|n| n.protected.is_none()));

    // The three parties, as the memo names them: their records and the party numbers.
    let lawyer = node(&network, "Aliya Zhaksybekova");
    assert_eq!(lawyer.parties, [0]);
    assert_eq!(lawyer.hops, 0);
    assert_eq!(
        (lawyer.record.as_deref(), lawyer.source),
        (Some("R-1001"), Some("registry"))
    );
    assert_eq!(node(&network, "Timur Jaksybekov").parties, [1]);
    assert_eq!(node(&network, "Nurlan Kasymov").parties, [2]);

    // The son's wife is in the registry but no party: a neutral person, with her relation.
    let wife = node(&network, "Madina Jaksybekova");
    assert_eq!(wife.hops, 1);
    assert!(wife.parties.is_empty());
    assert_eq!((wife.record.as_deref(), wife.source), (None, None));
    let son = node(&network, "Timur Jaksybekov");
    assert!(
        network.edges.iter().any(|e| {
            [e.from.as_str(), e.to.as_str()] == [son.key.as_str(), wife.key.as_str()]
                || [e.from.as_str(), e.to.as_str()] == [wife.key.as_str(), son.key.as_str()]
        }),
        "{:#?}",
        network.edges
    );
    // A context relative is as neutral: the two cannot be told apart.
    let brother = node(&network, "Daniyar Zhaksybekov");
    assert_eq!((brother.record.as_deref(), brother.source), (None, None));
    assert_eq!(brother.findings.len(), 2, "{brother:#?}");

    let json = serde_json::to_string(&network).expect("serialises");
    assert!(!json.contains("R-1023"), "{json}");
    assert!(!json.contains("C-20"), "{json}");
    assert!(!json.contains("protected"), "{json}");
    assert_eq!(
        ledger_size(dir.path()),
        before,
        "nothing disclosed, nothing logged"
    );
}

#[test]
fn a_registry_relative_of_a_context_party_is_a_neutral_person_to_an_officer() {
    let (_dir, service) = with_examples();
    let case = case_of(&service, SISTER_CASE);
    for role in [Role::Officer, Role::Judge, Role::Police, Role::Auditor] {
        let network = service
            .context_network(&principal(role), &case)
            .expect("may read cases");
        let sister = node(&network, "Dana Kasymova");
        assert_eq!(sister.parties, [0]);
        assert_eq!(sister.source, Some("context"));
        // Her sister the lawyer, and the lawyer's son two hops away, are registry records.
        let lawyer = node(&network, "Aliya Zhaksybekova");
        assert_eq!((lawyer.hops, lawyer.record.as_deref()), (1, None));
        assert_eq!(node(&network, "Timur Jaksybekov").hops, 2);
        let json = serde_json::to_string(&network).expect("serialises");
        assert!(!json.contains("R-10"), "{role:?}: {json}");
        assert!(!json.contains("registry"), "{role:?}: {json}");
        assert!(!json.contains("protected"), "{role:?}: {json}");
        assert!(
            network.edges.iter().any(|e| e.words
                == "Aliya Zhaksybekova is Dana Kasymova's sibling"
                || e.words == "Dana Kasymova is Aliya Zhaksybekova's sibling"),
            "{:#?}",
            network.edges
        );
    }
}

#[test]
fn the_asylum_liaison_sees_who_is_protected_and_the_read_is_logged() {
    let (dir, service) = with_examples();
    let case = case_of(&service, SISTER_CASE);
    let before = ledger_size(dir.path());
    let network = service
        .context_network(&principal(Role::AsylumLiaison), &case)
        .expect("the liaison may read cases");
    assert!(network.shows_protection);
    let lawyer = node(&network, "Aliya Zhaksybekova");
    assert_eq!(lawyer.protected, Some(true));
    assert_eq!(lawyer.record.as_deref(), Some("R-1001"));
    assert_eq!(node(&network, "Dana Kasymova").protected, Some(false));
    assert_eq!(node(&network, "Daniyar Zhaksybekov").protected, Some(false));
    let protected: Vec<&str> = network
        .nodes
        .iter()
        .filter(|n| n.protected == Some(true))
        .filter_map(|n| n.record.as_deref())
        .collect();
    assert!(protected.len() >= 2, "{protected:?}");

    let entries = entries_since(dir.path(), before);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0].starts_with(&format!(
            "read_protected by asylum-liaison (asylum_liaison): case:{case} registry:"
        )),
        "{entries:?}"
    );
    for record in protected {
        assert!(
            entries[0].contains(&format!("registry:{record}")),
            "{record}: {entries:?}"
        );
    }
}

#[test]
fn the_network_is_stable_and_each_relation_is_drawn_once() {
    let (_dir, service) = with_examples();
    let case = case_of(&service, LAWYER_CASE);
    let officer = principal(Role::Officer);
    let first = service.context_network(&officer, &case).expect("reads");
    let second = service.context_network(&officer, &case).expect("reads");
    assert_eq!(first, second);
    assert_eq!(first.left_out, 0);
    assert!(!first.is_cut());
    // The parties first, in party order; every node at most two hops out.
    let parties: Vec<&[usize]> = first.nodes[..3].iter().map(|n| &n.parties[..]).collect();
    assert_eq!(parties, [&[0][..], &[1], &[2]]);
    assert!(first.nodes.iter().all(|n| n.hops <= 2));
    let mut pairs: Vec<(String, String)> = first
        .edges
        .iter()
        .map(|e| {
            let mut pair = [e.from.clone(), e.to.clone()];
            pair.sort();
            (pair[0].clone(), pair[1].clone())
        })
        .collect();
    let all = pairs.len();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), all, "{:#?}", first.edges);
    // The lawyer's son seen from her record and her seen from his are one relation.
    let lawyer = node(&first, "Aliya Zhaksybekova");
    let son = node(&first, "Timur Jaksybekov");
    let between: Vec<&str> = first
        .edges
        .iter()
        .filter(|e| {
            (e.from == lawyer.key && e.to == son.key) || (e.from == son.key && e.to == lawyer.key)
        })
        .map(|e| e.words.as_str())
        .collect();
    assert!(
        between == ["Timur Jaksybekov is Aliya Zhaksybekova's child"]
            || between == ["Aliya Zhaksybekova is Timur Jaksybekov's parent"],
        "{between:?}"
    );
}

#[test]
fn a_role_that_may_not_read_cases_gets_no_network() {
    let (dir, service) = with_examples();
    let case = case_of(&service, LAWYER_CASE);
    let before = ledger_size(dir.path());
    match service.context_network(&principal(Role::Admin), &case) {
        Err(AppError::Forbidden { role, action }) => {
            assert_eq!((role, action), ("admin", "read_case"));
        }
        other => panic!("expected forbidden, got {other:?}"),
    }
    assert!(matches!(
        service.context_network(&principal(Role::Officer), "case-999999"),
        Err(AppError::NotFound(_))
    ));
    assert_eq!(ledger_size(dir.path()), before);
}
