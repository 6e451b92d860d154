//! Blocking keys: what a name part is filed under, so that a query finds records that share a
//! spelling, a sound, a consonant frame or a lexicon group with it.
//!
//! Keys come from the name engine's analysis and nothing else, so the index finds exactly what
//! the comparison would call similar:
//!
//! - **skeleton**: every distinct phonetic skeleton of the part (one per romanisation system, so
//!   "Жумабаев" is filed under the BGN, passport, French and German spellings at once), plus the
//!   gender stem (Ivanova and Ivanov share "ivanov");
//! - **consonants**: the consonant frame (≥ 2 letters). Arabic script writes no short vowels, so
//!   this is how "محمد" meets "Mohammed"; it also survives most typing errors, which hit vowels,
//!   doubled letters and neighbouring letters ("Abudl"/"Abdul", "Gassmi"/"Gasmi");
//! - **group**: lexicon groups (Aleksandr / Alexander / Sasha / Александр);
//! - **year**: a skeleton combined with the birth year (0 when there is none). Common names
//!   ("Ivan Ivanov") have posting lists too long to read at 10 million records; combined with
//!   the year they are short again.
//!
//! - **consonants by script**: frames of parts written in an abjad are filed apart, so that a
//!   Latin query meeting an Arabic-script record on consonants counts fully, and meeting a
//!   Latin record only as a spelling slip;
//! - **year × consonants**: the consonant frame with the birth year, so that the year narrows
//!   Arabic-script records as it narrows the others;
//! - **date × consonants**: the consonant frame, coarsened (`coarse`: the sibilants and kh/ch
//!   made one, where romanisation systems disagree most: "Chlebanowa" / "Khlebanova"), with the
//!   full birth date, for records that
//!   have one: among ten thousand "Mohammed Ali"s the one born on that day is one lookup away;
//! - **joined**: the whole name's skeletons run together (`AnalysedName::joined_key`), for
//!   names split or joined differently ("Lauren Tnkunda" / "Laurent Nkunda", "Arefullaha Ref");
//! - **anagram**: the letters of a part's romanisation, sorted, so that two neighbouring letters
//!   typed the other way round still meet ("Lakahl" / "Lakhal": the skeleton and the consonant
//!   frame both change, since k-h and kh are different sounds); parts of four letters or more;
//! - **name anagram**: the letters of the whole name, sorted, for a swap across the boundary of
//!   two parts ("Myongc-hin" / "Myong-chin"), which no part key survives.
//!
//! Keys are 64-bit hashes of (kind, bytes): stable across processes and versions (a hand-written
//! FNV-1a with a final mix, not `Hash`), because snapshots store them.

use haven_names::{AnalysedName, Part, PartKind};

use crate::record::BirthDate;

/// Bumped whenever key derivation changes: a snapshot with another schema is rebuilt.
pub const KEY_SCHEMA: u32 = 6;

const SKELETON: u8 = 1;
const CONSONANTS: u8 = 2;
const GROUP: u8 = 3;
const YEAR: u8 = 4;
const JOINED: u8 = 5;
const CONSONANTS_ABJAD: u8 = 6;
const YEAR_CONSONANTS: u8 = 7;
const DATE_CONSONANTS: u8 = 8;
const ANAGRAM: u8 = 9;
const NAME_ANAGRAM: u8 = 10;

/// How strongly a key of each kind says "same name part", relative to an identical skeleton.
const FACTOR_SKELETON: f32 = 1.0;
const FACTOR_STEM: f32 = 0.95;
const FACTOR_GROUP: f32 = 0.9;
const FACTOR_CONSONANTS: f32 = 0.8;
/// Against a part written in an abjad, the consonants are all there is to compare: full weight.
const FACTOR_CONSONANTS_ABJAD: f32 = 1.0;
const FACTOR_LOOSE: f32 = 0.92;
const FACTOR_YEAR_CONSONANTS: f32 = 0.9;
/// Same letters in another order: a transposition is about as telling as a shared consonant
/// frame, a little more since the vowels agree too (between `FACTOR_CONSONANTS` and
/// `FACTOR_GROUP`; the rescoring prices the swap itself).
const FACTOR_ANAGRAM: f32 = 0.85;
/// Shorter parts are anagrams of too many others ("Ali" / "Lia" / "Ila") to say anything.
const MIN_ANAGRAM_LETTERS: usize = 4;
/// A whole name needs at least this many letters for its anagram key, as the joined key does.
const MIN_NAME_ANAGRAM_LETTERS: usize = 8;
/// Year keys: the part and the birth year (or a year either side) agree.
const YEAR_EXACT: f32 = 1.12;
const DATE_EXACT: f32 = 1.25;
const DATE_SWAPPED: f32 = 1.15;
const YEAR_NEAR: f32 = 1.04;
/// Records without a birth date, looked up under year 0.
const YEAR_UNKNOWN: f32 = 1.0;
/// Patronymics identify less than names (DESIGN §7: present or absent).
const PATRONYMIC_WEIGHT: f32 = 0.5;

/// Does this part get keys? Initials, particles and titles are too unspecific to look up.
pub(crate) fn is_keyed(part: &Part) -> bool {
    matches!(part.kind, PartKind::Name | PartKind::Patronymic)
}

fn hash(kind: u8, bytes: &[u8], extra: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut step = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    step(kind);
    for &b in bytes {
        step(b);
    }
    for b in extra.to_le_bytes() {
        step(b);
    }
    // splitmix64 finaliser: FNV's low bits are weak.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The skeleton-like keys of a part: its skeletons, its gender stem, and "loose" skeletons with
/// every `j` read as `i`. German and ISO spellings write й, я, ю as j, ja, ju where English
/// ones write y, ya, yu ("Natalija" / "Nataliya", "Tschernyschjowa" / "Chernyshyova"); the
/// skeleton keeps j apart because it also spells ж ("Jumabayev"), so only the index relaxes it.
fn skeletons(part: &Part) -> Vec<(Vec<u8>, f32)> {
    let mut out: Vec<(Vec<u8>, f32)> = part
        .keys
        .iter()
        .map(|k| (k.clone(), FACTOR_SKELETON))
        .chain(part.gender_stem.iter().map(|s| (s.clone(), FACTOR_STEM)))
        .collect();
    for romanised in part.romanised.iter().filter(|r| r.contains('j')) {
        let loose = haven_names::skeleton(&romanised.replace('j', "i"));
        if loose.len() >= 2 && !out.iter().any(|(k, _)| *k == loose) {
            out.push((loose, FACTOR_LOOSE));
        }
    }
    out
}

/// A skeleton or frame with the hissing and hushing sounds made one (ж ш щ ч х ц з as zh/j/sch/ž,
/// sh/ch/sch/š, ch/tch/tsch/č, kh/ch/h, ts/z/c, z/s): the systems disagree most there (German
/// "Chlebanowa" / English "Khlebanova", French "Choukchina" / "Shukshina"). Used only with the
/// full birth date, where it cannot flood the candidates; the comparison still prices each
/// difference. (As a skeleton key of its own it cost recall on the synthetic benchmark: too
/// many near-namesakes.)
fn coarse(key: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = key
        .iter()
        .map(|&c| match c {
            b'C' | b'S' | b'J' | b'H' | b'z' | b's' => b'S',
            other => other,
        })
        .collect();
    out.dedup();
    out
}

fn consonant_kind(part: &Part) -> u8 {
    if part.script.is_abjad() {
        CONSONANTS_ABJAD
    } else {
        CONSONANTS
    }
}

/// The shape bit of a name: bit i for i keyed parts (7 and more share bit 7).
pub(crate) fn shape_bit(name: &AnalysedName) -> u8 {
    1 << keyed_parts(name).min(7)
}

pub(crate) fn keyed_parts(name: &AnalysedName) -> usize {
    name.parts.iter().filter(|p| is_keyed(p)).count()
}

/// The joined key of a name of two or more identifying parts.
pub(crate) fn joined_key(name: &AnalysedName) -> Option<u64> {
    let parts = name.parts.iter().filter(|p| p.kind.identifies()).count();
    let joined = name.joined_key();
    (parts >= 2 && joined.len() >= 6).then(|| hash(JOINED, &joined, 0))
}

/// The letters of `text`, lower-cased and sorted, if there are at least `min` of them.
fn sorted_letters(texts: &[&str], min: usize) -> Option<Vec<u8>> {
    let mut letters: Vec<char> = texts
        .iter()
        .flat_map(|t| t.chars())
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if letters.len() < min {
        return None;
    }
    letters.sort_unstable();
    Some(letters.into_iter().collect::<String>().into_bytes())
}

/// The anagram keys of a part: one per distinct romanisation.
fn anagrams(part: &Part) -> impl Iterator<Item = u64> + '_ {
    part.romanised
        .iter()
        .filter_map(|r| sorted_letters(&[r.as_str()], MIN_ANAGRAM_LETTERS))
        .map(|letters| hash(ANAGRAM, &letters, 0))
}

/// The anagram key of a whole name of two or more identifying parts (each part's first
/// romanisation).
pub(crate) fn name_anagram_key(name: &AnalysedName) -> Option<u64> {
    let parts: Vec<&str> = name
        .parts
        .iter()
        .filter(|p| p.kind.identifies())
        .map(Part::display)
        .collect();
    if parts.len() < 2 {
        return None;
    }
    sorted_letters(&parts, MIN_NAME_ANAGRAM_LETTERS).map(|letters| hash(NAME_ANAGRAM, &letters, 0))
}

/// A full date as a number: year, month, day.
fn date_code(date: BirthDate) -> Option<u32> {
    Some(u32::from(date.year) << 9 | u32::from(date.month?) << 5 | u32::from(date.day?))
}

/// Appends the keys a record is filed under for one analysed name.
pub(crate) fn record_keys(name: &AnalysedName, birth: Option<BirthDate>, out: &mut Vec<u64>) {
    let year = birth.map_or(0, |d| d.year);
    let date = birth.and_then(date_code);
    out.extend(joined_key(name));
    out.extend(name_anagram_key(name));
    for part in name.parts.iter().filter(|p| is_keyed(p)) {
        out.extend(anagrams(part));
        for (key, _) in skeletons(part) {
            out.push(hash(SKELETON, &key, 0));
            out.push(hash(YEAR, &key, u32::from(year)));
        }
        if part.consonants.len() >= 2 {
            out.push(hash(consonant_kind(part), &part.consonants, 0));
            out.push(hash(YEAR_CONSONANTS, &part.consonants, u32::from(year)));
            if let Some(date) = date {
                out.push(hash(DATE_CONSONANTS, &coarse(&part.consonants), date));
            }
        }
        for &group in &part.groups {
            out.push(hash(GROUP, &[], group));
        }
    }
}

/// One key a query part looks up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct QueryKey {
    pub hash: u64,
    /// Key-kind factor times part weight; multiplied by the key's idf at query time.
    pub factor: f32,
    /// Year keys narrow common names; they are read only when cheap (see `screen`).
    pub is_year: bool,
}

/// The keys one query part looks up. `year` is the query's birth year: year keys are looked up
/// for it, the years either side, and 0 (records without a date).
pub(crate) fn query_keys(part: &Part, birth: Option<BirthDate>, out: &mut Vec<QueryKey>) {
    let year = birth.map(|d| d.year);
    let weight = if part.kind == PartKind::Patronymic {
        PATRONYMIC_WEIGHT
    } else {
        1.0
    };
    let mut push = |hash: u64, factor: f32, is_year: bool| {
        if !out.iter().any(|k| k.hash == hash) {
            out.push(QueryKey {
                hash,
                factor: factor * weight,
                is_year,
            });
        }
    };
    let year_boosts = |y: u16| {
        [
            (y, YEAR_EXACT),
            (y.saturating_sub(1), YEAR_NEAR),
            (y.saturating_add(1), YEAR_NEAR),
            (0, YEAR_UNKNOWN),
        ]
    };
    for (key, factor) in skeletons(part) {
        push(hash(SKELETON, &key, 0), factor, false);
        if let Some(y) = year {
            // The birth year agreeing is evidence too: ranked above the plain key, so that among
            // a thousand Ivan Ivanovs the one born that year comes first.
            for (y, boost) in year_boosts(y) {
                push(hash(YEAR, &key, u32::from(y)), factor * boost, true);
            }
        }
    }
    if part.consonants.len() >= 2 {
        // A record part in an abjad matches on consonants fully; a Latin one only as a
        // spelling slip. An abjad query part has nothing better to offer either way.
        let abjad = part.script.is_abjad();
        let latin_factor = if abjad {
            FACTOR_CONSONANTS_ABJAD
        } else {
            FACTOR_CONSONANTS
        };
        push(hash(CONSONANTS, &part.consonants, 0), latin_factor, false);
        push(
            hash(CONSONANTS_ABJAD, &part.consonants, 0),
            FACTOR_CONSONANTS_ABJAD,
            false,
        );
        if let Some(date) = birth.and_then(date_code) {
            push(
                hash(DATE_CONSONANTS, &part.consonants, date),
                DATE_EXACT,
                true,
            );
        }
        if let Some(d) = birth
            && let (Some(month), Some(day)) = (d.month, d.day)
            && month != day
            && day <= 12
        {
            let swapped = BirthDate {
                year: d.year,
                month: Some(day),
                day: Some(month),
            };
            if let Some(date) = date_code(swapped) {
                push(
                    hash(DATE_CONSONANTS, &part.consonants, date),
                    DATE_SWAPPED,
                    true,
                );
            }
        }
        if let Some(y) = year {
            let factor = if abjad {
                FACTOR_CONSONANTS_ABJAD
            } else {
                FACTOR_YEAR_CONSONANTS
            };
            for (y, boost) in year_boosts(y) {
                push(
                    hash(YEAR_CONSONANTS, &part.consonants, u32::from(y)),
                    factor * boost,
                    true,
                );
            }
        }
    }
    for &group in &part.groups {
        push(hash(GROUP, &[], group), FACTOR_GROUP, false);
    }
    for anagram in anagrams(part) {
        push(anagram, FACTOR_ANAGRAM, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anagram_keys_ignore_order_and_need_enough_letters() {
        // (a, b, same key)
        let cases: &[(&[&str], &[&str], bool)] = &[
            (&["lakahl"], &["lakhal"], true),
            (&["myongc", "hin"], &["myong", "chin"], true),
            (&["Ivnaova"], &["ivanova"], true),
            (&["ivanova"], &["ivanov"], false),
        ];
        for &(a, b, same) in cases {
            assert_eq!(
                sorted_letters(a, 4) == sorted_letters(b, 4),
                same,
                "{a:?} {b:?}"
            );
        }
        assert_eq!(sorted_letters(&["ali"], MIN_ANAGRAM_LETTERS), None);
        assert_eq!(sorted_letters(&["a-l i"], 3), Some(b"ail".to_vec()));
    }
}
