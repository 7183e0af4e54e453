//! Logs never hold a secret: the real binary, logging at debug level, serves invitation and
//! reset links, a private feed and the API, and none of their tokens appears in its output.

use std::time::Duration as StdDuration;

use carecert::{
    identity::store::{self as identity_store, LinkPurpose},
    organisations::domain::OrgType,
    platform::authz::Role,
};
use reqwest::StatusCode;
use time::Duration;

use crate::{
    on_both,
    support::{Client, input_value, process::Binary},
};

const NEW_PASSWORD: &str = "lantern orchard ninety two";

async fn link(app: &crate::support::TestApp, purpose: LinkPurpose, email: &str) -> String {
    let id = identity_store::user_by_email(app.db(), email)
        .await
        .expect("lookup")
        .expect("user")
        .id;
    let mut tx = app.db().begin().await.expect("begin");
    let token = identity_store::issue_link(&mut tx, purpose, id, Duration::hours(1))
        .await
        .expect("link");
    tx.commit().await.expect("commit");
    token
}

on_both!(secrets_in_addresses_never_reach_the_logs, |app| {
    let org = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@birch.example")
        .await;
    let invited = app.person(org, Role::Staff, "new@birch.example").await;
    let forgetful = app.person(org, Role::Staff, "amy@birch.example").await;
    let signed_in = app.signed_in(&lead).await;
    let feed_page = signed_in
        .post(
            &format!("/organisations/{org}/alert-feeds"),
            &[("name", "SOC")],
        )
        .await;
    let feed_url = input_value(&feed_page.text, "feed-url").expect("feed address");
    let feed_path = feed_url.strip_prefix(&app.base).expect("here").to_owned();
    let feed_token = feed_path
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".atom"))
        .expect("token in the address")
        .to_owned();
    let api_page = signed_in
        .post(
            &format!("/organisations/{org}/api-tokens"),
            &[("name", "HR system")],
        )
        .await;
    let api_token = input_value(&api_page.text, "token").expect("API token");
    let invitation = link(&app, LinkPurpose::Invitation, &invited.email).await;
    let reset = link(&app, LinkPurpose::PasswordReset, &forgetful.email).await;

    let binary = Binary::serve(&app, "debug").await;
    let browser = Client::new(&binary.base);
    for token in [&invitation, &reset] {
        let path = if *token == invitation {
            format!("/invitations/{token}")
        } else {
            format!("/password-reset/{token}")
        };
        browser.get(&path).await.assert_ok();
        // A form without its CSRF token is refused, and the refusal is logged.
        let refused = browser
            .post_raw(
                &path,
                &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
            )
            .await;
        assert_ne!(refused.status, StatusCode::OK);
        let done = browser
            .post(
                &path,
                &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
            )
            .await;
        assert!(done.status.is_redirection(), "{}", done.text);
        browser.get(&format!("{path}?again={token}")).await;
    }
    browser.get(&feed_path).await.assert_ok();
    browser
        .get(&format!("/alerts/feeds/{feed_token}.atom?x={feed_token}"))
        .await;
    browser
        .api_get("/api/v1/staff", Some(&api_token))
        .await
        .assert_ok();
    browser
        .api_get(
            &format!("/api/v1/staff?token={api_token}"),
            Some(&api_token),
        )
        .await;
    browser
        .api_get(&format!("/api/v1/nowhere/{api_token}"), Some(&api_token))
        .await;

    // Give the last lines time to reach the file.
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let logs = binary.logs();
    for (what, secret) in [
        ("invitation link", &invitation),
        ("reset link", &reset),
        ("private feed", &feed_token),
        ("API token", &api_token),
    ] {
        assert!(
            !logs.contains(secret.as_str()),
            "the {what} token is in the logs"
        );
    }
    // The requests were logged, by route.
    assert!(
        logs.contains("/invitations/{token}") && logs.contains("CSRF"),
        "debug logging names routes and the refused form: {logs}"
    );
});
