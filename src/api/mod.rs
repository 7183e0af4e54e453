//! API access for an organisation's own systems: the tokens a security lead creates and
//! revokes, the pages that manage them, and the organisation and staff endpoints.
//!
//! - [`tokens`]: API tokens, one organisation each; secrets are shown once and stored only
//!   as hashes. Requests are authenticated by [`crate::platform::api::client`].
//! - [`handlers`]: `/api/v1/organisation` and `/api/v1/staff`, and their part of the
//!   OpenAPI document.
//! - [`token_pages`]: the pages where security leads manage their organisation's tokens.

#[cfg(test)]
mod db_tests;
pub mod handlers;
pub mod token_pages;
pub mod tokens;

use crate::platform::{api::api_get, authz::Rule, service::Service, web::routes::Route};

/// API access, as the platform composes it.
pub fn service() -> Service {
    Service::new("api")
        .routes(routes())
        .openapi(handlers::openapi)
}

/// Every route of the API and of the token pages, with its rule.
fn routes() -> Vec<Route> {
    use self::{handlers as api, token_pages as pages};
    vec![
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
