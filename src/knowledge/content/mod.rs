//! Course content: the file format authors write, its checks, safe Markdown rendering and
//! loading from the built-in files, a folder or an uploaded archive; and where its sources are
//! relied on.

pub mod check;
pub mod load;
pub mod markdown;
pub mod model;
pub mod provenance;
