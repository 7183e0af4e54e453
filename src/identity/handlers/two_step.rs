//! Setting up and using two-step verification (an authenticator app, with recovery codes).

use askama::Template;
use axum::{
    Extension, Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::safe_next;
use crate::{
    audit::{self, NewEvent},
    identity::{
        device,
        session::{self, SessionToken},
        store, throttle, two_step,
    },
    platform::{
        AppState,
        authz::Principal,
        db::now,
        email,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            forms::FormErrors,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

#[derive(Template)]
#[template(path = "identity/two_step_verify.html")]
struct VerifyPage {
    shell: Shell,
    errors: FormErrors,
    next: String,
    /// Only a recovery code will do.
    locked: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn verify_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.totp_enabled_at.is_none() {
        return Ok(Redirect::to("/account/two-step/set-up").into_response());
    }
    if p.two_step_verified {
        return Ok(
            Redirect::to(&safe_next(&state.config.public_url, q.next.as_deref())).into_response(),
        );
    }
    Ok(render(&VerifyPage {
        shell: viewer.shell("Enter your security code"),
        errors: FormErrors::new(),
        next: safe_next(&state.config.public_url, q.next.as_deref()),
        locked: user.two_step_locked_at.is_some(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

const USED_CODE: &str =
    "That code has already been used. Wait for your app to show a new code, then enter it";

fn unix_now() -> u64 {
    now().unix_timestamp().max(0) as u64
}

pub async fn verify_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Extension(SessionToken(token)): Extension<SessionToken>,
    Form(form): Form<VerifyForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let next = safe_next(&state.config.public_url, form.next.as_deref());
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(sealed) = user.totp_secret.filter(|_| user.totp_enabled_at.is_some()) else {
        return Ok(Redirect::to("/account/two-step/set-up").into_response());
    };
    let secret = state
        .secrets
        .open(&two_step::secret_context(p.user_id), &sealed)?;
    let mut locked = user.two_step_locked_at.is_some();
    let mut errors = FormErrors::new();
    let code = form.code.trim();
    let subject = p.user_id.to_string();
    let attempt = if code.is_empty() {
        errors.add(
            "code",
            "Enter the 6-digit code from your authenticator app, or a recovery code",
        );
        None
    } else {
        let buckets = [
            (throttle::TWO_STEP, subject.as_str()),
            (throttle::TWO_STEP_ADDRESS, ip.as_str()),
        ];
        match throttle::begin(&state.db, &buckets).await? {
            Ok(attempt) => Some(attempt),
            Err(until) => {
                errors.add(
                    "code",
                    format!(
                        "You have entered too many wrong codes. Wait {} and try again.",
                        throttle::wait_in_words(until, now())
                    ),
                );
                None
            }
        }
    };
    let Some(attempt) = attempt else {
        return verify_again(&viewer, errors, next, locked);
    };
    let outcome = check_code(&state, p, &secret, code, locked, &ip).await?;
    if outcome != CodeOutcome::Accepted {
        let mut event = NewEvent::by(Some(p.user_id), &p.email, "two_step.failed", &ip);
        match outcome {
            CodeOutcome::Reused => {
                // A right code used a second time may have been captured (a phishing page
                // passing it on), so the audit log says so.
                errors.add("code", USED_CODE);
                event = event.with_detail(serde_json::json!({ "reason": "code already used" }));
            }
            _ if locked => errors.add("code", LOCKED_CODE),
            _ => {
                errors.add("code", "The code is not right. Check your authenticator app and enter the code it shows now");
                let run = store::add_two_step_failure(&state.db, p.user_id).await?;
                if two_step::locks_after(run) {
                    lock(&state, p, &ip).await?;
                    locked = true;
                    errors = FormErrors::new();
                    errors.add("code", LOCKED_CODE);
                }
            }
        }
        audit::record_now(&state.db, &state.secrets, event).await?;
        return verify_again(&viewer, errors, next, locked);
    }
    throttle::succeeded(
        &state.db,
        attempt,
        &[(throttle::TWO_STEP, subject.as_str())],
    )
    .await?;
    let mut tx = state.db.begin().await?;
    if store::clear_two_step_failures(&mut tx, p.user_id).await? {
        audit::record(
            &mut tx,
            &state.secrets,
            NewEvent::by(Some(p.user_id), &p.email, "two_step.unlocked", &ip)
                .with_detail(serde_json::json!({ "by": "recovery code" })),
        )
        .await?;
    }
    tx.commit().await?;
    store::mark_session_verified(&state.db, &token).await?;
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, "sign_in.succeeded", &ip)
            .with_detail(serde_json::json!({ "two_step": true })),
    )
    .await?;
    Ok(session::with_cookie(
        Redirect::to(&next).into_response(),
        device::issue(&state, p.user_id),
    ))
}

const LOCKED_CODE: &str = "Two-step verification is locked on your account because a wrong code \
was entered too many times in a row. Enter one of your recovery codes, or ask a national \
administrator to unlock it.";

/// What became of a code given at the two-step page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeOutcome {
    Accepted,
    /// The right code, already used once.
    Reused,
    Wrong,
}

/// Checks a code from the app (unless two-step is locked) or a recovery code.
async fn check_code(
    state: &AppState,
    p: &Principal,
    secret: &str,
    code: &str,
    locked: bool,
    ip: &str,
) -> AppResult<CodeOutcome> {
    if let Some(step) = two_step::matching_step(secret, code, unix_now()).filter(|_| !locked) {
        return Ok(
            if store::claim_totp_step(&state.db, p.user_id, step).await? {
                CodeOutcome::Accepted
            } else {
                CodeOutcome::Reused
            },
        );
    }
    let normalised = two_step::normalise_recovery_code(code);
    let used = normalised.len() == 12
        && store::use_recovery_code(&state.db, p.user_id, &normalised).await?;
    if !used {
        return Ok(CodeOutcome::Wrong);
    }
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, "two_step.recovery_code_used", ip),
    )
    .await?;
    Ok(CodeOutcome::Accepted)
}

/// Locks two-step verification after too many wrong codes in a row, and tells the person
/// by email (someone else may hold their password) and the audit log, once.
async fn lock(state: &AppState, p: &Principal, ip: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if store::lock_two_step(&mut tx, p.user_id).await? {
        email::queue(
            &mut tx,
            &two_step::locked_email(&state.config.public_url, &p.email, &p.name),
        )
        .await?;
        audit::record(
            &mut tx,
            &state.secrets,
            NewEvent::by(Some(p.user_id), &p.email, "two_step.locked", ip),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn verify_again(
    viewer: &Viewer,
    errors: FormErrors,
    next: String,
    locked: bool,
) -> AppResult<Response> {
    let page = VerifyPage {
        shell: viewer.shell("Enter your security code").with_errors(true),
        errors,
        next,
        locked,
    };
    let status = if locked {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "identity/two_step_setup.html")]
struct SetupPage {
    shell: Shell,
    errors: FormErrors,
    secret: String,
    qr_svg: String,
}

async fn setup_page(state: &AppState, viewer: &Viewer, errors: FormErrors) -> AppResult<Response> {
    let p = viewer.user()?;
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.totp_enabled_at.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    // Keep the pending secret while the person is setting up, so a reload or a wrong code
    // does not change the QR code they have already scanned.
    let context = two_step::secret_context(p.user_id);
    // A pending secret sealed under an earlier key is simply replaced: nothing uses it yet.
    let pending = user
        .totp_secret
        .and_then(|sealed| state.secrets.open(&context, &sealed).ok());
    let secret = match pending {
        Some(s) => s,
        None => {
            let s = two_step::new_secret();
            let sealed = state.secrets.seal(&context, &s);
            store::set_pending_totp_secret(&state.db, p.user_id, &sealed).await?;
            s
        }
    };
    let url = two_step::provisioning_url(&secret, &p.email).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("could not build the provisioning URL"))
    })?;
    let qr_svg = two_step::qr_svg(&url).unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SetupPage {
        shell: viewer
            .shell("Set up two-step verification")
            .with_errors(!errors.is_empty()),
        errors,
        secret: spaced(&secret),
        qr_svg,
    };
    Ok((status, render(&page)?).into_response())
}

/// The secret in groups of four, easier to type into an app by hand.
fn spaced(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn setup_form(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    setup_page(&state, &viewer, FormErrors::new()).await
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "identity/recovery_codes.html")]
struct RecoveryCodesPage {
    shell: Shell,
    codes: Vec<String>,
}

pub async fn setup_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Extension(SessionToken(token)): Extension<SessionToken>,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let user = store::user_by_id(&state.db, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.totp_enabled_at.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let mut errors = FormErrors::new();
    let step = match &user.totp_secret {
        Some(sealed) if !form.code.trim().is_empty() => {
            let secret = state
                .secrets
                .open(&two_step::secret_context(p.user_id), sealed)?;
            two_step::matching_step(&secret, &form.code, unix_now())
        }
        _ => None,
    };
    if form.code.trim().is_empty() {
        errors.add("code", "Enter the 6-digit code from your authenticator app");
    } else if let Some(step) = step {
        // The code that proves the app works is spent too: it cannot then sign in elsewhere.
        if !store::claim_totp_step(&state.db, p.user_id, step).await? {
            errors.add("code", USED_CODE);
        }
    } else {
        errors.add(
            "code",
            "The code is not right. Check the app shows CareCERT and enter the code it shows now",
        );
    }
    if !errors.is_empty() {
        return setup_page(&state, &viewer, errors).await;
    }
    let codes = two_step::new_recovery_codes();
    let mut tx = state.db.begin().await?;
    store::enable_totp(&mut tx, p.user_id, &codes).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, "two_step.enrolled", &ip),
    )
    .await?;
    tx.commit().await?;
    store::mark_session_verified(&state.db, &token).await?;
    let page = RecoveryCodesPage {
        shell: viewer.shell("Save your recovery codes"),
        codes,
    };
    Ok(session::with_cookie(
        render(&page)?.into_response(),
        device::issue(&state, p.user_id),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_grouped_for_typing() {
        assert_eq!(super::spaced("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
