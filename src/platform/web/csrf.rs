//! Protection against cross-site request forgery for every state-changing form.
//!
//! Double-submit pattern: each browser gets a random token in an HttpOnly, SameSite cookie;
//! every form carries the same token in a hidden `csrf_token` field (or, for file uploads,
//! in the form's action URL). A request whose token does not match is refused before any
//! handler runs. Nothing is kept on the server, so any instance can check any request.
//! The JSON API is exempt: it does not use cookies, only bearer tokens.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::platform::{
    AppState,
    error::AppError,
    tokens,
    web::cookies::{self, CookieNames},
};

/// The CSRF token for this browser, for forms to embed.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The largest URL-encoded form we read (file uploads are multipart and not read here).
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let names = CookieNames {
        secure: state.config.is_https(),
    };
    let existing =
        cookies::read(request.headers(), names.csrf()).filter(|t| tokens::looks_valid(t));
    let token = existing.clone().unwrap_or_else(tokens::generate);
    let (mut parts, body) = request.into_parts();
    // The route template, never the path: some paths (invitation and reset links) are secrets.
    let route = crate::platform::ops::route_of(&parts.extensions);

    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if changes_state && !parts.uri.path().starts_with("/api/") {
        let from_query = parts
            .uri
            .query()
            .and_then(|q| field(q.as_bytes(), "csrf_token"));
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let (submitted, body) = match from_query {
            Some(t) => (Some(t), body),
            None if is_form => match to_bytes(body, MAX_FORM_BYTES).await {
                Ok(bytes) => (field(&bytes, "csrf_token"), Body::from(bytes)),
                Err(_) => {
                    return AppError::BadRequest(
                        "The form you sent was too large. Shorten what you entered and try again."
                            .into(),
                    )
                    .into_response();
                }
            },
            None => (None, body),
        };
        let valid = match (&existing, &submitted) {
            (Some(cookie), Some(sent)) => tokens::equal(cookie, sent),
            _ => false,
        };
        if !valid {
            tracing::info!(%route, "refused a form without a valid CSRF token");
            return AppError::FormExpired.into_response();
        }
        body
    } else {
        body
    };

    parts.extensions.insert(CsrfToken(token.clone()));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if existing.is_none() {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::build(names.csrf(), &token, names.secure, None),
        );
    }
    response
}

fn field(encoded: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
