//! The Knowledge service's rules, as plain functions without I/O: drawing and grading
//! assessments, expiry and reminders, how often reminders may be sent on demand, coverage,
//! the training needs analysis and what coverage suggests as live evidence.

pub mod assignments;
pub mod coverage;
pub mod draw;
pub mod evaluation;
pub mod expiry;
pub mod grading;
pub mod live_evidence;
pub mod needs;
pub mod reminder_limits;
#[cfg(test)]
pub(crate) mod test_course;
