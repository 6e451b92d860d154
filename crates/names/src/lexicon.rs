//! The person-name variant lexicon: groups of forms of one given name across languages and
//! scripts (Aleksandr, Alexander, Sasha, Александр, ألكسندر …), and its lookup by part.
//!
//! Rules cannot know that Sasha is Aleksandr or Mikhail is Michel; Wikidata does. The bundled
//! lexicon is derived from the MIT-licensed `rigour` package (see `data/LICENSE-rigour.txt` and
//! `scripts/regen_name_lexicon.py`). Latin forms are looked up by skeleton, so spellings the
//! lexicon does not list still find their group; other scripts by their folded text.
//!
//! The program loads the lexicon from its index (`data/lexicon_index.txt`): every form already
//! folded and keyed, with its groups. Folding and keying the half a million forms of the text
//! took a quarter of a second, paid by every command that matches a name; reading the index is
//! a few hundredths. A test checks that the index is what the text gives.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use crate::skeleton::skeleton;

/// The bundled lexicon's index, generated from `data/person_variants.txt` (Wikidata-derived
/// variants) and `data/diminutives.txt` (hand-written diminutives that Wikidata does not group
/// with their full forms) by `cargo run -p haven-names --example index_lexicon`.
const BUNDLED_INDEX: &str = include_str!("../data/lexicon_index.txt");

/// The first lines of an index: what it is and how to make it again.
const INDEX_HEADER: &str = "# Haven name lexicon index (generated; do not edit by hand): the \
forms of data/person_variants.txt and\n# data/diminutives.txt folded and keyed as the program \
does, with their groups. Regenerate:\n# cargo run -p haven-names --example index_lexicon\n";

/// An index line that [`Lexicon::from_index`] cannot read: its line number and why. Only ever
/// shown by the test that reads the bundled index, so `Debug` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IndexError {
    line: usize,
    reason: &'static str,
}

/// Groups of equivalent name forms, indexed for lookup by a part's text or skeleton.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Non-Latin form → range in `group_ids`. Borrowed from the index text when loaded from one.
    by_text: HashMap<Cow<'static, str>, (u32, u32)>,
    /// Skeleton of a Latin form → range in `group_ids`.
    by_key: HashMap<Cow<'static, [u8]>, (u32, u32)>,
    group_ids: Vec<u32>,
    groups: u32,
}

impl Lexicon {
    /// A lexicon with no groups: comparison then relies on rules alone.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled lexicon, loaded once per process from its index.
    pub fn bundled() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| {
            // The index is part of the program, and a test reads all of it.
            Lexicon::from_index(BUNDLED_INDEX).expect("the bundled lexicon index is well formed")
        })
    }

    /// Reads an index written by [`Lexicon::to_index`]. Forms are borrowed from the text.
    fn from_index(index: &'static str) -> Result<Self, IndexError> {
        let mut lexicon = Lexicon::default();
        let mut declared = None;
        for (number, line) in index.lines().enumerate() {
            let error = |reason| IndexError {
                line: number + 1,
                reason,
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(kind), Some(form), Some(groups), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(error("expected three fields separated by tabs"));
            };
            if kind == "groups" {
                // groups <TAB> group count <TAB> Latin keys, non-Latin forms (table sizes)
                let number = |field: &str| field.parse::<usize>().ok();
                let sizes = groups.split_once(' ');
                let (Some(count), Some((Some(keys), Some(texts)))) = (
                    number(form),
                    sizes.map(|(keys, texts)| (number(keys), number(texts))),
                ) else {
                    return Err(error("the `groups` line is not three numbers"));
                };
                declared = Some(u32::try_from(count).map_err(|_| error("too many groups"))?);
                lexicon.by_key.reserve(keys);
                lexicon.by_text.reserve(texts);
                continue;
            }
            let Some(count) = declared else {
                return Err(error("a form comes before the `groups` line"));
            };
            if form.is_empty() {
                return Err(error("the form is empty"));
            }
            let start = lexicon.group_ids.len() as u32;
            for group in groups.split(' ') {
                let group: u32 = group
                    .parse()
                    .map_err(|_| error("a group is not a number"))?;
                if group >= count {
                    return Err(error("a group is beyond the declared count"));
                }
                lexicon.group_ids.push(group);
            }
            let range = (start, lexicon.group_ids.len() as u32 - start);
            let fresh = match kind {
                "key" => lexicon
                    .by_key
                    .insert(Cow::Borrowed(form.as_bytes()), range)
                    .is_none(),
                "text" => lexicon.by_text.insert(Cow::Borrowed(form), range).is_none(),
                _ => return Err(error("the first field is neither `key` nor `text`")),
            };
            if !fresh {
                return Err(error("the form is listed twice"));
            }
        }
        lexicon.groups = declared.ok_or(IndexError {
            line: 0,
            reason: "the index has no `groups` line",
        })?;
        Ok(lexicon)
    }

    /// The lexicon as an index (tab-separated): a `groups` line with the group count and how
    /// many Latin keys and non-Latin forms follow (to size the tables), then one line per Latin
    /// skeleton (`key`) and per non-Latin form (`text`) with its groups, each sorted, so that the
    /// same lexicon always gives the same file.
    pub fn to_index(&self) -> String {
        let mut out = String::from(INDEX_HEADER);
        let _ = writeln!(
            out,
            "groups\t{}\t{} {}",
            self.groups,
            self.by_key.len(),
            self.by_text.len()
        );
        let mut keys: Vec<_> = self.by_key.iter().collect();
        keys.sort_unstable();
        for (key, &(start, len)) in keys {
            // Skeleton symbols are ASCII letters and digits.
            let key = String::from_utf8_lossy(key);
            self.write_line(&mut out, "key", &key, start, len);
        }
        let mut texts: Vec<_> = self.by_text.iter().collect();
        texts.sort_unstable();
        for (text, &(start, len)) in texts {
            self.write_line(&mut out, "text", text, start, len);
        }
        out
    }

    fn write_line(&self, out: &mut String, kind: &str, form: &str, start: u32, len: u32) {
        let _ = write!(out, "{kind}\t{form}\t");
        for (n, group) in self.range(start, len).iter().enumerate() {
            if n > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{group}");
        }
        out.push('\n');
    }

    /// The bundled lexicon from its text files, `data/person_variants.txt` then
    /// `data/diminutives.txt`: what its index must say.
    pub fn parse_sources(person_variants: &str, diminutives: &str) -> Self {
        Self::parse(&[person_variants, diminutives].join("\n"))
    }

    /// Parses lexicon text: one group per line, forms separated by ", ", `#` comments.
    /// Forms of several words are indexed as one word too ("abd al-aziz" as "abdalaziz").
    pub fn parse(text: &str) -> Self {
        let mut text_entries: Vec<(Cow<'static, str>, u32)> = Vec::new();
        let mut key_entries: Vec<(Cow<'static, [u8]>, u32)> = Vec::new();
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
                        key_entries.push((Cow::Owned(key), group));
                    }
                } else {
                    text_entries.push((Cow::Owned(joined), group));
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
    fn an_index_reads_back_as_the_lexicon_it_was_written_from() {
        let parsed = Lexicon::parse(SAMPLE);
        let index: &'static str = Box::leak(parsed.to_index().into_boxed_str());
        let loaded = Lexicon::from_index(index).expect("well formed");
        assert_eq!(loaded.to_index(), index);
        assert_eq!(loaded.group_count(), 3);
        assert_eq!(loaded.groups_of_key(&skeleton("sasha")), [0, 2]);
        assert_eq!(loaded.groups_of_text("عبدالعزيز"), [1]);
    }

    #[test]
    fn a_malformed_index_names_its_line() {
        let cases: &[(&'static str, usize, &str)] = &[
            ("key\tivan\t1\n", 1, "a form comes before the `groups` line"),
            (
                "groups\t2\t1 1\nkey\tivan\n",
                2,
                "expected three fields separated by tabs",
            ),
            (
                "groups\t2\t1\n",
                1,
                "the `groups` line is not three numbers",
            ),
            (
                "groups\t2\t1 0\nkey\tivan\t7\n",
                2,
                "a group is beyond the declared count",
            ),
            (
                "groups\t2\t1 0\nkey\tivan\tx\n",
                2,
                "a group is not a number",
            ),
            (
                "groups\t2\t1 0\nname\tivan\t1\n",
                2,
                "the first field is neither `key` nor `text`",
            ),
            (
                "groups\t2\t2 0\nkey\tivan\t1\nkey\tivan\t0\n",
                3,
                "the form is listed twice",
            ),
            ("groups\t2\t0 1\ntext\t\t1\n", 2, "the form is empty"),
            ("# nothing\n", 0, "the index has no `groups` line"),
        ];
        for &(index, line, reason) in cases {
            assert_eq!(
                Lexicon::from_index(index).map(|_| ()),
                Err(IndexError { line, reason }),
                "{index:?}"
            );
        }
    }

    /// The bundled index must be what the lexicon text gives, or the program would match with a
    /// lexicon nobody reviewed.
    #[test]
    fn the_bundled_index_is_what_the_lexicon_text_gives() {
        const VARIANTS: &str = include_str!("../data/person_variants.txt");
        const DIMINUTIVES: &str = include_str!("../data/diminutives.txt");
        let expected = Lexicon::parse_sources(VARIANTS, DIMINUTIVES).to_index();
        assert!(
            expected == BUNDLED_INDEX,
            "data/lexicon_index.txt is out of date: run \
             `cargo run -p haven-names --example index_lexicon`"
        );
        let loaded = Lexicon::from_index(BUNDLED_INDEX).expect("well formed");
        assert_eq!(loaded.to_index(), BUNDLED_INDEX);
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
