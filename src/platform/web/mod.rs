//! The web shell: page layout and navigation, static assets, cookies, CSRF protection,
//! security headers, form errors, the home page's panels, and how every page writes
//! dates, numbers, paged lists and CSV downloads.

pub mod assets;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod csv;
pub mod date_input;
pub mod format;
pub mod forms;
pub mod headers;
pub mod home;
pub mod page;
pub mod paging;
pub mod routes;
pub mod shell;
pub mod upload;
