//! The JSON API's transport, shared by every service's endpoints.
//!
//! - [`client`]: the [`ApiClient`] extractor, which authenticates `Authorization: Bearer`
//!   tokens. Every API handler takes one, and scopes every query to its organisation.
//! - [`problem`]: errors for machines as RFC 9457 `application/problem+json`, and the JSON
//!   and query extractors that answer bad input with one.
//! - [`paging`]: the `page` and `per_page` parameters of lists.
//! - [`openapi`]: the OpenAPI document, merged from every service's part.
//!
//! API routes are registered with [`Rule::ApiToken`], which the route guard lets through;
//! the extractor does the checking. API requests carry no cookies: the CSRF check and the
//! session layer skip paths under `/api/`.

pub mod client;
pub mod openapi;
pub mod paging;
pub mod problem;

use axum::{
    http::Method,
    routing::{get, post},
};

pub use self::{
    client::ApiClient,
    problem::{ApiError, ApiJson, ApiQuery, method_not_allowed, not_found},
};
use crate::platform::{AppState, authz::Rule, web::routes::Route};

/// An API route: like [`Route::get`], but a request with another method gets a problem
/// document (with an `Allow` header) rather than an empty 405.
pub fn api_get<H, T>(path: &'static str, rule: Rule, handler: H) -> Route
where
    H: axum::handler::Handler<T, AppState>,
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
pub fn api_post<H, T>(path: &'static str, rule: Rule, handler: H) -> Route
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    Route {
        method: Method::POST,
        path,
        rule,
        handler: post(handler).fallback(method_not_allowed),
    }
}
