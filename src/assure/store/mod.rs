//! All SQL of Assure: the stored framework versions, and assessments with their answers and
//! assignments.

pub mod assessments;
pub mod evidence;
pub mod frameworks;
