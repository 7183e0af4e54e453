//! What live evidence reads about one organisation: the advisories addressed to it with
//! its response to each. Every query names the organisation, so one organisation's
//! responses are never read for another.

use time::OffsetDateTime;

use crate::{
    alerts::model::{AdvisoryContent, AdvisoryStatus, ResponseState, Severity},
    platform::{db::Db, ids::OrgId},
    with_db,
};

/// An advisory addressed to the organisation, with the organisation's response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AddressedRow {
    pub reference: String,
    pub title: String,
    pub severity: Severity,
    pub status: AdvisoryStatus,
    /// The current revision's content (for acknowledgement and known exploitation).
    #[sqlx(try_from = "String")]
    pub content: AdvisoryContent,
    pub kev_cve: Option<String>,
    pub state: ResponseState,
    pub targeted_at: OffsetDateTime,
    pub ack_due_at: Option<OffsetDateTime>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub next_update_due_at: Option<OffsetDateTime>,
    pub likely_affected: bool,
}

/// The advisories that reached organisation `org` from `since` until `at`, and any earlier
/// ones whose response is still open (they can be overdue or unpatched now), oldest
/// first. Uses the `alert_responses (organisation_id, state)` index.
pub async fn addressed(
    db: &Db,
    org: OrgId,
    since: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<Vec<AddressedRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, AddressedRow>(
        "SELECT a.reference, a.title, a.severity, a.status, a.content, a.kev_cve, r.state, \
         r.targeted_at, r.ack_due_at, r.acknowledged_at, r.next_update_due_at, r.likely_affected \
         FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
         WHERE r.organisation_id = $1 AND a.reference IS NOT NULL AND r.targeted_at <= $3 \
         AND (r.targeted_at >= $2 OR r.state IN ('awaiting', 'acknowledged', 'remediating')) \
         ORDER BY r.targeted_at, a.reference"
    )
    .bind(org)
    .bind(since)
    .bind(at)
    .fetch_all(pool)
    .await)
}
