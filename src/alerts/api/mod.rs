//! The Alerts service's JSON API, for an organisation's own systems (a security operations
//! centre, a ticketing tool): read the advisories addressed to the organisation, record its
//! response, and keep its software inventory current so matches stay right. Every handler
//! takes an [`ApiClient`] and reads and changes only that token's organisation; an advisory
//! not addressed to it is answered exactly as one that does not exist.
//!
//! - `types`: the documents the API answers with (its OpenAPI schemas);
//! - `state_change`: the request body of a change to a response, and its schema;
//! - `advisories`, `responses`, `inventory`: the handlers, by the resource they serve.
//!
//! The handlers and types are re-exported here, which is where the OpenAPI document
//! (`alerts::service`) lists them from.

mod advisories;
mod inventory;
mod responses;
mod state_change;
mod types;

use axum::{http::Method, routing::put};

// Whole modules are re-exported because the OpenAPI document names each handler by its
// path here, and utoipa finds the operation in a hidden `__path_` type beside the handler.
pub use advisories::*;
pub use inventory::*;
pub use responses::*;
pub use state_change::*;
pub use types::*;

use crate::{
    platform::api::{ApiClient, ApiError, api_get, api_post},
    platform::{authz::Rule, db::Db, ids::UserId, web::routes::Route},
    with_db,
};

/// Every route of the Alerts API.
pub fn routes() -> Vec<Route> {
    vec![
        api_get("/api/v1/alerts/advisories", Rule::ApiToken, list_advisories),
        api_get(
            "/api/v1/alerts/advisories/{reference}",
            Rule::ApiToken,
            read_advisory,
        ),
        api_post(
            "/api/v1/alerts/advisories/{reference}/acknowledge",
            Rule::ApiToken,
            acknowledge,
        ),
        api_post(
            "/api/v1/alerts/advisories/{reference}/state",
            Rule::ApiToken,
            change_state,
        ),
        api_get("/api/v1/alerts/inventory", Rule::ApiToken, read_inventory),
        // The GET route of this path already answers other methods with a problem, and a
        // path can have only one such answer, so this one adds none.
        Route {
            method: Method::PUT,
            path: "/api/v1/alerts/inventory",
            rule: Rule::ApiToken,
            handler: put(replace_inventory),
        },
    ]
}

/// The allowed values, as a problem's message lists them.
fn one_of<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

/// What the API needs to know about the token a request came with.
#[derive(Debug, sqlx::FromRow)]
struct TokenDetails {
    name: String,
    prefix: String,
    /// The security lead who made the token: the person an inventory sent with it is
    /// recorded against, since the record must name a person.
    created_by: UserId,
}

/// The request's token, as it is now: revoked since the request was let in, it is refused.
async fn token_details(db: &Db, client: &ApiClient) -> Result<TokenDetails, ApiError> {
    with_db!(db, |pool| sqlx::query_as::<_, TokenDetails>(
        "SELECT name, prefix, created_by FROM api_tokens \
         WHERE id = $1 AND organisation_id = $2 AND revoked_at IS NULL"
    )
    .bind(client.token_id)
    .bind(client.organisation_id)
    .fetch_optional(pool)
    .await)?
    .ok_or_else(|| ApiError::invalid_token("This API token has just been revoked."))
}

#[cfg(test)]
mod tests {
    use super::state_change::StateAction;

    #[test]
    fn the_openapi_document_describes_the_alerts_endpoints() {
        let doc = serde_json::to_value(crate::app::compose().0.openapi_document()).unwrap();
        let paths = &doc["paths"];
        for (path, method) in [
            ("/api/v1/alerts/advisories", "get"),
            ("/api/v1/alerts/advisories/{reference}", "get"),
            ("/api/v1/alerts/advisories/{reference}/acknowledge", "post"),
            ("/api/v1/alerts/advisories/{reference}/state", "post"),
            ("/api/v1/alerts/inventory", "get"),
            ("/api/v1/alerts/inventory", "put"),
        ] {
            assert!(paths[path][method].is_object(), "{method} {path}");
        }
        let body = &paths["/api/v1/alerts/inventory"]["put"]["requestBody"]["content"];
        assert!(body["text/csv"].is_object());
        assert!(body["application/vnd.cyclonedx+json"].is_object());
        let schemas = &doc["components"]["schemas"];
        for schema in [
            "AdvisoryList",
            "AdvisoryDetail",
            "AdvisoryContent",
            "AdvisoryResponse",
            "MatchedInventoryItem",
            "StateChange",
            "InventoryItem",
            "InventoryReplaced",
            "ResponseState",
        ] {
            assert!(schemas[schema].is_object(), "{schema}");
        }
        let actions = schemas["StateChange"]["oneOf"].as_array().unwrap();
        assert_eq!(actions.len(), StateAction::ALL.len());
    }
}
