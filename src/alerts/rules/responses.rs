//! The workflow an organisation follows to respond to an advisory: acknowledge it, decide
//! whether it applies, record remediation progress, and close it as remediated, as not
//! applicable or with the risk accepted by a named owner. A closed response can be reopened.

use crate::alerts::model::ResponseState;
use crate::alerts::rules::deadlines::check_update_days;

/// The longest reason, note or owner name accepted, in characters. Long enough for a proper
/// explanation, short enough to read on the national dashboard.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Something an organisation does to its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    /// The advisory applies; remediation starts. `next_update_days` overrides the usual gap
    /// before the first progress update.
    Applies {
        next_update_days: Option<i64>,
    },
    DoesNotApply {
        reason: String,
    },
    Update {
        note: String,
        next_update_days: Option<i64>,
    },
    CloseRemediated {
        note: String,
    },
    /// The organisation will not remediate; `owner` is the person accountable for the risk.
    AcceptRisk {
        owner: String,
        reason: String,
    },
    Reopen {
        reason: String,
    },
}

/// Why an action cannot be recorded, in words for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("This advisory has been withdrawn; no response is needed")]
    Withdrawn,
    #[error("This advisory has already been acknowledged by your organisation")]
    AlreadyAcknowledged,
    #[error("Acknowledge the advisory before deciding whether it applies")]
    NotAcknowledged,
    #[error(
        "You have already confirmed this advisory applies; record progress, or close the \
         response as remediated or with the risk accepted"
    )]
    AlreadyDecided,
    #[error(
        "Confirm the advisory applies to your organisation before recording remediation \
         progress or closing it as remediated"
    )]
    NotRemediating,
    #[error("This response is closed; reopen it to make changes")]
    Closed,
    #[error("Only a closed response can be reopened")]
    NotClosed,
    /// A reason, note or owner was left blank; the field is named for the reader.
    #[error("{0} is required")]
    MissingReason(&'static str),
    #[error("{field} must be {max} characters or fewer; it has {length}", max = MAX_TEXT_CHARS)]
    TooLong { field: &'static str, length: usize },
    #[error("{0}")]
    UpdateDays(String),
}

/// The state a response moves to when `action` is recorded, or why it cannot be. Checks
/// whether the step is allowed before checking what was written, so people are not asked to
/// fix text for a step they cannot take.
pub fn apply(
    state: ResponseState,
    withdrawn: bool,
    action: &Action,
) -> Result<ResponseState, ResponseError> {
    if withdrawn {
        return Err(ResponseError::Withdrawn);
    }
    let next = transition(state, action)?;
    check_details(action)?;
    Ok(next)
}

fn transition(state: ResponseState, action: &Action) -> Result<ResponseState, ResponseError> {
    use ResponseError as E;
    use ResponseState as S;
    match state {
        S::Awaiting => match action {
            Action::Acknowledge => Ok(S::Acknowledged),
            Action::Reopen { .. } => Err(E::NotClosed),
            _ => Err(E::NotAcknowledged),
        },
        S::Acknowledged => match action {
            Action::Acknowledge => Err(E::AlreadyAcknowledged),
            Action::Applies { .. } => Ok(S::Remediating),
            Action::DoesNotApply { .. } => Ok(S::NotApplicable),
            Action::Update { .. } | Action::CloseRemediated { .. } => Err(E::NotRemediating),
            Action::AcceptRisk { .. } => Ok(S::RiskAccepted),
            Action::Reopen { .. } => Err(E::NotClosed),
        },
        S::Remediating => match action {
            Action::Acknowledge => Err(E::AlreadyAcknowledged),
            Action::Applies { .. } | Action::DoesNotApply { .. } => Err(E::AlreadyDecided),
            Action::Update { .. } => Ok(S::Remediating),
            Action::CloseRemediated { .. } => Ok(S::Remediated),
            Action::AcceptRisk { .. } => Ok(S::RiskAccepted),
            Action::Reopen { .. } => Err(E::NotClosed),
        },
        // Reopening a response that was judged not to apply goes back to the applicability
        // decision; one that was remediated or risk-accepted goes back to remediation.
        S::NotApplicable => match action {
            Action::Reopen { .. } => Ok(S::Acknowledged),
            _ => Err(E::Closed),
        },
        S::Remediated | S::RiskAccepted => match action {
            Action::Reopen { .. } => Ok(S::Remediating),
            _ => Err(E::Closed),
        },
    }
}

fn check_details(action: &Action) -> Result<(), ResponseError> {
    match action {
        Action::Acknowledge => Ok(()),
        Action::Applies { next_update_days } => check_days(*next_update_days),
        Action::DoesNotApply { reason } => {
            check_text(reason, "The reason the advisory does not apply")
        }
        Action::Update {
            note,
            next_update_days,
        } => {
            check_text(note, "A progress note")?;
            check_days(*next_update_days)
        }
        Action::CloseRemediated { note } => check_text(note, "A note of what was done"),
        Action::AcceptRisk { owner, reason } => {
            check_text(owner, "The name of the person who owns the risk")?;
            check_text(reason, "The reason the risk is accepted")
        }
        Action::Reopen { reason } => check_text(reason, "The reason for reopening"),
    }
}

fn check_text(text: &str, field: &'static str) -> Result<(), ResponseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ResponseError::MissingReason(field));
    }
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(ResponseError::TooLong { field, length });
    }
    Ok(())
}

fn check_days(days: Option<i64>) -> Result<(), ResponseError> {
    match days {
        Some(days) => check_update_days(days)
            .map(|_| ())
            .map_err(ResponseError::UpdateDays),
        None => Ok(()),
    }
}

/// What happened on a response's timeline: the `kind` column of a response event, stored as
/// the words the timeline shows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, strum::EnumString, strum::IntoStaticStr,
)]
#[sqlx(type_name = "TEXT")]
pub enum EventKind {
    #[sqlx(rename = "Acknowledged")]
    #[strum(serialize = "Acknowledged")]
    Acknowledged,
    #[sqlx(rename = "Confirmed the advisory applies")]
    #[strum(serialize = "Confirmed the advisory applies")]
    Applies,
    #[sqlx(rename = "Closed: does not apply")]
    #[strum(serialize = "Closed: does not apply")]
    DoesNotApply,
    #[sqlx(rename = "Progress update")]
    #[strum(serialize = "Progress update")]
    Update,
    #[sqlx(rename = "Closed: remediated")]
    #[strum(serialize = "Closed: remediated")]
    Remediated,
    #[sqlx(rename = "Closed: risk accepted")]
    #[strum(serialize = "Closed: risk accepted")]
    RiskAccepted,
    #[sqlx(rename = "Reopened")]
    #[strum(serialize = "Reopened")]
    Reopened,
}

impl EventKind {
    /// The event an action records.
    pub fn of(action: &Action) -> Self {
        match action {
            Action::Acknowledge => EventKind::Acknowledged,
            Action::Applies { .. } => EventKind::Applies,
            Action::DoesNotApply { .. } => EventKind::DoesNotApply,
            Action::Update { .. } => EventKind::Update,
            Action::CloseRemediated { .. } => EventKind::Remediated,
            Action::AcceptRisk { .. } => EventKind::RiskAccepted,
            Action::Reopen { .. } => EventKind::Reopened,
        }
    }

    /// How the event reads on the timeline (also its stored value).
    pub fn label(self) -> &'static str {
        self.into()
    }
}

/// How the action reads on the response timeline.
pub fn event_label(action: &Action) -> &'static str {
    EventKind::of(action).label()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResponseState as S;

    fn text(s: &str) -> String {
        s.to_string()
    }

    fn every_action() -> Vec<Action> {
        vec![
            Action::Acknowledge,
            Action::Applies {
                next_update_days: None,
            },
            Action::DoesNotApply {
                reason: text("We do not run this product"),
            },
            Action::Update {
                note: text("Patched 40 of 120 servers"),
                next_update_days: Some(3),
            },
            Action::CloseRemediated {
                note: text("All servers patched"),
            },
            Action::AcceptRisk {
                owner: text("Jo Bloggs, SIRO"),
                reason: text("System retires next month"),
            },
            Action::Reopen {
                reason: text("Found another affected server"),
            },
        ]
    }

    /// The workflow as written in the NHS guidance, listed independently of `transition`:
    /// (from, index into `every_action`, to).
    const LEGAL: [(S, usize, S); 10] = [
        (S::Awaiting, 0, S::Acknowledged),
        (S::Acknowledged, 1, S::Remediating),
        (S::Acknowledged, 2, S::NotApplicable),
        (S::Acknowledged, 5, S::RiskAccepted),
        (S::Remediating, 3, S::Remediating),
        (S::Remediating, 4, S::Remediated),
        (S::Remediating, 5, S::RiskAccepted),
        (S::NotApplicable, 6, S::Acknowledged),
        (S::Remediated, 6, S::Remediating),
        (S::RiskAccepted, 6, S::Remediating),
    ];

    #[test]
    fn every_state_and_action_follows_the_workflow_table() {
        let actions = every_action();
        assert_eq!(actions.len(), 7);
        for state in S::ALL {
            for (index, action) in actions.iter().enumerate() {
                let result = apply(state, false, action);
                let expected = LEGAL
                    .iter()
                    .find(|(from, i, _)| *from == state && *i == index)
                    .map(|(_, _, to)| *to);
                match expected {
                    Some(next) => assert_eq!(result, Ok(next), "{state:?} {action:?}"),
                    None => assert!(result.is_err(), "{state:?} {action:?} gave {result:?}"),
                }
            }
        }
    }

    #[test]
    fn withdrawn_advisories_accept_no_action_in_any_state() {
        for state in S::ALL {
            for action in every_action() {
                assert_eq!(
                    apply(state, true, &action),
                    Err(ResponseError::Withdrawn),
                    "{state:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn closed_responses_refuse_everything_but_reopening() {
        for state in S::ALL.into_iter().filter(|s| s.is_closed()) {
            for action in every_action() {
                if matches!(action, Action::Reopen { .. }) {
                    continue;
                }
                assert_eq!(
                    apply(state, false, &action),
                    Err(ResponseError::Closed),
                    "{state:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn open_responses_cannot_be_reopened() {
        let reopen = Action::Reopen {
            reason: text("Changed our mind"),
        };
        for state in [S::Awaiting, S::Acknowledged, S::Remediating] {
            assert_eq!(apply(state, false, &reopen), Err(ResponseError::NotClosed));
        }
    }

    #[test]
    fn illegal_steps_say_what_to_do_instead() {
        let actions = every_action();
        assert_eq!(
            apply(S::Acknowledged, false, &Action::Acknowledge),
            Err(ResponseError::AlreadyAcknowledged)
        );
        assert_eq!(
            apply(S::Remediating, false, &Action::Acknowledge),
            Err(ResponseError::AlreadyAcknowledged)
        );
        for action in &actions[1..6] {
            assert_eq!(
                apply(S::Awaiting, false, action),
                Err(ResponseError::NotAcknowledged),
                "{action:?}"
            );
        }
        for action in &actions[3..5] {
            assert_eq!(
                apply(S::Acknowledged, false, action),
                Err(ResponseError::NotRemediating),
                "{action:?}"
            );
        }
        for action in &actions[1..3] {
            assert_eq!(
                apply(S::Remediating, false, action),
                Err(ResponseError::AlreadyDecided),
                "{action:?}"
            );
        }
    }

    #[test]
    fn messages_are_written_for_people() {
        assert_eq!(
            ResponseError::AlreadyAcknowledged.to_string(),
            "This advisory has already been acknowledged by your organisation"
        );
        assert_eq!(
            ResponseError::Withdrawn.to_string(),
            "This advisory has been withdrawn; no response is needed"
        );
        let err = apply(
            S::Acknowledged,
            false,
            &Action::DoesNotApply { reason: text("") },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The reason the advisory does not apply is required"
        );
    }

    #[test]
    fn blank_text_is_refused_for_every_field() {
        let blank = text(" \t\n ");
        let cases = [
            (
                S::Acknowledged,
                Action::DoesNotApply {
                    reason: blank.clone(),
                },
            ),
            (
                S::Remediating,
                Action::Update {
                    note: blank.clone(),
                    next_update_days: None,
                },
            ),
            (
                S::Remediating,
                Action::CloseRemediated {
                    note: blank.clone(),
                },
            ),
            (
                S::Remediating,
                Action::AcceptRisk {
                    owner: blank.clone(),
                    reason: text("Retiring the system"),
                },
            ),
            (
                S::Remediating,
                Action::AcceptRisk {
                    owner: text("Jo Bloggs"),
                    reason: blank.clone(),
                },
            ),
            (
                S::Remediated,
                Action::Reopen {
                    reason: blank.clone(),
                },
            ),
        ];
        for (state, action) in cases {
            assert!(
                matches!(
                    apply(state, false, &action),
                    Err(ResponseError::MissingReason(_))
                ),
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_risk_owner_is_asked_for_before_the_reason() {
        let action = Action::AcceptRisk {
            owner: text(""),
            reason: text(""),
        };
        assert_eq!(
            apply(S::Acknowledged, false, &action),
            Err(ResponseError::MissingReason(
                "The name of the person who owns the risk"
            ))
        );
    }

    #[test]
    fn text_length_is_counted_in_characters_after_trimming() {
        let at_limit = format!("  {}  ", "é".repeat(MAX_TEXT_CHARS));
        let reopen = |reason: String| apply(S::Remediated, false, &Action::Reopen { reason });
        assert_eq!(reopen(at_limit), Ok(S::Remediating));
        let over = "a".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            reopen(over),
            Err(ResponseError::TooLong {
                field: "The reason for reopening",
                length: MAX_TEXT_CHARS + 1
            })
        );
        let message = reopen("x".repeat(5000)).unwrap_err().to_string();
        assert_eq!(
            message,
            "The reason for reopening must be 2000 characters or fewer; it has 5000"
        );
    }

    #[test]
    fn next_update_days_are_checked() {
        for days in [0, 31, -1, i64::MIN, i64::MAX] {
            let applies = Action::Applies {
                next_update_days: Some(days),
            };
            assert!(matches!(
                apply(S::Acknowledged, false, &applies),
                Err(ResponseError::UpdateDays(_))
            ));
            let update = Action::Update {
                note: text("Halfway"),
                next_update_days: Some(days),
            };
            let err = apply(S::Remediating, false, &update).unwrap_err();
            assert!(err.to_string().contains("between 1 and 30 days"), "{err}");
        }
        for days in [None, Some(1), Some(30)] {
            let applies = Action::Applies {
                next_update_days: days,
            };
            assert_eq!(apply(S::Acknowledged, false, &applies), Ok(S::Remediating));
        }
    }

    #[test]
    fn an_impossible_step_is_reported_before_bad_text() {
        let action = Action::CloseRemediated { note: text("") };
        assert_eq!(
            apply(S::Awaiting, false, &action),
            Err(ResponseError::NotAcknowledged)
        );
    }

    #[test]
    fn every_action_has_its_own_timeline_label() {
        let labels: Vec<&str> = every_action().iter().map(event_label).collect();
        for (i, label) in labels.iter().enumerate() {
            assert!(!label.is_empty());
            assert!(!labels[i + 1..].contains(label), "{label} repeated");
        }
    }

    /// Each action's event is stored as its timeline words, and only those words read back.
    #[tokio::test]
    async fn stored_event_kinds_are_the_timeline_words() {
        use crate::platform::stored_text::{decode, encode};
        for action in every_action() {
            let kind = EventKind::of(&action);
            assert_eq!(encode(kind).await.unwrap(), event_label(&action));
            assert_eq!(decode::<EventKind>(kind.label()).await.unwrap(), kind);
        }
        assert!(decode::<EventKind>("acknowledged").await.is_err());
        assert!(decode::<EventKind>("Escalated").await.is_err());
    }

    #[test]
    fn closing_labels_match_the_state_they_lead_to() {
        let cases = [
            (S::Acknowledged, 2usize),
            (S::Remediating, 4),
            (S::Remediating, 5),
        ];
        let actions = every_action();
        for (from, index) in cases {
            let action = &actions[index];
            let to = apply(from, false, action).unwrap();
            assert_eq!(event_label(action), to.label());
        }
    }
}
