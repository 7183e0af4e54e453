//! Two-step codes cannot be guessed slowly: ten wrong codes in a row lock two-step
//! verification until a recovery code is used or a national administrator unlocks it, and
//! the person is told by email.

use carecert::{
    identity::{store as identity_store, two_step},
    organisations::domain::OrgType,
    platform::authz::Role,
    with_db,
};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Client, Person, TestApp},
};

/// Sets the person's run of wrong codes so far, as if they had been entered over weeks.
async fn wrong_codes_so_far(app: &TestApp, email: &str, run: i64) {
    with_db!(app.db(), |pool| sqlx::query(
        "UPDATE users SET two_step_failures = $1 WHERE email = $2"
    )
    .bind(run)
    .bind(email)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("set run");
}

async fn audit_count(app: &TestApp, event: &str) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1"
    )
    .bind(event)
    .fetch_one(pool)
    .await)
    .expect("audit")
}

/// A six-digit code that is not the person's current one.
fn wrong_code(person: &Person) -> String {
    let secret = person.totp_secret.as_deref().expect("secret");
    let now = carecert::platform::db::now().unix_timestamp() as u64;
    (0..)
        .map(|n: u32| format!("{:06}", 123_456 + n))
        .find(|c| two_step::matching_step(secret, c, now).is_none())
        .expect("a wrong code")
}

async fn enter(client: &Client, code: &str) -> crate::support::Page {
    client
        .post("/sign-in/two-step", &[("code", code), ("next", "/account")])
        .await
}

on_both!(ten_wrong_codes_in_a_row_lock_two_step, |app| {
    let team = app.national_team().await;
    let org = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@birch.example")
        .await;
    let admin = app
        .person(team, Role::NationalAdmin, "admin@carecert.test")
        .await;
    let lead_id = identity_store::user_by_email(app.db(), &lead.email)
        .await
        .expect("lookup")
        .expect("lead")
        .id;
    let recovery = two_step::new_recovery_codes();
    let mut tx = app.db().begin().await.expect("begin");
    identity_store::enable_totp(&mut tx, lead_id, &recovery)
        .await
        .expect("recovery codes");
    tx.commit().await.expect("commit");

    // Three wrong codes after seven earlier ones: the tenth locks it.
    wrong_codes_so_far(&app, &lead.email, 7).await;
    let client = app.password_only(&lead).await;
    for _ in 0..2 {
        let page = enter(&client, &wrong_code(&lead)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = enter(&client, &wrong_code(&lead)).await;
    assert_eq!(locked.status, StatusCode::FORBIDDEN, "{}", locked.text);
    locked.assert_contains("Two-step verification is locked");
    let email = app.smtp.wait_for(&lead.email, "locked").await;
    assert!(email.body().contains("recovery codes"), "{}", email.body());
    assert_eq!(audit_count(&app, "two_step.locked").await, 1);
    client
        .get("/sign-in/two-step")
        .await
        .assert_contains("Two-step verification is locked");

    // The right code from the app no longer works…
    let secret = lead.totp_secret.clone().expect("secret");
    let right = app.two_step_code(&lead.email, &secret).await;
    let refused = enter(&client, &right).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    client
        .get("/account")
        .await
        .assert_redirect_to("/sign-in/two-step");
    // …a recovery code does, and lifts the lock.
    let page = enter(&client, &recovery[0]).await;
    assert_eq!(page.location(), Some("/account"), "{}", page.text);
    assert_eq!(audit_count(&app, "two_step.unlocked").await, 1);

    // Locked again; this time a national administrator unlocks it from the staff page.
    wrong_codes_so_far(&app, &lead.email, 9).await;
    let again = app.password_only(&lead).await;
    let page = enter(&again, &wrong_code(&lead)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let admin = app.signed_in(&admin).await;
    let staff = admin.get(&format!("/organisations/{org}/staff")).await;
    staff.assert_contains("Two-step locked");
    staff.assert_contains("Unlock two-step verification");
    admin
        .post(
            &format!(
                "/organisations/{org}/staff/{}/two-step/unlock",
                lead.membership_id
            ),
            &[],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{org}/staff"));
    assert_eq!(audit_count(&app, "two_step.unlocked").await, 2);
    let code = app.two_step_code(&lead.email, &secret).await;
    let page = enter(&again, &code).await;
    assert_eq!(page.location(), Some("/account"), "{}", page.text);
});
