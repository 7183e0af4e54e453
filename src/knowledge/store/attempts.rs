//! Storage of final-assessment attempts: the questions drawn, answers saved as the learner
//! goes, and submission — which grades, records each question's result for evaluation and,
//! on a pass, writes the completion and certificate code, all in one transaction.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    exec_tx,
    knowledge::{
        content::model::Course,
        rules::{draw::Drawn, expiry, grading},
    },
    platform::{
        db::{Db, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub user_id: UserId,
    pub course_version_id: Uuid,
    pub number: i64,
    /// The drawn questions as JSON text; see [`AttemptRow::drawn`].
    pub drawn_json: String,
    pub started_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
    pub correct_count: Option<i64>,
    pub total: i64,
    pub score_percent: Option<i64>,
    pub passed: Option<bool>,
}

const COLUMNS: &str = "id, enrolment_id, user_id, course_version_id, number, drawn AS drawn_json, started_at, \
     submitted_at, correct_count, total, score_percent, passed";

impl AttemptRow {
    /// The questions drawn for this attempt, in order. Stored as text (not a JSON column
    /// type) so the same SQL works on both engines.
    pub fn drawn(&self) -> Vec<Drawn> {
        serde_json::from_str(&self.drawn_json).unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    #[error("This assessment has already been submitted.")]
    AlreadySubmitted,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The learner's attempt (only theirs: `user` must match).
pub async fn get(db: &Db, id: Uuid, user: UserId) -> Result<Option<AttemptRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE id = $1 AND user_id = $2");
    with_db!(db, |pool| sqlx::query_as::<_, AttemptRow>(&sql)
        .bind(id)
        .bind(user)
        .fetch_optional(pool)
        .await)
}

/// Every attempt in an enrolment, oldest first.
pub async fn for_enrolment(db: &Db, enrolment: Uuid) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE enrolment_id = $1 ORDER BY number");
    with_db!(db, |pool| sqlx::query_as::<_, AttemptRow>(&sql)
        .bind(enrolment)
        .fetch_all(pool)
        .await)
}

/// The newest attempts of a learner (for "My training").
pub async fn recent_for_user(db: &Db, user: UserId) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attempts WHERE user_id = $1 ORDER BY started_at DESC LIMIT 50"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AttemptRow>(&sql)
        .bind(user)
        .fetch_all(pool)
        .await)
}

pub struct NewAttempt<'a> {
    pub enrolment: Uuid,
    pub user: UserId,
    pub organisation: Option<OrgId>,
    pub version: Uuid,
    pub drawn: &'a [Drawn],
}

/// Starts an attempt, unless one is already open in the enrolment (then that one is
/// returned: a double click does not draw twice).
pub async fn start(db: &Db, a: &NewAttempt<'_>) -> Result<Uuid, sqlx::Error> {
    let mut tx = db.begin().await?;
    let open = with_tx!(&mut tx, |c| sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM attempts WHERE enrolment_id = $1 AND submitted_at IS NULL"
    )
    .bind(a.enrolment)
    .fetch_optional(c)
    .await)?;
    if let Some(id) = open {
        return Ok(id);
    }
    let number = with_tx!(&mut tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM attempts WHERE enrolment_id = $1"
    )
    .bind(a.enrolment)
    .fetch_one(c)
    .await)?;
    let id = new_id();
    exec_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO attempts (id, enrolment_id, user_id, organisation_id, course_version_id, number, drawn, started_at, total) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(id)
    .bind(a.enrolment)
    .bind(a.user)
    .bind(a.organisation)
    .bind(a.version)
    .bind(number)
    .bind(serde_json::to_string(a.drawn).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(now())
    .bind(a.drawn.len() as i64)
    .execute(c)
    .await
    })?;
    tx.commit().await?;
    Ok(id)
}

fn join(chosen: &[String]) -> String {
    chosen.join(",")
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The saved answers of an attempt, by question.
pub async fn answers(db: &Db, attempt: Uuid) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
    let rows = with_db!(db, |pool| sqlx::query_as::<_, (String, String)>(
        "SELECT question_id, chosen FROM attempt_answers WHERE attempt_id = $1"
    )
    .bind(attempt)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(q, c)| (q, split(&c))).collect())
}

async fn lock_open(tx: &mut Tx, attempt: Uuid, user: UserId) -> Result<(), AttemptError> {
    // Touching the row takes its lock on PostgreSQL, so a save waits for a submission in
    // progress and then sees it was submitted.
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE attempts SET total = total WHERE id = $1 AND user_id = $2 AND submitted_at IS NULL"
    )
    .bind(attempt)
    .bind(user)
    .execute(c)
    .await
    })?;
    if n == 0 {
        return Err(AttemptError::AlreadySubmitted);
    }
    Ok(())
}

async fn put_answers(
    tx: &mut Tx,
    attempt: Uuid,
    answers: &[(String, Vec<String>)],
) -> Result<(), sqlx::Error> {
    let at = now();
    for (question, chosen) in answers {
        exec_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO attempt_answers (attempt_id, question_id, chosen, saved_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (attempt_id, question_id) DO UPDATE SET chosen = $3, saved_at = $4"
        )
        .bind(attempt)
        .bind(question)
        .bind(join(chosen))
        .bind(at)
        .execute(c)
        .await
        })?;
    }
    Ok(())
}

/// Saves answers (already validated against the drawn questions) to an open attempt.
pub async fn save(
    db: &Db,
    attempt: Uuid,
    user: UserId,
    answers: &[(String, Vec<String>)],
) -> Result<(), AttemptError> {
    let mut tx = db.begin().await?;
    lock_open(&mut tx, attempt, user).await?;
    put_answers(&mut tx, attempt, answers).await?;
    tx.commit().await?;
    Ok(())
}

/// What the learner's organisation and name were when they passed, for the certificate.
pub struct PassContext<'a> {
    pub learner_name: &'a str,
    pub organisation_name: &'a str,
    pub certificate_code: &'a str,
}

/// A pass to record.
pub struct NewCompletion<'a> {
    pub user: UserId,
    pub organisation: Option<OrgId>,
    pub course: &'a Course,
    pub version: Uuid,
    pub attempt: Uuid,
    pub attempt_number: i64,
    pub score_percent: i64,
    pub passed_at: OffsetDateTime,
    pub pass: &'a PassContext<'a>,
}

/// Records a pass, valid for the course's validity period from `passed_at`.
pub async fn insert_completion(tx: &mut Tx, c: &NewCompletion<'_>) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO completions (id, user_id, organisation_id, course_slug, course_version_id, course_title, \
         course_version, attempt_id, score_percent, attempt_number, passed_at, expires_at, certificate_code, \
         learner_name, organisation_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
    .bind(new_id())
    .bind(c.user)
    .bind(c.organisation)
    .bind(&c.course.slug)
    .bind(c.version)
    .bind(&c.course.title)
    .bind(&c.course.version)
    .bind(c.attempt)
    .bind(c.score_percent)
    .bind(c.attempt_number)
    .bind(c.passed_at)
    .bind(expiry::expires_at(c.passed_at, c.course.validity_months))
    .bind(c.pass.certificate_code)
    .bind(c.pass.learner_name)
    .bind(c.pass.organisation_name)
    .execute(conn)
    .await
    })?;
    Ok(())
}

/// Saves the last answers and submits: grades the attempt, stores each question's result
/// and, on a pass, the completion (and closes the enrolment). Submitting twice is refused
/// without changing anything.
pub async fn submit(
    db: &Db,
    attempt: &AttemptRow,
    course: &Course,
    last_answers: &[(String, Vec<String>)],
    pass: &PassContext<'_>,
) -> Result<grading::Score, AttemptError> {
    let mut tx = db.begin().await?;
    lock_open(&mut tx, attempt.id, attempt.user_id).await?;
    put_answers(&mut tx, attempt.id, last_answers).await?;
    let rows = with_tx!(&mut tx, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT question_id, chosen FROM attempt_answers WHERE attempt_id = $1"
    )
    .bind(attempt.id)
    .fetch_all(c)
    .await)?;
    let answers: HashMap<String, Vec<String>> =
        rows.into_iter().map(|(q, c)| (q, split(&c))).collect();
    let score = grading::score(
        &attempt.drawn(),
        |id| course.question(id),
        &answers,
        course.pass_mark,
    );
    let at = now();
    for (question, correct) in &score.per_question {
        exec_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO attempt_answers (attempt_id, question_id, chosen, correct, saved_at) VALUES ($1, $2, '', $3, $4) \
             ON CONFLICT (attempt_id, question_id) DO UPDATE SET correct = $3"
        )
        .bind(attempt.id)
        .bind(question)
        .bind(*correct)
        .bind(at)
        .execute(c)
        .await
        })?;
    }
    exec_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE attempts SET submitted_at = $2, correct_count = $3, score_percent = $4, passed = $5 WHERE id = $1"
    )
    .bind(attempt.id)
    .bind(at)
    .bind(score.correct as i64)
    .bind(score.percent as i64)
    .bind(score.passed)
    .execute(c)
    .await
    })?;
    if score.passed {
        let org = with_tx!(&mut tx, |c| sqlx::query_scalar::<_, Option<OrgId>>(
            "SELECT organisation_id FROM attempts WHERE id = $1"
        )
        .bind(attempt.id)
        .fetch_one(c)
        .await)?;
        insert_completion(
            &mut tx,
            &NewCompletion {
                user: attempt.user_id,
                organisation: org,
                course,
                version: attempt.course_version_id,
                attempt: attempt.id,
                attempt_number: attempt.number,
                score_percent: score.percent as i64,
                passed_at: at,
                pass,
            },
        )
        .await?;
        exec_tx!(&mut tx, |c| sqlx::query(
            "UPDATE enrolments SET completed_at = $2 WHERE id = $1"
        )
        .bind(attempt.enrolment_id)
        .bind(at)
        .execute(c)
        .await)?;
    }
    tx.commit().await?;
    Ok(score)
}
