//! The route table. Every route is registered with the [`Rule`] that guards it, so a route
//! cannot exist without an authorisation rule; the table is also what the black-box suite
//! walks to check every route for every role.

use crate::platform::{
    AppState,
    authz::{CurrentUser, Decision, PasswordOnly, Rule, decide},
    error::{AppError, urlencode},
    tenancy::{GuardedBy, org_in_path},
    web::{page::render_error_page, shell::Shell},
};
use axum::{
    extract::{RawPathParams, Request, State},
    http::{Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{MethodRouter, get, post},
};

/// One route: method, path template, rule and handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    pub fn get<H, T>(path: &'static str, rule: Rule, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Route {
            method: Method::GET,
            path,
            rule,
            handler: get(handler),
        }
    }

    pub fn post<H, T>(path: &'static str, rule: Rule, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Route {
            method: Method::POST,
            path,
            rule,
            handler: post(handler),
        }
    }
}

/// A route's method, path and rule, without its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
}

/// Builds a router from routes, guarding each with its rule.
pub fn build(state: &AppState, routes: Vec<Route>) -> axum::Router<AppState> {
    routes.into_iter().fold(axum::Router::new(), |router, r| {
        let guarded = r.handler.route_layer(middleware::from_fn_with_state(
            (state.clone(), r.rule),
            enforce,
        ));
        router.route(r.path, guarded)
    })
}

pub fn specs(routes: &[Route]) -> Vec<RouteSpec> {
    routes
        .iter()
        .map(|r| RouteSpec {
            method: r.method.clone(),
            path: r.path,
            rule: r.rule,
        })
        .collect()
}

/// Applies a route's rule to the request, using the organisation named in the URL.
async fn enforce(
    State((_, rule)): State<(AppState, Rule)>,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Response {
    let organisation = match org_in_path(&params) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let pending = request
        .extensions()
        .get::<PasswordOnly>()
        .map(|p| p.0.clone());
    let principal = request
        .extensions()
        .get::<CurrentUser>()
        .and_then(|c| c.0.as_ref())
        .or(pending.as_ref());
    match decide(rule, principal, organisation) {
        Decision::Allow => {
            // Only the two-step pages and signing out see a person who has given just a
            // password; every other allowed route (the public ones) sees nobody.
            if let Some(p) = pending.filter(|_| rule == Rule::PasswordOnly) {
                request.extensions_mut().insert(CurrentUser(Some(p)));
            }
            request.extensions_mut().insert(GuardedBy(rule));
            next.run(request).await
        }
        Decision::SignIn => {
            let next_path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into());
            if request.method() == Method::GET {
                Redirect::to(&format!("/sign-in?next={}", urlencode(&next_path))).into_response()
            } else {
                // A form sent after the session ended: say so rather than lose it silently.
                let html = render_error_page(
                    Shell::bare("Your session has ended"),
                    "You were signed out, so this was not saved. Sign in again, then go back and try again.",
                );
                (StatusCode::UNAUTHORIZED, html).into_response()
            }
        }
        Decision::EnrolTwoStep => Redirect::to("/account/two-step/set-up").into_response(),
        Decision::VerifyTwoStep => Redirect::to("/sign-in/two-step").into_response(),
        Decision::Deny => AppError::Forbidden.into_response(),
    }
}
