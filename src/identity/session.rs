//! Sessions: a random token in an HttpOnly cookie, stored hashed in the database so any
//! instance can serve any request. Sessions end after a period of inactivity or a fixed
//! time after sign-in, whichever comes first, and a new token is issued at every sign-in.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};
use time::Duration;

use crate::{
    identity::store,
    platform::{
        AppState,
        authz::{CurrentUser, PasswordOnly, Principal},
        db::now,
        ids::UserId,
        web::cookies::{self, CookieNames},
    },
};

/// The raw session token of the current request, for handlers that change the session (also
/// present while two-step verification is pending, so signing in again ends that session).
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

/// Paths that never need to know who is asking (and so never touch the database here).
fn is_anonymous_path(path: &str) -> bool {
    ["/assets/", "/healthz", "/readyz", "/metrics", "/api/"]
        .iter()
        .any(|p| path.starts_with(p))
}

fn names(state: &AppState) -> CookieNames {
    CookieNames {
        secure: state.config.is_https(),
    }
}

/// Loads the signed-in person (if any) into the request. Someone who still owes a two-step
/// code goes in as [`PasswordOnly`], never as [`CurrentUser`], so no page, fallback or error
/// page can treat a password alone as signed in; the route guard hands them on only to the
/// two-step pages and signing out.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut principal = None;
    let token = (!is_anonymous_path(request.uri().path()))
        .then(|| cookies::read(request.headers(), names(&state).session()))
        .flatten();
    if let Some(token) = token {
        match principal_for(&state, &token).await {
            Ok(Some(p)) => {
                request.extensions_mut().insert(SessionToken(token));
                if p.passed_two_step() {
                    principal = Some(p);
                } else {
                    request.extensions_mut().insert(PasswordOnly(p));
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not load a session"),
        }
    }
    request.extensions_mut().insert(CurrentUser(principal));
    next.run(request).await
}

async fn principal_for(state: &AppState, token: &str) -> Result<Option<Principal>, sqlx::Error> {
    let idle = Duration::minutes(state.config.session_idle_minutes);
    let Some(session) = store::live_session(&state.db, token, idle).await? else {
        return Ok(None);
    };
    let memberships = store::memberships_of(&state.db, session.user_id).await?;
    if memberships.is_empty() {
        // Deactivated everywhere: the session ends now.
        store::delete_session(&state.db, token).await?;
        return Ok(None);
    }
    if now() - session.last_seen_at > Duration::minutes(1) {
        store::touch_session(&state.db, token).await?;
    }
    Ok(Some(Principal {
        user_id: session.user_id,
        name: session.name,
        email: session.email,
        memberships,
        two_step_enrolled: session.totp_enabled_at.is_some(),
        two_step_verified: session.mfa_verified,
    }))
}

/// Starts a new session and returns the cookie to set. Any session the browser had is
/// ended by the caller, so a token planted before sign-in is useless afterwards.
pub async fn start(
    state: &AppState,
    user_id: UserId,
    two_step_verified: bool,
) -> Result<HeaderValue, sqlx::Error> {
    let max_age = Duration::hours(state.config.session_max_hours);
    let token = store::create_session(&state.db, user_id, two_step_verified, max_age).await?;
    Ok(cookies::build(
        names(state).session(),
        &token,
        state.config.is_https(),
        None,
    ))
}

/// The cookie that removes the session from the browser.
pub fn end_cookie(state: &AppState) -> HeaderValue {
    cookies::build(names(state).session(), "", state.config.is_https(), Some(0))
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}
