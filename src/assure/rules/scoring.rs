//! How far an assessment has got (progress) and how well the organisation does against the
//! framework (compliance), overall and per top-level section. Each result carries the
//! numbers it was worked out from, so a page can show the sum as well as the answer.
//!
//! Compliance is a weighted average of where each answer sits on the scale:
//!
//! ```text
//! Σ weight × (score − lowest) ÷ (Σ weight × (highest − lowest)) × 100
//! ```
//!
//! over the applicable assessable requirements. Working in scale points (score − lowest)
//! rather than fractions keeps every term a whole number, so the result is an exact ratio;
//! it is shown to one decimal place, rounded down, so it never reads higher than it is
//! (99.96% shows as 99.9%, and 100.0% only when everything is at the top of the scale).
//! An unanswered requirement counts as the lowest level, so skipping a question can never
//! raise the figure; "not applicable" is a claim someone makes and drops it from both sums.

use std::collections::HashMap;

use super::answer::{Answer, AnswerIndex, Verdict, Workflow};
use crate::assure::framework::model::{Framework, Requirement};

/// How far an assessment has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Assessable requirements with a result, "not applicable" included.
    pub answered: usize,
    /// Assessable requirements whose workflow is done.
    pub done: usize,
    /// Assessable requirements.
    pub total: usize,
}

impl Progress {
    /// The share answered, as a whole percentage rounded down (`None` when there is nothing
    /// to answer).
    pub fn answered_percent(&self) -> Option<usize> {
        (self.total > 0).then(|| self.answered * 100 / self.total)
    }

    /// "12 of 40 answered (30%), 5 done".
    pub fn explain(&self) -> String {
        format!(
            "{} of {} answered ({}%), {} done",
            self.answered,
            self.total,
            self.answered_percent().unwrap_or(0),
            self.done
        )
    }
}

/// How well the answers meet the framework, with the counts and sums behind the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compliance {
    /// Answered at a level that counts as met.
    pub met: usize,
    /// Answered above the lowest level but not met.
    pub partial: usize,
    /// Answered at the lowest level (and that level is not met).
    pub not_met: usize,
    pub not_applicable: usize,
    /// Applicable but without a result; scored as the lowest level.
    pub unanswered: usize,
    /// Σ weight × (score − lowest score) over applicable requirements.
    pub earned: u64,
    /// Σ weight over applicable requirements.
    pub weight: u64,
    /// The scale's highest score minus its lowest: what a requirement at the top earns per
    /// unit of weight.
    pub span: u64,
}

/// The general formula, as a page prints it above the working.
pub const COMPLIANCE_FORMULA: &str =
    "Σ weight × (score − lowest) ÷ (Σ weight × (highest − lowest)) × 100";

impl Compliance {
    /// Σ weight × (highest − lowest): what `earned` would be with everything at the top.
    pub fn possible(&self) -> u64 {
        self.weight * self.span
    }

    /// The exact percentage, for charts; `None` when no requirement applies.
    pub fn percent(&self) -> Option<f64> {
        let possible = self.possible();
        (possible > 0).then(|| self.earned as f64 * 100.0 / possible as f64)
    }

    /// The percentage in tenths, rounded down (437 for 43.75%); `None` when no requirement
    /// applies.
    pub fn tenths(&self) -> Option<u64> {
        let possible = u128::from(self.possible());
        (possible > 0).then(|| {
            let tenths = u128::from(self.earned) * 1000 / possible;
            u64::try_from(tenths).unwrap_or(u64::MAX)
        })
    }

    /// "43.7%", or a sentence when no requirement applies.
    pub fn percent_text(&self) -> String {
        match self.tenths() {
            Some(t) => format!("{}.{}%", t / 10, t % 10),
            None => "no applicable requirements".into(),
        }
    }

    /// The working: "7 ÷ (8 × 2) × 100 = 43.7%".
    pub fn formula(&self) -> String {
        format!(
            "{} ÷ ({} × {}) × 100 = {}",
            self.earned,
            self.weight,
            self.span,
            self.percent_text()
        )
    }
}

/// Progress and compliance of one top-level part of the framework (a CAF objective, a CSF
/// function, an NDG standard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionScore {
    pub id: String,
    pub title: String,
    pub progress: Progress,
    pub compliance: Compliance,
}

/// Progress over the whole framework.
pub fn progress(framework: &Framework, answers: &[Answer]) -> Progress {
    tally(framework, framework.assessable(), answers).0
}

/// Compliance over the whole framework.
pub fn compliance(framework: &Framework, answers: &[Answer]) -> Compliance {
    tally(framework, framework.assessable(), answers).1
}

/// Progress and compliance per top-level node, in display order. A top-level requirement
/// that is itself assessable counts in its own section.
pub fn by_section(framework: &Framework, answers: &[Answer]) -> Vec<SectionScore> {
    let top = top_levels(framework);
    framework
        .children("")
        .map(|section| {
            let members = framework
                .assessable()
                .filter(|r| top.get(r.id.as_str()) == Some(&section.id.as_str()));
            let (progress, compliance) = tally(framework, members, answers);
            SectionScore {
                id: section.id.clone(),
                title: section.title.clone(),
                progress,
                compliance,
            }
        })
        .collect()
}

/// The top-level ancestor of every requirement (a top-level one is its own).
fn top_levels(framework: &Framework) -> HashMap<&str, &str> {
    let parents: HashMap<&str, &str> = framework
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r.parent.as_str()))
        .collect();
    framework
        .requirements
        .iter()
        .map(|r| {
            let mut at = r.id.as_str();
            // A checked tree has no loops; the bound keeps a bad one from hanging.
            for _ in 0..framework.requirements.len() {
                match parents.get(at) {
                    Some(parent) if !parent.is_empty() => at = parent,
                    _ => break,
                }
            }
            (r.id.as_str(), at)
        })
        .collect()
}

/// Progress and compliance over `requirements` (assessable ones).
fn tally<'a>(
    framework: &Framework,
    requirements: impl Iterator<Item = &'a Requirement>,
    answers: &[Answer],
) -> (Progress, Compliance) {
    let scale = &framework.about.scale;
    let lowest = scale.first().map_or(0, |l| l.score);
    let highest = scale.last().map_or(0, |l| l.score);
    let index = AnswerIndex::new(answers, scale.len());
    let mut progress = Progress::default();
    let mut c = Compliance {
        span: u64::from(highest.saturating_sub(lowest)),
        ..Compliance::default()
    };
    for r in requirements {
        progress.total += 1;
        let verdict = index.verdict(&r.id);
        if verdict.is_some() {
            progress.answered += 1;
        }
        if index.workflow(&r.id) == Workflow::Done {
            progress.done += 1;
        }
        let weight = u64::from(r.weight);
        match verdict {
            Some(Verdict::NotApplicable) => c.not_applicable += 1,
            None => {
                c.unanswered += 1;
                c.weight += weight;
            }
            Some(Verdict::Level(i)) => {
                let level = &scale[i];
                if level.met {
                    c.met += 1;
                } else if i == 0 {
                    c.not_met += 1;
                } else {
                    c.partial += 1;
                }
                c.weight += weight;
                c.earned += weight * u64::from(level.score.saturating_sub(lowest));
            }
        }
    }
    (progress, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::rules::test_framework::{CAF, YES_NO, answer, at, builtin, framework, na};

    /// Two sections on CAF's scale (scores 0, 1, 2):
    /// A: A.1 weight 3, A.2 weight 1; B: B.1 weight 2, B.2 weight 4.
    fn two_sections() -> Framework {
        framework(CAF)
            .heading("A", "")
            .req("A.1", "A", 3)
            .req("A.2", "A", 1)
            .heading("B", "")
            .req("B.1", "B", 2)
            .req("B.2", "B", 4)
            .build()
    }

    /// A.1 achieved (done), A.2 partially achieved (in review), B.1 not applicable (done),
    /// B.2 unanswered.
    fn answers() -> Vec<Answer> {
        vec![
            at("A.1", 2),
            answer("A.2", Some(Verdict::Level(1)), Workflow::InReview),
            na("B.1"),
        ]
    }

    #[test]
    fn progress_counts_not_applicable_as_answered_and_done_by_workflow() {
        // 4 assessable; answered A.1, A.2, B.1 = 3; done A.1, B.1 = 2.
        let p = progress(&two_sections(), &answers());
        assert_eq!(
            p,
            Progress {
                answered: 3,
                done: 2,
                total: 4
            }
        );
        assert_eq!(p.explain(), "3 of 4 answered (75%), 2 done");
    }

    #[test]
    fn compliance_weights_both_the_points_and_the_ceiling() {
        // Applicable: A.1 (w3), A.2 (w1), B.2 (w4, unanswered) → Σ weight = 8.
        // Earned: 3 × 2 + 1 × 1 + 4 × 0 = 7. Possible: 8 × 2 = 16.
        // 7 ÷ 16 = 43.75% → 43.7% rounded down. (Leaving weight out of the ceiling would give
        // 7 ÷ (3 × 2) = 116.7%.)
        let c = compliance(&two_sections(), &answers());
        assert_eq!((c.met, c.partial, c.not_met), (1, 1, 0));
        assert_eq!((c.not_applicable, c.unanswered), (1, 1));
        assert_eq!((c.earned, c.weight, c.span, c.possible()), (7, 8, 2, 16));
        assert_eq!(c.percent(), Some(43.75));
        assert_eq!(c.tenths(), Some(437));
        assert_eq!(c.formula(), "7 ÷ (8 × 2) × 100 = 43.7%");
    }

    #[test]
    fn skipping_a_requirement_never_raises_the_figure() {
        let f = two_sections();
        let skipped = compliance(&f, &answers());
        let mut with_worst = answers();
        with_worst.push(at("B.2", 0));
        let worst = compliance(&f, &with_worst);
        // Unanswered and "not achieved" both earn 0 of B.2's 4 × 2.
        assert_eq!(skipped.tenths(), worst.tenths());
        assert_eq!((worst.not_met, worst.unanswered), (1, 0));
        // Not applicable removes it from both sums: 7 ÷ (4 × 2) = 87.5%.
        let mut excluded = answers();
        excluded.push(na("B.2"));
        assert_eq!(compliance(&f, &excluded).tenths(), Some(875));
    }

    #[test]
    fn sections_are_scored_separately_in_display_order() {
        // A: earned 3 × 2 + 1 × 1 = 7 of (3 + 1) × 2 = 8 → 87.5%, 2 of 2 answered, 1 done.
        // B: B.1 not applicable, B.2 unanswered: 0 of 4 × 2 = 8 → 0.0%, 1 of 2 answered, 1 done.
        let sections = by_section(&two_sections(), &answers());
        let ids: Vec<&str> = sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(
            sections[0].compliance.formula(),
            "7 ÷ (4 × 2) × 100 = 87.5%"
        );
        assert_eq!(
            (sections[0].progress.answered, sections[0].progress.done),
            (2, 1)
        );
        assert_eq!(sections[1].compliance.formula(), "0 ÷ (4 × 2) × 100 = 0.0%");
        assert_eq!(
            (sections[1].progress.answered, sections[1].progress.done),
            (1, 1)
        );
    }

    #[test]
    fn scores_are_measured_from_the_lowest_level_of_an_uneven_scale() {
        // Scores 1, 2, 4, 5: lowest 1, span 4. X (w2) at "most" earns 2 × (4 − 1) = 6;
        // Y (w1) at "some" earns 1 × (2 − 1) = 1. 7 ÷ (3 × 4) = 58.33% → 58.3%.
        let f = framework(&[
            ("none", 1, false),
            ("some", 2, false),
            ("most", 4, false),
            ("all", 5, true),
        ])
        .heading("S", "")
        .req("X", "S", 2)
        .req("Y", "S", 1)
        .build();
        let c = compliance(&f, &[at("X", 2), at("Y", 1)]);
        assert_eq!(c.formula(), "7 ÷ (3 × 4) × 100 = 58.3%");
        assert_eq!(c.partial, 2);
    }

    #[test]
    fn yes_or_no_counts_a_no_as_not_met() {
        // Yes earns 1 × 1, No earns 0: 1 ÷ (2 × 1) = 50.0%.
        let f = framework(YES_NO)
            .heading("Q", "")
            .req("Q.1", "Q", 1)
            .req("Q.2", "Q", 1)
            .build();
        let c = compliance(&f, &[at("Q.1", 1), at("Q.2", 0)]);
        assert_eq!((c.met, c.partial, c.not_met), (1, 0, 1));
        assert_eq!(c.percent_text(), "50.0%");
    }

    #[test]
    fn nothing_applicable_has_no_percentage() {
        let f = two_sections();
        let all_na: Vec<Answer> = ["A.1", "A.2", "B.1", "B.2"].into_iter().map(na).collect();
        let c = compliance(&f, &all_na);
        assert_eq!(c.percent(), None);
        assert_eq!(c.percent_text(), "no applicable requirements");
        assert_eq!(progress(&f, &all_na).answered_percent(), Some(100));
    }

    #[test]
    fn the_built_in_frameworks_score_full_marks_at_the_top_and_list_their_sections() {
        for id in [
            "caf-dspt",
            "cyber-essentials",
            "ndg-standards",
            "nist-csf-2",
        ] {
            let f = builtin(id);
            let top = f.about.scale.len() - 1;
            let all_top: Vec<Answer> = f.assessable().map(|r| at(&r.id, top)).collect();
            let c = compliance(&f, &all_top);
            assert_eq!(c.tenths(), Some(1000), "{id}");
            assert_eq!(compliance(&f, &[]).tenths(), Some(0), "{id}");
            let sections = by_section(&f, &all_top);
            let counted: usize = sections.iter().map(|s| s.progress.total).sum();
            assert_eq!(counted, f.assessable().count(), "{id}");
        }
        let caf = by_section(&builtin("caf-dspt"), &[]);
        let ids: Vec<&str> = caf.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D", "E"]);
    }
}
