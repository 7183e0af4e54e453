//! The OpenAPI document: the platform's part (title, bearer-token security, problem
//! details) merged with every service's paths and schemas, served at
//! `/api/v1/openapi.json`.

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::platform::{
    AppState,
    api::problem::{FieldProblem, Problem},
};

/// The name of the bearer security scheme in the OpenAPI document.
pub const SECURITY_SCHEME: &str = "bearer_token";

/// Adds the bearer token scheme the endpoints refer to.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("CareCERT API token (cc_…)")
                    .description(Some(
                        "An organisation's API token, created by one of its security leads in \
                         CareCERT. Send it as `Authorization: Bearer cc_…`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// What every part of the API shares; services add their paths, schemas and tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "CareCERT API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Read your organisation's CareCERT data from your own systems. Every \
                       request needs an API token for your organisation, which a security lead \
                       can create in CareCERT. Errors are RFC 9457 problem details \
                       (`application/problem+json`)."
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerToken),
    security(("bearer_token" = [])),
)]
struct Base;

/// The platform's part of the document.
pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// `GET /api/v1/openapi.json`: the whole document, public.
pub async fn serve(State(state): State<AppState>) -> Response {
    let mut response = state.services.openapi_json().to_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
