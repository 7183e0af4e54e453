//! What moved a compliance score between two sets of answers (last year and this, or before
//! and after an edit): each changed requirement with the percentage points it accounts for.
//!
//! The score is a ratio, earned ÷ possible (see [`super::scoring`]). A change of level moves
//! only `earned`, but marking a requirement not applicable (or taking that back) moves
//! `possible` as well, so the effect of one change would otherwise depend on the order the
//! changes are counted in. Writing N and D for earned and possible, before (b) and after
//! (a), the change splits exactly, with no order, as
//!
//! ```text
//! N_a/D_a − N_b/D_b = Σ_i (ΔN_i − (N_b/D_b) × ΔD_i) ÷ D_a
//! ```
//!
//! so a requirement's points are what it added to `earned`, less what its change to
//! `possible` would have earned at the old rate, over the new `possible`. A change of level
//! alone is simply ΔN_i ÷ D_a; dropping a requirement that scored below the old average
//! raises the score. The points of all moves add up to the change in the score. When no
//! requirement applied before (D_b = 0) the old score counts as 0 and the points are
//! ΔN_i ÷ D_a; when none applies after, the new score counts as 0 and they are ΔN_i ÷ D_b.

use super::{
    answer::{Answer, AnswerIndex, Verdict},
    scoring::compliance,
};
use crate::assure::framework::model::{Framework, Requirement};

/// One requirement whose result changed, and what that did to the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub requirement: String,
    pub from: Option<Verdict>,
    pub to: Option<Verdict>,
    /// Percentage points of compliance this change accounts for.
    pub points: f64,
    /// The change in Σ weight × (score − lowest) it made.
    pub earned_change: i64,
    /// The change in Σ weight × (highest − lowest) it made (non-zero only for changes to or
    /// from not applicable).
    pub possible_change: i64,
}

impl Move {
    /// "B4.a: Partially achieved → Achieved, +18.8 points".
    pub fn explain(&self, framework: &Framework) -> String {
        let scale = &framework.about.scale;
        let name = |v: Option<Verdict>| match v {
            Some(v) => v.label(scale).to_owned(),
            None => "No answer".to_owned(),
        };
        format!(
            "{}: {} → {}, {:+.1} points",
            self.requirement,
            name(self.from),
            name(self.to),
            self.points
        )
    }
}

/// What one requirement's result puts into (earned, possible).
fn terms(r: &Requirement, verdict: Option<Verdict>, framework: &Framework) -> (i128, i128) {
    let scale = &framework.about.scale;
    let lowest = scale.first().map_or(0, |l| l.score);
    let highest = scale.last().map_or(0, |l| l.score);
    let weight = i128::from(r.weight);
    let possible = weight * i128::from(highest.saturating_sub(lowest));
    match verdict {
        Some(Verdict::NotApplicable) => (0, 0),
        None => (0, possible),
        Some(Verdict::Level(i)) => {
            let score = scale.get(i).map_or(lowest, |l| l.score);
            (weight * i128::from(score.saturating_sub(lowest)), possible)
        }
    }
}

/// Every assessable requirement whose result differs between `before` and `after`, with the
/// points it moved, largest effect first (up or down), ties in the framework's order.
pub fn what_moved(framework: &Framework, before: &[Answer], after: &[Answer]) -> Vec<Move> {
    let levels = framework.about.scale.len();
    let (old, new) = (
        AnswerIndex::new(before, levels),
        AnswerIndex::new(after, levels),
    );
    let (b, a) = (compliance(framework, before), compliance(framework, after));
    let (n_b, d_b) = (i128::from(b.earned), i128::from(b.possible()));
    let d_a = i128::from(a.possible());

    // Each move's points as numerator ÷ a denominator shared by all of them, so they can be
    // compared exactly.
    let share = |dn: i128, dd: i128| -> i128 {
        match (d_b > 0, d_a > 0) {
            (true, true) => dn * d_b - n_b * dd,
            _ => dn,
        }
    };
    let denominator: i128 = match (d_b > 0, d_a > 0) {
        (true, true) => d_a * d_b,
        (false, true) => d_a,
        (true, false) => d_b,
        (false, false) => 1,
    };

    let mut moves: Vec<(i128, Move)> = framework
        .assessable()
        .filter_map(|r| {
            let (from, to) = (old.verdict(&r.id), new.verdict(&r.id));
            if from == to {
                return None;
            }
            let (n_from, d_from) = terms(r, from, framework);
            let (n_to, d_to) = terms(r, to, framework);
            let (dn, dd) = (n_to - n_from, d_to - d_from);
            let numerator = if d_a > 0 || d_b > 0 { share(dn, dd) } else { 0 };
            Some((
                numerator,
                Move {
                    requirement: r.id.clone(),
                    from,
                    to,
                    points: numerator as f64 * 100.0 / denominator as f64,
                    earned_change: i64::try_from(dn).unwrap_or(0),
                    possible_change: i64::try_from(dd).unwrap_or(0),
                },
            ))
        })
        .collect();
    // Stable, so equal effects stay in the framework's order.
    moves.sort_by_key(|(numerator, _)| std::cmp::Reverse(numerator.abs()));
    moves.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::rules::{
        answer::Workflow,
        test_framework::{CAF, answer, at, builtin, framework, na},
    };

    /// CAF scale (0, 1, 2; span 2): A.1 weight 3, A.2 weight 1, B.1 weight 2, B.2 weight 4.
    fn f() -> Framework {
        framework(CAF)
            .heading("A", "")
            .req("A.1", "A", 3)
            .req("A.2", "A", 1)
            .heading("B", "")
            .req("B.1", "B", 2)
            .req("B.2", "B", 4)
            .build()
    }

    fn change(f: &Framework, before: &[Answer], after: &[Answer]) -> f64 {
        let pct = |a: &[Answer]| compliance(f, a).percent().unwrap_or(0.0);
        pct(after) - pct(before)
    }

    fn sum(moves: &[Move]) -> f64 {
        moves.iter().map(|m| m.points).sum()
    }

    #[test]
    fn each_change_gets_its_share_and_the_shares_add_up() {
        let f = f();
        // Before: A.1 1, A.2 1, B.1 0, B.2 unanswered.
        //   earned 3×1 + 1×1 + 0 + 0 = 4; possible (3+1+2+4)×2 = 20; 20%.
        // After: A.1 2, A.2 1, B.1 not applicable, B.2 2.
        //   earned 3×2 + 1×1 + 4×2 = 15; possible (3+1+4)×2 = 16; 93.75%. Change 73.75.
        // A.1: ΔN 3, ΔD 0 → 3 ÷ 16 = 18.75. B.2: ΔN 8 → 8 ÷ 16 = 50.
        // B.1: ΔN 0, ΔD −4 → (0 − 0.2 × −4) ÷ 16 = 0.05 → 5. Sum 73.75.
        let before = [at("A.1", 1), at("A.2", 1), at("B.1", 0)];
        let after = [at("A.1", 2), at("A.2", 1), na("B.1"), at("B.2", 2)];
        let moves = what_moved(&f, &before, &after);
        let got: Vec<(&str, f64)> = moves
            .iter()
            .map(|m| (m.requirement.as_str(), m.points))
            .collect();
        assert_eq!(got, [("B.2", 50.0), ("A.1", 18.75), ("B.1", 5.0)]);
        assert!((sum(&moves) - 73.75).abs() < 1e-9);
        assert!((sum(&moves) - change(&f, &before, &after)).abs() < 1e-9);
        assert_eq!((moves[2].earned_change, moves[2].possible_change), (0, -4));
        assert_eq!(
            moves[1].explain(&f),
            "A.1: partially-achieved → achieved, +18.8 points"
        );
        assert_eq!(
            moves[0].explain(&f),
            "B.2: No answer → achieved, +50.0 points"
        );
    }

    #[test]
    fn falls_count_against_and_unchanged_results_are_left_out() {
        let f = f();
        // Before 15 of 16 (as above); after, A.1 falls to 0: ΔN −6 → −6 ÷ 16 = −37.5.
        // Workflow alone changing on A.2 is not a move.
        let before = [at("A.1", 2), at("A.2", 1), na("B.1"), at("B.2", 2)];
        let after = [
            at("A.1", 0),
            answer("A.2", Some(Verdict::Level(1)), Workflow::InReview),
            na("B.1"),
            at("B.2", 2),
        ];
        let moves = what_moved(&f, &before, &after);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].points, -37.5);
        assert!((sum(&moves) - change(&f, &before, &after)).abs() < 1e-9);
    }

    #[test]
    fn dropping_a_requirement_above_the_average_lowers_the_score() {
        let f = f();
        // Before: A.1 2 (6 of 6), A.2 0 (0 of 2), B.1 0 (0 of 4), B.2 0 (0 of 8): 6 ÷ 20 = 30%.
        // After: A.1 not applicable: 0 ÷ 14 = 0%. ΔN −6, ΔD −6:
        // (−6 − 0.3 × −6) ÷ 14 = −4.2 ÷ 14 = −0.3 → −30 points.
        let before = [at("A.1", 2), at("A.2", 0), at("B.1", 0), at("B.2", 0)];
        let after = [na("A.1"), at("A.2", 0), at("B.1", 0), at("B.2", 0)];
        let moves = what_moved(&f, &before, &after);
        assert!((moves[0].points + 30.0).abs() < 1e-9);
    }

    #[test]
    fn equal_effects_keep_the_framework_order_not_text_order() {
        // "9" comes before "10" in the framework; both gain the same.
        let f = framework(CAF)
            .heading("S", "")
            .req("9", "S", 1)
            .req("10", "S", 1)
            .build();
        let moves = what_moved(&f, &[], &[at("10", 2), at("9", 2)]);
        let ids: Vec<&str> = moves.iter().map(|m| m.requirement.as_str()).collect();
        assert_eq!(ids, ["9", "10"]);
        // 2 ÷ 4 each: 50 + 50 = 100.
        assert_eq!(sum(&moves), 100.0);
    }

    #[test]
    fn from_or_to_nothing_applicable_the_missing_score_counts_as_zero() {
        let f = f();
        let all_na: Vec<Answer> = ["A.1", "A.2", "B.1", "B.2"].into_iter().map(na).collect();
        let some = [at("A.1", 2), at("A.2", 1), na("B.1"), na("B.2")];
        // From nothing applicable to 7 of 8: 87.5 points in all.
        let up = what_moved(&f, &all_na, &some);
        assert!((sum(&up) - 87.5).abs() < 1e-9);
        // And back.
        let down = what_moved(&f, &some, &all_na);
        assert!((sum(&down) + 87.5).abs() < 1e-9);
    }

    #[test]
    fn on_a_built_in_framework_the_points_add_up_to_the_change() {
        let f = builtin("caf-dspt");
        let ids: Vec<String> = f.assessable().map(|r| r.id.clone()).collect();
        // A varied pattern of levels, unanswered and not applicable.
        let pattern = |shift: usize| -> Vec<Answer> {
            ids.iter()
                .enumerate()
                .filter_map(|(i, id)| match (i + shift) % 5 {
                    0 => None,
                    4 => Some(na(id)),
                    k => Some(at(id, k - 1)),
                })
                .collect()
        };
        let (before, after) = (pattern(0), pattern(2));
        let moves = what_moved(&f, &before, &after);
        assert!(!moves.is_empty());
        assert!((sum(&moves) - change(&f, &before, &after)).abs() < 1e-9);
        assert!(
            moves
                .windows(2)
                .all(|w| w[0].points.abs() >= w[1].points.abs() - 1e-12)
        );
    }
}
