//! Staff: the people in an organisation. Security leads invite them one by one or from a
//! CSV file, deactivate and reactivate them, and change their roles within the rules.
//! People who already have an account are asked to join rather than added (see [`joining`]).

pub mod account_page;
pub mod groups;
pub mod handlers;
pub mod home;
pub mod import;
mod import_additions;
pub mod import_classify;
pub mod import_handlers;
pub mod import_sample;
pub mod import_store;
pub mod joining;
pub mod joining_handlers;
pub mod joining_store;
pub mod service;
pub mod store;
pub mod unlock;

pub use import_handlers::routes as import_routes;

use crate::platform::{authz::Rule, web::routes::Route};

pub use service::service;

fn routes() -> Vec<Route> {
    use handlers as h;
    let mut routes = vec![
        Route::get("/organisations/{org_id}/staff", Rule::OrgLead, h::list),
        Route::get(
            "/organisations/{org_id}/staff/new",
            Rule::OrgLead,
            h::new_form,
        ),
        Route::post(
            "/organisations/{org_id}/staff/new",
            Rule::OrgLead,
            h::invite,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/deactivate",
            Rule::OrgLead,
            h::deactivate,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/reactivate",
            Rule::OrgLead,
            h::reactivate,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/role",
            Rule::OrgLead,
            h::change_role,
        ),
        Route::post(
            "/organisations/{org_id}/staff/{membership_id}/two-step/unlock",
            Rule::NationalAdmin,
            unlock::two_step,
        ),
        Route::post(
            "/organisations/{org_id}/staff/invitations/{invitation_id}/withdraw",
            Rule::OrgLead,
            joining_handlers::withdraw,
        ),
        Route::get("/account", Rule::SignedIn, account_page::overview),
        Route::post(
            "/account/invitations/{invitation_id}/accept",
            Rule::SignedIn,
            joining_handlers::accept,
        ),
        Route::post(
            "/account/invitations/{invitation_id}/decline",
            Rule::SignedIn,
            joining_handlers::decline,
        ),
    ];
    routes.extend(import_routes());
    routes
}
