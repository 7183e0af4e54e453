//! A security lead's training pages for the DSPT: the training needs analysis (which courses
//! each staff group needs), extra course assignments with due dates, and the evidence pack
//! (needs analysis, delivery, evaluation) as a printable page and a CSV file.

use std::collections::BTreeSet;

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::platform::web::format::long_date;
use crate::{
    audit::{self, NewEvent},
    knowledge::{
        rules::{
            assignments::{self, Draft, Target},
            evaluation::{self, Pack, describe_change},
            needs::{
                CourseNeed, MAX_NOTES_CHARS, Needs, parse_ticks, tick_id, tick_value,
                validate_needs,
            },
        },
        store::{
            evidence,
            needs::{self as store, AssignmentRow, NewAssignment},
        },
    },
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
    staff::groups::StaffGroup,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/organisations/{org_id}/training/needs",
            Rule::OrgLead,
            needs_page,
        ),
        Route::post(
            "/organisations/{org_id}/training/needs",
            Rule::OrgLead,
            save_needs,
        ),
        Route::get(
            "/organisations/{org_id}/training/assignments",
            Rule::OrgLead,
            assignments_page,
        ),
        Route::post(
            "/organisations/{org_id}/training/assignments",
            Rule::OrgLead,
            assign,
        ),
        Route::post(
            "/organisations/{org_id}/training/assignments/{assignment_id}/delete",
            Rule::OrgLead,
            unassign,
        ),
        Route::get(
            "/organisations/{org_id}/training/evidence",
            Rule::OrgLead,
            evidence_page,
        ),
        Route::get(
            "/organisations/{org_id}/training/evidence.csv",
            Rule::OrgLead,
            evidence_csv,
        ),
    ]
}

fn org_shell(viewer: &Viewer, org: &Organisation, title: &str) -> Shell {
    viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
}

/// "3 March 2026" for a moment, by its UTC date.
fn on(t: time::OffsetDateTime) -> String {
    long_date(t)
}

// ---- Training needs analysis ----------------------------------------------------------

struct NeedsCell {
    id: String,
    value: String,
    checked: bool,
    course: String,
    label: String,
}

struct NeedsRow {
    group: &'static str,
    cells: Vec<NeedsCell>,
}

#[derive(Template)]
#[template(path = "knowledge/needs.html")]
struct NeedsPage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    courses: Vec<CourseNeed>,
    rows: Vec<NeedsRow>,
    /// "3 March 2026 by Ann Smith", once reviewed.
    reviewed: Option<String>,
    notes: String,
    max_notes: usize,
}

impl NeedsPage {
    /// The errors about the matrix (every error but the notes'), shown above it.
    fn matrix_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field != "notes")
            .map(|e| e.message.as_str())
            .collect()
    }
}

fn needs_rows(courses: &[CourseNeed], needs: &Needs) -> Vec<NeedsRow> {
    StaffGroup::ALL
        .into_iter()
        .map(|g| NeedsRow {
            group: g.label(),
            cells: courses
                .iter()
                .map(|c| NeedsCell {
                    id: tick_id(g, &c.slug),
                    value: tick_value(g, &c.slug),
                    checked: needs.contains(&(g, c.slug.clone())),
                    course: c.title.clone(),
                    label: format!("{} need {}", g.label(), c.title),
                })
                .collect(),
        })
        .collect()
}

async fn needs_view(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    shown: Option<(Needs, String, FormErrors)>,
) -> AppResult<Response> {
    let courses = store::current_courses(&state.db).await?;
    let (saved, review) = store::needs_of(&state.db, org.id, &courses).await?;
    let reviewed = review
        .as_ref()
        .map(|r| format!("{} by {}", on(r.reviewed_at), r.reviewer_name));
    let (needs, notes, errors) = shown.unwrap_or_else(|| {
        (
            saved,
            review.map(|r| r.notes).unwrap_or_default(),
            FormErrors::new(),
        )
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NeedsPage {
        shell: org_shell(viewer, &org, "Training needs analysis").with_errors(!errors.is_empty()),
        org,
        errors,
        rows: needs_rows(&courses, &needs),
        courses,
        reviewed,
        notes,
        max_notes: MAX_NOTES_CHARS,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn needs_page(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    needs_view(&state, &viewer, org, None).await
}

fn pair_names(needs: &BTreeSet<&(StaffGroup, String)>) -> Vec<String> {
    needs.iter().map(|(g, s)| tick_value(*g, s)).collect()
}

pub async fn save_needs(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org_id = org.id;
    let courses = store::current_courses(&state.db).await?;
    let ticks = fields
        .iter()
        .filter(|(k, _)| k == "need")
        .map(|(_, v)| v.as_str());
    let needs = parse_ticks(&courses, ticks).map_err(AppError::BadRequest)?;
    let notes = fields
        .iter()
        .find(|(k, _)| k == "notes")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let errors = validate_needs(&courses, &needs, &notes);
    if !errors.is_empty() {
        return needs_view(&state, &viewer, org, Some((needs, notes, errors))).await;
    }
    let (before, _) = store::needs_of(&state.db, org_id, &courses).await?;
    let added: BTreeSet<_> = needs.difference(&before).collect();
    let removed: BTreeSet<_> = before.difference(&needs).collect();
    let mut tx = state.db.begin().await?;
    store::save_needs(&mut tx, org_id, &needs, p.user_id, &notes).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "training.needs_reviewed",
            detail: serde_json::json!({
                "needs": needs.len(),
                "added": pair_names(&added),
                "removed": pair_names(&removed),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/training/needs"),
        "Training needs analysis saved",
    ))
}

// ---- Assignments ----------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct AssignForm {
    #[serde(default)]
    course: String,
    #[serde(default)]
    assign_to: String,
    #[serde(default)]
    staff_group: String,
    #[serde(default)]
    email: String,
    #[serde(default, rename = "due-day")]
    due_day: String,
    #[serde(default, rename = "due-month")]
    due_month: String,
    #[serde(default, rename = "due-year")]
    due_year: String,
}

struct AssignmentView {
    id: Uuid,
    course: String,
    assigned_to: String,
    due: String,
    due_machine: String,
    set_by: String,
}

#[derive(Template)]
#[template(path = "knowledge/assignments.html")]
struct AssignmentsPage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    form: AssignForm,
    rows: Vec<AssignmentView>,
    courses: Vec<(String, String)>,
    groups: Vec<(&'static str, &'static str)>,
    due_error: Option<String>,
}

fn course_title(courses: &[CourseNeed], slug: &str) -> String {
    courses
        .iter()
        .find(|c| c.slug == slug)
        .map(|c| c.title.clone())
        .unwrap_or_else(|| slug.to_owned())
}

async fn assignments_view(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    form: AssignForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let courses = store::current_courses(&state.db).await?;
    let rows = store::assignments(&state.db, org.id)
        .await?
        .into_iter()
        .map(|a: AssignmentRow| AssignmentView {
            id: a.id,
            course: course_title(&courses, &a.course_slug),
            assigned_to: a.assigned_to(),
            due: long_date(a.due_on),
            due_machine: a.due_on.to_string(),
            set_by: a.created_by_name,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut course_options = vec![(String::new(), "Choose a course".to_owned())];
    course_options.extend(courses.iter().map(|c| (c.slug.clone(), c.title.clone())));
    let mut groups = vec![("", "Choose a staff group")];
    groups.extend(StaffGroup::ALL.iter().map(|g| (g.as_str(), g.label())));
    let due_error = ["due-day", "due-month", "due-year"]
        .iter()
        .find_map(|f| errors.get(f))
        .map(str::to_owned);
    let page = AssignmentsPage {
        shell: org_shell(viewer, &org, "Course assignments").with_errors(!errors.is_empty()),
        org,
        errors,
        form,
        rows,
        courses: course_options,
        groups,
        due_error,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn assignments_page(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    assignments_view(
        &state,
        &viewer,
        org,
        AssignForm::default(),
        FormErrors::new(),
    )
    .await
}

pub async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let courses = store::current_courses(&state.db).await?;
    let slugs: Vec<&str> = courses.iter().map(|c| c.slug.as_str()).collect();
    let draft = Draft {
        course: &form.course,
        assign_to: &form.assign_to,
        staff_group: &form.staff_group,
        email: &form.email,
        due_day: &form.due_day,
        due_month: &form.due_month,
        due_year: &form.due_year,
    };
    let valid = match assignments::validate(&draft, &slugs, now().date()) {
        Ok(v) => v,
        Err(errors) => return assignments_view(&state, &viewer, org, form, errors).await,
    };
    let (staff_group, user, who) = match &valid.target {
        Target::Group(g) => (Some(*g), None, g.label().to_owned()),
        Target::Person(email) => {
            match store::active_member_by_email(&state.db, org_id, email).await? {
                Some((id, name)) => (None, Some(id), format!("{name} ({email})")),
                None => {
                    let mut errors = FormErrors::new();
                    errors.add(
                        "email",
                        format!(
                            "{email} is not an active member of {}. Check the address, or invite them as staff first.",
                            org.name
                        ),
                    );
                    return assignments_view(&state, &viewer, org, form, errors).await;
                }
            }
        }
    };
    let new = NewAssignment {
        organisation_id: org_id,
        course_slug: &valid.course_slug,
        staff_group,
        user_id: user,
        due_on: valid.due_on,
        created_by: p.user_id,
    };
    let title = course_title(&courses, &valid.course_slug);
    let mut tx = state.db.begin().await?;
    if let Some(due) = store::existing_due(&mut tx, &new).await? {
        drop(tx);
        let mut errors = FormErrors::new();
        errors.add(
            "course",
            format!(
                "{title} is already assigned to {who}, due {}. Delete that assignment first to change the due date.",
                long_date(due)
            ),
        );
        return assignments_view(&state, &viewer, org, form, errors).await;
    }
    store::insert_assignment(&mut tx, &new).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "training.assigned",
            detail: serde_json::json!({
                "course": valid.course_slug,
                "staff_group": staff_group.map(StaffGroup::as_str),
                "user": match &valid.target { Target::Person(e) => Some(e.as_str()), Target::Group(_) => None },
                "due_on": valid.due_on.to_string(),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/training/assignments"),
        &format!("{title} assigned to {who}, due {}", long_date(valid.due_on)),
    ))
}

pub async fn unassign(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Path((_, assignment_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let org_id = org.id;
    let mut tx = state.db.begin().await?;
    let Some(gone) = store::delete_assignment(&mut tx, org_id, assignment_id).await? else {
        return Err(AppError::NotFound);
    };
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "training.assignment_deleted",
            detail: serde_json::json!({
                "course": gone.course_slug,
                "staff_group": gone.staff_group,
                "user": gone.person_email,
                "due_on": gone.due_on.to_string(),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let courses = store::current_courses(&state.db).await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/training/assignments"),
        &format!(
            "Assignment of {} deleted",
            course_title(&courses, &gone.course_slug)
        ),
    ))
}

// ---- Evidence pack --------------------------------------------------------------------

struct Measure {
    label: &'static str,
    now: String,
    before: String,
    change: String,
}

#[derive(Template)]
#[template(path = "knowledge/evidence.html")]
struct EvidencePage {
    shell: Shell,
    org: Organisation,
    pack: Pack,
    generated: String,
    generated_by: String,
    reviewed: Option<String>,
    current_period: String,
    previous_period: String,
    measures: Vec<Measure>,
}

fn shown(n: Option<u32>, unit: &str) -> String {
    n.map(|n| format!("{n}{unit}"))
        .unwrap_or_else(|| "No attempts".into())
}

fn measures(pack: &Pack) -> Vec<Measure> {
    let (c, p) = (&pack.current, &pack.previous);
    let pp = " percentage points";
    vec![
        Measure {
            label: "Assessment attempts submitted",
            now: c.attempts.to_string(),
            before: p.attempts.to_string(),
            change: describe_change(Some(c.attempts as i64 - p.attempts as i64), ""),
        },
        Measure {
            label: "Pass rate",
            now: shown(c.pass_rate(), "%"),
            before: shown(p.pass_rate(), "%"),
            change: describe_change(evaluation::change(c.pass_rate(), p.pass_rate()), pp),
        },
        Measure {
            label: "Average score at first attempt",
            now: shown(c.average_first_score(), "%"),
            before: shown(p.average_first_score(), "%"),
            change: describe_change(
                evaluation::change(c.average_first_score(), p.average_first_score()),
                pp,
            ),
        },
        Measure {
            label: "Learners who took an assessment",
            now: c.learners.to_string(),
            before: p.learners.to_string(),
            change: describe_change(Some(c.learners as i64 - p.learners as i64), ""),
        },
    ]
}

pub async fn evidence_page(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org_id = org.id;
    let pack = evidence::pack(&state.db, org_id, &org.name, now()).await?;
    let period = |w: evaluation::Window| format!("{} to {}", on(w.start), on(w.end));
    let page = EvidencePage {
        shell: org_shell(&viewer, &org, "Training evidence pack"),
        generated: on(pack.generated_at),
        generated_by: p.name.clone(),
        reviewed: pack
            .reviewed
            .as_ref()
            .map(|(at, by)| format!("{} by {by}", on(*at))),
        current_period: period(pack.current.window),
        previous_period: period(pack.previous.window),
        measures: measures(&pack),
        org,
        pack,
    };
    Ok(render(&page)?.into_response())
}

pub async fn evidence_csv(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org_id = org.id;
    let at = now();
    let pack = evidence::pack(&state.db, org_id, &org.name, at).await?;
    let csv = evaluation::to_csv(&pack).map_err(|e| AppError::Internal(e.into()))?;
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "export",
            detail: serde_json::json!({ "what": "training_evidence", "format": "csv" }),
            ip: Some(&ip),
        },
    )
    .await?;
    let ods: String = org
        .ods_code
        .as_str()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let filename = format!("training-evidence-{ods}-{}.csv", at.date());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response())
}
