//! The final assessment: starting an attempt (a fresh random draw), saving answers as the
//! learner goes (so a reload or a dropped connection loses nothing), submitting for the
//! server to grade, the result with feedback, the certificate and its public check.

use std::{collections::HashSet, sync::Arc};

use askama::Template;
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use rand::Rng;
use uuid::Uuid;

use crate::platform::web::format::long_date;
use crate::{
    knowledge::{
        certificate::{CertificateData, render_pdf},
        content::model::Course,
        rules::draw,
        store::{
            attempts::{self, AttemptError, AttemptRow, NewAttempt, PassContext},
            courses,
            learning::{self, CompletionRow},
        },
        views::{self, QuestionView},
    },
    platform::{
        AppState,
        db::now,
        error::{AppError, AppResult},
        ids::UserId,
        web::{
            cookies::redirect_with_notice,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

/// A certificate verification code: 12 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), in groups of four. 32^12 ≈ 10^18 codes, so they cannot be guessed.
pub fn certificate_code<R: Rng>(rng: &mut R) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

async fn load(state: &AppState, id: Uuid) -> AppResult<Arc<Course>> {
    courses::content(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("course version {id} is missing")))
}

fn crumbs(viewer: &Viewer, title: &str, course: &Course) -> Shell {
    viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb("My training", "/training")
        .crumb(course.title.clone(), format!("/training/{}", course.slug))
}

#[derive(Template)]
#[template(path = "knowledge/assessment.html")]
struct AssessmentPage {
    shell: Shell,
    course: Arc<Course>,
    attempt: Option<Uuid>,
    number: i64,
    questions: Vec<QuestionView>,
    answered: usize,
    error: Option<String>,
}

async fn open_attempt(
    state: &AppState,
    user: UserId,
    slug: &str,
) -> AppResult<Option<(AttemptRow, Arc<Course>)>> {
    let Some(enrolment) = learning::open_enrolment(&state.db, user, slug).await? else {
        return Ok(None);
    };
    let all = attempts::for_enrolment(&state.db, enrolment.id).await?;
    match all.into_iter().find(|a| a.submitted_at.is_none()) {
        Some(a) => {
            let course = load(state, a.course_version_id).await?;
            Ok(Some((a, course)))
        }
        None => Ok(None),
    }
}

async fn assessment_page(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let Some(enrolment) = learning::open_enrolment(&state.db, p.user_id, slug).await? else {
        return Ok(Redirect::to(&format!("/training/{slug}")).into_response());
    };
    let page = match open_attempt(state, p.user_id, slug).await? {
        Some((attempt, course)) => {
            let answers = attempts::answers(&state.db, attempt.id).await?;
            let questions = views::drawn_views(&course, &attempt.drawn(), &answers, false);
            AssessmentPage {
                shell: crumbs(viewer, "Final assessment", &course).with_errors(error.is_some()),
                answered: questions.iter().filter(|q| q.answered).count(),
                attempt: Some(attempt.id),
                number: attempt.number,
                questions,
                course,
                error,
            }
        }
        None => {
            let course = load(state, enrolment.course_version_id).await?;
            AssessmentPage {
                shell: crumbs(viewer, "Final assessment", &course),
                attempt: None,
                number: 0,
                questions: vec![],
                answered: 0,
                course,
                error,
            }
        }
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    assessment_page(&state, &viewer, &slug, None, StatusCode::OK).await
}

/// Starts an attempt with a fresh draw that avoids the questions of earlier attempts.
pub async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let Some(enrolment) = learning::open_enrolment(&state.db, p.user_id, &slug).await? else {
        return Ok(Redirect::to(&format!("/training/{slug}")).into_response());
    };
    let course = load(&state, enrolment.course_version_id).await?;
    let seen: HashSet<String> = attempts::for_enrolment(&state.db, enrolment.id)
        .await?
        .into_iter()
        .flat_map(|a| a.drawn().into_iter().map(|d| d.question))
        .collect();
    let drawn = draw::draw_assessment(&course, &seen, &mut rand::thread_rng());
    attempts::start(
        &state.db,
        &NewAttempt {
            enrolment: enrolment.id,
            user: p.user_id,
            organisation: p.memberships.first().map(|m| m.organisation_id),
            version: enrolment.course_version_id,
            drawn: &drawn,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/training/{slug}/assessment")).into_response())
}

/// Validated answers from a form, or the page again with the problem.
async fn read_answers(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    body: &[u8],
) -> AppResult<Result<(AttemptRow, Arc<Course>, Vec<(String, Vec<String>)>), Response>> {
    let p = viewer.user()?;
    let Some((attempt, course)) = open_attempt(state, p.user_id, slug).await? else {
        let html = redirect_with_notice(
            state.config.is_https(),
            &format!("/training/{slug}"),
            "That assessment has already been submitted. Your result is below.",
        );
        return Ok(Err(html));
    };
    // The form says which attempt it belongs to; answers for an older attempt (another tab,
    // a reload after submitting) are refused rather than put on the new one.
    let form_attempt = form_urlencoded::parse(body)
        .find(|(k, _)| k == "attempt")
        .map(|(_, v)| v.into_owned());
    if form_attempt.as_deref() != Some(attempt.id.to_string().as_str()) {
        return Ok(Err(assessment_page(
            state,
            viewer,
            slug,
            Some("Those answers were for an assessment that has ended. Check your answers below and submit again.".into()),
            StatusCode::CONFLICT,
        )
        .await?));
    }
    let submitted = views::answers_from_form(body);
    match views::validate_answers(&course, &attempt.drawn(), &submitted) {
        Ok(a) => Ok(Ok((attempt, course, a))),
        Err(e) => Ok(Err(assessment_page(
            state,
            viewer,
            slug,
            Some(e.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await?)),
    }
}

/// Saves the answers so far (the no-JavaScript "Save and come back later").
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let (attempt, _, answers) = match read_answers(&state, &viewer, &slug, &body).await? {
        Ok(v) => v,
        Err(response) => return Ok(response),
    };
    match attempts::save(&state.db, attempt.id, p.user_id, &answers).await {
        Ok(()) => Ok(redirect_with_notice(
            state.config.is_https(),
            &format!("/training/{slug}/assessment"),
            "Your answers are saved. You can come back and finish later.",
        )),
        Err(AttemptError::AlreadySubmitted) => {
            Ok(Redirect::to(&format!("/training/{slug}")).into_response())
        }
        Err(AttemptError::Db(e)) => Err(e.into()),
    }
}

#[derive(serde::Serialize)]
struct Saved {
    saved: bool,
    message: String,
}

/// Saves one question's answer as the learner picks it (used by the page's script).
pub async fn save_one(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let reply = |status: StatusCode, saved: bool, message: &str| {
        (
            status,
            Json(Saved {
                saved,
                message: message.to_owned(),
            }),
        )
            .into_response()
    };
    let Some((attempt, course)) = open_attempt(&state, p.user_id, &slug).await? else {
        return Ok(reply(
            StatusCode::CONFLICT,
            false,
            "This assessment has already been submitted.",
        ));
    };
    let form_attempt = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "attempt")
        .map(|(_, v)| v.into_owned());
    if form_attempt.as_deref() != Some(attempt.id.to_string().as_str()) {
        return Ok(reply(
            StatusCode::CONFLICT,
            false,
            "This assessment has ended. Reload the page.",
        ));
    }
    let submitted = views::answers_from_form(&body);
    let answers = match views::validate_answers(&course, &attempt.drawn(), &submitted) {
        Ok(a) => a,
        Err(e) => {
            return Ok(reply(
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
                &e.to_string(),
            ));
        }
    };
    match attempts::save(&state.db, attempt.id, p.user_id, &answers).await {
        Ok(()) => Ok(reply(StatusCode::OK, true, "Saved")),
        Err(AttemptError::AlreadySubmitted) => Ok(reply(
            StatusCode::CONFLICT,
            false,
            "This assessment has already been submitted.",
        )),
        Err(AttemptError::Db(e)) => Err(e.into()),
    }
}

/// Submits the attempt for marking.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let (attempt, course, answers) = match read_answers(&state, &viewer, &slug, &body).await? {
        Ok(v) => v,
        Err(response) => return Ok(response),
    };
    let organisation = p
        .memberships
        .first()
        .map(|m| m.organisation_name.clone())
        .unwrap_or_default();
    let code = certificate_code(&mut rand::thread_rng());
    let pass = PassContext {
        learner_name: &p.name,
        organisation_name: &organisation,
        certificate_code: &code,
    };
    match attempts::submit(&state.db, &attempt, &course, &answers, &pass).await {
        Ok(_) | Err(AttemptError::AlreadySubmitted) => {
            Ok(Redirect::to(&format!("/training/attempts/{}", attempt.id)).into_response())
        }
        Err(AttemptError::Db(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "knowledge/result.html")]
struct ResultPage {
    shell: Shell,
    course: Arc<Course>,
    attempt: AttemptRow,
    questions: Vec<QuestionView>,
    certificate: Option<CompletionRow>,
    can_retake: bool,
}

impl ResultPage {
    fn date(&self, t: &time::OffsetDateTime) -> String {
        long_date(*t)
    }
}

pub async fn result(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let attempt = attempts::get(&state.db, id, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = load(&state, attempt.course_version_id).await?;
    if attempt.submitted_at.is_none() {
        return Ok(Redirect::to(&format!("/training/{}/assessment", course.slug)).into_response());
    }
    let answers = attempts::answers(&state.db, attempt.id).await?;
    let questions = views::drawn_views(&course, &attempt.drawn(), &answers, true);
    let certificate = learning::completions(&state.db, p.user_id)
        .await?
        .into_iter()
        .find(|c| {
            c.course_slug == course.slug
                && attempt.passed == Some(true)
                && c.passed_at >= attempt.started_at
        });
    let can_retake = attempt.passed == Some(false)
        && learning::open_enrolment(&state.db, p.user_id, &course.slug)
            .await?
            .is_some_and(|e| e.id == attempt.enrolment_id);
    Ok(render(&ResultPage {
        shell: crumbs(&viewer, "Your result", &course),
        course,
        attempt,
        questions,
        certificate,
        can_retake,
    })?
    .into_response())
}

fn certificate_data<'a>(c: &'a CompletionRow, verify_url: &'a str) -> CertificateData<'a> {
    CertificateData {
        learner: &c.learner_name,
        course: &c.course_title,
        version: &c.course_version,
        organisation: &c.organisation_name,
        passed_on: c.passed_at.date(),
        expires_on: c.expires_at.date(),
        score_percent: c.score_percent.max(0) as u32,
        code: &c.certificate_code,
        verify_url,
    }
}

/// The learner's own certificate as a PDF.
pub async fn certificate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let c = learning::by_code(&state.db, code.trim_end_matches(".pdf"))
        .await?
        .filter(|c| c.user_id == p.user_id)
        .ok_or(AppError::NotFound)?;
    let url = format!(
        "{}/verify/{}",
        state.config.public_url.trim_end_matches('/'),
        c.certificate_code
    );
    let pdf = render_pdf(&certificate_data(&c, &url));
    let filename = format!("certificate-{}-{}.pdf", c.course_slug, c.certificate_code);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "knowledge/verify.html")]
struct VerifyPage {
    shell: Shell,
    code: String,
    found: Option<CompletionRow>,
    valid: bool,
}

impl VerifyPage {
    fn date(&self, t: &time::OffsetDateTime) -> String {
        long_date(*t)
    }
}

/// Public check of a certificate: confirms what the certificate says, nothing more.
pub async fn verify(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let code = code.trim().to_uppercase();
    let found = if code.len() <= 20 {
        learning::by_code(&state.db, &code).await?
    } else {
        None
    };
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let valid = found.as_ref().is_some_and(|c| c.expires_at > now());
    Ok((
        status,
        render(&VerifyPage {
            shell: viewer.shell("Check a training certificate"),
            code,
            found,
            valid,
        })?,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;

    #[test]
    fn certificate_codes_are_grouped_and_unambiguous() {
        let mut rng = StdRng::seed_from_u64(5);
        let a = certificate_code(&mut rng);
        let b = certificate_code(&mut rng);
        assert_ne!(a, b);
        assert_eq!(a.len(), 14);
        assert_eq!(a.matches('-').count(), 2);
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
    }
}
