//! Assure's rules, as plain functions with no I/O: what an answer is, the assessment year,
//! an assessment's life, and (beside these) scoring, outcome levels, profile gaps, what
//! moved a score and how gaps are ranked.

pub mod answer;
pub mod cycle;
pub mod evidence;
pub mod lifecycle;
pub mod live;
pub mod moved;
pub mod outcome;
pub mod priority;
pub mod profile;
pub mod scoring;

#[cfg(test)]
pub(crate) mod test_framework;
