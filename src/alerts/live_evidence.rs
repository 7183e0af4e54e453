//! Alerts' live evidence for self-assessment: how the organisation acknowledges national
//! advisories, and which open advisories match its software inventory.

use time::OffsetDateTime;

use crate::{
    alerts::{
        model::AdvisoryStatus,
        rules::live_evidence::{
            Addressed, Inventory, WINDOW, alerts_evidence, known_exploited, patching_evidence,
        },
        store::{evidence, inventory},
    },
    platform::{AppState, evidence::LiveEvidence, ids::OrgId, tenants},
};

/// The alerts and patching evidence of organisation `org` at `at`. Nothing for an
/// organisation that does not exist or for the national team, which writes advisories
/// rather than receiving them.
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
    let rows: Vec<Addressed> = evidence::addressed(&state.db, org, at - WINDOW, at)
        .await?
        .into_iter()
        .map(|r| Addressed {
            known_exploited: known_exploited(&r.content, r.kev_cve.as_deref()),
            ack_required: r.content.ack_required,
            live: r.status == AdvisoryStatus::Published,
            reference: r.reference,
            title: r.title,
            severity: r.severity,
            state: r.state,
            targeted_at: r.targeted_at,
            ack_due_at: r.ack_due_at,
            acknowledged_at: r.acknowledged_at,
            next_update_due_at: r.next_update_due_at,
            likely_affected: r.likely_affected,
        })
        .collect();
    let inventory = inventory::upload(&state.db, org).await?.map(|u| Inventory {
        items: u.item_count,
        uploaded_at: u.uploaded_at,
    });
    Ok(vec![
        alerts_evidence(org, &rows, at),
        patching_evidence(org, inventory, &rows, at),
    ])
}
