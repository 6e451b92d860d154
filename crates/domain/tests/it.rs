//! Integration tests of haven-domain: table-driven parser cases (one line each), value types,
//! FollowTheMoney conversion, and a property test of `PartialDate`.

use haven_domain::ftm::Converter;
use haven_domain::{
    ContextRecord, CountryCode, DateMatch, Format, Gender, Lines, PartialDate, PersonId, Precision,
    RelationKind, detect_format, parse_context_line, parse_registry_line,
};
use proptest::prelude::*;

const GOOD_REGISTRY: &str = r#"{"id": "R-1001", "names": ["Aigerim Bekova", "Бекова Айгерим"], "birth_date": "1971-03-02", "nationalities": ["kz"], "gender": "f", "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013-10-01", "against": ["kz"]}, "roles": ["lawyer"], "relations": [{"kind": "child", "to": "R-1002"}]}"#;

/// A registry line with one field replaced (or removed, with `None`).
fn registry_with(field: &str, value: Option<&str>) -> String {
    let mut v: serde_json::Value = serde_json::from_str(GOOD_REGISTRY).expect("valid JSON");
    let map = v.as_object_mut().expect("object");
    match value {
        Some(value) => {
            map.insert(
                field.into(),
                serde_json::from_str(value).expect("valid JSON"),
            );
        }
        None => {
            map.remove(field);
        }
    }
    v.to_string()
}

fn check_registry(line: &str, expected: &str) {
    let got = match parse_registry_line(line) {
        Ok(_) => "ok".to_owned(),
        Err(err) => err.to_string(),
    };
    assert_eq!(got, expected, "line: {line}");
}

#[test]
fn registry_line_parses() {
    let p = parse_registry_line(GOOD_REGISTRY).expect("valid");
    assert_eq!(p.id.as_str(), "R-1001");
    assert_eq!(p.names.len(), 2);
    assert_eq!(
        p.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1971-03-02")
    );
    assert_eq!(p.gender, Some(Gender::Female));
    assert_eq!(p.protection.against[0].as_str(), "kz");
    assert_eq!(p.relations[0].kind, RelationKind::Child);
    // Canonical JSON round-trips.
    let json = serde_json::to_string(&p).expect("serialises");
    assert_eq!(parse_registry_line(&json).expect("re-parses"), p);
}

#[test]
fn registry_errors_name_the_field() {
    let cases: &[(String, &str)] = &[
        (
            "{\"id\": ".into(),
            "not valid JSON: EOF while parsing a value at column 7",
        ),
        ("[1, 2]".into(), "expected a JSON object, found an array"),
        (
            registry_with("birth_date", Some(r#""1971-13-02""#)),
            r#"birth_date: "1971-13-02" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
        ),
        (
            registry_with("birth_date", Some(r#""1971-02-30""#)),
            r#"birth_date: "1971-02-30" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
        ),
        (
            registry_with("birth_date", Some(r#""71""#)),
            r#"birth_date: "71" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
        ),
        (registry_with("id", None), "missing field `id`"),
        (
            registry_with("id", Some(r#""R 1001""#)),
            r#"id: "R 1001" contains whitespace; ids are single tokens"#,
        ),
        (
            registry_with("id", Some(r#""""#)),
            "id: an id may not be empty",
        ),
        (
            registry_with("names", Some("[]")),
            "names: at least one name is required",
        ),
        (
            registry_with("names", Some(r#"["  "]"#)),
            "names[0]: a name may not be empty",
        ),
        (
            registry_with("nickname", Some(r#""Aika""#)),
            "unknown field `nickname`, expected one of `id`, `names`, `birth_date`, `nationalities`, `gender`, `protection`, `roles`, `relations`",
        ),
        (
            registry_with("nationalities", Some(r#"["kz", "zz"]"#)),
            r#"nationalities[1]: "zz" is not an assigned ISO 3166-1 alpha-2 country code"#,
        ),
        (
            registry_with("nationalities", Some(r#"["kaz"]"#)),
            r#"nationalities[0]: "kaz" is not a country code (two letters, ISO 3166-1 alpha-2, e.g. "kz")"#,
        ),
        (
            registry_with("gender", Some(r#""female""#)),
            "gender: unknown variant `female`, expected one of `f`, `m`, `x`",
        ),
        (
            registry_with("roles", Some(r#"["priest"]"#)),
            "roles[0]: unknown variant `priest`, expected one of `lawyer`, `journalist`, `human_rights_defender`, `minor`, `political_opponent`",
        ),
        (
            registry_with("relations", Some(r#"[{"kind": "cousin", "to": "R-2"}]"#)),
            "relations[0].kind: unknown variant `cousin`, expected one of `child`, `parent`, `sibling`, `spouse`, `household`, `client`, `counsel`, `associate`, `member_of`, `relative`",
        ),
        (
            registry_with(
                "relations",
                Some(r#"[{"kind": "child", "to": "R-2", "since": "2001"}]"#),
            ),
            "relations[0]: unknown field `since`, expected `kind` or `to`",
        ),
        (
            registry_with("relations", Some(r#"[{"kind": "child", "to": "R-1001"}]"#)),
            r#"relations[0].to: "R-1001" is the person's own id"#,
        ),
        (
            registry_with("protection", None),
            "missing field `protection`",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "be", "granted_on": "2013", "against": []}"#,
                ),
            ),
            "protection.against: at least one state the person is protected against is required",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "granted", "granted_by": "be", "granted_on": "2013", "against": ["kz"]}"#,
                ),
            ),
            "protection.status: unknown variant `granted`, expected one of `refugee`, `subsidiary`, `asylum_seeker`, `temporary`",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "BEL", "granted_on": "2013", "against": ["kz"]}"#,
                ),
            ),
            r#"protection.granted_by: "BEL" is not a country code (two letters, ISO 3166-1 alpha-2, e.g. "kz")"#,
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "be", "granted_on": "2013-1-1", "against": ["kz"]}"#,
                ),
            ),
            r#"protection.granted_on: "2013-1-1" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "be", "granted_on": "2013", "against": ["kz"], "grounds": "x"}"#,
                ),
            ),
            "protection: unknown field `grounds`, expected one of `status`, `granted_by`, `granted_on`, `applied_on`, `against`",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "asylum_seeker", "granted_by": "be", "applied_on": "2023-05", "against": ["ru"]}"#,
                ),
            ),
            "ok",
        ),
        (
            registry_with(
                "protection",
                Some(r#"{"status": "asylum_seeker", "granted_by": "be", "against": ["ru"]}"#),
            ),
            "ok",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "asylum_seeker", "granted_by": "be", "granted_on": "2023", "against": ["ru"]}"#,
                ),
            ),
            "protection: granted_on: an asylum seeker has been granted nothing yet; give the application date as applied_on",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "subsidiary", "granted_by": "be", "applied_on": "2020", "against": ["sy"]}"#,
                ),
            ),
            "protection: granted_on: required for the granted status subsidiary",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "be", "applied_on": "2012-11", "granted_on": "2013-10-01", "against": ["kz"]}"#,
                ),
            ),
            "ok",
        ),
        (
            registry_with(
                "protection",
                Some(
                    r#"{"status": "refugee", "granted_by": "be", "applied_on": "2014", "granted_on": "2013-10-01", "against": ["kz"]}"#,
                ),
            ),
            "protection: applied_on: 2014 is after granted_on 2013-10-01",
        ),
        (
            registry_with("birth_date", Some("1971")),
            "birth_date: invalid type: integer `1971`, expected a string",
        ),
    ];
    for (line, expected) in cases {
        check_registry(line, expected);
    }
    // The field is available as data, not only in the message.
    let err = parse_registry_line(&registry_with("birth_date", Some(r#""1971-13-02""#)))
        .expect_err("invalid");
    assert_eq!(err.field_name(), Some("birth_date"));
}

#[test]
fn upper_case_country_codes_are_stored_lower_case() {
    let p = parse_registry_line(&registry_with("nationalities", Some(r#"["KZ", "Ru"]"#)))
        .expect("valid");
    let codes: Vec<&str> = p.nationalities.iter().map(CountryCode::as_str).collect();
    assert_eq!(codes, ["kz", "ru"]);
}

fn check_context(line: &str, expected: &str) {
    let got = match parse_context_line(line) {
        Ok(ContextRecord::Person(p)) => format!("person {}", p.id),
        Ok(ContextRecord::Finding(f)) => format!("finding {} about {}", f.id, f.about),
        Ok(ContextRecord::StateProfile(s)) => format!("state_profile {} {:?}", s.state, s.risk),
        Err(err) => err.to_string(),
    };
    assert_eq!(got, expected, "line: {line}");
}

#[test]
fn context_lines() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"kind": "person", "id": "C-7", "names": ["Arman Bekov"], "birth_date": "1975", "nationalities": ["kz"], "roles": ["political_opponent"], "relations": [{"kind": "sibling", "to": "R-1001"}]}"#,
            "person C-7",
        ),
        (
            r#"{"kind": "finding", "id": "F-3", "about": "C-7", "type": "interpol_notice_deleted", "state": "kz", "date": "2018-05-01", "summary": "Red notice deleted under Art 3.", "source": "CCF decision 2018/12"}"#,
            "finding F-3 about C-7",
        ),
        (
            r#"{"kind": "state_profile", "state": "KZ", "risk": "high", "summary": "Documented misuse.", "sources": ["https://example.org/report"]}"#,
            "state_profile kz High",
        ),
        (
            r#"{"id": "C-7", "names": ["A"]}"#,
            "kind: missing (person, finding or state_profile)",
        ),
        (
            r#"{"kind": 3, "id": "C-7"}"#,
            "kind: expected a string (person, finding or state_profile), found a number",
        ),
        (
            r#"{"kind": "organisation", "id": "C-7"}"#,
            r#"kind: "organisation" is not a context record kind (person, finding or state_profile)"#,
        ),
        (
            r#"{"kind": "person", "id": "C-7", "names": ["A"], "protection": {}}"#,
            "unknown field `protection`, expected one of `id`, `names`, `birth_date`, `nationalities`, `gender`, `roles`, `relations`",
        ),
        (
            r#"{"kind": "finding", "id": "F-3", "about": "C-7", "type": "rumour", "state": "kz", "summary": "s", "source": "s"}"#,
            "type: unknown variant `rumour`, expected one of `interpol_notice_deleted`, `un_arbitrary_detention_opinion`, `extradition_refused_political`, `recognised_political_prisoner`, `court_found_political_motive`, `transnational_repression_incident`",
        ),
        (
            r#"{"kind": "finding", "id": "F-3", "about": "C-7", "type": "interpol_notice_deleted", "state": "kz", "summary": "s", "source": " "}"#,
            "source: may not be empty",
        ),
        (
            r#"{"kind": "finding", "id": "F-3", "about": "C-7", "type": "interpol_notice_deleted", "state": "kz", "date": "2018-00", "summary": "s", "source": "s"}"#,
            r#"date: "2018-00" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
        ),
        (
            r#"{"kind": "state_profile", "state": "kz", "risk": "extreme", "summary": "s", "sources": ["s"]}"#,
            "risk: unknown variant `extreme`, expected one of `low`, `medium`, `high`, `very_high`",
        ),
        (
            r#"{"kind": "state_profile", "state": "kz", "risk": "high", "summary": "s", "sources": []}"#,
            "sources: at least one source is required",
        ),
    ];
    for (line, expected) in cases {
        check_context(line, expected);
    }
}

#[test]
fn partial_dates() {
    let d = |s: &str| PartialDate::parse(s).expect("valid date");
    assert_eq!(d("1971").precision(), Precision::Year);
    assert_eq!(d("1971-03").precision(), Precision::Month);
    assert_eq!(d("2000-02-29").precision(), Precision::Day);
    for bad in [
        "1900-02-29",
        "1971-13",
        "1971-04-31",
        "0000",
        "19711",
        "1971-3",
        "1971-03-02-01",
        "",
        "1971-",
        "+971",
    ] {
        assert!(PartialDate::parse(bad).is_err(), "{bad} should be rejected");
    }
    assert!(
        d("1971") < d("1971-01") && d("1971-01") < d("1971-01-01") && d("1971-12-31") < d("1972")
    );
    let cases = [
        ("1971-03-02", "1971-03-02", DateMatch::Exact),
        ("1971", "1971-03-02", DateMatch::Compatible),
        ("1971-03", "1971-03-02", DateMatch::Compatible),
        ("1971-03-02", "1971-02-03", DateMatch::Swapped),
        ("1971-03-02", "1971-03-03", DateMatch::Mismatch),
        ("1971-04", "1971-03-02", DateMatch::Mismatch),
        ("1971", "1972", DateMatch::Mismatch),
    ];
    for (a, b, expected) in cases {
        assert_eq!(d(a).compare(&d(b)), expected, "{a} vs {b}");
        assert_eq!(d(b).compare(&d(a)), expected, "{b} vs {a}");
    }
    assert!(d("1971").is_compatible(&d("1971-03-02")));
    assert!(!d("1971-03-02").is_compatible(&d("1971-02-03")));
    assert_eq!(
        PartialDate::parse_date_prefix("1971-03-02T00:00:00Z").map(|d| d.to_string()),
        Ok("1971-03-02".to_owned())
    );
}

proptest! {
    #[test]
    fn partial_date_display_then_parse_is_identity(
        year in 1u16..=9999, month in proptest::option::of(1u8..=12), day in 1u8..=31, with_day: bool
    ) {
        let day = (with_day && month.is_some()).then_some(day);
        if let Ok(date) = PartialDate::from_parts(year, month, day) {
            let text = date.to_string();
            prop_assert_eq!(PartialDate::parse(&text), Ok(date));
        }
    }

    #[test]
    fn partial_date_parse_then_display_is_identity(s in "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?") {
        if let Ok(date) = PartialDate::parse(&s) {
            prop_assert_eq!(date.to_string(), s);
        }
    }
}

#[test]
fn relation_inverses() {
    for kind in RelationKind::ALL {
        assert_eq!(kind.inverse().inverse(), kind, "{kind}");
        assert_eq!(RelationKind::parse(kind.as_str()), Ok(kind));
    }
    assert_eq!(RelationKind::Child.inverse(), RelationKind::Parent);
    assert_eq!(RelationKind::Client.inverse(), RelationKind::Counsel);
    assert_eq!(RelationKind::Sibling.inverse(), RelationKind::Sibling);
}

#[test]
fn ids_and_countries() {
    assert!(PersonId::parse("x".repeat(128)).is_ok());
    assert_eq!(
        PersonId::parse("x".repeat(129)).map_err(|e| e.to_string()),
        Err(format!(
            "{:?} is longer than 128 characters",
            "x".repeat(129)
        ))
    );
    assert_eq!(CountryCode::parse("XK").map(|c| c.as_str()), Ok("xk"));
    assert!(CountryCode::parse("uk").is_err());
    assert_eq!(CountryCode::all().count(), 250);
}

#[test]
fn lines_are_numbered_and_formats_detected() {
    let mut input = "\u{feff}{\"a\": 1}\r\n\n  \n{\"b\": 2}\n"
        .as_bytes()
        .to_vec();
    input.extend_from_slice(b"\xff\n");
    let lines: Vec<_> = Lines::new(&input[..])
        .map(|l| l.expect("readable"))
        .collect();
    let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
    assert_eq!(numbers, [1, 4, 5]);
    assert_eq!(lines[0].text(), Ok("{\"a\": 1}"));
    assert!(lines[2].text().is_err());
    assert_eq!(
        detect_format(r#"{"id": "x", "schema": "Person", "properties": {}}"#),
        Format::FollowTheMoney
    );
    assert_eq!(detect_format(GOOD_REGISTRY), Format::HavenJsonLines);
    assert_eq!(detect_format("not json"), Format::HavenJsonLines);
}

#[test]
fn followthemoney_entities_become_context_persons() {
    let lines = [
        r#"{"id": "p1", "schema": "Person", "caption": "Aigerim Bekova", "datasets": ["x"], "properties": {"name": ["Aigerim Bekova"], "alias": ["Бекова Айгерим"], "birthDate": ["1971-03-02T00:00:00"], "nationality": ["kz", "suhh"], "gender": ["female"], "topics": ["role.lawyer", "sanction"], "address": ["Almaty"]}}"#,
        r#"{"id": "p2", "schema": "Person", "properties": {"firstName": ["Arman"], "lastName": ["Bekov"], "citizenship": ["KZ"], "gender": ["male"]}}"#,
        r#"{"id": "f1", "schema": "Family", "properties": {"person": ["p1"], "relative": ["p2"], "relationship": ["son"]}}"#,
        r#"{"id": "a1", "schema": "Associate", "properties": {"person": ["p2"], "associate": ["p1"]}}"#,
        r#"{"id": "o1", "schema": "Organization", "properties": {"name": ["Party"]}}"#,
        r#"{"id": "m1", "schema": "Membership", "properties": {"member": ["p1"], "organization": ["o1"]}}"#,
        r#"{"id": "f2", "schema": "Family", "properties": {"person": ["p9"], "relative": ["p1"], "relationship": ["uncle"]}}"#,
        r#"{"id": "p3", "schema": "Person", "properties": {"birthDate": ["1971"]}}"#,
        r#"{"id": "p4", "schema": "Person", "properties": {"name": ["X"], "birthDate": ["03/02/1971"]}}"#,
        r#"{"schema": "Person", "properties": {"name": ["X"]}}"#,
    ];
    let mut conv = Converter::new();
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Err(err) = conv.push(i + 1, line) {
            errors.push(format!("line {}: {err}", i + 1));
        }
    }
    assert_eq!(
        errors,
        [
            "line 8: properties.name: a Person needs a name (name, alias, weakAlias or firstName/lastName)",
            r#"line 9: properties.birthDate: "03/02/1971" is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a timestamp)"#,
            "line 10: id: missing",
        ]
    );
    let out = conv.finish();
    let rejects: Vec<String> = out
        .rejects
        .iter()
        .map(|r| format!("line {}: {}", r.line, r.value))
        .collect();
    assert_eq!(
        rejects,
        [r#"line 7: properties: Family: "p9" is not a Person entity in this file"#]
    );
    assert_eq!(out.skipped.get("Organization"), Some(&1));
    assert_eq!(
        out.skipped.get("Membership (to a non-person entity)"),
        Some(&1)
    );
    let p1 = &out.persons[0].value;
    assert_eq!(
        p1.names.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        ["Aigerim Bekova", "Бекова Айгерим"]
    );
    assert_eq!(
        p1.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1971-03-02")
    );
    assert_eq!(
        p1.nationalities
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["kz"]
    );
    assert_eq!(p1.gender, Some(Gender::Female));
    assert_eq!(p1.relations.len(), 1);
    assert_eq!(
        (p1.relations[0].kind, p1.relations[0].to.as_str()),
        (RelationKind::Child, "p2")
    );
    let p2 = &out.persons[1].value;
    assert_eq!(p2.names[0].as_str(), "Arman Bekov");
    assert_eq!(p2.relations[0].kind, RelationKind::Associate);
    assert_eq!(out.persons[1].line, 2);
}
