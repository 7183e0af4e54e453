//! Alerts: the national team publishes threat advisories; each organisation it is addressed
//! to acknowledges it by a deadline, decides whether it applies, remediates and closes it;
//! the national team sees who has not, and the service chases them.
//!
//! - `model`: the advisory, its labels and the response states (plain data).
//! - `rules`: version ranges and inventory matching, CVSS, what an analyst may write,
//!   deadlines and the escalation ladder, the response workflow, dashboard figures (pure).
//! - `kev`, `inventory_files`: reading the CISA KEV catalogue and inventory uploads.
//! - `csaf`, `feeds`: CSAF 2.0 documents, the provider metadata, ROLIE and Atom feeds.
//! - `store`: all SQL of the service.
//! - `access`, `withheld`: who may read an advisory under its TLP label, and the notice
//!   that stands for a TLP:RED one in feeds, webhooks, emails and the API.
//! - `publishing`, `responding`, `escalation`, `webhooks`, `emails`: the work behind pages.
//! - `manage`, `inbox`, `inventory`, `channels`, `public`, `api`: the HTTP handlers.
//! - `live_evidence`: responses and exposure as evidence for self-assessment.

pub mod access;
pub mod api;
pub mod channels;
pub mod csaf;
pub mod dashboard;
pub mod demo;
pub mod emails;
pub mod escalation;
pub mod feeds;
pub mod home;
pub mod inbox;
pub mod inventory;
pub mod inventory_files;
pub mod inventory_schema;
pub mod kev;
pub mod kev_import;
pub mod live_evidence;
pub mod manage;
pub mod model;
pub mod public;
pub mod publishing;
pub mod responding;
pub mod rules;
pub mod service;
pub mod store;
pub mod views;
pub mod webhooks;
pub mod withheld;

use crate::platform::web::routes::Route;

pub use service::service;

/// Every route of the Alerts service.
fn routes() -> Vec<Route> {
    let mut all = manage::routes();
    all.extend(dashboard::routes());
    all.extend(kev_import::routes());
    all.extend(inbox::routes());
    all.extend(inventory::routes());
    all.extend(channels::routes());
    all.extend(public::routes());
    all.extend(api::routes());
    all
}
