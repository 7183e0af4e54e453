//! The two-person rule: an analyst submits a draft for review (or returns it to draft), and
//! a second analyst, who neither wrote nor edited it, publishes it; likewise approves or
//! discards a revision that waits for review.

use axum::{
    extract::{Path, State},
    response::Response,
};
use uuid::Uuid;

use super::{actor, refused};
use crate::{
    alerts::{publishing, store::review},
    platform::{
        AppState,
        db::now,
        error::AppResult,
        web::{client::ClientIp, cookies::redirect_with_notice, shell::Viewer},
    },
};

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_review(
        &state,
        &viewer,
        &ip,
        id,
        true,
        "Submitted for review. Another analyst must check and publish it.",
    )
    .await
}

pub async fn send_back(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_review(&state, &viewer, &ip, id, false, "Returned to draft").await
}

async fn move_review(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: Uuid,
    submit: bool,
    notice: &str,
) -> AppResult<Response> {
    let p = viewer.user()?;
    publishing::change_review(&state.db, id, submit, &actor(state, p, ip))
        .await
        .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        notice,
    ))
}

pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let out = publishing::publish(
        &state.db,
        id,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}/dashboard"),
        &format!(
            "Published {} to {} organisations ({} likely affected). {} emails queued.",
            out.reference, out.organisations, out.likely_affected, out.emails
        ),
    ))
}

pub async fn approve_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let pending = review::pending(&state.db, id).await?;
    let out = publishing::approve_revision(
        &state.db,
        id,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    let notify = pending.is_some_and(|r| r.notify);
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &format!(
            "Revision approved and published. {}",
            told(notify, out.emails)
        ),
    ))
}

pub async fn discard_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    publishing::discard_revision(&state.db, id, &actor(&state, p, &ip))
        .await
        .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Revision discarded. The advisory is as it was published.",
    ))
}

pub(super) fn told(notify: bool, emails: usize) -> String {
    if notify {
        format!("{emails} emails queued.")
    } else {
        "Organisations were not emailed.".to_owned()
    }
}
