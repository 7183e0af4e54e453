//! Rendering pages.

use askama::Template;
use axum::response::Html;

use crate::platform::{error::AppResult, web::shell::Shell};

/// Renders an askama template into an HTML response.
pub fn render(template: &impl Template) -> AppResult<Html<String>> {
    Ok(Html(template.render()?))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell,
    message: &'a str,
}

/// The friendly error page. Falls back to plain text if even that cannot be rendered.
pub fn render_error_page(shell: Shell, message: &str) -> Html<String> {
    let title = shell.title.clone();
    match (ErrorPage { shell, message }).render() {
        Ok(html) => Html(html),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            Html(format!(
                "<!DOCTYPE html><title>{title}</title><p>{message}</p>"
            ))
        }
    }
}
