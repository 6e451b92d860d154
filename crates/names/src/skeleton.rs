//! Phonetic skeletons: one spelling-independent key per romanised token.
//!
//! Romanisation systems disagree on how to write the same sound (zh/j/sch for ж, kh/h/ch for х,
//! y/i/j for й, ou/u, doubled consonants in Hassan/Hasan). The skeleton rewrites each such family
//! to one symbol, so that "Zhumabayev", "Jumabaev" and "Joumabaiev" share most of their key and
//! the weighted edit distance (`distance`) only has to price what remains.
//!
//! Written here rather than taken from `rphonetic`: Soundex/Metaphone are tuned to English
//! spelling and collapse vowels that distinguish Slavic and Arabic names (Ivanov/Ivanova); Beider-
//! Morse costs ~180 µs a name (DEPENDENCIES pitfall 2).
//!
//! Symbols: lower-case ASCII letters keep their value; `C` ч-like (ch, tch, tsch, cz), `S` ш-like
//! (sh, sch, sz, shch), `J` ж/дж-like (zh, j, dj, dzh), `H` х-like (kh, h).

/// The skeleton of a lower-case ASCII romanisation. Non-letters are dropped.
pub fn skeleton(latin: &str) -> Vec<u8> {
    let b = latin.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (symbol, used): (&[u8], usize) = if rest.starts_with(b"schtsch") {
            (b"S", 7)
        } else if rest.starts_with(b"shch") || rest.starts_with(b"chtch") {
            (b"S", if rest[0] == b's' { 4 } else { 5 })
        } else if rest.starts_with(b"tsch") || rest.starts_with(b"dzh") {
            (
                if rest[0] == b't' { b"C" } else { b"J" },
                if rest[0] == b't' { 4 } else { 3 },
            )
        } else if rest.starts_with(b"tch") || rest.starts_with(b"sch") || rest.starts_with(b"dsh") {
            (
                match rest[0] {
                    b't' => b"C",
                    b's' => b"S",
                    _ => b"J",
                },
                3,
            )
        } else if rest.len() >= 2 {
            match (rest[0], rest[1]) {
                (b'c', b'h') | (b'c', b'z') => (b"C", 2),
                (b's', b'h') | (b's', b'z') => (b"S", 2),
                (b'z', b'h') | (b'd', b'j') => (b"J", 2),
                (b'k', b'h') => (b"H", 2),
                (b'p', b'h') => (b"f", 2),
                (b't', b'h') => (b"t", 2),
                (b'd', b'h') => (b"d", 2),
                (b'g', b'h') => (b"g", 2),
                (b'c', b'k') => (b"k", 2),
                (b'q', b'u') => (b"k", 2),
                (b'o', b'u') | (b'o', b'o') => (b"u", 2),
                // German z and Slavic ц: Merz / Mertz, Tsoy / Zoi.
                (b't', b'z') | (b't', b's') => (b"z", 2),
                (b'e', b'e') => (b"i", 2),
                _ => (single(rest[0]), 1),
            }
        } else {
            (single(rest[0]), 1)
        };
        out.extend_from_slice(symbol);
        i += used;
    }
    // -iy, -ii, -yi, -ij endings (Yuriy, Iurii, Jurij) and doubled letters (Hassan, Hasan).
    out.dedup();
    if out.len() > 2 && out.ends_with(b"iJ") {
        out.truncate(out.len() - 1);
    }
    out
}

/// Every ASCII byte at its own index, so a letter can be returned as a one-byte slice.
static ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = i as u8;
        i += 1;
    }
    table
};

fn single(c: u8) -> &'static [u8] {
    match c {
        b'y' => b"i",
        b'j' => b"J",
        b'h' => b"H",
        b'c' | b'q' => b"k",
        b'x' => b"ks",
        b'w' => b"v",
        b'a'..=b'z' | b'0'..=b'9' => &ASCII[c as usize..c as usize + 1],
        _ => b"",
    }
}

/// The consonant frame of a skeleton: what an abjad (Arabic, Hebrew) writes. Long vowels written
/// as consonant letters (w, y) are dropped too, since the Latin side spells them as vowels.
pub fn consonants(skeleton: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = skeleton
        .iter()
        .copied()
        .filter(|c| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'v'))
        .collect();
    out.dedup();
    out
}

/// Is this skeleton symbol a vowel?
pub const fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        String::from_utf8(skeleton(s)).expect("skeletons are ASCII")
    }

    #[test]
    fn romanisation_families_share_a_skeleton() {
        let families: &[&[&str]] = &[
            &["zhumabaev", "jumabaev", "dzhumabaev"],
            &["khrushchev", "hrushchev"],
            &["yuriy", "yurii", "yuri", "iurii"],
            &["hassan", "hasan"],
            &["mohammed", "mohamed"],
            &["tchaikovsky", "chaikovski"],
            &["schukow", "shukov"],
            &["aleksandr", "alexandr"],
            &["joumabaiev", "jumabaiev"],
        ];
        for family in families {
            let first = key(family[0]);
            for other in &family[1..] {
                assert_eq!(key(other), first, "{} vs {}", family[0], other);
            }
        }
    }

    #[test]
    fn distinct_names_keep_distinct_skeletons() {
        assert_ne!(key("ivanov"), key("ivanova"));
        assert_ne!(key("orban"), key("orbach"));
    }

    #[test]
    fn consonant_frames() {
        assert_eq!(consonants(&skeleton("mohamed")), b"mHmd");
        assert_eq!(consonants(&skeleton("mhmd")), b"mHmd");
        assert_eq!(consonants(&skeleton("khaled")), b"Hld");
    }
}
