//! Organisations: registering them (national administrators), finding them, and appointing
//! their security leads.

pub mod domain;
pub mod handlers;
pub mod ods;
pub mod store;

use uuid::Uuid;

use crate::platform::{
    AppState,
    authz::Rule,
    error::{AppError, AppResult},
    web::routes::Route,
};

/// The organisation named in a URL, or "page not found". The route's rule has already
/// decided the viewer may see it.
pub async fn load(state: &AppState, id: Uuid) -> AppResult<store::OrgRow> {
    store::by_id(&state.db, id).await?.ok_or(AppError::NotFound)
}

pub fn routes() -> Vec<Route> {
    use handlers as h;
    vec![
        Route::get("/admin/organisations", Rule::NationalStaff, h::list),
        Route::get("/admin/organisations/new", Rule::NationalAdmin, h::new_form),
        Route::post("/admin/organisations/new", Rule::NationalAdmin, h::create),
        Route::get("/organisations/{org_id}", Rule::OrgMember, h::show),
        Route::post(
            "/organisations/{org_id}/security-leads",
            Rule::NationalAdmin,
            h::appoint_lead,
        ),
    ]
}
