//! The steps of a response as the forms offer them, and reading a submitted response.

use super::*;

// ---- The steps of a response, as the forms offer them -------------------------------

/// One step of the response workflow, as a choice on the form (its value in snake case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub(super) enum Step {
    Acknowledge,
    Applies,
    DoesNotApply,
    Update,
    CloseRemediated,
    AcceptRisk,
    Reopen,
}

/// Which of the optional fields a step reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Uses {
    pub(super) reason: bool,
    pub(super) note: bool,
    pub(super) owner: bool,
    pub(super) days: bool,
}

impl Step {
    pub(super) const ALL: [Step; 7] = [
        Step::Acknowledge,
        Step::Applies,
        Step::DoesNotApply,
        Step::Update,
        Step::CloseRemediated,
        Step::AcceptRisk,
        Step::Reopen,
    ];

    pub(super) fn value(self) -> &'static str {
        self.into()
    }

    pub(super) fn parse(s: &str) -> Option<Step> {
        s.trim().parse().ok()
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Step::Acknowledge => "Acknowledge",
            Step::Applies => "It applies to us",
            Step::DoesNotApply => "It does not apply to us",
            Step::Update => "Progress update",
            Step::CloseRemediated => "Close as remediated",
            Step::AcceptRisk => "Accept the risk",
            Step::Reopen => "Reopen",
        }
    }

    pub(super) fn hint(self) -> &'static str {
        match self {
            Step::Acknowledge => "You have received the advisory and are looking into it.",
            Step::Applies => {
                "You run an affected product. Remediation starts and progress updates become due."
            }
            Step::DoesNotApply => "You do not run an affected product. Give the reason.",
            Step::Update => "Record how remediation is going. Give a note.",
            Step::CloseRemediated => {
                "The fix or workaround is in place everywhere. Give a note of what was done."
            }
            Step::AcceptRisk => "You will not remediate. Give the risk owner and the reason.",
            Step::Reopen => "Something has changed since the response was closed. Give the reason.",
        }
    }

    pub(super) fn uses(self) -> Uses {
        match self {
            Step::Acknowledge => Uses::default(),
            Step::Applies => Uses {
                days: true,
                ..Uses::default()
            },
            Step::DoesNotApply | Step::Reopen => Uses {
                reason: true,
                ..Uses::default()
            },
            Step::Update => Uses {
                note: true,
                days: true,
                ..Uses::default()
            },
            Step::CloseRemediated => Uses {
                note: true,
                ..Uses::default()
            },
            Step::AcceptRisk => Uses {
                reason: true,
                owner: true,
                ..Uses::default()
            },
        }
    }

    /// The action with the fields given.
    pub(super) fn action(
        self,
        reason: String,
        note: String,
        owner: String,
        days: Option<i64>,
    ) -> Action {
        match self {
            Step::Acknowledge => Action::Acknowledge,
            Step::Applies => Action::Applies {
                next_update_days: days,
            },
            Step::DoesNotApply => Action::DoesNotApply { reason },
            Step::Update => Action::Update {
                note,
                next_update_days: days,
            },
            Step::CloseRemediated => Action::CloseRemediated { note },
            Step::AcceptRisk => Action::AcceptRisk { owner, reason },
            Step::Reopen => Action::Reopen { reason },
        }
    }

    /// Whether the workflow allows this step from `state`. Asked with placeholder text, so
    /// only the step itself is judged, not what someone might write.
    pub(super) fn allowed(self, state: ResponseState, withdrawn: bool) -> bool {
        let filled = || "-".to_owned();
        let action = self.action(filled(), filled(), filled(), None);
        workflow::apply(state, withdrawn, &action).is_ok()
    }
}

/// The steps the workflow allows from `state`, in the order the form lists them.
pub(super) fn allowed_steps(state: ResponseState, withdrawn: bool) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| s.allowed(state, withdrawn))
        .collect()
}

// ---- Reading a submitted response ----------------------------------------------------

/// A response form as submitted; kept to show it again when something is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Submitted {
    pub(super) form: String,
    pub(super) organisations: Vec<String>,
    pub(super) action: String,
    pub(super) reason: String,
    pub(super) note: String,
    pub(super) owner: String,
    pub(super) next_update_days: String,
}

impl Submitted {
    pub(super) fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut s = Submitted::default();
        for (key, value) in fields {
            let slot = match key.as_str() {
                "organisation" => {
                    s.organisations.push(value);
                    continue;
                }
                "form" => &mut s.form,
                "action" => &mut s.action,
                "reason" => &mut s.reason,
                "note" => &mut s.note,
                "owner" => &mut s.owner,
                "next_update_days" => &mut s.next_update_days,
                _ => continue,
            };
            if slot.is_empty() {
                *slot = value;
            }
        }
        s
    }
}

pub(super) fn field_id(prefix: &str, field: &str) -> String {
    format!("{prefix}-{field}")
}

/// A required text field: trimmed, present and not too long.
pub(super) fn text(
    errors: &mut FormErrors,
    id: &str,
    value: &str,
    missing: &str,
    what: &str,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(id, missing);
    } else if value.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            id,
            format!("{what} must be {MAX_TEXT_CHARS} characters or fewer"),
        );
    }
    value.to_owned()
}

/// The optional number of days before the next progress update.
pub(super) fn days(errors: &mut FormErrors, id: &str, raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(d) => match deadlines::check_update_days(d) {
            Ok(d) => Some(d),
            Err(message) => {
                errors.add(id, message);
                None
            }
        },
        Err(_) => {
            errors.add(
                id,
                "Enter the number of days as a whole number from 1 to 30, like 7",
            );
            None
        }
    }
}

/// The action a form asks for, or what is wrong with it (keyed by the ids of the form
/// with `prefix`). Only the fields the chosen step uses are read.
pub(super) fn read_action(s: &Submitted, prefix: &str) -> Result<Action, FormErrors> {
    let mut errors = FormErrors::new();
    let Some(step) = Step::parse(&s.action) else {
        errors.add(
            &field_id(prefix, "action"),
            "Select what you want to record",
        );
        return Err(errors);
    };
    let uses = step.uses();
    let owner = if uses.owner {
        text(
            &mut errors,
            &field_id(prefix, "owner"),
            &s.owner,
            "Enter the name of the person who owns the risk",
            "The risk owner",
        )
    } else {
        String::new()
    };
    let reason = if uses.reason {
        let missing = match step {
            Step::AcceptRisk => "Enter why the risk is accepted",
            Step::Reopen => "Enter why you are reopening the response",
            _ => "Enter why the advisory does not apply to your organisation",
        };
        text(
            &mut errors,
            &field_id(prefix, "reason"),
            &s.reason,
            missing,
            "The reason",
        )
    } else {
        String::new()
    };
    let note = if uses.note {
        let missing = match step {
            Step::CloseRemediated => "Enter a note of what was done to remediate it",
            _ => "Enter a progress note",
        };
        text(
            &mut errors,
            &field_id(prefix, "note"),
            &s.note,
            missing,
            "The note",
        )
    } else {
        String::new()
    };
    let next = if uses.days {
        days(
            &mut errors,
            &field_id(prefix, "next_update_days"),
            &s.next_update_days,
        )
    } else {
        None
    };
    errors.into_result()?;
    Ok(step.action(reason, note, owner, next))
}
