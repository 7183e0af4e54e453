//! The JSON endpoints. Each takes an [`ApiClient`], so it answers only requests with a valid
//! token, and reads only the data of that token's organisation.

use std::sync::LazyLock;

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{
    IntoParams, Modify, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use uuid::Uuid;

use crate::{
    alerts::api as alerts,
    api::{
        auth::ApiClient,
        problem::{ApiError, ApiJson, ApiQuery, FieldProblem, Problem},
    },
    organisations::{domain::OrgType, store as org_store},
    platform::{AppState, authz::Role, db::Db},
    staff::groups::StaffGroup,
    with_db,
};

/// The name of the bearer security scheme in the OpenAPI document.
pub const SECURITY_SCHEME: &str = "bearer_token";

/// Default and largest page sizes for lists.
pub const DEFAULT_PER_PAGE: u32 = 100;
pub const MAX_PER_PAGE: u32 = 500;
/// The highest page number accepted (500 × 1,000,000 rows is far beyond any organisation).
pub const MAX_PAGE: u32 = 1_000_000;

/// The organisation an API token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    #[schema(example = "Example Hospitals NHS Foundation Trust")]
    pub name: String,
    /// The organisation's code in the NHS Organisation Data Service.
    #[schema(example = "RX1")]
    pub ods_code: String,
    #[serde(rename = "type")]
    pub org_type: OrgType,
}

/// Whether a member of staff can use CareCERT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Invited but has not yet set a password.
    Invited,
    /// Has signed up and can sign in.
    Active,
    /// No longer a member: cannot sign in to this organisation.
    Deactivated,
}

impl MemberStatus {
    pub fn of(active: bool, has_password: bool) -> Self {
        match (active, has_password) {
            (false, _) => MemberStatus::Deactivated,
            (true, false) => MemberStatus::Invited,
            (true, true) => MemberStatus::Active,
        }
    }
}

/// One member of the organisation's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffMember {
    /// The membership's id (stable for as long as the person is in this organisation).
    pub id: Uuid,
    #[schema(example = "Ann Example")]
    pub name: String,
    #[schema(example = "ann.example@nhs.net")]
    pub email: String,
    pub role: Role,
    pub staff_group: StaffGroup,
    #[schema(example = "Pharmacy")]
    pub department: Option<String>,
    /// Whether the membership is active (false once deactivated).
    pub active: bool,
    pub status: MemberStatus,
}

/// One page of the organisation's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffPage {
    pub data: Vec<StaffMember>,
    /// This page's number, from 1.
    #[schema(example = 1)]
    pub page: u32,
    #[schema(example = 100)]
    pub per_page: u32,
    /// How many members there are in all.
    #[schema(example = 240)]
    pub total: u64,
    /// How many pages of `per_page` there are (at least 1).
    #[schema(example = 3)]
    pub total_pages: u64,
}

/// Which page of a list to return.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page number, from 1. Defaults to 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// How many items per page, from 1 to 500. Defaults to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, example = 100)]
    pub per_page: Option<String>,
}

/// A page number and size that have been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn total_pages(self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.per_page)).max(1)
    }
}

/// Checks the paging parameters, naming each one that is wrong.
pub fn parse_paging(
    page: Option<&str>,
    per_page: Option<&str>,
) -> Result<Paging, Vec<FieldProblem>> {
    fn number(raw: Option<&str>, default: u32, max: u32) -> Option<u32> {
        match raw {
            None => Some(default),
            Some(s) if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u32>().ok().filter(|n| (1..=max).contains(n))
            }
            Some(_) => None,
        }
    }
    let mut errors = vec![];
    let page = number(page, 1, MAX_PAGE);
    if page.is_none() {
        errors.push(FieldProblem::new(
            "page",
            format!("page must be a whole number from 1 to {MAX_PAGE}"),
        ));
    }
    let per_page = number(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE);
    if per_page.is_none() {
        errors.push(FieldProblem::new(
            "per_page",
            format!("per_page must be a whole number from 1 to {MAX_PER_PAGE}"),
        ));
    }
    match (page, per_page) {
        (Some(page), Some(per_page)) => Ok(Paging { page, per_page }),
        _ => Err(errors),
    }
}

/// The organisation this token belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/organisation",
    tag = "Organisation",
    operation_id = "get_organisation",
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "The organisation the token belongs to", body = Organisation),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn organisation(
    State(state): State<AppState>,
    client: ApiClient,
) -> Result<ApiJson<Organisation>, ApiError> {
    let org = org_store::by_id(&state.db, client.organisation_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("The organisation this token belongs to no longer exists.")
        })?;
    Ok(ApiJson(Organisation {
        id: org.id,
        name: org.name,
        ods_code: org.ods_code.into(),
        org_type: org.org_type,
    }))
}

/// The organisation's staff, in the order they were added, one page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "Staff",
    operation_id = "list_staff",
    params(PageQuery),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "One page of the organisation's staff", body = StaffPage),
        (status = 400, description = "The query string could not be read",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`page` or `per_page` is out of range; `errors` names each",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn staff(
    State(state): State<AppState>,
    client: ApiClient,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<ApiJson<StaffPage>, ApiError> {
    let paging = parse_paging(query.page.as_deref(), query.per_page.as_deref())
        .map_err(ApiError::validation)?;
    let (rows, total) = staff_rows(&state.db, client.organisation_id, paging).await?;
    let data = rows.into_iter().map(StaffRow::into_member).collect();
    let total = u64::try_from(total).unwrap_or(0);
    Ok(ApiJson(StaffPage {
        data,
        page: paging.page,
        per_page: paging.per_page,
        total,
        total_pages: paging.total_pages(total),
    }))
}

#[derive(Debug, sqlx::FromRow)]
struct StaffRow {
    id: Uuid,
    name: String,
    email: String,
    role: Role,
    staff_group: StaffGroup,
    department: Option<String>,
    active: bool,
    has_password: bool,
}

impl StaffRow {
    fn into_member(self) -> StaffMember {
        StaffMember {
            id: self.id,
            name: self.name,
            email: self.email,
            role: self.role,
            staff_group: self.staff_group,
            department: self.department,
            status: MemberStatus::of(self.active, self.has_password),
            active: self.active,
        }
    }
}

/// One page of an organisation's members, in a stable order (membership ids are
/// time-ordered), and how many there are in all.
async fn staff_rows(
    db: &Db,
    organisation_id: Uuid,
    paging: Paging,
) -> Result<(Vec<StaffRow>, i64), sqlx::Error> {
    let rows = with_db!(db, |pool| sqlx::query_as::<_, StaffRow>(
        "SELECT m.id, u.name, u.email, m.role, m.staff_group, m.department, m.active, \
         (u.password_hash IS NOT NULL) AS has_password \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 ORDER BY m.id LIMIT $2 OFFSET $3"
    )
    .bind(organisation_id)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(pool)
    .await)?;
    let total = with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1"
    )
    .bind(organisation_id)
    .fetch_one(pool)
    .await)?;
    Ok((rows, total))
}

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

/// The OpenAPI description of the API, generated from the handlers and types above.
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
    paths(organisation, staff, crate::knowledge::api::completions,
        alerts::list_advisories, alerts::read_advisory, alerts::acknowledge,
        alerts::change_state, alerts::read_inventory, alerts::replace_inventory),
    components(schemas(Organisation, StaffMember, StaffPage, MemberStatus, Problem, FieldProblem,
        crate::knowledge::api::Completion, crate::knowledge::api::CompletionPage,
        alerts::AdvisoryList, alerts::AdvisorySummary, alerts::AdvisoryDetail,
        alerts::AdvisoryResponse, alerts::StateChange,
        alerts::InventoryList, alerts::InventoryReplaced,
        crate::alerts::inventory_schema::InventoryCsv,
        crate::alerts::inventory_schema::InventorySbom)),
    modifiers(&BearerToken),
    security(("bearer_token" = [])),
    tags(
        (name = "Organisation", description = "The organisation a token belongs to"),
        (name = "Staff", description = "The organisation's staff"),
        (name = "Training", description = "Training completions of the organisation's staff"),
        (name = "Alerts", description = "Threat advisories addressed to the organisation, its \
            responses to them, and its software inventory"),
    )
)]
struct ApiDoc;

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    openapi().to_pretty_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "OpenAPI document failed to serialise");
        "{}".to_owned()
    })
});

/// `GET /api/v1/openapi.json`: the OpenAPI document, public.
pub async fn openapi_json() -> Response {
    let mut response = OPENAPI_JSON.as_str().into_response();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_limits() {
        assert_eq!(
            parse_paging(None, None),
            Ok(Paging {
                page: 1,
                per_page: 100
            })
        );
        assert_eq!(
            parse_paging(Some("3"), Some("500")),
            Ok(Paging {
                page: 3,
                per_page: 500
            })
        );
        let p = parse_paging(Some("3"), Some("50")).unwrap();
        assert_eq!((p.offset(), p.limit()), (100, 50));
        assert_eq!(p.total_pages(0), 1);
        assert_eq!(p.total_pages(100), 2);
        assert_eq!(p.total_pages(101), 3);
        let last = parse_paging(Some("1000000"), Some("500")).unwrap();
        assert_eq!(last.offset(), 999_999 * 500);
    }

    #[test]
    fn bad_paging_names_each_field() {
        for bad in [
            "0",
            "-1",
            "abc",
            "",
            "1.5",
            "+2",
            " 2",
            "1000001",
            "99999999999999999999",
        ] {
            let errors = parse_paging(Some(bad), None).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad:?}");
            assert_eq!(errors[0].field, "page");
        }
        for bad in ["0", "501", "many"] {
            let errors = parse_paging(None, Some(bad)).unwrap_err();
            assert_eq!(errors[0].field, "per_page", "{bad:?}");
            assert_eq!(
                errors[0].message,
                "per_page must be a whole number from 1 to 500"
            );
        }
        let both = parse_paging(Some("x"), Some("y")).unwrap_err();
        assert_eq!(
            both.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["page", "per_page"]
        );
    }

    #[test]
    fn member_status_follows_activity_and_sign_up() {
        assert_eq!(MemberStatus::of(true, true), MemberStatus::Active);
        assert_eq!(MemberStatus::of(true, false), MemberStatus::Invited);
        assert_eq!(MemberStatus::of(false, true), MemberStatus::Deactivated);
    }

    #[test]
    fn the_openapi_document_describes_the_endpoints_and_bearer_auth() {
        let doc: serde_json::Value = serde_json::from_str(&OPENAPI_JSON).unwrap();
        assert_eq!(doc["info"]["title"], "CareCERT API");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["paths"]["/api/v1/organisation"]["get"].is_object());
        let staff = &doc["paths"]["/api/v1/staff"]["get"];
        assert!(staff.is_object());
        let params: Vec<_> = staff["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, ["page", "per_page"]);
        assert_eq!(staff["security"][0][SECURITY_SCHEME], serde_json::json!([]));
        let scheme = &doc["components"]["securitySchemes"][SECURITY_SCHEME];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
        for schema in [
            "Organisation",
            "StaffMember",
            "StaffPage",
            "Problem",
            "Role",
            "StaffGroup",
            "OrgType",
        ] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
        let problem = &staff["responses"]["422"]["content"]["application/problem+json"];
        assert!(problem.is_object());
    }

    #[test]
    fn staff_members_serialise_with_documented_names() {
        let member = StaffMember {
            id: Uuid::nil(),
            name: "Ann".into(),
            email: "ann@nhs.net".into(),
            role: Role::SecurityLead,
            staff_group: StaffGroup::It,
            department: None,
            active: true,
            status: MemberStatus::Invited,
        };
        let json = serde_json::to_value(&member).unwrap();
        assert_eq!(json["role"], "security_lead");
        assert_eq!(json["staff_group"], "it");
        assert_eq!(json["status"], "invited");
        assert!(json["department"].is_null());
        let org = Organisation {
            id: Uuid::nil(),
            name: "Trust".into(),
            ods_code: "RX1".into(),
            org_type: OrgType::NhsTrust,
        };
        assert_eq!(serde_json::to_value(&org).unwrap()["type"], "nhs_trust");
    }
}
