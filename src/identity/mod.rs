//! Identity: signing in and out, sessions, two-step verification, invitations, password
//! resets and changes.

pub mod device;
pub mod handlers;
pub mod housekeeping;
pub mod invitations;
pub mod password_policy;
pub mod passwords;
pub mod service;
pub mod session;
pub mod store;
pub mod throttle;
pub mod two_step;

use crate::platform::{authz::Rule, web::routes::Route};

pub use service::service;

fn routes() -> Vec<Route> {
    use handlers::{account, invitation, reset, sign_in, two_step as ts};
    vec![
        Route::get("/sign-in", Rule::Public, sign_in::form),
        Route::post("/sign-in", Rule::Public, sign_in::submit),
        Route::post("/sign-out", Rule::PasswordOnly, sign_in::sign_out),
        Route::get("/sign-in/two-step", Rule::PasswordOnly, ts::verify_form),
        Route::post("/sign-in/two-step", Rule::PasswordOnly, ts::verify_submit),
        Route::get(
            "/account/two-step/set-up",
            Rule::PasswordOnly,
            ts::setup_form,
        ),
        Route::post(
            "/account/two-step/set-up",
            Rule::PasswordOnly,
            ts::setup_submit,
        ),
        Route::get("/account/password", Rule::SignedIn, account::password_form),
        Route::post(
            "/account/password",
            Rule::SignedIn,
            account::password_submit,
        ),
        Route::get("/password-reset", Rule::Public, reset::request_form),
        Route::post("/password-reset", Rule::Public, reset::request_submit),
        Route::get("/password-reset/{token}", Rule::Public, reset::choose_form),
        Route::post(
            "/password-reset/{token}",
            Rule::Public,
            reset::choose_submit,
        ),
        Route::get(
            "/invitations/{token}",
            Rule::Public,
            invitation::accept_form,
        ),
        Route::post(
            "/invitations/{token}",
            Rule::Public,
            invitation::accept_submit,
        ),
    ]
}
