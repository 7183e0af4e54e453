//! Storage of the evidence library: each piece belongs to one organisation and every read
//! names it; files are kept whole in the database (every instance serves the same bytes)
//! with their SHA-256, one row per revision, never changed.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    assure::rules::evidence::EvidenceKind,
    exec_tx,
    platform::{
        db::{Db, RowLock, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub title: String,
    pub kind: EvidenceKind,
    pub body: String,
    pub effective_on: Date,
    pub expires_on: Option<Date>,
    pub owner: UserId,
    pub owner_name: String,
    pub created_at: OffsetDateTime,
    /// The latest file revision, for a file.
    pub revision: Option<i64>,
    /// How many requirements it supports.
    pub uses: i64,
}

const SELECT: &str = "SELECT e.id, e.title, e.kind, e.body, e.effective_on, e.expires_on, \
    e.owner, u.name AS owner_name, e.created_at, \
    (SELECT MAX(r.revision) FROM evidence_revisions r WHERE r.evidence_id = e.id) AS revision, \
    (SELECT COUNT(*) FROM evidence_links l WHERE l.evidence_id = e.id) AS uses \
    FROM evidence e JOIN users u ON u.id = e.owner";

/// A file revision's description, without its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub revision: i64,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub note: String,
    pub uploaded_by_name: String,
    pub uploaded_at: OffsetDateTime,
}

/// A file revision's bytes and name, to download.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub filename: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// Where a piece of evidence is used.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UseRow {
    pub assessment_id: Uuid,
    pub framework: String,
    pub cycle: String,
    pub requirement: String,
}

pub struct NewEvidence<'a> {
    pub organisation: OrgId,
    pub title: &'a str,
    pub kind: EvidenceKind,
    pub body: &'a str,
    pub effective_on: Date,
    pub expires_on: Option<Date>,
    pub owner: UserId,
}

pub struct NewFile<'a> {
    pub filename: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub note: &'a str,
    pub by: UserId,
}

pub async fn create(tx: &mut Tx, e: &NewEvidence<'_>) -> Result<Uuid, sqlx::Error> {
    let id = new_id();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO evidence (id, organisation_id, title, kind, body, effective_on, expires_on, \
         owner, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(id)
    .bind(e.organisation)
    .bind(e.title)
    .bind(e.kind)
    .bind(e.body)
    .bind(e.effective_on)
    .bind(e.expires_on)
    .bind(e.owner)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// Adds a file revision; the caller holds the evidence's lock (see [`lock`]).
pub async fn add_revision(
    tx: &mut Tx,
    evidence: Uuid,
    f: &NewFile<'_>,
) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(revision) FROM evidence_revisions WHERE evidence_id = $1"
    )
    .bind(evidence)
    .fetch_one(c)
    .await)?;
    let revision = last.unwrap_or(0) + 1;
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO evidence_revisions (evidence_id, revision, filename, size, sha256, content, \
         note, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(evidence)
    .bind(revision)
    .bind(f.filename)
    .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
    .bind(f.sha256)
    .bind(f.content)
    .bind(f.note)
    .bind(f.by)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(revision)
}

/// The evidence, locked for a change until the transaction ends; none if it is another
/// organisation's.
pub async fn lock(tx: &mut Tx, org: OrgId, id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    let sql = format!(
        "SELECT id FROM evidence WHERE id = $1 AND organisation_id = $2{}",
        tx.row_lock(RowLock::Update)
    );
    with_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(id)
        .bind(org)
        .fetch_optional(c)
        .await)
}

/// The organisation's evidence, soonest to expire first.
pub async fn library(db: &Db, org: OrgId) -> Result<Vec<EvidenceRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE e.organisation_id = $1 \
         ORDER BY CASE WHEN e.expires_on IS NULL THEN 1 ELSE 0 END, e.expires_on, e.title"
    );
    with_db!(db, |pool| sqlx::query_as::<_, EvidenceRow>(&sql)
        .bind(org)
        .fetch_all(pool)
        .await)
}

pub async fn find(db: &Db, org: OrgId, id: Uuid) -> Result<Option<EvidenceRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE e.id = $1 AND e.organisation_id = $2");
    with_db!(db, |pool| sqlx::query_as::<_, EvidenceRow>(&sql)
        .bind(id)
        .bind(org)
        .fetch_optional(pool)
        .await)
}

pub async fn revisions(db: &Db, org: OrgId, id: Uuid) -> Result<Vec<RevisionRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, RevisionRow>(
        "SELECT r.revision, r.filename, r.size, r.sha256, r.note, u.name AS uploaded_by_name, \
         r.uploaded_at FROM evidence_revisions r \
         JOIN evidence e ON e.id = r.evidence_id AND e.organisation_id = $2 \
         JOIN users u ON u.id = r.uploaded_by WHERE r.evidence_id = $1 ORDER BY r.revision DESC"
    )
    .bind(id)
    .bind(org)
    .fetch_all(pool)
    .await)
}

pub async fn file(
    db: &Db,
    org: OrgId,
    id: Uuid,
    revision: i64,
) -> Result<Option<FileRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, FileRow>(
        "SELECT r.filename, r.sha256, r.content FROM evidence_revisions r \
         JOIN evidence e ON e.id = r.evidence_id AND e.organisation_id = $2 \
         WHERE r.evidence_id = $1 AND r.revision = $3"
    )
    .bind(id)
    .bind(org)
    .bind(revision)
    .fetch_optional(pool)
    .await)
}

/// The requirements a piece of evidence supports.
pub async fn uses(db: &Db, org: OrgId, id: Uuid) -> Result<Vec<UseRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, UseRow>(
        "SELECT l.assessment_id, a.framework, a.cycle, l.requirement FROM evidence_links l \
         JOIN evidence e ON e.id = l.evidence_id AND e.organisation_id = $2 \
         JOIN assessments a ON a.id = l.assessment_id AND a.organisation_id = $2 \
         WHERE l.evidence_id = $1 ORDER BY a.cycle DESC, a.framework, l.requirement"
    )
    .bind(id)
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// The evidence supporting one requirement of one assessment.
pub async fn for_requirement(
    db: &Db,
    org: OrgId,
    assessment: Uuid,
    requirement: &str,
) -> Result<Vec<EvidenceRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} JOIN evidence_links k ON k.evidence_id = e.id \
         WHERE e.organisation_id = $1 AND k.assessment_id = $2 AND k.requirement = $3 \
         ORDER BY e.title"
    );
    with_db!(db, |pool| sqlx::query_as::<_, EvidenceRow>(&sql)
        .bind(org)
        .bind(assessment)
        .bind(requirement)
        .fetch_all(pool)
        .await)
}

/// Links evidence to a requirement. Both must be the organisation's: the caller has found
/// the assessment under `org`, and the evidence is checked here.
pub async fn link(
    tx: &mut Tx,
    org: OrgId,
    evidence: Uuid,
    assessment: Uuid,
    requirement: &str,
    by: UserId,
) -> Result<bool, sqlx::Error> {
    let linked = exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO evidence_links (evidence_id, assessment_id, requirement, linked_by, linked_at) \
         SELECT e.id, $3, $4, $5, $6 FROM evidence e WHERE e.id = $1 AND e.organisation_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = $1 \
             AND l.assessment_id = $3 AND l.requirement = $4)"
    )
    .bind(evidence)
    .bind(org)
    .bind(assessment)
    .bind(requirement)
    .bind(by)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(linked > 0)
}

pub async fn unlink(
    tx: &mut Tx,
    org: OrgId,
    evidence: Uuid,
    assessment: Uuid,
    requirement: &str,
) -> Result<bool, sqlx::Error> {
    let removed = exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM evidence_links WHERE evidence_id = $1 AND assessment_id = $2 \
         AND requirement = $3 \
         AND EXISTS (SELECT 1 FROM evidence e WHERE e.id = $1 AND e.organisation_id = $4)"
    )
    .bind(evidence)
    .bind(assessment)
    .bind(requirement)
    .bind(org)
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// Evidence expiring by `horizon`, with its owner's email and name and when they were
/// last reminded, across every organisation (for the reminder scan).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Expiring {
    pub id: Uuid,
    pub organisation_id: OrgId,
    pub title: String,
    pub expires_on: Date,
    pub reminded_at: Option<OffsetDateTime>,
    pub owner_email: String,
    pub owner_name: String,
}

pub async fn expiring_by(db: &Db, horizon: Date) -> Result<Vec<Expiring>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Expiring>(
        "SELECT e.id, e.organisation_id, e.title, e.expires_on, e.reminded_at, \
         u.email AS owner_email, u.name AS owner_name FROM evidence e \
         JOIN users u ON u.id = e.owner WHERE e.expires_on IS NOT NULL AND e.expires_on <= $1"
    )
    .bind(horizon)
    .fetch_all(pool)
    .await)
}

/// Claims the reminder for one piece of evidence: true for exactly one instance.
pub async fn claim_reminder(
    tx: &mut Tx,
    id: Uuid,
    previous: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let claimed = exec_tx!(tx, |c| sqlx::query(
        "UPDATE evidence SET reminded_at = $2 WHERE id = $1 \
         AND (reminded_at = $3 OR (reminded_at IS NULL AND $3 IS NULL))"
    )
    .bind(id)
    .bind(at)
    .bind(previous)
    .execute(c)
    .await)?;
    Ok(claimed == 1)
}
