//! Analysis of one name: normalise, split into parts, romanise each part, classify it, and compute
//! the keys that comparison and indexing use.
//!
//! Everything a comparison needs is computed here once, so that an index can analyse its records
//! at build time and only analyse the query at screening time.

use std::borrow::Cow;

use icu_casemap::CaseMapperBorrowed;
use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::props::{ChangesWhenCasemapped, GeneralCategory, GeneralCategoryGroup};
use icu_properties::{CodePointMapData, CodePointSetData};

use crate::lexicon::Lexicon;
use crate::script::{self, CyrillicLanguage, Script};
use crate::skeleton::{consonants, skeleton};
use crate::translit::{self, System};

/// What role a part plays in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A given name or family name: the parts that identify.
    Name,
    /// One letter, as in "J. Smith".
    Initial,
    /// A father's name: -ovich, -evna, -uly, -kyzy.
    Patronymic,
    /// Articles and connectors: al-, bin, van, de.
    Particle,
    /// Honorifics and titles (Shaikh, Haji, Dr): ignored in scoring.
    Title,
}

impl PartKind {
    /// Parts that say who someone is, as opposed to whose child they are or how they are
    /// addressed.
    pub fn identifies(self) -> bool {
        matches!(
            self,
            PartKind::Name | PartKind::Initial | PartKind::Particle
        )
    }
}

/// One part of a name, romanised and keyed.
#[derive(Debug, Clone)]
pub struct Part {
    /// The part as written, normalised and case-folded, in its own script.
    pub text: String,
    pub script: Script,
    /// Distinct romanisations, the most common system first.
    pub romanised: Vec<String>,
    /// The romanisation system behind each entry of `romanised` (empty for Latin input).
    pub systems: Vec<&'static str>,
    /// Distinct skeletons of the romanisations (see `skeleton`).
    pub keys: Vec<Vec<u8>>,
    /// The consonant frame of the first key, for comparison with abjad scripts.
    pub consonants: Vec<u8>,
    /// The key with a feminine or masculine surname ending removed (Ivanova → Ivanov).
    pub gender_stem: Option<Vec<u8>>,
    pub kind: PartKind,
    /// Lexicon groups (given-name variants: Aleksandr / Alexander / Sasha) this part belongs to.
    pub groups: Vec<u32>,
    /// For a patronymic, the skeletons of the father's name it is made from, one per
    /// romanisation (Nurlanovna, Nurlanuly, "Nurlan uly" → nurlan); empty otherwise.
    pub father: Vec<Vec<u8>>,
}

impl Part {
    /// How much this part counts towards a match.
    pub fn weight(&self) -> f32 {
        match self.kind {
            PartKind::Name => 1.0,
            PartKind::Patronymic => 0.6,
            PartKind::Initial => 0.4,
            PartKind::Particle => 0.2,
            PartKind::Title => 0.0,
        }
    }

    /// The romanisation shown in explanations.
    pub fn display(&self) -> &str {
        self.romanised
            .first()
            .map_or(self.text.as_str(), String::as_str)
    }
}

/// A name analysed for comparison.
#[derive(Debug, Clone)]
pub struct AnalysedName {
    /// The name as given.
    pub original: String,
    pub parts: Vec<Part>,
    /// The dominant script of the whole name.
    pub script: Script,
    /// For Cyrillic names, the language whose alphabet the name uses.
    pub cyrillic_language: Option<CyrillicLanguage>,
    /// "SURNAME, Given" was turned around.
    pub comma_inverted: bool,
    /// The name is longer than [`MAX_COMPARED_CHARS`]: only its beginning was analysed.
    pub shortened: bool,
}

impl AnalysedName {
    /// The parts that carry weight, concatenated per key: used to detect names written together
    /// ("SergeiLavrov") or split differently ("Mohammad Hasni" / "Mohammadhasni").
    pub fn joined_key(&self) -> Vec<u8> {
        let mut joined = Vec::new();
        for part in self.parts.iter().filter(|p| p.kind.identifies()) {
            if let Some(key) = part.keys.first() {
                joined.extend_from_slice(key);
            }
        }
        joined.dedup();
        joined
    }
}

/// Honorifics and titles that precede a name and say nothing about who it is. A `match` on
/// strings compiles to a length switch: cheaper than scanning a list for every part.
fn is_title(latin: &str) -> bool {
    matches!(
        latin,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "dr"
            | "prof"
            | "sir"
            | "dame"
            | "lord"
            | "shaikh"
            | "sheikh"
            | "shaykh"
            | "sheik"
            | "haji"
            | "hajji"
            | "hadji"
            | "qari"
            | "mullah"
            | "mulla"
            | "maulavi"
            | "mawlawi"
            | "maulvi"
            | "maulana"
            | "mufti"
            | "imam"
            | "general"
            | "gen"
            | "col"
            | "colonel"
            | "capt"
            | "major"
            | "judge"
            | "president"
            | "minister"
            | "king"
            | "queen"
            | "prince"
            | "princess"
            | "emir"
            | "ayatollah"
    )
}

/// Articles and connectors: al-, bin, van, de, the Kazakh and Turkic "son of"/"daughter of".
fn is_particle(latin: &str) -> bool {
    matches!(
        latin,
        "al" | "el"
            | "ul"
            | "ur"
            | "ud"
            | "ad"
            | "as"
            | "bin"
            | "ben"
            | "ibn"
            | "bint"
            | "bent"
            | "abu"
            | "ould"
            | "ag"
            | "van"
            | "von"
            | "der"
            | "den"
            | "de"
            | "da"
            | "di"
            | "du"
            | "la"
            | "le"
            | "del"
            | "della"
            | "dos"
            | "das"
            | "do"
            | "zu"
            | "ter"
            | "ten"
            | "y"
            | "uly"
            | "ulu"
            | "kyzy"
            | "qyzy"
            | "kizi"
            | "oglu"
            | "ogly"
            | "ogli"
            | "qizi"
            | "uli"
    )
}

/// The Turkic words for "son of" and "daughter of" written apart from the father's name
/// (Nurlan uly, Nurlan kyzy, Rashid o‘g‘li, Karim qizi, Ahmet oğlu, Ali qızı): the part before
/// them is a patronymic.
fn is_turkic_patronymic_marker(latin: &str) -> bool {
    matches!(
        latin,
        "uly" | "uli" | "ulu" | "kyzy" | "qyzy" | "kizi" | "qizi" | "oglu" | "ogly" | "ogli"
    )
}

/// Removes a patronymic ending, leaving the father's name: Nurlanovna, Nurlanovich, Nurlanuly
/// and Nurlankyzy all give "nurlan". `None` when the word has no such ending.
fn father_of(romanised: &str) -> Option<&str> {
    PATRONYMIC_ENDINGS
        .iter()
        .filter(|e| romanised.len() > e.len() + 2 && romanised.ends_with(*e))
        .map(|e| &romanised[..romanised.len() - e.len()])
        // The longest ending wins: -ovich before -ich.
        .min_by_key(|stem| stem.len())
}

/// Russian, Ukrainian and Belarusian patronymic endings, and the Turkic ones written joined
/// (Kazakh -uly/-kyzy, Uzbek -o‘g‘li/-qizi, Turkish and Azerbaijani -oğlu/-qızı). Not "-uli":
/// joined, it ends too many names that are no patronymic (al-Mosuli).
pub(crate) const PATRONYMIC_ENDINGS: &[&str] = &[
    "ovich", "evich", "ovych", "evych", "ich", "ych", "itch", "ovna", "evna", "ivna", "ichna",
    "inichna", "uly", "ulu", "kyzy", "qyzy", "oglu", "ogly", "ogli", "kizi", "qizi",
];

/// Does a romanised word end with one of [`PATRONYMIC_ENDINGS`]? Every ending ends in h, a, y,
/// u or i: a word ending otherwise (most surnames) is ruled out by its last letter, without a
/// string comparison per ending. Asked for every part of a name and every aligned pair.
pub(crate) fn has_patronymic_suffix(romanised: &str) -> bool {
    matches!(
        romanised.as_bytes().last(),
        Some(b'h' | b'a' | b'y' | b'u' | b'i')
    ) && PATRONYMIC_ENDINGS.iter().any(|e| romanised.ends_with(e))
}

/// Names are analysed on their first `MAX_COMPARED_CHARS` characters. The longest name in the
/// benchmark lists (`../shared/bench`, OFAC SDN) has 113; comparing two names costs about the
/// product of their part counts, so a 10,000-character "name" of 2,000 parts would cost seconds a
/// comparison. Records keep the whole name; the explanation says when a name was cut.
pub const MAX_COMPARED_CHARS: usize = 200;

/// The part of a name that is analysed: all of it, or its first [`MAX_COMPARED_CHARS`]
/// characters cut back to a word boundary.
pub fn compared_part(name: &str) -> &str {
    // A character is at least a byte: a name of no more bytes than that is whole.
    if name.len() <= MAX_COMPARED_CHARS {
        return name;
    }
    match name.char_indices().nth(MAX_COMPARED_CHARS) {
        None => name,
        Some((end, _)) => {
            let head = &name[..end];
            head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
        }
    }
}

/// Analyses a name (its first [`MAX_COMPARED_CHARS`] characters). Never fails: an empty or
/// unreadable name has no parts and matches nothing.
pub fn analyse(name: &str, lexicon: &Lexicon) -> AnalysedName {
    let compared = compared_part(name);
    let folded = fold(&spread_initials(compared));
    let (ordered, comma_inverted) = invert_comma_form(&folded);
    let raw_parts = split_parts(&ordered);

    let name_script = script::token_script(&ordered);
    let cyrillic_language =
        (name_script == Script::Cyrillic).then(|| script::cyrillic_language(&ordered));

    let mut parts = Vec::with_capacity(raw_parts.len());
    for raw in raw_parts {
        romanise_part(raw, cyrillic_language, lexicon, &mut parts);
    }
    classify(&mut parts);

    AnalysedName {
        original: name.to_owned(),
        parts,
        script: name_script,
        cyrillic_language,
        comma_inverted,
        shortened: compared.len() < name.len(),
    }
}

/// The most letters of initials written together ("JC Juncker", "JFK").
const MAX_RUN_TOGETHER_INITIALS: usize = 3;

/// Initials written together in capitals ("JC Juncker" for Jean-Claude Juncker) become initials
/// of their own ("J C Juncker"). Only a word of two or three capitals with no vowel, in a name
/// that is not all in capitals: a name in capitals throughout (KO CHOL HUN) tells nothing by
/// its case, and a word with a vowel (Li, Ana, MIN) may be a name of its own.
fn spread_initials(name: &str) -> Cow<'_, str> {
    // Such a word has two ASCII capitals in a row, which UTF-8 keeps as two bytes in a row: a
    // name without them (most names, in any script) needs no look at its words.
    if !name
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0].is_ascii_uppercase() && pair[1].is_ascii_uppercase())
    {
        return Cow::Borrowed(name);
    }
    // Most other names are ASCII and have no such word either: tell that from the bytes, with
    // the same rules (for ASCII, alphabetic and lower case are the ASCII ones and a char is a
    // byte).
    if name.is_ascii() {
        let bytes = name.as_bytes();
        let run_together = |w: &[u8]| {
            (2..=MAX_RUN_TOGETHER_INITIALS).contains(&w.len())
                && w.iter().all(u8::is_ascii_uppercase)
                && !w.iter().any(|c| b"AEIOUY".contains(c))
        };
        if !bytes.iter().any(u8::is_ascii_lowercase)
            || !bytes.split(|c| !c.is_ascii_alphabetic()).any(run_together)
        {
            return Cow::Borrowed(name);
        }
    }
    let words = || {
        name.split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
    };
    let run_together = |w: &str| {
        (2..=MAX_RUN_TOGETHER_INITIALS).contains(&w.chars().count())
            && w.chars().all(|c| c.is_ascii_uppercase())
            && !w.chars().any(|c| "AEIOUY".contains(c))
    };
    let mixed_case = words().any(|w| w.chars().any(char::is_lowercase));
    if !mixed_case || !words().any(run_together) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 4);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if run_together(word) {
            let letters: Vec<String> = word.chars().map(String::from).collect();
            out.push_str(&letters.join(" "));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in name.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    Cow::Owned(out)
}

/// NFKC, then full Unicode case folding: "ＳＭＩＴＨ", "Smith" and "SMITH" become one.
pub(crate) fn fold(name: &str) -> String {
    // ASCII is its own NFKC form and folds to lower case: skip ICU for the common case.
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    let nfkc = ComposingNormalizerBorrowed::new_nfkc().normalize(name);
    // Most names outside ASCII are in scripts without case (Arabic, Chinese, Hebrew, Thai): where
    // no character has a case mapping the fold is the identity, and telling that costs a
    // fraction of ICU's folding writer.
    if !nfkc.chars().any(has_case) {
        return nfkc.into_owned();
    }
    CaseMapperBorrowed::new().fold_string(&nfkc).into_owned()
}

/// Has the character a case mapping (Unicode's `Changes_When_Casemapped`)? Not
/// `Changes_When_Casefolded`: that property is defined on the decomposed form, and ǰ folds to
/// j + ◌̌ without having it. The letters of caseless scripts are "other letters" (Lo), which no
/// case mapping touches: the general-category trie tells them faster than the property's range
/// list, which answers for the rest.
fn has_case(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    CodePointMapData::<GeneralCategory>::new().get(c) != GeneralCategory::OtherLetter
        && CodePointSetData::new::<ChangesWhenCasemapped>().contains(c)
}

/// "SURNAME, Given" → "Given SURNAME". Only one comma counts; more are lists, left alone.
fn invert_comma_form(folded: &str) -> (Cow<'_, str>, bool) {
    let mut pieces = folded.split(',');
    match (pieces.next(), pieces.next(), pieces.next()) {
        (Some(family), Some(given), None)
            if !family.trim().is_empty() && !given.trim().is_empty() =>
        {
            (
                Cow::Owned(format!("{} {}", given.trim(), family.trim())),
                true,
            )
        }
        _ => (Cow::Borrowed(folded), false),
    }
}

/// Splits at white space, hyphens and punctuation; apostrophes join ("O'Brien", "Sha'ari").
/// A part without an apostrophe is borrowed from the text: no copy until it becomes a `Part`.
fn split_parts(text: &str) -> Vec<Cow<'_, str>> {
    if text.is_ascii() {
        // The same tests narrowed to ASCII, where a name character is a letter or digit and the
        // apostrophes are ' and `.
        split_at(
            text,
            |c| !c.is_ascii_alphanumeric() && c != '\'' && c != '`',
            |c| c == '\'' || c == '`',
        )
    } else {
        split_at(
            text,
            |c| !is_apostrophe(c) && !is_name_char(c),
            is_apostrophe,
        )
    }
}

/// Splits at separators, removes apostrophes and drops empty parts.
fn split_at(
    text: &str,
    separator: impl Fn(char) -> bool,
    apostrophe: impl Fn(char) -> bool + Copy,
) -> Vec<Cow<'_, str>> {
    text.split(separator)
        .filter_map(|piece| {
            if piece.contains(apostrophe) {
                let joined: String = piece.chars().filter(|&c| !apostrophe(c)).collect();
                (!joined.is_empty()).then_some(Cow::Owned(joined))
            } else {
                (!piece.is_empty()).then_some(Cow::Borrowed(piece))
            }
        })
        .collect()
}

/// Apostrophes and the letters that stand for them: they join the letters around them.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' | '\u{02BB}'
    )
}

/// Letters, marks and digits belong to a name part; everything else separates parts. ICU's
/// general-category trie is several times faster than `char::is_alphanumeric` outside ASCII.
fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    GeneralCategoryGroup::Letter
        .union(GeneralCategoryGroup::Mark)
        .union(GeneralCategoryGroup::Number)
        .contains(CodePointMapData::<GeneralCategory>::new().get(c))
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x064B..=0x065F | 0x0670)
}

/// Romanises one raw part and appends the resulting part(s): Chinese and Korean syllables
/// become parts of their own, and an attached Arabic article (ال) is split off.
fn romanise_part(
    raw: Cow<'_, str>,
    cyrillic_language: Option<CyrillicLanguage>,
    lexicon: &Lexicon,
    out: &mut Vec<Part>,
) {
    let part_script = script::token_script(&raw);
    match part_script {
        Script::Latin => {
            // Parts are split at non-alphanumerics and already folded: ASCII needs no work.
            let mut latin: String = if raw.is_ascii() {
                String::from(&*raw)
            } else {
                any_ascii::any_ascii(&raw)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect()
            };
            if latin.bytes().any(|c| c.is_ascii_digit())
                && latin.bytes().any(|c| c.is_ascii_alphabetic())
            {
                latin = latin.chars().map(digit_as_letter).collect();
            }
            if !latin.is_empty() {
                out.extend(make_part(
                    raw.into_owned(),
                    part_script,
                    [(latin, "")],
                    lexicon,
                ));
            }
        }
        Script::Cyrillic => {
            let language = cyrillic_language.unwrap_or(CyrillicLanguage::Russian);
            let romanised = translit::cyrillic_token(&raw, language);
            let variants = System::ALL
                .iter()
                .zip(romanised)
                .map(|(s, r)| (r, s.label()));
            out.extend(make_part(raw.into_owned(), part_script, variants, lexicon));
        }
        Script::Greek => {
            // Strip accents only now that the part is known to be Greek: stripping marks from
            // Cyrillic would turn й into и (DEPENDENCIES pitfall 3).
            let bare: String = DecomposingNormalizerBorrowed::new_nfd()
                .normalize(&raw)
                .chars()
                .filter(|c| !is_combining_mark(*c))
                .collect();
            let [elot, classical] = translit::greek_token(&bare);
            let variants = [(elot, "ELOT 743"), (classical, "classical")];
            out.extend(make_part(raw.into_owned(), part_script, variants, lexicon));
        }
        Script::Arabic => {
            // The article (ال) is written joined to the word it defines, and "Abd al-" compounds
            // are often written as one word (عبدالخالق): split both off as parts of their own.
            let mut rest = &*raw;
            if let Some(after) = rest
                .strip_prefix("عبدال")
                .filter(|r| r.chars().count() >= 2)
            {
                out.extend(arabic_part("عبد", lexicon));
                out.extend(arabic_part("ال", lexicon));
                rest = after;
            } else if let Some(after) = rest.strip_prefix("ال").filter(|r| r.chars().count() >= 2)
            {
                out.extend(arabic_part("ال", lexicon));
                rest = after;
            }
            out.extend(arabic_part(rest, lexicon));
        }
        Script::Han | Script::Hangul => {
            // One part per character: each is a syllable, and in these scripts a different
            // character is a different name element even where the readings agree.
            for c in raw.chars() {
                let text = c.to_string();
                for syllable in translit::fallback_token(&text, part_script) {
                    let variants = [(syllable, "any-ascii")];
                    out.extend(make_part(text.clone(), part_script, variants, lexicon));
                }
            }
        }
        other => {
            for latin in translit::fallback_token(&raw, other) {
                let variants = [(latin, "any-ascii")];
                out.extend(make_part(String::from(&*raw), other, variants, lexicon));
            }
        }
    }
}

fn arabic_part(text: &str, lexicon: &Lexicon) -> Option<Part> {
    let [arabic, persian] = translit::arabic_token(text);
    let variants = [
        (arabic, "Arabic consonants"),
        (persian, "Persian consonants"),
    ];
    make_part(text.to_owned(), Script::Arabic, variants, lexicon)
}

/// Digits typed for the letters they look like ("I9or Sech1n"), inside a word that has letters.
fn digit_as_letter(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '6' | '9' => 'g',
        '7' => 't',
        '8' => 'b',
        other => other,
    }
}

/// Builds a part from its romanisations; `None` when no romanisation has a letter left (a part
/// that nothing could ever match would only dilute the score).
fn make_part(
    text: String,
    script: Script,
    variants: impl IntoIterator<Item = (String, &'static str), IntoIter: ExactSizeIterator>,
    lexicon: &Lexicon,
) -> Option<Part> {
    // An array or an iterator, not a Vec: one allocation fewer per part.
    let variants = variants.into_iter();
    let mut romanised = Vec::with_capacity(variants.len());
    let mut systems = Vec::with_capacity(variants.len());
    let mut keys: Vec<Vec<u8>> = Vec::with_capacity(variants.len());
    for (latin, system) in variants {
        let key = skeleton(&latin);
        if key.is_empty() || keys.contains(&key) {
            continue;
        }
        keys.push(key);
        romanised.push(latin);
        systems.push(system);
    }
    if keys.is_empty() {
        return None;
    }
    let consonants = consonants(&keys[0]);
    let gender_stem = gender_stem(&keys[0]);
    // Latin forms are in the lexicon by key only; other scripts by their text too. A Chinese or
    // Korean character only by its text: its reading is one syllable that many characters share,
    // and the lexicon's forms spelled like it (wei, wai) say nothing about this character.
    let mut groups = if script == Script::Latin {
        Vec::new()
    } else {
        lexicon.groups_of_text(&text)
    };
    if !matches!(script, Script::Han | Script::Hangul) {
        for key in &keys {
            groups.extend_from_slice(lexicon.groups_of_key(key));
        }
    }
    groups.sort_unstable();
    groups.dedup();
    Some(Part {
        text,
        script,
        romanised,
        systems,
        keys,
        consonants,
        gender_stem,
        kind: PartKind::Name,
        groups,
        father: Vec::new(),
    })
}

/// Removes the gendered ending of a Slavic surname key, so that the feminine and masculine forms
/// share a stem: Ivanova/Ivanov, Kowalska/Kowalski, Dostoyevskaya/Dostoyevskiy, Tolstaya/Tolstoy.
/// `None` where the key has no such ending (the key is then its own stem).
pub fn gender_stem(key: &[u8]) -> Option<Vec<u8>> {
    const ENDINGS: &[(&[u8], &[u8])] = &[
        (b"skaia", b"sk"),
        (b"skaa", b"sk"),
        (b"skai", b"sk"),
        (b"ska", b"sk"),
        (b"ski", b"sk"),
        (b"kaia", b"k"),
        (b"kii", b"k"),
        (b"ki", b"k"),
        (b"ka", b"k"),
        (b"ova", b"ov"),
        (b"eva", b"ev"),
        (b"ina", b"in"),
        (b"aia", b""),
        (b"oi", b""),
    ];
    // Every ending ends in a or i: most keys are ruled out by their last symbol.
    if key.len() < 5 || !matches!(key.last(), Some(b'a' | b'i')) {
        return None;
    }
    ENDINGS
        .iter()
        .find(|(ending, _)| key.ends_with(ending))
        .map(|(ending, replacement)| {
            let mut stem = key[..key.len() - ending.len()].to_vec();
            stem.extend_from_slice(replacement);
            stem
        })
}

/// "Son of" and "daughter of" between two names (bin, ben, ibn, bint, ould): first in a name
/// they connect nothing, and "Ben" there is a given name (Ben Netanyahu).
fn is_lineage_word(latin: &str) -> bool {
    matches!(latin, "bin" | "ben" | "ibn" | "bint" | "bent" | "ould")
}

/// Sets each part's kind from its text and position.
fn classify(parts: &mut [Part]) {
    let count = parts.len();
    for (index, part) in parts.iter_mut().enumerate() {
        let latin = part.display();
        part.kind = if count > 1 && is_title(latin) {
            PartKind::Title
        } else if latin.len() == 1 && part.script == Script::Latin {
            PartKind::Initial
        } else if count > 1 && is_particle(latin) && !(index == 0 && is_lineage_word(latin)) {
            PartKind::Particle
        } else if count >= 3
            && index > 0
            && latin.len() > 5
            && part.romanised.iter().any(|r| has_patronymic_suffix(r))
        {
            PartKind::Patronymic
        } else {
            PartKind::Name
        };
    }
    // "Nurlan uly": the Turkic "son of" written apart makes the name before it a patronymic.
    for index in 1..count {
        if parts[index].kind == PartKind::Particle
            && is_turkic_patronymic_marker(parts[index].display())
            && parts[index - 1].kind == PartKind::Name
        {
            parts[index - 1].kind = PartKind::Patronymic;
            parts[index - 1].father = parts[index - 1].keys.clone();
        }
    }
    for part in parts.iter_mut() {
        if part.kind == PartKind::Patronymic && part.father.is_empty() {
            let mut fathers: Vec<Vec<u8>> = part
                .romanised
                .iter()
                .filter_map(|r| father_of(r))
                .map(skeleton)
                .collect();
            fathers.dedup();
            part.father = fathers;
        }
    }
    // A name made only of titles and particles ("Al Haji") still has to identify someone.
    if parts
        .iter()
        .all(|p| matches!(p.kind, PartKind::Title | PartKind::Particle))
    {
        for part in parts.iter_mut() {
            part.kind = PartKind::Name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_at_a_word_boundary() {
        let words = "Ivan ".repeat(100);
        let letters = "Ab".repeat(150);
        let cyrillic = "Иван ".repeat(100);
        // (name, expected length in characters)
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("Ivan Petrov", 11),
            (&words, 199),
            (&letters, MAX_COMPARED_CHARS),
            (&cyrillic, 199),
        ];
        for &(name, expected) in cases {
            let cut = compared_part(name);
            assert!(name.starts_with(cut));
            assert_eq!(cut.chars().count(), expected, "{name:?}");
        }
    }

    fn kinds(name: &str) -> Vec<(String, PartKind)> {
        analyse(name, &Lexicon::empty())
            .parts
            .iter()
            .map(|p| (p.display().to_owned(), p.kind))
            .collect()
    }

    #[test]
    fn parts_are_classified() {
        use PartKind::*;
        let cases: &[(&str, &[(&str, PartKind)])] = &[
            (
                "Sergey Viktorovich Lavrov",
                &[
                    ("sergey", Name),
                    ("viktorovich", Patronymic),
                    ("lavrov", Name),
                ],
            ),
            ("LAVROV, Sergey", &[("sergey", Name), ("lavrov", Name)]),
            ("J. Smith", &[("j", Initial), ("smith", Name)]),
            // Capitals without a vowel written together are initials, unless the whole name
            // is in capitals or the word could be a name.
            (
                "JC Juncker",
                &[("j", Initial), ("c", Initial), ("juncker", Name)],
            ),
            (
                "Smith, JRR",
                &[
                    ("j", Initial),
                    ("r", Initial),
                    ("r", Initial),
                    ("smith", Name),
                ],
            ),
            ("JC JUNCKER", &[("jc", Name), ("juncker", Name)]),
            ("Jc Juncker", &[("jc", Name), ("juncker", Name)]),
            ("MIN Jun-ho", &[("min", Name), ("jun", Name), ("ho", Name)]),
            (
                "Shaikh Isa bin Tarif",
                &[
                    ("shaikh", Title),
                    ("isa", Name),
                    ("bin", Particle),
                    ("tarif", Name),
                ],
            ),
            (
                "Saif al-Din",
                &[("saif", Name), ("al", Particle), ("din", Name)],
            ),
            (
                "Nursultan Abishuly Nazarbayev",
                &[
                    ("nursultan", Name),
                    ("abishuly", Patronymic),
                    ("nazarbayev", Name),
                ],
            ),
            ("O'Brien", &[("obrien", Name)]),
            (
                "Botir Rashid o‘g‘li Karimov",
                &[
                    ("botir", Name),
                    ("rashid", Patronymic),
                    ("ogli", Particle),
                    ("karimov", Name),
                ],
            ),
            // "Ben" first is a given name, not "son of".
            ("Ben Netanyahu", &[("ben", Name), ("netanyahu", Name)]),
        ];
        for (name, expected) in cases {
            let got = kinds(name);
            let expected: Vec<(String, PartKind)> = expected
                .iter()
                .map(|(t, k)| ((*t).to_owned(), *k))
                .collect();
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn cyrillic_parts_carry_several_romanisations() {
        let name = analyse("Жумабаев Ерлан", &Lexicon::empty());
        assert_eq!(name.script, Script::Cyrillic);
        assert_eq!(name.parts.len(), 2);
        assert!(name.parts[0].romanised.contains(&"zhumabayev".to_owned()));
        assert!(name.parts[0].romanised.contains(&"zhumabaev".to_owned()));
        // French "joumabaiev" has the same skeleton as BGN "zhumabayev": kept once.
        assert_eq!(name.parts[0].keys.len(), name.parts[0].romanised.len());
        assert!(name.parts[1].romanised.contains(&"yerlan".to_owned()));
    }

    /// `fold` skips ICU's folding for text without a character that has a case mapping: full
    /// case folding maps each character on its own, so checking every character is the proof
    /// that the shortcut never changes a result.
    #[test]
    fn characters_without_a_case_mapping_fold_to_themselves() {
        let cased = CodePointSetData::new::<ChangesWhenCasemapped>();
        let folder = CaseMapperBorrowed::new();
        let mut buffer = [0u8; 4];
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(has_case(c), cased.contains(c), "U+{:04X}", u32::from(c));
            if !has_case(c) {
                let text = c.encode_utf8(&mut buffer);
                assert_eq!(folder.fold_string(text), *text, "U+{:04X}", u32::from(c));
            }
        }
    }

    #[test]
    fn full_width_and_case_fold() {
        let name = analyse("ＳＭＩＴＨ John", &Lexicon::empty());
        assert_eq!(name.parts[0].display(), "smith");
    }

    #[test]
    fn arabic_article_is_split() {
        let name = analyse("عبد الرحمن", &Lexicon::empty());
        let shown: Vec<&str> = name.parts.iter().map(Part::display).collect();
        assert_eq!(shown, ["abd", "al", "rhmn"]);
    }

    #[test]
    fn gendered_stems() {
        let stem = |s: &str| {
            let key = skeleton(s);
            String::from_utf8(gender_stem(&key).unwrap_or(key)).expect("ASCII")
        };
        assert_eq!(stem("ivanova"), stem("ivanov"));
        assert_eq!(stem("kowalska"), stem("kowalski"));
        assert_eq!(stem("dostoevskaya"), stem("dostoevskiy"));
        assert_eq!(stem("tolstaya"), stem("tolstoy"));
    }
}
