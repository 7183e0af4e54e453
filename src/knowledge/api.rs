//! Training records as JSON: an organisation's completions for HR systems (such as the NHS
//! Electronic Staff Record), read with the organisation's API token, and a learner's own
//! record for the signed-in person.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::{
    knowledge::store::learning,
    platform::api::{
        ApiClient, ApiError, ApiJson, ApiQuery,
        paging::{PageQuery, parse_paging},
    },
    platform::{AppState, db::now, error::AppResult, ids::UserId, web::shell::Viewer},
    with_db,
};

/// One pass of a course. A pass from before the person joined the organisation is shown
/// only as valid training held: course, version and dates, never the score or the
/// certificate code, which belong to the person and whoever they were with then.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Completion {
    /// The person's CareCERT user id (stable across organisations).
    #[schema(value_type = uuid::Uuid)]
    pub user_id: UserId,
    #[schema(example = "Ann Example")]
    pub name: String,
    #[schema(example = "ann.example@nhs.net")]
    pub email: String,
    #[schema(example = "data-security-awareness")]
    pub course: String,
    #[schema(example = "Data Security Awareness")]
    pub course_title: String,
    /// The version of the course passed.
    #[schema(example = "2026.1")]
    pub course_version: String,
    /// Null for a pass from before the person joined the organisation.
    #[schema(example = 89)]
    pub score_percent: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub passed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Anyone can check the certificate at `/verify/{certificate_code}`. Null for a pass
    /// from before the person joined the organisation.
    #[schema(example = "ABCD-EFGH-JKMN")]
    pub certificate_code: Option<String>,
    /// Whether the pass is from before the person joined the organisation.
    pub before_joining: bool,
}

/// A completion as stored, with when its holder joined the organisation asking.
#[derive(sqlx::FromRow)]
struct CompletionRow {
    user_id: UserId,
    name: String,
    email: String,
    course: String,
    course_title: String,
    course_version: String,
    score_percent: i64,
    passed_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    certificate_code: String,
    joined_at: OffsetDateTime,
}

impl From<CompletionRow> for Completion {
    fn from(r: CompletionRow) -> Self {
        let before_joining = r.passed_at < r.joined_at;
        Completion {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            course: r.course,
            course_title: r.course_title,
            course_version: r.course_version,
            score_percent: (!before_joining).then_some(r.score_percent),
            passed_at: r.passed_at,
            expires_at: r.expires_at,
            certificate_code: (!before_joining).then_some(r.certificate_code),
            before_joining,
        }
    }
}

/// One page of completions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionPage {
    pub data: Vec<Completion>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub total_pages: u64,
}

/// Every pass held by the organisation's current members (active or not), newest first,
/// including passes made before they joined (records follow people), which show only as
/// valid training held: no score or certificate code.
#[utoipa::path(
    get,
    path = "/api/v1/training/completions",
    tag = "Training",
    operation_id = "list_training_completions",
    params(PageQuery),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "One page of completions", body = CompletionPage),
        (status = 400, description = "The query string could not be read (for example, a \
            parameter given twice)",
            body = crate::platform::api::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = crate::platform::api::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`page` or `per_page` is out of range; `errors` names each",
            body = crate::platform::api::problem::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = crate::platform::api::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn completions(
    State(state): State<AppState>,
    client: ApiClient,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<ApiJson<CompletionPage>, ApiError> {
    let paging = parse_paging(query.page.as_deref(), query.per_page.as_deref())
        .map_err(ApiError::validation)?;
    let org = client.organisation_id;
    let (rows, total) = with_db!(&state.db, |pool| {
        // A membership's created_at is the day its holder joined.
        let rows = sqlx::query_as::<_, CompletionRow>(
            "SELECT c.user_id, u.name, u.email, c.course_slug AS course, c.course_title, c.course_version, \
             c.score_percent, c.passed_at, c.expires_at, c.certificate_code, m.created_at AS joined_at \
             FROM completions c JOIN users u ON u.id = c.user_id \
             JOIN memberships m ON m.user_id = c.user_id AND m.organisation_id = $1 \
             ORDER BY c.passed_at DESC, c.id LIMIT $2 OFFSET $3",
        )
        .bind(org)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await?;
        let total = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM completions c \
             WHERE c.user_id IN (SELECT user_id FROM memberships WHERE organisation_id = $1)",
        )
        .bind(org)
        .fetch_one(pool)
        .await?;
        Ok::<_, sqlx::Error>((rows, total))
    })?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(ApiJson(CompletionPage {
        data: rows.into_iter().map(Completion::from).collect(),
        page: paging.page,
        per_page: paging.per_page,
        total,
        total_pages: paging.total_pages(total),
    }))
}

#[derive(Serialize)]
struct MyRecord {
    name: String,
    email: String,
    generated_at: String,
    completions: Vec<MyCompletion>,
}

#[derive(Serialize)]
struct MyCompletion {
    course: String,
    course_title: String,
    course_version: String,
    score_percent: i64,
    passed_at: String,
    expires_at: String,
    valid: bool,
    certificate_code: String,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The signed-in learner's own training record as JSON.
pub async fn my_record(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let p = viewer.user()?;
    let at = now();
    let completions = learning::completions(&state.db, p.user_id)
        .await?
        .into_iter()
        .map(|c| MyCompletion {
            valid: c.expires_at > at,
            course: c.course_slug,
            course_title: c.course_title,
            course_version: c.course_version,
            score_percent: c.score_percent,
            passed_at: rfc3339(c.passed_at),
            expires_at: rfc3339(c.expires_at),
            certificate_code: c.certificate_code,
        })
        .collect();
    Ok(Json(MyRecord {
        name: p.name.clone(),
        email: p.email.clone(),
        generated_at: rfc3339(at),
        completions,
    })
    .into_response())
}
