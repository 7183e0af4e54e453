//! The JSON endpoints. Each takes an [`ApiClient`], so it answers only requests with a valid
//! token, and reads only the data of that token's organisation.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::{
    organisations::{domain::OrgType, store as org_store},
    platform::{
        AppState,
        api::{
            ApiClient, ApiError, ApiJson, ApiQuery,
            paging::{PageQuery, Paging, parse_paging},
            problem::Problem,
        },
        authz::Role,
        db::Db,
        ids::OrgId,
    },
    staff::groups::StaffGroup,
    with_db,
};

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
        id: org.id.into(),
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
    organisation_id: OrgId,
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

/// This part of the OpenAPI document: the organisation and staff endpoints.
#[derive(OpenApi)]
#[openapi(
    paths(organisation, staff),
    components(schemas(Organisation, StaffMember, StaffPage, MemberStatus)),
    tags(
        (name = "Organisation", description = "The organisation a token belongs to"),
        (name = "Staff", description = "The organisation's staff"),
    )
)]
struct ApiDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_status_follows_activity_and_sign_up() {
        assert_eq!(MemberStatus::of(true, true), MemberStatus::Active);
        assert_eq!(MemberStatus::of(true, false), MemberStatus::Invited);
        assert_eq!(MemberStatus::of(false, true), MemberStatus::Deactivated);
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
