//! An organisation's assessments, and starting a new one: against which framework, for
//! which year, with last year's answers carried over for review.

use askama::Template;
use axum::{
    Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    assure::{
        framework::model::Framework,
        pages::{Access, assessment_path, read_answers},
        rules::cycle::Cycle,
        starting,
        store::{
            assessments::{self as store, CreateError},
            frameworks,
        },
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::{Principal, Rule},
        db::now,
        error::{AppError, AppResult},
        tenancy::{Lead, Member, OrgScope},
        tenants::Organisation,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            format::long_date,
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/organisations/{org_id}/assessments", Rule::OrgMember, show),
        Route::post("/organisations/{org_id}/assessments", Rule::OrgLead, create),
    ]
}

/// One assessment in the table.
struct Row {
    href: String,
    framework: String,
    cycle: String,
    due: String,
    status: &'static str,
    progress: String,
}

/// A framework that can be chosen.
struct Choice {
    id: String,
    title: String,
    hint: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "assure/assessments.html")]
struct Page {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    rows: Vec<Row>,
    is_lead: bool,
    frameworks: Vec<Choice>,
    cycles: Vec<(String, String)>,
    cycle: String,
}

/// The frameworks an organisation may be assessed against: every current one, those meant
/// for its type first.
async fn choices(
    state: &AppState,
    org: &Organisation,
) -> AppResult<Vec<(Uuid, std::sync::Arc<Framework>)>> {
    let mut out = Vec::new();
    for (_, version) in frameworks::current_ids(&state.db).await? {
        if let Some(f) = frameworks::by_version_id(&state.db, version)
            .await
            .map_err(AppError::Internal)?
        {
            out.push((version, f));
        }
    }
    out.sort_by_key(|(_, f)| {
        (
            !f.about.applies_to.contains(&org.org_type),
            f.about.title.clone(),
        )
    });
    Ok(out)
}

fn cycles_offered() -> Vec<Cycle> {
    let this = Cycle::containing(now().date());
    vec![this, this.next()]
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    p: &Principal,
    org: Organisation,
    errors: FormErrors,
    chosen: (&str, &str),
) -> AppResult<Response> {
    let all = store::for_organisation(&state.db, org.id).await?;
    let mine = store::assigned_to(&state.db, org.id, p.user_id).await?;
    let lead = matches!(Access::of(p, org.id, &[]), Some(Access::Lead));
    let national = p.is_national();
    let mut rows = Vec::new();
    for a in all {
        if !(lead || national || mine.iter().any(|(id, _)| *id == a.id)) {
            continue;
        }
        let Some(f) = frameworks::by_version_id(&state.db, a.framework_version_id)
            .await
            .map_err(AppError::Internal)?
        else {
            continue;
        };
        let answers = read_answers(&f, &store::answers(&state.db, org.id, a.id).await?)?;
        let total = f.assessable().count();
        let answered = answers.iter().filter(|x| x.verdict.is_some()).count();
        rows.push(Row {
            href: assessment_path(org.id, a.id),
            framework: f.about.short_title.clone(),
            cycle: a.cycle.to_string(),
            due: long_date(a.due_on),
            status: a.status.label(),
            progress: format!("{answered} of {total} answered"),
        });
    }
    let frameworks = if lead {
        choices(state, &org)
            .await?
            .into_iter()
            .map(|(_, f)| {
                let meant = f.about.applies_to.contains(&org.org_type);
                Choice {
                    checked: chosen.0 == f.about.id,
                    hint: format!(
                        "{} – version {}{}",
                        f.about.publisher,
                        f.about.version,
                        if meant {
                            format!(". The standard for {}s", org.type_label().to_lowercase())
                        } else {
                            String::new()
                        }
                    ),
                    id: f.about.id.clone(),
                    title: f.about.title.clone(),
                }
            })
            .collect()
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = viewer
        .shell("Assessments")
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .with_errors(!errors.is_empty());
    let offered = cycles_offered();
    let view = Page {
        shell,
        errors,
        rows,
        is_lead: lead,
        frameworks,
        cycles: offered
            .iter()
            .map(|c| (c.to_string(), format!("{c} (due {})", long_date(c.due()))))
            .collect(),
        cycle: if chosen.1.is_empty() {
            offered[0].to_string()
        } else {
            chosen.1.to_owned()
        },
        org,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /organisations/{org_id}/assessments`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Member>,
) -> AppResult<Response> {
    page(
        &state,
        &viewer,
        &scope.principal,
        scope.organisation,
        FormErrors::new(),
        ("", ""),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    framework: String,
    #[serde(default)]
    cycle: String,
}

/// `POST /organisations/{org_id}/assessments`: starts an assessment, carrying over the
/// answers of the same framework's assessment for the year before, if there is one.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = scope.organisation;
    let mut errors = FormErrors::new();
    let offered = choices(&state, &org).await?;
    let chosen = offered.iter().find(|(_, f)| f.about.id == form.framework);
    if chosen.is_none() {
        errors.add("framework", "Select the standard to assess against");
    }
    let cycle = form
        .cycle
        .parse::<Cycle>()
        .ok()
        .filter(|c| cycles_offered().contains(c));
    if cycle.is_none() {
        errors.add("cycle", "Select the year to assess");
    }
    let (Some((version, framework)), Some(cycle)) = (chosen, cycle) else {
        return page(
            &state,
            &viewer,
            p,
            org,
            errors,
            (&form.framework, &form.cycle),
        )
        .await;
    };
    let plan = starting::plan(&state.db, &org, *version, framework, cycle)
        .await
        .map_err(AppError::Internal)?;
    let mut tx = state.db.begin().await?;
    let (id, carried) = match starting::write(&mut tx, &org, &plan, p.user_id).await {
        Ok(started) => started,
        Err(CreateError::Exists(c)) => {
            errors.add(
                "framework",
                format!(
                    "{} already has a {} assessment for {c}",
                    org.name, framework.about.short_title
                ),
            );
            return page(
                &state,
                &viewer,
                p,
                org,
                errors,
                (&form.framework, &form.cycle),
            )
            .await;
        }
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.assessment_started",
            detail: serde_json::json!({
                "assessment": id,
                "framework": framework.about.id,
                "version": framework.about.version,
                "cycle": cycle.to_string(),
                "carried_over": carried,
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let notice = if carried > 0 {
        format!(
            "{} assessment for {cycle} started. {carried} answers were carried over from {}: review each one.",
            framework.about.short_title,
            cycle.previous()
        )
    } else {
        format!(
            "{} assessment for {cycle} started",
            framework.about.short_title
        )
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &assessment_path(org.id, id),
        &notice,
    ))
}
