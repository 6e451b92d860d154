//! Evidence beside the name — birth date, nationality, gender — and how it combines with the
//! name score into the final score.
//!
//! The formula, in one place:
//!
//! ```text
//! evidence = clamp(0.5 + date + nationality + gender, 0, 1)
//! score    = 0.85 × name + 0.15 × evidence
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
//! Nothing given on a side counts 0. The name dominates: a perfect name with nothing else
//! scores 0.925, with an identical birth date and nationality 1.0, with a conflicting date
//! 0.88 — a conflicting date lowers a match, it does not hide it (a request may carry a wrong
//! date; missing a protected person is the costly error). Among namesakes, evidence decides.

use std::fmt::Write as _;

use haven_names::Tier;

use crate::record::{BirthDate, Gender};

pub const NAME_WEIGHT: f32 = 0.85;
pub const EVIDENCE_WEIGHT: f32 = 0.15;

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
    let mut value = 0.5 + date.term();
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
        value: value.clamp(0.0, 1.0),
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

/// The final score from the name score and the evidence.
pub fn combine(name: f32, evidence: &Evidence) -> f32 {
    (NAME_WEIGHT * name + EVIDENCE_WEIGHT * evidence.value).clamp(0.0, 1.0)
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
