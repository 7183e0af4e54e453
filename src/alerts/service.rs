//! Alerts as the platform composes it: its pages and API, webhook deliveries, the
//! escalation scan, its menu entries, demonstration data and the check of the demo
//! advisories' content files, sealing webhook secrets an older version stored in plain
//! text, and the organisation's responses and exposure as live evidence.

use time::OffsetDateTime;
use utoipa::OpenApi;

use crate::{
    alerts::{
        api, demo, escalation, home, inventory_schema, live_evidence, store::channels, webhooks,
    },
    platform::{
        AppState,
        authz::Principal,
        db::Db,
        error::AppResult,
        evidence::LiveEvidence,
        ids::OrgId,
        secrets::SecretBox,
        service::{BoxFuture, DemoContext, JobContext, NavLink, SCAN_EVERY, Service},
        web::home::HomePanel,
    },
};

pub fn service() -> Service {
    Service::new("alerts")
        .routes(super::routes())
        .job(webhooks::JOB_KIND, deliver)
        .scan("advisory escalation", SCAN_EVERY, escalate)
        .openapi(AlertsApi::openapi)
        .nav(nav)
        .home(home_panels)
        .demo(load_demo)
        .prepare(prepare)
        .content_check(demo::check_folder)
        .evidence(evidence)
}

/// Alerts' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::list_advisories, api::read_advisory, api::acknowledge,
        api::change_state, api::read_inventory, api::replace_inventory),
    components(schemas(api::AdvisoryList, api::AdvisorySummary, api::AdvisoryDetail,
        api::AdvisoryResponse, api::StateChange, api::InventoryList, api::InventoryReplaced,
        inventory_schema::InventoryCsv, inventory_schema::InventorySbom)),
    tags((name = "Alerts", description = "Threat advisories addressed to the organisation, its \
        responses to them, and its software inventory"))
)]
struct AlertsApi;

fn deliver(job: JobContext<'_>) -> BoxFuture<'_, anyhow::Result<Option<serde_json::Value>>> {
    Box::pin(async move {
        webhooks::deliver(job.state, job.payload).await?;
        Ok(None)
    })
}

fn escalate(state: &AppState, at: OffsetDateTime) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move {
        escalation::scan(&state.db, &state.config.public_url, at).await?;
        Ok(())
    })
}

/// The national team writes advisories; everyone else reads the ones addressed to them.
fn nav(p: &Principal) -> Vec<NavLink> {
    if p.is_national() {
        vec![NavLink::new("Advisories", "/alerts/manage", 20)]
    } else {
        vec![NavLink::new("Alerts", "/alerts", 70)]
    }
}

fn load_demo<'a>(demo: &'a DemoContext<'a>) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(demo::load(demo.db, demo.secrets, demo.public_url))
}

fn prepare<'a>(db: &'a Db, secrets: &'a SecretBox) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        let sealed = channels::seal_plain_webhook_secrets(db, secrets).await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed webhook secrets stored in plain text");
        }
        channels::check_webhook_key(db, secrets).await
    })
}

fn home_panels<'a>(
    state: &'a AppState,
    p: &'a Principal,
) -> BoxFuture<'a, AppResult<Vec<HomePanel>>> {
    Box::pin(home::panels(state, p))
}

fn evidence(
    state: &AppState,
    org: OrgId,
    at: OffsetDateTime,
) -> BoxFuture<'_, anyhow::Result<Vec<LiveEvidence>>> {
    Box::pin(live_evidence::evidence(state, org, at))
}
