//! What every page's layout needs: title, navigation that fits the person's roles,
//! breadcrumbs, the CSRF token for forms, and a one-off notice after an action.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::platform::{
    authz::{CurrentUser, Principal},
    error::AppError,
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
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
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
        Ok(Viewer {
            principal,
            csrf,
            notice,
            path: parts.uri.path().to_owned(),
        })
    }
}

impl Viewer {
    pub fn shell(&self, title: impl Into<String>) -> Shell {
        Shell {
            title: title.into(),
            nav: self
                .principal
                .as_ref()
                .map(|p| navigation(p, &self.path))
                .unwrap_or_default(),
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

/// The menu for a person, from their roles.
pub fn navigation(p: &Principal, current_path: &str) -> Vec<NavItem> {
    // Everyone is a learner, whatever else they do.
    let mut items: Vec<(String, String)> = vec![
        ("Home".into(), "/".into()),
        ("My training".into(), "/training".into()),
    ];
    if p.is_national() {
        items.push(("Advisories".into(), "/alerts/manage".into()));
        items.push(("Organisations".into(), "/admin/organisations".into()));
        items.push(("Training coverage".into(), "/national/training".into()));
    }
    if p.is_national_admin() {
        items.push(("Courses".into(), "/admin/courses".into()));
        items.push(("Audit log".into(), "/admin/audit".into()));
    }
    if !p.is_national() {
        items.push(("Alerts".into(), "/alerts".into()));
    }
    let led: Vec<_> = p.led_organisations().collect();
    for m in &led {
        let label = if led.len() == 1 {
            "Your organisation".to_owned()
        } else {
            m.organisation_name.clone()
        };
        let training = if led.len() == 1 {
            "Training".to_owned()
        } else {
            format!("Training: {}", m.organisation_name)
        };
        items.push((label, format!("/organisations/{}", m.organisation_id)));
        items.push((
            training,
            format!("/organisations/{}/training", m.organisation_id),
        ));
    }
    items.push(("Your account".into(), "/account".into()));
    let within = |href: &str| {
        current_path == href || (href != "/" && current_path.starts_with(&format!("{href}/")))
    };
    // Only the most specific section is current: on an organisation's training page that
    // is "Training", not also "Your organisation".
    let best = items
        .iter()
        .filter(|(_, href)| within(href))
        .map(|(_, href)| href.len())
        .max();
    items
        .into_iter()
        .map(|(label, href)| NavItem {
            current: within(&href) && Some(href.len()) == best,
            label,
            href,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::platform::authz::{Membership, Role};

    fn person(role: Role) -> Principal {
        Principal {
            user_id: (Uuid::nil()).into(),
            name: "Ann".into(),
            email: "ann@example.org".into(),
            memberships: vec![Membership {
                organisation_id: (Uuid::nil()).into(),
                organisation_name: "Trust".into(),
                role,
            }],
            two_step_enrolled: true,
            two_step_verified: true,
        }
    }

    fn labels(role: Role) -> Vec<String> {
        navigation(&person(role), "/")
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn the_menu_fits_the_role() {
        assert_eq!(
            labels(Role::Staff),
            ["Home", "My training", "Alerts", "Your account"]
        );
        assert_eq!(
            labels(Role::SecurityLead),
            [
                "Home",
                "My training",
                "Alerts",
                "Your organisation",
                "Training",
                "Your account"
            ]
        );
        assert_eq!(
            labels(Role::NationalAnalyst),
            [
                "Home",
                "My training",
                "Advisories",
                "Organisations",
                "Training coverage",
                "Your account"
            ]
        );
        assert_eq!(
            labels(Role::NationalAdmin),
            [
                "Home",
                "My training",
                "Advisories",
                "Organisations",
                "Training coverage",
                "Courses",
                "Audit log",
                "Your account"
            ]
        );
    }

    #[test]
    fn only_the_most_specific_section_is_current() {
        let path = format!("/organisations/{}/training", Uuid::nil());
        let nav = navigation(&person(Role::SecurityLead), &path);
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Training"]);
        let staff = format!("/organisations/{}/staff", Uuid::nil());
        let nav = navigation(&person(Role::SecurityLead), &staff);
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Your organisation"]);
    }

    #[test]
    fn the_current_section_is_marked() {
        let nav = navigation(&person(Role::NationalAdmin), "/admin/organisations/new");
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Organisations"]);
    }
}
