//! Answering one requirement: what it asks, guidance and typical evidence, its indicators
//! of good practice to tick, the result, where the work is, and why; with every earlier
//! revision of the answer below.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use crate::{
    assure::{
        framework::model::{Framework, Requirement},
        pages::evidence::Listed,
        pages::{Loaded, assessment_path, load, requirement_path, section_of},
        rules::{
            answer::{NOT_APPLICABLE, Verdict, Workflow},
            live, outcome,
        },
        store::{
            assessments::{self as store, AnswerRow, NewAnswer},
            evidence,
        },
    },
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        tenancy::{Member, OrgScope},
        tenants::Organisation,
        web::{
            cookies::redirect_with_notice,
            format::date_and_time,
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

const PATH: &str = "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}";
/// The longest justification kept: room for a careful paragraph or two, not a document
/// (documents are evidence).
pub const MAX_JUSTIFICATION: usize = 5_000;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::OrgMember, show),
        Route::post(PATH, Rule::OrgMember, save),
    ]
}

/// One choice of a set of radios or checkboxes.
struct Option_ {
    /// The input's id: the field's name for the first choice, so the error summary's link
    /// lands on it.
    dom_id: String,
    value: String,
    label: String,
    checked: bool,
}

/// The indicators of good practice under one level of the scale.
struct IndicatorGroup {
    level: String,
    items: Vec<Option_>,
}

struct Revision {
    revision: i64,
    when: String,
    by: String,
    result: String,
    workflow: &'static str,
    justification: String,
}

/// What was submitted, or what is stored, to fill the form.
#[derive(Default)]
struct Values {
    result: String,
    workflow: String,
    justification: String,
    indicators: Vec<String>,
}

/// The organisation's live figures on one topic, as the page shows them.
struct LiveView {
    title: String,
    summary: String,
    figures: Vec<(String, String)>,
    href: String,
    suggests: &'static str,
    why: String,
    threats: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "assure/requirement.html")]
struct Page {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    action: String,
    back: String,
    framework: String,
    requirement: Requirement,
    parents: Vec<String>,
    may_answer: bool,
    is_lead: bool,
    locked: Option<String>,
    carried_over: bool,
    indicators: Vec<IndicatorGroup>,
    results: Vec<Option_>,
    /// The result as it reads, for those who may not change it.
    result_label: String,
    workflows: Vec<Option_>,
    justification: String,
    max_justification: usize,
    history: Vec<Revision>,
    live: Vec<LiveView>,
    /// Why a result is already selected though nobody has answered yet.
    live_proposal: Option<String>,
    /// What the ticked indicators propose, and why.
    indicator_proposal: Option<String>,
    /// The evidence supporting this answer.
    evidence: Vec<Listed>,
    /// The library's evidence not yet on it, to add: (id, title).
    addable: Vec<(String, String)>,
    evidence_ids: Vec<String>,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
}

fn requirement<'a>(f: &'a Framework, id: &str) -> AppResult<&'a Requirement> {
    f.requirement(id)
        .filter(|r| r.assessable)
        .ok_or(AppError::NotFound)
}

/// The assessable requirements before and after `r`, for moving through the assessment.
fn neighbours<'a>(
    f: &'a Framework,
    r: &Requirement,
) -> (Option<&'a Requirement>, Option<&'a Requirement>) {
    let all: Vec<&Requirement> = f.assessable().collect();
    let at = all.iter().position(|x| x.id == r.id);
    match at {
        Some(i) => (
            i.checked_sub(1).and_then(|p| all.get(p).copied()),
            all.get(i + 1).copied(),
        ),
        None => (None, None),
    }
}

fn first_is_field(options: &mut [Option_], field: &str) {
    if let Some(first) = options.first_mut() {
        first.dom_id = field.to_owned();
    }
}

fn values_of(row: Option<&AnswerRow>) -> Values {
    match row {
        Some(r) => Values {
            result: r.result.clone().unwrap_or_default(),
            workflow: r.workflow.as_str().to_owned(),
            justification: r.justification.clone(),
            indicators: serde_json::from_str(&r.indicators).unwrap_or_default(),
        },
        None => Values {
            workflow: Workflow::ToDo.as_str().to_owned(),
            ..Values::default()
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    loaded: &Loaded,
    r: &Requirement,
    mut values: Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let f = &loaded.framework;
    let id = loaded.row.id;
    let current = store::answer(&state.db, org.id, id, &r.id).await?;
    let topics = live::topics(&r.tags);
    let evidence_now = if topics.is_empty() {
        vec![]
    } else {
        state
            .services
            .live_evidence(state, org.id, now())
            .await
            .map_err(AppError::Internal)?
            .into_iter()
            .filter(|e| topics.contains(&e.topic))
            .collect::<Vec<_>>()
    };
    let mut live_proposal = None;
    if current.is_none() && values.result.is_empty() && errors.is_empty() {
        let suggestions: Vec<_> = evidence_now.iter().map(|e| e.suggests).collect();
        if let Some(level) = live::proposed_level(f, &suggestions) {
            let verdict = Verdict::Level(level);
            values.result = verdict.id(&f.about.scale).to_owned();
            live_proposal = Some(format!(
                "“{}” is selected from your organisation's live figures below. Check it and confirm it by saving, or change it.",
                verdict.label(&f.about.scale)
            ));
        }
    }
    let indicator_proposal =
        outcome::proposal(r, &f.about.scale, &values.indicators).map(|p| p.explain(&f.about.scale));
    let history = store::history(&state.db, org.id, id, &r.id).await?;
    let supporting = evidence::for_requirement(&state.db, org.id, id, &r.id).await?;
    let section = section_of(f, r);
    let may_answer = loaded.access.may_answer(section);
    let locked = loaded.row.status.may_answer().err().map(|e| e.to_string());
    let addable = if may_answer && locked.is_none() {
        evidence::library(&state.db, org.id)
            .await?
            .into_iter()
            .filter(|e| !supporting.iter().any(|s| s.id == e.id))
            .map(|e| (e.id.to_string(), e.title))
            .collect()
    } else {
        vec![]
    };
    let mut parents = Vec::new();
    let mut parent = f.requirement(&r.parent);
    while let Some(p) = parent {
        parents.insert(0, format!("{} {}", p.id, p.title));
        parent = f.requirement(&p.parent);
        if parents.len() > f.requirements.len() {
            break;
        }
    }
    let scale = &f.about.scale;
    let mut indicators: Vec<IndicatorGroup> = scale
        .iter()
        .rev()
        .filter_map(|level| {
            let items: Vec<Option_> = r
                .indicators
                .iter()
                .filter(|i| i.level == level.id)
                .map(|i| Option_ {
                    dom_id: format!("indicator-{}", i.id),
                    checked: values.indicators.contains(&i.id),
                    value: i.id.clone(),
                    label: i.text.clone(),
                })
                .collect();
            (!items.is_empty()).then(|| IndicatorGroup {
                level: level.label.clone(),
                items,
            })
        })
        .collect();
    if let Some(first) = indicators.first_mut().and_then(|g| g.items.first_mut()) {
        first.dom_id = "indicators".to_owned();
    }
    let mut results: Vec<Option_> = scale
        .iter()
        .rev()
        .map(|l| Option_ {
            dom_id: format!("result-{}", l.id),
            checked: values.result == l.id,
            value: l.id.clone(),
            label: l.label.clone(),
        })
        .collect();
    results.push(Option_ {
        dom_id: format!("result-{NOT_APPLICABLE}"),
        checked: values.result == NOT_APPLICABLE,
        value: NOT_APPLICABLE.to_owned(),
        label: "Not applicable".to_owned(),
    });
    let mut workflows = [
        Workflow::ToDo,
        Workflow::InProgress,
        Workflow::InReview,
        Workflow::Done,
    ]
    .iter()
    .map(|w| Option_ {
        dom_id: format!("workflow-{}", w.as_str()),
        checked: values.workflow == w.as_str(),
        value: w.as_str().to_owned(),
        label: w.label().to_owned(),
    })
    .collect::<Vec<_>>();
    first_is_field(&mut results, "result");
    first_is_field(&mut workflows, "workflow");
    let (previous, next) = neighbours(f, r);
    let link = |x: &Requirement| {
        (
            requirement_path(org.id, id, &x.id),
            format!("{} {}", x.id, x.title),
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let back = assessment_path(org.id, id);
    let shell = viewer
        .shell(format!("{} {}", r.id, r.title))
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Assessments", super::assessments_path(org.id))
        .crumb(
            format!("{} {}", f.about.short_title, loaded.row.cycle),
            back.clone(),
        )
        .with_errors(!errors.is_empty());
    let view = Page {
        shell,
        errors,
        action: requirement_path(org.id, id, &r.id),
        back: format!("{back}#section-{section}"),
        framework: format!("{} {}", f.about.short_title, loaded.row.cycle),
        requirement: r.clone(),
        parents,
        may_answer: may_answer && locked.is_none(),
        is_lead: loaded.access.is_lead(),
        locked,
        carried_over: current.as_ref().is_some_and(|c| c.carried_over),
        indicators,
        result_label: results
            .iter()
            .find(|o| o.checked)
            .map_or("Not answered".to_owned(), |o| o.label.clone()),
        results,
        workflows,
        justification: values.justification,
        max_justification: MAX_JUSTIFICATION,
        live: evidence_now
            .into_iter()
            .map(|e| LiveView {
                title: e.title,
                summary: e.summary,
                figures: e.figures.into_iter().map(|x| (x.label, x.value)).collect(),
                href: e.href,
                suggests: e.suggests.label(),
                why: e.why,
                threats: e
                    .threats
                    .into_iter()
                    .map(|t| {
                        (
                            t.href,
                            format!("{}: {}", t.reference, t.title),
                            t.known_exploited,
                        )
                    })
                    .collect(),
            })
            .collect(),
        live_proposal,
        indicator_proposal,
        history: history
            .iter()
            .map(|h| Revision {
                revision: h.revision,
                when: date_and_time(h.answered_at),
                by: h
                    .answered_by_name
                    .clone()
                    .unwrap_or_else(|| "Carried over from last year".to_owned()),
                result: h
                    .result
                    .as_deref()
                    .and_then(|x| Verdict::parse(x, scale).ok())
                    .map_or("No result".to_owned(), |v| v.label(scale).to_owned()),
                workflow: h.workflow.label(),
                justification: h.justification.clone(),
            })
            .collect(),
        evidence: supporting.iter().map(|e| Listed::of(org.id, e)).collect(),
        evidence_ids: supporting.iter().map(|e| e.id.to_string()).collect(),
        addable,
        previous: previous.map(link),
        next: next.map(link),
        org,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET …/requirements/{requirement}`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Member>,
    Path((_, id, requirement_id)): Path<(String, Uuid, String)>,
) -> AppResult<Response> {
    let org = scope.organisation;
    let loaded = load(&state, &scope.principal, org.id, id).await?;
    let r = requirement(&loaded.framework, &requirement_id)?.clone();
    let current = store::answer(&state.db, org.id, id, &r.id).await?;
    page(
        &state,
        &viewer,
        org,
        &loaded,
        &r,
        values_of(current.as_ref()),
        FormErrors::new(),
    )
    .await
}

/// What a valid form says.
struct Checked {
    result: Option<String>,
    workflow: Workflow,
    justification: String,
    indicators: Vec<String>,
}

/// Reads the submitted fields against the requirement and the framework's scale.
fn check(
    f: &Framework,
    r: &Requirement,
    fields: &[(String, String)],
) -> (Values, Result<Checked, FormErrors>) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let values = Values {
        result: one("result"),
        workflow: one("workflow"),
        justification: one("justification"),
        indicators: fields
            .iter()
            .filter(|(k, _)| k == "indicator")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let mut errors = FormErrors::new();
    let result = match values.result.as_str() {
        "" => None,
        text => match Verdict::parse(text, &f.about.scale) {
            Ok(v) => Some(v),
            Err(_) => {
                errors.add("result", "Select one of the results listed");
                None
            }
        },
    };
    let workflow = match values.workflow.parse::<Workflow>() {
        Ok(w) => w,
        Err(_) => {
            errors.add("workflow", "Select where the work on this requirement is");
            Workflow::ToDo
        }
    };
    if result.is_none()
        && values.result.is_empty()
        && matches!(workflow, Workflow::InReview | Workflow::Done)
    {
        errors.add(
            "result",
            format!(
                "Select a result before marking the work “{}”",
                workflow.label().to_lowercase()
            ),
        );
    }
    let justification = values.justification.trim().to_owned();
    if justification.chars().count() > MAX_JUSTIFICATION {
        errors.add(
            "justification",
            format!("Keep the reasons to {MAX_JUSTIFICATION} characters or fewer. Attach longer documents as evidence"),
        );
    } else if result == Some(Verdict::NotApplicable) && justification.is_empty() {
        errors.add(
            "justification",
            "Say why this requirement does not apply to your organisation",
        );
    }
    let mut indicators = Vec::new();
    for ticked in &values.indicators {
        if !r.indicators.iter().any(|i| &i.id == ticked) {
            errors.add(
                "indicators",
                "Tick only the indicators listed for this requirement",
            );
        } else if !indicators.contains(ticked) {
            indicators.push(ticked.clone());
        }
    }
    let checked = if errors.is_empty() {
        Ok(Checked {
            result: result.map(|v| v.id(&f.about.scale).to_owned()),
            workflow,
            justification,
            indicators,
        })
    } else {
        Err(errors)
    };
    (values, checked)
}

/// `POST …/requirements/{requirement}`: saves the answer as a new revision, then goes on
/// to the next requirement of the same section.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Member>,
    Path((_, id, requirement_id)): Path<(String, Uuid, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = scope.principal.clone();
    let org = scope.organisation;
    let loaded = load(&state, &p, org.id, id).await?;
    let f = loaded.framework.clone();
    let r = requirement(&f, &requirement_id)?.clone();
    let section = section_of(&f, &r).to_owned();
    if !loaded.access.may_answer(&section) {
        return Err(AppError::Forbidden);
    }
    let (values, checked) = check(&f, &r, &fields);
    let checked = match checked {
        Ok(c) => c,
        Err(errors) => return page(&state, &viewer, org, &loaded, &r, values, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let row = store::lock(&mut tx, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(refused) = row.status.may_answer() {
        drop(tx);
        let mut errors = FormErrors::new();
        errors.add("result", refused.to_string());
        return page(&state, &viewer, org, &loaded, &r, values, errors).await;
    }
    store::save_answer(
        &mut tx,
        org.id,
        id,
        &NewAnswer {
            requirement: &r.id,
            result: checked.result.as_deref(),
            workflow: checked.workflow,
            justification: &checked.justification,
            indicators: &checked.indicators,
            carried_over: false,
            by: Some(p.user_id),
        },
    )
    .await?;
    tx.commit().await?;
    let next = f
        .assessable()
        .skip_while(|x| x.id != r.id)
        .nth(1)
        .filter(|x| section_of(&f, x) == section);
    let to = match next {
        Some(n) => requirement_path(org.id, id, &n.id),
        None => format!("{}#section-{section}", assessment_path(org.id, id)),
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &to,
        &format!("Answer to {} saved", r.id),
    ))
}
