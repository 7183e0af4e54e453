//! The audit log as the platform composes it: its pages for national administrators, and
//! recording the chain's head every hour so a later check notices deleted entries.

use time::OffsetDateTime;

use crate::platform::{
    AppState,
    authz::Principal,
    service::{BoxFuture, NavLink, SCAN_EVERY, Service},
};

pub fn service() -> Service {
    Service::new("audit")
        .routes(super::routes())
        .scan("recording the audit log head", SCAN_EVERY, record_head)
        .nav(nav)
}

/// Hourly across all instances: the database says when the head was last recorded.
fn record_head(state: &AppState, at: OffsetDateTime) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move { Ok(super::record_head_if_due(&state.db, &state.secrets, at).await?) })
}

fn nav(p: &Principal) -> Vec<NavLink> {
    if p.is_national_admin() {
        vec![NavLink::new("Audit log", "/admin/audit", 60)]
    } else {
        vec![]
    }
}
