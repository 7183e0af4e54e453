//! Authenticating API requests by bearer token (RFC 6750).
//!
//! API routes are registered with [`Rule::ApiToken`](crate::platform::authz::Rule::ApiToken),
//! which the route guard lets through: taking an [`ApiClient`] argument is what makes a
//! handler require a valid token, and every query it makes is then scoped to
//! [`ApiClient::organisation_id`].

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};

pub use crate::api::tokens::ApiClient;
use crate::{
    api::{
        problem::{ApiError, MISSING_DETAIL},
        tokens,
    },
    platform::AppState,
};

/// What the `Authorization` header holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header with another scheme, like `Basic`.
    OtherScheme,
    /// `Bearer` with nothing after it, or a header that is not readable text.
    Empty,
    /// A bearer token (not yet checked).
    Bearer(&'a str),
}

/// Reads the bearer token from a request's headers. The scheme is case-insensitive.
pub fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Credentials::Empty;
    };
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::OtherScheme;
    }
    match rest.trim() {
        "" => Credentials::Empty,
        token => Credentials::Bearer(token),
    }
}

const INVALID_DETAIL: &str = "This API token is not recognised, or has been revoked. Check you \
sent the whole token, starting `cc_`. If it still does not work, ask a security lead for your \
organisation to create a new token in CareCERT.";

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(client) = parts.extensions.get::<ApiClient>() {
            return Ok(*client);
        }
        let bearer = match credentials(&parts.headers) {
            Credentials::Missing => return Err(ApiError::missing_token(MISSING_DETAIL)),
            Credentials::OtherScheme => {
                return Err(ApiError::missing_token(
                    "This API only accepts bearer tokens. Send your organisation's API token \
                     as `Authorization: Bearer cc_…`.",
                ));
            }
            Credentials::Empty => {
                return Err(ApiError::invalid_token(
                    "The Authorization header has no token after `Bearer`. Send your \
                     organisation's API token as `Authorization: Bearer cc_…`.",
                ));
            }
            Credentials::Bearer(token) => token,
        };
        let client = tokens::authenticate(&state.db, bearer)
            .await?
            .ok_or_else(|| ApiError::invalid_token(INVALID_DETAIL))?;
        tracing::debug!(token_id = %client.token_id, "API request authenticated");
        parts.extensions.insert(client);
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn reads_bearer_tokens_in_any_case() {
        assert_eq!(credentials(&HeaderMap::new()), Credentials::Missing);
        assert_eq!(
            credentials(&with("Bearer cc_abc")),
            Credentials::Bearer("cc_abc")
        );
        assert_eq!(
            credentials(&with("bearer   cc_abc ")),
            Credentials::Bearer("cc_abc")
        );
        assert_eq!(
            credentials(&with("Basic dXNlcjpwYXNz")),
            Credentials::OtherScheme
        );
        assert_eq!(credentials(&with("Bearer")), Credentials::Empty);
        assert_eq!(credentials(&with("Bearer   ")), Credentials::Empty);
        assert_eq!(credentials(&with("cc_abc")), Credentials::OtherScheme);
    }
}
