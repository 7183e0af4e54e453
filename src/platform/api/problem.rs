//! Errors for machines, as RFC 9457 problem details (`application/problem+json`).
//!
//! Every failure of an `/api/` request is an [`ApiError`], which renders as a JSON object
//! with `type`, `title`, `status` and `detail`, plus an `errors` array of
//! `{field, message}` for validation failures. Problems that mean nothing beyond their HTTP
//! status use the type `about:blank` and the status's reason phrase as the title; the others
//! have a type under `/api/v1/problems/` that a client can match on.
//!
//! Rejections by axum's own extractors (bad JSON, bad query strings) are turned into
//! problems by the [`ApiJson`] and [`ApiQuery`] wrappers, and unknown paths and methods by
//! [`not_found`] and [`method_not_allowed`].

use axum::{
    Json,
    extract::{
        FromRequest, FromRequestParts, Query, Request,
        rejection::{JsonRejection, QueryRejection},
    },
    http::{HeaderValue, Method, StatusCode, Uri, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::platform::error::AppError;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where the types of this API's own problems live.
pub const PROBLEM_TYPE_BASE: &str = "/api/v1/problems/";

/// The `type` of a problem that means no more than its HTTP status.
pub const ABOUT_BLANK: &str = "about:blank";

/// What the client is told when something went wrong on our side.
const INTERNAL_DETAIL: &str = "Something went wrong on our side. Try again later. If it keeps happening, contact the CareCERT service desk.";

/// The `WWW-Authenticate` challenge sent with every 401 (RFC 6750).
const CHALLENGE: &str = "Bearer realm=\"CareCERT API\"";
const CHALLENGE_INVALID: &str = "Bearer realm=\"CareCERT API\", error=\"invalid_token\"";

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The query parameter or JSON field concerned.
    #[schema(example = "per_page")]
    pub field: String,
    /// What is wrong with it and how to put it right.
    #[schema(example = "per_page must be a whole number from 1 to 500")]
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem details document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem: `about:blank`, or a reference under
    /// `/api/v1/problems/`.
    #[serde(rename = "type")]
    #[schema(example = "/api/v1/problems/invalid-token")]
    pub kind: String,
    /// A short summary of the kind of problem.
    #[schema(example = "Invalid API token")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 401)]
    pub status: u16,
    /// What went wrong this time, and what to do about it.
    pub detail: String,
    /// For validation problems: each field that is wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// An error answered to a machine client as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    problem: Problem,
    challenge: Option<&'static str>,
}

impl ApiError {
    /// A problem that means no more than its status (`type` is `about:blank`).
    pub fn from_status(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            problem: Problem {
                kind: ABOUT_BLANK.to_owned(),
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: vec![],
            },
            challenge: None,
        }
    }

    /// A problem of one of this API's own types, `/api/v1/problems/{slug}`.
    pub fn typed(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        ApiError {
            problem: Problem {
                kind: format!("{PROBLEM_TYPE_BASE}{slug}"),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: vec![],
            },
            challenge: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::from_status(StatusCode::NOT_FOUND, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::from_status(StatusCode::FORBIDDEN, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::from_status(StatusCode::BAD_REQUEST, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::from_status(StatusCode::CONFLICT, detail)
    }

    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::from_status(StatusCode::TOO_MANY_REQUESTS, detail)
    }

    /// Something went wrong on our side. The cause is logged here and never sent.
    pub fn internal(cause: &dyn std::fmt::Debug) -> Self {
        tracing::error!(error = ?cause, "API request failed");
        Self::from_status(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_DETAIL)
    }

    /// No credentials were sent (or not as a bearer token).
    pub fn missing_token(detail: impl Into<String>) -> Self {
        let mut e = Self::typed(
            StatusCode::UNAUTHORIZED,
            "missing-token",
            "Missing API token",
            detail,
        );
        e.challenge = Some(CHALLENGE);
        e
    }

    /// A bearer token was sent but is not one we accept (unknown, revoked or malformed).
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        let mut e = Self::typed(
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            "Invalid API token",
            detail,
        );
        e.challenge = Some(CHALLENGE_INVALID);
        e
    }

    /// The request was understood but some of its values are not acceptable.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.message.clone(),
            _ => format!(
                "{} values in the request are not valid. Each is listed in `errors`.",
                errors.len()
            ),
        };
        let mut e = Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-error",
            "Your request has values that are not valid",
            detail,
        );
        e.problem.errors = errors;
        e
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The value of the `WWW-Authenticate` header sent with this error, if any.
    pub fn challenge(&self) -> Option<&'static str> {
        self.challenge
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.problem.status, self.problem.title, self.problem.detail
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match serde_json::to_vec(&self.problem) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "problem document failed to serialise");
                br#"{"type":"about:blank","title":"Internal Server Error","status":500}"#.to_vec()
            }
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::not_found("The resource you asked for does not exist."),
            AppError::Forbidden => {
                ApiError::forbidden("Your API token does not allow this request.")
            }
            AppError::SignIn { .. } => ApiError::missing_token(MISSING_DETAIL),
            AppError::BadRequest(message) => ApiError::bad_request(message),
            AppError::FormExpired => ApiError::forbidden(
                "This request was refused as a possible cross-site request. API requests must \
                 be sent to paths under /api/ with an Authorization header, not a browser form.",
            ),
            AppError::Conflict(message) => ApiError::conflict(message),
            AppError::TooManyRequests(message) => ApiError::too_many_requests(message),
            AppError::Internal(cause) => ApiError::internal(&cause),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(&e)
    }
}

/// What a client that sent no token is told.
pub(crate) const MISSING_DETAIL: &str = "Send your organisation's API token in an Authorization \
header, like `Authorization: Bearer cc_…`. A security lead for your organisation can create \
one in CareCERT, on the organisation's API tokens page.";

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => ApiError::typed(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The request body does not have the expected fields",
                format!(
                    "{}. See /api/v1/openapi.json for the fields this endpoint expects.",
                    source_text(&e)
                ),
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::typed(
                StatusCode::BAD_REQUEST,
                "invalid-json",
                "The request body is not valid JSON",
                format!("{}. Check the body is well-formed JSON.", source_text(&e)),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::from_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the request body as JSON, with the header `Content-Type: application/json`.",
            ),
            other => ApiError::from_status(other.status(), other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let detail = match &rejection {
            QueryRejection::FailedToDeserializeQueryString(e) => {
                format!("The query string could not be read: {}.", source_text(e))
            }
            other => other.body_text(),
        };
        ApiError::bad_request(detail)
    }
}

/// The innermost message of an axum rejection (the serde error), without axum's prefix.
fn source_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// A JSON body (as an extractor) or a JSON response. Bad bodies are answered with a
/// problem; responses are marked `Cache-Control: no-store`, since they may hold personal data.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.0).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// A query string, read like [`Query`], whose rejection is a problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// The answer for a path under `/api/` that no endpoint serves: mount it as the API's
/// fallback.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "There is no API endpoint at {}. The endpoints are listed in /api/v1/openapi.json.",
        uri.path()
    ))
}

/// The answer for an API path requested with a method it does not accept (axum adds the
/// `Allow` header).
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::from_status(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} {} is not supported. The Allow header lists the methods this endpoint accepts.",
            method,
            uri.path()
        ),
    )
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::{Value, json};

    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = e.into_response();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, headers, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn problems_are_rfc_9457_documents() {
        let (status, headers, body) = body_of(ApiError::not_found("No such thing.")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            body,
            json!({ "type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such thing." })
        );
    }

    #[tokio::test]
    async fn validation_problems_list_each_field() {
        let e = ApiError::validation(vec![
            FieldProblem::new("page", "page must be a whole number"),
            FieldProblem::new("per_page", "per_page must be 500 or fewer"),
        ]);
        let (status, _, body) = body_of(e).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["type"], "/api/v1/problems/validation-error");
        assert_eq!(body["status"], 422);
        assert_eq!(
            body["errors"],
            json!([
                { "field": "page", "message": "page must be a whole number" },
                { "field": "per_page", "message": "per_page must be 500 or fewer" }
            ])
        );
        let one = ApiError::validation(vec![FieldProblem::new("page", "Bad page")]);
        assert_eq!(one.problem().detail, "Bad page");
    }

    #[tokio::test]
    async fn unauthorised_problems_carry_a_bearer_challenge() {
        let (status, headers, body) = body_of(ApiError::missing_token(MISSING_DETAIL)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers[header::WWW_AUTHENTICATE], CHALLENGE);
        assert_eq!(body["type"], "/api/v1/problems/missing-token");
        assert!(body.get("errors").is_none());
        let (_, headers, _) = body_of(ApiError::invalid_token("Revoked.")).await;
        assert!(
            headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .contains("error=\"invalid_token\"")
        );
    }

    #[test]
    fn app_errors_map_to_problems_without_leaking_internals() {
        let e = ApiError::from(AppError::Internal(anyhow::anyhow!(
            "password=hunter2 in SQL"
        )));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.problem().title, "Internal Server Error");
        assert!(!e.problem().detail.contains("hunter2"));
        assert_eq!(
            ApiError::from(AppError::NotFound).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ApiError::from(AppError::Forbidden).status(),
            StatusCode::FORBIDDEN
        );
        let e = ApiError::from(AppError::Conflict("Already done".into()));
        assert_eq!(
            (e.status(), e.problem().detail.as_str()),
            (StatusCode::CONFLICT, "Already done")
        );
        let e = ApiError::from(AppError::SignIn { next: "/".into() });
        assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
        assert!(e.challenge().is_some());
    }

    #[tokio::test]
    async fn bad_json_bodies_become_problems() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Body {
            name: String,
        }
        async fn extract(content_type: Option<&str>, body: &str) -> ApiError {
            let mut builder = Request::builder().method("POST").uri("/api/v1/x");
            if let Some(ct) = content_type {
                builder = builder.header(header::CONTENT_TYPE, ct);
            }
            let request = builder
                .body(axum::body::Body::from(body.to_owned()))
                .unwrap();
            ApiJson::<Body>::from_request(request, &())
                .await
                .unwrap_err()
        }
        let e = extract(Some("application/json"), "{not json").await;
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.problem().kind, "/api/v1/problems/invalid-json");
        let e = extract(Some("application/json"), r#"{"nom": "x"}"#).await;
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            e.problem().detail.contains("name"),
            "{}",
            e.problem().detail
        );
        let e = extract(None, r#"{"name": "x"}"#).await;
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn unknown_paths_and_methods_are_problems() {
        let e = not_found("/api/v1/nope".parse().unwrap()).await;
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
        assert!(e.problem().detail.contains("/api/v1/nope"));
        let e = method_not_allowed(Method::DELETE, "/api/v1/staff".parse().unwrap()).await;
        assert_eq!(e.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
