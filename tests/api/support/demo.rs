//! Signing in as a demonstration account, through the real pages.

use carecert::demo;

use crate::support::{Client, TestApp, current_code};

/// Signs in as a demo account that has two-step verification, as a person would.
pub async fn sign_in(app: &TestApp, email: &str) -> Client {
    let c = app.client();
    c.post(
        "/sign-in",
        &[
            ("email", email),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/"),
        ],
    )
    .await
    .assert_redirect_to("/sign-in/two-step");
    c.post(
        "/sign-in/two-step",
        &[
            ("code", &current_code(demo::DEMO_TOTP_SECRET)),
            ("next", "/"),
        ],
    )
    .await
    .assert_redirect_to("/");
    c
}
