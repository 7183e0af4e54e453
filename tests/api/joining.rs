//! One organisation can never take over another's people: inviting or importing an address
//! that already has an account only asks that person to join. Until they accept, the
//! organisation sees only the address it typed; it never renames the account; and once
//! they join, it sees the training they held before only as valid training held.

use carecert::{organisations::domain::OrgType, platform::authz::Role, with_db};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, TestApp, input_value},
};

async fn name_of(app: &TestApp, email: &str) -> String {
    with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT name FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(pool)
    .await)
    .expect("the account")
}

async fn memberships_in(app: &TestApp, org: Uuid, email: &str) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 AND u.email = $2"
    )
    .bind(org)
    .bind(email)
    .fetch_one(pool)
    .await)
    .expect("count")
}

async fn invite(c: &Client, org: Uuid, name: &str, email: &str) -> crate::support::Page {
    c.post(
        &format!("/organisations/{org}/staff/new"),
        &[
            ("name", name),
            ("email", email),
            ("staff_group", "admin"),
            ("role", "staff"),
        ],
    )
    .await
}

/// The id in the first accept or decline form on the person's account page.
fn invitation_id(account_page: &str) -> String {
    account_page
        .split("/account/invitations/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an invitation on the account page")
        .to_owned()
}

async fn completions(c: &Client, token: &str) -> serde_json::Value {
    let page = c.api_get("/api/v1/training/completions", Some(token)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    serde_json::from_str(&page.text).expect("JSON")
}

on_both!(
    existing_accounts_are_asked_to_join_never_taken_over,
    |app| {
        let home = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let rival = app.org("Ashby Trust", "RA1", OrgType::NhsTrust).await;
        let national = app.national_team().await;
        let sol = app.person(home, Role::Staff, "sol@fernhill.example").await;
        let admin = app
            .person(national, Role::NationalAdmin, "admin@carecert.example")
            .await;
        let sol_id = crate::support::training::user_id(&app, &sol).await;
        let passed_at = carecert::platform::db::now() - time::Duration::days(30);
        crate::support::training::seed_pass(&app, sol_id, home, passed_at).await;
        let lead = app
            .person(rival, Role::SecurityLead, "lead@ashby.example")
            .await;
        let c = app.signed_in(&lead).await;
        let token = input_value(
            &c.post(
                &format!("/organisations/{rival}/api-tokens"),
                &[("name", "ESR")],
            )
            .await
            .text,
            "token",
        )
        .expect("token shown once");

        // Inviting, and importing, addresses that have accounts attaches no one.
        invite(&c, rival, "Hacked Name", "sol@fernhill.example")
            .await
            .assert_redirect_to(&format!("/organisations/{rival}/staff"));
        let page = c.get(&format!("/organisations/{rival}/staff")).await;
        page.assert_contains("already has a CareCERT account")
            .assert_contains("sol@fernhill.example");
        let again = invite(&c, rival, "Hacked Name", "sol@fernhill.example").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        again.assert_contains("has already been asked to join Ashby Trust");
        let csv = "name,email,staff_group\n\
               Evil Admin,admin@carecert.example,it\n\
               Other Name,sol@fernhill.example,it\n";
        c.post_file(
            &format!("/organisations/{rival}/staff/import"),
            "file",
            "staff.csv",
            csv.as_bytes().to_vec(),
        )
        .await
        .assert_ok()
        .assert_contains("Asked to join");
        for email in ["sol@fernhill.example", "admin@carecert.example"] {
            assert_eq!(memberships_in(&app, rival, email).await, 0, "{email}");
            assert_eq!(name_of(&app, email).await, format!("Test {email}"));
        }
        let list = c.get(&format!("/organisations/{rival}/staff")).await;
        assert!(
            !list.text.contains("Test sol@fernhill.example"),
            "the organisation sees only the address it typed"
        );
        assert_eq!(completions(&c, &token).await["total"], 0);

        // The person is asked, by an email that names the organisation and gives no name.
        let email = app
            .smtp
            .wait_for("sol@fernhill.example", "Ashby Trust has asked you to join")
            .await;
        assert!(!email.body().contains("Hacked Name"));
        let s = app.signed_in(&sol).await;
        let account = s.get("/account").await;
        account
            .assert_contains("Ashby Trust")
            .assert_contains("Role offered: Staff");
        let id = invitation_id(&account.text);
        // Nobody else can answer it.
        let stolen = c
            .post(&format!("/account/invitations/{id}/accept"), &[])
            .await;
        assert_eq!(stolen.status, StatusCode::NOT_FOUND);
        s.post(&format!("/account/invitations/{id}/accept"), &[])
            .await
            .assert_redirect_to("/account");
        assert_eq!(memberships_in(&app, rival, "sol@fernhill.example").await, 1);
        c.get(&format!("/organisations/{rival}/staff"))
            .await
            .assert_contains("Test sol@fernhill.example");

        // Training from before joining shows only as valid training held.
        let body = completions(&c, &token).await;
        assert_eq!(body["total"], 1);
        let record = &body["data"][0];
        assert_eq!(record["email"], "sol@fernhill.example");
        assert_eq!(record["before_joining"], true);
        assert!(record["certificate_code"].is_null(), "{record}");
        assert!(record["score_percent"].is_null(), "{record}");
        assert!(record["expires_at"].is_string());

        // A member now, and still the organisation cannot rename them.
        c.post_file(
            &format!("/organisations/{rival}/staff/import"),
            "file",
            "staff.csv",
            b"name,email,staff_group\nRenamed,sol@fernhill.example,it\n".to_vec(),
        )
        .await
        .assert_ok();
        assert_eq!(
            name_of(&app, "sol@fernhill.example").await,
            "Test sol@fernhill.example"
        );

        // The national administrator declines; nothing of theirs changed.
        let a = app.signed_in(&admin).await;
        let account = a.get("/account").await;
        let id = invitation_id(&account.text);
        a.post(&format!("/account/invitations/{id}/decline"), &[])
            .await
            .assert_redirect_to("/account");
        assert!(
            !a.get("/account")
                .await
                .text
                .contains("/account/invitations/")
        );
        assert_eq!(
            memberships_in(&app, rival, "admin@carecert.example").await,
            0
        );
    }
);

on_both!(
    members_keep_their_own_name_and_earlier_certificates,
    |app| {
        let trust = app.org("Ashby Trust", "RA1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@ashby.example")
            .await;
        // A member who joined today, with a pass from a month ago, somewhere else.
        let sol = app.person(trust, Role::Staff, "sol@ashby.example").await;
        let sol_id = crate::support::training::user_id(&app, &sol).await;
        let elsewhere = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let passed_at = carecert::platform::db::now() - time::Duration::days(30);
        crate::support::training::seed_pass(&app, sol_id, elsewhere, passed_at).await;
        let c = app.signed_in(&lead).await;
        let token = input_value(
            &c.post(
                &format!("/organisations/{trust}/api-tokens"),
                &[("name", "ESR")],
            )
            .await
            .text,
            "token",
        )
        .expect("token shown once");
        let body = completions(&c, &token).await;
        assert_eq!(body["total"], 1);
        let record = &body["data"][0];
        assert!(record["certificate_code"].is_null(), "{record}");
        assert!(record["score_percent"].is_null(), "{record}");
        assert_eq!(record["before_joining"], true);

        c.post_file(
            &format!("/organisations/{trust}/staff/import"),
            "file",
            "staff.csv",
            b"name,email,staff_group\nSomeone Else,sol@ashby.example,clinical\n".to_vec(),
        )
        .await
        .assert_ok();
        assert_eq!(
            name_of(&app, "sol@ashby.example").await,
            "Test sol@ashby.example"
        );
    }
);

on_both!(
    an_organisation_may_withdraw_an_invitation_until_it_is_answered,
    |app| {
        let home = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let asking = app.org("Ashby Trust", "RA1", OrgType::NhsTrust).await;
        let other = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
        let sol = app.person(home, Role::Staff, "sol@fernhill.example").await;
        let lead = app
            .person(asking, Role::SecurityLead, "lead@ashby.example")
            .await;
        let outsider = app
            .person(other, Role::SecurityLead, "lead@birch.example")
            .await;
        let c = app.signed_in(&lead).await;
        invite(&c, asking, "Sol", "sol@fernhill.example")
            .await
            .assert_redirect_to(&format!("/organisations/{asking}/staff"));
        let list = c.get(&format!("/organisations/{asking}/staff")).await;
        let withdraw = list
            .text
            .split(&format!("/organisations/{asking}/staff/invitations/"))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|tail| format!("/organisations/{asking}/staff/invitations/{tail}"))
            .expect("a withdraw button beside the invitation");

        // Another organisation's lead cannot withdraw it, even naming their own organisation.
        let o = app.signed_in(&outsider).await;
        let theirs = withdraw.replace(&asking.to_string(), &other.to_string());
        assert_eq!(o.post(&theirs, &[]).await.status, StatusCode::NOT_FOUND);

        c.post(&withdraw, &[])
            .await
            .assert_redirect_to(&format!("/organisations/{asking}/staff"));
        c.get(&format!("/organisations/{asking}/staff"))
            .await
            .assert_contains("You withdrew the invitation to sol@fernhill.example");
        assert!(
            !c.get(&format!("/organisations/{asking}/staff"))
                .await
                .text
                .contains("Asked to join"),
            "nothing is waiting any more"
        );
        let s = app.signed_in(&sol).await;
        assert!(!s.get("/account").await.text.contains("Ashby Trust"));
        assert_eq!(c.post(&withdraw, &[]).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            memberships_in(&app, asking, "sol@fernhill.example").await,
            0
        );
        let audited: i64 = with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'membership.invitation_withdrawn'"
        )
        .fetch_one(pool)
        .await)
        .expect("count");
        assert_eq!(audited, 1);
    }
);
