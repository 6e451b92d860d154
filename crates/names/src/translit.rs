//! Romanisation of Cyrillic, Greek and Arabic names into plain ASCII, in several systems at once.
//!
//! A foreign request spells "Жумабаев" as the requesting state's passport office does, the asylum
//! file as the receiving state's clerk did: BGN/PCGN, ICAO 9303, ISO 9, German or French habits.
//! Each Cyrillic token is therefore romanised in every system and compared in all of them.
//!
//! Written by hand rather than with ICU4X's transliterator: ICU costs about 20 µs a name (the
//! pairwise bar is 5 µs for two names), has no German or French systems and cannot emit several
//! systems in one pass. The tables follow the published standards; the tests pin well-known
//! romanisations. Other scripts fall back to `any_ascii`.

use crate::script::{CyrillicLanguage, Script};

/// The romanisation systems applied to Cyrillic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    /// BGN/PCGN (English-speaking geographic and government use).
    Bgn,
    /// ICAO Doc 9303 machine-readable passports (Russia since 2013, Ukraine and Kazakhstan).
    Icao,
    /// ISO 9 / GOST 7.79 system A with its diacritics folded to ASCII.
    Iso9,
    /// German (Duden) habits: Sch, Tsch, W, J.
    German,
    /// French habits: Ch, Tch, Ou, J for ж.
    French,
}

impl System {
    pub const ALL: [System; 5] = [
        System::Bgn,
        System::Icao,
        System::Iso9,
        System::German,
        System::French,
    ];

    pub fn label(self) -> &'static str {
        match self {
            System::Bgn => "BGN/PCGN",
            System::Icao => "ICAO 9303 passport",
            System::Iso9 => "ISO 9",
            System::German => "German style",
            System::French => "French style",
        }
    }

    fn column(self) -> usize {
        self as usize
    }
}

/// One letter in each system, in the order of [`System::ALL`].
type Row = [&'static str; 5];

fn is_cyrillic_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е'
            | 'ё'
            | 'и'
            | 'о'
            | 'у'
            | 'ы'
            | 'э'
            | 'ю'
            | 'я'
            | 'і'
            | 'ї'
            | 'є'
            | 'ә'
            | 'ө'
            | 'ұ'
            | 'ү'
    )
}

/// Russian letters, and the base for the other languages.
fn russian(c: char, after_vowel_or_start: bool) -> Option<Row> {
    Some(match c {
        'а' => ["a", "a", "a", "a", "a"],
        'б' => ["b", "b", "b", "b", "b"],
        'в' => ["v", "v", "v", "w", "v"],
        'г' => ["g", "g", "g", "g", "g"],
        'д' => ["d", "d", "d", "d", "d"],
        // BGN writes "ye" word-initially and after vowels and signs; German "je".
        'е' if after_vowel_or_start => ["ye", "e", "e", "je", "ie"],
        'е' => ["e", "e", "e", "e", "e"],
        'ё' if after_vowel_or_start => ["yo", "e", "e", "jo", "io"],
        'ё' => ["e", "e", "e", "jo", "io"],
        'ж' => ["zh", "zh", "z", "sch", "j"],
        'з' => ["z", "z", "z", "s", "z"],
        'и' => ["i", "i", "i", "i", "i"],
        'й' => ["y", "i", "j", "j", "i"],
        'к' => ["k", "k", "k", "k", "k"],
        'л' => ["l", "l", "l", "l", "l"],
        'м' => ["m", "m", "m", "m", "m"],
        'н' => ["n", "n", "n", "n", "n"],
        'о' => ["o", "o", "o", "o", "o"],
        'п' => ["p", "p", "p", "p", "p"],
        'р' => ["r", "r", "r", "r", "r"],
        'с' => ["s", "s", "s", "s", "s"],
        'т' => ["t", "t", "t", "t", "t"],
        'у' => ["u", "u", "u", "u", "ou"],
        'ф' => ["f", "f", "f", "f", "f"],
        'х' => ["kh", "kh", "h", "ch", "kh"],
        'ц' => ["ts", "ts", "c", "z", "ts"],
        'ч' => ["ch", "ch", "c", "tsch", "tch"],
        'ш' => ["sh", "sh", "s", "sch", "ch"],
        'щ' => ["shch", "shch", "s", "schtsch", "chtch"],
        'ъ' => ["", "ie", "", "", ""],
        'ы' => ["y", "y", "y", "y", "y"],
        'ь' => ["", "", "", "", ""],
        'э' => ["e", "e", "e", "e", "e"],
        'ю' => ["yu", "iu", "u", "ju", "iou"],
        'я' => ["ya", "ia", "a", "ja", "ia"],
        _ => return None,
    })
}

fn ukrainian(c: char, after_vowel_or_start: bool) -> Option<Row> {
    Some(match c {
        'г' => ["h", "h", "g", "h", "h"],
        'ґ' => ["g", "g", "g", "g", "g"],
        'е' => ["e", "e", "e", "e", "e"],
        'є' if after_vowel_or_start => ["ye", "ie", "e", "je", "ie"],
        'є' => ["ie", "ie", "e", "je", "ie"],
        'и' => ["y", "y", "i", "y", "y"],
        'і' => ["i", "i", "i", "i", "i"],
        'ї' => ["yi", "i", "i", "ji", "ii"],
        'й' if after_vowel_or_start => ["y", "i", "j", "j", "i"],
        // Ukrainian "-ський" endings: the passport form is "-skyi", BGN "-s'kyy".
        'й' => ["y", "i", "j", "j", "i"],
        'ь' => ["", "", "", "", ""],
        _ => return russian(c, after_vowel_or_start),
    })
}

fn belarusian(c: char, after_vowel_or_start: bool) -> Option<Row> {
    Some(match c {
        'г' => ["h", "h", "g", "h", "h"],
        'і' => ["i", "i", "i", "i", "i"],
        'ў' => ["w", "u", "u", "w", "ou"],
        _ => return russian(c, after_vowel_or_start),
    })
}

fn kazakh(c: char, after_vowel_or_start: bool) -> Option<Row> {
    // BGN/PCGN 1979 Kazakh, the passport (ICAO) practice, and the 2021 Kazakh Latin alphabet's
    // habits (j for ж) in the French column, since French and new Kazakh Latin agree on j.
    Some(match c {
        'ә' => ["a", "a", "a", "ae", "a"],
        'ғ' => ["gh", "g", "g", "gh", "g"],
        'қ' => ["q", "k", "k", "k", "q"],
        'ң' => ["ng", "n", "n", "ng", "n"],
        'ө' => ["o", "o", "o", "oe", "o"],
        'ұ' => ["u", "u", "u", "u", "u"],
        'ү' => ["u", "u", "u", "ue", "u"],
        'һ' => ["h", "h", "h", "h", "h"],
        'і' => ["i", "i", "i", "i", "i"],
        _ => return russian(c, after_vowel_or_start),
    })
}

/// Romanises one lower-case Cyrillic token in every system, in the order of [`System::ALL`].
pub fn cyrillic_token(token: &str, language: CyrillicLanguage) -> [String; 5] {
    let mut out: [String; 5] = Default::default();
    for s in out.iter_mut() {
        s.reserve(token.len());
    }
    let mut after_vowel_or_start = true;
    for c in token.chars() {
        let row = match language {
            CyrillicLanguage::Russian => russian(c, after_vowel_or_start),
            CyrillicLanguage::Ukrainian => ukrainian(c, after_vowel_or_start),
            CyrillicLanguage::Belarusian => belarusian(c, after_vowel_or_start),
            CyrillicLanguage::Kazakh => kazakh(c, after_vowel_or_start),
        };
        match row {
            Some(row) => {
                for system in System::ALL {
                    out[system.column()].push_str(row[system.column()]);
                }
            }
            None => {
                let ascii = any_ascii::any_ascii_char(c);
                for s in out.iter_mut() {
                    s.push_str(ascii);
                }
            }
        }
        after_vowel_or_start = is_cyrillic_vowel(c) || matches!(c, 'ъ' | 'ь' | '\'');
    }
    out
}

/// Romanises one lower-case Greek token (accents already removed): ELOT 743 and the older
/// "classical" habits (Alexandros / Aleksandros, Nikolaos, Christos / Hristos).
pub fn greek_token(token: &str) -> [String; 2] {
    let chars: Vec<char> = token.chars().collect();
    let mut elot = String::with_capacity(token.len() + 4);
    let mut classical = String::with_capacity(token.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let pair: Option<(&str, &str)> = match (c, next) {
            ('ο', Some('υ')) => Some(("ou", "u")),
            ('α', Some('ι')) => Some(("ai", "e")),
            ('ε', Some('ι')) => Some(("ei", "i")),
            ('ο', Some('ι')) => Some(("oi", "i")),
            ('α', Some('υ')) => Some(("av", "af")),
            ('ε', Some('υ')) => Some(("ev", "ef")),
            ('γ', Some('γ')) => Some(("ng", "ng")),
            ('γ', Some('κ')) => Some(("gk", "g")),
            ('μ', Some('π')) if i == 0 => Some(("b", "b")),
            ('ν', Some('τ')) if i == 0 => Some(("d", "d")),
            _ => None,
        };
        if let Some((e, k)) = pair {
            elot.push_str(e);
            classical.push_str(k);
            i += 2;
            continue;
        }
        let (e, k) = match c {
            'α' => ("a", "a"),
            'β' => ("v", "v"),
            'γ' => ("g", "g"),
            'δ' => ("d", "d"),
            'ε' => ("e", "e"),
            'ζ' => ("z", "z"),
            'η' => ("i", "i"),
            'θ' => ("th", "th"),
            'ι' => ("i", "i"),
            'κ' => ("k", "k"),
            'λ' => ("l", "l"),
            'μ' => ("m", "m"),
            'ν' => ("n", "n"),
            'ξ' => ("x", "ks"),
            'ο' => ("o", "o"),
            'π' => ("p", "p"),
            'ρ' => ("r", "r"),
            'σ' | 'ς' => ("s", "s"),
            'τ' => ("t", "t"),
            'υ' => ("y", "i"),
            'φ' => ("f", "ph"),
            'χ' => ("ch", "h"),
            'ψ' => ("ps", "ps"),
            'ω' => ("o", "o"),
            other => {
                let ascii = any_ascii::any_ascii_char(other);
                (ascii, ascii)
            }
        };
        elot.push_str(e);
        classical.push_str(k);
        i += 1;
    }
    [elot, classical]
}

/// Romanises one Arabic-script token (Arabic, Persian, Urdu letters) to its consonant frame with
/// long vowels, in Arabic and in Persian/Urdu pronunciation (ض ذ ظ as z, ث as s: فيض is Faiz in
/// Kabul, Fayd in Cairo). Short vowels are usually unwritten, so the result is compared on
/// consonants.
pub fn arabic_token(token: &str) -> [String; 2] {
    let arabic = arabic_reading(token);
    let persian: String = token
        .chars()
        .map(|c| match c {
            'ض' | 'ذ' | 'ظ' => 'ز',
            'ث' => 'س',
            other => other,
        })
        .collect();
    [arabic, arabic_reading(&persian)]
}

fn arabic_reading(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        let s = match c {
            'ا' | 'أ' | 'آ' | 'ٱ' => "a",
            'إ' => "i",
            'ب' => "b",
            'ت' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' => "h",
            'خ' => "kh",
            'د' => "d",
            'ذ' => "dh",
            'ر' => "r",
            'ز' => "z",
            'س' => "s",
            'ش' => "sh",
            'ص' => "s",
            'ض' => "d",
            'ط' => "t",
            'ظ' => "z",
            'ع' => {
                if at_start {
                    "a"
                } else {
                    ""
                }
            }
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ك' | 'ک' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'ه' | 'ھ' => "h",
            'ة' => "a",
            'و' => {
                if at_start {
                    "w"
                } else {
                    "u"
                }
            }
            'ي' | 'ی' | 'ى' => {
                if at_start {
                    "y"
                } else {
                    "i"
                }
            }
            'ء' | 'ئ' | 'ؤ' => "",
            'پ' => "p",
            'چ' => "ch",
            'ژ' => "zh",
            'گ' => "g",
            'ڤ' => "v",
            // Harakat, where present: short vowels.
            '\u{064E}' => "a",
            '\u{0650}' => "i",
            '\u{064F}' => "u",
            // Shadda doubles the previous consonant; equal consonants collapse in comparison.
            '\u{0651}' | '\u{0652}' | '\u{0640}' => "",
            other => any_ascii::any_ascii_char(other),
        };
        out.push_str(s);
        at_start = false;
        let _ = chars.peek();
    }
    out
}

/// Romanises a token of any other script with `any_ascii` (Hebrew, Chinese, Korean, Thai…),
/// lower-cased. Chinese and Korean syllables come back capitalised and run together
/// ("XiJinPing"); they are split at the capitals so each syllable is a part of its own.
pub fn fallback_token(token: &str, script: Script) -> Vec<String> {
    let ascii = any_ascii::any_ascii(token);
    if matches!(script, Script::Han | Script::Hangul) {
        let mut parts = Vec::new();
        let mut current = String::new();
        for c in ascii.chars() {
            if c.is_ascii_uppercase() && !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            if c.is_ascii_alphanumeric() {
                current.push(c.to_ascii_lowercase());
            }
        }
        if !current.is_empty() {
            parts.push(current);
        }
        parts
    } else {
        let folded: String = ascii
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if folded.is_empty() {
            Vec::new()
        } else {
            vec![folded]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(token: &str, language: CyrillicLanguage, system: System) -> String {
        cyrillic_token(token, language)[system.column()].clone()
    }

    #[test]
    fn russian_romanisations_follow_the_standards() {
        use CyrillicLanguage::Russian;
        let cases = [
            ("жумабаев", System::Bgn, "zhumabayev"),
            ("жумабаев", System::Icao, "zhumabaev"),
            ("жумабаев", System::French, "joumabaiev"),
            ("ерлан", System::Bgn, "yerlan"),
            ("ерлан", System::Icao, "erlan"),
            ("ерлан", System::German, "jerlan"),
            ("юрий", System::Bgn, "yuriy"),
            ("юрий", System::Icao, "iurii"),
            ("юрий", System::German, "jurij"),
            ("юрий", System::French, "iourii"),
            ("хрущёв", System::Bgn, "khrushchev"),
            ("хрущёв", System::German, "chruschtschjow"),
            ("щербаков", System::Iso9, "serbakov"),
            ("чайковский", System::German, "tschajkowskij"),
            ("чайковский", System::French, "tchaikovskii"),
            ("цой", System::Bgn, "tsoy"),
            ("ильич", System::Bgn, "ilich"),
        ];
        for (token, sys, expected) in cases {
            assert_eq!(
                system(token, Russian, sys),
                expected,
                "{token} in {}",
                sys.label()
            );
        }
    }

    #[test]
    fn ukrainian_kazakh_and_belarusian_letters() {
        let cases = [
            (
                "володимир",
                CyrillicLanguage::Ukrainian,
                System::Icao,
                "volodymyr",
            ),
            (
                "зеленський",
                CyrillicLanguage::Ukrainian,
                System::Icao,
                "zelenskyi",
            ),
            (
                "олександрович",
                CyrillicLanguage::Ukrainian,
                System::Bgn,
                "oleksandrovych",
            ),
            (
                "григорій",
                CyrillicLanguage::Ukrainian,
                System::Icao,
                "hryhorii",
            ),
            (
                "нұрсұлтан",
                CyrillicLanguage::Kazakh,
                System::Icao,
                "nursultan",
            ),
            ("қасым", CyrillicLanguage::Kazakh, System::Bgn, "qasym"),
            ("тоқаев", CyrillicLanguage::Kazakh, System::Icao, "tokaev"),
            ("ғалым", CyrillicLanguage::Kazakh, System::Bgn, "ghalym"),
            (
                "лукашэнка",
                CyrillicLanguage::Belarusian,
                System::Bgn,
                "lukashenka",
            ),
            (
                "ўладзімір",
                CyrillicLanguage::Belarusian,
                System::Bgn,
                "wladzimir",
            ),
        ];
        for (token, language, sys, expected) in cases {
            assert_eq!(
                system(token, language, sys),
                expected,
                "{token} ({})",
                language.label()
            );
        }
    }

    #[test]
    fn greek_romanisations() {
        assert_eq!(greek_token("αλεξανδρος"), ["alexandros", "aleksandros"]);
        assert_eq!(greek_token("νικολαος"), ["nikolaos", "nikolaos"]);
        assert_eq!(greek_token("χρηστος"), ["christos", "hristos"]);
        assert_eq!(greek_token("γεωργιου"), ["georgiou", "georgiu"]);
    }

    #[test]
    fn arabic_consonant_frames() {
        assert_eq!(arabic_token("محمد")[0], "mhmd");
        assert_eq!(arabic_token("علي")[0], "ali");
        assert_eq!(arabic_token("خالد")[0], "khald");
        assert_eq!(arabic_token("حسين")[0], "hsin");
        assert_eq!(arabic_token("فيض"), ["fid", "fiz"]);
    }

    #[test]
    fn fallback_splits_syllables() {
        assert_eq!(fallback_token("习近平", Script::Han), ["xi", "jin", "ping"]);
        assert_eq!(fallback_token("משה", Script::Hebrew), ["msh"]);
    }
}
