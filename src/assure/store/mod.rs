//! Assure's SQL.

pub mod frameworks;
