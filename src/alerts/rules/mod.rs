//! The rules of the Alerts service, as plain functions with no I/O: where webhooks may go,
//! the two-person rule for advisory texts, version ranges and inventory matching, CVSS
//! scores, what an analyst may write, deadlines and the escalation ladder, the response
//! workflow, the figures on the dashboards, and what responses suggest as live evidence.

pub mod addresses;
pub mod content;
pub mod cvss;
pub mod deadlines;
pub mod live_evidence;
pub mod matching;
pub mod reference;
pub mod responses;
pub mod review;
pub mod stats;
pub mod versions;
