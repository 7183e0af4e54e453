//! The web shell: page layout and navigation, static assets, cookies, CSRF protection,
//! security headers, form errors and the home page's panels.

pub mod assets;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod forms;
pub mod headers;
pub mod home;
pub mod page;
pub mod routes;
pub mod shell;
pub mod upload;
