//! Pages for a security lead to see, invite and manage their organisation's staff.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    audit::{self, NewEvent},
    platform::{
        AppState,
        address::EmailAddress,
        authz::{Principal, Role, assignable_roles},
        error::{AppError, AppResult, urlencode},
        ids::{OrgId, UserId},
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        text::check_one_line,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::{FormErrors, required_text},
            page::render,
            paging::{page_count, page_number},
            shell::{Shell, Viewer},
        },
    },
    staff::{
        groups::StaffGroup,
        joining::{self, Newcomer, Outcome},
        joining_store::{self, Waiting},
        store::{self, MemberRow, MemberSearch},
    },
};

const PAGE_SIZE: i64 = 50;

fn staff_shell(viewer: &Viewer, org: &Organisation, title: &str, with_staff_crumb: bool) -> Shell {
    let mut shell = viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id));
    if with_staff_crumb {
        shell = shell.crumb("Staff", format!("/organisations/{}/staff", org.id));
    }
    shell
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage {
    shell: Shell,
    org: Organisation,
    q: String,
    rows: Vec<MemberRow>,
    waiting: Vec<Waiting>,
    total: i64,
    page: i64,
    pages: i64,
    query_base: String,
    roles: Vec<Role>,
    /// National administrators may unlock a person's two-step verification.
    can_unlock: bool,
    me: UserId,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let org_id = org.id;
    let page = page_number(q.page.as_deref());
    let (rows, total) = store::list(
        &state.db,
        org_id,
        &MemberSearch {
            text: &q.q,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
    )
    .await?;
    let pages = page_count(u64::try_from(total).unwrap_or(0), PAGE_SIZE);
    let waiting = joining_store::waiting_in(&state.db, org_id).await?;
    Ok(render(&ListPage {
        waiting,
        shell: staff_shell(&viewer, &org, "Staff", false),
        query_base: format!("/organisations/{org_id}/staff?q={}", urlencode(q.q.trim())),
        roles: assignable_roles(p, org_id, org.is_national_team()),
        can_unlock: p.is_national_admin(),
        me: p.user_id,
        org,
        q: q.q.trim().to_owned(),
        rows,
        total,
        page,
        pages,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "staff/new.html")]
struct NewPage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    form: InviteForm,
    groups: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    staff_group: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    role: String,
}

/// Choices for a select: value and label.
type Choices = Vec<(&'static str, &'static str)>;

fn options(p: &Principal, org: &Organisation) -> (Choices, Choices) {
    let groups = StaffGroup::ALL
        .iter()
        .map(|g| (g.as_str(), g.label()))
        .collect();
    let roles = assignable_roles(p, org.id, org.is_national_team())
        .into_iter()
        .map(|r| (r.as_str(), r.label()))
        .collect();
    (groups, roles)
}

pub async fn new_form(
    viewer: Viewer,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let (groups, roles) = options(p, &org);
    Ok(render(&NewPage {
        shell: staff_shell(&viewer, &org, "Invite a member of staff", true),
        org,
        errors: FormErrors::new(),
        form: InviteForm::default(),
        groups,
        roles,
    })?
    .into_response())
}

pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let mut errors = FormErrors::new();
    let name = required_text(&mut errors, "name", &form.name, "their full name", 200);
    let email = form
        .email
        .parse::<EmailAddress>()
        .map_err(|e| errors.add("email", e.to_string()))
        .ok();
    let group = StaffGroup::parse(&form.staff_group);
    if group.is_none() {
        errors.add("staff_group", "Select their staff group");
    }
    let department = form.department.trim();
    if department.chars().count() > 200 {
        errors.add("department", "Department must be 200 characters or fewer");
    } else if let Err(message) = check_one_line(department, "Department") {
        errors.add("department", message);
    }
    let allowed = assignable_roles(p, org_id, org.is_national_team());
    let role = form
        .role
        .parse::<Role>()
        .ok()
        .filter(|r| allowed.contains(r));
    if role.is_none() {
        errors.add("role", "Select a role");
    }
    let mut tx = state.db.begin().await?;
    if let (Some(email), Some(group), Some(role), true) = (&email, group, role, errors.is_empty()) {
        let outcome = joining::add_or_ask(
            &mut tx,
            &state,
            &Newcomer {
                organisation_id: org_id,
                organisation_name: &org.name,
                email: email.as_str(),
                name: &name,
                role,
                staff_group: group.as_str(),
                department: Some(department).filter(|d| !d.is_empty()),
                invited_by: Some(p.user_id),
            },
        )
        .await?;
        let notice = match outcome {
            Outcome::Added => format!("Invitation sent to {name} ({email})"),
            Outcome::Asked => format!(
                "{email} already has a CareCERT account, so they have been asked to join {}. \
                 They will be in your staff list once they accept",
                org.name
            ),
            Outcome::AlreadyMember => {
                errors.add("email", format!("{email} is already in {}", org.name));
                String::new()
            }
            Outcome::AlreadyAsked => {
                errors.add(
                    "email",
                    format!("{email} has already been asked to join {}", org.name),
                );
                String::new()
            }
        };
        if errors.is_empty() {
            audit::record(
                &mut tx,
                &state.secrets,
                NewEvent {
                    actor_user_id: Some(p.user_id),
                    actor_label: &p.email,
                    organisation_id: Some(org_id),
                    event: "invitation.sent",
                    detail: serde_json::json!({
                        "user": email,
                        "role": role.as_str(),
                        "existing_account": outcome == Outcome::Asked,
                    }),
                    ip: Some(&ip),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(redirect_with_notice(
                state.config.is_https(),
                &format!("/organisations/{org_id}/staff"),
                &notice,
            ));
        }
    }
    drop(tx);
    let (groups, roles) = options(p, &org);
    let page = NewPage {
        shell: staff_shell(&viewer, &org, "Invite a member of staff", true).with_errors(true),
        org,
        errors,
        form,
        groups,
        roles,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn set_active(
    state: &AppState,
    scope: &OrgScope<Lead>,
    ip: &str,
    membership_id: Uuid,
    active: bool,
) -> AppResult<Response> {
    let (p, org) = (&scope.principal, &scope.organisation);
    let org_id: OrgId = org.id;
    let member = store::member(&state.db, org_id, membership_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if member.user_id == p.user_id {
        return Err(AppError::Conflict(
            "You cannot deactivate your own account. Ask another security lead or the national team.".into(),
        ));
    }
    if !assignable_roles(p, org_id, org.is_national_team()).contains(&member.role) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    store::set_active(&mut tx, org_id, membership_id, active).await?;
    if !active {
        store::end_sessions_if_inactive(&mut tx, member.user_id).await?;
    }
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: if active {
                "membership.reactivated"
            } else {
                "membership.deactivated"
            },
            detail: serde_json::json!({ "user": member.email }),
            ip: Some(ip),
        },
    )
    .await?;
    tx.commit().await?;
    let verb = if active { "reactivated" } else { "deactivated" };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/staff"),
        &format!("{} has been {verb}", member.name),
    ))
}

pub async fn deactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, membership_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    set_active(&state, &scope, &ip, membership_id, false).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, membership_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    set_active(&state, &scope, &ip, membership_id, true).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Path((_, membership_id)): Path<(Uuid, Uuid)>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let member = store::member(&state.db, org_id, membership_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = assignable_roles(p, org_id, org.is_national_team());
    let Ok(role) = form.role.parse::<Role>() else {
        return Err(AppError::BadRequest("Select a role from the list".into()));
    };
    if !allowed.contains(&role) || !allowed.contains(&member.role) {
        return Err(AppError::Forbidden);
    }
    if member.user_id == p.user_id {
        return Err(AppError::Conflict(
            "You cannot change your own role. Ask another security lead or the national team."
                .into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    store::set_role(&mut tx, org_id, membership_id, role).await?;
    audit::record(&mut tx,&state.secrets, NewEvent {
        actor_user_id: Some(p.user_id),
        actor_label: &p.email,
        organisation_id: Some(org_id),
        event: "role.changed",
        detail: serde_json::json!({ "user": member.email, "from": member.role, "to": role.as_str() }),
        ip: Some(&ip),
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/staff"),
        &format!("{} is now {}", member.name, role.label().to_lowercase()),
    ))
}
