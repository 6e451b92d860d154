//! Which writing system a token is in, and which language's letters a Cyrillic name uses.
//!
//! Romanisation depends on both: Ukrainian `и` is `y` where Russian `и` is `i`, and the Kazakh
//! transform applied to Russian produces garbage (DEPENDENCIES pitfall 4). Script comes from the
//! Unicode Script property (ICU4X); the Cyrillic language guess comes from letters only one
//! language uses.

use icu_properties::CodePointMapData;
use icu_properties::props::Script as UScript;

/// The writing systems the engine distinguishes. Everything else is romanised by the generic
/// fallback and compared as Latin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Han,
    Hangul,
    Other,
}

impl Script {
    /// The script's name as a case officer would say it.
    pub fn label(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Cyrillic => "Cyrillic",
            Script::Greek => "Greek",
            Script::Arabic => "Arabic",
            Script::Hebrew => "Hebrew",
            Script::Han => "Chinese characters",
            Script::Hangul => "Hangul",
            Script::Other => "non-Latin",
        }
    }

    /// Scripts that usually leave short vowels unwritten: their romanisations are compared on
    /// consonants.
    pub fn is_abjad(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew)
    }
}

/// The script of one character, or `None` for characters common to all scripts (digits,
/// punctuation, combining marks).
pub fn char_script(c: char) -> Option<Script> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(Script::Latin);
    }
    let script = CodePointMapData::<UScript>::new().get(c);
    Some(match script {
        UScript::Latin => Script::Latin,
        UScript::Cyrillic => Script::Cyrillic,
        UScript::Greek => Script::Greek,
        UScript::Arabic => Script::Arabic,
        UScript::Hebrew => Script::Hebrew,
        UScript::Han | UScript::Hiragana | UScript::Katakana => Script::Han,
        UScript::Hangul => Script::Hangul,
        UScript::Common | UScript::Inherited | UScript::Unknown => return None,
        _ => Script::Other,
    })
}

/// The dominant script of a token: the script of most of its letters (ties go to the first seen).
pub fn token_script(token: &str) -> Script {
    // ASCII letters are Latin and nothing else in ASCII has a script; with no letter at all the
    // answer is Latin too. Most names are ASCII: skip the counting.
    if token.is_ascii() {
        return Script::Latin;
    }
    let mut counts: [(Script, u16); 8] = [
        (Script::Latin, 0),
        (Script::Cyrillic, 0),
        (Script::Greek, 0),
        (Script::Arabic, 0),
        (Script::Hebrew, 0),
        (Script::Han, 0),
        (Script::Hangul, 0),
        (Script::Other, 0),
    ];
    for script in token.chars().filter_map(char_script) {
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == script) {
            slot.1 += 1;
        }
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map_or(Script::Latin, |(s, _)| *s)
}

/// Which language's alphabet a Cyrillic name is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CyrillicLanguage {
    Russian,
    Ukrainian,
    Belarusian,
    Kazakh,
}

impl CyrillicLanguage {
    pub fn label(self) -> &'static str {
        match self {
            CyrillicLanguage::Russian => "Russian",
            CyrillicLanguage::Ukrainian => "Ukrainian",
            CyrillicLanguage::Belarusian => "Belarusian",
            CyrillicLanguage::Kazakh => "Kazakh",
        }
    }
}

/// Guesses the language of a whole Cyrillic name (all tokens together: in "Володимир Зеленський"
/// only the surname carries the Ukrainian `і`, yet the given name must be read as Ukrainian too).
pub fn cyrillic_language(name: &str) -> CyrillicLanguage {
    let mut language = CyrillicLanguage::Russian;
    // "-ський", "-цький": the soft sign before к is the Ukrainian surname ending (Russian
    // writes "-ский").
    if name.contains("ськ") || name.contains("цьк") {
        language = CyrillicLanguage::Ukrainian;
    }
    for c in name.chars() {
        match c {
            'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' => {
                return CyrillicLanguage::Kazakh;
            }
            'ў' => language = CyrillicLanguage::Belarusian,
            'ї' | 'є' | 'ґ' => language = CyrillicLanguage::Ukrainian,
            'і' if language == CyrillicLanguage::Russian => {
                // `і` alone is shared by Ukrainian, Belarusian and Kazakh. Belarusian has no `и`.
                language = if name.contains('и') {
                    CyrillicLanguage::Ukrainian
                } else {
                    CyrillicLanguage::Belarusian
                };
            }
            _ => {}
        }
    }
    language
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_tokens() {
        let cases = [
            ("Ivanov", Script::Latin),
            ("Иванов", Script::Cyrillic),
            ("Müller", Script::Latin),
            ("Νικόλαος", Script::Greek),
            ("محمد", Script::Arabic),
            ("משה", Script::Hebrew),
            ("习近平", Script::Han),
            ("김정은", Script::Hangul),
            ("สมชาย", Script::Other),
            ("123", Script::Latin),
        ];
        for (token, expected) in cases {
            assert_eq!(token_script(token), expected, "{token}");
        }
    }

    #[test]
    fn cyrillic_languages() {
        let cases = [
            ("иванов иван", CyrillicLanguage::Russian),
            ("володимир зеленський", CyrillicLanguage::Ukrainian),
            ("їжак", CyrillicLanguage::Ukrainian),
            ("нұрсұлтан әбішұлы", CyrillicLanguage::Kazakh),
            ("аляксандр лукашэнка", CyrillicLanguage::Russian),
            ("францішак багушэвіч", CyrillicLanguage::Belarusian),
            ("ўладзімір", CyrillicLanguage::Belarusian),
        ];
        for (name, expected) in cases {
            assert_eq!(cyrillic_language(name), expected, "{name}");
        }
    }
}
