//! Submitting an assessment (its answers are locked and a snapshot of them is kept) and
//! publishing it as the organisation's status for the year.

use axum::{
    extract::{Path, State},
    response::Response,
};
use uuid::Uuid;

use crate::{
    assure::{
        pages::{assessment_path, load, read_answers},
        store::assessments as store,
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        error::{AppError, AppResult},
        tenancy::{Lead, OrgScope},
        web::{client::ClientIp, cookies::redirect_with_notice, routes::Route},
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::post(
            "/organisations/{org_id}/assessments/{assessment_id}/submit",
            Rule::OrgLead,
            submit,
        ),
        Route::post(
            "/organisations/{org_id}/assessments/{assessment_id}/publish",
            Rule::OrgLead,
            publish,
        ),
    ]
}

/// `POST …/submit`
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = &scope.organisation;
    let loaded = load(&state, p, org.id, id).await?;
    let back = assessment_path(org.id, id);
    let secure = state.config.is_https();
    let mut tx = state.db.begin().await?;
    let row = store::lock(&mut tx, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::answers(&state.db, org.id, id).await?;
    let answers = read_answers(&loaded.framework, &rows)?;
    let unanswered = loaded
        .framework
        .assessable()
        .filter(|r| {
            !answers
                .iter()
                .any(|a| a.requirement == r.id && a.verdict.is_some())
        })
        .count();
    let unreviewed = rows.iter().filter(|r| r.carried_over).count();
    if let Err(refused) = row.status.may_submit(unanswered, unreviewed) {
        drop(tx);
        return Ok(redirect_with_notice(secure, &back, &refused.to_string()));
    }
    let snapshot = store::snapshot(&loaded.framework, row.cycle, &rows);
    store::submit(&mut tx, id, p.user_id, &snapshot).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.assessment_submitted",
            detail: serde_json::json!({ "assessment": id, "cycle": row.cycle.to_string() }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        secure,
        &back,
        "Assessment submitted. Its answers are now locked",
    ))
}

/// `POST …/publish`
pub async fn publish(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = &scope.organisation;
    let back = assessment_path(org.id, id);
    let secure = state.config.is_https();
    let mut tx = state.db.begin().await?;
    let row = store::lock(&mut tx, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(refused) = row.status.may_publish() {
        drop(tx);
        return Ok(redirect_with_notice(secure, &back, &refused.to_string()));
    }
    store::publish(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.assessment_published",
            detail: serde_json::json!({ "assessment": id, "cycle": row.cycle.to_string() }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        secure,
        &back,
        &format!(
            "Assessment published as the status of {} for {}",
            org.name, row.cycle
        ),
    ))
}
