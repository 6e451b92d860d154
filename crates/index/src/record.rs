//! The plain values the index takes in and gives back: records, queries, matches, and the
//! evidence types (partial birth dates, gender) they carry.
//!
//! The index defines its own record type so that it depends on nothing above it: the CLI maps
//! the domain's registry and context persons onto [`IndexRecord`].

use std::fmt;

/// Which body of data a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The protection registry.
    Registry,
    /// The context knowledge base.
    Context,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Registry => "registry",
            Source::Context => "context",
        }
    }

    pub(crate) fn to_byte(self) -> u8 {
        match self {
            Source::Registry => 0,
            Source::Context => 1,
        }
    }

    pub(crate) fn from_byte(b: u8) -> Self {
        if b == 1 {
            Source::Context
        } else {
            Source::Registry
        }
    }
}

/// A person's gender as the records state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    /// Reads "f", "female", "m", "male", "x", "other" (any case); anything else is unknown.
    pub fn parse(text: &str) -> Option<Gender> {
        match text.trim().to_ascii_lowercase().as_str() {
            "f" | "female" | "w" => Some(Gender::Female),
            "m" | "male" => Some(Gender::Male),
            "x" | "other" | "o" => Some(Gender::Other),
            _ => None,
        }
    }

    pub(crate) fn to_byte(g: Option<Gender>) -> u8 {
        match g {
            None => 0,
            Some(Gender::Female) => 1,
            Some(Gender::Male) => 2,
            Some(Gender::Other) => 3,
        }
    }

    pub(crate) fn from_byte(b: u8) -> Option<Gender> {
        match b {
            1 => Some(Gender::Female),
            2 => Some(Gender::Male),
            3 => Some(Gender::Other),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "f",
            Gender::Male => "m",
            Gender::Other => "x",
        }
    }
}

/// A birth date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BirthDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl BirthDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. A day without a month is not representable.
    pub fn parse(text: &str) -> Option<BirthDate> {
        let mut pieces = text.trim().split('-');
        let year: u16 = pieces.next()?.parse().ok()?;
        if !(1..=9999).contains(&year) {
            return None;
        }
        let month = match pieces.next() {
            Some(m) => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match pieces.next() {
            Some(d) => Some(d.parse::<u8>().ok().filter(|d| (1..=31).contains(d))?),
            None => None,
        };
        if pieces.next().is_some() {
            return None;
        }
        Some(BirthDate { year, month, day })
    }

    /// Packs into 32 bits (0 means no date): year << 9 | month << 5 | day.
    pub(crate) fn pack(date: Option<BirthDate>) -> u32 {
        date.map_or(0, |d| {
            (u32::from(d.year) << 9)
                | (u32::from(d.month.unwrap_or(0)) << 5)
                | u32::from(d.day.unwrap_or(0))
        })
    }

    pub(crate) fn unpack(packed: u32) -> Option<BirthDate> {
        if packed == 0 {
            return None;
        }
        let nonzero = |v: u32| (v != 0).then_some(v as u8);
        Some(BirthDate {
            year: (packed >> 9) as u16,
            month: nonzero((packed >> 5) & 0xf),
            day: nonzero(packed & 0x1f),
        })
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// One person as the index sees it: names and the evidence used beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRecord {
    pub id: String,
    pub source: Source,
    /// All names and aliases, in any script.
    pub names: Vec<String>,
    pub birth_date: Option<BirthDate>,
    /// ISO 3166-1 alpha-2 codes, lower case.
    pub nationalities: Vec<String>,
    pub gender: Option<Gender>,
}

/// A person to screen: the party shape of DESIGN §5.2.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub names: Vec<String>,
    pub birth_date: Option<BirthDate>,
    pub nationalities: Vec<String>,
    pub gender: Option<Gender>,
}

impl Query {
    /// A query by name alone.
    pub fn name(name: &str) -> Query {
        Query {
            names: vec![name.to_owned()],
            ..Query::default()
        }
    }
}

/// One ranked match.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    pub source: Source,
    /// The final score in [0, 1] (see `evidence::combine`).
    pub score: f32,
    /// The best name comparison alone, in [0, 1].
    pub name_score: f32,
    /// The tier (DESIGN §5.1): the name's tier, lowered by contradicting evidence
    /// ([`crate::evidence::tier`]).
    pub tier: haven_names::Tier,
    pub names: Vec<String>,
    pub explanation: String,
}

/// Packs a lower-case ISO alpha-2 code into 16 bits; `None` for anything else.
pub(crate) fn pack_country(code: &str) -> Option<u16> {
    let b = code.trim().as_bytes();
    if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
        Some(u16::from(b[0].to_ascii_lowercase()) << 8 | u16::from(b[1].to_ascii_lowercase()))
    } else {
        None
    }
}

pub(crate) fn unpack_country(code: u16) -> String {
    let bytes = [(code >> 8) as u8, code as u8];
    String::from_utf8_lossy(&bytes).into_owned()
}
