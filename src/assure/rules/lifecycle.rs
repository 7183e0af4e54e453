//! An assessment's life: answered while in progress, then submitted (its answers and scores
//! are locked in a snapshot), then published as the organisation's status for the year.

use serde::{Deserialize, Serialize};

/// Where an assessment is in its life.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AssessmentStatus {
    InProgress,
    Submitted,
    Published,
}

/// Why a step cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepRefused {
    #[error("This assessment has been submitted, so its answers can no longer be changed.")]
    Locked,
    #[error("This assessment has already been submitted.")]
    AlreadySubmitted,
    #[error("Submit the assessment before publishing it.")]
    NotSubmitted,
    #[error("This assessment has already been published.")]
    AlreadyPublished,
    #[error(
        "{0} requirements have no answer yet. Answer every requirement (or mark it not applicable) before submitting."
    )]
    Unanswered(usize),
    #[error(
        "{0} answers carried over from last year have not been reviewed. Open each one marked “Carried over”, check it and save it before submitting."
    )]
    Unreviewed(usize),
}

impl AssessmentStatus {
    pub fn label(self) -> &'static str {
        match self {
            AssessmentStatus::InProgress => "In progress",
            AssessmentStatus::Submitted => "Submitted",
            AssessmentStatus::Published => "Published",
        }
    }

    /// Whether answers may change.
    pub fn may_answer(self) -> Result<(), StepRefused> {
        match self {
            AssessmentStatus::InProgress => Ok(()),
            _ => Err(StepRefused::Locked),
        }
    }

    /// Whether it may be submitted with `unanswered` requirements and `unreviewed` answers
    /// carried over from last year left.
    pub fn may_submit(self, unanswered: usize, unreviewed: usize) -> Result<(), StepRefused> {
        match self {
            AssessmentStatus::InProgress if unanswered > 0 => {
                Err(StepRefused::Unanswered(unanswered))
            }
            AssessmentStatus::InProgress if unreviewed > 0 => {
                Err(StepRefused::Unreviewed(unreviewed))
            }
            AssessmentStatus::InProgress => Ok(()),
            _ => Err(StepRefused::AlreadySubmitted),
        }
    }

    pub fn may_publish(self) -> Result<(), StepRefused> {
        match self {
            AssessmentStatus::InProgress => Err(StepRefused::NotSubmitted),
            AssessmentStatus::Submitted => Ok(()),
            AssessmentStatus::Published => Err(StepRefused::AlreadyPublished),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssessmentStatus::*;

    #[test]
    fn answers_change_only_in_progress_and_each_step_comes_once_in_order() {
        assert_eq!(InProgress.may_answer(), Ok(()));
        assert_eq!(Submitted.may_answer(), Err(StepRefused::Locked));
        assert_eq!(Published.may_answer(), Err(StepRefused::Locked));
        assert_eq!(InProgress.may_submit(0, 0), Ok(()));
        assert_eq!(InProgress.may_submit(3, 1), Err(StepRefused::Unanswered(3)));
        assert_eq!(InProgress.may_submit(0, 2), Err(StepRefused::Unreviewed(2)));
        assert_eq!(
            Submitted.may_submit(0, 0),
            Err(StepRefused::AlreadySubmitted)
        );
        assert_eq!(InProgress.may_publish(), Err(StepRefused::NotSubmitted));
        assert_eq!(Submitted.may_publish(), Ok(()));
        assert_eq!(Published.may_publish(), Err(StepRefused::AlreadyPublished));
    }

    #[tokio::test]
    async fn status_is_stored_as_text_and_unknown_text_fails() {
        use crate::platform::stored_text::{decode, encode};
        assert_eq!(encode(InProgress).await.unwrap(), "in_progress");
        assert_eq!(
            decode::<AssessmentStatus>("published").await.unwrap(),
            Published
        );
        assert!(decode::<AssessmentStatus>("draft").await.is_err());
    }
}
