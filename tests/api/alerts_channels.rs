//! An organisation's machine channels for advisories: private feed addresses (shown once,
//! stored as a hash, revocable) and the signed webhook (address checked, secret shown once).

use carecert::{
    alerts::{store::channels, webhooks},
    organisations::domain::OrgType,
    platform::{authz::Role, db::now, tokens},
    with_db,
};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, TestApp, input_value},
};

fn path(org: Uuid) -> String {
    format!("/organisations/{org}/alert-feeds")
}

async fn trust_with_lead(app: &TestApp, name: &str, ods: &str) -> (Uuid, Client) {
    let org = app.org(name, ods, OrgType::NhsTrust).await;
    let lead = app
        .person(
            org,
            Role::SecurityLead,
            &format!("lead@{}.example", ods.to_lowercase()),
        )
        .await;
    (org, app.signed_in(&lead).await)
}

/// Every audit detail recorded for `org`, as stored.
async fn audit_details(app: &TestApp, org: Uuid) -> Vec<(String, String)> {
    with_db!(app.db(), |pool| sqlx::query_as::<_, (String, String)>(
        "SELECT event, detail FROM audit_log WHERE organisation_id = $1 ORDER BY seq"
    )
    .bind(org)
    .fetch_all(pool)
    .await)
    .expect("audit")
}

on_both!(a_new_feed_shows_its_address_once, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    lead.get(&path(org))
        .await
        .assert_ok()
        .assert_contains("Riverside NHS Trust has no private feeds yet.")
        .assert_contains("Riverside NHS Trust has no webhook.");

    let created = lead.post(&path(org), &[("name", "SOC platform")]).await;
    created
        .assert_ok()
        .assert_contains("Copy the address of feed ‘SOC platform’ now");
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let url = input_value(&created.text, "feed-url").expect("the address is shown");
    let token = url
        .strip_prefix(&format!("{}/alerts/feeds/", app.base))
        .and_then(|rest| rest.strip_suffix(".atom"))
        .unwrap_or_else(|| panic!("unexpected feed address {url}"))
        .to_owned();
    assert!(tokens::looks_valid(&token));

    let stored = channels::feed_tokens(app.db(), org.into())
        .await
        .expect("tokens");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "SOC platform");
    assert_eq!(stored[0].prefix, token[..8]);
    assert!(stored[0].revoked_at.is_none());
    assert_eq!(
        channels::feed_token_organisation(app.db(), &tokens::hash(&token), now())
            .await
            .expect("query"),
        Some(org.into()),
        "only the hash is kept, and it finds the organisation"
    );

    let again = lead.get(&path(org)).await;
    again
        .assert_ok()
        .assert_contains("SOC platform")
        .assert_contains(&format!("<code>{}</code>", &token[..8]))
        .assert_contains("nhsuk-tag--green\">Active</strong>");
    assert!(
        !again.text.contains(&token),
        "the token is never shown again"
    );
    let details = audit_details(&app, org).await;
    assert!(
        details
            .iter()
            .any(|(e, _)| e == "alerts.feed_token_created")
    );
    assert!(
        details.iter().all(|(_, d)| !d.contains(&token)),
        "no secret in the audit log"
    );
});

on_both!(a_feed_needs_a_name, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let refused = lead.post(&path(org), &[("name", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused
        .assert_contains("<a href=\"#name\">Enter a name for the feed</a>")
        .assert_contains("id=\"name-error\"");
    assert!(!refused.text.contains("id=\"feed-url\""));
    let long = "x".repeat(101);
    let refused = lead.post(&path(org), &[("name", &long)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("A name for the feed must be 100 characters or fewer");
    assert!(
        channels::feed_tokens(app.db(), org.into())
            .await
            .expect("tokens")
            .is_empty()
    );
});

on_both!(revoking_a_feed_marks_it_revoked, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let (other, other_lead) = trust_with_lead(&app, "Hillside NHS Trust", "HH1").await;
    let created = lead.post(&path(org), &[("name", "Feed reader")]).await;
    let url = input_value(&created.text, "feed-url").expect("address");
    let token = url
        .rsplit('/')
        .next()
        .and_then(|t| t.strip_suffix(".atom"))
        .expect("token")
        .to_owned();
    let id = channels::feed_tokens(app.db(), org.into())
        .await
        .expect("tokens")[0]
        .id;
    let revoke = format!("{}/{id}/revoke", path(org));

    // Another organisation's lead can neither revoke it here nor through their own URL.
    assert_eq!(
        other_lead.post(&revoke, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let theirs = format!("{}/{id}/revoke", path(other));
    assert_eq!(
        other_lead.post(&theirs, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        channels::feed_tokens(app.db(), org.into())
            .await
            .expect("tokens")[0]
            .revoked_at
            .is_none()
    );

    lead.post(&revoke, &[]).await.assert_redirect_to(&path(org));
    let page = lead.get(&path(org)).await;
    page.assert_contains("Feed ‘Feed reader’ revoked. Its address no longer works")
        .assert_contains("nhsuk-tag--grey\">Revoked</strong>");
    assert!(
        !page.text.contains(&format!("action=\"{revoke}\"")),
        "no second revoke"
    );
    assert!(
        channels::feed_tokens(app.db(), org.into())
            .await
            .expect("tokens")[0]
            .revoked_at
            .is_some()
    );
    assert_eq!(
        channels::feed_token_organisation(app.db(), &tokens::hash(&token), now())
            .await
            .expect("query"),
        None
    );
    lead.post(&revoke, &[]).await.assert_redirect_to(&path(org));
    lead.get(&path(org))
        .await
        .assert_contains("Feed ‘Feed reader’ had already been revoked");
    let unknown = format!("{}/{}/revoke", path(org), Uuid::new_v4());
    assert_eq!(lead.post(&unknown, &[]).await.status, StatusCode::NOT_FOUND);
    let details = audit_details(&app, org).await;
    let revoked: Vec<_> = details
        .iter()
        .filter(|(e, _)| e == "alerts.feed_token_revoked")
        .collect();
    assert_eq!(revoked.len(), 1);
});

on_both!(
    webhook_addresses_are_checked_and_the_secret_shown_once,
    |app| {
        let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
        let webhook = format!("{}/webhook", path(org));
        for (bad, message) in [
            ("ftp://soc.example.org/hook", "must start with https://"),
            (
                "soc.example.org/hook",
                "Enter the full address of your endpoint",
            ),
            ("", "Enter the full address of your endpoint"),
            (
                "https://user:pw@soc.example.org/hook",
                "Do not put a user name or password",
            ),
        ] {
            let refused = lead.post(&webhook, &[("url", bad)]).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            refused
                .assert_contains("<a href=\"#url\">")
                .assert_contains(message);
            assert!(!refused.text.contains("id=\"webhook-secret\""));
        }
        assert!(
            channels::webhook(app.db(), org.into())
                .await
                .expect("query")
                .is_none()
        );

        let set = lead
            .post(&webhook, &[("url", "https://soc.example.org/carecert")])
            .await;
        set.assert_ok()
            .assert_contains("Copy the webhook signing secret now")
            .assert_contains("X-CareCERT-Signature")
            .assert_contains("HMAC-SHA256");
        assert_eq!(set.header("cache-control"), Some("no-store"));
        let secret = input_value(&set.text, "webhook-secret").expect("the secret is shown");
        let stored = channels::webhook(app.db(), org.into())
            .await
            .expect("query")
            .expect("a webhook");
        assert_eq!(stored.url, "https://soc.example.org/carecert");
        // The database keeps the secret sealed: a copy of it alone cannot sign.
        assert!(!stored.secret.contains(&secret));
        assert_eq!(
            app.secrets()
                .open(&webhooks::secret_context(org.into()), &stored.secret)
                .expect("the app's key opens it"),
            secret
        );

        let page = lead.get(&path(org)).await;
        page.assert_ok()
            .assert_contains("https://soc.example.org/carecert")
            .assert_contains("Replace the webhook");
        assert!(
            !page.text.contains(&secret),
            "the secret is never shown again"
        );

        let replaced = lead
            .post(&webhook, &[("url", "https://soc2.example.org/carecert")])
            .await;
        let new_secret = input_value(&replaced.text, "webhook-secret").expect("a new secret");
        assert_ne!(new_secret, secret);
        let details = audit_details(&app, org).await;
        assert_eq!(
            details
                .iter()
                .filter(|(e, _)| e == "alerts.webhook_set")
                .count(),
            2
        );
        assert!(
            details
                .iter()
                .all(|(_, d)| !d.contains(&secret) && !d.contains(&new_secret)),
            "no secret in the audit log"
        );

        lead.post(&format!("{webhook}/remove"), &[])
            .await
            .assert_redirect_to(&path(org));
        assert!(
            channels::webhook(app.db(), org.into())
                .await
                .expect("query")
                .is_none()
        );
        lead.get(&path(org))
            .await
            .assert_contains("Webhook removed")
            .assert_contains("Riverside NHS Trust has no webhook.");
        let again = lead.post(&format!("{webhook}/remove"), &[]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);

on_both!(only_the_organisations_leads_manage_its_channels, |app| {
    let (org, _) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let (_, other_lead) = trust_with_lead(&app, "Hillside NHS Trust", "HH1").await;
    let nurse = app.person(org, Role::Staff, "nurse@rr1.example").await;
    let nurse = app.signed_in(&nurse).await;
    for client in [&other_lead, &nurse] {
        assert_eq!(client.get(&path(org)).await.status, StatusCode::FORBIDDEN);
        let created = client.post(&path(org), &[("name", "Mine")]).await;
        assert_eq!(created.status, StatusCode::FORBIDDEN);
        let hook = client
            .post(
                &format!("{}/webhook", path(org)),
                &[("url", "https://evil.example.org/")],
            )
            .await;
        assert_eq!(hook.status, StatusCode::FORBIDDEN);
    }
    assert!(
        channels::feed_tokens(app.db(), org.into())
            .await
            .expect("tokens")
            .is_empty()
    );
    assert!(
        channels::webhook(app.db(), org.into())
            .await
            .expect("query")
            .is_none()
    );
});
