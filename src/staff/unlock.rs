//! Unlocking a person's two-step verification after too many wrong codes in a row locked
//! it. Only national administrators may: a lock may mean someone else holds the person's
//! password, so the person should be reached another way before it is lifted.

use axum::{
    extract::{Path, State},
    response::Response,
};
use uuid::Uuid;

use crate::{
    audit::{self, NewEvent},
    identity::store as identity_store,
    platform::{
        AppState,
        error::{AppError, AppResult},
        tenancy::{Admin, OrgScope},
        web::{client::ClientIp, cookies::redirect_with_notice},
    },
    staff::store,
};

pub async fn two_step(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Admin>,
    Path((_, membership_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (p, org_id) = (&scope.principal, scope.id());
    let member = store::member(&state.db, org_id, membership_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let unlocked = identity_store::clear_two_step_failures(&mut tx, member.user_id).await?;
    if unlocked {
        audit::record(
            &mut tx,
            &state.secrets,
            NewEvent {
                actor_user_id: Some(p.user_id),
                actor_label: &p.email,
                organisation_id: Some(org_id),
                event: "two_step.unlocked",
                detail: serde_json::json!({ "user": member.email, "by": "national administrator" }),
                ip: Some(&ip),
            },
        )
        .await?;
    }
    tx.commit().await?;
    let notice = if unlocked {
        format!(
            "Two-step verification for {} has been unlocked",
            member.name
        )
    } else {
        format!("Two-step verification for {} was not locked", member.name)
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/staff"),
        &notice,
    ))
}
