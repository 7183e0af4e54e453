//! Pages that belong to no one service: the home page and the service's statements.
//!
//! The signed-in home page is built from the panels each service contributes (see
//! [`crate::platform::web::home`]): what needs the person's attention, then their
//! organisations.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use crate::platform::{
    AppState,
    authz::{Membership, Principal, Rule},
    error::AppResult,
    service::{NavLink, Service},
    web::{
        home::HomePanel,
        page::render,
        routes::Route,
        shell::{Shell, Viewer},
    },
};

/// These pages as the platform composes them, with the first entry of the menu.
pub fn service() -> Service {
    Service::new("pages").routes(routes()).nav(nav)
}

fn nav(_: &Principal) -> Vec<NavLink> {
    vec![NavLink::new("Home", "/", 0)]
}

fn routes() -> Vec<Route> {
    vec![
        Route::get("/", Rule::Public, home),
        Route::get("/accessibility", Rule::Public, accessibility),
        Route::get("/privacy", Rule::Public, privacy),
    ]
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    signed_in: bool,
    memberships: Vec<Membership>,
    national: bool,
    panels: Vec<HomePanel>,
}

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let (signed_in, memberships, national, panels) = match &viewer.principal {
        Some(p) if !p.needs_two_step() || p.two_step_verified => (
            true,
            p.memberships.clone(),
            p.is_national(),
            state.services.home_panels(&state, p).await?,
        ),
        _ => (false, vec![], false, vec![]),
    };
    Ok(render(&HomePage {
        shell: viewer.shell(if signed_in {
            "Home"
        } else {
            "Cyber security for health and care"
        }),
        signed_in,
        memberships,
        national,
        panels,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct StatementPage {
    shell: Shell,
}

pub async fn accessibility(viewer: Viewer) -> AppResult<Response> {
    Ok(render(&StatementPage {
        shell: viewer.shell("Accessibility statement").crumb("Home", "/"),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    shell: Shell,
}

pub async fn privacy(viewer: Viewer) -> AppResult<Response> {
    Ok(render(&PrivacyPage {
        shell: viewer.shell("Privacy").crumb("Home", "/"),
    })?
    .into_response())
}
