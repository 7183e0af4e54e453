//! Signing in with email and password, and signing out.

use askama::Template;
use axum::{
    Extension, Form,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{after_password, safe_next};
use crate::{
    audit::{self, NewEvent},
    identity::{
        device, passwords,
        session::{self, SessionToken},
        store,
        throttle::{self, Policy},
    },
    platform::{
        AppState,
        db::now,
        error::AppResult,
        web::{
            client::ClientIp,
            forms::FormErrors,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

#[derive(Template)]
#[template(path = "identity/sign_in.html")]
struct SignInPage {
    shell: Shell,
    errors: FormErrors,
    email: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if viewer.principal.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&SignInPage {
        shell: viewer.shell("Sign in"),
        errors: FormErrors::new(),
        email: String::new(),
        next: safe_next(&state.config.public_url, q.next.as_deref()),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    session_token: Option<Extension<SessionToken>>,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_lowercase();
    let next = safe_next(&state.config.public_url, form.next.as_deref());
    let mut errors = FormErrors::new();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let again = |errors: FormErrors, status: StatusCode| -> AppResult<Response> {
        let page = SignInPage {
            shell: viewer.shell("Sign in").with_errors(true),
            errors,
            email: form.email.trim().to_owned(),
            next: next.clone(),
        };
        Ok((status, render(&page)?).into_response())
    };
    if !errors.is_empty() {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }

    let user = store::user_by_email(&state.db, &email).await?;
    // A browser this account has signed in on before counts in its own bucket, so guesses
    // from elsewhere never lock the person out of their own device.
    let device = user
        .as_ref()
        .and_then(|u| device::recognise(&state, &headers, u.id));
    let buckets: Vec<(Policy, &str)> = match &device {
        Some(d) => vec![(throttle::KNOWN_DEVICE, d.id.as_str())],
        None => vec![
            (throttle::UNKNOWN_DEVICE, email.as_str()),
            (throttle::SIGN_IN_ADDRESS, ip.as_str()),
        ],
    };
    let attempt = match throttle::begin(&state.db, &buckets).await? {
        Ok(attempt) => attempt,
        Err(until) => {
            audit::record_now(
                &state.db,
                &state.secrets,
                NewEvent::by(None, &email, "sign_in.throttled", &ip).with_detail(
                    serde_json::json!({
                        "known_device": device.is_some(),
                        "wait_seconds": (until - now()).whole_seconds(),
                    }),
                ),
            )
            .await?;
            // The same words whether or not the account exists.
            errors.add(
                "email",
                format!(
                    "You have tried to sign in too many times. Wait {} and try again, or reset your password.",
                    throttle::wait_in_words(until, now())
                ),
            );
            return again(errors, StatusCode::TOO_MANY_REQUESTS);
        }
    };

    let ok = passwords::verify(
        form.password.clone(),
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match (ok, user) {
        (true, Some(user)) => user,
        (_, user) => {
            audit::record_now(&state.db,&state.secrets, NewEvent {
                actor_user_id: user.as_ref().map(|u| u.id),
                actor_label: &email,
                organisation_id: None,
                event: "sign_in.failed",
                detail: serde_json::json!({ "reason": if user.is_some() { "wrong password" } else { "unknown email" } }),
                ip: Some(&ip),
            })
            .await?;
            errors.add(
                "email",
                "Enter a correct email address and password. If you have forgotten your password, reset it.",
            );
            return again(errors, StatusCode::UNAUTHORIZED);
        }
    };

    let memberships = store::memberships_of(&state.db, user.id).await?;
    if memberships.is_empty() {
        audit::record_now(
            &state.db,
            &state.secrets,
            NewEvent::by(Some(user.id), &email, "sign_in.refused_inactive", &ip),
        )
        .await?;
        errors.add(
            "email",
            "Your account is not active. Ask your organisation's security lead to reactivate it.",
        );
        return again(errors, StatusCode::FORBIDDEN);
    }

    let mut run = vec![(throttle::UNKNOWN_DEVICE, email.as_str())];
    run.extend(
        device
            .as_ref()
            .map(|d| (throttle::KNOWN_DEVICE, d.id.as_str())),
    );
    throttle::succeeded(&state.db, attempt, &run).await?;
    if let Some(Extension(SessionToken(old))) = session_token {
        store::delete_session(&state.db, &old).await?;
    }
    let needs_two_step = memberships.iter().any(|m| m.role.requires_two_step());
    let cookie = session::start(&state, user.id, false).await?;
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent::by(Some(user.id), &email, "sign_in.password_accepted", &ip)
            .with_detail(serde_json::json!({ "two_step_required": needs_two_step })),
    )
    .await?;
    let to = after_password(needs_two_step, user.totp_enabled_at.is_some(), &next);
    let response = session::with_cookie(Redirect::to(&to).into_response(), cookie);
    // Fully signed in with the password alone: this browser is now known to the account.
    Ok(if needs_two_step {
        response
    } else {
        session::with_cookie(response, device::issue(&state, user.id))
    })
}

pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    session_token: Option<Extension<SessionToken>>,
) -> AppResult<Response> {
    if let Some(Extension(SessionToken(token))) = session_token {
        store::delete_session(&state.db, &token).await?;
    }
    if let Some(p) = &viewer.principal {
        audit::record_now(
            &state.db,
            &state.secrets,
            NewEvent::by(Some(p.user_id), &p.email, "sign_out", &ip),
        )
        .await?;
    }
    let response = crate::platform::web::cookies::redirect_with_notice(
        state.config.is_https(),
        "/sign-in",
        "You have signed out",
    );
    Ok(session::with_cookie(response, session::end_cookie(&state)))
}
