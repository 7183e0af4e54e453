//! The learner's pages: "My training", a course's overview, and its lessons with their
//! knowledge checks. Progress belongs to the signed-in person only.

use std::{collections::HashMap, sync::Arc};

use askama::Template;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;

use crate::platform::web::format::long_date;
use crate::{
    knowledge::{
        content::{markdown, model::Course, model::Source},
        rules::expiry::{self, Standing},
        store::{
            attempts,
            courses::{self, VersionRow},
            learning::{self, CompletionRow, EnrolmentRow},
            needs,
        },
        views::{self, QuestionView},
    },
    platform::{
        AppState,
        db::now,
        error::{AppError, AppResult},
        ids::UserId,
        web::{
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

/// One course on "My training".
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub minutes: u32,
    pub mandatory: bool,
    pub standing: Standing,
    pub expires: Option<String>,
    pub lessons_done: usize,
    pub lessons_total: usize,
    /// Why it is required and by when, e.g. "Assigned by Riverside Medical Practice, due
    /// 31 March 2027"; empty for optional courses.
    pub required_because: Vec<String>,
    /// Whether a due date has passed without valid training.
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "knowledge/my_training.html")]
struct MyTrainingPage {
    shell: Shell,
    required: Vec<CourseCard>,
    other: Vec<CourseCard>,
    passes: Vec<CompletionRow>,
}

impl MyTrainingPage {
    fn date(&self, t: &OffsetDateTime) -> String {
        long_date(*t)
    }
}

async fn load_version(state: &AppState, id: uuid::Uuid) -> AppResult<Arc<Course>> {
    courses::content(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("course version {id} is missing")))
}

/// The version a learner works on: the one they started, else the current one.
async fn working_version(
    state: &AppState,
    user: UserId,
    slug: &str,
) -> AppResult<(VersionRow, Option<EnrolmentRow>, Arc<Course>)> {
    let current = courses::current_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let enrolment = learning::open_enrolment(&state.db, user, slug).await?;
    let id = enrolment
        .as_ref()
        .map(|e| e.course_version_id)
        .unwrap_or(current.id);
    let course = load_version(state, id).await?;
    Ok((current, enrolment, course))
}

pub async fn my_training(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let p = viewer.user()?;
    let current = courses::current(&state.db).await?;
    let passes = learning::completions(&state.db, p.user_id).await?;
    let open = learning::open_enrolments(&state.db, p.user_id).await?;
    let requirements = needs::required_for(&state.db, p.user_id).await?;
    let at = now();
    let mut latest: HashMap<&str, OffsetDateTime> = HashMap::new();
    for c in &passes {
        let e = latest.entry(c.course_slug.as_str()).or_insert(c.expires_at);
        if c.expires_at > *e {
            *e = c.expires_at;
        }
    }
    let mut required = Vec::new();
    let mut other = Vec::new();
    for v in &current {
        let course = load_version(&state, v.id).await?;
        let enrolment = open.iter().find(|e| e.course_slug == v.slug);
        let lessons_done = match enrolment {
            Some(e) => learning::progress(&state.db, e.id)
                .await?
                .iter()
                .filter(|r| r.checked_at.is_some())
                .count(),
            None => 0,
        };
        let expiry_at = latest.get(v.slug.as_str()).copied();
        let standing = expiry::standing(expiry_at, enrolment.is_some(), at);
        let mine: Vec<_> = requirements
            .iter()
            .filter(|r| r.course_slug == v.slug)
            .collect();
        let required_because = mine
            .iter()
            .map(|r| match r.due_on {
                Some(due) => format!(
                    "{} ({}), due {}",
                    r.reason,
                    r.organisation_name,
                    long_date(due)
                ),
                None => format!("{} ({})", r.reason, r.organisation_name),
            })
            .collect();
        let overdue =
            !standing.is_trained() && mine.iter().any(|r| r.due_on.is_some_and(|d| d < at.date()));
        let card = CourseCard {
            slug: v.slug.clone(),
            title: course.title.clone(),
            summary: course.summary.clone(),
            minutes: course.minutes,
            mandatory: course.mandatory,
            standing,
            expires: expiry_at.map(long_date),
            lessons_done,
            lessons_total: course.lessons.len(),
            required_because,
            overdue,
        };
        if card.mandatory || !card.required_because.is_empty() {
            required.push(card);
        } else {
            other.push(card);
        }
    }
    Ok(render(&MyTrainingPage {
        shell: viewer.shell("My training").crumb("Home", "/"),
        required,
        other,
        passes,
    })?
    .into_response())
}

pub struct LessonLine {
    pub id: String,
    pub title: String,
    pub minutes: u32,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "knowledge/course.html")]
struct CoursePage {
    shell: Shell,
    course: Arc<Course>,
    started: bool,
    newer_version: Option<String>,
    lessons: Vec<LessonLine>,
    all_checked: bool,
    open_attempt: bool,
    attempts_failed: usize,
    standing: Standing,
    expires: Option<String>,
}

pub async fn course(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let (current, enrolment, course) = working_version(&state, p.user_id, &slug).await?;
    let progress = match &enrolment {
        Some(e) => learning::progress(&state.db, e.id).await?,
        None => vec![],
    };
    let lessons: Vec<LessonLine> = course
        .lessons
        .iter()
        .map(|l| {
            let row = progress.iter().find(|r| r.lesson_id == l.id);
            LessonLine {
                id: l.id.clone(),
                title: l.title.clone(),
                minutes: l.minutes,
                status: match row {
                    Some(r) if r.checked_at.is_some() => "Completed",
                    Some(_) => "Started",
                    None => "Not started",
                },
            }
        })
        .collect();
    let attempts = match &enrolment {
        Some(e) => attempts::for_enrolment(&state.db, e.id).await?,
        None => vec![],
    };
    let passes = learning::completions(&state.db, p.user_id).await?;
    let expiry_at = passes
        .iter()
        .filter(|c| c.course_slug == slug)
        .map(|c| c.expires_at)
        .max();
    let newer_version =
        (enrolment.is_some() && current.version != course.version).then(|| current.version.clone());
    Ok(render(&CoursePage {
        shell: viewer
            .shell(course.title.clone())
            .crumb("Home", "/")
            .crumb("My training", "/training"),
        started: enrolment.is_some(),
        newer_version,
        all_checked: lessons.iter().all(|l| l.status == "Completed"),
        lessons,
        open_attempt: attempts.iter().any(|a| a.submitted_at.is_none()),
        attempts_failed: attempts.iter().filter(|a| a.passed == Some(false)).count(),
        standing: expiry::standing(expiry_at, enrolment.is_some(), now()),
        expires: expiry_at.map(long_date),
        course,
    })?
    .into_response())
}

/// Starts (or resumes) a course and goes to the first lesson not yet completed.
pub async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let current = courses::current_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let enrolment = learning::start(&state.db, p.user_id, &slug, current.id).await?;
    let course = load_version(&state, enrolment.course_version_id).await?;
    let progress = learning::progress(&state.db, enrolment.id).await?;
    let next = course
        .lessons
        .iter()
        .find(|l| {
            !progress
                .iter()
                .any(|r| r.lesson_id == l.id && r.checked_at.is_some())
        })
        .map(|l| format!("/training/{slug}/lessons/{}", l.id))
        .unwrap_or_else(|| format!("/training/{slug}/assessment"));
    Ok(Redirect::to(&next).into_response())
}

#[derive(Template)]
#[template(path = "knowledge/lesson.html")]
struct LessonPage {
    shell: Shell,
    slug: String,
    course_title: String,
    number: usize,
    count: usize,
    title: String,
    body_html: String,
    sources: Vec<Source>,
    checks: Vec<QuestionView>,
    checked: bool,
    check_score: Option<(usize, usize)>,
    error: Option<String>,
    next_href: String,
    next_label: String,
    lesson_id: String,
}

impl LessonPage {
    fn lesson_id(&self) -> &str {
        &self.lesson_id
    }
}

async fn lesson_page(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    lesson_id: &str,
    answers: &HashMap<String, Vec<String>>,
    graded: bool,
    error: Option<String>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let Some(enrolment) = learning::open_enrolment(&state.db, p.user_id, slug).await? else {
        // Not started (or already completed): the course page explains what to do.
        return Ok(Redirect::to(&format!("/training/{slug}")).into_response());
    };
    let course = load_version(state, enrolment.course_version_id).await?;
    let index = course.lesson_index(lesson_id).ok_or(AppError::NotFound)?;
    let lesson = &course.lessons[index];
    learning::mark_opened(&state.db, enrolment.id, lesson_id).await?;
    let progress = learning::progress(&state.db, enrolment.id).await?;
    let checked = progress
        .iter()
        .any(|r| r.lesson_id == lesson_id && r.checked_at.is_some());
    let checks: Vec<QuestionView> = course
        .checks_for(lesson_id)
        .enumerate()
        .map(|(i, q)| {
            let order: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
            let chosen = answers.get(&q.id).map(Vec::as_slice).unwrap_or(&[]);
            views::question_view(&course, q, &order, i + 1, chosen, graded)
        })
        .collect();
    let check_score = graded.then(|| {
        (
            checks.iter().filter(|c| c.result == Some(true)).count(),
            checks.len(),
        )
    });
    let (next_href, next_label) = match course.lessons.get(index + 1) {
        Some(next) => (
            format!("/training/{slug}/lessons/{}", next.id),
            format!("Next lesson: {}", next.title),
        ),
        None => (
            format!("/training/{slug}/assessment"),
            "Go to the final assessment".to_owned(),
        ),
    };
    let has_error = error.is_some();
    let html = render(&LessonPage {
        shell: viewer
            .shell(lesson.title.clone())
            .crumb("Home", "/")
            .crumb("My training", "/training")
            .crumb(course.title.clone(), format!("/training/{slug}"))
            .with_errors(error.is_some()),
        slug: slug.to_owned(),
        course_title: course.title.clone(),
        number: index + 1,
        count: course.lessons.len(),
        title: lesson.title.clone(),
        body_html: markdown::to_html(&lesson.markdown),
        sources: lesson
            .sources
            .iter()
            .filter_map(|s| course.source(s).cloned())
            .collect(),
        checks,
        checked: checked || graded,
        check_score,
        error,
        next_href,
        next_label,
        lesson_id: lesson_id.to_owned(),
    })?;
    // A check sent back for missing answers keeps what was chosen and says what to do.
    let status = if has_error {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn lesson(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, lesson_id)): Path<(String, String)>,
) -> AppResult<Response> {
    lesson_page(
        &state,
        &viewer,
        &slug,
        &lesson_id,
        &HashMap::new(),
        false,
        None,
    )
    .await
}

/// Marks the knowledge check and shows the feedback. Every question must be answered.
pub async fn check(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, lesson_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let Some(enrolment) = learning::open_enrolment(&state.db, p.user_id, &slug).await? else {
        return Ok(Redirect::to(&format!("/training/{slug}")).into_response());
    };
    let course = load_version(&state, enrolment.course_version_id).await?;
    course.lesson(&lesson_id).ok_or(AppError::NotFound)?;
    let answers = views::answers_from_form(&body);
    let checks: Vec<_> = course.checks_for(&lesson_id).collect();
    let mut correct = 0;
    for q in &checks {
        let chosen = answers.get(&q.id).cloned().unwrap_or_default();
        if chosen.is_empty() {
            return lesson_page(
                &state,
                &viewer,
                &slug,
                &lesson_id,
                &answers,
                false,
                Some("Answer every question before checking your answers".into()),
            )
            .await;
        }
        if chosen.iter().any(|c| q.option(c).is_none())
            || (!q.kind.many_answers() && chosen.len() > 1)
        {
            return Err(AppError::BadRequest(
                "That answer is not one of the options for this question.".into(),
            ));
        }
        if crate::knowledge::rules::grading::is_correct(q, &chosen) {
            correct += 1;
        }
    }
    learning::record_check(
        &state.db,
        enrolment.id,
        &lesson_id,
        correct,
        checks.len() as i64,
    )
    .await?;
    lesson_page(&state, &viewer, &slug, &lesson_id, &answers, true, None).await
}
