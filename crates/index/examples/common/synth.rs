//! A deterministic synthetic registry: multi-script persons (Russian, Ukrainian and Kazakh
//! Cyrillic with patronymics and gendered surnames, Arabic script, Greek, Latin European), their
//! romanisations in several systems, birth dates, nationalities, gender; and query variants of
//! generated persons with the id they should find (ground truth).
//!
//! Shared by the `generate` and `bench_index` examples (`#[path]` module), so that the benchmark
//! can stream ten million records into the index builder without a JSON round trip.

#![allow(dead_code)]

use haven_index::{BirthDate, Gender, IndexRecord, Query, Source};

#[path = "names.rs"]
mod names;

/// SplitMix64: small, fast, deterministic for a seed; no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    /// Skewed towards the start of a list: popular names are popular.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n.saturating_sub(1))
    }
}

fn words(list: &str) -> Vec<String> {
    list.split_whitespace()
        .map(|w| w.replace('_', " "))
        .collect()
}

/// Arabic entries "native:Latin1|Latin2".
fn pairs(list: &str) -> Vec<(String, Vec<String>)> {
    list.split_whitespace()
        .filter_map(|e| {
            let (native, latin) = e.split_once(':')?;
            Some((
                native.to_owned(),
                latin.split('|').map(|l| l.replace('_', " ")).collect(),
            ))
        })
        .collect()
}

fn combine(full: &str, roots: &str, suffixes: &str) -> Vec<String> {
    let mut out = words(full);
    for root in roots.split_whitespace() {
        for suffix in suffixes.split_whitespace() {
            out.push(format!("{root}{suffix}"));
        }
    }
    out.dedup();
    out
}

/// One Latin-script country: its code, male and female given names, surnames.
type LatinLists = (&'static str, Vec<String>, Vec<String>, Vec<String>);

/// All lists, prepared once.
pub struct Lists {
    ru_m: Vec<String>,
    ru_f: Vec<String>,
    ru_s: Vec<String>,
    ua_m: Vec<String>,
    ua_f: Vec<String>,
    ua_s: Vec<String>,
    kz_m: Vec<String>,
    kz_f: Vec<String>,
    kz_s: Vec<String>,
    ar_m: Vec<(String, Vec<String>)>,
    ar_f: Vec<(String, Vec<String>)>,
    ar_s: Vec<(String, Vec<String>)>,
    gr_m: Vec<String>,
    gr_f: Vec<String>,
    gr_s: Vec<String>,
    latin: Vec<LatinLists>,
}

impl Lists {
    pub fn new() -> Self {
        use names::*;
        Lists {
            ru_m: words(RU_MALE),
            ru_f: words(RU_FEMALE),
            ru_s: combine(RU_SURNAMES, RU_ROOTS, RU_SUFFIXES),
            ua_m: words(UA_MALE),
            ua_f: words(UA_FEMALE),
            ua_s: combine(UA_SURNAMES, UA_ROOTS, UA_SUFFIXES),
            kz_m: words(KZ_MALE),
            kz_f: words(KZ_FEMALE),
            kz_s: combine("", KZ_ROOTS, KZ_SUFFIXES),
            ar_m: pairs(AR_MALE),
            ar_f: pairs(AR_FEMALE),
            ar_s: pairs(AR_FAMILY),
            gr_m: words(GR_MALE),
            gr_f: words(GR_FEMALE),
            gr_s: combine(
                "Παπαδόπουλος Παπαδάκης Γεωργίου Οικονόμου Παπανικολάου Βασιλείου Νικολάου Κωνσταντινίδης Καραγιάννης Μακρής Ιωάννου Δημητρίου Χριστοδούλου Παππάς Αθανασίου Μιχαηλίδης Αντωνίου Σταματόπουλος Κυριακίδης Θεοδωρίδης Λαμπράκης Μαυρίδης Πετρόπουλος Αναγνώστου Κωστόπουλος Σαββίδης Τσακίρης Βλάχος Ξενάκης Χατζηδάκης Πανταζής",
                GR_ROOTS,
                GR_SUFFIXES,
            ),
            latin: vec![
                ("de", words(DE_MALE), words(DE_FEMALE), words(DE_SURNAMES)),
                ("fr", words(FR_MALE), words(FR_FEMALE), words(FR_SURNAMES)),
                ("es", words(ES_MALE), words(ES_FEMALE), words(ES_SURNAMES)),
                ("it", words(IT_MALE), words(IT_FEMALE), words(IT_SURNAMES)),
                ("pl", words(PL_MALE), words(PL_FEMALE), words(PL_SURNAMES)),
            ],
        }
    }
}

impl Default for Lists {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Culture {
    Russian,
    Ukrainian,
    Kazakh,
    Arabic,
    Greek,
    Latin(usize),
}

/// Cyrillic romanisation systems the generator writes (its own tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Bgn,
    Icao,
    French,
    German,
    Iso9,
}

const SYSTEMS: [System; 5] = [
    System::Bgn,
    System::Icao,
    System::French,
    System::German,
    System::Iso9,
];

/// One generated person, with every part in its own script (and Latin variants for Arabic).
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub culture: Culture,
    pub gender: Gender,
    /// Native parts: given, optional patronymic / father's name, surname.
    pub given: String,
    pub middle: Option<String>,
    pub surname: String,
    /// Arabic: Latin variants of given, middle, surname.
    pub latin_variants: Option<[Vec<String>; 3]>,
    pub birth: Option<BirthDate>,
    pub nationalities: Vec<String>,
    /// How the record wrote its names: native, Latin (system), or both.
    pub has_native: bool,
    pub has_latin: bool,
    pub system: System,
}

fn feminine_ru(surname: &str) -> String {
    for (m, f) in [("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")] {
        if let Some(stem) = surname.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    for end in ["ов", "ев", "ёв", "ин", "ын"] {
        if surname.ends_with(end) {
            return format!("{surname}а");
        }
    }
    if let Some(stem) = surname.strip_suffix("ський") {
        return format!("{stem}ська");
    }
    if let Some(stem) = surname.strip_suffix("ұлы") {
        return format!("{stem}қызы");
    }
    surname.to_owned()
}

fn feminine_gr(surname: &str) -> String {
    for (m, f) in [
        ("ίδης", "ίδου"),
        ("ος", "ου"),
        ("ης", "η"),
        ("ας", "α"),
        ("έας", "έα"),
    ] {
        if let Some(stem) = surname.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    surname.to_owned()
}

/// Russian-style patronymic from a father's name.
fn patronymic(father: &str, female: bool) -> Option<String> {
    let (m, f) = ("ович", "овна");
    let (em, ef) = ("евич", "евна");
    if father.ends_with('а') || father.ends_with('я') {
        return None;
    }
    Some(if let Some(stem) = father.strip_suffix("ий") {
        format!("{stem}ь{}", if female { ef } else { em })
    } else if let Some(stem) = father.strip_suffix("ій") {
        format!("{stem}і{}", if female { ef } else { em })
    } else if let Some(stem) = father.strip_suffix('й') {
        format!("{stem}{}", if female { ef } else { em })
    } else if let Some(stem) = father.strip_suffix('ь') {
        format!("{stem}{}", if female { ef } else { em })
    } else {
        format!("{father}{}", if female { f } else { m })
    })
}

pub fn person(lists: &Lists, n: u64, seed: u64) -> Person {
    let mut rng = Rng::new(seed.wrapping_mul(0x100_0000_01b3) ^ n);
    let culture = match rng.below(100) {
        0..=24 => Culture::Russian,
        25..=34 => Culture::Ukrainian,
        35..=44 => Culture::Kazakh,
        45..=64 => Culture::Arabic,
        65..=69 => Culture::Greek,
        _ => Culture::Latin(rng.below(lists.latin.len())),
    };
    let female = rng.chance(0.5);
    let gender = if female { Gender::Female } else { Gender::Male };
    let pick = |rng: &mut Rng, list: &[String]| list[rng.skewed(list.len())].clone();
    let mut latin_variants = None;
    let (given, middle, surname, nats): (String, Option<String>, String, Vec<&str>) = match culture
    {
        Culture::Russian | Culture::Ukrainian | Culture::Kazakh => {
            let (m, f, s, nat) = match culture {
                Culture::Russian => (&lists.ru_m, &lists.ru_f, &lists.ru_s, "ru"),
                Culture::Ukrainian => (&lists.ua_m, &lists.ua_f, &lists.ua_s, "ua"),
                _ => (&lists.kz_m, &lists.kz_f, &lists.kz_s, "kz"),
            };
            let given = pick(&mut rng, if female { f } else { m });
            let father = pick(&mut rng, m);
            let middle = if culture == Culture::Kazakh && rng.chance(0.3) {
                Some(format!("{father}{}", if female { "қызы" } else { "ұлы" }))
            } else {
                patronymic(&father, female)
            };
            let mut surname = pick(&mut rng, s);
            if female {
                surname = feminine_ru(&surname);
            }
            (given, middle, surname, vec![nat])
        }
        Culture::Arabic => {
            let g = &(if female { &lists.ar_f } else { &lists.ar_m })[rng.skewed(if female {
                lists.ar_f.len()
            } else {
                lists.ar_m.len()
            })];
            let father = &lists.ar_m[rng.skewed(lists.ar_m.len())];
            let family = &lists.ar_s[rng.below(lists.ar_s.len())];
            latin_variants = Some([g.1.clone(), father.1.clone(), family.1.clone()]);
            let nat = ["iq", "sy", "eg", "sa", "jo", "ma", "dz", "lb", "ye", "ly"][rng.below(10)];
            (
                g.0.clone(),
                Some(father.0.clone()),
                family.0.clone(),
                vec![nat],
            )
        }
        Culture::Greek => {
            let given = pick(&mut rng, if female { &lists.gr_f } else { &lists.gr_m });
            let mut surname = pick(&mut rng, &lists.gr_s);
            if female {
                surname = feminine_gr(&surname);
            }
            (
                given,
                None,
                surname,
                vec![if rng.chance(0.8) { "gr" } else { "cy" }],
            )
        }
        Culture::Latin(i) => {
            let (nat, m, f, s) = &lists.latin[i];
            let mut given = pick(&mut rng, if female { f } else { m });
            if rng.chance(0.2) {
                given = format!("{given} {}", pick(&mut rng, if female { f } else { m }));
            }
            let mut surname = pick(&mut rng, s);
            if *nat == "pl"
                && female
                && let Some(stem) = surname.strip_suffix('i')
            {
                surname = format!("{stem}a");
            }
            if rng.chance(0.15) {
                surname = format!("{surname}-{}", pick(&mut rng, s));
            }
            (given, None, surname, vec![nat])
        }
    };
    let mut nationalities: Vec<String> = nats.iter().map(|s| (*s).to_owned()).collect();
    if rng.chance(0.05) {
        nationalities
            .push(["de", "fr", "be", "nl", "se", "gb", "us", "tr"][rng.below(8)].to_owned());
    }
    let year = 1930 + rng.below(85) as u16;
    let month = 1 + rng.below(12) as u8;
    let day = 1 + rng.below(28) as u8;
    let birth = match rng.below(100) {
        0..=84 => Some(BirthDate {
            year,
            month: Some(month),
            day: Some(day),
        }),
        85..=94 => Some(BirthDate {
            year,
            month: None,
            day: None,
        }),
        _ => None,
    };
    let latin_culture = matches!(culture, Culture::Latin(_));
    let (has_native, has_latin) = if latin_culture {
        (true, false)
    } else {
        match rng.below(100) {
            0..=64 => (true, true),
            65..=84 => (false, true),
            _ => (true, false),
        }
    };
    let system = [
        System::Bgn,
        System::Bgn,
        System::Icao,
        System::Icao,
        System::French,
        System::German,
    ][rng.below(6)];
    Person {
        id: format!("R-{n:08}"),
        culture,
        gender,
        given,
        middle,
        surname,
        latin_variants,
        birth,
        nationalities,
        has_native,
        has_latin,
        system,
    }
}

/// Title case of a lower-case romanisation.
fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Romanises one Cyrillic word in a system (lower case in, title case out).
pub fn cyrillic(word: &str, system: System, ukrainian: bool) -> String {
    let lower = word.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let initial = i == 0 || "аеёиоуыэюяіїєәөұүъь".contains(chars[i - 1]);
        let piece: &str = match (system, c) {
            (_, 'а') => "a",
            (_, 'б') => "b",
            (System::German, 'в') => "w",
            (_, 'в') => "v",
            (_, 'г') if ukrainian => "h",
            (_, 'г') => "g",
            (_, 'ґ') => "g",
            (_, 'д') => "d",
            (System::Bgn, 'е') if initial && !ukrainian => "ye",
            (System::German, 'е') if initial => "je",
            (System::Iso9, 'е') => "e",
            (_, 'е') => "e",
            (System::Bgn, 'ё') => "yo",
            (System::Icao, 'ё') => "e",
            (System::French, 'ё') => "io",
            (System::German, 'ё') => "jo",
            (System::Iso9, 'ё') => "ë",
            (System::Bgn | System::Icao, 'ж') => "zh",
            (System::French, 'ж') => "j",
            (System::German, 'ж') => "sch",
            (System::Iso9, 'ж') => "ž",
            (System::German, 'з') => "s",
            (_, 'з') => "z",
            (_, 'и') if ukrainian => "y",
            (_, 'и') => "i",
            (System::Bgn, 'й') => "y",
            (System::Icao, 'й') => "i",
            (System::French, 'й') => "i",
            (_, 'й') => "j",
            (_, 'к') => "k",
            (_, 'л') => "l",
            (_, 'м') => "m",
            (_, 'н') => "n",
            (_, 'о') => "o",
            (_, 'п') => "p",
            (_, 'р') => "r",
            (_, 'с') => "s",
            (_, 'т') => "t",
            (System::French, 'у') => "ou",
            (_, 'у') => "u",
            (_, 'ф') => "f",
            (System::Bgn | System::Icao | System::French, 'х') => "kh",
            (System::German, 'х') => "ch",
            (System::Iso9, 'х') => "h",
            (System::German, 'ц') => "z",
            (System::Iso9, 'ц') => "c",
            (_, 'ц') => "ts",
            (System::French, 'ч') => "tch",
            (System::German, 'ч') => "tsch",
            (System::Iso9, 'ч') => "č",
            (_, 'ч') => "ch",
            (System::French, 'ш') => "ch",
            (System::German, 'ш') => "sch",
            (System::Iso9, 'ш') => "š",
            (_, 'ш') => "sh",
            (System::French, 'щ') => "chtch",
            (System::German, 'щ') => "schtsch",
            (System::Iso9, 'щ') => "ŝ",
            (_, 'щ') => "shch",
            (System::Icao, 'ъ') => "ie",
            (_, 'ъ') | (_, 'ь') => "",
            (_, 'ы') => "y",
            (System::Iso9, 'э') => "è",
            (_, 'э') => "e",
            (System::Bgn, 'ю') => "yu",
            (System::Icao, 'ю') => "iu",
            (System::French, 'ю') => "iou",
            (System::German, 'ю') => "ju",
            (System::Iso9, 'ю') => "û",
            (System::Bgn, 'я') => "ya",
            (System::Icao | System::French, 'я') => "ia",
            (System::German, 'я') => "ja",
            (System::Iso9, 'я') => "â",
            (_, 'і') => "i",
            (System::German, 'ї') => "ji",
            (System::Bgn, 'ї') => "yi",
            (_, 'ї') => "i",
            (System::German, 'є') => "je",
            (System::Bgn, 'є') => "ye",
            (_, 'є') => "ie",
            (_, 'ә') => "a",
            (System::Bgn | System::Icao, 'ғ') => "gh",
            (_, 'ғ') => "g",
            (System::Iso9, 'қ') => "q",
            (_, 'қ') => "k",
            (_, 'ң') => "ng",
            (_, 'ө') => "o",
            (_, 'ұ') => "u",
            (_, 'ү') => "u",
            (_, 'һ') => "h",
            (_, '\'') => "",
            _ => "",
        };
        out.push_str(piece);
    }
    title(&out)
}

/// Romanises a Greek word: `classical` writes ch/y/ou/mp, otherwise h/i/u/b.
pub fn greek(word: &str, classical: bool) -> String {
    let bare: String = word
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ά' => 'α',
            'έ' => 'ε',
            'ή' => 'η',
            'ί' | 'ϊ' | 'ΐ' => 'ι',
            'ό' => 'ο',
            'ύ' | 'ϋ' | 'ΰ' => 'υ',
            'ώ' => 'ω',
            'ς' => 'σ',
            other => other,
        })
        .collect();
    let chars: Vec<char> = bare.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let pair = (chars[i], chars.get(i + 1).copied().unwrap_or(' '));
        let (piece, used) = match pair {
            ('ο', 'υ') => (if classical { "ou" } else { "u" }, 2),
            ('α', 'ι') => (if classical { "ai" } else { "e" }, 2),
            ('ε', 'ι') => (if classical { "ei" } else { "i" }, 2),
            ('ο', 'ι') => (if classical { "oi" } else { "i" }, 2),
            ('α', 'υ') => ("av", 2),
            ('ε', 'υ') => ("ev", 2),
            ('μ', 'π') if i == 0 => (if classical { "mp" } else { "b" }, 2),
            ('ν', 'τ') if i == 0 => (if classical { "nt" } else { "d" }, 2),
            ('γ', 'γ') => ("ng", 2),
            ('γ', 'κ') => (if classical { "gk" } else { "g" }, 2),
            (c, _) => (
                match c {
                    'α' => "a",
                    'β' => "v",
                    'γ' => "g",
                    'δ' => "d",
                    'ε' => "e",
                    'ζ' => "z",
                    'η' => "i",
                    'θ' => "th",
                    'ι' => "i",
                    'κ' => "k",
                    'λ' => "l",
                    'μ' => "m",
                    'ν' => "n",
                    'ξ' => "x",
                    'ο' => "o",
                    'π' => "p",
                    'ρ' => "r",
                    'σ' => "s",
                    'τ' => "t",
                    'υ' => {
                        if classical {
                            "y"
                        } else {
                            "i"
                        }
                    }
                    'φ' => "f",
                    'χ' => {
                        if classical {
                            "ch"
                        } else {
                            "h"
                        }
                    }
                    'ψ' => "ps",
                    'ω' => "o",
                    _ => "",
                },
                1,
            ),
        };
        out.push_str(piece);
        i += used;
    }
    title(&out)
}

/// Latin spelling of each part (given, middle, surname) in a system or variant choice.
fn latin_parts(p: &Person, system: System, variant: usize) -> [Option<String>; 3] {
    match p.culture {
        Culture::Russian | Culture::Ukrainian | Culture::Kazakh => {
            let ua = p.culture == Culture::Ukrainian;
            [
                Some(cyrillic(&p.given, system, ua)),
                p.middle.as_ref().map(|m| cyrillic(m, system, ua)),
                Some(cyrillic(&p.surname, system, ua)),
            ]
        }
        Culture::Greek => {
            let classical = variant.is_multiple_of(2);
            [
                Some(greek(&p.given, classical)),
                None,
                Some(greek(&p.surname, classical)),
            ]
        }
        Culture::Arabic => {
            let v = p.latin_variants.as_ref().map(|v| {
                v.clone()
                    .map(|list| list[variant.min(list.len() - 1)].clone())
            });
            match v {
                Some([a, b, c]) => [Some(a), Some(b), Some(c)],
                None => [None, None, None],
            }
        }
        Culture::Latin(_) => [Some(p.given.clone()), None, Some(p.surname.clone())],
    }
}

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The record's names, as the registry holds them.
pub fn record_names(p: &Person) -> Vec<String> {
    let mut names = Vec::new();
    if p.has_native {
        match p.culture {
            Culture::Russian | Culture::Ukrainian | Culture::Kazakh => names.push(join(&[
                Some(&p.surname),
                Some(&p.given),
                p.middle.as_deref(),
            ])),
            Culture::Arabic => names.push(join(&[
                Some(&p.given),
                p.middle.as_deref(),
                Some(&p.surname),
            ])),
            _ => names.push(join(&[Some(&p.given), Some(&p.surname)])),
        }
    }
    if p.has_latin {
        let [g, m, s] = latin_parts(p, p.system, 0);
        let with_middle = matches!(p.culture, Culture::Arabic);
        names.push(join(&[
            g.as_deref(),
            if with_middle { m.as_deref() } else { None },
            s.as_deref(),
        ]));
    }
    names
}

pub fn record(p: &Person) -> IndexRecord {
    IndexRecord {
        id: p.id.clone(),
        source: Source::Registry,
        names: record_names(p),
        birth_date: p.birth,
        nationalities: p.nationalities.clone(),
        gender: Some(p.gender),
    }
}

/// One ground-truth query: a variant of a generated person.
#[derive(Debug, Clone)]
pub struct Variant {
    pub expected: String,
    pub kind: &'static str,
    pub query: Query,
}

fn typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let at = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.swap(at, at + 1),
        2 => {
            let c = chars[at];
            chars.insert(at, c);
        }
        _ => chars[at] = ['a', 'e', 'i', 'o', 'u', 'n', 'r', 's'][rng.below(8)],
    }
    chars.into_iter().collect()
}

/// A query variant of person `p`: another script, another romanisation, a typo, another word
/// order, the patronymic left out; with a birth date that may be partial, swapped or a year off.
pub fn variant(p: &Person, rng: &mut Rng) -> Variant {
    let native_script = !matches!(p.culture, Culture::Latin(_));
    let kinds: &[&'static str] = if native_script {
        &[
            "other_system",
            "native_script",
            "typo",
            "surname_first",
            "no_middle",
            "latin_variant",
        ]
    } else {
        &["typo", "surname_first", "ascii_upper", "given_only_first"]
    };
    let kind = kinds[rng.below(kinds.len())];
    let other_system = SYSTEMS
        .iter()
        .copied()
        .filter(|s| *s != p.system)
        .nth(rng.below(SYSTEMS.len() - 1))
        .unwrap_or(System::Bgn);
    let [g, m, s] = latin_parts(p, other_system, 1 + rng.below(3));
    let (g, m, s) = (g.unwrap_or_default(), m, s.unwrap_or_default());
    let name = match kind {
        "native_script" => match p.culture {
            Culture::Arabic => join(&[Some(&p.given), p.middle.as_deref(), Some(&p.surname)]),
            _ => join(&[Some(&p.given), p.middle.as_deref(), Some(&p.surname)]),
        },
        "other_system" | "latin_variant" => join(&[Some(&g), m.as_deref(), Some(&s)]),
        "no_middle" => join(&[Some(&s), Some(&g)]),
        "typo" => {
            if rng.chance(0.5) {
                join(&[Some(&typo(rng, &g)), m.as_deref(), Some(&s)])
            } else {
                join(&[Some(&g), m.as_deref(), Some(&typo(rng, &s))])
            }
        }
        "surname_first" => format!("{}, {}", s.to_uppercase(), join(&[Some(&g), m.as_deref()])),
        "ascii_upper" => any_ascii::any_ascii(&format!("{g} {s}")).to_uppercase(),
        _ => format!("{s} {g}"),
    };
    let birth = p.birth.and_then(|b| match rng.below(100) {
        0..=54 => Some(b),
        55..=69 => Some(BirthDate {
            year: b.year,
            month: None,
            day: None,
        }),
        70..=79 => match (b.month, b.day) {
            (Some(m), Some(d)) if d <= 12 => Some(BirthDate {
                year: b.year,
                month: Some(d),
                day: Some(m),
            }),
            _ => Some(b),
        },
        80..=84 => Some(BirthDate {
            year: b.year + 1,
            ..b
        }),
        _ => None,
    });
    Variant {
        expected: p.id.clone(),
        kind,
        query: Query {
            names: vec![name],
            birth_date: birth,
            nationalities: if rng.chance(0.7) {
                p.nationalities.clone()
            } else {
                Vec::new()
            },
            gender: if rng.chance(0.3) {
                Some(p.gender)
            } else {
                None
            },
        },
    }
}

pub fn record_json(r: &IndexRecord) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": r.id,
        "names": r.names,
        "nationalities": r.nationalities,
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2015-01-01", "against": r.nationalities},
    });
    if let Some(b) = r.birth_date {
        v["birth_date"] = b.to_string().into();
    }
    if let Some(g) = r.gender {
        v["gender"] = g.label().into();
    }
    v
}

pub fn query_json(q: &Query) -> serde_json::Value {
    let mut v = serde_json::json!({"names": q.names, "nationalities": q.nationalities});
    if let Some(b) = q.birth_date {
        v["birth_date"] = b.to_string().into();
    }
    if let Some(g) = q.gender {
        v["gender"] = g.label().into();
    }
    v
}

/// Random non-member queries: persons generated from another seed, ids not in the registry.
pub fn stranger(lists: &Lists, n: u64, seed: u64) -> Query {
    let p = person(lists, n, seed ^ 0xdead_beef);
    let mut rng = Rng::new(n ^ seed);
    let mut v = variant(&p, &mut rng);
    v.query.names.truncate(1);
    v.query
}
