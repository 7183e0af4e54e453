//! The Knowledge service's rules, as plain functions without I/O: drawing and grading
//! assessments, expiry and reminders, coverage and the training needs analysis.

pub mod coverage;
pub mod draw;
pub mod expiry;
pub mod grading;
#[cfg(test)]
pub(crate) mod test_course;
