//! The Knowledge service's rules, as plain functions without I/O: drawing and grading
//! assessments, expiry and reminders, how often reminders may be sent on demand, coverage and the training needs analysis.

pub mod assignments;
pub mod coverage;
pub mod draw;
pub mod evaluation;
pub mod expiry;
pub mod grading;
pub mod needs;
pub mod reminder_limits;
#[cfg(test)]
pub(crate) mod test_course;
