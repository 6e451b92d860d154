//! Held-out cross-script evaluation on the UN Security Council consolidated list: does the engine
//! match an individual's name as written in its original script (Arabic, Cyrillic, …) to the same
//! individual's Latin name, and keep it apart from other listed individuals' Latin names?
//!
//! Nobody on the project wrote the pairs: positives are the list's own NAME_ORIGINAL_SCRIPT ↔
//! FIRST..FOURTH_NAME of one entry. Each original-script name also gets two negatives, both chosen
//! deterministically so runs are comparable:
//! - "next": the Latin name of the next individual in file order whose original-script name is in
//!   the same script (wrapping round);
//! - "hard": among the 20 individuals that follow in file order (wrapping round), the one whose
//!   Latin name `Matcher::score` rates most similar to this individual's Latin name. Neighbours in
//!   file order come from the same sanctions regime, so their names share origin and vocabulary.
//!   Candidates are ranked Latin ↔ Latin rather than by the cross-script score under test, so the
//!   negatives do not depend on the very score being measured.
//!
//! - "near": near-namesakes made by a rule from the individual's own Latin name, one of each
//!   kind: the last name part with two consonants replaced by consonants of another sound class
//!   (a different surname a few letters off: Kirilenko / Kyrytschenko), and the last name part
//!   lengthened by three letters (a longer surname that only starts like it: Aliyev /
//!   Aliyevrin). They are reported apart from the list's own pairs: they should land in
//!   `possible` at most, never in `match`.
//!
//! A negative is never a name that equals this individual's own Latin name or one of its Latin
//! aliases (ignoring case and punctuation): the list has namesakes, and labelling them "different
//! person" would charge the engine for a correct match.
//!
//! Run: `cargo run --release -p haven-names --example un_cross_script [-- PATH_TO_XML] [--errors]
//! [--pairs-out FILE]` (PATH_TO_XML defaults to `../shared/bench/watchman_UN_consolidated.xml`).
//! `--pairs-out` also writes the list's own pairs (positives and both negatives, not the
//! near-namesakes made here) as a CSV `name1,name2,label,kind,script`: the held-out cross-script
//! set on which `scripts/compare_logic_v2.py --un-pairs` times Haven against logic-v2.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use haven_names::{DEFAULT_THRESHOLD, Matcher, Script, Tier};

mod common;
use common::{Counts, TierCounts};
use quick_xml::Reader;
use quick_xml::events::Event;

/// How many following individuals are considered for the hard negative.
const HARD_CANDIDATES: usize = 20;

#[derive(Debug, Default)]
struct Individual {
    dataid: String,
    /// FIRST_NAME..FOURTH_NAME joined with spaces.
    latin: String,
    original: Option<String>,
    aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Positive,
    NegativeNext,
    NegativeHard,
    NearConsonants,
    NearLonger,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Positive => "positive",
            Kind::NegativeNext => "negative (next same-script)",
            Kind::NegativeHard => "negative (hard, most similar of 20)",
            Kind::NearConsonants => "near-namesake (two consonants changed)",
            Kind::NearLonger => "near-namesake (surname lengthened)",
        }
    }
}

struct Pair {
    script: Script,
    kind: Kind,
    original: String,
    latin: String,
    /// The DATAID of the individual whose Latin name is used, for checking a pair by hand.
    latin_dataid: String,
    score: f32,
    tier: Tier,
    /// The comparison has no doubt that keeps it out of `match`.
    sure: bool,
}

impl Pair {
    fn label(&self) -> bool {
        self.kind == Kind::Positive
    }
}

/// The verdicts at `threshold` against each pair's label.
fn counts_of<'a>(pairs: impl IntoIterator<Item = &'a Pair>, threshold: f32) -> Counts {
    let mut counts = Counts::default();
    for pair in pairs {
        counts.add(pair.score >= threshold, pair.label());
    }
    counts
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut show_errors = false;
    let mut pairs_out = None;
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--errors" => show_errors = true,
            "--pairs-out" => {
                pairs_out = Some(PathBuf::from(
                    args.next().ok_or("--pairs-out needs a file name")?,
                ));
            }
            _ if !arg.starts_with("--") && path.is_none() => path = Some(PathBuf::from(arg)),
            _ => {}
        }
    }
    let path =
        path.unwrap_or_else(|| PathBuf::from("../shared/bench/watchman_UN_consolidated.xml"));
    let xml = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let individuals = read_individuals(&xml)?;
    let matcher = Matcher::bundled();

    let (pairs, skipped) = build_pairs(&individuals, &matcher);
    let with_original = individuals.iter().filter(|i| i.original.is_some()).count();
    println!(
        "UN consolidated list: {} individuals, {} with a name in original script; {} pairs \
         ({} namesake candidates skipped as negatives)",
        individuals.len(),
        with_original,
        pairs.len(),
        skipped
    );
    report(&pairs);
    if show_errors {
        print_errors(&pairs, &matcher);
    }
    if let Some(out) = pairs_out {
        write_pairs(&out, &pairs).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}

/// The list's own pairs as a CSV, for timing and scoring them with another matcher.
fn write_pairs(path: &std::path::Path, pairs: &[Pair]) -> Result<(), Box<dyn Error>> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["name1", "name2", "label", "kind", "script"])?;
    for pair in pairs.iter().filter(|p| {
        matches!(
            p.kind,
            Kind::Positive | Kind::NegativeNext | Kind::NegativeHard
        )
    }) {
        writer.write_record([
            pair.original.as_str(),
            pair.latin.as_str(),
            if pair.label() { "true" } else { "false" },
            pair.kind.label(),
            pair.script.label(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The INDIVIDUAL entries, in file order. Entities (organisations) are skipped: their names are
/// not person names.
fn read_individuals(xml: &str) -> Result<Vec<Individual>, Box<dyn Error>> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut individuals = Vec::new();
    let mut current: Option<Individual> = None;
    let mut latin_parts: [String; 4] = Default::default();
    // Text of the innermost element, accumulated across Text and entity-reference events.
    let mut text = String::new();

    loop {
        match reader.read_event()? {
            Event::Start(start) => {
                let local = start.local_name();
                let name = AsRef::<str>::as_ref(&local).to_owned();
                if name == "INDIVIDUAL" && stack.last().is_some_and(|p| p == "INDIVIDUALS") {
                    current = Some(Individual::default());
                    latin_parts = Default::default();
                }
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let reference = r.xml10_content();
                match r.resolve_char_ref()? {
                    Some(c) => text.push(c),
                    None => text.push_str(&quick_xml::escape::unescape(&format!("&{reference};"))?),
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str);
                let value = text.trim().to_owned();
                text.clear();
                let Some(individual) = current.as_mut() else {
                    continue;
                };
                match (name.as_str(), parent) {
                    ("INDIVIDUAL", _) => {
                        let mut done = current.take().unwrap_or_default();
                        done.latin = latin_parts
                            .iter()
                            .filter(|p| !p.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" ");
                        individuals.push(done);
                    }
                    ("DATAID", Some("INDIVIDUAL")) => individual.dataid = value,
                    ("FIRST_NAME", Some("INDIVIDUAL")) => latin_parts[0] = value,
                    ("SECOND_NAME", Some("INDIVIDUAL")) => latin_parts[1] = value,
                    ("THIRD_NAME", Some("INDIVIDUAL")) => latin_parts[2] = value,
                    ("FOURTH_NAME", Some("INDIVIDUAL")) => latin_parts[3] = value,
                    ("NAME_ORIGINAL_SCRIPT", Some("INDIVIDUAL")) if !value.is_empty() => {
                        individual.original = Some(value);
                    }
                    ("ALIAS_NAME", Some("INDIVIDUAL_ALIAS")) if !value.is_empty() => {
                        individual.aliases.push(value);
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(individuals)
}

/// Case and punctuation folded, so namesake checks ignore "AL-RAWI" vs "Al Rawi".
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Positives and both kinds of negative, and how many candidates were skipped as namesakes.
fn build_pairs(individuals: &[Individual], matcher: &Matcher<'_>) -> (Vec<Pair>, usize) {
    let named: Vec<&Individual> = individuals.iter().filter(|i| !i.latin.is_empty()).collect();
    // The individual's script is the analysed script of its original-script name, so a pair is
    // grouped the way the engine itself sees it.
    let with_original: Vec<(usize, Script)> = named
        .iter()
        .enumerate()
        .filter_map(|(i, ind)| {
            ind.original
                .as_deref()
                .map(|o| (i, matcher.analyse(o).script))
        })
        .collect();

    let mut pairs = Vec::new();
    let mut skipped = 0;
    for (k, &(i, script)) in with_original.iter().enumerate() {
        let me = named[i];
        let original = me.original.clone().unwrap_or_default();
        let own_names: Vec<String> = std::iter::once(&me.latin)
            .chain(&me.aliases)
            .map(|n| fold(n))
            .collect();
        let is_namesake = |other: &Individual| own_names.contains(&fold(&other.latin));
        let pair_with = |kind, latin: String, dataid: &str| {
            let verdict = matcher.compare(&original, &latin);
            let comparison =
                haven_names::compare(&matcher.analyse(&original), &matcher.analyse(&latin));
            Pair {
                sure: comparison.doubts.is_empty(),
                script,
                kind,
                original: original.clone(),
                latin,
                latin_dataid: dataid.to_owned(),
                score: verdict.score,
                tier: verdict.tier,
            }
        };
        let pair = |kind, other: &Individual| pair_with(kind, other.latin.clone(), &other.dataid);

        pairs.push(pair(Kind::Positive, me));
        for (kind, latin) in near_namesakes(&me.latin) {
            if !own_names.contains(&fold(&latin)) {
                pairs.push(pair_with(kind, latin, &me.dataid));
            }
        }

        let mut next = None;
        for step in 1..with_original.len() {
            let (j, other_script) = with_original[(k + step) % with_original.len()];
            if other_script != script {
                continue;
            }
            if is_namesake(named[j]) {
                skipped += 1;
                continue;
            }
            next = Some(j);
            break;
        }
        if let Some(j) = next {
            pairs.push(pair(Kind::NegativeNext, named[j]));
        }

        let mut best: Option<(f32, usize)> = None;
        for step in 1..=HARD_CANDIDATES.min(named.len() - 1) {
            let j = (i + step) % named.len();
            if Some(j) == next {
                continue;
            }
            if is_namesake(named[j]) {
                skipped += 1;
                continue;
            }
            let similarity = matcher.score(&me.latin, &named[j].latin);
            // Strictly greater keeps the first in file order on ties, for determinism.
            if best.is_none_or(|(s, _)| similarity > s) {
                best = Some((similarity, j));
            }
        }
        if let Some((_, j)) = best {
            pairs.push(pair(Kind::NegativeHard, named[j]));
        }
    }
    (pairs, skipped)
}

/// Consonants in a fixed order; a consonant is replaced by the one ten places on, the only
/// rotation under which no consonant meets a romanisation, voicing or sound-alike variant of
/// itself (b→n, d→q, k→v, s→c, t→f, …; checked against the cheap substitutions of
/// `distance.rs`).
const CONSONANTS: &[u8] = b"bcdfghjklmnpqrstvwxz";

/// Near-namesakes of a Latin name, made from its last part (see the module header); none when
/// the part is too short to change without making a different kind of name.
fn near_namesakes(latin: &str) -> Vec<(Kind, String)> {
    let words: Vec<&str> = latin.split_whitespace().collect();
    let Some((last, rest)) = words.split_last() else {
        return Vec::new();
    };
    let lower = last.to_ascii_lowercase();
    if lower.len() < 5 || !lower.is_ascii() {
        return Vec::new();
    }
    let with_last = |new_last: &str| {
        let mut all: Vec<&str> = rest.to_vec();
        all.push(new_last);
        all.join(" ")
    };
    let mut out = Vec::new();
    // The second and the last consonant after the first letter.
    let positions: Vec<usize> = lower
        .bytes()
        .enumerate()
        .skip(1)
        .filter(|(_, c)| CONSONANTS.contains(c))
        .map(|(i, _)| i)
        .collect();
    if positions.len() >= 3 {
        let mut bytes = lower.clone().into_bytes();
        for &i in [positions[1], positions[positions.len() - 1]].iter() {
            let k = CONSONANTS.iter().position(|&c| c == bytes[i]).unwrap_or(0);
            bytes[i] = CONSONANTS[(k + 10) % CONSONANTS.len()];
        }
        out.push((
            Kind::NearConsonants,
            with_last(&String::from_utf8(bytes).unwrap_or_default()),
        ));
    }
    out.push((Kind::NearLonger, with_last(&format!("{lower}rin"))));
    out
}

fn report(pairs: &[Pair]) {
    let natural: Vec<&Pair> = pairs
        .iter()
        .filter(|p| !matches!(p.kind, Kind::NearConsonants | Kind::NearLonger))
        .collect();
    let mut tiers = TierCounts::default();
    for pair in &natural {
        tiers.add(pair.tier, pair.label());
    }
    println!(
        "\nthe list's own pairs (positive, next, hard): {}",
        tiers.line()
    );
    let judged: Vec<(f32, bool, bool)> = natural
        .iter()
        .map(|p| (p.score, p.sure, p.label()))
        .collect();
    println!("{}", common::threshold_table(&judged));
    let mut with_near = TierCounts::default();
    for pair in pairs {
        with_near.add(pair.tier, pair.label());
    }
    println!(
        "with near-namesakes:                         {}",
        with_near.line()
    );
    let mut by_kind_tier: BTreeMap<Kind, [usize; 3]> = BTreeMap::new();
    for pair in pairs {
        by_kind_tier.entry(pair.kind).or_default()[pair.tier as usize] += 1;
    }
    println!("tiers by pair kind (none / possible / match):");
    for (kind, [none, possible, matched]) in &by_kind_tier {
        println!(
            "  {:<42} {none:>4} / {possible:>4} / {matched:>4}",
            kind.label()
        );
    }

    let mut by_script: BTreeMap<Script, Vec<&Pair>> = BTreeMap::new();
    for pair in natural.iter().copied() {
        by_script.entry(pair.script).or_default().push(pair);
    }
    println!("\nthreshold {DEFAULT_THRESHOLD}; best F1 searched over thresholds 0.50..=0.99");
    println!(
        "{:<20} {:>5} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6}   {:>7} {:>5} {:>6} {:>6}",
        "script",
        "pairs",
        "tp",
        "fp",
        "tn",
        "fn",
        "prec",
        "recall",
        "F1",
        "best F1",
        "at",
        "prec",
        "recall"
    );
    let mut rows: Vec<(String, Vec<&Pair>)> = by_script
        .into_iter()
        .map(|(s, p)| (s.label().to_owned(), p))
        .collect();
    rows.push(("overall".to_owned(), natural.clone()));
    for (label, group) in &rows {
        let at_default = counts_of(group.iter().copied(), DEFAULT_THRESHOLD);
        let (best_threshold, best) = best_f1(group);
        println!(
            "{:<20} {:>5} {:>4} {:>4} {:>4} {:>4} {:>6.3} {:>6.3} {:>6.3}   {:>7.3} {:>5.2} {:>6.3} {:>6.3}",
            label,
            at_default.total(),
            at_default.tp,
            at_default.fp,
            at_default.tn,
            at_default.fn_,
            at_default.precision(),
            at_default.recall(),
            at_default.f1(),
            best.f1(),
            best_threshold,
            best.precision(),
            best.recall()
        );
    }

    // Which kind of negative the false matches come from, and the score spread of each kind:
    // a hard negative scoring near a positive says more than the headline figure.
    println!("\nby pair kind at threshold {DEFAULT_THRESHOLD}:");
    let mut by_kind: BTreeMap<Kind, Vec<f32>> = BTreeMap::new();
    for pair in pairs {
        by_kind.entry(pair.kind).or_default().push(pair.score);
    }
    for (kind, scores) in &mut by_kind {
        scores.sort_by(f32::total_cmp);
        let above = scores.iter().filter(|&&s| s >= DEFAULT_THRESHOLD).count();
        let quantile = |q: f64| scores[((scores.len() - 1) as f64 * q).round() as usize];
        println!(
            "  {:<38} {:>4} pairs, {:>4} at/above threshold ({:.3}); score p10 {:.3} median {:.3} p90 {:.3}",
            kind.label(),
            scores.len(),
            above,
            above as f64 / scores.len() as f64,
            quantile(0.1),
            quantile(0.5),
            quantile(0.9)
        );
    }
}

fn best_f1(pairs: &[&Pair]) -> (f32, Counts) {
    (50..=99)
        .map(|t| {
            let threshold = t as f32 / 100.0;
            (threshold, counts_of(pairs.iter().copied(), threshold))
        })
        // The first maximum wins, so ties report the lowest threshold (recall first).
        .fold(None, |best: Option<(f32, Counts)>, (t, c)| match best {
            Some((_, b)) if b.f1() >= c.f1() => best,
            _ => Some((t, c)),
        })
        .unwrap_or((DEFAULT_THRESHOLD, Counts::default()))
}

fn print_errors(pairs: &[Pair], matcher: &Matcher<'_>) {
    println!("\nmisjudged pairs (tier against label):");
    for pair in pairs.iter().filter(|p| {
        // A true match outside `match`, or a negative in `match`.
        (p.tier == Tier::Match) != p.label()
    }) {
        let verdict = matcher.compare(&pair.original, &pair.latin);
        println!(
            "  {:.3} {} {} [{}] | {} | {} (DATAID {})\n      {}",
            pair.score,
            pair.tier.as_str(),
            pair.kind.label(),
            pair.script.label(),
            pair.original,
            pair.latin,
            pair.latin_dataid,
            verdict.explanation.replace('\n', "\n      ")
        );
    }
}
