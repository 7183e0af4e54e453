//! Knowledge's live evidence for self-assessment: the organisation's coverage of the
//! mandatory course against its target, counted as its training dashboard counts it.

use time::{Duration, OffsetDateTime};

use crate::{
    knowledge::{
        dashboard::{self, mandatory_course},
        rules::{
            expiry::EXPIRING_SOON_DAYS,
            live_evidence::{TrainingFacts, training_evidence},
        },
        store::reports,
    },
    platform::{AppState, evidence::LiveEvidence, ids::OrgId, tenants},
};

/// The training evidence of organisation `org` at `at`. Nothing for an organisation that
/// does not exist or has no coverage of its own (the national team).
pub async fn evidence(
    state: &AppState,
    org: OrgId,
    at: OffsetDateTime,
) -> anyhow::Result<Vec<LiveEvidence>> {
    let Some(organisation) = tenants::by_id(&state.db, org).await? else {
        return Ok(vec![]);
    };
    if organisation.is_national_team() {
        return Ok(vec![]);
    }
    let course = mandatory_course(state).await?;
    // With no mandatory course nobody can be trained: an unmatchable slug counts that.
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let target = dashboard::org_target(state, org).await?;
    let soon = at + Duration::days(EXPIRING_SOON_DAYS);
    let counts = reports::group_counts(&state.db, org, slug, at, soon).await?;
    let summary = dashboard::summarise(&counts, target);
    let facts = TrainingFacts {
        course: course.map(|c| c.1),
        trained: summary.overall.trained,
        total: summary.overall.total,
        expiring_soon: summary.expiring_soon,
        target,
    };
    Ok(vec![training_evidence(org, &facts)])
}
