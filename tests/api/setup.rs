//! Getting started: the first administrator from the command line, and the demo data.

use carecert::demo;
use reqwest::StatusCode;

use crate::{on_both, support::current_code};

on_both!(
    the_first_administrator_is_created_from_the_command_line,
    |app| {
        assert!(!demo::has_admin(app.db()).await.expect("query"));
        let bad =
            demo::create_national_admin(app.db(), &app.state.config, "not-an-email", "Ada").await;
        assert!(bad.is_err());
        let link = demo::create_national_admin(
            app.db(),
            &app.state.config,
            "Ada@Example.org",
            "Ada Lovelace",
        )
        .await
        .expect("created");
        assert!(demo::has_admin(app.db()).await.expect("query"));
        let path = link
            .strip_prefix(&app.base)
            .expect("link to this server")
            .to_owned();
        let c = app.client();
        c.post(
            &path,
            &[
                ("password", "quartz falcon meadow"),
                ("confirm", "quartz falcon meadow"),
            ],
        )
        .await
        .assert_redirect_to("/account/two-step/set-up");
        let setup = c.get("/account/two-step/set-up").await;
        let start = setup
            .text
            .find("<p class=\"app-secret\"><code>")
            .expect("secret")
            + 28;
        let secret = setup.text[start..start + 200]
            .split("</code>")
            .next()
            .expect("end")
            .replace(' ', "");
        c.post(
            "/account/two-step/set-up",
            &[("code", &current_code(&secret))],
        )
        .await
        .assert_ok();
        c.get("/admin/organisations/new").await.assert_ok();
        // The audit log recorded it, and the chain is intact.
        let report = carecert::audit::verify(app.db()).await.expect("verify");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert!(report.entries >= 3);
    }
);

on_both!(demo_data_loads_once_and_its_accounts_work, |app| {
    let accounts = demo::load(app.db())
        .await
        .expect("load")
        .expect("loaded into an empty database");
    assert!(accounts.len() >= 6);
    assert!(
        demo::load(app.db()).await.expect("second load").is_none(),
        "never loaded twice"
    );
    let admin = accounts
        .iter()
        .find(|a| a.role == carecert::platform::authz::Role::NationalAdmin)
        .expect("an admin");
    let c = app.client();
    c.post(
        "/sign-in",
        &[
            ("email", admin.email),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/admin/organisations"),
        ],
    )
    .await
    .assert_redirect_to("/sign-in/two-step");
    c.post(
        "/sign-in/two-step",
        &[
            ("code", &current_code(demo::DEMO_TOTP_SECRET)),
            ("next", "/admin/organisations"),
        ],
    )
    .await
    .assert_redirect_to("/admin/organisations");
    let list = c.get("/admin/organisations").await;
    list.assert_ok()
        .assert_contains("Northfield Teaching Hospitals")
        .assert_contains("Riverside Medical Practice");
    let staff = accounts
        .iter()
        .find(|a| a.role == carecert::platform::authz::Role::Staff)
        .expect("a member of staff");
    let s = app.client();
    s.post(
        "/sign-in",
        &[
            ("email", staff.email),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/"),
        ],
    )
    .await
    .assert_redirect_to("/");
    assert_eq!(
        s.get("/admin/organisations").await.status,
        StatusCode::FORBIDDEN
    );
});
