//! Getting started: the first administrator from the command line, and the demo data.

use carecert::demo;
use reqwest::StatusCode;

use crate::{on_both, support::current_code};

on_both!(
    the_first_administrator_is_created_from_the_command_line,
    |app| {
        assert!(!demo::has_admin(app.db()).await.expect("query"));
        let bad = demo::create_national_admin(
            app.db(),
            &app.state.config,
            app.secrets(),
            "not-an-email",
            "Ada",
        )
        .await;
        assert!(bad.is_err());
        let link = demo::create_national_admin(
            app.db(),
            &app.state.config,
            app.secrets(),
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
        let report = carecert::audit::verify(app.db(), app.secrets())
            .await
            .expect("verify");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert!(report.entries >= 3);
    }
);

on_both!(demo_data_loads_once_and_its_accounts_work, |app| {
    let accounts = demo::load(app.db(), app.secrets(), &app.base)
        .await
        .expect("load")
        .expect("loaded into an empty database");
    assert!(accounts.len() >= 6);
    assert!(
        demo::load(app.db(), app.secrets(), &app.base)
            .await
            .expect("second load")
            .is_none(),
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

async fn count_at_now(db: &carecert::platform::db::Db, sql: &str) -> i64 {
    carecert::with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(carecert::platform::db::now())
        .fetch_one(pool)
        .await)
    .expect(sql)
}

on_both!(demo_data_has_learners_at_every_stage, |app| {
    let count = |sql| count_at_now(app.db(), sql);
    demo::load(app.db(), app.secrets(), &app.base)
        .await
        .expect("load")
        .expect("loaded");
    // Valid, expiring within 30 days, and expired (with no newer pass).
    let valid =
        count("SELECT COUNT(DISTINCT user_id) FROM completions WHERE expires_at > $1").await;
    let soon = count(
        "SELECT COUNT(*) FROM completions c WHERE c.expires_at > $1 \
         AND c.expires_at < (SELECT MAX(expires_at) FROM completions) \
         AND c.passed_at < $1",
    )
    .await;
    let expired = count(
        "SELECT COUNT(*) FROM completions c WHERE c.expires_at <= $1 AND NOT EXISTS \
         (SELECT 1 FROM completions n WHERE n.user_id = c.user_id AND n.expires_at > c.expires_at)",
    )
    .await;
    let in_progress = count(
        "SELECT COUNT(*) FROM enrolments e WHERE e.completed_at IS NULL AND started_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.enrolment_id = e.id)",
    )
    .await;
    let retaking = count(
        "SELECT COUNT(*) FROM attempts a JOIN enrolments e ON e.id = a.enrolment_id \
         WHERE a.passed = FALSE AND e.completed_at IS NULL AND a.submitted_at < $1",
    )
    .await;
    assert!(
        valid > 10 && soon > 0 && expired > 0 && in_progress > 0 && retaking > 0,
        "valid {valid}, soon {soon}, expired {expired}, in progress {in_progress}, retaking {retaking}"
    );

    // The demo nurse's training expires within the month, and My training says so.
    let nurse = app.client();
    nurse
        .post(
            "/sign-in",
            &[
                ("email", "nurse@northfield-hospitals.example"),
                ("password", demo::DEMO_PASSWORD),
                ("next", "/training"),
            ],
        )
        .await;
    nurse
        .get("/training")
        .await
        .assert_ok()
        .assert_contains("Expires soon");
});
