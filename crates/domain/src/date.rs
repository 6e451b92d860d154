//! Partial dates: a year, a month or a day, as birth dates and grant dates are often known.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// How much of a [`PartialDate`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// `YYYY`.
    Year,
    /// `YYYY-MM`.
    Month,
    /// `YYYY-MM-DD`.
    Day,
}

/// How two partial dates relate, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateMatch {
    /// The same date at the same precision.
    Exact,
    /// They agree on everything both know (`1971` and `1971-03-02`).
    Compatible,
    /// Full dates in the same year whose day and month are swapped (`1971-03-02` and
    /// `1971-02-03`), a common clerical error: weaker evidence than agreement.
    Swapped,
    /// They contradict each other.
    Mismatch,
}

/// A calendar date known to the year, month or day: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (years
/// 0001 to 9999, proleptic Gregorian). Ordered chronologically, a less precise date before the
/// more precise ones it contains (`1971` < `1971-01` < `1971-01-01`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    year: u16,
    // Invariant: `day` is only set when `month` is.
    month: Option<u8>,
    day: Option<u8>,
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the calendar (no 13th month, no
    /// 30 February).
    pub fn parse(value: &str) -> Result<PartialDate, ValueError> {
        let invalid = || {
            ValueError::new(format!(
                "{value:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
            ))
        };
        let mut parts = value.split('-');
        let year = parts.next().filter(|y| y.len() == 4).and_then(digits);
        let month = parts
            .next()
            .map(|m| (m.len() == 2).then(|| digits(m)).flatten());
        let day = parts
            .next()
            .map(|d| (d.len() == 2).then(|| digits(d)).flatten());
        if parts.next().is_some() {
            return Err(invalid());
        }
        let year = year.ok_or_else(invalid)?;
        let month = match month {
            None => None,
            Some(m) => Some(m.ok_or_else(invalid)?),
        };
        let day = match day {
            None => None,
            Some(d) => Some(d.ok_or_else(invalid)?),
        };
        let to_u8 = |n: u16| u8::try_from(n).map_err(|_| invalid());
        PartialDate::from_parts(
            year,
            month.map(to_u8).transpose()?,
            day.map(to_u8).transpose()?,
        )
        .map_err(|_| invalid())
    }

    /// Builds a date from its parts; `day` needs `month`.
    pub fn from_parts(
        year: u16,
        month: Option<u8>,
        day: Option<u8>,
    ) -> Result<PartialDate, ValueError> {
        if !(1..=9999).contains(&year) {
            return Err(ValueError::new(format!("year {year} is outside 0001–9999")));
        }
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(ValueError::new(format!("month {m} is not 1–12")));
        }
        match (month, day) {
            (None, Some(_)) => Err(ValueError::new("a day needs a month")),
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => {
                Err(ValueError::new(format!("{year:04}-{m:02} has no day {d}")))
            }
            _ => Ok(PartialDate { year, month, day }),
        }
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month (1–12), if known.
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// The day of the month, if known.
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// How much is known.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (_, Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            (None, None) => Precision::Year,
        }
    }

    /// How this date relates to `other` as evidence that both describe the same birth (or
    /// grant): exact, compatible at the precision both have, day and month swapped, or not.
    pub fn compare(&self, other: &PartialDate) -> DateMatch {
        if self.year != other.year {
            return DateMatch::Mismatch;
        }
        let agree = |a: Option<u8>, b: Option<u8>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if agree(self.month, other.month) && agree(self.day, other.day) {
            return if self == other {
                DateMatch::Exact
            } else {
                DateMatch::Compatible
            };
        }
        match (self.month, self.day, other.month, other.day) {
            (Some(m1), Some(d1), Some(m2), Some(d2)) if m1 == d2 && d1 == m2 => DateMatch::Swapped,
            _ => DateMatch::Mismatch,
        }
    }

    /// True if the two dates could be the same date as written (exact or compatible); a
    /// swapped day and month is not included (see [`PartialDate::compare`]).
    pub fn is_compatible(&self, other: &PartialDate) -> bool {
        matches!(
            self.compare(other),
            DateMatch::Exact | DateMatch::Compatible
        )
    }

    /// Takes the date part of a date that may be a full timestamp (`2019-03-02T10:00:00Z`), as
    /// FollowTheMoney dates are.
    pub fn parse_date_prefix(value: &str) -> Result<PartialDate, ValueError> {
        let date = value.split(['T', ' ']).next().unwrap_or(value);
        PartialDate::parse(date).map_err(|_| {
            ValueError::new(format!(
                "{value:?} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a timestamp)"
            ))
        })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialDate({self})")
    }
}

impl std::str::FromStr for PartialDate {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<PartialDate, ValueError> {
        PartialDate::parse(s)
    }
}

impl TryFrom<String> for PartialDate {
    type Error = ValueError;
    fn try_from(value: String) -> Result<PartialDate, ValueError> {
        PartialDate::parse(&value)
    }
}

impl From<PartialDate> for String {
    fn from(value: PartialDate) -> String {
        value.to_string()
    }
}
