//! Invitation and reset links open accounts, so a copy of the database must never hold
//! one: not while the email waits in the job queue, and not after it was sent.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::{on_both_with, support::TestApp};

/// A worker that looks at the queue once, at start, and then not for an hour: emails
/// queued after start wait in the database until another instance sends them.
fn idle_worker(config: &mut carecert::platform::config::Config) {
    config.job_poll_ms = 3_600_000;
}

fn normal_worker(_: &mut carecert::platform::config::Config) {}

/// The table.column values that contain `needle`.
fn holding<'a>(values: &'a [String], needle: &str) -> Vec<&'a String> {
    values.iter().filter(|v| v.contains(needle)).collect()
}

/// The secret part of a link: what follows `prefix`.
fn token_of(link: &str, prefix: &str) -> String {
    link.split(prefix)
        .nth(1)
        .expect("a link with a token")
        .to_owned()
}

async fn wait_until_sent(app: &TestApp) {
    for _ in 0..200 {
        if carecert::platform::jobs::queue_depth(app.db())
            .await
            .expect("depth")
            == 0
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the email jobs were not done");
}

on_both_with!(
    no_live_link_is_stored_before_or_after_sending,
    idle_worker,
    |app| {
        let trust = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@fernhill.example")
            .await;
        let member = app.person(trust, Role::Staff, "kit@fernhill.example").await;
        let c = app.signed_in(&lead).await;
        c.post(
            &format!("/organisations/{trust}/staff/new"),
            &[
                ("name", "Rowan Blake"),
                ("email", "rowan@fernhill.example"),
                ("staff_group", "admin"),
                ("role", "staff"),
            ],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{trust}/staff"));
        app.client()
            .post("/password-reset", &[("email", &member.email)])
            .await;
        let queued = app.all_stored_text().await;

        // Another instance, with a working worker, sends what is queued.
        let sender = app.second_instance_with(normal_worker).await;
        let invitation = app
            .smtp
            .wait_for("rowan@fernhill.example", "invited to CareCERT")
            .await;
        let reset = app
            .smtp
            .wait_for(&member.email, "Reset your CareCERT password")
            .await;
        let invitation_link = invitation.link_containing("/invitations/").expect("link");
        let reset_link = reset.link_containing("/password-reset/").expect("link");
        wait_until_sent(&app).await;
        let sent = app.all_stored_text().await;

        for (link, prefix) in [
            (&invitation_link, "/invitations/"),
            (&reset_link, "/password-reset/"),
        ] {
            let token = token_of(link, prefix);
            assert!(
                holding(&queued, &token).is_empty(),
                "while queued, the database holds the token of {link}"
            );
            assert!(
                holding(&sent, &token).is_empty(),
                "once sent, the database holds the token of {link}"
            );
            // The links are real ones, and work.
            let page = app.client().get(&format!("{prefix}{token}")).await;
            assert_eq!(page.status, StatusCode::OK, "{link}: {}", page.text);
        }
        // The record of what was sent stays: to whom and the subject.
        assert!(!holding(&sent, "Reset your CareCERT password").is_empty());
        sender.stop().await;
    }
);
