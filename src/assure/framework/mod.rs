//! Standards as versioned data: what a framework file says (`model.rs`), the rules a
//! framework must keep (`check.rs`, pure), reading a framework folder or the built-in ones
//! (`load.rs`), reading an OSCAL catalog into a requirement tree (`oscal.rs`), and making a
//! framework of a catalog someone brings (`import.rs`).

pub mod check;
pub mod import;
pub mod load;
pub mod model;
pub mod oscal;
