//! Evidence beside the name — birth date, nationality, gender — and how it combines with the
//! name score into the final score.
//!
//! The formula, in one place:
//!
//! ```text
//! evidence = date + nationality + gender          (a signed sum; 0 when nothing is given)
//! score    = clamp(name + EVIDENCE_WEIGHT × evidence, 0, 1)      EVIDENCE_WEIGHT = 0.15 / 0.85
//! ```
//!
//! | evidence | term |
//! |---|---|
//! | birth date identical to the day | +0.40 |
//! | compatible (same year; month and day agree where both give them) | +0.25 |
//! | day and month swapped (02-03 against 03-02) | +0.20 |
//! | year one apart, months and days not contradicting | +0.05 |
//! | conflicting | −0.30 |
//! | a nationality in common | +0.10 |
//! | nationalities given on both sides, none in common | −0.10 |
//! | genders given on both sides and different | −0.20 |
//!
//! Nothing given on a side counts 0, so **missing evidence leaves the name's score as it is**: a
//! 0.85 name with no birth date scores 0.85 (an earlier formula blended the name with a neutral
//! 0.5 and pulled it to 0.80, below a caller's threshold). Agreeing evidence raises the score,
//! contradicting evidence lowers it: a 0.90 name with an identical birth date and a nationality
//! in common scores 0.99, with a conflicting date 0.85. A perfect name stays 1.0 with agreeing
//! evidence (the clamp), so among namesakes the ranking compares the evidence itself (`rank`):
//! score, then evidence, then id. Whether the evidence contradicts the name being the same person
//! at all is a separate, coarser rule: [`tier`].

use std::fmt::Write as _;

use haven_names::Tier;

use crate::record::{BirthDate, Gender};

/// How much one unit of evidence moves the name score. 0.15 / 0.85 keeps the ranking of the
/// previous blend (`0.85 × name + 0.15 × (0.5 + evidence)`), on which the candidate benchmarks
/// (`examples/bench_index.rs`, `examples/bench_yente.rs`) were tuned: the relative weight of
/// name and evidence is unchanged, only the neutral 0.5 is gone.
pub const EVIDENCE_WEIGHT: f32 = 0.15 / 0.85;

/// How two birth dates relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateEvidence {
    /// Not given on one side or both.
    Unknown,
    Identical,
    /// Same year, no contradiction, at least one side partial.
    Compatible,
    SwappedDayMonth,
    YearOff,
    Conflicting,
}

impl DateEvidence {
    pub fn term(self) -> f32 {
        match self {
            DateEvidence::Unknown => 0.0,
            DateEvidence::Identical => 0.40,
            DateEvidence::Compatible => 0.25,
            DateEvidence::SwappedDayMonth => 0.20,
            DateEvidence::YearOff => 0.05,
            DateEvidence::Conflicting => -0.30,
        }
    }
}

pub fn compare_dates(query: Option<BirthDate>, record: Option<BirthDate>) -> DateEvidence {
    let (Some(q), Some(r)) = (query, record) else {
        return DateEvidence::Unknown;
    };
    let agree = |a: Option<u8>, b: Option<u8>| match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let months_days_agree = agree(q.month, r.month) && agree(q.day, r.day);
    if q.year == r.year {
        if months_days_agree {
            if q == r && q.day.is_some() {
                return DateEvidence::Identical;
            }
            return DateEvidence::Compatible;
        }
        if let (Some(qm), Some(qd), Some(rm), Some(rd)) = (q.month, q.day, r.month, r.day)
            && qm == rd
            && qd == rm
        {
            return DateEvidence::SwappedDayMonth;
        }
        return DateEvidence::Conflicting;
    }
    if q.year.abs_diff(r.year) == 1 && months_days_agree {
        return DateEvidence::YearOff;
    }
    DateEvidence::Conflicting
}

/// The evidence of one query against one record, with its account.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub date: DateEvidence,
    /// `Some(true)` a nationality in common, `Some(false)` both given and disjoint.
    pub nationality: Option<bool>,
    pub gender_conflict: bool,
    /// The signed sum of the terms in the table above: 0 when nothing can be compared,
    /// positive when the evidence agrees, negative when it contradicts.
    pub value: f32,
}

pub fn evidence(
    query_date: Option<BirthDate>,
    record_date: Option<BirthDate>,
    query_nat: &[u16],
    record_nat: &[u16],
    query_gender: Option<Gender>,
    record_gender: Option<Gender>,
) -> Evidence {
    let date = compare_dates(query_date, record_date);
    let nationality = (!query_nat.is_empty() && !record_nat.is_empty())
        .then(|| query_nat.iter().any(|n| record_nat.contains(n)));
    let gender_conflict = matches!((query_gender, record_gender), (Some(a), Some(b)) if a != b);
    let mut value = date.term();
    value += match nationality {
        Some(true) => 0.10,
        Some(false) => -0.10,
        None => 0.0,
    };
    if gender_conflict {
        value -= 0.20;
    }
    Evidence {
        date,
        nationality,
        gender_conflict,
        value,
    }
}

/// The one rule on whether the evidence beside a name contradicts it being the same person,
/// used by the index and by assessment alike. Missing evidence never lowers a tier; a birth
/// date that conflicts (years more than one apart, or the same year with another month or day)
/// lowers it one step; a conflicting date together with a further contradiction (no
/// nationality in common, another gender) lowers it two steps.
pub fn tier(name_tier: Tier, evidence: &Evidence) -> Tier {
    let mut contradictions = 0;
    if evidence.date == DateEvidence::Conflicting {
        contradictions += 1;
        if evidence.nationality == Some(false) || evidence.gender_conflict {
            contradictions += 1;
        }
    }
    let mut tier = name_tier;
    for _ in 0..contradictions {
        tier = match tier {
            Tier::Match => Tier::Possible,
            Tier::Possible | Tier::None => Tier::None,
        };
    }
    tier
}

/// The final score from the name score and the evidence: the name's score when there is no
/// evidence, raised by agreeing and lowered by contradicting evidence, in [0, 1].
pub fn combine(name: f32, evidence: &Evidence) -> f32 {
    rank(name, evidence).clamp(0.0, 1.0)
}

/// The same sum unclamped: what matches are ordered by, so that a perfect name with an
/// identical birth date ranks above a perfect name with nothing else although both score 1.0.
pub fn rank(name: f32, evidence: &Evidence) -> f32 {
    name + EVIDENCE_WEIGHT * evidence.value
}

/// "birth date 1971 agrees with 1971-03-02; nationality kz agrees; gender differs (f/m)".
#[allow(clippy::too_many_arguments)]
pub fn describe(
    out: &mut String,
    ev: &Evidence,
    query_date: Option<BirthDate>,
    record_date: Option<BirthDate>,
    query_nat: &[String],
    record_nat: &[String],
    query_gender: Option<Gender>,
    record_gender: Option<Gender>,
) {
    match (query_date, record_date) {
        (Some(q), Some(r)) => {
            let how = match ev.date {
                DateEvidence::Identical => "is identical to",
                DateEvidence::Compatible => "agrees with",
                DateEvidence::SwappedDayMonth => "has day and month swapped against",
                DateEvidence::YearOff => "is one year off",
                DateEvidence::Conflicting => "conflicts with",
                DateEvidence::Unknown => "cannot be compared with",
            };
            let _ = write!(out, "birth date {q} {how} {r}");
        }
        (Some(q), None) => {
            let _ = write!(out, "birth date {q} not on record");
        }
        (None, Some(r)) => {
            let _ = write!(out, "no birth date in the query (record: {r})");
        }
        (None, None) => out.push_str("no birth dates"),
    }
    match ev.nationality {
        Some(true) => {
            let common: Vec<&str> = query_nat
                .iter()
                .filter(|n| record_nat.contains(n))
                .map(String::as_str)
                .collect();
            let _ = write!(out, "; nationality {} agrees", common.join(", "));
        }
        Some(false) => {
            let _ = write!(
                out,
                "; nationality {} differs from {}",
                query_nat.join(", "),
                record_nat.join(", ")
            );
        }
        None => {}
    }
    if let (Some(q), Some(r)) = (query_gender, record_gender) {
        if q == r {
            let _ = write!(out, "; gender {} agrees", q.label());
        } else {
            let _ = write!(out, "; gender differs ({}/{})", q.label(), r.label());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<BirthDate> {
        BirthDate::parse(text)
    }

    /// (query date, record date, query nationalities, record nationalities, genders differ)
    type Given<'a> = (Option<&'a str>, Option<&'a str>, &'a [u16], &'a [u16], bool);

    fn ev((qd, rd, qn, rn, gender_differs): Given<'_>) -> Evidence {
        let (qg, rg) = if gender_differs {
            (Some(Gender::Female), Some(Gender::Male))
        } else {
            (None, Some(Gender::Male))
        };
        evidence(qd.and_then(d), rd.and_then(d), qn, rn, qg, rg)
    }

    const KZ: u16 = 0x6b7a;
    const RU: u16 = 0x7275;

    #[test]
    fn missing_evidence_leaves_the_name_alone_and_only_contradiction_lowers_it() {
        // (evidence, name score, expected score)
        let cases: &[(Given<'_>, f32, f32)] = &[
            // Nothing on one side or both: the name's own score, whatever it is.
            ((None, None, &[], &[], false), 0.85, 0.85),
            ((None, Some("1971"), &[KZ], &[], false), 0.85, 0.85),
            ((Some("1971"), None, &[], &[KZ], false), 1.0, 1.0),
            ((None, None, &[], &[], false), 0.55, 0.55),
            // Agreement raises (never above 1).
            (
                (Some("1971-03-02"), Some("1971-03-02"), &[KZ], &[KZ], false),
                0.90,
                0.988,
            ),
            (
                (Some("1971"), Some("1971-03-02"), &[], &[], false),
                0.85,
                0.894,
            ),
            ((Some("1972"), Some("1971"), &[], &[], false), 0.85, 0.859),
            (
                (Some("1971-03-02"), Some("1971-03-02"), &[KZ], &[KZ], false),
                1.0,
                1.0,
            ),
            // Contradiction lowers.
            ((Some("1990"), Some("1971"), &[], &[], false), 0.90, 0.847),
            ((None, None, &[KZ], &[RU], false), 0.90, 0.882),
            ((None, None, &[], &[], true), 0.90, 0.865),
            (
                (Some("1990"), Some("1971"), &[KZ], &[RU], true),
                0.90,
                0.794,
            ),
        ];
        for &(given, name, expected) in cases {
            let e = ev(given);
            let got = combine(name, &e);
            assert!(
                (got - expected).abs() < 0.001,
                "{given:?} name {name}: {got} ≠ {expected} ({e:?})"
            );
            assert!(
                rank(name, &e) >= got || got == 0.0,
                "rank is the unclamped score"
            );
        }
    }

    #[test]
    fn evidence_orders_perfect_namesakes_although_both_score_one() {
        let with = ev((Some("1971-03-02"), Some("1971-03-02"), &[], &[], false));
        let without = ev((None, Some("1971-03-02"), &[], &[], false));
        assert_eq!(combine(1.0, &with), combine(1.0, &without));
        assert!(rank(1.0, &with) > rank(1.0, &without));
    }

    #[test]
    fn one_same_person_rule() {
        use Tier::{Match, Possible};
        // (evidence, name tier, expected tier)
        let cases: &[(Given<'_>, Tier, Tier)] = &[
            // Missing evidence never lowers.
            ((None, None, &[], &[], false), Match, Match),
            ((None, Some("1971"), &[], &[KZ], false), Possible, Possible),
            // Agreeing or near evidence neither.
            (
                (Some("1971"), Some("1971-03-02"), &[KZ], &[KZ], false),
                Match,
                Match,
            ),
            ((Some("1972"), Some("1971"), &[], &[], false), Match, Match),
            (
                (Some("1971-02-03"), Some("1971-03-02"), &[], &[], false),
                Match,
                Match,
            ),
            // Nationality or gender alone do not contradict a person (dual citizens, records
            // with errors): only with a conflicting date.
            ((None, None, &[KZ], &[RU], true), Match, Match),
            // A conflicting date: one step.
            (
                (Some("1990"), Some("1971"), &[], &[], false),
                Match,
                Possible,
            ),
            (
                (Some("1971-04-02"), Some("1971-03-02"), &[], &[], false),
                Possible,
                Tier::None,
            ),
            // A conflicting date and a further contradiction: two steps.
            (
                (Some("1990"), Some("1971"), &[KZ], &[RU], false),
                Match,
                Tier::None,
            ),
            (
                (Some("1990"), Some("1971"), &[], &[], true),
                Match,
                Tier::None,
            ),
            (
                (Some("1990"), Some("1971"), &[KZ], &[KZ], false),
                Match,
                Possible,
            ),
            // Nothing below None.
            (
                (Some("1990"), Some("1971"), &[KZ], &[RU], true),
                Tier::None,
                Tier::None,
            ),
        ];
        for &(given, name_tier, expected) in cases {
            let e = ev(given);
            assert_eq!(
                tier(name_tier, &e),
                expected,
                "{given:?} {name_tier:?}: {e:?}"
            );
        }
    }
}
