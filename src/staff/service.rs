//! Staff as the platform composes them: an organisation's people, their invitations,
//! imports from the HR system, and requests to join; on the home page, invitations still
//! waiting for an answer.

use crate::platform::{
    AppState,
    authz::Principal,
    error::AppResult,
    service::{BoxFuture, Service},
    web::home::HomePanel,
};

pub fn service() -> Service {
    Service::new("staff")
        .routes(super::routes())
        .home(home_panels)
}

fn home_panels<'a>(
    state: &'a AppState,
    p: &'a Principal,
) -> BoxFuture<'a, AppResult<Vec<HomePanel>>> {
    Box::pin(super::home::panels(state, p))
}
