//! Pages for finding and registering organisations and appointing security leads.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    audit::{self, NewEvent},
    identity::store as identity_store,
    organisations::{
        domain::OrgType,
        ods::OdsCode,
        store::{self, CreateError, NewOrganisation, OrgListRow, Search},
    },
    platform::{
        AppState,
        address::EmailAddress,
        authz::{Principal, Role},
        error::{AppError, AppResult},
        ids::OrgId,
        tenancy::{Admin, Member, OrgScope},
        tenants::Organisation,
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
        joining::{self, Newcomer, Outcome},
        store::{self as staff_store, MemberRow},
    },
};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    shell: Shell,
    q: String,
    org_type: String,
    types: Vec<(&'static str, &'static str)>,
    rows: Vec<OrgListRow>,
    total: i64,
    page: i64,
    pages: i64,
    can_register: bool,
    query_base: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    org_type: String,
    page: Option<String>,
}

fn type_options(with_all: bool) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![];
    if with_all {
        v.push(("", "All types"));
    }
    v.extend(OrgType::REGISTRABLE.iter().map(|t| (t.as_str(), t.label())));
    v
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let org_type = q.org_type.parse::<OrgType>().ok();
    let page = page_number(q.page.as_deref());
    let (rows, total) = store::search(
        &state.db,
        &Search {
            text: &q.q,
            org_type,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
    )
    .await?;
    let pages = page_count(u64::try_from(total).unwrap_or(0), PAGE_SIZE);
    let query_base = format!(
        "/admin/organisations?q={}&org_type={}",
        crate::platform::error::urlencode(q.q.trim()),
        org_type.map(|t| t.as_str()).unwrap_or("")
    );
    Ok(render(&ListPage {
        shell: viewer.shell("Organisations").crumb("Home", "/"),
        q: q.q.trim().to_owned(),
        org_type: org_type.map(|t| t.as_str()).unwrap_or("").to_owned(),
        types: type_options(true),
        rows,
        total,
        page,
        pages,
        can_register: p.is_national_admin(),
        query_base,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "organisations/new.html")]
struct NewPage {
    shell: Shell,
    errors: FormErrors,
    form: NewForm,
    types: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    ods_code: String,
    #[serde(default)]
    org_type: String,
    #[serde(default)]
    parent_ods_code: String,
}

fn new_shell(viewer: &Viewer) -> Shell {
    viewer
        .shell("Register an organisation")
        .crumb("Home", "/")
        .crumb("Organisations", "/admin/organisations")
}

pub async fn new_form(viewer: Viewer) -> AppResult<Response> {
    Ok(render(&NewPage {
        shell: new_shell(&viewer),
        errors: FormErrors::new(),
        form: NewForm::default(),
        types: type_options(false),
    })?
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let mut errors = FormErrors::new();
    let name = required_text(
        &mut errors,
        "name",
        &form.name,
        "the organisation's name",
        200,
    );
    let org_type = form
        .org_type
        .parse::<OrgType>()
        .ok()
        .filter(|t| *t != OrgType::NationalTeam);
    let ods_code = match org_type {
        Some(t) => OdsCode::for_type(&form.ods_code, t)
            .map_err(|e| errors.add("ods_code", e.to_string()))
            .ok(),
        None => {
            errors.add("org_type", "Select the type of organisation");
            None
        }
    };
    let mut parent_id: Option<OrgId> = None;
    if !form.parent_ods_code.trim().is_empty() {
        match store::by_ods_code(&state.db, &form.parent_ods_code).await? {
            Some(parent) if !parent.is_national_team() => parent_id = Some(parent.id),
            _ => errors.add(
                "parent_ods_code",
                "No registered organisation has that ODS code. Register the parent organisation first, or leave this empty",
            ),
        }
    }
    let again = |errors: FormErrors, status: StatusCode| -> AppResult<Response> {
        let page = NewPage {
            shell: new_shell(&viewer).with_errors(true),
            errors,
            form: form.clone(),
            types: type_options(false),
        };
        Ok((status, render(&page)?).into_response())
    };
    let (Some(org_type), Some(ods_code)) = (org_type, ods_code) else {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if !errors.is_empty() {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut tx = state.db.begin().await?;
    let id = match store::create(
        &mut tx,
        &NewOrganisation {
            name: &name,
            ods_code: &ods_code,
            org_type,
            parent_id,
        },
    )
    .await
    {
        Ok(id) => id,
        Err(CreateError::DuplicateOdsCode) => {
            errors.add(
                "ods_code",
                format!("An organisation with ODS code {ods_code} is already registered"),
            );
            return again(errors, StatusCode::CONFLICT);
        }
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    audit::record(&mut tx,&state.secrets, NewEvent {
        actor_user_id: Some(p.user_id),
        actor_label: &p.email,
        organisation_id: Some(id),
        event: "organisation.registered",
        detail: serde_json::json!({ "name": name, "ods_code": ods_code, "type": org_type.as_str() }),
        ip: Some(&ip),
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{id}"),
        &format!("{name} has been registered. Now appoint its security lead."),
    ))
}

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    shell: Shell,
    org: Organisation,
    leads: Vec<MemberRow>,
    is_lead: bool,
    can_appoint: bool,
    errors: FormErrors,
    lead_name: String,
    lead_email: String,
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Principal,
    org: Organisation,
    errors: FormErrors,
    lead_name: String,
    lead_email: String,
) -> AppResult<Response> {
    let org_id = org.id;
    let leads = staff_store::leads(&state.db, org_id).await?;
    let mut shell = viewer.shell(org.name.clone()).crumb("Home", "/");
    if p.is_national() {
        shell = shell.crumb("Organisations", "/admin/organisations");
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        shell: shell.with_errors(!errors.is_empty()),
        is_lead: p.is_national_admin() || p.role_in(org_id) == Some(Role::SecurityLead),
        can_appoint: p.is_national_admin() && !org.is_national_team(),
        org,
        leads,
        errors,
        lead_name,
        lead_email,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Member>,
) -> AppResult<Response> {
    show_page(
        &state,
        &viewer,
        &scope.principal,
        scope.organisation,
        FormErrors::new(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct LeadForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

pub async fn appoint_lead(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: p,
        organisation: org,
        ..
    }: OrgScope<Admin>,
    Form(form): Form<LeadForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    if org.is_national_team() {
        return Err(AppError::BadRequest(
            "The national team has no security lead. Add national staff from its staff page."
                .into(),
        ));
    }
    let mut errors = FormErrors::new();
    let name = required_text(
        &mut errors,
        "name",
        &form.name,
        "the security lead's full name",
        200,
    );
    let email = form
        .email
        .parse::<EmailAddress>()
        .map(String::from)
        .map_err(|e| errors.add("email", e.to_string()))
        .ok();
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return show_page(&state, &viewer, &p, org, errors, form.name, form.email).await;
    };
    let mut tx = state.db.begin().await?;
    // A member already: appointing them is a role change within this organisation.
    let member = match identity_store::user_id_by_email(&mut tx, &email).await? {
        Some(user_id) => staff_store::membership_of(&mut tx, org_id, user_id).await?,
        None => None,
    };
    let outcome = match member {
        Some((membership_id, _, _)) => {
            staff_store::set_role(&mut tx, org_id, membership_id, Role::SecurityLead).await?;
            staff_store::set_active(&mut tx, org_id, membership_id, true).await?;
            None
        }
        None => Some(
            joining::add_or_ask(
                &mut tx,
                &state,
                &Newcomer {
                    organisation_id: org_id,
                    organisation_name: &org.name,
                    email: &email,
                    name: &name,
                    role: Role::SecurityLead,
                    staff_group: "it",
                    department: None,
                    invited_by: Some(p.user_id),
                },
            )
            .await?,
        ),
    };
    audit::record(&mut tx, &state.secrets, NewEvent {
        actor_user_id: Some(p.user_id),
        actor_label: &p.email,
        organisation_id: Some(org_id),
        event: "role.changed",
        detail: serde_json::json!({ "user": email, "role": Role::SecurityLead.as_str(), "invited": outcome.is_some() }),
        ip: Some(&ip),
    })
    .await?;
    tx.commit().await?;
    let notice = match outcome {
        Some(Outcome::Asked | Outcome::AlreadyAsked) => format!(
            "{email} already has a CareCERT account, so they have been asked to join {} as \
             security lead. They become its security lead when they accept",
            org.name
        ),
        _ => format!("{name} is now a security lead for {}", org.name),
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}"),
        &notice,
    ))
}
