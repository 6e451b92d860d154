//! Comparison of two analysed names: align their parts, score the alignment, explain it.
//!
//! Parts are aligned one-to-one regardless of order (requests often put the family name first),
//! best pairs first. The score asks two questions: how much of the shorter name is explained by
//! the longer one (missing parts are costly), and how much of the longer one is explained (extra
//! middle names and patronymics cost little). Names written together or split differently are
//! caught by comparing the parts joined up, and a part split into adjacent pieces on the other
//! side (Plat Ono Vich / Platonovich) is aligned with the pieces as one, whatever the order.
//!
//! The tier (`match`, `possible`, `none`) is not the score alone: a comparison also records its
//! [`Doubt`]s — a part explained only by letters no romanisation accounts for, a surname that only
//! begins like the other, a patronymic against a name, Arabic written vowels that disagree, a
//! loose reading of a Chinese or Korean character, parts missing or contradicting — and any doubt
//! keeps it out of `match`.

use std::fmt::Write as _;

use crate::analyse::{AnalysedName, Part, PartKind};
use crate::distance::{hard_edits, similarity_at_least, soft_substitute};
use crate::skeleton::skeleton_into;

/// Part pairs below this similarity are not aligned at all.
const MIN_PART_SIMILARITY: f32 = 0.55;

/// Why two parts were aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Written the same (after case folding).
    Identical,
    /// Different scripts or systems that romanise to the same thing.
    SameRomanisation,
    /// Close spellings: transliteration variants or typing errors.
    Spelling,
    /// Feminine and masculine forms of one surname.
    GenderedForm,
    /// Variants of one given name in the lexicon (Aleksandr / Alexander / Sasha).
    KnownVariant,
    /// An initial against a name starting with that letter.
    Initial,
    /// The beginning of a name standing for the whole (Ben / Benjamin).
    ShortForm,
    /// Same consonants; the script (Arabic, Hebrew) does not write short vowels.
    Consonants,
    /// Patronymics made from the same father's name: Russian and Turkic forms, son's and
    /// daughter's (Nurlanovich / Nurlanovna / Nurlanuly / Nurlan kyzy).
    SameFather,
    /// One name written in several parts on one side (Plat Ono Vich / Platonovich, Mohammad
    /// Hasni / Mohammadhasni): the pair's part on the `left_side` name (`true`) and the
    /// `pieces - 1` parts after it, written together, are the other side's part.
    Split { left_side: bool, pieces: usize },
}

/// One aligned pair of parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignedPair {
    pub left: usize,
    pub right: usize,
    pub similarity: f32,
    pub how: How,
    /// Which romanisation of each side gave the best similarity.
    pub left_variant: usize,
    pub right_variant: usize,
}

/// The result of comparing two names.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// In [0, 1]; 1 for the same name.
    pub score: f32,
    pub pairs: Vec<AlignedPair>,
    /// Parts of each name that found no partner (titles excluded).
    pub unmatched_left: Vec<usize>,
    pub unmatched_right: Vec<usize>,
    /// Both names carry a patronymic and they differ.
    pub conflicting_patronymics: bool,
    /// Pairs of name parts, one on each side, that found no partner: contradictions.
    pub conflicts: usize,
    /// The names place the same part on different sides of "bin"/"ibn": father and son.
    pub lineage_conflict: bool,
    /// The aligned parts stand in a different order.
    pub reordered: bool,
    /// The score came from the names joined up (written together or split differently).
    pub joined: bool,
    /// What keeps this comparison out of the `match` tier, whatever its score (see
    /// [`Comparison::tier`]).
    pub doubts: Vec<Doubt>,
}

/// Something in the structure of a comparison that a careful officer would check before calling
/// two names one person: the comparison is `possible` at most. Indices are part indices of the
/// left and right names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doubt {
    /// Aligned parts differ in letters no romanisation or spelling habit explains: a different
    /// name a few letters off (Kirilenko / Kyrytschenko), or a typing error.
    Letters {
        left: usize,
        right: usize,
        edits: u32,
    },
    /// One part only begins like the other (Aliyev / Aliyevrin).
    Prefix { left: usize, right: usize },
    /// A father's name aligned with a given or family name (Glebovich / Glebow).
    PatronymicAsName { left: usize, right: usize },
    /// Same Arabic-script consonants, but the long vowels the Arabic does write disagree with the
    /// Latin (حمیدی / Ahmadi).
    ArabicVowels { left: usize, right: usize },
    /// Chinese or Korean characters matched through a loose reading rather than their exact one.
    LooseReading { left: usize, right: usize },
    /// A name part of the left (`true`) or right name that the other lacks.
    Missing { left_side: bool, index: usize },
    /// The names match only written together, and then differ in this many letters that no
    /// romanisation explains.
    Joined { edits: u32 },
    /// The names contradict each other: different patronymics, a name part on each side that the
    /// other lacks, father and son across "bin".
    Contradiction,
}

impl Doubt {
    fn swapped(self) -> Doubt {
        match self {
            Doubt::Letters { left, right, edits } => Doubt::Letters {
                left: right,
                right: left,
                edits,
            },
            Doubt::Prefix { left, right } => Doubt::Prefix {
                left: right,
                right: left,
            },
            Doubt::PatronymicAsName { left, right } => Doubt::PatronymicAsName {
                left: right,
                right: left,
            },
            Doubt::ArabicVowels { left, right } => Doubt::ArabicVowels {
                left: right,
                right: left,
            },
            Doubt::LooseReading { left, right } => Doubt::LooseReading {
                left: right,
                right: left,
            },
            Doubt::Missing { left_side, index } => Doubt::Missing {
                left_side: !left_side,
                index,
            },
            Doubt::Joined { edits } => Doubt::Joined { edits },
            Doubt::Contradiction => Doubt::Contradiction,
        }
    }
}

/// The score at and above which a comparison may be a `match` (see [`Comparison::tier`]).
/// With the structural doubts doing the precise work, the score only has to keep weak overall
/// resemblance out: the `match by MATCH_SCORE` tables of the `quality` and `un_cross_script`
/// examples peak in F1 between 0.60 and 0.70 on both sets; 0.70 is the precise end of that.
pub const MATCH_SCORE: f32 = 0.70;
/// The score at and above which a comparison is at least `possible`: on the UN cross-script
/// pairs (`un_cross_script` example) the highest threshold at which `match` + `possible` still
/// holds every true pair (recall 1.000, precision 0.789; 0.60 loses 4 of 336).
pub const POSSIBLE_SCORE: f32 = 0.55;

impl Comparison {
    /// The tier of this comparison (DESIGN §5.1): `match` needs the score and no doubt about the
    /// structure (every aligned part explained by romanisation, lexicon variants, gendered forms,
    /// short forms or initials; nothing missing or contradicting); `possible` needs the score
    /// alone.
    pub fn tier(&self) -> crate::Tier {
        if self.score >= MATCH_SCORE && self.doubts.is_empty() {
            crate::Tier::Match
        } else if self.score >= POSSIBLE_SCORE {
            crate::Tier::Possible
        } else {
            crate::Tier::None
        }
    }
}

/// Compares two analysed names. Symmetric: `compare(a, b)` and `compare(b, a)` give the same
/// score, with left and right swapped.
pub fn compare(a: &AnalysedName, b: &AnalysedName) -> Comparison {
    // Greedy alignment breaks ties by position; put the names in a fixed order so that the
    // result does not depend on which one the caller passed first.
    if (a.parts.len(), &a.original) > (b.parts.len(), &b.original) {
        let mut swapped = compare_ordered(b, a);
        for pair in &mut swapped.pairs {
            std::mem::swap(&mut pair.left, &mut pair.right);
            std::mem::swap(&mut pair.left_variant, &mut pair.right_variant);
            if let How::Split { left_side, pieces } = pair.how {
                pair.how = How::Split {
                    left_side: !left_side,
                    pieces,
                };
            }
        }
        std::mem::swap(&mut swapped.unmatched_left, &mut swapped.unmatched_right);
        for doubt in &mut swapped.doubts {
            *doubt = doubt.swapped();
        }
        return swapped;
    }
    compare_ordered(a, b)
}

fn compare_ordered(a: &AnalysedName, b: &AnalysedName) -> Comparison {
    let mut candidates: Vec<AlignedPair> = Vec::with_capacity(a.parts.len() * b.parts.len());
    for (i, pa) in a.parts.iter().enumerate() {
        if pa.kind == PartKind::Title {
            continue;
        }
        for (j, pb) in b.parts.iter().enumerate() {
            if pb.kind == PartKind::Title {
                continue;
            }
            if let Some(pair) = align_parts(i, pa, j, pb)
                && pair.similarity >= MIN_PART_SIMILARITY
            {
                candidates.push(pair);
            }
        }
    }
    candidates.sort_by(|x, y| {
        let wx = a.parts[x.left].weight() + b.parts[x.right].weight();
        let wy = a.parts[y.left].weight() + b.parts[y.right].weight();
        (y.similarity * wy)
            .total_cmp(&(x.similarity * wx))
            .then(x.left.cmp(&y.left))
            .then(x.right.cmp(&y.right))
    });
    // Which parts are aligned, on the stack for names of the usual length.
    let sides = a.parts.len() + b.parts.len();
    let mut stack = [false; 32];
    let mut heap = Vec::new();
    let used: &mut [bool] = if sides <= stack.len() {
        &mut stack[..sides]
    } else {
        heap.resize(sides, false);
        &mut heap
    };
    let (used_left, used_right) = used.split_at_mut(a.parts.len());
    // Each part is aligned at most once.
    let mut pairs = Vec::with_capacity(a.parts.len().min(b.parts.len()));
    for pair in candidates {
        if !used_left[pair.left] && !used_right[pair.right] {
            used_left[pair.left] = true;
            used_right[pair.right] = true;
            pairs.push(pair);
        }
    }
    join_split_parts(a, b, &mut pairs, used_left, used_right);
    pairs.sort_by_key(|p| p.left);

    let unmatched = |name: &AnalysedName, used: &[bool]| -> Vec<usize> {
        (0..name.parts.len())
            .filter(|&i| !used[i] && name.parts[i].kind != PartKind::Title)
            .collect()
    };
    let unmatched_left = unmatched(a, used_left);
    let unmatched_right = unmatched(b, used_right);

    let has_unmatched_patronymic = |name: &AnalysedName, list: &[usize]| {
        list.iter()
            .any(|&i| name.parts[i].kind == PartKind::Patronymic)
    };
    let weak_patronymic_pair = pairs.iter().any(|p| {
        a.parts[p.left].kind == PartKind::Patronymic
            && b.parts[p.right].kind == PartKind::Patronymic
            && part_evidence(p.similarity) < WEAK_EVIDENCE
    });
    let conflicting_patronymics = weak_patronymic_pair
        || (has_unmatched_patronymic(a, &unmatched_left)
            && has_unmatched_patronymic(b, &unmatched_right));

    let reordered = pairs.windows(2).any(|w| w[0].right > w[1].right);

    let (cover_a, evidence_a) = coverage(a, &pairs, &unmatched_left, |p| {
        (p.left, part_evidence(p.similarity))
    });
    let (cover_b, evidence_b) = coverage(b, &pairs, &unmatched_right, |p| {
        (p.right, part_evidence(p.similarity))
    });
    let (short, long, short_evidence, long_evidence) = if evidence_a <= evidence_b {
        (cover_a, cover_b, evidence_a, evidence_b)
    } else {
        (cover_b, cover_a, evidence_b, evidence_a)
    };
    let mut score = short * (0.75 + 0.25 * long);
    // One name part against a fuller name is weak evidence: "Walijan" is not yet "Walijan
    // Abdul Ghafoor Haqqani".
    if short_evidence <= 1.0 && long_evidence >= 2.0 {
        score *= 0.8;
    }
    if conflicting_patronymics {
        score *= 0.7;
    }
    // A name part on each side that the other lacks is a contradiction, not an omission:
    // "Hasan al-Dulaimi" and "Hasan al-Tikriti" name different families.
    let weak_pairs = pairs
        .iter()
        .filter(|p| {
            a.parts[p.left].kind == PartKind::Name
                && b.parts[p.right].kind == PartKind::Name
                && part_evidence(p.similarity) < WEAK_EVIDENCE
        })
        .count();
    let conflicts =
        weak_pairs + count_names(a, &unmatched_left).min(count_names(b, &unmatched_right));
    score *= CONFLICT_FACTOR.powi(conflicts as i32);
    let lineage_conflict = crosses_lineage(a, b, &pairs);
    if lineage_conflict {
        score *= 0.7;
    }
    if reordered {
        score *= 0.98;
    }

    let mut joined = false;
    let mut joined_edits = 0;
    // Parts written together or split differently show as a different number of parts.
    let identifying = |n: &AnalysedName| n.parts.iter().filter(|p| p.kind.identifies()).count();
    if identifying(a) != identifying(b) {
        let ja = a.joined_key();
        let jb = b.joined_key();
        if ja.len() >= 4 && jb.len() >= 4 {
            // Only a joined score above the parts' score counts, and scaling never raises it:
            // the distance may stop once the similarity cannot reach `score`.
            let floor = (score - 0.001).max(0.0);
            let mut joined_score = similarity_at_least(&ja, &jb, floor) * 0.97;
            if conflicting_patronymics {
                joined_score *= 0.7;
            }
            if joined_score > score {
                score = joined_score;
                joined = true;
                joined_edits = hard_edits(&ja, &jb);
                // Characters are read as syllables, exactly (see `pair_doubt`): written
                // together, their readings must spell the other name vowels included (习近朋 is
                // xijinpeng, not Xi Jinping), where letters may drift as far as the skeleton
                // allows.
                if joined_edits == 0
                    && (a.parts.iter().any(reads_exactly) || b.parts.iter().any(reads_exactly))
                    && !joined_readings_meet(a, b)
                {
                    joined_edits = 1;
                }
            }
        }
    }

    // Names judged joined up are judged on the joined spelling alone; the part alignment
    // behind them is beside the point.
    let mut doubts: Vec<Doubt> = if joined {
        Vec::new()
    } else {
        pairs
            .iter()
            .filter_map(|p| pair_doubt(&a.parts[p.left], &b.parts[p.right], p))
            .collect()
    };
    if joined && joined_edits > 0 {
        doubts.push(Doubt::Joined {
            edits: joined_edits,
        });
    }
    // One typing error in a name is still the name (Putin / Pulin, Macrone / Macron); a second
    // one, or a difference no keystroke explains (Castillo / Castro, Orbach / Orban), makes a
    // different name.
    let only_typo = {
        let mut typos = doubts
            .iter()
            .enumerate()
            .filter(|(_, d)| match **d {
                Doubt::Letters { left, right, .. } => is_typo(&a.parts[left], &b.parts[right]),
                _ => false,
            })
            .map(|(i, _)| i);
        // The only one, found without collecting them.
        match (typos.next(), typos.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    };
    if let Some(only) = only_typo {
        doubts.remove(only);
    }
    // Extra parts on one side are middle names and second family names unless the match rests
    // on a single name part (Michaela / Michaela Michelle Micheli). Names written together
    // (SergeiLavrov) were judged joined up, where nothing is missing.
    let aligned_names = pairs
        .iter()
        .filter(|p| {
            a.parts[p.left].kind == PartKind::Name && b.parts[p.right].kind == PartKind::Name
        })
        .count();
    // Nor when one name has more parts the other lacks than the two share: that is a longer
    // name that contains this one, not the same name told more fully.
    let extra = count_names(a, &unmatched_left).max(count_names(b, &unmatched_right));
    if !joined && (aligned_names < MIN_ALIGNED_NAMES || extra > aligned_names) {
        for (left_side, name, list) in [(true, a, &unmatched_left), (false, b, &unmatched_right)] {
            for &index in list.iter() {
                if matches!(name.parts[index].kind, PartKind::Name) {
                    doubts.push(Doubt::Missing { left_side, index });
                }
            }
        }
    }
    if !joined && (conflicting_patronymics || conflicts > 0 || lineage_conflict) {
        doubts.push(Doubt::Contradiction);
    }

    Comparison {
        score: score.clamp(0.0, 1.0),
        pairs,
        unmatched_left,
        unmatched_right,
        conflicting_patronymics,
        conflicts,
        lineage_conflict,
        reordered,
        joined,
        doubts,
    }
}

/// The fewest letters of a name written in several parts for the parts to be read as one name
/// split up: below it, two initials or particles run together are not a name.
const MIN_SPLIT_LENGTH: usize = 6;

/// Finds a part written in several adjacent parts on the other side (word splitting: "Plat Ono
/// Vich" for "Platonovich", "Mohammad Hasni" for "Mohammadhasni") and aligns it with the run of
/// parts as one, in place of the partial alignments the greedy pass found (a short form, or
/// pieces left over). Each piece must be left over or aligned with that part; the pieces,
/// written together, must romanise to the same skeleton as the part.
fn join_split_parts(
    a: &AnalysedName,
    b: &AnalysedName,
    pairs: &mut Vec<AlignedPair>,
    used_left: &mut [bool],
    used_right: &mut [bool],
) {
    // The pieces written together and their skeleton, reused from one run to the next.
    let mut joined = String::new();
    let mut joined_key = Vec::new();
    for left_side in [true, false] {
        let (split, whole) = if left_side { (a, b) } else { (b, a) };
        for (w, part) in whole.parts.iter().enumerate() {
            if part.kind == PartKind::Title {
                continue;
            }
            // Aligned already as the same word: nothing to mend.
            let partner = |p: &AlignedPair| {
                if left_side {
                    (p.left, p.right)
                } else {
                    (p.right, p.left)
                }
            };
            if pairs
                .iter()
                .any(|p| partner(p).1 == w && p.similarity >= 1.0)
            {
                continue;
            }
            let free = |s: usize| {
                let used = if left_side {
                    used_left[s]
                } else {
                    used_right[s]
                };
                !used || pairs.iter().any(|p| partner(p) == (s, w))
            };
            for start in 0..split.parts.len() {
                joined.clear();
                let mut found = None;
                for (end, piece) in split.parts.iter().enumerate().skip(start) {
                    if !matches!(piece.kind, PartKind::Name | PartKind::Patronymic)
                        || piece.script != split.parts[start].script
                        || !free(end)
                    {
                        break;
                    }
                    let Some(romanised) = piece.romanised.first() else {
                        break;
                    };
                    joined.push_str(romanised);
                    // Characters read as syllables must give the part's own reading, as a
                    // single character must (see `pair_doubt`); letters may differ in
                    // spelling as far as the skeleton allows.
                    // Checked last: the skeleton is the costly test.
                    let mut same = || {
                        if is_syllabic(piece) || is_syllabic(part) {
                            part.romanised.contains(&joined)
                        } else {
                            skeleton_into(&joined, &mut joined_key);
                            part.keys.contains(&joined_key)
                        }
                    };
                    if end > start && joined.len() >= MIN_SPLIT_LENGTH && same() {
                        found = Some(end + 1 - start);
                        break;
                    }
                }
                let Some(pieces) = found else { continue };
                // The partial alignments give way; a part they held that the run does not
                // cover is left over again.
                let run = start..start + pieces;
                for p in pairs.iter() {
                    let (s, o) = partner(p);
                    if o == w || run.contains(&s) {
                        used_left[p.left] = false;
                        used_right[p.right] = false;
                    }
                }
                pairs.retain(|p| {
                    let (s, o) = partner(p);
                    o != w && !run.contains(&s)
                });
                let (left, right) = if left_side { (start, w) } else { (w, start) };
                pairs.push(AlignedPair {
                    left,
                    right,
                    similarity: 1.0,
                    how: How::Split { left_side, pieces },
                    left_variant: 0,
                    right_variant: 0,
                });
                let (used_split, used_whole) = if left_side {
                    (&mut *used_left, &mut *used_right)
                } else {
                    (&mut *used_right, &mut *used_left)
                };
                used_split[run].iter_mut().for_each(|u| *u = true);
                used_whole[w] = true;
                break;
            }
        }
    }
}

/// Do the two names, their identifying parts written together, spell one reading: some
/// romanisation of each part on one side, run together, equal to some on the other? The
/// readings are tried per part in order, so a part's later romanisations (a lexicon's 金 / kim)
/// count as much as its first.
fn joined_readings_meet(a: &AnalysedName, b: &AnalysedName) -> bool {
    let readings = |name: &AnalysedName| -> Vec<String> {
        let mut joined = vec![String::new()];
        for part in name.parts.iter().filter(|p| p.kind.identifies()) {
            if part.romanised.is_empty() {
                continue;
            }
            joined = joined
                .iter()
                .flat_map(|prefix| part.romanised.iter().map(move |r| format!("{prefix}{r}")))
                .take(MAX_JOINED_READINGS)
                .collect();
        }
        joined
    };
    let left = readings(a);
    readings(b).iter().any(|r| left.contains(r))
}

/// The most readings of a name written together that are tried: a few characters with two or
/// three readings each.
const MAX_JOINED_READINGS: usize = 64;

/// Is the part written in characters with one reading each, which a romanisation gives exactly
/// (Chinese characters, Hangul)? Kana spell foreign names by ear (バラク・オバマ is Barack
/// Obama), so a name in kana is not held to its letters.
fn reads_exactly(part: &Part) -> bool {
    let is_kana = |c: char| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{ff66}'..='\u{ff9f}');
    is_syllabic(part) && !part.text.chars().any(is_kana)
}

/// Is the part written in characters read as syllables (Chinese, Korean)?
fn is_syllabic(part: &Part) -> bool {
    matches!(part.script, crate::Script::Han | crate::Script::Hangul)
}

/// Is one part a typing error for the other: one letter replaced, added, dropped or two swapped,
/// in words of some length, typed in the same script? Across scripts the Latin side was made by
/// a romanisation, not typed from the same letters.
fn is_typo(a: &Part, b: &Part) -> bool {
    a.script == b.script && one_slip_apart(a, b).is_some()
}

/// The first romanisations of the two parts (by index) that are one slip of the finger apart —
/// a letter replaced, added, dropped or two swapped — in words of `MIN_TYPO_LENGTH` or more.
fn one_slip_apart(a: &Part, b: &Part) -> Option<(usize, usize)> {
    a.romanised.iter().enumerate().find_map(|(ka, ra)| {
        b.romanised
            .iter()
            .position(|rb| ra.len().min(rb.len()) >= MIN_TYPO_LENGTH && within_one_edit(ra, rb))
            .map(|kb| (ka, kb))
    })
}

/// The shortest word in which one slip of the finger is read as a typing error rather than a
/// different name (the length the single-typo similarity rule already used).
const MIN_TYPO_LENGTH: usize = 4;

/// How many name parts (given or family names, not initials or patronymics) must align for a
/// part missing on the other side not to matter.
const MIN_ALIGNED_NAMES: usize = 2;

/// What, if anything, makes an aligned pair less than a bet on one name.
fn pair_doubt(a: &Part, b: &Part, pair: &AlignedPair) -> Option<Doubt> {
    let (left, right) = (pair.left, pair.right);
    let patronymic = |p: &Part| p.kind == PartKind::Patronymic || has_patronymic_ending(p);
    if patronymic(a) != patronymic(b) && !matches!(pair.how, How::Identical | How::Split { .. }) {
        return Some(Doubt::PatronymicAsName { left, right });
    }
    if is_syllabic(a) != is_syllabic(b)
        && !matches!(
            pair.how,
            How::Initial | How::KnownVariant | How::Split { .. }
        )
    {
        // Readings of characters are syllables, and many characters share each: only the exact
        // reading is the name, not a spelling of it (伟 is wei, not wai). The lexicon, which
        // knows characters by their text (金 / Kim), is another matter.
        let exact = a
            .romanised
            .iter()
            .any(|ra| b.romanised.iter().any(|rb| ra == rb));
        return (!exact).then_some(Doubt::LooseReading { left, right });
    }
    match pair.how {
        How::Identical
        | How::SameRomanisation
        | How::KnownVariant
        | How::GenderedForm
        | How::Initial
        | How::Split { .. } => None,
        How::SameFather => {
            let edits = a
                .father
                .iter()
                .flat_map(|fa| b.father.iter().map(move |fb| hard_edits(fa, fb)))
                .min()
                .unwrap_or(0);
            (edits > 0).then_some(Doubt::Letters { left, right, edits })
        }
        How::ShortForm => {
            // A short form is a given name's beginning (Alex, Ben, Abd); a longer part that
            // only starts like the other is another name (Aliyev / Aliyevrin).
            // Across scripts the short form would have been written in the other script
            // too: a romanisation that only begins like the other name is another name.
            let short = a.romanised[pair.left_variant]
                .len()
                .min(b.romanised[pair.right_variant].len());
            let (ra, rb) = (
                &a.romanised[pair.left_variant],
                &b.romanised[pair.right_variant],
            );
            let long = if ra.len() >= rb.len() { ra } else { rb };
            let explained = article_follows(&long[short..]);
            (short > MAX_SHORT_FORM || (a.script != b.script && !explained))
                .then_some(Doubt::Prefix { left, right })
        }
        How::Consonants => {
            // Different consonant frames: the vowels cannot explain the difference.
            let edits = hard_edits(&a.consonants, &b.consonants);
            if edits > 0 {
                return Some(Doubt::Letters { left, right, edits });
            }
            let (arabic, latin) = if a.script.is_abjad() { (a, b) } else { (b, a) };
            (!arabic_vowels_agree(arabic, latin)).then_some(Doubt::ArabicVowels { left, right })
        }
        How::Spelling => {
            let edits = a
                .keys
                .iter()
                .flat_map(|ka| b.keys.iter().map(move |kb| hard_edits(ka, kb)))
                .min()
                .unwrap_or(0);
            (edits > 0).then_some(Doubt::Letters { left, right, edits })
        }
    }
}

/// Does the rest of a romanised word begin with an Arabic article, as the Latin "Abdul" is the
/// Arabic "عبد" followed by "ال" written apart (al, el, ul and the forms assimilated to the next
/// consonant: ur, ud, as, ash, …)?
fn article_follows(rest: &str) -> bool {
    const ARTICLES: &[&str] = &[
        "al", "el", "ul", "il", "ur", "ud", "ad", "as", "ar", "at", "an", "az", "ash", "es", "ed",
        "er", "ez", "en", "un", "us",
    ];
    ARTICLES.iter().any(|article| rest.starts_with(article))
}

/// The longest beginning of a name that still reads as a short form of it (Abd, Ben, Alex,
/// Moha): given-name short forms in the lexicon's diminutives are at most four letters. Longer
/// shared beginnings are different names (Aliyev / Aliyevrin).
const MAX_SHORT_FORM: usize = 4;

/// Does a part end like a patronymic (-ovich, -evna, -uly, -kyzy, -oglu)? Such a word aligned
/// with a word that does not is a father's name read as a surname.
fn has_patronymic_ending(part: &Part) -> bool {
    part.romanised
        .iter()
        .any(|r| r.len() > 5 && crate::analyse::has_patronymic_suffix(r))
}

/// Arabic script leaves short vowels out but writes long ones (ا و ي). The Latin name must
/// contain the Arabic letters in order, each written long vowel matched by a Latin vowel of its
/// kind and each consonant by one a romanisation could make of it: حمیدی (h-m-i-d-i) is Hamidi,
/// not Ahmadi. (A Latin vowel at the start cannot be held against the Arabic: an article
/// assimilated into the Latin, Essabar / الصبار, puts one there.)
fn arabic_vowels_agree(arabic: &Part, latin: &Part) -> bool {
    let Some(latin_key) = latin.keys.first() else {
        return true;
    };
    let is_vowel = crate::skeleton::is_vowel;
    arabic.keys.iter().any(|arabic_key| {
        let mut rest = latin_key.iter().copied().peekable();
        arabic_key.iter().enumerate().all(|(i, &letter)| {
            // The alif of an article inside a word (عبيدالله, Ubaidullah) and a word-initial
            // alif before two consonants (استانکزی, Stanekzai) are not long vowels: any
            // vowel or none.
            let next = arabic_key.get(i + 1).copied();
            let article_alif = letter == b'a' && i > 0 && next == Some(b'l');
            let initial_alif =
                letter == b'a' && i == 0 && rest.peek().is_some_and(|&c| !is_vowel(c));
            if article_alif || initial_alif {
                if rest.peek().is_some_and(|&c| is_vowel(c)) {
                    rest.next();
                }
                return true;
            }
            let fits = |c: u8| match letter {
                // Alif, or a word-initial hamza or ain carrying any vowel.
                b'a' if i == 0 => is_vowel(c),
                b'a' => matches!(c, b'a' | b'e'),
                // Ya as a long vowel, or alif maqsura at the end (Mustafa).
                b'i' if i + 1 == arabic_key.len() => matches!(c, b'i' | b'e' | b'a'),
                b'i' => matches!(c, b'i' | b'e'),
                b'u' => matches!(c, b'u' | b'o' | b'v'),
                other => !is_vowel(c) && soft_substitute(other, c),
            };
            rest.any(fits)
        })
    })
}

/// Aligned name parts with less evidence than this count as a contradiction.
const WEAK_EVIDENCE: f32 = 0.35;

/// Score factor for each pair of contradicting name parts.
const CONFLICT_FACTOR: f32 = 0.85;

/// How much an aligned pair supports the match: near-identical spellings count fully, weak
/// resemblances little. Linear between these two similarities.
const EVIDENCE_FLOOR: f32 = 0.55;
const EVIDENCE_FULL: f32 = 0.95;

fn part_evidence(similarity: f32) -> f32 {
    ((similarity - EVIDENCE_FLOOR) / (EVIDENCE_FULL - EVIDENCE_FLOOR)).clamp(0.0, 1.0)
}

fn count_names(name: &AnalysedName, unmatched: &[usize]) -> usize {
    unmatched
        .iter()
        .filter(|&&i| matches!(name.parts[i].kind, PartKind::Name | PartKind::Initial))
        .count()
}

/// In "Salman bin Muhammad" the part after `bin` is the father. If both names use such a
/// connector and an aligned pair sits before it in one name and after it in the other, the
/// names describe a father and a son, not one person.
fn crosses_lineage(a: &AnalysedName, b: &AnalysedName, pairs: &[AlignedPair]) -> bool {
    let (Some(la), Some(lb)) = (lineage_connector(a), lineage_connector(b)) else {
        return false;
    };
    pairs
        .iter()
        .any(|p| a.parts[p.left].kind == PartKind::Name && (p.left < la) != (p.right < lb))
}

fn lineage_connector(name: &AnalysedName) -> Option<usize> {
    // A connector at either end connects nothing (a reordered "Salman Mohammed bin").
    name.parts
        .iter()
        .position(|p| {
            p.kind == PartKind::Particle
                && matches!(
                    p.display(),
                    "bin" | "ben" | "ibn" | "bint" | "bent" | "ould"
                )
        })
        .filter(|&i| i > 0 && i + 1 < name.parts.len())
}

/// How much of a name the aligned pairs explain, weighted by part, and how much evidence the name
/// offers (the weight of its identifying parts). Unmatched particles, and unmatched patronymics
/// when the other name has none, do not count against it.
fn coverage(
    name: &AnalysedName,
    pairs: &[AlignedPair],
    unmatched: &[usize],
    side: impl Fn(&AlignedPair) -> (usize, f32),
) -> (f32, f32) {
    let mut total = 0.0;
    let mut explained = 0.0;
    for pair in pairs {
        let (index, sim) = side(pair);
        let weight = name.parts[index].weight();
        total += weight;
        explained += weight * sim;
    }
    for &index in unmatched {
        let part = &name.parts[index];
        total += match part.kind {
            PartKind::Name | PartKind::Initial => part.weight(),
            PartKind::Patronymic => 0.25,
            PartKind::Particle | PartKind::Title => 0.0,
        };
    }
    if total == 0.0 {
        return (0.0, 0.0);
    }
    let evidence = name
        .parts
        .iter()
        .filter(|p| p.kind == PartKind::Name)
        .count() as f32
        + 0.5
            * name
                .parts
                .iter()
                .filter(|p| p.kind == PartKind::Initial)
                .count() as f32;
    (explained / total, evidence)
}

/// The best alignment of two parts, or `None` if they cannot be aligned at all.
fn align_parts(i: usize, a: &Part, j: usize, b: &Part) -> Option<AlignedPair> {
    let pair = |similarity: f32, how: How, left_variant: usize, right_variant: usize| {
        Some(AlignedPair {
            left: i,
            right: j,
            similarity,
            how,
            left_variant,
            right_variant,
        })
    };
    // Particles (al-, bin, van) align only with particles: "al" is not the given name "Ali".
    if (a.kind == PartKind::Particle) != (b.kind == PartKind::Particle) {
        return None;
    }
    if a.kind == PartKind::Initial || b.kind == PartKind::Initial {
        // Some romanisation of each begins with the same letter.
        fn first(p: &Part) -> impl Iterator<Item = u8> + '_ {
            p.romanised.iter().filter_map(|r| r.bytes().next())
        }
        if !first(a).any(|c| first(b).any(|d| d == c)) {
            return None;
        }
        let both = a.kind == PartKind::Initial && b.kind == PartKind::Initial;
        return pair(if both { 1.0 } else { 0.85 }, How::Initial, 0, 0);
    }
    if a.text == b.text {
        return pair(1.0, How::Identical, 0, 0);
    }
    if a.script == b.script && matches!(a.script, crate::Script::Han | crate::Script::Hangul) {
        // Two different characters: romanisation only bridges scripts, it does not make 市
        // and 石 one name.
        return None;
    }

    let mut best = (0.0f32, How::Spelling, 0, 0);
    for (ka, key_a) in a.keys.iter().enumerate() {
        for (kb, key_b) in b.keys.iter().enumerate() {
            let sim = similarity_at_least(key_a, key_b, MIN_PART_SIMILARITY);
            // Among equal similarities, prefer the romanisations spelled exactly alike, so the
            // explanation names the system the other side used (compared only on a tie).
            if sim > best.0 || (sim == best.0 && a.romanised[ka] == b.romanised[kb]) {
                best = (sim, How::Spelling, ka, kb);
            }
        }
    }
    if best.0 >= 1.0 {
        best.1 = How::SameRomanisation;
    } else if best.0 < SINGLE_TYPO {
        // One slip of the finger (a letter replaced, added, dropped or two swapped) in a word
        // of some length is a typing error, however far the sounds are (Harry / Larry).
        if let Some((ka, kb)) = one_slip_apart(a, b) {
            best = (SINGLE_TYPO, How::Spelling, ka, kb);
        }
    }
    // A given name is not short for a father's name (Oleksandr / Oleksandrovych).
    let patronymic_against_name =
        (a.kind == PartKind::Patronymic) != (b.kind == PartKind::Patronymic);
    if best.0 < SHORT_FORM && !patronymic_against_name {
        // Short forms: Ben / Benjamin, Alex / Aleksandr, Abd / Abdul.
        let short_form = a.romanised.iter().enumerate().find_map(|(ka, ra)| {
            b.romanised
                .iter()
                .position(|rb| is_short_form(ra, rb))
                .map(|kb| (ka, kb))
        });
        if let Some((ka, kb)) = short_form {
            best = (SHORT_FORM, How::ShortForm, ka, kb);
        }
    }
    if (a.script.is_abjad() || b.script.is_abjad())
        && a.consonants.len() >= 2
        && b.consonants.len() >= 2
    {
        let sim = similarity_at_least(&a.consonants, &b.consonants, worth_computing(best.0)) * 0.95;
        if sim > best.0 {
            best = (sim, How::Consonants, 0, 0);
        }
    }
    if !a.father.is_empty() && !b.father.is_empty() {
        let sim = a
            .father
            .iter()
            .flat_map(|fa| {
                b.father
                    .iter()
                    .map(move |fb| similarity_at_least(fa, fb, worth_computing(best.0)))
            })
            .fold(0.0f32, f32::max)
            * SAME_FATHER;
        if sim > best.0 {
            best = (sim, How::SameFather, 0, 0);
        }
    }
    if a.gender_stem.is_some() || b.gender_stem.is_some() {
        let stem_a = a.gender_stem.as_deref().unwrap_or(&a.keys[0]);
        let stem_b = b.gender_stem.as_deref().unwrap_or(&b.keys[0]);
        let sim = similarity_at_least(stem_a, stem_b, worth_computing(best.0)) - 0.04;
        if sim > best.0 {
            best = (sim, How::GenderedForm, 0, 0);
        }
    }
    if best.0 < 0.93 && shares_group(&a.groups, &b.groups) {
        best = (0.93, How::KnownVariant, 0, 0);
    }
    pair(best.0, best.1, best.2, best.3)
}

/// The similarity below which a further way of aligning two parts (consonants, father's name,
/// gendered stem) cannot change the result, so its distance need not be finished: it would have
/// to beat the best so far (each of those similarities is scaled down, never up), and a pair that
/// ends below `MIN_PART_SIMILARITY` is dropped by the caller whatever it was aligned by (a lexicon
/// group lifts it to 0.93 either way). `similarity_at_least` gives the exact similarity at or
/// above this floor and 0 below it; the margin keeps float rounding in the limit on the safe side.
fn worth_computing(best: f32) -> f32 {
    best.max(MIN_PART_SIMILARITY) - 0.001
}

/// The similarity of two patronymics from the same father's name in different forms: a son's
/// and a daughter's, or Russian and Turkic, say the same about the father as one spelling does.
const SAME_FATHER: f32 = 0.97;

/// The similarity given to a short form and its full form.
const SHORT_FORM: f32 = 0.85;

/// Is one word the beginning of the other, long enough to be a short form of it?
fn is_short_form(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 3 && long.len() > short.len() && long.starts_with(short)
}

/// The similarity given to two words one typing error apart.
const SINGLE_TYPO: f32 = 0.88;

/// Are two ASCII words at most one edit apart (substitution, insertion, deletion, or swap of
/// neighbours)?
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let rest_equal = short[prefix + 1..] == long[prefix + 1..];
        let swapped = prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..];
        rest_equal || swapped
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

fn shares_group(a: &[u32], b: &[u32]) -> bool {
    // Both sorted: a merge walk.
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// A plain-words account of a comparison, for a case officer or a judge.
pub fn explain(a: &AnalysedName, b: &AnalysedName, comparison: &Comparison) -> String {
    let mut out = String::with_capacity(256);
    // A name cut to its beginning is shown as compared, and said to be cut.
    let push_shown = |out: &mut String, name: &AnalysedName| {
        out.push_str(crate::analyse::compared_part(name.original.trim()));
        if name.shortened {
            out.push('…');
        }
    };
    push_shown(&mut out, a);
    out.push_str(" ↔ ");
    push_shown(&mut out, b);
    if a.script != b.script {
        let (foreign, latin) = if b.script == crate::Script::Latin {
            (a, b)
        } else {
            (b, a)
        };
        let _ = write!(
            out,
            "; {} → {}",
            foreign.script.label(),
            latin.script.label()
        );
        if let Some(language) = foreign.cyrillic_language {
            let _ = write!(out, " ({})", language.label());
        }
    }
    out.push('.');
    if a.shortened || b.shortened {
        let _ = write!(
            out,
            " Only the first {} characters of a longer name are compared.",
            crate::analyse::MAX_COMPARED_CHARS
        );
    }
    if comparison.joined {
        out.push_str(" The names match when written together (parts joined or split differently).");
    }
    for pair in &comparison.pairs {
        let (pa, pb) = (&a.parts[pair.left], &b.parts[pair.right]);
        // The part as written; a name split into several parts shows them all.
        let push_text = |out: &mut String, name: &AnalysedName, index: usize, split: bool| {
            let pieces = match pair.how {
                How::Split { pieces, .. } if split => pieces,
                _ => 1,
            };
            for (n, part) in name.parts[index..index + pieces].iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                out.push_str(&part.text);
            }
        };
        let split_left = match pair.how {
            How::Split { left_side, .. } => Some(left_side),
            _ => None,
        };
        out.push(' ');
        push_text(&mut out, a, pair.left, split_left == Some(true));
        out.push_str(" ↔ ");
        push_text(&mut out, b, pair.right, split_left == Some(false));
        out.push_str(": ");
        match pair.how {
            How::Identical => out.push_str("identical"),
            How::SameRomanisation => {
                if pa.script != pb.script {
                    // Name the foreign side's romanisation and how it is spelled differently.
                    let (foreign, variant, latin, other_variant) = if pa.systems[0].is_empty() {
                        (pb, pair.right_variant, pa, pair.left_variant)
                    } else {
                        (pa, pair.left_variant, pb, pair.right_variant)
                    };
                    let romanised = &foreign.romanised[variant];
                    let _ = write!(out, "{} romanisation {romanised}", foreign.systems[variant]);
                    push_chunks(
                        &mut out,
                        ", spelled ",
                        romanised,
                        &latin.romanised[other_variant],
                    );
                } else {
                    out.push_str("same name, spelling variant");
                    push_differences(&mut out, pa, pb, pair);
                }
            }
            How::Spelling => {
                out.push_str("similar spelling");
                push_differences(&mut out, pa, pb, pair);
            }
            How::GenderedForm => out.push_str("feminine and masculine forms of one surname"),
            How::KnownVariant => out.push_str("variants of the same given name (lexicon)"),
            How::Initial => out.push_str("initial"),
            How::ShortForm => out.push_str("short form of the name"),
            How::Consonants => {
                out.push_str("same consonants (the script does not write short vowels)");
            }
            How::SameFather => out.push_str("the same father's name in another patronymic form"),
            How::Split { .. } => out.push_str("one name written in several parts"),
        }
        out.push_str(" (");
        push_two_decimals(&mut out, pair.similarity);
        out.push_str(");");
    }
    let missing = comparison
        .unmatched_left
        .iter()
        .map(|&index| &a.parts[index])
        .chain(
            comparison
                .unmatched_right
                .iter()
                .map(|&index| &b.parts[index]),
        );
    for (n, part) in missing.enumerate() {
        out.push_str(if n == 0 {
            " Not in the other name: "
        } else {
            ", "
        });
        out.push_str(&part.text);
        out.push_str(match part.kind {
            PartKind::Patronymic => " (patronymic)",
            PartKind::Particle => " (particle)",
            PartKind::Initial => " (initial)",
            _ => "",
        });
    }
    if !comparison.unmatched_left.is_empty() || !comparison.unmatched_right.is_empty() {
        out.push('.');
    }
    if comparison.conflicting_patronymics {
        out.push_str(" The patronymics differ: different fathers' names.");
    }
    if comparison.conflicts > 0 {
        out.push_str(" Each name has a part the other lacks: they contradict each other.");
    }
    if comparison.lineage_conflict {
        out.push_str(
            " A part stands on different sides of \"bin\": father and son, not one person.",
        );
    }
    if comparison.reordered {
        out.push_str(" Word order differs.");
    }
    if a.comma_inverted || b.comma_inverted {
        out.push_str(" A \"SURNAME, Given\" form was read as Given SURNAME.");
    }
    if comparison.tier() == crate::Tier::Possible {
        push_doubts(&mut out, a, b, comparison);
    }
    if out.ends_with(';') {
        out.pop();
        out.push('.');
    }
    out
}

/// Appends a similarity as `format!("{:.2}")` writes it, without the float formatter: an
/// explanation writes one per aligned pair, and the formatter's exact mode often falls back to its
/// slow algorithm for these values. An `f32` times 100 is exact in an `f64` (24 + 7 significant
/// bits), so rounding that product half to even, as the formatter does, gives the same digits.
fn push_two_decimals(out: &mut String, value: f32) {
    let hundredths = f64::from(value) * 100.0;
    if !(value.is_sign_positive() && (0.0..1e9).contains(&hundredths)) {
        let _ = write!(out, "{value:.2}");
        return;
    }
    let rounded = hundredths.round_ties_even() as u64;
    let _ = write!(out, "{}.{:02}", rounded / 100, rounded % 100);
}

/// Says why a `possible` comparison is not a `match`: what differs.
fn push_doubts(out: &mut String, a: &AnalysedName, b: &AnalysedName, comparison: &Comparison) {
    let mut reasons: Vec<String> = Vec::new();
    let texts = |left: usize, right: usize| (&a.parts[left].text, &b.parts[right].text);
    for doubt in &comparison.doubts {
        let reason = match *doubt {
            Doubt::Letters { left, right, edits } => {
                let (x, y) = texts(left, right);
                format!(
                    "{x} ↔ {y} differs in {} that no romanisation explains",
                    letters(edits)
                )
            }
            Doubt::Joined { edits } => format!(
                "written together, the names differ in {} that no romanisation explains",
                letters(edits)
            ),
            Doubt::Prefix { left, right } => {
                let (x, y) = texts(left, right);
                format!("{x} ↔ {y}: one only begins like the other")
            }
            Doubt::PatronymicAsName { left, right } => {
                let (x, y) = texts(left, right);
                format!("{x} ↔ {y}: a patronymic against a given or family name")
            }
            Doubt::ArabicVowels { left, right } => {
                let (x, y) = texts(left, right);
                format!("{x} ↔ {y}: same consonants, but the written vowels disagree")
            }
            Doubt::LooseReading { left, right } => {
                let (x, y) = texts(left, right);
                format!("{x} ↔ {y}: the character's reading is only similar")
            }
            Doubt::Missing { left_side, index } => {
                let part = if left_side {
                    &a.parts[index]
                } else {
                    &b.parts[index]
                };
                format!("{} is missing from the other name", part.text)
            }
            Doubt::Contradiction => "the names contradict each other".to_owned(),
        };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if reasons.is_empty() {
        out.push_str(" Possible, not a match: the names are only similar overall.");
    } else {
        let _ = write!(out, " Possible, not a match: {}.", reasons.join("; "));
    }
}

/// "one letter", "two letters", …
fn letters(count: u32) -> String {
    match count {
        1 => "one letter".to_owned(),
        2 => "two letters".to_owned(),
        3 => "three letters".to_owned(),
        n => format!("{n} letters"),
    }
}

/// Appends the spelling differences of an aligned pair: ", zh/j, a/ay".
fn push_differences(out: &mut String, a: &Part, b: &Part, pair: &AlignedPair) {
    let left = a
        .romanised
        .get(pair.left_variant)
        .map_or(a.text.as_str(), String::as_str);
    let right = b
        .romanised
        .get(pair.right_variant)
        .map_or(b.text.as_str(), String::as_str);
    push_chunks(out, ": ", left, right);
}

/// Appends `lead` and the differences of two spellings, "x/y, …", when they differ at all.
fn push_chunks(out: &mut String, lead: &str, a: &str, b: &str) {
    let mut first = true;
    for_each_difference(a, b, |left, right| {
        out.push_str(if first { lead } else { ", " });
        first = false;
        out.push_str(left);
        out.push('/');
        out.push_str(right);
    });
}

/// The most differences an explanation lists for one pair of spellings.
const MAX_DIFFERENCES: usize = 4;

/// Calls `chunk(left, right)` for each of the first [`MAX_DIFFERENCES`] runs where two spellings
/// differ. The explanation of every comparison runs this for each aligned pair, so it works on
/// bytes when both spellings are ASCII (they nearly always are: romanisations) and hands out
/// slices of the spellings themselves: a run, with the neighbour an insertion is shown with, is
/// always one stretch of each word.
fn for_each_difference(a: &str, b: &str, mut chunk: impl FnMut(&str, &str)) {
    if a.is_ascii() && b.is_ascii() {
        for_each_run(a.as_bytes(), b.as_bytes(), |left, right| {
            chunk(&a[left], &b[right]);
        });
    } else {
        // Runs counted in characters, cut at the characters' byte offsets.
        let (chars_a, offsets_a) = chars_and_offsets(a);
        let (chars_b, offsets_b) = chars_and_offsets(b);
        for_each_run(&chars_a, &chars_b, |left, right| {
            chunk(
                &a[offsets_a[left.start]..offsets_a[left.end]],
                &b[offsets_b[right.start]..offsets_b[right.end]],
            );
        });
    }
}

/// The characters of a word, and the byte offset of each with the word's length after them.
fn chars_and_offsets(word: &str) -> (Vec<char>, Vec<usize>) {
    let (mut offsets, chars): (Vec<usize>, Vec<char>) = word.char_indices().unzip();
    offsets.push(word.len());
    (chars, offsets)
}

/// How a step of the alignment of two words moves: both on with the same symbol, both on with
/// different ones, or on in one word only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Same,
    Replaced,
    Deleted,
    Inserted,
}

/// The runs of non-matching steps in a unit-cost alignment of `a` and `b`, as ranges of each,
/// widened by the neighbour an insertion or deletion is shown with ("a/ay" rather than "/y"):
/// the letter before the run, or after it at the start of the word.
fn for_each_run<T: PartialEq>(
    a: &[T],
    b: &[T],
    mut run: impl FnMut(std::ops::Range<usize>, std::ops::Range<usize>),
) {
    let (n, m) = (a.len(), b.len());
    // Levenshtein table, row i and column j at i * width + j. Words are short, so it lives on the
    // stack unless they are not; a distance is at most the longer word's length, which a name
    // part (at most `MAX_COMPARED_CHARS` characters, a few romanised letters each) keeps far
    // below `u16::MAX`.
    let width = m + 1;
    let size = (n + 1) * width;
    let mut stack = [0u16; 24 * 24];
    let mut heap = Vec::new();
    let table: &mut [u16] = if size <= stack.len() {
        &mut stack[..size]
    } else {
        heap.resize(size, 0);
        &mut heap
    };
    for (i, row) in table.chunks_exact_mut(width).enumerate() {
        row[0] = i as u16;
    }
    for (j, cell) in table[..width].iter_mut().enumerate() {
        *cell = j as u16;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = table[(i - 1) * width + j - 1] + u16::from(a[i - 1] != b[j - 1]);
            table[i * width + j] = sub
                .min(table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1);
        }
    }
    let cell = |i: usize, j: usize| table[i * width + j];
    // Walk back from the end, preferring a diagonal step, then a deletion, then an insertion.
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && cell(i, j) == cell(i - 1, j - 1) + u16::from(a[i - 1] != b[j - 1]) {
            steps.push(if a[i - 1] == b[j - 1] {
                Step::Same
            } else {
                Step::Replaced
            });
            i -= 1;
            j -= 1;
        } else if i > 0 && cell(i, j) == cell(i - 1, j) + 1 {
            steps.push(Step::Deleted);
            i -= 1;
        } else {
            steps.push(Step::Inserted);
            j -= 1;
        }
    }
    steps.reverse();
    // Walk forward through the runs, keeping the position in each word.
    let (mut i, mut j) = (0, 0);
    let mut shown = 0;
    let mut k = 0;
    while k < steps.len() && shown < MAX_DIFFERENCES {
        if steps[k] == Step::Same {
            (i, j, k) = (i + 1, j + 1, k + 1);
            continue;
        }
        let (start_i, start_j, start_k) = (i, j, k);
        while k < steps.len() && steps[k] != Step::Same {
            match steps[k] {
                Step::Replaced => (i, j) = (i + 1, j + 1),
                Step::Deleted => i += 1,
                _ => j += 1,
            }
            k += 1;
        }
        let (mut left, mut right) = (start_i..i, start_j..j);
        if left.is_empty() || right.is_empty() {
            // The neighbour is a matching step: the same letter in both words.
            if start_k > 0 {
                (left.start, right.start) = (left.start - 1, right.start - 1);
            } else if k < steps.len() {
                (left.end, right.end) = (left.end + 1, right.end + 1);
            }
        }
        run(left, right);
        shown += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where two spellings differ, as the "x/y" chunks an explanation lists.
    fn differences(a: &str, b: &str) -> Vec<String> {
        let mut chunks = Vec::new();
        for_each_difference(a, b, |left, right| chunks.push(format!("{left}/{right}")));
        chunks
    }

    #[test]
    fn differences_read_well() {
        // (a, b, chunks): insertions show a neighbour, at most four chunks are listed.
        let cases: &[(&str, &str, &[&str])] = &[
            ("zhumabayev", "jumabayev", &["zh/j"]),
            ("zhumabaev", "jumabayev", &["zh/j", "a/ay"]),
            ("same", "same", &[]),
            ("", "ab", &["/ab"]),
            ("yerlan", "erlan", &["ye/e"]),
            ("abcdefghij", "axcxexgxix", &["b/x", "d/x", "f/x", "h/x"]),
            ("сергей", "sergey", &["сергей/sergey"]),
        ];
        for &(a, b, expected) in cases {
            assert_eq!(differences(a, b), expected, "{a} / {b}");
        }
        let mut out = String::new();
        push_chunks(&mut out, ": ", "zhumabaev", "jumabayev");
        assert_eq!(out, ": zh/j, a/ay");
    }

    #[test]
    fn similarities_are_written_as_the_formatter_writes_them() {
        // Ties in the exact binary value round to even, as `{:.2}` does; values a float cannot
        // hold exactly round by what they really are (0.015 is a little below).
        let cases: &[f32] = &[
            0.0,
            -0.0,
            1.0,
            0.125,
            0.375,
            0.625,
            0.875,
            0.005,
            0.015,
            0.045,
            0.555,
            0.85,
            0.88,
            0.93,
            0.97,
            0.999,
            0.9951,
            12.345,
            -0.25,
            f32::NAN,
            f32::INFINITY,
            2e9,
        ];
        for &value in cases {
            let mut out = String::new();
            push_two_decimals(&mut out, value);
            assert_eq!(out, format!("{value:.2}"), "{value:e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_similarity_is_written_as_the_formatter_writes_it(bits in 0u32..=0x4000_0000) {
            // Every f32 from 0 to 2, a sample of them per run.
            let value = f32::from_bits(bits);
            let mut out = String::new();
            push_two_decimals(&mut out, value);
            proptest::prop_assert_eq!(out, format!("{value:.2}"));
        }
    }

    #[test]
    fn one_edit_apart() {
        let cases = [
            ("harry", "larry", true),
            ("putin", "pulin", true),
            ("merz", "mertz", true),
            ("abcd", "abdc", true),
            ("same", "same", true),
            ("castro", "castillo", false),
            ("khan", "khaja", false),
            ("abcd", "badc", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(within_one_edit(a, b), expected, "{a} / {b}");
            assert_eq!(within_one_edit(b, a), expected, "{b} / {a}");
        }
    }

    #[test]
    fn shared_groups() {
        assert!(shares_group(&[1, 4, 9], &[2, 9]));
        assert!(!shares_group(&[1, 4], &[2, 9]));
        assert!(!shares_group(&[], &[2]));
    }
}
