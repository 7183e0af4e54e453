//! Resetting a forgotten password by email. The request page answers the same whether or
//! not the address has an account, so it cannot be used to find out who does.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::invitation::{ChooseForm, ChoosePasswordPage, Link, link_problem_response};
use crate::{
    audit::{self, NewEvent},
    identity::{
        invitations, passwords,
        store::{self, LinkProblem, LinkPurpose},
        throttle,
    },
    platform::{
        AppState,
        error::AppResult,
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
#[template(path = "identity/reset_request.html")]
struct RequestPage {
    shell: Shell,
    errors: FormErrors,
    email: String,
    sent: bool,
}

pub async fn request_form(viewer: Viewer) -> AppResult<Response> {
    Ok(render(&RequestPage {
        shell: viewer
            .shell("Reset your password")
            .crumb("Sign in", "/sign-in"),
        errors: FormErrors::new(),
        email: String::new(),
        sent: false,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

pub async fn request_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let mut errors = FormErrors::new();
    if !email.contains('@') {
        errors.add("email", "Enter your email address, like name@nhs.net");
    }
    if !errors.is_empty() {
        let page = RequestPage {
            shell: viewer
                .shell("Reset your password")
                .with_errors(true)
                .crumb("Sign in", "/sign-in"),
            errors,
            email: form.email.trim().to_owned(),
            sent: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    // Limit how many emails can be sent to one address, or asked for from one address. Each
    // request counts (each sends an email), in buckets of their own: asking for resets
    // never slows anyone's sign-in.
    let buckets = [
        (throttle::RESET_EMAIL, email.as_str()),
        (throttle::RESET_ADDRESS, ip.as_str()),
    ];
    let allowed = throttle::begin(&state.db, &buckets).await?.is_ok();
    let user = if allowed {
        store::user_by_email(&state.db, &email).await?
    } else {
        None
    };
    if let Some(user) = user {
        let active = !store::memberships_of(&state.db, user.id).await?.is_empty();
        if active {
            let mut tx = state.db.begin().await?;
            invitations::send_reset(&mut tx, &state, user.id, &user.email, &user.name).await?;
            audit::record(
                &mut tx,
                &state.secrets,
                NewEvent::by(Some(user.id), &user.email, "password_reset.requested", &ip),
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(render(&RequestPage {
        shell: viewer.shell("Check your email"),
        errors: FormErrors::new(),
        email,
        sent: true,
    })?
    .into_response())
}

const ADVICE: &str =
    "Reset links work once and for 1 hour. Ask for a new link from the sign-in page.";

fn page(viewer: &Viewer, token: &str, errors: FormErrors) -> ChoosePasswordPage {
    ChoosePasswordPage {
        shell: viewer
            .shell("Choose a new password")
            .with_errors(!errors.is_empty()),
        errors,
        heading: "Choose a new password".into(),
        intro: "After you change it, you will need to sign in again on your other devices.".into(),
        action: format!("/password-reset/{token}"),
        button: "Change password".into(),
    }
}

pub async fn choose_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match store::check_link(&state.db, LinkPurpose::PasswordReset, &token).await? {
        Err(problem) => link_problem_response(&viewer, problem, "password reset", ADVICE),
        Ok(_) => Ok(render(&page(&viewer, &token, FormErrors::new()))?.into_response()),
    }
}

pub async fn choose_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    let link = Link::new(LinkPurpose::PasswordReset, "password reset", ADVICE);
    let (user_id, user, errors) = match link.choose(&state, &viewer, &token, &form).await? {
        Ok(chosen) => chosen,
        Err(problem) => return Ok(problem),
    };
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&page(&viewer, &token, errors))?,
        )
            .into_response());
    }
    let hash = passwords::hash(form.password).await?;
    let mut tx = state.db.begin().await?;
    if !store::use_link(&mut tx, LinkPurpose::PasswordReset, &token).await? {
        return link.problem(&viewer, LinkProblem::Used);
    }
    store::set_password(&mut tx, user_id, &hash).await?;
    store::delete_other_sessions(&mut tx, user_id, None).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(user_id), &user.email, "password_reset.completed", &ip),
    )
    .await?;
    tx.commit().await?;
    // Whoever holds the new password may try it at once, even from a new device.
    store::clear_attempts(&state.db, throttle::UNKNOWN_DEVICE.scope, &user.email).await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        "/sign-in",
        "Your password has been changed. Sign in with your new password.",
    ))
}
