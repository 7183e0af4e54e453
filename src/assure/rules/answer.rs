//! What an answer to one requirement is. The result (a level of the framework's scale, or
//! not applicable) is kept apart from where the work is (the workflow status) and from the
//! score derived from it, so a requirement can be answered yet still in review, or done
//! and found not applicable.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::assure::framework::model::ScaleLevel;

/// Where the team is with a requirement, whatever its result.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Workflow {
    #[default]
    ToDo,
    InProgress,
    InReview,
    Done,
}

impl Workflow {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Workflow::ToDo => "To do",
            Workflow::InProgress => "In progress",
            Workflow::InReview => "Ready for review",
            Workflow::Done => "Done",
        }
    }
}

/// The stored text of a "not applicable" result.
pub const NOT_APPLICABLE: &str = "not-applicable";

/// A requirement's result: a level of the framework's scale (its index, worst first), or
/// not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Level(usize),
    NotApplicable,
}

/// A stored or submitted result that is not on the framework's scale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an answer on this framework's scale")]
pub struct UnknownResult(pub String);

impl Verdict {
    /// Reads a result as stored or submitted: a scale level's id, or [`NOT_APPLICABLE`].
    pub fn parse(text: &str, scale: &[ScaleLevel]) -> Result<Verdict, UnknownResult> {
        if text == NOT_APPLICABLE {
            return Ok(Verdict::NotApplicable);
        }
        scale
            .iter()
            .position(|l| l.id == text)
            .map(Verdict::Level)
            .ok_or_else(|| UnknownResult(text.to_owned()))
    }

    /// The text stored for this result.
    pub fn id(self, scale: &[ScaleLevel]) -> &str {
        match self {
            Verdict::Level(i) => scale.get(i).map_or(NOT_APPLICABLE, |l| l.id.as_str()),
            Verdict::NotApplicable => NOT_APPLICABLE,
        }
    }

    /// What a person reads.
    pub fn label(self, scale: &[ScaleLevel]) -> &str {
        match self {
            Verdict::Level(i) => scale.get(i).map_or("Not applicable", |l| l.label.as_str()),
            Verdict::NotApplicable => "Not applicable",
        }
    }
}

/// The current answer to one requirement, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The requirement's id in the framework ("B6.a", "GV.OC-01").
    pub requirement: String,
    /// `None` until someone gives a result.
    pub verdict: Option<Verdict>,
    pub workflow: Workflow,
    /// The ids of the indicators of good practice ticked as true of the organisation.
    pub indicators: Vec<String>,
}

/// An assessment's answers looked up by requirement id, as the scoring rules read them.
/// Where a requirement has more than one answer the last one counts (a store keeps one per
/// requirement, so this only settles what a caller's mistake would mean). A level that is
/// not on the scale reads as no answer: counting it as anything else could raise a score.
pub struct AnswerIndex<'a> {
    by_requirement: HashMap<&'a str, &'a Answer>,
    levels: usize,
}

impl<'a> AnswerIndex<'a> {
    /// Indexes `answers` given against a scale of `levels` levels.
    pub fn new(answers: &'a [Answer], levels: usize) -> AnswerIndex<'a> {
        AnswerIndex {
            by_requirement: answers
                .iter()
                .map(|a| (a.requirement.as_str(), a))
                .collect(),
            levels,
        }
    }

    /// The requirement's result, `None` when it has none (or one off the scale).
    pub fn verdict(&self, requirement: &str) -> Option<Verdict> {
        match self.by_requirement.get(requirement)?.verdict? {
            Verdict::Level(i) if i >= self.levels => None,
            v => Some(v),
        }
    }

    /// Where the work on the requirement is; "to do" when nobody has touched it.
    pub fn workflow(&self, requirement: &str) -> Workflow {
        self.by_requirement
            .get(requirement)
            .map_or(Workflow::ToDo, |a| a.workflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Vec<ScaleLevel> {
        ["not-achieved", "partially-achieved", "achieved"]
            .iter()
            .zip(0..)
            .map(|(id, score)| ScaleLevel {
                id: (*id).to_owned(),
                label: (*id).to_owned(),
                score,
                met: score == 2,
            })
            .collect()
    }

    #[test]
    fn results_read_from_the_scale_and_unknown_ones_are_refused() {
        let s = scale();
        assert_eq!(Verdict::parse("achieved", &s), Ok(Verdict::Level(2)));
        assert_eq!(
            Verdict::parse("not-applicable", &s),
            Ok(Verdict::NotApplicable)
        );
        assert_eq!(
            Verdict::parse("met", &s),
            Err(UnknownResult("met".to_owned()))
        );
        assert_eq!(Verdict::Level(1).id(&s), "partially-achieved");
        assert_eq!(Verdict::NotApplicable.id(&s), NOT_APPLICABLE);
    }

    #[test]
    fn the_index_reads_the_last_answer_and_ignores_levels_off_the_scale() {
        let answer = |requirement: &str, verdict, workflow| Answer {
            requirement: requirement.into(),
            verdict,
            workflow,
            indicators: vec![],
        };
        let answers = [
            answer("A1.a", Some(Verdict::Level(0)), Workflow::InProgress),
            answer("A1.a", Some(Verdict::Level(2)), Workflow::Done),
            answer("A1.b", Some(Verdict::Level(3)), Workflow::Done),
            answer("A1.c", None, Workflow::InReview),
        ];
        let index = AnswerIndex::new(&answers, 3);
        assert_eq!(index.verdict("A1.a"), Some(Verdict::Level(2)));
        assert_eq!(index.workflow("A1.a"), Workflow::Done);
        assert_eq!(index.verdict("A1.b"), None);
        assert_eq!(index.verdict("A1.c"), None);
        assert_eq!(index.workflow("A1.c"), Workflow::InReview);
        assert_eq!(index.workflow("B1.a"), Workflow::ToDo);
    }

    #[tokio::test]
    async fn workflow_is_stored_as_text_and_unknown_text_fails() {
        use crate::platform::stored_text::{decode, encode};
        assert_eq!(encode(Workflow::InReview).await.unwrap(), "in_review");
        assert_eq!(decode::<Workflow>("done").await.unwrap(), Workflow::Done);
        assert!(decode::<Workflow>("finished").await.is_err());
    }
}
