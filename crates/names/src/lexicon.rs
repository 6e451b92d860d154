//! The person-name variant lexicon: groups of forms of one given name across languages and
//! scripts (Aleksandr, Alexander, Sasha, Александр, ألكسندر …), and its lookup by part.
//!
//! Rules cannot know that Sasha is Aleksandr or Mikhail is Michel; Wikidata does. The bundled
//! lexicon is derived from the MIT-licensed `rigour` package (see `data/LICENSE-rigour.txt` and
//! `scripts/regen_name_lexicon.py`). Latin forms are looked up by skeleton, so spellings the
//! lexicon does not list still find their group; other scripts by their folded text.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use crate::skeleton::skeleton;

/// The lexicon text shipped with the crate: Wikidata-derived variants, then hand-written
/// diminutives that Wikidata does not group with their full forms.
const BUNDLED: &str = include_str!("../data/person_variants.txt");
const DIMINUTIVES: &str = include_str!("../data/diminutives.txt");

/// Groups of equivalent name forms, indexed for lookup by a part's text or skeleton.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Non-Latin form → range in `group_ids`.
    by_text: HashMap<Box<str>, (u32, u32)>,
    /// Skeleton of a Latin form → range in `group_ids`.
    by_key: HashMap<Box<[u8]>, (u32, u32)>,
    group_ids: Vec<u32>,
    groups: u32,
}

impl Lexicon {
    /// A lexicon with no groups: comparison then relies on rules alone.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled lexicon, parsed once per process: about a quarter of a second, the whole
    /// start-up of `haven names compare` (BENCHMARKS.md).
    pub fn bundled() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::parse(&format!("{BUNDLED}\n{DIMINUTIVES}")))
    }

    /// Parses lexicon text: one group per line, forms separated by ", ", `#` comments.
    /// Forms of several words are indexed as one word too ("abd al-aziz" as "abdalaziz").
    pub fn parse(text: &str) -> Self {
        let mut text_entries: Vec<(Box<str>, u32)> = Vec::new();
        let mut key_entries: Vec<(Box<[u8]>, u32)> = Vec::new();
        let mut group: u32 = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            for form in line.split(", ") {
                // Folded exactly as analysis folds a part, so that Greek final ς finds σ.
                let joined: String = crate::analyse::fold(form)
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect();
                if joined.is_empty() {
                    continue;
                }
                if joined.is_ascii() || is_latin_with_marks(&joined) {
                    let latin: String = any_ascii::any_ascii(&joined)
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect();
                    let key = skeleton(&latin);
                    if key.len() >= 2 {
                        key_entries.push((key.into_boxed_slice(), group));
                    }
                } else {
                    text_entries.push((joined.into_boxed_str(), group));
                }
            }
            group += 1;
        }
        let mut group_ids = Vec::with_capacity(text_entries.len() + key_entries.len());
        let by_text = index(text_entries, &mut group_ids);
        let by_key = index(key_entries, &mut group_ids);
        Lexicon {
            by_text,
            by_key,
            group_ids,
            groups: group,
        }
    }

    /// How many groups the lexicon holds.
    pub fn group_count(&self) -> usize {
        self.groups as usize
    }

    /// Groups a non-Latin form belongs to (case-folded text, as analysis produces it).
    pub fn groups_of_text(&self, text: &str) -> Vec<u32> {
        self.by_text
            .get(text)
            .map_or_else(Vec::new, |&(start, len)| self.range(start, len).to_vec())
    }

    /// Groups whose Latin forms have this skeleton.
    pub fn groups_of_key(&self, key: &[u8]) -> &[u32] {
        self.by_key
            .get(key)
            .map_or(&[], |&(start, len)| self.range(start, len))
    }

    fn range(&self, start: u32, len: u32) -> &[u32] {
        &self.group_ids[start as usize..(start + len) as usize]
    }
}

/// Latin letters with diacritics (é, ə, ø) count as Latin: they are looked up by skeleton.
fn is_latin_with_marks(form: &str) -> bool {
    form.chars()
        .all(|c| c.is_ascii() || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF))
}

/// Sorts (form, group) entries and stores each form's groups as one range of `group_ids`.
fn index<K: Ord + Eq + std::hash::Hash>(
    mut entries: Vec<(K, u32)>,
    group_ids: &mut Vec<u32>,
) -> HashMap<K, (u32, u32)> {
    entries.sort_unstable();
    entries.dedup();
    let mut map: HashMap<K, (u32, u32)> =
        HashMap::with_capacity_and_hasher(entries.len(), Default::default());
    for (form, group) in entries {
        let position = group_ids.len() as u32;
        group_ids.push(group);
        map.entry(form)
            .and_modify(|(_, len)| *len += 1)
            .or_insert((position, 1));
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\n\
        aleksandr, alexander, sasha, александр, саша\n\
        abd al-aziz, abdulaziz, عبد العزيز\n\
        sasha, sascha\n";

    #[test]
    fn forms_find_their_groups() {
        let lexicon = Lexicon::parse(SAMPLE);
        assert_eq!(lexicon.group_count(), 3);
        assert_eq!(lexicon.groups_of_key(&skeleton("alexander")), [0]);
        // A spelling the lexicon does not list, with the same skeleton.
        assert_eq!(lexicon.groups_of_key(&skeleton("aleksander")), [0]);
        assert_eq!(lexicon.groups_of_key(&skeleton("sasha")), [0, 2]);
        assert_eq!(lexicon.groups_of_text("александр"), [0]);
        assert_eq!(lexicon.groups_of_key(&skeleton("abdalaziz")), [1]);
        assert_eq!(lexicon.groups_of_text("عبدالعزيز"), [1]);
        assert!(lexicon.groups_of_key(&skeleton("zebedee")).is_empty());
    }

    #[test]
    fn bundled_lexicon_loads() {
        let lexicon = Lexicon::bundled();
        assert!(lexicon.group_count() > 100_000);
        let sasha = lexicon.groups_of_key(&skeleton("sasha"));
        let aleksandr = lexicon.groups_of_key(&skeleton("aleksandr"));
        assert!(sasha.iter().any(|g| aleksandr.contains(g)));
    }
}
