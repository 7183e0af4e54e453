//! Storage of advisories through their life: drafts, review, publication (which allocates
//! the reference and fans the advisory out to every organisation it is addressed to),
//! revisions and withdrawal. Each change is one transaction.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::model::{
        AdvisoryContent, AdvisoryStatus, Audience, PublishedAdvisory, RevisionNote, Severity, Tlp,
    },
    exec_tx,
    organisations::domain::OrgType,
    platform::{
        db::{Db, RowLock, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

/// An advisory as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdvisoryRow {
    pub id: Uuid,
    pub reference: Option<String>,
    pub status: AdvisoryStatus,
    /// Stored as JSON text; content that does not read back is an error when the row is read.
    #[sqlx(try_from = "String")]
    pub content: AdvisoryContent,
    pub severity: Severity,
    pub tlp: Tlp,
    pub title: String,
    pub revision: i64,
    pub kev_cve: Option<String>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub submitted_by: Option<UserId>,
    pub submitted_at: Option<OffsetDateTime>,
    pub reviewed_by: Option<UserId>,
    pub published_at: Option<OffsetDateTime>,
    pub current_release_at: Option<OffsetDateTime>,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_reason: Option<String>,
}

impl AdvisoryRow {
    /// The reference, or "Draft" before publication.
    pub fn label(&self) -> &str {
        self.reference.as_deref().unwrap_or("Draft")
    }

    pub fn is_live(&self) -> bool {
        self.status == AdvisoryStatus::Published
    }
}

const COLUMNS: &str = "id, reference, status, content, severity, tlp, title, revision, kev_cve, \
     created_by, created_at, updated_at, submitted_by, submitted_at, reviewed_by, published_at, \
     current_release_at, withdrawn_at, withdrawn_reason";

fn encode(content: &AdvisoryContent) -> Result<String, sqlx::Error> {
    serde_json::to_string(content).map_err(|e| sqlx::Error::Encode(e.into()))
}

pub async fn find(db: &Db, id: Uuid) -> Result<Option<AdvisoryRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM alert_advisories WHERE id = $1");
    with_db!(db, |pool| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub async fn find_by_reference(
    db: &Db,
    reference: &str,
) -> Result<Option<AdvisoryRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM alert_advisories WHERE reference = $1");
    with_db!(db, |pool| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(reference.to_ascii_uppercase())
        .fetch_optional(pool)
        .await)
}

/// Locks an advisory for a change (PostgreSQL row lock; SQLite transactions are exclusive).
pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<Option<AdvisoryRow>, sqlx::Error> {
    let lock = tx.row_lock(RowLock::Update);
    let sql = format!("SELECT {COLUMNS} FROM alert_advisories WHERE id = $1{lock}");
    with_tx!(tx, |c| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Reads an advisory while recording a response to it: a shared lock on PostgreSQL, so
/// organisations respond at the same time while a withdrawal (which takes [`lock`]) waits
/// for them, and they for it.
pub async fn lock_shared(tx: &mut Tx, id: Uuid) -> Result<Option<AdvisoryRow>, sqlx::Error> {
    let lock = tx.row_lock(RowLock::Share);
    let sql = format!("SELECT {COLUMNS} FROM alert_advisories WHERE id = $1{lock}");
    with_tx!(tx, |c| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Every advisory in the given states, newest first.
pub async fn list(db: &Db, statuses: &[AdvisoryStatus]) -> Result<Vec<AdvisoryRow>, sqlx::Error> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, |pool| {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM alert_advisories WHERE status IN ("
        ));
        let mut sep = q.separated(", ");
        for s in statuses {
            sep.push_bind(*s);
        }
        q.push(") ORDER BY COALESCE(current_release_at, updated_at) DESC");
        q.build_query_as::<AdvisoryRow>().fetch_all(pool).await
    })
}

/// Creates a draft. Returns its id.
pub async fn create_draft(
    tx: &mut Tx,
    content: &AdvisoryContent,
    kev_cve: Option<&str>,
    by: UserId,
) -> Result<Uuid, sqlx::Error> {
    let id = new_id();
    let at = now();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_advisories (id, status, content, severity, tlp, title, revision, \
         kev_cve, created_by, created_at, updated_at) VALUES ($1, 'draft', $2, $3, $4, $5, 0, \
         $6, $7, $8, $8)"
    )
    .bind(id)
    .bind(encode(content)?)
    .bind(content.severity)
    .bind(content.tlp)
    .bind(&content.title)
    .bind(kev_cve)
    .bind(by)
    .bind(at)
    .execute(c)
    .await)?;
    super::review::add_editor(tx, id, 1, by, at).await?;
    Ok(id)
}

/// Replaces a draft's content (drafts and advisories returned from review only), recording
/// `by` among the draft's editors.
pub async fn save_draft(
    tx: &mut Tx,
    id: Uuid,
    content: &AdvisoryContent,
    by: UserId,
) -> Result<(), sqlx::Error> {
    let at = now();
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_advisories SET content = $2, severity = $3, tlp = $4, title = $5, \
         updated_at = $6 WHERE id = $1 AND status = 'draft'"
    )
    .bind(id)
    .bind(encode(content)?)
    .bind(content.severity)
    .bind(content.tlp)
    .bind(&content.title)
    .bind(at)
    .execute(c)
    .await)?;
    super::review::add_editor(tx, id, 1, by, at).await?;
    Ok(())
}

/// Moves an advisory between draft and review.
pub async fn set_review(tx: &mut Tx, id: Uuid, submit: Option<UserId>) -> Result<(), sqlx::Error> {
    let at = now();
    match submit {
        Some(by) => exec_tx!(tx, |c| sqlx::query(
            "UPDATE alert_advisories SET status = 'in_review', submitted_by = $2, \
             submitted_at = $3, updated_at = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(by)
        .bind(at)
        .execute(c)
        .await)?,
        None => exec_tx!(tx, |c| sqlx::query(
            "UPDATE alert_advisories SET status = 'draft', submitted_by = NULL, \
             submitted_at = NULL, updated_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(at)
        .execute(c)
        .await)?,
    };
    Ok(())
}

/// Allocates the next reference number of `year` (never reused: the counter only rises).
pub async fn allocate_reference(tx: &mut Tx, year: i32) -> Result<i64, sqlx::Error> {
    let year = i64::from(year);
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_reference_counters (year, last_number) VALUES ($1, 0) \
         ON CONFLICT (year) DO NOTHING"
    )
    .bind(year)
    .execute(c)
    .await)?;
    with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "UPDATE alert_reference_counters SET last_number = last_number + 1 WHERE year = $1 \
         RETURNING last_number"
    )
    .bind(year)
    .fetch_one(c)
    .await)
}

/// Records a new revision and makes it the advisory's current content.
pub async fn add_revision(
    tx: &mut Tx,
    advisory: &AdvisoryRow,
    content: &AdvisoryContent,
    summary: &str,
    notify: bool,
    by: UserId,
    at: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    let number = advisory.revision + 1;
    let body = encode(content)?;
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_revisions (advisory_id, number, content, summary, notified, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(advisory.id)
    .bind(number)
    .bind(&body)
    .bind(summary)
    .bind(notify)
    .bind(by)
    .bind(at)
    .execute(c)
    .await)?;
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_advisories SET content = $2, severity = $3, tlp = $4, title = $5, \
         revision = $6, current_release_at = $7, updated_at = $7 WHERE id = $1"
    )
    .bind(advisory.id)
    .bind(&body)
    .bind(content.severity)
    .bind(content.tlp)
    .bind(&content.title)
    .bind(number)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(number)
}

/// Marks an advisory published with its reference (the first revision is added separately).
pub async fn mark_published(
    tx: &mut Tx,
    id: Uuid,
    reference: &str,
    reviewer: UserId,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_advisories SET status = 'published', reference = $2, reviewed_by = $3, \
         published_at = $4, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(reference)
    .bind(reviewer)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn mark_withdrawn(
    tx: &mut Tx,
    id: Uuid,
    reason: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_advisories SET status = 'withdrawn', withdrawn_at = $2, \
         withdrawn_reason = $3, updated_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .bind(reason)
    .execute(c)
    .await)?;
    Ok(())
}

/// One stored revision.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub number: i64,
    pub summary: String,
    pub notified: bool,
    pub created_at: OffsetDateTime,
    pub author: String,
}

pub async fn revisions(db: &Db, id: Uuid) -> Result<Vec<RevisionRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, RevisionRow>(
        "SELECT r.number, r.summary, r.notified, r.created_at, u.name AS author \
         FROM alert_revisions r JOIN users u ON u.id = r.created_by \
         WHERE r.advisory_id = $1 ORDER BY r.number"
    )
    .bind(id)
    .fetch_all(pool)
    .await)
}

/// The content of one revision.
pub async fn revision_content(
    db: &Db,
    id: Uuid,
    number: i64,
) -> Result<Option<AdvisoryContent>, sqlx::Error> {
    let raw: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT content FROM alert_revisions WHERE advisory_id = $1 AND number = $2"
    )
    .bind(id)
    .bind(number)
    .fetch_optional(pool)
    .await)?;
    raw.map(|r| AdvisoryContent::try_from(r).map_err(|e| sqlx::Error::Decode(e.into())))
        .transpose()
}

/// A published or withdrawn advisory with its history, as the standard formats need it.
pub async fn published(
    db: &Db,
    row: &AdvisoryRow,
) -> Result<Option<PublishedAdvisory>, sqlx::Error> {
    let (Some(reference), Some(initial), Some(current)) =
        (&row.reference, row.published_at, row.current_release_at)
    else {
        return Ok(None);
    };
    let mut notes: Vec<RevisionNote> = revisions(db, row.id)
        .await?
        .into_iter()
        .map(|r| RevisionNote {
            number: r.number,
            date: r.created_at,
            summary: r.summary,
        })
        .collect();
    if let (Some(at), Some(reason)) = (row.withdrawn_at, &row.withdrawn_reason) {
        notes.push(RevisionNote {
            number: row.revision + 1,
            date: at,
            summary: format!("Withdrawn: {reason}"),
        });
    }
    let current = row.withdrawn_at.unwrap_or(current);
    Ok(Some(PublishedAdvisory {
        id: row.id,
        reference: reference.clone(),
        content: row.content.clone(),
        revisions: notes,
        initial_release: initial,
        current_release: current,
        withdrawn_reason: row.withdrawn_reason.clone(),
    }))
}

/// Every published or withdrawn advisory with the given TLP labels, newest first.
pub async fn released(db: &Db, tlp: &[Tlp]) -> Result<Vec<PublishedAdvisory>, sqlx::Error> {
    let rows = list(db, &[AdvisoryStatus::Published, AdvisoryStatus::Withdrawn]).await?;
    let mut out = Vec::new();
    for row in rows.iter().filter(|r| tlp.contains(&r.tlp)) {
        if let Some(p) = published(db, row).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The organisations an audience names, excluding the national team itself.
pub async fn audience_organisations(
    tx: &mut Tx,
    audience: &Audience,
) -> Result<Vec<OrgId>, sqlx::Error> {
    let all: Vec<(OrgId, OrgType)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, org_type FROM organisations WHERE org_type <> 'national_team' ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    Ok(match audience {
        Audience::All => all.into_iter().map(|(id, _)| id).collect(),
        Audience::Types(types) => all
            .into_iter()
            .filter(|(_, t)| types.contains(t))
            .map(|(id, _)| id)
            .collect(),
        // The audience is advisory content (stored and served as JSON), which names
        // organisations by bare UUID.
        Audience::Organisations(ids) => all
            .into_iter()
            .filter(|(id, _)| ids.contains(&id.as_uuid()))
            .map(|(id, _)| id)
            .collect(),
    })
}

/// [`COLUMNS`] of the advisories table named `a` in a join.
fn joined_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every released advisory addressed to `org`, newest first.
pub async fn addressed_to(db: &Db, org: OrgId) -> Result<Vec<AdvisoryRow>, sqlx::Error> {
    let cols = joined_columns();
    let sql = format!(
        "SELECT {cols} FROM alert_advisories a JOIN alert_responses r ON r.advisory_id = a.id \
         WHERE r.organisation_id = $1 AND a.status IN ('published', 'withdrawn') \
         ORDER BY a.current_release_at DESC"
    );
    with_db!(db, |pool| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(org)
        .fetch_all(pool)
        .await)
}

/// The published (live) advisories addressed to `org`, read in `tx`.
pub async fn live_for(tx: &mut Tx, org: OrgId) -> Result<Vec<AdvisoryRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM alert_advisories a JOIN alert_responses r ON r.advisory_id = a.id \
         WHERE r.organisation_id = $1 AND a.status = 'published'",
        joined_columns()
    );
    with_tx!(tx, |c| sqlx::query_as::<_, AdvisoryRow>(&sql)
        .bind(org)
        .fetch_all(c)
        .await)
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    /// One advisory row as `SELECT` gives it, with `status` and `content` as stored.
    async fn read_row(status: &str, content: &str) -> Result<AdvisoryRow, sqlx::Error> {
        let mut db = SqliteConnection::connect("sqlite::memory:").await?;
        sqlx::query_as(
            "SELECT $1 AS id, NULL AS reference, $2 AS status, $3 AS content, \
             'high' AS severity, 'CLEAR' AS tlp, 't' AS title, 0 AS revision, NULL AS kev_cve, \
             $1 AS created_by, $4 AS created_at, $4 AS updated_at, NULL AS submitted_by, \
             NULL AS submitted_at, NULL AS reviewed_by, NULL AS published_at, \
             NULL AS current_release_at, NULL AS withdrawn_at, NULL AS withdrawn_reason",
        )
        .bind(Uuid::nil())
        .bind(status)
        .bind(content)
        .bind(now())
        .fetch_one(&mut db)
        .await
    }

    #[tokio::test]
    async fn unknown_status_or_unreadable_content_is_an_error_not_a_default() {
        let content = AdvisoryContent {
            title: "A test advisory".into(),
            severity: Severity::High,
            severity_reason: "Exploited".into(),
            tlp: Tlp::AmberStrict,
            summary: "Patch.".into(),
            actively_exploited: true,
            in_kev: false,
            affected: vec![],
            cves: vec![],
            remediation: vec!["Update".into()],
            workarounds: vec![],
            references: vec![],
            audience: Audience::Types(vec![OrgType::GpPractice]),
            ack_required: true,
            ack_hours: Some(48),
        };
        let json = encode(&content).unwrap();
        let row = read_row("in_review", &json).await.unwrap();
        assert_eq!(row.status, AdvisoryStatus::InReview);
        assert_eq!(row.content, content);
        let bogus = read_row("bogus", &json).await.unwrap_err();
        assert!(matches!(bogus, sqlx::Error::ColumnDecode { .. }), "{bogus}");
        let broken = read_row("draft", "{\"title\": 1}").await.unwrap_err();
        assert!(
            matches!(broken, sqlx::Error::ColumnDecode { .. }),
            "{broken}"
        );
    }
}
