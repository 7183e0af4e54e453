//! The Knowledge service's storage. Learner records are keyed by person, not organisation,
//! so they follow someone who moves; organisation views reach them through memberships.

pub mod attempts;
pub mod courses;
pub mod evidence;
pub mod learning;
pub mod needs;
pub mod reminder_limits;
pub mod reports;
