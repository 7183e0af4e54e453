//! Changing a published advisory: a revision, with what changed and whether to tell
//! organisations again (published at once, or left for a second analyst's approval when it
//! loosens the label, widens the audience or changes remediation), and withdrawal.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    actor,
    drafts::{FormKind, form_page},
    form::FormValues,
    load, refused,
    review::told,
};
use crate::{
    alerts::{model::AdvisoryStatus, publishing},
    platform::{
        AppState,
        db::now,
        error::{AppError, AppResult},
        web::{client::ClientIp, cookies::redirect_with_notice, forms::FormErrors, shell::Viewer},
    },
};

pub async fn revise_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Published {
        return Err(AppError::Conflict(
            "Only a published advisory can be revised.".into(),
        ));
    }
    let form = FormValues::of(&state, &row.content).await?;
    form_page(
        &viewer,
        FormKind::revise(id, &format!("Revise {}", row.label())),
        form,
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

pub async fn revise(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    let heading = format!("Revise {}", row.label());
    let form = FormValues::from_fields(&fields);
    let result = form.check_change_summary(form.content(&state).await?);
    let c = match result {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::revise(id, &heading),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let revision = publishing::Revision {
        content: &c,
        summary: &form.change_summary,
        notify: form.notify,
    };
    let revised = publishing::revise(
        &state.db,
        id,
        &revision,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    let notice = match revised {
        publishing::Revised::Published(out) => {
            format!("Revision published. {}", told(form.notify, out.emails))
        }
        publishing::Revised::AwaitingReview(reasons) => format!(
            "Revision submitted for review, not yet published: another analyst must approve it. {}",
            reasons
                .iter()
                .map(|r| r.message())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &notice,
    ))
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

pub async fn withdraw(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(form): Form<WithdrawForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(AppError::BadRequest(
            "Give the reason for withdrawing the advisory, in 1000 characters or fewer".into(),
        ));
    }
    let told = publishing::withdraw(
        &state.db,
        id,
        reason,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &format!("Advisory withdrawn. {told} emails queued to organisations still responding."),
    ))
}
