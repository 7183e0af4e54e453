//! Course content: the file format authors write, its checks, safe Markdown rendering and
//! loading from the built-in files, a folder or an uploaded archive.

pub mod check;
pub mod load;
pub mod markdown;
pub mod model;
