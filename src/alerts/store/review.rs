//! Storage of the two-person rule: who wrote or edited each text of an advisory, and the
//! revision of a live advisory that waits for a second analyst's approval.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::model::AdvisoryContent,
    exec_tx,
    platform::{
        db::{Db, Tx},
        ids::UserId,
    },
    with_db, with_tx,
};

/// Records that `user` wrote or edited the text that becomes revision `revision`.
pub async fn add_editor(
    tx: &mut Tx,
    advisory: Uuid,
    revision: i64,
    user: UserId,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_editors (advisory_id, revision, user_id, first_edited_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (advisory_id, revision, user_id) DO NOTHING"
    )
    .bind(advisory)
    .bind(revision)
    .bind(user)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Everyone who wrote or edited the text that becomes revision `revision`.
pub async fn editors(
    tx: &mut Tx,
    advisory: Uuid,
    revision: i64,
) -> Result<Vec<UserId>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM alert_editors WHERE advisory_id = $1 AND revision = $2"
    )
    .bind(advisory)
    .bind(revision)
    .fetch_all(c)
    .await)
}

/// The names of everyone who wrote or edited the text that becomes revision `revision`,
/// with their ids, in the order they first edited it.
pub async fn editor_names(
    db: &Db,
    advisory: Uuid,
    revision: i64,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT e.user_id, u.name FROM alert_editors e JOIN users u ON u.id = e.user_id \
         WHERE e.advisory_id = $1 AND e.revision = $2 ORDER BY e.first_edited_at, u.name"
    )
    .bind(advisory)
    .bind(revision)
    .fetch_all(pool)
    .await)
}

/// A revision waiting for approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRow {
    pub number: i64,
    /// Stored as JSON text, read as [`AdvisoryContent`] (an error if it does not read back).
    #[sqlx(try_from = "String")]
    pub content: AdvisoryContent,
    pub summary: String,
    pub notify: bool,
    pub submitted_by: UserId,
    pub submitted_at: OffsetDateTime,
}

const PENDING: &str = "SELECT number, content, summary, notify, submitted_by, submitted_at \
     FROM alert_pending_revisions WHERE advisory_id = $1";

pub async fn pending(db: &Db, advisory: Uuid) -> Result<Option<PendingRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, PendingRow>(PENDING)
        .bind(advisory)
        .fetch_optional(pool)
        .await)
}

pub async fn pending_in(tx: &mut Tx, advisory: Uuid) -> Result<Option<PendingRow>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_as::<_, PendingRow>(PENDING)
        .bind(advisory)
        .fetch_optional(c)
        .await)
}

/// What a revision submitted for approval holds.
pub struct NewPending<'a> {
    pub number: i64,
    pub content: &'a AdvisoryContent,
    pub summary: &'a str,
    pub notify: bool,
    pub by: UserId,
    pub at: OffsetDateTime,
}

/// Puts a revision up for approval, in place of any waiting.
pub async fn set_pending(
    tx: &mut Tx,
    advisory: Uuid,
    p: &NewPending<'_>,
) -> Result<(), sqlx::Error> {
    let body = serde_json::to_string(p.content).map_err(|e| sqlx::Error::Encode(e.into()))?;
    clear_pending(tx, advisory).await?;
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_pending_revisions (advisory_id, number, content, summary, notify, \
         submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(advisory)
    .bind(p.number)
    .bind(&body)
    .bind(p.summary)
    .bind(p.notify)
    .bind(p.by)
    .bind(p.at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Removes the revision waiting for approval, if any. Returns whether there was one.
pub async fn clear_pending(tx: &mut Tx, advisory: Uuid) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM alert_pending_revisions WHERE advisory_id = $1"
    )
    .bind(advisory)
    .execute(c)
    .await)?;
    Ok(n > 0)
}

/// Something waiting for a second analyst: a new advisory submitted for review, or a
/// revision of a published one submitted for approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AwaitingRow {
    pub advisory_id: Uuid,
    pub title: String,
    pub reference: Option<String>,
    pub submitted_by: Option<UserId>,
    pub submitted_at: Option<OffsetDateTime>,
    /// Whether it is a revision of a published advisory rather than a new one.
    pub revision: bool,
}

/// Everything waiting for a second analyst, oldest first. The national team's own work,
/// so a short list whatever the number of organisations.
pub async fn awaiting_second_analyst(db: &Db) -> Result<Vec<AwaitingRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, AwaitingRow>(
        "SELECT id AS advisory_id, title, reference, submitted_by, submitted_at, \
         FALSE AS revision FROM alert_advisories WHERE status = 'in_review' \
         UNION ALL \
         SELECT a.id, a.title, a.reference, p.submitted_by, p.submitted_at, TRUE \
         FROM alert_pending_revisions p JOIN alert_advisories a ON a.id = p.advisory_id \
         ORDER BY submitted_at"
    )
    .fetch_all(pool)
    .await)
}
