//! Sign-in limits that stop guessing without locking people out: only failures count, each
//! purpose has its own buckets, a browser the person has signed in on before keeps its own
//! slow lane, and guesses from any number of addresses share one small budget per account.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Client, Engine, PASSWORD, Person, TestApp},
};

async fn sign_in(client: &Client, email: &str, password: &str) -> crate::support::Page {
    client
        .post(
            "/sign-in",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
}

/// A browser the person has fully signed in on, then signed out of.
async fn known_device(app: &TestApp, person: &Person) -> Client {
    let client = app.signed_in(person).await;
    client.post("/sign-out", &[]).await;
    client
}

on_both!(
    guesses_from_elsewhere_never_lock_out_a_known_device,
    |app| {
        let org = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
        let person = app.person(org, Role::Staff, "ada@birch.example").await;
        let own = known_device(&app, &person).await;
        // Someone at the same address guesses six times: the sixth is refused unchecked.
        let attacker = app.client();
        for _ in 0..5 {
            let page = sign_in(&attacker, &person.email, "not the password").await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        let refused = sign_in(&attacker, &person.email, "not the password").await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        refused.assert_contains("Wait 60 minutes and try again");
        // Even the right password is refused to a browser the account has never used…
        let stranger = sign_in(&app.client(), &person.email, PASSWORD).await;
        assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS);
        // …and an unknown email address reads the same, so nothing says who has an account.
        for _ in 0..6 {
            sign_in(&attacker, "nobody@birch.example", "not the password").await;
        }
        sign_in(&attacker, "nobody@birch.example", "not the password")
            .await
            .assert_contains("Wait 60 minutes and try again");
        // The person's own browser still gets in at once.
        let page = sign_in(&own, &person.email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
        let throttled: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in.throttled'"
        )
        .fetch_one(pool)
        .await)
        .expect("audit");
        assert!(throttled >= 2, "refusals are in the audit log");
    }
);

on_both!(successes_and_resets_do_not_use_up_sign_in_attempts, |app| {
    let org = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
    let staff = app.person(org, Role::Staff, "amy@birch.example").await;
    // A shift change: many people sign in from one address; none of it counts.
    for _ in 0..55 {
        let page = sign_in(&app.client(), &staff.email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    }
    // Reset requests from the address are limited in a bucket of their own.
    let client = app.client();
    for n in 0..55 {
        let email = format!("someone{n}@birch.example");
        client
            .post("/password-reset", &[("email", email.as_str())])
            .await
            .assert_ok();
    }
    let page = sign_in(&app.client(), &staff.email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
});

/// Guesses spread over many addresses still share the account's small budget, while the
/// person's own browser is unaffected.
async fn many_addresses_share_one_budget(engine: Engine) {
    let Some(app) = TestApp::start_with(engine, |c| c.trust_proxy = true).await else {
        eprintln!("SKIPPED on PostgreSQL: CARECERT_TEST_POSTGRES_URL is not set");
        return;
    };
    let org = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@birch.example")
        .await;
    let own = known_device(&app, &lead).await;
    let mut checked = 0;
    for n in 1..=30 {
        let client = app.client();
        let csrf = client.csrf().await;
        let address = format!("203.0.113.{n}");
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(client.url("/sign-in"))
            .header("x-forwarded-for", &address)
            .header("cookie", format!("carecert_csrf={csrf}"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", lead.email.as_str()),
                ("password", &format!("guess number {n}")),
            ])
            .send()
            .await
            .expect("POST");
        match response.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, 5,
        "at most five guesses an hour, from any addresses"
    );
    let page = own
        .post(
            "/sign-in",
            &[
                ("email", &lead.email),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_addresses_share_one_budget_on_sqlite() {
    many_addresses_share_one_budget(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_addresses_share_one_budget_on_postgres() {
    many_addresses_share_one_budget(Engine::Postgres).await;
}
