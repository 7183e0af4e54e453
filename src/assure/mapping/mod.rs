//! Mappings between frameworks: which requirement of one relates to which of another, and
//! how (NIST OLIR's equal, subset, superset and intersect). What a mapping file says
//! (`model.rs`), the rules it must keep against the frameworks it joins (`check.rs`, pure),
//! reading the built-in mappings or a content folder's (`load.rs`), and proposing answers
//! in one framework from an assessment in another (`projection.rs`, pure).

pub mod check;
pub mod load;
pub mod model;
pub mod projection;
