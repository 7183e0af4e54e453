//! The documents the Alerts API answers with, and the query it reads when listing: plain
//! serde types whose utoipa schemas make up the OpenAPI document's components. The request
//! body of a change of state, which has a hand-written schema, is in `state_change`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::alerts::{
    model::{
        AdvisoryContent, AdvisoryStatus, InventoryItem, ResponseState, RevisionNote, Severity, Tlp,
    },
    publishing,
    rules::matching::MatchReason,
};

/// The organisation's response to one advisory, in brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponseSummary {
    pub state: ResponseState,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// Whether the organisation's inventory has an affected version of a product the
    /// advisory names.
    pub likely_affected: bool,
    /// When the next progress update is due, while remediation is in progress.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update_due_at: Option<OffsetDateTime>,
}

/// One advisory addressed to the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisorySummary {
    #[schema(example = "CC-2026-0042")]
    pub reference: String,
    #[schema(example = "Log4j remote code execution")]
    pub title: String,
    pub severity: Severity,
    pub tlp: Tlp,
    /// `published`, or `withdrawn` when no response is needed any more.
    pub status: AdvisoryStatus,
    /// When the advisory was first published.
    #[serde(with = "time::serde::rfc3339")]
    pub published: OffsetDateTime,
    /// When its current revision was published.
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    /// Whether the organisation must acknowledge the advisory (by `ack_due_at`).
    pub ack_required: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ack_due_at: Option<OffsetDateTime>,
    pub response: ResponseSummary,
}

/// The advisories addressed to the organisation, most urgent first: open responses before
/// closed ones (and withdrawn advisories), then the earliest deadline, then the most
/// severe, then the newest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryList {
    pub data: Vec<AdvisorySummary>,
}

/// An inventory item that matched one of the advisory's affected products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchedInventoryItem {
    #[schema(example = "Apache")]
    pub vendor: String,
    #[schema(example = "log4j-core")]
    pub product: String,
    #[schema(example = "2.14.1")]
    pub version: String,
    #[schema(example = "Payroll servers")]
    pub location: String,
    pub count: i64,
    /// The affected product it matched.
    #[schema(example = "Apache Log4j")]
    pub affects: String,
    /// What the match rests on: package URL, CPE name, or vendor and product name.
    pub reason: MatchReason,
}

impl From<publishing::MatchedItem> for MatchedInventoryItem {
    fn from(m: publishing::MatchedItem) -> Self {
        MatchedInventoryItem {
            vendor: m.vendor,
            product: m.product,
            version: m.version,
            location: m.location,
            count: m.count,
            affects: m.affects,
            reason: m.reason,
        }
    }
}

/// One entry of the response's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What happened, e.g. "Acknowledged" or "Progress update".
    #[schema(example = "Progress update")]
    pub event: String,
    #[schema(example = "Patched 40 of 120 servers")]
    pub note: String,
    /// The person who recorded it; empty when an API token did (the note names it).
    pub by: Option<String>,
}

/// The organisation's whole response to an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryResponse {
    pub state: ResponseState,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ack_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// When the organisation decided whether the advisory applies.
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Why it does not apply, why the risk was accepted, or why it was reopened.
    pub reason: Option<String>,
    /// Who owns an accepted risk.
    pub risk_owner: Option<String>,
    /// Days between progress updates while remediating.
    pub update_days: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub likely_affected: bool,
    /// The inventory items that make the organisation likely affected.
    pub matched_items: Vec<MatchedInventoryItem>,
    /// What has been recorded, newest first.
    pub timeline: Vec<TimelineEntry>,
}

/// A whole advisory with the organisation's response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryDetail {
    #[schema(example = "CC-2026-0042")]
    pub reference: String,
    pub status: AdvisoryStatus,
    /// The number of the current revision, from 1.
    pub revision: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub published: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_reason: Option<String>,
    pub content: AdvisoryContent,
    /// Every revision, oldest first; a withdrawal is the last entry.
    pub revisions: Vec<RevisionNote>,
    pub response: AdvisoryResponse,
}

/// The organisation's software inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InventoryList {
    /// The items in the order they were uploaded.
    pub data: Vec<InventoryItem>,
    /// When the inventory was last replaced; empty if it never has been.
    #[serde(with = "time::serde::rfc3339::option")]
    pub uploaded_at: Option<OffsetDateTime>,
}

/// What replacing the inventory did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InventoryReplaced {
    /// How many items the inventory now has.
    #[schema(example = 240)]
    pub items: u64,
    /// How many live advisories addressed to the organisation its inventory now matches.
    #[schema(example = 1)]
    pub likely_affected_advisories: u64,
    /// SBOM components not imported because they name no supplier, CPE or package URL, so
    /// no advisory could match them.
    #[schema(example = json!(["Component 1 ('debian')"]))]
    pub left_out: Vec<String>,
}

/// Which advisories to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryQuery {
    /// Only advisories whose response is in this state.
    #[param(value_type = Option<ResponseState>, example = "awaiting")]
    pub state: Option<String>,
}
