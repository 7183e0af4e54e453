//! The request body of a change to an organisation's response: the actions it can name,
//! the OpenAPI schema that describes each action exactly, and reading a request into the
//! workflow's [`Action`].

use serde::Deserialize;
use utoipa::{
    ToSchema,
    openapi::{
        RefOr, Schema,
        schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type},
    },
};

use super::one_of;
use crate::{
    alerts::rules::{
        deadlines::{MAX_UPDATE_DAYS, MIN_UPDATE_DAYS},
        responses::{Action, MAX_TEXT_CHARS},
    },
    platform::api::problem::FieldProblem,
};

/// A change to the organisation's response. `reason`, `note`, `owner` and
/// `next_update_days` are given with the actions that use them, and no others. Read
/// leniently (every field optional) so that a wrong request gets one message per field; the
/// OpenAPI document describes each action exactly (see [`state_change_schema`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    pub action: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub owner: Option<String>,
    /// A number rather than an integer, since JSON (and the OpenAPI document) counts `7.0`
    /// as the whole number 7.
    pub next_update_days: Option<serde_json::Number>,
}

/// What to do to the response, named in the request as `applies`, `does_not_apply` and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum StateAction {
    Applies,
    DoesNotApply,
    Update,
    CloseRemediated,
    AcceptRisk,
    Reopen,
}

impl StateAction {
    pub(super) const ALL: [StateAction; 6] = [
        StateAction::Applies,
        StateAction::DoesNotApply,
        StateAction::Update,
        StateAction::CloseRemediated,
        StateAction::AcceptRisk,
        StateAction::Reopen,
    ];

    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The fields the action reads.
    fn fields(self) -> &'static [&'static str] {
        match self {
            StateAction::Applies => &["next_update_days"],
            StateAction::DoesNotApply | StateAction::Reopen => &["reason"],
            StateAction::Update => &["note", "next_update_days"],
            StateAction::CloseRemediated => &["note"],
            StateAction::AcceptRisk => &["owner", "reason"],
        }
    }

    /// The fields the action cannot do without (the others it reads are optional).
    fn required(self) -> &'static [&'static str] {
        match self {
            StateAction::Applies => &[],
            StateAction::DoesNotApply | StateAction::Reopen => &["reason"],
            StateAction::Update | StateAction::CloseRemediated => &["note"],
            StateAction::AcceptRisk => &["owner", "reason"],
        }
    }

    fn description(self) -> &'static str {
        match self {
            StateAction::Applies => "The advisory applies; remediation starts.",
            StateAction::DoesNotApply => {
                "The advisory does not apply, because of `reason`; closes the response."
            }
            StateAction::Update => "A progress update while remediating.",
            StateAction::CloseRemediated => "Remediation is complete; closes the response.",
            StateAction::AcceptRisk => {
                "The risk is accepted by `owner`, because of `reason`; closes the response."
            }
            StateAction::Reopen => "Reopens a closed response, because of `reason`.",
        }
    }
}

/// The request body of a change of state, one variant per action with only the fields that
/// action reads, so that every body the document allows is one the server accepts (the
/// workflow may still refuse a step the response's state does not allow, with 409).
fn state_change_schema() -> RefOr<Schema> {
    // Text is trimmed before it is checked, so it must hold something other than spaces.
    let text = |description: &str, example: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_TEXT_CHARS))
            .pattern(Some(r"\S"))
            .description(Some(description))
            .examples([serde_json::json!(example)])
            .build()
    };
    let field = |name: &str| -> Schema {
        match name {
            "reason" => text("Why: the advisory does not apply, the risk is accepted, or the response is reopened.", "We do not run this product"),
            "note" => text("What was done.", "Patched 40 of 120 servers"),
            "owner" => text("The person accountable for the accepted risk.", "Jo Bloggs, SIRO"),
            _ => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(MIN_UPDATE_DAYS))
                .maximum(Some(MAX_UPDATE_DAYS))
                .description(Some("Days until the next progress update."))
                .examples([serde_json::json!(7)])
                .build(),
        }
        .into()
    };
    let variants = StateAction::ALL.into_iter().map(|action| {
        let mut object = ObjectBuilder::new()
            .title(Some(action.as_str()))
            .description(Some(action.description()))
            .property(
                "action",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([action.as_str()])),
            )
            .required("action")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for name in action.fields() {
            object = object.property(*name, field(name));
        }
        for name in action.required() {
            object = object.required(*name);
        }
        object.build()
    });
    let choice = variants
        .fold(OneOfBuilder::new(), OneOfBuilder::item)
        .description(Some(
            "A change to the organisation's response: one action, with only the fields it reads.",
        ))
        .build();
    RefOr::T(Schema::OneOf(choice))
}

impl utoipa::PartialSchema for StateChange {
    fn schema() -> RefOr<Schema> {
        state_change_schema()
    }
}

impl ToSchema for StateChange {}

/// Turns a requested change into a workflow action. Text the action needs but that is
/// missing is passed on empty, so the workflow says first whether the step is possible at
/// all and only then what to write.
pub(super) fn to_action(change: &StateChange) -> Result<Action, Vec<FieldProblem>> {
    let Ok(kind) = change.action.parse::<StateAction>() else {
        return Err(vec![FieldProblem::new(
            "action",
            format!(
                "action must be one of {}. To acknowledge, POST to the advisory's \
                 /acknowledge address",
                one_of(StateAction::ALL.iter().map(|a| a.as_str()))
            ),
        )]);
    };
    let given = [
        ("reason", change.reason.is_some()),
        ("note", change.note.is_some()),
        ("owner", change.owner.is_some()),
        ("next_update_days", change.next_update_days.is_some()),
    ];
    let unused: Vec<FieldProblem> = given
        .into_iter()
        .filter(|(field, present)| *present && !kind.fields().contains(field))
        .map(|(field, _)| {
            FieldProblem::new(
                field,
                format!(
                    "{field} is not used with the action {}; leave it out",
                    kind.as_str()
                ),
            )
        })
        .collect();
    if !unused.is_empty() {
        return Err(unused);
    }
    let next_update_days = match change.next_update_days.as_ref().map(whole_days) {
        None => None,
        Some(Ok(days)) => Some(days),
        Some(Err(problem)) => return Err(vec![problem]),
    };
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    Ok(match kind {
        StateAction::Applies => Action::Applies { next_update_days },
        StateAction::DoesNotApply => Action::DoesNotApply {
            reason: text(&change.reason),
        },
        StateAction::Update => Action::Update {
            note: text(&change.note),
            next_update_days,
        },
        StateAction::CloseRemediated => Action::CloseRemediated {
            note: text(&change.note),
        },
        StateAction::AcceptRisk => Action::AcceptRisk {
            owner: text(&change.owner),
            reason: text(&change.reason),
        },
        StateAction::Reopen => Action::Reopen {
            reason: text(&change.reason),
        },
    })
}

/// Reads a number of days given as JSON: `7` or `7.0`, but not `7.5`.
fn whole_days(number: &serde_json::Number) -> Result<i64, FieldProblem> {
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() <= 1e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| {
            FieldProblem::new(
                "next_update_days",
                "next_update_days must be a whole number of days, from 1 to 30",
            )
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(action: &str) -> StateChange {
        StateChange {
            action: action.into(),
            ..StateChange::default()
        }
    }

    #[test]
    fn changes_become_workflow_actions() {
        let mut c = change("accept_risk");
        c.owner = Some("Jo Bloggs".into());
        c.reason = Some("Retiring next month".into());
        assert_eq!(
            to_action(&c),
            Ok(Action::AcceptRisk {
                owner: "Jo Bloggs".into(),
                reason: "Retiring next month".into()
            })
        );
        let mut c = change("update");
        c.note = Some("Half done".into());
        // JSON's 5.0 is the whole number 5; 5.5 days is not a number of days.
        for (given, read) in [
            (json!(5), Ok(Some(5))),
            (json!(5.0), Ok(Some(5))),
            (json!(5.5), Err(())),
        ] {
            c.next_update_days = serde_json::from_value(given).ok();
            assert_eq!(
                to_action(&c).map_err(|e| assert_eq!(e[0].field, "next_update_days")),
                read.map(|next_update_days| Action::Update {
                    note: "Half done".into(),
                    next_update_days
                })
            );
        }
        assert_eq!(
            to_action(&change("applies")),
            Ok(Action::Applies {
                next_update_days: None
            })
        );
        // Missing text is left for the workflow to ask for, after it checks the step.
        assert_eq!(
            to_action(&change("does_not_apply")),
            Ok(Action::DoesNotApply {
                reason: String::new()
            })
        );
    }

    #[test]
    fn action_names_are_exact_and_round_trip() {
        for action in StateAction::ALL {
            assert_eq!(action.as_str().parse::<StateAction>(), Ok(action));
        }
        assert_eq!(StateAction::CloseRemediated.as_str(), "close_remediated");
        assert!("Reopen".parse::<StateAction>().is_err());
    }

    #[test]
    fn unknown_actions_and_unused_fields_are_named() {
        for bad in ["acknowledge", "", "APPLIES", "close"] {
            let errors = to_action(&change(bad)).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "action");
            assert!(errors[0].message.contains("does_not_apply"), "{bad:?}");
        }
        let mut c = change("applies");
        c.owner = Some("Jo".into());
        c.note = Some("x".into());
        let errors = to_action(&c).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["note", "owner"]);
        assert_eq!(
            errors[1].message,
            "owner is not used with the action applies; leave it out"
        );
    }
}
