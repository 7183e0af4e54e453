//! Storage of each organisation's response to an advisory and its timeline. Every query
//! names the organisation, so one organisation's response is never read for another.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::{
        model::{AdvisoryStatus, ResponseState, Severity, Tlp},
        rules::responses::EventKind,
    },
    exec_tx,
    organisations::domain::OrgType,
    platform::{
        db::{Db, RowLock, Tx, new_id},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

/// One organisation's response as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponseRow {
    pub advisory_id: Uuid,
    pub organisation_id: OrgId,
    pub state: ResponseState,
    pub targeted_at: OffsetDateTime,
    pub ack_due_at: Option<OffsetDateTime>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub acknowledged_by: Option<UserId>,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub risk_owner: Option<String>,
    pub update_days: i64,
    pub next_update_due_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub likely_affected: bool,
    pub matches: String,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "advisory_id, organisation_id, state, targeted_at, ack_due_at, \
     acknowledged_at, acknowledged_by, decided_at, reason, risk_owner, update_days, \
     next_update_due_at, closed_at, likely_affected, matches, updated_at";

/// A response to create when an advisory reaches an organisation.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub organisation_id: OrgId,
    pub ack_due_at: Option<OffsetDateTime>,
    pub likely_affected: bool,
    pub matches: String,
}

/// Rows per multi-row insert (16 parameters each).
const BATCH: usize = 400;

/// Creates the responses of the organisations an advisory has just reached.
pub async fn insert_many(
    tx: &mut Tx,
    advisory: Uuid,
    at: OffsetDateTime,
    update_days: i64,
    rows: &[NewResponse],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(BATCH) {
        exec_tx!(tx, |c| {
            let mut q =
                sqlx::QueryBuilder::new(format!("INSERT INTO alert_responses ({COLUMNS}) "));
            q.push_values(chunk, |mut b, r| {
                b.push_bind(advisory)
                    .push_bind(r.organisation_id)
                    .push_bind(ResponseState::Awaiting)
                    .push_bind(at)
                    .push_bind(r.ack_due_at)
                    .push_bind(None::<OffsetDateTime>)
                    .push_bind(None::<UserId>)
                    .push_bind(None::<OffsetDateTime>)
                    .push_bind(None::<String>)
                    .push_bind(None::<String>)
                    .push_bind(update_days)
                    .push_bind(None::<OffsetDateTime>)
                    .push_bind(None::<OffsetDateTime>)
                    .push_bind(r.likely_affected)
                    .push_bind(&r.matches)
                    .push_bind(at);
            });
            q.build().execute(c).await
        })?;
    }
    Ok(())
}

/// The organisations an advisory has already reached.
pub async fn targeted(tx: &mut Tx, advisory: Uuid) -> Result<Vec<OrgId>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT organisation_id FROM alert_responses WHERE advisory_id = $1"
    )
    .bind(advisory)
    .fetch_all(c)
    .await)
}

pub async fn find(db: &Db, advisory: Uuid, org: OrgId) -> Result<Option<ResponseRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM alert_responses WHERE advisory_id = $1 AND organisation_id = $2"
    );
    with_db!(db, |pool| sqlx::query_as::<_, ResponseRow>(&sql)
        .bind(advisory)
        .bind(org)
        .fetch_optional(pool)
        .await)
}

/// Reads a response for a change, holding its row until the transaction ends.
pub async fn lock(
    tx: &mut Tx,
    advisory: Uuid,
    org: OrgId,
) -> Result<Option<ResponseRow>, sqlx::Error> {
    let lock = tx.row_lock(RowLock::Update);
    let sql = format!(
        "SELECT {COLUMNS} FROM alert_responses WHERE advisory_id = $1 AND organisation_id = $2{lock}"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, ResponseRow>(&sql)
        .bind(advisory)
        .bind(org)
        .fetch_optional(c)
        .await)
}

/// Writes a response's workflow fields after an action.
pub async fn save(tx: &mut Tx, r: &ResponseRow) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_responses SET state = $3, acknowledged_at = $4, acknowledged_by = $5, \
         decided_at = $6, reason = $7, risk_owner = $8, update_days = $9, \
         next_update_due_at = $10, closed_at = $11, updated_at = $12 \
         WHERE advisory_id = $1 AND organisation_id = $2"
    )
    .bind(r.advisory_id)
    .bind(r.organisation_id)
    .bind(r.state)
    .bind(r.acknowledged_at)
    .bind(r.acknowledged_by)
    .bind(r.decided_at)
    .bind(&r.reason)
    .bind(&r.risk_owner)
    .bind(r.update_days)
    .bind(r.next_update_due_at)
    .bind(r.closed_at)
    .bind(r.updated_at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Records the result of matching an organisation's inventory against an advisory.
pub async fn set_matches(
    tx: &mut Tx,
    advisory: Uuid,
    org: OrgId,
    likely_affected: bool,
    matches: &str,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_responses SET likely_affected = $3, matches = $4 \
         WHERE advisory_id = $1 AND organisation_id = $2"
    )
    .bind(advisory)
    .bind(org)
    .bind(likely_affected)
    .bind(matches)
    .execute(c)
    .await)?;
    Ok(())
}

/// Adds an entry to a response's timeline.
pub async fn add_event(
    tx: &mut Tx,
    advisory: Uuid,
    org: OrgId,
    user: Option<UserId>,
    kind: EventKind,
    note: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO alert_response_events (id, advisory_id, organisation_id, at, user_id, kind, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(new_id())
    .bind(advisory)
    .bind(org)
    .bind(at)
    .bind(user)
    .bind(kind)
    .bind(note)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// One entry of a response's timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub at: OffsetDateTime,
    pub kind: EventKind,
    pub note: String,
    pub by_name: Option<String>,
}

pub async fn events(db: &Db, advisory: Uuid, org: OrgId) -> Result<Vec<EventRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, EventRow>(
        "SELECT e.at, e.kind, e.note, u.name AS by_name FROM alert_response_events e \
         LEFT JOIN users u ON u.id = e.user_id \
         WHERE e.advisory_id = $1 AND e.organisation_id = $2 ORDER BY e.at DESC"
    )
    .bind(advisory)
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// A response with its organisation, for the analyst dashboard.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgResponse {
    #[sqlx(flatten)]
    pub response: ResponseRow,
    pub org_name: String,
    pub ods_code: String,
    pub org_type: OrgType,
    pub parent_name: Option<String>,
}

/// Every organisation's response to one advisory.
pub async fn for_advisory(db: &Db, advisory: Uuid) -> Result<Vec<OrgResponse>, sqlx::Error> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols}, o.name AS org_name, o.ods_code, o.org_type, p.name AS parent_name \
         FROM alert_responses r JOIN organisations o ON o.id = r.organisation_id \
         LEFT JOIN organisations p ON p.id = o.parent_id \
         WHERE r.advisory_id = $1 ORDER BY o.name"
    );
    with_db!(db, |pool| sqlx::query_as::<_, OrgResponse>(&sql)
        .bind(advisory)
        .fetch_all(pool)
        .await)
}

/// A response with its advisory, for an organisation's inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    #[sqlx(flatten)]
    pub response: ResponseRow,
    pub reference: String,
    pub title: String,
    pub severity: Severity,
    pub tlp: Tlp,
    pub status: AdvisoryStatus,
    pub published_at: OffsetDateTime,
    pub current_release_at: OffsetDateTime,
    pub org_name: String,
}

/// The advisories addressed to any of `orgs`, with each organisation's response.
pub async fn inbox(db: &Db, orgs: &[OrgId]) -> Result<Vec<InboxRow>, sqlx::Error> {
    inbox_rows(db, orgs, None).await
}

/// Inbox rows of `orgs`, in chunks of organisations. With `waiting_at`, only those that
/// wait on the organisation at that moment (see [`needing_action`]).
async fn inbox_rows(
    db: &Db,
    orgs: &[OrgId],
    waiting_at: Option<OffsetDateTime>,
) -> Result<Vec<InboxRow>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = Vec::new();
    for chunk in orgs.chunks(500) {
        with_db!(db, |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {cols}, a.reference, a.title, a.severity, a.tlp, a.status, \
                 a.published_at, a.current_release_at, o.name AS org_name \
                 FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
                 JOIN organisations o ON o.id = r.organisation_id \
                 WHERE a.reference IS NOT NULL"
            ));
            if let Some(at) = waiting_at {
                q.push(
                    " AND a.status = 'published' AND (r.state = 'awaiting' OR \
                     (r.state IN ('acknowledged', 'remediating') AND r.next_update_due_at <= ",
                );
                q.push_bind(at);
                q.push("))");
            }
            q.push(" AND r.organisation_id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(")");
            out.extend(q.build_query_as::<InboxRow>().fetch_all(pool).await?);
        });
    }
    Ok(out)
}

/// Responses the escalation scan may need to act on: awaiting acknowledgement with the
/// deadline within `horizon` and the last step of the ladder not yet taken, or with an
/// update overdue.
pub async fn due_for_scan(
    db: &Db,
    now: OffsetDateTime,
    horizon: OffsetDateTime,
    limit: i64,
) -> Result<Vec<ResponseRow>, sqlx::Error> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols} FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
         WHERE a.status = 'published' AND ( \
           (r.state = 'awaiting' AND r.ack_due_at IS NOT NULL AND r.ack_due_at <= $2 \
            AND NOT EXISTS (SELECT 1 FROM alert_notices n WHERE n.advisory_id = r.advisory_id \
              AND n.organisation_id = r.organisation_id AND n.notice = 'parent_overdue')) \
           OR (r.state IN ('acknowledged', 'remediating') AND r.next_update_due_at <= $1)) \
         ORDER BY r.ack_due_at LIMIT $3"
    );
    with_db!(db, |pool| sqlx::query_as::<_, ResponseRow>(&sql)
        .bind(now)
        .bind(horizon)
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// The response figures of one advisory, counted by the database for the national
/// overview (the per-advisory dashboard counts in Rust from every response).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Summary {
    pub advisory_id: Uuid,
    pub targeted: i64,
    pub acknowledged: i64,
    pub overdue: i64,
    pub likely_silent: i64,
}

/// Figures for every published advisory.
pub async fn summary_by_advisory(
    db: &Db,
    now: OffsetDateTime,
) -> Result<Vec<Summary>, sqlx::Error> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, Summary>(
        "SELECT r.advisory_id, COUNT(*) AS targeted, \
         SUM(CASE WHEN r.state <> 'awaiting' THEN 1 ELSE 0 END) AS acknowledged, \
         SUM(CASE WHEN r.state = 'awaiting' AND r.ack_due_at < $1 THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN r.state = 'awaiting' AND r.likely_affected = $2 THEN 1 ELSE 0 END) AS likely_silent \
         FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
         WHERE a.status = 'published' GROUP BY r.advisory_id"
    )
    .bind(now)
    .bind(true)
    .fetch_all(pool)
    .await
    })
}

/// The responses of `orgs` that wait on the organisation, for the home page: published
/// advisories still awaiting acknowledgement, and responses whose progress update is
/// overdue at `now`. Closed responses and withdrawn advisories are left to the inbox.
pub async fn needing_action(
    db: &Db,
    orgs: &[OrgId],
    now: OffsetDateTime,
) -> Result<Vec<InboxRow>, sqlx::Error> {
    inbox_rows(db, orgs, Some(now)).await
}

/// How far behind organisations are on published advisories, counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Overdue {
    /// Organisations with at least one acknowledgement past its deadline.
    pub organisations: i64,
    /// Published advisories that at least one organisation is overdue on.
    pub advisories: i64,
}

/// Organisations overdue acknowledging a published advisory at `now`, nationally: one
/// aggregate over the overdue responses (found by their state and deadline index), never
/// a pass per organisation.
pub async fn overdue_nationally(db: &Db, now: OffsetDateTime) -> Result<Overdue, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Overdue>(
        "SELECT COUNT(DISTINCT r.organisation_id) AS organisations, \
         COUNT(DISTINCT r.advisory_id) AS advisories \
         FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
         WHERE r.state = 'awaiting' AND r.ack_due_at < $1 AND a.status = 'published'"
    )
    .bind(now)
    .fetch_one(pool)
    .await)
}
