//! The level the ticked indicators of good practice suggest for an outcome (CAF's IGPs).
//!
//! This is a proposal for the person answering to confirm or change, never the answer
//! itself. The NCSC writes the CAF's outcomes as what must be achieved rather than a
//! checklist, and describes the indicators as typical characteristics to be read with
//! expert judgement: they are not exhaustive, and an organisation may reach an outcome
//! another way (NCSC, Cyber Assessment Framework, "Introduction to the CAF";
//! <https://www.ncsc.gov.uk/collection/cyber-assessment-framework>). The rule follows how
//! the NCSC tables are meant to be read:
//!
//! 1. nothing ticked: no proposal;
//! 2. any indicator at the lowest level ticked: the lowest level, since one "not achieved"
//!    indicator is normally enough to justify "not achieved";
//! 3. otherwise the highest level that has indicators and has all of them ticked;
//! 4. otherwise (some ticked, no level complete): the level just above the lowest on a scale
//!    of three or more levels, since something good is in place but no description fits in
//!    full; on a two-level scale there is nothing between, so the lowest.
//!
//! Ticks that are not this requirement's indicators are ignored.

use super::answer::Verdict;
use crate::assure::framework::model::{Requirement, ScaleLevel};

/// Which step of the rule gave the proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// These lowest-level indicators are ticked.
    LowestTicked(Vec<String>),
    /// All of the level's indicators (this many) are ticked.
    AllTicked(usize),
    /// Some indicators are ticked, but no level has all of its own.
    NoLevelComplete,
}

/// A proposed level and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// An index into the scale, worst first.
    pub level: usize,
    pub basis: Basis,
}

impl Proposal {
    pub fn verdict(&self) -> Verdict {
        Verdict::Level(self.level)
    }

    /// "Achieved: all 2 of its indicators are ticked."
    pub fn explain(&self, scale: &[ScaleLevel]) -> String {
        let label = self.verdict().label(scale).to_owned();
        match &self.basis {
            Basis::LowestTicked(ids) => format!(
                "{label}: {} at this level {} ticked ({}).",
                plural(ids.len(), "indicator"),
                if ids.len() == 1 { "is" } else { "are" },
                ids.join(", ")
            ),
            Basis::AllTicked(n) => format!(
                "{label}: all {} at this level {} ticked.",
                plural(*n, "indicator"),
                if *n == 1 { "is" } else { "are" }
            ),
            Basis::NoLevelComplete => format!(
                "{label}: some indicators are ticked, but no level has all of its indicators ticked."
            ),
        }
    }
}

fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// The proposed level (an index into `scale`), or `None` when nothing is ticked.
pub fn proposed_level(
    requirement: &Requirement,
    scale: &[ScaleLevel],
    ticked: &[String],
) -> Option<usize> {
    proposal(requirement, scale, ticked).map(|p| p.level)
}

/// The proposed level with the step of the rule that gave it.
pub fn proposal(
    requirement: &Requirement,
    scale: &[ScaleLevel],
    ticked: &[String],
) -> Option<Proposal> {
    // Each indicator with its level's index; one under a level not on the scale (which the
    // framework checks refuse) cannot be placed, so it is left out.
    let indicators: Vec<(usize, &str, bool)> = requirement
        .indicators
        .iter()
        .filter_map(|i| {
            let level = scale.iter().position(|l| l.id == i.level)?;
            Some((level, i.id.as_str(), ticked.contains(&i.id)))
        })
        .collect();
    if !indicators.iter().any(|(_, _, t)| *t) {
        return None;
    }
    let lowest: Vec<String> = indicators
        .iter()
        .filter(|(level, _, t)| *level == 0 && *t)
        .map(|(_, id, _)| (*id).to_owned())
        .collect();
    if !lowest.is_empty() {
        return Some(Proposal {
            level: 0,
            basis: Basis::LowestTicked(lowest),
        });
    }
    let complete = (1..scale.len()).rev().find_map(|level| {
        let at: Vec<bool> = indicators
            .iter()
            .filter(|(l, _, _)| *l == level)
            .map(|(_, _, t)| *t)
            .collect();
        (!at.is_empty() && at.iter().all(|t| *t)).then_some((level, at.len()))
    });
    Some(match complete {
        Some((level, n)) => Proposal {
            level,
            basis: Basis::AllTicked(n),
        },
        None => Proposal {
            level: usize::from(scale.len() >= 3),
            basis: Basis::NoLevelComplete,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::{
        framework::model::Framework,
        rules::test_framework::{CAF, NDG, YES_NO, builtin, framework},
    };

    fn ticks(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    /// One CAF outcome with NA1; PA1, PA2; A1, A2.
    fn caf() -> Framework {
        framework(CAF)
            .heading("B", "")
            .req("B4.a", "B", 1)
            .indicator("NA1", "not-achieved")
            .indicator("PA1", "partially-achieved")
            .indicator("PA2", "partially-achieved")
            .indicator("A1", "achieved")
            .indicator("A2", "achieved")
            .build()
    }

    fn propose(f: &Framework, ticked: &[&str]) -> Option<usize> {
        proposed_level(&f.requirements[1], &f.about.scale, &ticks(ticked))
    }

    #[test]
    fn nothing_ticked_or_only_other_ticks_proposes_nothing() {
        let f = caf();
        assert_eq!(propose(&f, &[]), None);
        assert_eq!(propose(&f, &["B4.b.A1"]), None);
    }

    #[test]
    fn one_lowest_level_indicator_outweighs_everything_else() {
        let f = caf();
        assert_eq!(propose(&f, &["A1", "A2", "NA1"]), Some(0));
        let p = proposal(&f.requirements[1], &f.about.scale, &ticks(&["NA1"]));
        assert_eq!(
            p.map(|p| p.explain(&f.about.scale)).as_deref(),
            Some("not-achieved: 1 indicator at this level is ticked (NA1).")
        );
    }

    #[test]
    fn the_highest_complete_level_wins() {
        let f = caf();
        // Achieved: A1 and A2 both ticked, whatever else is.
        assert_eq!(propose(&f, &["A1", "A2"]), Some(2));
        assert_eq!(propose(&f, &["PA1", "A1", "A2"]), Some(2));
        // Partially achieved: PA1 and PA2 ticked, achieved incomplete.
        assert_eq!(propose(&f, &["PA1", "PA2", "A1"]), Some(1));
        let p = proposal(&f.requirements[1], &f.about.scale, &ticks(&["A1", "A2"]));
        assert_eq!(
            p.map(|p| p.explain(&f.about.scale)).as_deref(),
            Some("achieved: all 2 indicators at this level are ticked.")
        );
    }

    #[test]
    fn some_ticks_without_a_complete_level_propose_the_level_above_the_lowest() {
        let f = caf();
        // A1 alone, or PA1 alone: no level complete; three levels, so partially achieved.
        assert_eq!(propose(&f, &["A1"]), Some(1));
        assert_eq!(propose(&f, &["PA1"]), Some(1));
        // Two levels: nothing in between, so the lowest.
        let yes_no = framework(YES_NO)
            .heading("Q", "")
            .req("Q.1", "Q", 1)
            .indicator("Y1", "yes")
            .indicator("Y2", "yes")
            .build();
        assert_eq!(propose(&yes_no, &["Y1"]), Some(0));
        assert_eq!(propose(&yes_no, &["Y1", "Y2"]), Some(1));
    }

    #[test]
    fn a_level_without_indicators_is_never_complete() {
        // "exceeded" (3) has no indicators, so ticking all of "met"'s gives "met" (2).
        let f = framework(NDG)
            .heading("1", "")
            .req("1.1", "1", 1)
            .indicator("AP1", "approaching")
            .indicator("M1", "met")
            .build();
        assert_eq!(propose(&f, &["M1"]), Some(2));
        assert_eq!(propose(&f, &["AP1"]), Some(1));
    }

    #[test]
    fn every_built_in_caf_outcome_with_its_achieved_indicators_ticked_proposes_achieved() {
        let f = builtin("caf-dspt");
        let achieved = f.about.scale.len() - 1;
        let mut checked = 0;
        for r in f.assessable() {
            let ids = |level: &str| -> Vec<String> {
                r.indicators
                    .iter()
                    .filter(|i| i.level == level)
                    .map(|i| i.id.clone())
                    .collect()
            };
            let mut ticked = ids("achieved");
            if ticked.is_empty() {
                continue;
            }
            checked += 1;
            assert_eq!(
                proposed_level(r, &f.about.scale, &ticked),
                Some(achieved),
                "{}",
                r.id
            );
            ticked.extend(ids("not-achieved").into_iter().take(1));
            let lowest_ticked = ticked.len() > ids("achieved").len();
            if lowest_ticked {
                assert_eq!(proposed_level(r, &f.about.scale, &ticked), Some(0));
            }
        }
        assert!(checked > 30, "only {checked} outcomes have indicators");
    }
}
