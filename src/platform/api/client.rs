//! The API's client: authenticating requests by bearer token (RFC 6750).
//!
//! Tokens are made and revoked on the organisation's token pages; this module only
//! recognises them, and notes when each was last used.
//!
//! API routes are registered with [`Rule::ApiToken`](crate::platform::authz::Rule::ApiToken),
//! which the route guard lets through: taking an [`ApiClient`] argument is what makes a
//! handler require a valid token, and every query it makes is then scoped to
//! [`ApiClient::organisation_id`].

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    exec_db,
    platform::{
        AppState,
        api::problem::{ApiError, MISSING_DETAIL},
        db::{Db, now},
        ids::OrgId,
        tokens,
    },
    with_db,
};

/// What every API token starts with.
pub const TOKEN_PREFIX: &str = "cc_";

/// How often, at most, a token's "last used" time is written.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// The API client a request was made by: the token it presented and the organisation that
/// token belongs to. Every API query is scoped to `organisation_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiClient {
    pub token_id: Uuid,
    pub organisation_id: OrgId,
}

/// Whether `secret` has the shape of a token we issue, checked before any database lookup.
pub fn looks_like_api_token(secret: &str) -> bool {
    secret
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(tokens::looks_valid)
}

/// What [`authenticate`] reads about a token.
#[derive(sqlx::FromRow)]
struct StoredToken {
    id: Uuid,
    organisation_id: OrgId,
    token_hash: String,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

/// Finds the client a bearer token belongs to. `None` for a token that is malformed,
/// unknown or revoked. Notes when the token was used, at most once a minute.
pub async fn authenticate(db: &Db, bearer: &str) -> Result<Option<ApiClient>, sqlx::Error> {
    if !looks_like_api_token(bearer) {
        return Ok(None);
    }
    let hash = tokens::hash(bearer);
    let found = with_db!(db, |pool| sqlx::query_as::<_, StoredToken>(
        "SELECT id, organisation_id, token_hash, last_used_at, revoked_at \
         FROM api_tokens WHERE token_hash = $1"
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await)?;
    let Some(token) = found else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || !tokens::equal(&token.token_hash, &hash) {
        return Ok(None);
    }
    let (token_id, organisation_id) = (token.id, token.organisation_id);
    let at = now();
    if needs_last_used_update(token.last_used_at, at) {
        exec_db!(db, |pool| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL"
        )
        .bind(at)
        .bind(token_id)
        .execute(pool)
        .await)?;
    }
    Ok(Some(ApiClient {
        token_id,
        organisation_id,
    }))
}

/// Whether the "last used" time is stale enough to be written again.
fn needs_last_used_update(last_used_at: Option<OffsetDateTime>, at: OffsetDateTime) -> bool {
    last_used_at.is_none_or(|last| at - last >= LAST_USED_RESOLUTION || last > at)
}

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
        let client = authenticate(&state.db, bearer)
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

    #[test]
    fn only_our_token_shape_is_looked_up() {
        let secret = format!("{TOKEN_PREFIX}{}", tokens::generate());
        assert!(looks_like_api_token(&secret));
        assert!(!looks_like_api_token(&secret[3..]));
        assert!(!looks_like_api_token(&format!("xx_{}", &secret[3..])));
        assert!(!looks_like_api_token(&secret[..20]));
        assert!(!looks_like_api_token(&format!("{}=", secret)));
        assert!(!looks_like_api_token(""));
    }

    #[test]
    fn last_used_is_written_at_most_once_a_minute() {
        let at = now();
        assert!(needs_last_used_update(None, at));
        assert!(!needs_last_used_update(
            Some(at - Duration::seconds(59)),
            at
        ));
        assert!(needs_last_used_update(Some(at - Duration::seconds(60)), at));
        assert!(needs_last_used_update(Some(at + Duration::hours(1)), at));
    }
}
