//! The account page: a person's own details and two-step status (from identity), their
//! organisations, and the invitations to join others that wait for their answer. It lives
//! here rather than in identity because invitations are the staff module's, and staff
//! stands on identity, never the other way round.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use crate::{
    identity::store,
    platform::{
        AppState,
        authz::Membership,
        error::{AppError, AppResult},
        web::{
            page::render,
            shell::{Shell, Viewer},
        },
    },
    staff::joining_store,
};

#[derive(Template)]
#[template(path = "identity/account.html")]
struct AccountPage {
    shell: Shell,
    name: String,
    email: String,
    memberships: Vec<Membership>,
    invitations: Vec<joining_store::Invitation>,
    two_step_on: bool,
    recovery_codes_left: i64,
}

pub async fn overview(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let p = viewer.user()?;
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recovery_codes_left = store::unused_recovery_codes(&state.db, p.user_id).await?;
    Ok(render(&AccountPage {
        shell: viewer.shell("Your account").crumb("Home", "/"),
        name: user.name,
        email: user.email,
        memberships: p.memberships.clone(),
        invitations: joining_store::for_person(&state.db, p.user_id).await?,
        two_step_on: user.totp_enabled_at.is_some(),
        recovery_codes_left,
    })?
    .into_response())
}
