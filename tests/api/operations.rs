//! Operations and the web shell: health, readiness, metrics, security headers, assets,
//! error pages and CSRF protection.

use carecert::platform::config::Hidden;
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Engine, TestApp},
};

on_both!(health_readiness_and_metrics, |app| {
    let c = app.client();
    let health = c.get("/healthz").await;
    health.assert_ok().assert_contains("ok");
    c.get("/readyz").await.assert_ok().assert_contains("ready");
    c.get("/sign-in").await.assert_ok();
    let metrics = c.get("/metrics").await;
    metrics.assert_ok();
    assert!(
        metrics.text.contains("http_requests_total"),
        "{}",
        metrics.text
    );
    assert!(
        metrics.text.contains("route=\"/sign-in\""),
        "requests are counted by route"
    );
    assert!(
        metrics
            .text
            .contains("http_request_duration_seconds_bucket")
    );
    assert!(metrics.text.contains("job_queue_depth"));

    // Through a proxy, visitors are not this machine: without a token nobody there reads them.
    let proxied = c
        .get_with("/metrics", &[("x-forwarded-for", "203.0.113.9")])
        .await;
    assert_eq!(proxied.status, StatusCode::FORBIDDEN);
    assert!(!proxied.text.contains("http_requests_total"));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_metrics_token_only_its_holder_reads_metrics() {
    let app = TestApp::start_with(Engine::Sqlite, |c| {
        c.metrics_token = Some(Hidden("scrape-7f3a9c".into()));
    })
    .await
    .expect("app starts");
    let c = app.client();
    let refused = c.get("/metrics").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer realm=\"metrics\"")
    );
    let wrong = c
        .get_with("/metrics", &[("authorization", "Bearer scrape-0000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let scraped = c
        .get_with(
            "/metrics",
            &[
                ("authorization", "Bearer scrape-7f3a9c"),
                ("x-forwarded-for", "203.0.113.9"),
            ],
        )
        .await;
    scraped.assert_ok().assert_contains("job_queue_depth");
}

on_both!(pages_carry_security_headers, |app| {
    let page = app.client().get("/sign-in").await;
    page.assert_ok();
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(
        !csp.contains("unsafe-inline"),
        "no inline scripts or styles are allowed"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // Served over plain HTTP here, so no HSTS and no Secure cookies.
    assert!(page.header("strict-transport-security").is_none());
    let cookie = page.header("set-cookie").expect("CSRF cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
});

on_both!(design_system_assets_are_served_from_the_binary, |app| {
    let c = app.client();
    let home = c.get("/").await;
    home.assert_ok()
        .assert_contains("nhsuk-header")
        .assert_contains("Skip to main content");
    let css = carecert::platform::web::assets::css_url();
    let js = carecert::platform::web::assets::app_js_url();
    assert!(home.text.contains(css) && home.text.contains(js));
    let sheet = c.get(css).await;
    sheet.assert_ok();
    assert!(
        sheet
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/css")
    );
    assert!(
        sheet
            .header("cache-control")
            .unwrap_or_default()
            .contains("immutable")
    );
    assert!(sheet.text.contains(".nhsuk-header"));
    let script = c.get(js).await;
    script.assert_ok();
    assert!(
        script
            .header("content-type")
            .unwrap_or_default()
            .contains("javascript")
    );
    assert_eq!(
        c.get("/assets/nope.css").await.status,
        StatusCode::NOT_FOUND
    );
});

on_both!(unknown_pages_get_a_friendly_404, |app| {
    let page = app.client().get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("Page not found")
        .assert_contains("nhsuk-header");
});

on_both!(forms_without_the_csrf_token_are_refused, |app| {
    let c = app.client();
    c.csrf().await;
    let page = c
        .post_raw("/sign-in", &[("email", "a@b.example"), ("password", "x")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("This form has expired");
    let page = c
        .post_raw(
            "/sign-in",
            &[
                ("csrf_token", "forged-token-forged-token-forged-token-abc"),
                ("email", "a@b.example"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Another browser's token does not work either.
    let other = app.client().csrf().await;
    let page = c
        .post_raw(
            "/sign-in",
            &[
                ("csrf_token", &other),
                ("email", "a@b.example"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
});

on_both!(oversized_forms_are_refused_cleanly, |app| {
    let c = app.client();
    let token = c.csrf().await;
    // Past the limit for an ordinary form, but small enough that the client finishes
    // sending before the server answers.
    let big = "x".repeat(512 * 1024);
    let page = c
        .post_raw("/sign-in", &[("csrf_token", &token), ("email", &big)])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("too large");
});

on_both!(shutting_down_finishes_requests_in_progress, |app| {
    let org = app
        .org(
            "Graceful Trust",
            "RG1",
            carecert::organisations::domain::OrgType::NhsTrust,
        )
        .await;
    let person = app
        .person(
            org,
            carecert::platform::authz::Role::Staff,
            "calm@graceful.example",
        )
        .await;
    let c = app.client();
    c.csrf().await;
    let email = person.email.clone();
    // Signing in takes a while (password hashing), so it is still running when we stop.
    let in_flight = tokio::spawn(async move {
        c.post(
            "/sign-in",
            &[
                ("email", &email),
                ("password", crate::support::PASSWORD),
                ("next", "/"),
            ],
        )
        .await
        .status
    });
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let base = app.base.clone();
    app.stop().await;
    assert_eq!(
        in_flight.await.expect("request task"),
        StatusCode::SEE_OTHER,
        "the request in progress completed"
    );
    let after = reqwest::get(format!("{base}/healthz")).await;
    assert!(after.is_err(), "no new connections after shutdown");
});
