//! Storage of assessments, their answers and assignments. Every read and write names the
//! organisation as well as the assessment, so one organisation's assessment can never be
//! reached through another's pages or tokens. Each change of an answer is kept as a
//! revision in `assessment_answer_history`, which is never changed, so a score can be
//! recomputed as of any moment.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    assure::rules::{answer::Workflow, cycle::Cycle, lifecycle::AssessmentStatus},
    exec_tx,
    platform::{
        db::{Db, RowLock, Tx, is_unique_violation, new_id, now},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

/// One assessment, without its answers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub organisation_id: OrgId,
    pub framework: String,
    pub framework_version_id: Uuid,
    pub profile: Option<String>,
    #[sqlx(try_from = "String")]
    pub cycle: Cycle,
    pub due_on: Date,
    pub status: AssessmentStatus,
    pub carried_from: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, organisation_id, framework, framework_version_id, profile, cycle, \
    due_on, status, carried_from, created_at, submitted_at, published_at";

/// An answer as stored: the current one, or a revision from the history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub requirement: String,
    /// A scale level's id, "not-applicable", or none yet; read against the framework's
    /// scale by the caller, which knows it.
    pub result: Option<String>,
    pub workflow: Workflow,
    pub justification: String,
    /// JSON array of ticked indicator ids.
    pub indicators: String,
    pub carried_over: bool,
    pub revision: i64,
    pub answered_by: Option<UserId>,
    pub answered_by_name: Option<String>,
    pub answered_at: OffsetDateTime,
}

/// A section given to a colleague to answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    pub section: String,
    pub assignee: UserId,
    pub assignee_name: String,
}

/// What a new assessment is.
pub struct NewAssessment<'a> {
    pub organisation: OrgId,
    pub framework: &'a str,
    pub framework_version_id: Uuid,
    pub profile: Option<&'a str>,
    pub cycle: Cycle,
    pub carried_from: Option<Uuid>,
    pub by: UserId,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("There is already an assessment against this framework for {0}.")]
    Exists(Cycle),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// An answer to write.
pub struct NewAnswer<'a> {
    pub requirement: &'a str,
    pub result: Option<&'a str>,
    pub workflow: Workflow,
    pub justification: &'a str,
    pub indicators: &'a [String],
    pub carried_over: bool,
    pub by: Option<UserId>,
}

pub async fn create(tx: &mut Tx, new: &NewAssessment<'_>) -> Result<Uuid, CreateError> {
    let id = new_id();
    let inserted = exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO assessments (id, organisation_id, framework, framework_version_id, profile, \
         cycle, due_on, status, carried_from, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(id)
    .bind(new.organisation)
    .bind(new.framework)
    .bind(new.framework_version_id)
    .bind(new.profile)
    .bind(new.cycle.to_string())
    .bind(new.cycle.due())
    .bind(AssessmentStatus::InProgress)
    .bind(new.carried_from)
    .bind(new.by)
    .bind(now())
    .execute(c)
    .await
    });
    match inserted {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(CreateError::Exists(new.cycle)),
        Err(e) => Err(e.into()),
    }
}

/// The organisation's assessments, latest year first.
pub async fn for_organisation(db: &Db, org: OrgId) -> Result<Vec<AssessmentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assessments WHERE organisation_id = $1 \
         ORDER BY cycle DESC, framework"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AssessmentRow>(&sql)
        .bind(org)
        .fetch_all(pool)
        .await)
}

/// One of the organisation's assessments; none if it is another organisation's.
pub async fn find(db: &Db, org: OrgId, id: Uuid) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM assessments WHERE id = $1 AND organisation_id = $2");
    with_db!(db, |pool| sqlx::query_as::<_, AssessmentRow>(&sql)
        .bind(id)
        .bind(org)
        .fetch_optional(pool)
        .await)
}

/// The organisation's assessment against `framework` for `cycle`, if there is one.
pub async fn for_cycle(
    db: &Db,
    org: OrgId,
    framework: &str,
    cycle: Cycle,
) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assessments \
         WHERE organisation_id = $1 AND framework = $2 AND cycle = $3"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AssessmentRow>(&sql)
        .bind(org)
        .bind(framework)
        .bind(cycle.to_string())
        .fetch_optional(pool)
        .await)
}

/// The assessment, locked for a change until the transaction ends.
pub async fn lock(tx: &mut Tx, org: OrgId, id: Uuid) -> Result<Option<AssessmentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM assessments WHERE id = $1 AND organisation_id = $2{}",
        tx.row_lock(RowLock::Update)
    );
    with_tx!(tx, |c| sqlx::query_as::<_, AssessmentRow>(&sql)
        .bind(id)
        .bind(org)
        .fetch_optional(c)
        .await)
}

const ANSWER_COLUMNS: &str = "a.requirement, a.result, a.workflow, a.justification, \
    a.indicators, a.carried_over, a.revision, a.answered_by, u.name AS answered_by_name, \
    a.answered_at";

/// The current answer to every requirement answered so far.
pub async fn answers(db: &Db, org: OrgId, assessment: Uuid) -> Result<Vec<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM assessment_answers a \
         LEFT JOIN users u ON u.id = a.answered_by \
         WHERE a.assessment_id = $1 AND a.organisation_id = $2"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AnswerRow>(&sql)
        .bind(assessment)
        .bind(org)
        .fetch_all(pool)
        .await)
}

/// The current answer to one requirement.
pub async fn answer(
    db: &Db,
    org: OrgId,
    assessment: Uuid,
    requirement: &str,
) -> Result<Option<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM assessment_answers a \
         LEFT JOIN users u ON u.id = a.answered_by \
         WHERE a.assessment_id = $1 AND a.organisation_id = $2 AND a.requirement = $3"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AnswerRow>(&sql)
        .bind(assessment)
        .bind(org)
        .bind(requirement)
        .fetch_optional(pool)
        .await)
}

/// Every revision of one requirement's answer, newest first.
pub async fn history(
    db: &Db,
    org: OrgId,
    assessment: Uuid,
    requirement: &str,
) -> Result<Vec<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM assessment_answer_history a \
         JOIN assessments s ON s.id = a.assessment_id AND s.organisation_id = $2 \
         LEFT JOIN users u ON u.id = a.answered_by \
         WHERE a.assessment_id = $1 AND a.requirement = $3 ORDER BY a.revision DESC"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AnswerRow>(&sql)
        .bind(assessment)
        .bind(org)
        .bind(requirement)
        .fetch_all(pool)
        .await)
}

/// The answers as they stood at `at`: each requirement's latest revision written by then.
pub async fn answers_as_of(
    db: &Db,
    org: OrgId,
    assessment: Uuid,
    at: OffsetDateTime,
) -> Result<Vec<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM assessment_answer_history a \
         JOIN assessments s ON s.id = a.assessment_id AND s.organisation_id = $2 \
         LEFT JOIN users u ON u.id = a.answered_by \
         WHERE a.assessment_id = $1 AND a.answered_at <= $3 \
         AND a.revision = (SELECT MAX(h.revision) FROM assessment_answer_history h \
             WHERE h.assessment_id = a.assessment_id AND h.requirement = a.requirement \
             AND h.answered_at <= $3)"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AnswerRow>(&sql)
        .bind(assessment)
        .bind(org)
        .bind(at)
        .fetch_all(pool)
        .await)
}

/// Writes an answer as the next revision. The caller holds the assessment's lock (see
/// [`lock`]) and has checked the assessment may still be answered.
pub async fn save_answer(
    tx: &mut Tx,
    org: OrgId,
    assessment: Uuid,
    answer: &NewAnswer<'_>,
) -> Result<i64, sqlx::Error> {
    let indicators =
        serde_json::to_string(answer.indicators).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let previous: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT revision FROM assessment_answers WHERE assessment_id = $1 AND requirement = $2"
    )
    .bind(assessment)
    .bind(answer.requirement)
    .fetch_optional(c)
    .await)?;
    let revision = previous.unwrap_or(0) + 1;
    let at = now();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO assessment_answers (assessment_id, organisation_id, requirement, result, \
         workflow, justification, indicators, carried_over, revision, answered_by, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (assessment_id, requirement) DO UPDATE SET result = excluded.result, \
         workflow = excluded.workflow, justification = excluded.justification, \
         indicators = excluded.indicators, carried_over = excluded.carried_over, \
         revision = excluded.revision, answered_by = excluded.answered_by, \
         answered_at = excluded.answered_at"
    )
    .bind(assessment)
    .bind(org)
    .bind(answer.requirement)
    .bind(answer.result)
    .bind(answer.workflow)
    .bind(answer.justification)
    .bind(&indicators)
    .bind(answer.carried_over)
    .bind(revision)
    .bind(answer.by)
    .bind(at)
    .execute(c)
    .await)?;
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO assessment_answer_history (assessment_id, requirement, revision, result, \
         workflow, justification, indicators, carried_over, answered_by, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(assessment)
    .bind(answer.requirement)
    .bind(revision)
    .bind(answer.result)
    .bind(answer.workflow)
    .bind(answer.justification)
    .bind(&indicators)
    .bind(answer.carried_over)
    .bind(answer.by)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(revision)
}

/// Who is answering each section.
pub async fn assignments(
    db: &Db,
    org: OrgId,
    assessment: Uuid,
) -> Result<Vec<AssignmentRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, AssignmentRow>(
        "SELECT g.section, g.assignee, u.name AS assignee_name FROM assessment_assignments g \
         JOIN assessments s ON s.id = g.assessment_id AND s.organisation_id = $2 \
         JOIN users u ON u.id = g.assignee WHERE g.assessment_id = $1 ORDER BY g.section"
    )
    .bind(assessment)
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// Gives a section to a colleague, or takes it back (`assignee` none).
pub async fn assign(
    tx: &mut Tx,
    assessment: Uuid,
    section: &str,
    assignee: Option<UserId>,
    by: UserId,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM assessment_assignments WHERE assessment_id = $1 AND section = $2"
    )
    .bind(assessment)
    .bind(section)
    .execute(c)
    .await)?;
    if let Some(assignee) = assignee {
        exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO assessment_assignments (assessment_id, section, assignee, assigned_by, \
             assigned_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(assessment)
        .bind(section)
        .bind(assignee)
        .bind(by)
        .bind(now())
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// The assessments `person` has a section of, in `org`.
pub async fn assigned_to(
    db: &Db,
    org: OrgId,
    person: UserId,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (Uuid, String)>(
        "SELECT g.assessment_id, g.section FROM assessment_assignments g \
         JOIN assessments s ON s.id = g.assessment_id \
         WHERE s.organisation_id = $1 AND g.assignee = $2"
    )
    .bind(org)
    .bind(person)
    .fetch_all(pool)
    .await)
}

/// The answers as submitted, kept with the assessment so no later change alters what was
/// submitted.
pub fn snapshot(
    framework: &crate::assure::framework::model::Framework,
    cycle: Cycle,
    rows: &[AnswerRow],
) -> serde_json::Value {
    serde_json::json!({
        "framework": framework.about.id,
        "version": framework.about.version,
        "cycle": cycle.to_string(),
        "answers": rows.iter().map(|a| serde_json::json!({
            "requirement": a.requirement,
            "result": a.result,
            "workflow": a.workflow,
            "justification": a.justification,
            "indicators": serde_json::from_str::<serde_json::Value>(&a.indicators)
                .unwrap_or_default(),
            "revision": a.revision,
        })).collect::<Vec<_>>(),
    })
}

/// Locks the answers: records who submitted and the snapshot of answers and scores.
pub async fn submit(
    tx: &mut Tx,
    assessment: Uuid,
    by: UserId,
    snapshot: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE assessments SET status = $2, submitted_by = $3, submitted_at = $4, snapshot = $5 \
         WHERE id = $1"
    )
    .bind(assessment)
    .bind(AssessmentStatus::Submitted)
    .bind(by)
    .bind(now())
    .bind(snapshot.to_string())
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn publish(tx: &mut Tx, assessment: Uuid) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE assessments SET status = $2, published_at = $3 WHERE id = $1"
    )
    .bind(assessment)
    .bind(AssessmentStatus::Published)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// An active member of `org` with this email address (as stored: lower case), with their
/// name.
pub async fn active_member_by_email(
    db: &Db,
    org: OrgId,
    email: &str,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (UserId, String)>(
        "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 AND u.email = $2 AND m.active = TRUE"
    )
    .bind(org)
    .bind(email)
    .fetch_optional(pool)
    .await)
}
