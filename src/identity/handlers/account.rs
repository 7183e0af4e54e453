//! Changing one's own password. (The account overview, which also lists invitations to
//! join organisations, is the staff module's: see `crate::staff::account_page`.)

use askama::Template;
use axum::{
    Extension, Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::check_password_pair;
use crate::{
    audit::{self, NewEvent},
    identity::{passwords, session::SessionToken, store},
    platform::{
        AppState,
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
#[template(path = "identity/change_password.html")]
struct ChangePasswordPage {
    shell: Shell,
    errors: FormErrors,
}

fn change_shell(viewer: &Viewer) -> Shell {
    viewer
        .shell("Change your password")
        .crumb("Home", "/")
        .crumb("Your account", "/account")
}

pub async fn password_form(viewer: Viewer) -> AppResult<Response> {
    Ok(render(&ChangePasswordPage {
        shell: change_shell(&viewer),
        errors: FormErrors::new(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Extension(SessionToken(token)): Extension<SessionToken>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::new();
    if form.current.is_empty() {
        errors.add("current", "Enter your current password");
    } else if !passwords::verify(form.current.clone(), user.password_hash.clone()).await? {
        errors.add("current", "Your current password is not right");
    }
    check_password_pair(
        &mut errors,
        &form.password,
        &form.confirm,
        &user.email,
        &user.name,
    );
    if !errors.is_empty() {
        let page = ChangePasswordPage {
            shell: change_shell(&viewer).with_errors(true),
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, p.user_id, &hash).await?;
    store::delete_other_sessions(&mut tx, p.user_id, Some(&token)).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, "password.changed", &ip),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        "/account",
        "Your password has been changed",
    ))
}
