//! Storage of a learner's way through a course: enrolments (one pass through one version),
//! lesson progress and knowledge-check results. Every query names the learner, so nobody
//! reads or changes another person's progress.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    exec_db,
    platform::{
        db::{Db, is_unique_violation, new_id, now},
        ids::UserId,
    },
    with_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnrolmentRow {
    pub id: Uuid,
    pub course_slug: String,
    pub course_version_id: Uuid,
    pub started_at: OffsetDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgressRow {
    pub lesson_id: String,
    pub checked_at: Option<OffsetDateTime>,
    pub check_correct: Option<i64>,
    pub check_total: Option<i64>,
}

/// The learner's unfinished pass through a course, if any.
pub async fn open_enrolment(
    db: &Db,
    user: UserId,
    slug: &str,
) -> Result<Option<EnrolmentRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, EnrolmentRow>(
        "SELECT id, course_slug, course_version_id, started_at FROM enrolments \
         WHERE user_id = $1 AND course_slug = $2 AND completed_at IS NULL"
    )
    .bind(user)
    .bind(slug)
    .fetch_optional(pool)
    .await)
}

/// Every unfinished course of the learner.
pub async fn open_enrolments(db: &Db, user: UserId) -> Result<Vec<EnrolmentRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, EnrolmentRow>(
        "SELECT id, course_slug, course_version_id, started_at FROM enrolments \
         WHERE user_id = $1 AND completed_at IS NULL"
    )
    .bind(user)
    .fetch_all(pool)
    .await)
}

/// Starts a pass through `version` of a course, or returns the one already open (a second
/// click, or another tab, does not start a second pass).
pub async fn start(
    db: &Db,
    user: UserId,
    slug: &str,
    version: Uuid,
) -> Result<EnrolmentRow, sqlx::Error> {
    if let Some(open) = open_enrolment(db, user, slug).await? {
        return Ok(open);
    }
    let row = EnrolmentRow {
        id: new_id(),
        course_slug: slug.to_owned(),
        course_version_id: version,
        started_at: now(),
    };
    let inserted = exec_db!(db, |pool| sqlx::query(
        "INSERT INTO enrolments (id, user_id, course_slug, course_version_id, started_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(row.id)
    .bind(user)
    .bind(slug)
    .bind(version)
    .bind(row.started_at)
    .execute(pool)
    .await);
    match inserted {
        Ok(_) => Ok(row),
        Err(e) if is_unique_violation(&e) => open_enrolment(db, user, slug)
            .await?
            .ok_or(sqlx::Error::RowNotFound),
        Err(e) => Err(e),
    }
}

pub async fn progress(db: &Db, enrolment: Uuid) -> Result<Vec<ProgressRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, ProgressRow>(
        "SELECT lesson_id, checked_at, check_correct, check_total FROM lesson_progress \
         WHERE enrolment_id = $1"
    )
    .bind(enrolment)
    .fetch_all(pool)
    .await)
}

/// Notes that the learner opened a lesson (for "continue where you left off").
pub async fn mark_opened(db: &Db, enrolment: Uuid, lesson: &str) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "INSERT INTO lesson_progress (enrolment_id, lesson_id, opened_at) VALUES ($1, $2, $3) \
         ON CONFLICT (enrolment_id, lesson_id) DO NOTHING"
    )
    .bind(enrolment)
    .bind(lesson)
    .bind(now())
    .execute(pool)
    .await)?;
    Ok(())
}

/// Records the latest knowledge-check result for a lesson, which completes the lesson.
pub async fn record_check(
    db: &Db,
    enrolment: Uuid,
    lesson: &str,
    correct: i64,
    total: i64,
) -> Result<(), sqlx::Error> {
    let at = now();
    exec_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO lesson_progress (enrolment_id, lesson_id, opened_at, checked_at, check_correct, check_total) \
         VALUES ($1, $2, $3, $3, $4, $5) \
         ON CONFLICT (enrolment_id, lesson_id) DO UPDATE SET checked_at = $3, check_correct = $4, check_total = $5"
    )
    .bind(enrolment)
    .bind(lesson)
    .bind(at)
    .bind(correct)
    .bind(total)
    .execute(pool)
    .await
    })?;
    Ok(())
}

/// A pass, as shown to the learner and on certificates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompletionRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub course_slug: String,
    pub course_title: String,
    pub course_version: String,
    pub score_percent: i64,
    pub passed_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub certificate_code: String,
    pub learner_name: String,
    pub organisation_name: String,
}

const COMPLETION_COLUMNS: &str = "id, user_id, course_slug, course_title, course_version, score_percent, \
     passed_at, expires_at, certificate_code, learner_name, organisation_name";

/// All the learner's passes, newest first.
pub async fn completions(db: &Db, user: UserId) -> Result<Vec<CompletionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COMPLETION_COLUMNS} FROM completions WHERE user_id = $1 ORDER BY passed_at DESC"
    );
    with_db!(db, |pool| sqlx::query_as::<_, CompletionRow>(&sql)
        .bind(user)
        .fetch_all(pool)
        .await)
}

/// A certificate by its verification code.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<CompletionRow>, sqlx::Error> {
    let sql = format!("SELECT {COMPLETION_COLUMNS} FROM completions WHERE certificate_code = $1");
    with_db!(db, |pool| sqlx::query_as::<_, CompletionRow>(&sql)
        .bind(code)
        .fetch_optional(pool)
        .await)
}
