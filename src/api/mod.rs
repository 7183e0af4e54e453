//! The CareCERT API: JSON over HTTPS for an organisation's own systems.
//!
//! - [`tokens`]: API tokens, one organisation each, created and revoked by its security
//!   leads; secrets are shown once and stored only as hashes.
//! - [`auth`]: the [`ApiClient`] extractor, which authenticates `Authorization: Bearer`
//!   tokens. Every API handler takes one, and scopes every query to its organisation.
//! - [`handlers`]: the endpoints under `/api/v1/`, and the OpenAPI document generated from
//!   them with utoipa, served at `/api/v1/openapi.json`.
//! - [`problem`]: errors for machines as RFC 9457 `application/problem+json`.
//! - [`token_pages`]: the pages where security leads manage their organisation's tokens.
//!
//! API routes are registered with [`Rule::ApiToken`], which the route guard lets through;
//! the extractor does the checking. API requests carry no cookies: the CSRF check and the
//! session layer skip paths under `/api/`.

pub mod auth;
#[cfg(test)]
mod db_tests;
pub mod handlers;
pub mod problem;
pub mod token_pages;
pub mod tokens;

use axum::{
    http::Method,
    routing::{get, post},
};

pub use self::{
    auth::ApiClient,
    problem::{ApiError, ApiJson, ApiQuery, method_not_allowed, not_found},
};
use crate::platform::{authz::Rule, web::routes::Route};

/// An API route: like [`Route::get`], but a request with another method gets a problem
/// document (with an `Allow` header) rather than an empty 405.
pub(crate) fn api_get<H, T>(path: &'static str, rule: Rule, handler: H) -> Route
where
    H: axum::handler::Handler<T, crate::platform::AppState>,
    T: 'static,
{
    Route {
        method: Method::GET,
        path,
        rule,
        handler: get(handler).fallback(method_not_allowed),
    }
}

/// A POST API route, answering other methods as [`api_get`] does.
pub(crate) fn api_post<H, T>(path: &'static str, rule: Rule, handler: H) -> Route
where
    H: axum::handler::Handler<T, crate::platform::AppState>,
    T: 'static,
{
    Route {
        method: Method::POST,
        path,
        rule,
        handler: post(handler).fallback(method_not_allowed),
    }
}

/// Every route of the API and of the token pages, with its rule.
pub fn routes() -> Vec<Route> {
    use self::{handlers as api, token_pages as pages};
    vec![
        api_get("/api/v1/openapi.json", Rule::Public, api::openapi_json),
        api_get("/api/v1/organisation", Rule::ApiToken, api::organisation),
        api_get("/api/v1/staff", Rule::ApiToken, api::staff),
        Route::get(
            "/organisations/{org_id}/api-tokens",
            Rule::OrgLead,
            pages::list,
        ),
        Route::post(
            "/organisations/{org_id}/api-tokens",
            Rule::OrgLead,
            pages::create,
        ),
        Route::post(
            "/organisations/{org_id}/api-tokens/{token_id}/revoke",
            Rule::OrgLead,
            pages::revoke,
        ),
    ]
}

/// The OpenAPI document for the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    handlers::openapi()
}
