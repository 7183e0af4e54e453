//! Standards as versioned data: what a framework file says (`model.rs`), the rules a
//! framework must keep (`check.rs`, pure), reading a framework folder or the built-in ones
//! (`load.rs`), and turning an OSCAL catalog into a framework (`oscal.rs`).

pub mod check;
pub mod load;
pub mod model;
pub mod oscal;
