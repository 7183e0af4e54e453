//! What every page's layout needs: title, navigation that fits the person's roles,
//! breadcrumbs, the CSRF token for forms, and a one-off notice after an action.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::platform::{
    AppState,
    authz::{CurrentUser, Principal},
    error::AppError,
    service::mark_current,
    web::{assets, cookies, csrf::CsrfToken},
};

#[derive(Debug, Clone)]
pub struct NavItem {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: String,
}

/// Versioned URLs of the stylesheets and scripts.
#[derive(Debug)]
pub struct AssetUrls {
    pub css: &'static str,
    pub app_css: &'static str,
    pub app_js: &'static str,
}

static ASSETS: std::sync::LazyLock<AssetUrls> = std::sync::LazyLock::new(|| AssetUrls {
    css: assets::css_url(),
    app_css: assets::app_css_url(),
    app_js: assets::app_js_url(),
});

#[derive(Debug, Clone)]
pub struct Shell {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub breadcrumbs: Vec<Crumb>,
    pub csrf: String,
    pub signed_in_as: Option<String>,
    pub notice: Option<String>,
    pub has_errors: bool,
    pub assets: &'static AssetUrls,
}

impl Shell {
    /// A shell with no navigation, for error pages.
    pub fn bare(title: &str) -> Self {
        Shell {
            title: title.to_owned(),
            nav: vec![],
            breadcrumbs: vec![],
            csrf: String::new(),
            signed_in_as: None,
            notice: None,
            has_errors: false,
            assets: &ASSETS,
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.breadcrumbs.push(Crumb {
            label: label.into(),
            href: href.into(),
        });
        self
    }

    /// Marks the page as showing form errors (the title then starts with "Error:").
    pub fn with_errors(mut self, has_errors: bool) -> Self {
        self.has_errors = has_errors;
        self
    }
}

/// The person looking at a page, and what the layout needs to show it to them.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Option<Principal>,
    pub csrf: String,
    pub notice: Option<String>,
    pub path: String,
    /// The menu for this person on this page, from every service's entries.
    pub nav: Vec<NavItem>,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<CurrentUser>()
            .and_then(|c| c.0.clone());
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let notice = parts
            .extensions
            .get::<cookies::Notice>()
            .map(|n| n.0.clone());
        let path = parts.uri.path().to_owned();
        let nav = principal
            .as_ref()
            .map(|p| mark_current(state.services.navigation(p), &path))
            .unwrap_or_default();
        Ok(Viewer {
            principal,
            csrf,
            notice,
            path,
            nav,
        })
    }
}

impl Viewer {
    pub fn shell(&self, title: impl Into<String>) -> Shell {
        Shell {
            title: title.into(),
            nav: self.nav.clone(),
            breadcrumbs: vec![],
            csrf: self.csrf.clone(),
            signed_in_as: self.principal.as_ref().map(|p| p.name.clone()),
            notice: self.notice.clone(),
            has_errors: false,
            assets: &ASSETS,
        }
    }

    /// The signed-in person. Routes that call this are registered with a rule that
    /// requires sign-in, so the error is a safety net.
    pub fn user(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or_else(|| AppError::SignIn {
            next: self.path.clone(),
        })
    }
}
