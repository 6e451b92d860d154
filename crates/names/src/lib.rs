//! Haven's name-matching engine: is "Жумабаев Ерлан" in a foreign request the "Yerlan
//! Jumabayev" of the protection registry?
//!
//! The engine is pure (no I/O, no global state beyond the lexicon loaded once). A name goes
//! through [`analyse`] once — normalisation (ICU4X NFKC and case folding), script detection,
//! romanisation in several systems, part classification (given names, patronymics, particles,
//! initials, titles), phonetic skeletons, lexicon groups — and any two analysed names are
//! compared by [`compare`], which aligns their parts and scores the alignment. [`explain`] turns a
//! comparison into sentences a case officer can check.
//!
//! ```
//! use haven_names::Matcher;
//!
//! let matcher = Matcher::bundled();
//! let result = matcher.compare("Жумабаев Ерлан", "Yerlan Jumabayev");
//! assert!(result.is_match);
//! assert!(result.explanation.contains("Cyrillic → Latin"));
//! ```

mod analyse;
mod compare;
mod distance;
mod lexicon;
mod script;
mod skeleton;
mod translit;

pub use analyse::{
    AnalysedName, MAX_COMPARED_CHARS, Part, PartKind, analyse, compared_part, gender_stem,
};
pub use compare::{
    AlignedPair, Comparison, Doubt, How, MATCH_SCORE, POSSIBLE_SCORE, compare, explain,
};
pub use distance::{similarity, weighted_distance};
pub use lexicon::Lexicon;
pub use script::{CyrillicLanguage, Script};
pub use skeleton::{consonants, skeleton};

/// The score-alone threshold of the engine before tiers (its old `is_match`). Nothing decides
/// by it now — a match is [`Comparison::tier`] — but the quality examples still report the score
/// alone at it, so that their figures stay comparable with earlier runs (BENCHMARKS.md).
pub const DEFAULT_THRESHOLD: f32 = 0.7;

/// The two tiers of DESIGN §5.1: how far the engine would go in calling two names one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Not the same name, as far as the engine can tell.
    None,
    /// A name a careful officer would want to look at: spelling drift, a part a few letters
    /// off, a part missing. Must catch essentially every true match.
    Possible,
    /// A name the engine would bet on: few namesakes.
    Match,
}

impl Tier {
    /// The wire name: `match`, `possible` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Match => "match",
            Tier::Possible => "possible",
            Tier::None => "none",
        }
    }

    /// The tier of a wire name, `None` for any other text.
    pub fn parse(text: &str) -> Option<Tier> {
        [Tier::Match, Tier::Possible, Tier::None]
            .into_iter()
            .find(|tier| tier.as_str() == text)
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison of two names, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub score: f32,
    /// The tier of the comparison ([`Comparison::tier`]).
    pub tier: Tier,
    /// `tier == Tier::Match`.
    pub is_match: bool,
    pub explanation: String,
}

/// Name matching with a lexicon.
#[derive(Debug, Clone, Copy)]
pub struct Matcher<'l> {
    lexicon: &'l Lexicon,
}

impl Matcher<'static> {
    /// The bundled lexicon.
    pub fn bundled() -> Self {
        Matcher {
            lexicon: Lexicon::bundled(),
        }
    }
}

impl<'l> Matcher<'l> {
    pub fn new(lexicon: &'l Lexicon) -> Self {
        Matcher { lexicon }
    }

    pub fn lexicon(&self) -> &'l Lexicon {
        self.lexicon
    }

    pub fn analyse(&self, name: &str) -> AnalysedName {
        analyse(name, self.lexicon)
    }

    /// The score alone, both names analysed from scratch.
    pub fn score(&self, a: &str, b: &str) -> f32 {
        compare(&self.analyse(a), &self.analyse(b)).score
    }

    /// Score, verdict and explanation.
    pub fn compare(&self, a: &str, b: &str) -> Verdict {
        let (a, b) = (self.analyse(a), self.analyse(b));
        self.verdict(&a, &b)
    }

    /// Score, verdict and explanation of two names analysed before.
    pub fn verdict(&self, a: &AnalysedName, b: &AnalysedName) -> Verdict {
        let comparison = compare(a, b);
        let tier = comparison.tier();
        Verdict {
            score: comparison.score,
            tier,
            is_match: tier == Tier::Match,
            explanation: explain(a, b, &comparison),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tier;

    #[test]
    fn tiers_round_trip_through_their_wire_names() {
        for tier in [Tier::Match, Tier::Possible, Tier::None] {
            assert_eq!(Tier::parse(tier.as_str()), Some(tier));
        }
        assert_eq!(Tier::parse("Match"), None);
        assert_eq!(Tier::parse(""), None);
    }
}
