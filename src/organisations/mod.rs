//! Organisations: registering them (national administrators), finding them, and appointing
//! their security leads.

pub mod domain;
pub mod handlers;
pub mod ods;
pub mod service;
pub mod store;

use crate::platform::{authz::Rule, web::routes::Route};

pub use service::service;

fn routes() -> Vec<Route> {
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
