//! Country codes: ISO 3166-1 alpha-2, checked against the list of assigned codes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, lower-case and sorted, plus `xk`
/// (Kosovo), the user-assigned code that INTERPOL, the EU and OpenSanctions use. A regex would
/// let `zz` or `uk` through; a typo in a requesting or protecting state must not pass silently.
const CODES: &[&str] = &[
    "ad", "ae", "af", "ag", "ai", "al", "am", "ao", "aq", "ar", "as", "at", "au", "aw", "ax", "az",
    "ba", "bb", "bd", "be", "bf", "bg", "bh", "bi", "bj", "bl", "bm", "bn", "bo", "bq", "br", "bs",
    "bt", "bv", "bw", "by", "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl", "cm", "cn",
    "co", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de", "dj", "dk", "dm", "do", "dz", "ec", "ee",
    "eg", "eh", "er", "es", "et", "fi", "fj", "fk", "fm", "fo", "fr", "ga", "gb", "gd", "ge", "gf",
    "gg", "gh", "gi", "gl", "gm", "gn", "gp", "gq", "gr", "gs", "gt", "gu", "gw", "gy", "hk", "hm",
    "hn", "hr", "ht", "hu", "id", "ie", "il", "im", "in", "io", "iq", "ir", "is", "it", "je", "jm",
    "jo", "jp", "ke", "kg", "kh", "ki", "km", "kn", "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc",
    "li", "lk", "lr", "ls", "lt", "lu", "lv", "ly", "ma", "mc", "md", "me", "mf", "mg", "mh", "mk",
    "ml", "mm", "mn", "mo", "mp", "mq", "mr", "ms", "mt", "mu", "mv", "mw", "mx", "my", "mz", "na",
    "nc", "ne", "nf", "ng", "ni", "nl", "no", "np", "nr", "nu", "nz", "om", "pa", "pe", "pf", "pg",
    "ph", "pk", "pl", "pm", "pn", "pr", "ps", "pt", "pw", "py", "qa", "re", "ro", "rs", "ru", "rw",
    "sa", "sb", "sc", "sd", "se", "sg", "sh", "si", "sj", "sk", "sl", "sm", "sn", "so", "sr", "ss",
    "st", "sv", "sx", "sy", "sz", "tc", "td", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn", "to",
    "tr", "tt", "tv", "tw", "tz", "ua", "ug", "um", "us", "uy", "uz", "va", "vc", "ve", "vg", "vi",
    "vn", "vu", "wf", "ws", "xk", "ye", "yt", "za", "zm", "zw",
];

/// An ISO 3166-1 alpha-2 country code (or `xk`), stored lower-case. Upper-case input is
/// accepted; anything that is not an assigned code is not.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CountryCode, D::Error> {
        let value = String::deserialize(d)?;
        CountryCode::parse(&value).map_err(serde::de::Error::custom)
    }
}

impl CountryCode {
    /// Parses `kz` or `KZ`.
    pub fn parse(value: &str) -> Result<CountryCode, ValueError> {
        let lower = value.to_ascii_lowercase();
        if lower.len() == 2 {
            if let Ok(i) = CODES.binary_search(&lower.as_str()) {
                return Ok(CountryCode(CODES[i]));
            }
            if lower.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(ValueError::new(format!(
                    "{value:?} is not an assigned ISO 3166-1 alpha-2 country code"
                )));
            }
        }
        Err(ValueError::new(format!(
            "{value:?} is not a country code (two letters, ISO 3166-1 alpha-2, e.g. \"kz\")"
        )))
    }

    /// The code, lower-case.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// Every code accepted, lower-case and sorted.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        CODES.iter().map(|c| CountryCode(c))
    }
}

impl TryFrom<String> for CountryCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<CountryCode, ValueError> {
        CountryCode::parse(&value)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_complete() {
        assert!(
            CODES.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        // 249 assigned codes plus xk.
        assert_eq!(CODES.len(), 250);
    }
}
