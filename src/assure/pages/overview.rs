//! One assessment: its year, status and scores, each section with who is answering it, and
//! every requirement with its result and where the work is.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use crate::{
    assure::{
        framework::model::{Framework, Profile},
        pages::{Loaded, load, read_answers, requirement_path, section_of},
        rules::{answer::Answer, lifecycle::AssessmentStatus, profile, scoring},
        store::assessments as store,
    },
    platform::{
        AppState,
        authz::Rule,
        error::AppResult,
        tenancy::{Member, OrgScope},
        tenants::Organisation,
        web::{
            format::long_date,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/organisations/{org_id}/assessments/{assessment_id}",
        Rule::OrgMember,
        show,
    )]
}

/// One row of a section's table: a heading or a requirement to answer.
pub struct RequirementRow {
    pub id: String,
    pub title: String,
    pub assessable: bool,
    /// How deep under its section (0 for the section's own children).
    pub depth: usize,
    pub href: Option<String>,
    pub result: String,
    pub workflow: &'static str,
    pub carried_over: bool,
}

pub struct SectionView {
    pub id: String,
    pub title: String,
    pub answered: usize,
    pub total: usize,
    pub assignee: Option<String>,
    pub rows: Vec<RequirementRow>,
}

/// One section's bar in the chart and row in the table beside it.
pub struct Bar {
    pub label: String,
    pub answered: String,
    pub percent: String,
    /// The bar's length in chart units (0 to [`BAR_MAX`]).
    pub length: u64,
    /// Its top edge, in chart units.
    pub y: usize,
}

/// The longest bar, in chart units: 100% compliance.
pub const BAR_MAX: u64 = 400;
const BAR_STEP: usize = 28;

/// The score summary shown at the top of an assessment.
pub struct Scores {
    pub progress: String,
    pub compliance: String,
    pub formula: &'static str,
    pub working: String,
    pub status: &'static str,
    pub reasons: Vec<String>,
    pub bars: Vec<Bar>,
    pub chart_height: usize,
}

pub fn scores(f: &Framework, profile: Option<&Profile>, answers: &[Answer]) -> Scores {
    let progress = scoring::progress(f, answers);
    let compliance = scoring::compliance(f, answers);
    let report = profile::status(f, profile, answers);
    let bars: Vec<Bar> = scoring::by_section(f, answers)
        .into_iter()
        .enumerate()
        .map(|(i, s)| Bar {
            label: format!("{} {}", s.id, s.title),
            answered: format!("{} of {}", s.progress.answered, s.progress.total),
            percent: s.compliance.percent_text(),
            length: s
                .compliance
                .tenths()
                .map_or(0, |t| t.min(1000) * BAR_MAX / 1000),
            y: i * BAR_STEP,
        })
        .collect();
    Scores {
        progress: progress.explain(),
        compliance: compliance.percent_text(),
        formula: scoring::COMPLIANCE_FORMULA,
        working: compliance.formula(),
        status: report.status.label(),
        reasons: report.reasons.iter().map(ToString::to_string).collect(),
        chart_height: bars.len() * BAR_STEP,
        bars,
    }
}

#[derive(Template)]
#[template(path = "assure/assessment.html")]
struct Page {
    shell: Shell,
    org: Organisation,
    id: Uuid,
    title: String,
    version: String,
    cycle: String,
    due: String,
    status: &'static str,
    profile: Option<String>,
    answered: usize,
    total: usize,
    carried: usize,
    scores: Scores,
    bar_max: u64,
    sections: Vec<SectionView>,
    is_lead: bool,
    in_progress: bool,
    submitted: bool,
    can_assign: bool,
}

/// Every section with its rows, in the framework's order.
pub fn sections(
    org: &Organisation,
    loaded: &Loaded,
    answers: &[Answer],
    carried: &[String],
) -> Vec<SectionView> {
    let f: &Framework = &loaded.framework;
    let mut out: Vec<SectionView> = f
        .children("")
        .map(|s| {
            let assignment = loaded.assignments.iter().find(|a| a.section == s.id);
            SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                answered: 0,
                total: 0,
                assignee: assignment.map(|a| a.assignee_name.clone()),
                rows: vec![],
            }
        })
        .collect();
    for r in &f.requirements {
        if r.parent.is_empty() {
            continue;
        }
        let section = section_of(f, r);
        let Some(view) = out.iter_mut().find(|s| s.id == section) else {
            continue;
        };
        let mut depth = 0;
        let mut parent = r.parent.as_str();
        while parent != section {
            match f.requirement(parent) {
                Some(p) => {
                    depth += 1;
                    parent = &p.parent;
                }
                None => break,
            }
        }
        let answer = answers.iter().find(|a| a.requirement == r.id);
        let verdict = answer.and_then(|a| a.verdict);
        if r.assessable {
            view.total += 1;
            if verdict.is_some() {
                view.answered += 1;
            }
        }
        view.rows.push(RequirementRow {
            id: r.id.clone(),
            title: r.title.clone(),
            assessable: r.assessable,
            depth,
            href: r
                .assessable
                .then(|| requirement_path(org.id, loaded.row.id, &r.id)),
            result: verdict
                .map(|v| v.label(&f.about.scale).to_owned())
                .unwrap_or_else(|| "Not answered".to_owned()),
            workflow: answer.map_or("To do", |a| a.workflow.label()),
            carried_over: carried.contains(&r.id),
        });
    }
    // A section that is itself the thing answered (a flat framework) is one row of its own.
    for s in &mut out {
        if let Some(r) = f.requirement(&s.id).filter(|r| r.assessable) {
            let answer = answers.iter().find(|a| a.requirement == r.id);
            s.total += 1;
            s.answered += usize::from(answer.and_then(|a| a.verdict).is_some());
            s.rows.insert(
                0,
                RequirementRow {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    assessable: true,
                    depth: 0,
                    href: Some(requirement_path(org.id, loaded.row.id, &r.id)),
                    result: answer
                        .and_then(|a| a.verdict)
                        .map(|v| v.label(&f.about.scale).to_owned())
                        .unwrap_or_else(|| "Not answered".to_owned()),
                    workflow: answer.map_or("To do", |a| a.workflow.label()),
                    carried_over: carried.contains(&r.id),
                },
            );
        }
    }
    out
}

/// `GET /organisations/{org_id}/assessments/{assessment_id}`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Member>,
    Path((_, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let org = scope.organisation;
    let loaded = load(&state, &scope.principal, org.id, id).await?;
    let rows = store::answers(&state.db, org.id, id).await?;
    let answers = read_answers(&loaded.framework, &rows)?;
    let carried: Vec<String> = rows
        .iter()
        .filter(|r| r.carried_over)
        .map(|r| r.requirement.clone())
        .collect();
    let is_lead = loaded.access.is_lead();
    let f = &loaded.framework;
    let sections = sections(&org, &loaded, &answers, &carried);
    let shell = viewer
        .shell(format!("{} {}", f.about.short_title, loaded.row.cycle))
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Assessments", super::assessments_path(org.id));
    let view = Page {
        shell,
        id,
        title: f.about.title.clone(),
        version: f.about.version.clone(),
        cycle: loaded.row.cycle.to_string(),
        due: long_date(loaded.row.due_on),
        status: loaded.row.status.label(),
        profile: loaded
            .row
            .profile
            .as_ref()
            .and_then(|p| f.profiles.iter().find(|x| &x.id == p))
            .map(|p| p.title.clone()),
        answered: sections.iter().map(|s| s.answered).sum(),
        total: f.assessable().count(),
        carried: carried.len(),
        scores: scores(
            f,
            loaded
                .row
                .profile
                .as_ref()
                .and_then(|p| f.profiles.iter().find(|x| &x.id == p)),
            &answers,
        ),
        bar_max: BAR_MAX,
        sections,
        is_lead,
        in_progress: loaded.row.status == AssessmentStatus::InProgress,
        submitted: loaded.row.status == AssessmentStatus::Submitted,
        can_assign: is_lead && loaded.row.status == AssessmentStatus::InProgress,
        org,
    };
    Ok(render(&view)?.into_response())
}
