//! The advisory form's pages: writing a new advisory and editing a draft, each saved as a
//! draft; a form with problems comes back with what was typed and a message per field.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::{form::FormValues, load, manage_shell};
use crate::{
    alerts::{
        model::{AdvisoryStatus, Severity, Tlp},
        store::advisories,
    },
    audit::{self, NewEvent},
    organisations::domain::OrgType,
    platform::{
        AppState,
        authz::Principal,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::FormErrors,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

#[derive(Template)]
#[template(path = "alerts/manage_form.html")]
struct FormPage {
    shell: Shell,
    heading: String,
    action: String,
    button: &'static str,
    revising: bool,
    form: FormValues,
    errors: FormErrors,
    severities: Vec<(&'static str, &'static str)>,
    tlps: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str, bool)>,
    default_hours: u32,
}

/// Which form is shown: new advisory, draft edit or revision.
pub(super) struct FormKind<'a> {
    heading: &'a str,
    action: String,
    button: &'static str,
    revising: bool,
}

impl<'a> FormKind<'a> {
    fn new_advisory() -> Self {
        FormKind {
            heading: "Write an advisory",
            action: "/alerts/manage/new".into(),
            button: "Save draft",
            revising: false,
        }
    }

    fn edit(id: Uuid) -> Self {
        FormKind {
            heading: "Edit the draft",
            action: format!("/alerts/manage/{id}/edit"),
            button: "Save draft",
            revising: false,
        }
    }

    pub(super) fn revise(id: Uuid, heading: &'a str) -> Self {
        FormKind {
            heading,
            action: format!("/alerts/manage/{id}/revise"),
            button: "Publish revision",
            revising: true,
        }
    }
}

/// The form's page, with a message beside each field that is wrong (and then the status
/// 422, so a script or test can tell it was refused).
pub(super) fn form_page(
    viewer: &Viewer,
    kind: FormKind<'_>,
    form: FormValues,
    errors: FormErrors,
    default_hours: u32,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = manage_shell(viewer, kind.heading).with_errors(!errors.is_empty());
    let page = FormPage::new(shell, kind, form, errors, default_hours);
    Ok((status, render(&page)?).into_response())
}

impl FormPage {
    fn new(
        shell: Shell,
        kind: FormKind<'_>,
        form: FormValues,
        errors: FormErrors,
        default_hours: u32,
    ) -> Self {
        let FormKind {
            heading,
            action,
            button,
            revising,
        } = kind;
        let types = OrgType::REGISTRABLE
            .iter()
            .map(|t| {
                (
                    t.as_str(),
                    t.label(),
                    form.audience_types.iter().any(|x| x == t.as_str()),
                )
            })
            .collect();
        FormPage {
            shell,
            heading: heading.to_owned(),
            action,
            button,
            revising,
            form,
            errors,
            severities: Severity::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            tlps: Tlp::ALL.iter().map(|t| (t.as_str(), t.meaning())).collect(),
            types,
            default_hours,
        }
    }
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    form_page(
        &viewer,
        FormKind::new_advisory(),
        FormValues::blank(),
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

/// The audit entry for a change to a draft by the analyst `p`.
fn event<'a>(
    p: &'a Principal,
    ip: &'a str,
    event: &'a str,
    detail: serde_json::Value,
) -> NewEvent<'a> {
    NewEvent {
        actor_user_id: Some(p.user_id),
        actor_label: &p.email,
        organisation_id: None,
        event,
        detail,
        ip: Some(ip),
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let form = FormValues::from_fields(&fields);
    let c = match form.content(&state).await? {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::new_advisory(),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    let id = advisories::create_draft(&mut tx, &c, None, p.user_id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        event(
            p,
            &ip,
            "alerts.draft_created",
            serde_json::json!({"advisory": id, "title": c.title}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Draft saved",
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Draft {
        return Err(AppError::Conflict(
            "Only a draft can be edited. Return it from review first, or revise the published advisory.".into(),
        ));
    }
    let form = FormValues::of(&state, &row.content).await?;
    form_page(
        &viewer,
        FormKind::edit(id),
        form,
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Draft {
        return Err(AppError::Conflict("Only a draft can be edited.".into()));
    }
    let form = FormValues::from_fields(&fields);
    let c = match form.content(&state).await? {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::edit(id),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    advisories::save_draft(&mut tx, id, &c, p.user_id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        event(
            p,
            &ip,
            "alerts.draft_saved",
            serde_json::json!({"advisory": id}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Draft saved",
    ))
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;

    #[test]
    fn a_refused_form_shows_back_what_was_typed_with_each_message() {
        let form = FormValues {
            title: "Log4j <remote> code execution".into(),
            severity: "critical".into(),
            tlp: "AMBER".into(),
            summary: "Attackers run code.".into(),
            affected: "Apache | Log4j | >= 2.17.1, < 2.0.0".into(),
            cves: "CVE-21-44228".into(),
            remediation: "Upgrade to 2.17.1.\nRestart the service.".into(),
            audience: "list".into(),
            audience_orgs: "RX1\nZZ9".into(),
            ack_required: true,
            ack_hours: "two days".into(),
            ..FormValues::default()
        };
        let mut errors = FormErrors::new();
        errors.add("cves", "Vulnerabilities, line 1: not a CVE");
        errors.add("audience_orgs", "No organisation has the ODS code ZZ9");
        errors.add("ack_hours", "Enter the hours as a whole number");
        let page = FormPage::new(
            Shell::bare("Write an advisory"),
            FormKind::new_advisory(),
            form,
            errors,
            48,
        );
        let html = page.render().expect("renders");
        for shown in [
            "value=\"Log4j &#60;remote&#62; code execution\"",
            "Apache | Log4j | &#62;= 2.17.1, &#60; 2.0.0</textarea>",
            "CVE-21-44228</textarea>",
            "Upgrade to 2.17.1.\nRestart the service.</textarea>",
            "RX1\nZZ9</textarea>",
            "value=\"two days\"",
            "value=\"critical\" checked",
            "value=\"AMBER\" checked",
            "value=\"list\" checked",
            "Vulnerabilities, line 1: not a CVE",
            "No organisation has the ODS code ZZ9",
            "Enter the hours as a whole number",
        ] {
            assert!(html.contains(shown), "{shown:?} is not on the page");
        }
    }
}
