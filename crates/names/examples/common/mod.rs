//! What the quality examples share: a confusion matrix and the figures read off it.

/// True and false positives and negatives of a matcher's verdicts against labels.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    pub tn: u32,
    pub fn_: u32,
}

impl Counts {
    /// Counts one verdict.
    pub fn add(&mut self, predicted: bool, label: bool) {
        match (predicted, label) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn total(&self) -> u32 {
        self.tp + self.fp + self.tn + self.fn_
    }
}

/// A ratio that reads 1 when nothing was asked (no positives predicted: precision is vacuous).
fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// The verdicts of the two tiers (DESIGN §5.1) against labels: the `match` tier alone, and
/// `match` and `possible` together (what an officer gets to see).
#[derive(Debug, Default, Clone, Copy)]
pub struct TierCounts {
    pub matched: Counts,
    pub seen: Counts,
}

impl TierCounts {
    pub fn add(&mut self, tier: haven_names::Tier, label: bool) {
        self.matched.add(tier == haven_names::Tier::Match, label);
        self.seen.add(tier >= haven_names::Tier::Possible, label);
    }

    /// One line: `match` precision/recall/F1, then `match`+`possible` recall/precision.
    pub fn line(&self) -> String {
        format!(
            "match tier: P {:.3} R {:.3} F1 {:.3} (tp {} fp {} fn {}) | match+possible: R {:.3} P {:.3} (tp {} fp {} fn {})",
            self.matched.precision(),
            self.matched.recall(),
            self.matched.f1(),
            self.matched.tp,
            self.matched.fp,
            self.matched.fn_,
            self.seen.recall(),
            self.seen.precision(),
            self.seen.tp,
            self.seen.fp,
            self.seen.fn_,
        )
    }
}

/// How the tiers would fall at other score thresholds, so that `MATCH_SCORE` and
/// `POSSIBLE_SCORE` can be chosen from a printed table: `(score, no doubt, label)` per pair.
pub fn threshold_table(judged: &[(f32, bool, bool)]) -> String {
    let mut lines = Vec::new();
    let mut matched = Vec::new();
    for t in (60..=90).step_by(5) {
        let threshold = t as f32 / 100.0;
        let mut counts = Counts::default();
        for &(score, sure, label) in judged {
            counts.add(score >= threshold && sure, label);
        }
        matched.push(format!(
            "{threshold:.2}: P {:.3} R {:.3} F1 {:.3}",
            counts.precision(),
            counts.recall(),
            counts.f1()
        ));
    }
    lines.push(format!(
        "  match tier by MATCH_SCORE: {}",
        matched.join(" | ")
    ));
    let mut seen = Vec::new();
    for t in (40..=70).step_by(5) {
        let threshold = t as f32 / 100.0;
        let mut counts = Counts::default();
        for &(score, _, label) in judged {
            counts.add(score >= threshold, label);
        }
        seen.push(format!(
            "{threshold:.2}: R {:.3} P {:.3}",
            counts.recall(),
            counts.precision()
        ));
    }
    lines.push(format!(
        "  match+possible by POSSIBLE_SCORE: {}",
        seen.join(" | ")
    ));
    lines.join("\n")
}
