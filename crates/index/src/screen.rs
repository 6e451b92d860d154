//! Screening: a query's keys → candidates → the few best rescored by the name engine and the
//! evidence.
//!
//! Candidate generation, per query:
//!
//! 1. Every keyed part of every query name gives its keys (`keys::query_keys`); each key's
//!    weight is its kind's factor times its idf, `ln(1 + N / df)`. Year and date keys weigh a
//!    little more than the plain key, so the namesake born that year or day ranks first. The
//!    whole name run together, and its letters sorted, are two more keys (`JOINED_PART`).
//! 2. Short lists (≤ `scan_limit`) are read in full, shortest first, within `scan_budget`
//!    postings: each record found keeps, per query part, the best weight it earned. Year keys
//!    make common names short: "Ivan Ivanov, 1971".
//! 3. If nothing was short, the first `enumerate_cap` entries of the shortest list are the
//!    candidates (a query like "Mohammed Ali" with no date against millions: a documented loss).
//! 4. The best `verify` candidates by key weight are intersected (galloping search) with the
//!    long lists, at most `VERIFY_PER_PART` per part, weightiest first; lists holding more than
//!    2% of the records are skipped (a small idf, and every candidate alike).
//! 5. Candidates are ranked by their share of the query's key weight; the leaders get a bonus
//!    for birth date and nationality and a penalty for a different number of name parts
//!    (`Index::shapes`), read from the record arrays; the best `rescore`, unless more than
//!    `rescore_margin` behind the leader, are re-analysed from the name arena and compared with
//!    the full name engine; evidence gives the final score (`evidence`).
//!
//! Registry and context are ranked apart (DESIGN §5.1): from step 3 on, every cut — the
//! enumeration cap, the verify cut, the rescore cut and its margin behind the leader, the top
//! `k` — is taken within one source, so a context record carrying the query's exact spelling
//! never pushes out a registry record in another romanisation. An index without context
//! records (`Index::has_context`) skips the split.

use haven_names::{AnalysedName, Comparison, Matcher, compare, explain};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::evidence::{self, DateEvidence, EVIDENCE_WEIGHT};
use crate::index::Index;
use crate::keys::{self, QueryKey};
use crate::record::{Match, Query, Source, pack_country};

/// Query parts taken into account for candidate generation (all parts still count in the
/// rescoring).
const MAX_PARTS: usize = 16;

/// The accumulator slot of the joined-name key: a record filed under the query's whole name
/// run together matches all of it.
const JOINED_PART: usize = MAX_PARTS - 1;
const JOINED_SHARE: f32 = 0.95;

/// Long posting lists checked per query part.
const VERIFY_PER_PART: usize = 2;

#[derive(Default)]
struct Scratch {
    acc: FxHashMap<u32, Best>,
    cands: Vec<(u32, Best)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// A candidate's best key weight per query part, quantised to a byte (1/16 steps) to keep the
/// accumulator small.
type Best = [u8; MAX_PARTS];

fn quantise(weight: f32) -> u8 {
    (weight * 16.0).round().clamp(1.0, 255.0) as u8
}

struct LookedUp<'a> {
    part: usize,
    weight: f32,
    is_year: bool,
    table: &'a [u32],
    delta: &'a [u32],
}

impl LookedUp<'_> {
    fn df(&self) -> usize {
        self.table.len() + self.delta.len()
    }
}

struct Rescored {
    slot: u32,
    score: f32,
    /// `evidence::rank`: the score before clamping, what matches are ordered by.
    rank: f32,
    name_score: f32,
    query_name: usize,
    record_name: AnalysedName,
    comparison: Comparison,
    evidence: evidence::Evidence,
}

/// A match with the keys `screen` orders by, so that results screened from two indexes (the
/// layers of a `LiveIndex`) merge into the order one index would have given.
pub(crate) struct Ranked {
    pub(crate) found: Match,
    /// `evidence::rank`: the unclamped score.
    pub(crate) rank: f32,
    /// The evidence value, the first tie-break.
    pub(crate) evidence: f32,
}

impl Ranked {
    /// Best first: by the unclamped sum (so that a perfect name with an identical birth date
    /// ranks above a perfect name alone, both 1.0); equal sums by the evidence (a duplicate
    /// record with the birth date on file before one without), then by id.
    pub(crate) fn best_first(a: (f32, f32, &str), b: (f32, f32, &str)) -> std::cmp::Ordering {
        b.0.total_cmp(&a.0)
            .then_with(|| b.1.total_cmp(&a.1))
            .then_with(|| a.2.cmp(b.2))
    }

    pub(crate) fn key(&self) -> (f32, f32, &str) {
        (self.rank, self.evidence, &self.found.id)
    }
}

/// The query's names analysed once; names with nothing to match on are left out.
fn analyse_query(matcher: &Matcher<'_>, query: &Query) -> Vec<AnalysedName> {
    query
        .names
        .iter()
        .map(|n| matcher.analyse(n))
        .filter(|a| !a.parts.is_empty())
        .collect()
}

impl Index {
    /// The best matches for a person: up to `k` registry records and up to `k` context records,
    /// ranked separately (a strong context hit never hides a registry hit, DESIGN §5.1) and
    /// returned in one list, best first; equal scores by evidence, then by id. Callers that
    /// want one source filter on `Match::source`; they must not cut the list to `k`.
    pub fn screen(&self, query: &Query, k: usize) -> Vec<Match> {
        screen_layers(&[(self, None)], query, k)
            .into_iter()
            .map(|r| r.found)
            .collect()
    }

    /// Scores one record against a query exactly as `screen` would rank it, whether or not the
    /// candidate generation would have found it. `None` if there is no such live record or its
    /// best name score is below `min_name_score`.
    pub fn score_record(&self, query: &Query, id: &str) -> Option<Match> {
        let slot = self.slot_of(id)?;
        let matcher = Matcher::bundled();
        let analysed = analyse_query(&matcher, query);
        self.rescore(query, &analysed, &[slot], &matcher, 1)
            .pop()
            .map(|r| r.found)
    }

    /// Screens many queries on all cores, each exactly as [`Index::screen`]; results in query
    /// order.
    pub fn screen_batch(&self, queries: &[Query], k: usize) -> Vec<Vec<Match>> {
        queries.par_iter().map(|q| self.screen(q, k)).collect()
    }

    /// The candidates worth rescoring. The `hidden` slots (records replaced or removed in a
    /// layer above this index) are dropped as soon as the candidates are known, before any cut,
    /// so that a hidden record never crowds a visible one out.
    fn candidates(
        &self,
        query: &Query,
        analysed: &[AnalysedName],
        hidden: Option<&FxHashSet<u32>>,
    ) -> Chosen {
        let settings = &self.settings;
        // Parts (across names) and the name each belongs to.
        let mut part_name: Vec<usize> = Vec::new();
        let mut looked: Vec<LookedUp<'_>> = Vec::new();
        let mut scratch: Vec<QueryKey> = Vec::new();
        let n = self.live.max(1) as f32;
        for (name_index, name) in analysed.iter().enumerate() {
            for part in name.parts.iter().filter(|p| keys::is_keyed(p)) {
                if part_name.len() == JOINED_PART {
                    break;
                }
                let part_index = part_name.len();
                part_name.push(name_index);
                scratch.clear();
                keys::query_keys(part, query.birth_date, &mut scratch);
                for key in &scratch {
                    let (table, delta) = self.postings_of(key.hash);
                    let df = table.len() + delta.len();
                    if df == 0 {
                        continue;
                    }
                    looked.push(LookedUp {
                        part: part_index,
                        weight: key.factor * (1.0 + n / df as f32).ln(),
                        is_year: key.is_year,
                        table,
                        delta,
                    });
                }
            }
        }
        for name in analysed {
            // The whole name, joined or as letters in any order: either fills the joined slot.
            for hash in keys::joined_key(name)
                .into_iter()
                .chain(keys::name_anagram_key(name))
            {
                let (table, delta) = self.postings_of(hash);
                let df = table.len() + delta.len();
                if df > 0 {
                    looked.push(LookedUp {
                        part: JOINED_PART,
                        weight: (1.0 + n / df as f32).ln(),
                        is_year: false,
                        table,
                        delta,
                    });
                }
            }
        }
        if looked.is_empty() {
            return Chosen::default();
        }
        // The most a part can earn: its best key's weight.
        let mut part_max = vec![0f32; part_name.len()];
        for l in looked.iter().filter(|l| l.part != JOINED_PART) {
            part_max[l.part] = part_max[l.part].max(l.weight);
        }
        // A part filed under nothing (a typo, a name nobody has) still counts in the total, as a
        // rare key would: records that lack it are not full matches.
        for w in part_max.iter_mut().filter(|w| **w == 0.0) {
            *w = (1.0 + n).ln();
        }
        looked.sort_by_key(LookedUp::df);

        let mut scanned = vec![false; looked.len()];
        let mut budget = settings.scan_budget;
        // Per-thread buffers: the accumulator reaches a few hundred kilobytes, and allocating it
        // afresh for every query costs page faults.
        let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let acc = &mut scratch.acc;
        acc.clear();
        for (i, l) in looked.iter().enumerate() {
            if l.df() > settings.scan_limit || l.df() > budget {
                continue;
            }
            budget -= l.df();
            scanned[i] = true;
            let w = quantise(l.weight);
            for &slot in l.table.iter().chain(l.delta) {
                let best = acc.entry(slot).or_insert([0; MAX_PARTS]);
                best[l.part] = best[l.part].max(w);
            }
        }
        if acc.is_empty() {
            // Nothing short: the shortest non-year list, capped.
            if let Some((i, l)) = looked.iter().enumerate().find(|(_, l)| !l.is_year) {
                scanned[i] = true;
                let w = quantise(l.weight);
                // The cap is per source: context records early in the list must not use up
                // the registry's share.
                let mut taken = [0usize; 2];
                for &slot in l.table.iter().chain(l.delta) {
                    // Hidden records must not use up the cap either.
                    if hidden.is_some_and(|h| h.contains(&slot)) {
                        continue;
                    }
                    let source = if self.has_context {
                        usize::from(self.source(slot) == Source::Context)
                    } else {
                        0
                    };
                    if taken[source] >= settings.enumerate_cap {
                        if !self.has_context || taken.iter().all(|&t| t >= settings.enumerate_cap) {
                            break;
                        }
                        continue;
                    }
                    taken[source] += 1;
                    let best = acc.entry(slot).or_insert([0; MAX_PARTS]);
                    best[l.part] = best[l.part].max(w);
                }
            }
        }
        // Score: share of the query's key weight (the best query name), plus the evidence a
        // record slot offers cheaply (birth date, nationality).
        let names = analysed.len().min(MAX_PARTS);
        let mut totals = [0f32; MAX_PARTS];
        let part_max_q: Vec<u8> = part_max.iter().map(|&w| quantise(w)).collect();
        for (p, &name) in part_name.iter().enumerate() {
            totals[name.min(MAX_PARTS - 1)] += f32::from(part_max_q[p]);
        }
        let query_nat: Vec<u16> = query
            .nationalities
            .iter()
            .filter_map(|n| pack_country(n))
            .collect();
        let share = |best: &Best| -> f32 {
            let mut per_name = [0f32; MAX_PARTS];
            for (p, &name) in part_name.iter().enumerate() {
                per_name[name.min(MAX_PARTS - 1)] += f32::from(best[p]);
            }
            let mut share = if best[JOINED_PART] > 0 {
                JOINED_SHARE
            } else {
                0f32
            };
            for i in 0..names {
                if totals[i] > 0.0 {
                    share = share.max(per_name[i] / totals[i]);
                }
            }
            share
        };
        // Birth date and nationality: a random memory access per candidate, so only for the
        // candidates whose name share leaves them a chance.
        let evidence_bonus = |slot: u32| -> f32 {
            let date = match evidence::compare_dates(query.birth_date, self.birth(slot)) {
                DateEvidence::Identical => 0.2,
                DateEvidence::Compatible => 0.15,
                DateEvidence::SwappedDayMonth | DateEvidence::YearOff => 0.08,
                DateEvidence::Unknown => 0.0,
                DateEvidence::Conflicting => -0.1,
            };
            let nat = if !query_nat.is_empty()
                && self
                    .nationality_codes(slot)
                    .iter()
                    .any(|n| query_nat.contains(n))
            {
                0.03
            } else {
                0.0
            };
            date + nat
        };
        // Shape: a record whose names have as many keyed parts as the query's ranks first
        // among equal shares (a penalty per part of difference, at most three).
        let query_parts: Vec<usize> = analysed.iter().map(keys::keyed_parts).collect();
        let shape_penalty = |slot: u32| -> f32 {
            let shape = self.shape(slot);
            let distance = (0..8usize)
                .filter(|i| shape >> i & 1 == 1)
                .flat_map(|i| query_parts.iter().map(move |&q| i.abs_diff(q.min(7))))
                .min()
                .unwrap_or(3)
                .min(3);
            -0.01 * distance as f32
        };
        const MAX_BONUS: f32 = 0.23;
        let has_evidence = query.birth_date.is_some() || !query_nat.is_empty();
        let bonus = |slot: u32| -> f32 {
            let evidence = if has_evidence {
                evidence_bonus(slot)
            } else {
                0.0
            };
            evidence + shape_penalty(slot)
        };
        // The best `keep` of `cands` by share plus evidence, best first.
        // Entries are (score, slot, index into `cands`); ties by slot.
        let best_of = |cands: &[(u32, Best)], keep: usize, with_bonus: bool| -> Vec<(f32, u32)> {
            let order =
                |a: &(f32, u32, u32), b: &(f32, u32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            let mut ranked: Vec<(f32, u32, u32)> = cands
                .iter()
                .enumerate()
                .map(|(i, (s, b))| (share(b), *s, i as u32))
                .collect();
            if keep == 0 || ranked.is_empty() {
                return Vec::new();
            }
            if ranked.len() > keep {
                ranked.select_nth_unstable_by(keep - 1, order);
                // Whatever scores below the keep-th share minus the largest bonus cannot enter;
                // the others get their evidence and shape.
                let floor = ranked[keep - 1].0
                    - if with_bonus && has_evidence {
                        MAX_BONUS
                    } else {
                        0.0
                    };
                ranked.retain(|r| r.0 >= floor);
                // Among many equal shares (namesakes), only so many get looked at: each is a
                // random memory access at ten million records.
                let cap = keep.saturating_mul(3);
                if ranked.len() > cap {
                    ranked.select_nth_unstable_by(cap - 1, order);
                    ranked.truncate(cap);
                }
            }
            if with_bonus {
                for r in ranked.iter_mut() {
                    r.0 += bonus(r.1);
                }
            }
            if ranked.len() > keep {
                ranked.select_nth_unstable_by(keep - 1, order);
                ranked.truncate(keep);
            }
            ranked.sort_unstable_by(order);
            ranked.into_iter().map(|r| (r.0, r.2)).collect()
        };
        let mut cands = std::mem::take(&mut scratch.cands);
        cands.clear();
        match hidden {
            None => cands.extend(acc.drain().filter(|(slot, _)| !self.is_removed(*slot))),
            Some(hidden) => cands.extend(
                acc.drain()
                    .filter(|(slot, _)| !self.is_removed(*slot) && !hidden.contains(slot)),
            ),
        }
        // Registry and context are ranked apart from here on (DESIGN §5.1): every cut below —
        // the verify cut, the rescore cut, the margin behind the leader — is taken within one
        // source, so that a context record carrying the query's exact spelling can never push
        // the registry record (another romanisation of the same person) out.
        let mut context: Vec<(u32, Best)> = Vec::new();
        if self.has_context {
            let mut at = 0;
            for i in 0..cands.len() {
                if self.source(cands[i].0) == Source::Context {
                    context.push(cands[i]);
                } else {
                    cands[at] = cands[i];
                    at += 1;
                }
            }
            cands.truncate(at);
        }
        let has_long = looked
            .iter()
            .enumerate()
            .any(|(i, l)| !scanned[i] && !l.is_year);
        // Long lists: check them against the candidates only, the weightiest first, at most
        // `VERIFY_PER_PART` per part. Lists holding more than 2% of all records say little
        // (their idf is small and every candidate is in them or not alike): skipped.
        let huge = (n as usize / 50).max(settings.scan_limit);
        let mut long: Vec<&LookedUp<'_>> = looked
            .iter()
            .enumerate()
            .filter(|(i, l)| !scanned[*i] && !l.is_year && l.df() <= huge)
            .map(|(_, l)| l)
            .collect();
        long.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let choose = |cands: &mut Vec<(u32, Best)>| -> Vec<(u32, f32)> {
            // Too many to check against the long lists: keep the best by what is known so far.
            if has_long && cands.len() > settings.verify {
                // By key weight alone: the year and date keys already carry the birth date, and
                // reading each candidate's record here would cost a cache miss apiece.
                let keep = best_of(cands, settings.verify, false);
                let kept: Vec<(u32, Best)> = keep.iter().map(|&(_, i)| cands[i as usize]).collect();
                cands.clear();
                cands.extend(kept);
            }
            cands.sort_unstable_by_key(|c| c.0);
            let mut verified = [0u8; MAX_PARTS];
            for l in &long {
                if verified[l.part] as usize >= VERIFY_PER_PART {
                    continue;
                }
                verified[l.part] += 1;
                let w = quantise(l.weight);
                intersect(cands, l.table, l.part, w);
                intersect(cands, l.delta, l.part, w);
            }
            best_of(cands, settings.rescore, true)
                .into_iter()
                .map(|(_, i)| (cands[i as usize].0, share(&cands[i as usize].1)))
                .collect()
        };
        let chosen = Chosen {
            registry: choose(&mut cands),
            context: if context.is_empty() {
                Vec::new()
            } else {
                choose(&mut context)
            },
        };
        scratch.cands = cands;
        SCRATCH.with(|s| *s.borrow_mut() = scratch);
        chosen
    }
}

/// The candidates of one index to rescore, per source, each with its share of the query's key
/// weight; the margin behind the leader is not applied yet (see `screen_layers`).
#[derive(Default)]
struct Chosen {
    registry: Vec<(u32, f32)>,
    context: Vec<(u32, f32)>,
}

/// Screens `query` in one or more indexes as if they were one (the layers of a `LiveIndex`:
/// their ids must be disjoint once the `hidden` slots of each are left out), and returns up to
/// `k` matches per source, best first, with their ranking keys.
///
/// The query is analysed once. Each layer cuts its own candidates; then, per source, the
/// candidates whose names are far behind the leader's (a third of the query's key weight or
/// more) are dropped, the leader taken over all layers: on both benchmarks such candidates
/// never made the top ten, and they are not worth a full comparison. The names only: a
/// namesake with a conflicting birth date is still shown. (With the leader of each layer
/// instead, a small layer holding only partial namesakes would have all of them rescored.)
/// Shares are fractions of the query's key weight, so they compare across layers, though each
/// layer weighs the keys by its own idf: a layered view can rescore a slightly different set
/// than one index over the same records would.
pub(crate) fn screen_layers(
    layers: &[(&Index, Option<&FxHashSet<u32>>)],
    query: &Query,
    k: usize,
) -> Vec<Ranked> {
    let matcher = Matcher::bundled();
    let analysed = analyse_query(&matcher, query);
    if analysed.is_empty() || k == 0 {
        return Vec::new();
    }
    let chosen: Vec<Chosen> = layers
        .iter()
        .map(|&(index, hidden)| {
            if index.live == 0 {
                return Chosen::default();
            }
            index.candidates(query, &analysed, hidden.filter(|h| !h.is_empty()))
        })
        .collect();
    let leader = |of: fn(&Chosen) -> &Vec<(u32, f32)>| {
        chosen
            .iter()
            .flat_map(|c| of(c).iter().map(|c| c.1))
            .fold(0f32, f32::max)
    };
    let registry_leader = leader(|c| &c.registry);
    let context_leader = leader(|c| &c.context);
    let mut ranked: Vec<Ranked> = Vec::new();
    for (&(index, _), chosen) in layers.iter().zip(&chosen) {
        let margin = index.settings.rescore_margin;
        let candidates: Vec<u32> = chosen
            .registry
            .iter()
            .filter(|c| c.1 >= registry_leader - margin)
            .chain(
                chosen
                    .context
                    .iter()
                    .filter(|c| c.1 >= context_leader - margin),
            )
            .map(|c| c.0)
            .collect();
        if !candidates.is_empty() {
            ranked.extend(index.rescore(query, &analysed, &candidates, &matcher, k));
        }
    }
    if layers.len() > 1 {
        ranked.sort_by(|a, b| Ranked::best_first(a.key(), b.key()));
        let mut taken = [0usize; 2];
        ranked.retain(|r| {
            let n = &mut taken[usize::from(r.found.source.to_byte())];
            *n += 1;
            *n <= k
        });
    }
    ranked
}

impl Index {
    fn rescore(
        &self,
        query: &Query,
        analysed: &[AnalysedName],
        candidates: &[u32],
        matcher: &Matcher<'_>,
        k: usize,
    ) -> Vec<Ranked> {
        let query_nat: Vec<u16> = query
            .nationalities
            .iter()
            .filter_map(|n| pack_country(n))
            .collect();
        let mut scored: Vec<Rescored> = Vec::with_capacity(candidates.len());
        for &slot in candidates {
            // (score, query name, record name) of the best pair; the record names analysed.
            let mut best: Option<(f32, usize, usize, Comparison)> = None;
            let mut record_names: Vec<AnalysedName> = Vec::with_capacity(2);
            for name in self.names(slot) {
                let record_name = matcher.analyse(name);
                for (qi, q) in analysed.iter().enumerate() {
                    let comparison = compare(q, &record_name);
                    if best.as_ref().is_none_or(|b| comparison.score > b.0) {
                        best = Some((comparison.score, qi, record_names.len(), comparison));
                    }
                }
                record_names.push(record_name);
            }
            let Some((name_score, query_name, record_index, comparison)) = best else {
                continue;
            };
            let record_name = record_names.swap_remove(record_index);
            if name_score < self.settings.min_name_score {
                continue;
            }
            let ev = evidence::evidence(
                query.birth_date,
                self.birth(slot),
                &query_nat,
                self.nationality_codes(slot),
                query.gender,
                self.gender(slot),
            );
            scored.push(Rescored {
                slot,
                score: evidence::combine(name_score, &ev),
                rank: evidence::rank(name_score, &ev),
                name_score,
                query_name,
                record_name,
                comparison,
                evidence: ev,
            });
        }
        scored.sort_by(|a, b| {
            Ranked::best_first(
                (a.rank, a.evidence.value, self.id(a.slot)),
                (b.rank, b.evidence.value, self.id(b.slot)),
            )
        });
        // The best k of each source, in one list: a context hit never takes a registry hit's
        // place.
        let mut taken = [0usize; 2];
        scored.retain(|r| {
            let n = &mut taken[usize::from(self.source(r.slot).to_byte())];
            *n += 1;
            *n <= k
        });
        scored
            .into_iter()
            .map(|r| {
                let mut text = format!(
                    "score {:.2} = name {:.2} {} {EVIDENCE_WEIGHT:.2} × evidence {:.2}. Name: {} Evidence: ",
                    r.score,
                    r.name_score,
                    if r.evidence.value < 0.0 { '−' } else { '+' },
                    r.evidence.value.abs(),
                    explain(&analysed[r.query_name], &r.record_name, &r.comparison),
                );
                let record_nat = self.nationalities(r.slot);
                evidence::describe(
                    &mut text,
                    &r.evidence,
                    query.birth_date,
                    self.birth(r.slot),
                    &query.nationalities,
                    &record_nat,
                    query.gender,
                    self.gender(r.slot),
                );
                text.push('.');
                Ranked {
                    found: Match {
                        id: self.id(r.slot).to_owned(),
                        source: self.source(r.slot),
                        score: r.score,
                        name_score: r.name_score,
                        tier: evidence::tier(r.comparison.tier(), &r.evidence),
                        names: self.names(r.slot).map(str::to_owned).collect(),
                        explanation: text,
                    },
                    rank: r.rank,
                    evidence: r.evidence.value,
                }
            })
            .collect()
    }
}

/// Adds `weight` to `part` of every candidate (sorted by slot) that is in `list` (sorted):
/// a galloping merge, so a long list costs about `candidates × log(list / candidates)`.
fn intersect(cands: &mut [(u32, Best)], list: &[u32], part: usize, weight: u8) {
    if list.is_empty() {
        return;
    }
    let mut at = 0usize;
    for (slot, best) in cands.iter_mut() {
        if at >= list.len() {
            break;
        }
        if best[part] >= weight {
            // Nothing to gain; the search resumes from here for the next candidate.
            continue;
        }
        // Gallop to the first entry ≥ slot.
        let mut step = 1;
        let mut hi = at;
        while hi < list.len() && list[hi] < *slot {
            at = hi + 1;
            hi += step;
            step *= 2;
        }
        let hi = hi.min(list.len());
        at += list[at..hi].partition_point(|&x| x < *slot);
        if at < list.len() && list[at] == *slot {
            best[part] = best[part].max(weight);
        }
    }
}
