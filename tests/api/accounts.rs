//! Accounts end to end: invitations by email, setting a password, signing in and out,
//! two-step verification, password resets and changes, and sign-in throttling.

use carecert::{organisations::domain::OrgType, platform::authz::Role, with_db};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Client, PASSWORD, TestApp, current_code},
};

/// The secret shown on the two-step set-up page, without its spaces.
fn secret_on_page(html: &str) -> String {
    let start = html
        .find("<p class=\"app-secret\"><code>")
        .expect("secret shown")
        + 28;
    let end = html[start..].find("</code>").expect("end of secret") + start;
    html[start..end].replace(' ', "")
}

/// Follows an emailed link as the browser would, returning the link's path.
fn path_of(link: &str, app: &TestApp) -> String {
    link.strip_prefix(&app.base)
        .expect("link points at this server")
        .to_owned()
}

on_both!(
    a_new_security_lead_is_invited_sets_a_password_and_two_step,
    |app| {
        let team = app.national_team().await;
        let admin = app
            .person(team, Role::NationalAdmin, "admin@carecert.test")
            .await;
        let trust = app
            .org("Westmoor Hospitals NHS Trust", "RW1", OrgType::NhsTrust)
            .await;
        let admin_client = app.signed_in(&admin).await;

        let page = admin_client
            .post(
                &format!("/organisations/{trust}/security-leads"),
                &[
                    ("name", "Lena Ortiz"),
                    ("email", "Lena.Ortiz@Westmoor.example"),
                ],
            )
            .await;
        page.assert_redirect_to(&format!("/organisations/{trust}"));
        admin_client
            .get(&format!("/organisations/{trust}"))
            .await
            .assert_contains("Lena Ortiz is now a security lead");

        let email = app
            .smtp
            .wait_for("lena.ortiz@westmoor.example", "invited to CareCERT")
            .await;
        let link = email
            .link_containing("/invitations/")
            .expect("invitation link");
        let path = path_of(&link, &app);

        let lena = app.client();
        lena.get(&path)
            .await
            .assert_ok()
            .assert_contains("Set your password");
        let weak = lena
            .post(
                &path,
                &[("password", "password1234"), ("confirm", "password1234")],
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        weak.assert_contains("nhsuk-error-summary");
        let mismatch = lena
            .post(
                &path,
                &[
                    ("password", "copper lantern meadow"),
                    ("confirm", "copper lantern"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        mismatch.assert_contains("do not match");

        let done = lena
            .post(
                &path,
                &[
                    ("password", "copper lantern meadow"),
                    ("confirm", "copper lantern meadow"),
                ],
            )
            .await;
        done.assert_redirect_to("/account/two-step/set-up");
        // Two-step verification is required before anything else.
        lena.get(&format!("/organisations/{trust}/staff"))
            .await
            .assert_redirect_to("/account/two-step/set-up");

        let setup = lena.get("/account/two-step/set-up").await;
        setup.assert_ok().assert_contains("<svg");
        let secret = secret_on_page(&setup.text);
        let wrong = lena
            .post("/account/two-step/set-up", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            secret_on_page(&wrong.text),
            secret,
            "a wrong code keeps the QR code already scanned"
        );
        let codes = lena
            .post(
                "/account/two-step/set-up",
                &[("code", &current_code(&secret))],
            )
            .await;
        codes
            .assert_ok()
            .assert_contains("Save your recovery codes");
        let stored: String = with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT totp_secret FROM users WHERE email = 'lena.ortiz@westmoor.example'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert!(
            !stored.contains(&secret),
            "the two-step secret is stored sealed, not as the app was given it"
        );
        lena.get(&format!("/organisations/{trust}/staff"))
            .await
            .assert_ok();

        // The link works once.
        let again = app.client().get(&path).await;
        assert_eq!(again.status, StatusCode::GONE);
        again.assert_contains("already been used");

        // Signing in again asks for the code; a recovery code works once instead.
        let recovery = codes
            .text
            .split("<li><code>")
            .nth(1)
            .and_then(|s| s.split("</code>").next())
            .expect("a recovery code")
            .to_owned();
        let fresh = app.client();
        fresh
            .post(
                "/sign-in",
                &[
                    ("email", "lena.ortiz@westmoor.example"),
                    ("password", "copper lantern meadow"),
                    ("next", "/"),
                ],
            )
            .await
            .assert_redirect_to("/sign-in/two-step");
        fresh
            .get("/account")
            .await
            .assert_redirect_to("/sign-in/two-step");
        fresh
            .post(
                "/sign-in/two-step",
                &[("code", &recovery), ("next", "/account")],
            )
            .await
            .assert_redirect_to("/account");
        fresh
            .get("/account")
            .await
            .assert_ok()
            .assert_contains("9 recovery codes left");
        let reuse = app.client();
        reuse
            .post(
                "/sign-in",
                &[
                    ("email", "lena.ortiz@westmoor.example"),
                    ("password", "copper lantern meadow"),
                    ("next", "/"),
                ],
            )
            .await;
        let refused = reuse
            .post("/sign-in/two-step", &[("code", &recovery), ("next", "/")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_both!(a_two_step_code_signs_in_once, |app| {
    let trust = app.org("Northfield Trust", "RN7", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "kim.lee@northfield.example")
        .await;
    let secret = lead
        .totp_secret
        .clone()
        .expect("security leads use two-step");
    let code = app.two_step_code(&lead.email, &secret).await;
    let first = app.password_only(&lead).await;
    first
        .post(
            "/sign-in/two-step",
            &[("code", &code), ("next", "/account")],
        )
        .await
        .assert_redirect_to("/account");

    // The same code, seen over a shoulder or caught by a phishing page, is refused.
    let second = app.password_only(&lead).await;
    let replayed = second
        .post(
            "/sign-in/two-step",
            &[("code", &code), ("next", "/account")],
        )
        .await;
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY);
    replayed.assert_contains("That code has already been used");
    second
        .get("/account")
        .await
        .assert_redirect_to("/sign-in/two-step");
    let failures: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE event = 'two_step.failed' AND actor_label = $1"
    )
    .bind(&lead.email)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(failures.len(), 1, "the refused code is in the audit log");
    assert!(
        failures[0].contains("code already used"),
        "the audit log says the code was a repeat: {}",
        failures[0]
    );

    // The app's next code works.
    let next = app.two_step_code(&lead.email, &secret).await;
    second
        .post(
            "/sign-in/two-step",
            &[("code", &next), ("next", "/account")],
        )
        .await
        .assert_redirect_to("/account");
    second.get("/account").await.assert_ok();
});

on_both!(
    secrets_stored_before_encryption_are_sealed_at_start,
    |app| {
        // A database from before secrets were sealed holds them as they were given.
        let trust = app.org("Southmoor Trust", "RS4", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "sam.ng@southmoor.example")
            .await;
        let secret = lead
            .totp_secret
            .clone()
            .expect("security leads use two-step");
        carecert::exec_db!(app.db(), |pool| sqlx::query(
            "UPDATE users SET totp_secret = $1 WHERE email = $2"
        )
        .bind(&secret)
        .bind(&lead.email)
        .execute(pool)
        .await)
        .unwrap();
        let by = carecert::identity::store::user_by_email(app.db(), &lead.email)
            .await
            .unwrap()
            .unwrap()
            .id;
        let mut tx = app.db().begin().await.unwrap();
        carecert::alerts::store::channels::set_webhook(
            &mut tx,
            trust.into(),
            "https://soc.example.org/hook",
            "plain webhook secret",
            by,
            carecert::platform::db::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // Starting (another instance, with the same key) seals them, and they still work.
        let restarted = app.second_instance().await;
        let stored: String = with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT totp_secret FROM users WHERE email = $1"
        )
        .bind(&lead.email)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert!(carecert::platform::secrets::SecretBox::is_sealed(&stored));
        let hook = carecert::alerts::store::channels::webhook(app.db(), trust.into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            restarted
                .secrets()
                .open(
                    &carecert::alerts::webhooks::secret_context(trust.into()),
                    &hook.secret
                )
                .unwrap(),
            "plain webhook secret"
        );
        let client = restarted.signed_in(&lead).await;
        client.get("/account").await.assert_ok();
        restarted.stop().await;
    }
);

on_both!(
    an_instance_with_another_secret_key_refuses_to_start,
    |app| {
        let trust = app.org("Easthaven Trust", "RE8", OrgType::NhsTrust).await;
        app.person(trust, Role::SecurityLead, "ola.berg@easthaven.example")
            .await;
        let mut config = (*app.state.config).clone();
        config.secret_key = Some(carecert::platform::config::Hidden(
            carecert::platform::secrets::new_key(),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let Err(refused) = carecert::app::App::with_listener(config, listener).await else {
            panic!("an instance whose key cannot open the stored secrets started");
        };
        assert!(
            refused
                .to_string()
                .contains("cannot be opened with this key"),
            "{refused}"
        );
        // The running instance is untouched.
        app.client().get("/sign-in").await.assert_ok();
    }
);

on_both!(staff_accept_an_invitation_and_sign_in_and_out, |app| {
    let trust = app.org("Eastgate Trust", "RE1", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "lead@eastgate.example")
        .await;
    let lead_client = app.signed_in(&lead).await;
    lead_client
        .post(
            &format!("/organisations/{trust}/staff/new"),
            &[
                ("name", "Noor Haddad"),
                ("email", "noor@eastgate.example"),
                ("staff_group", "clinical"),
                ("department", "Maternity"),
                ("role", "staff"),
            ],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{trust}/staff"));
    let email = app.smtp.wait_for("noor@eastgate.example", "invited").await;
    let path = path_of(&email.link_containing("/invitations/").expect("link"), &app);

    let noor = app.client();
    let before = noor.csrf().await;
    noor.post(
        &path,
        &[
            ("password", "velvet orbit canyon"),
            ("confirm", "velvet orbit canyon"),
        ],
    )
    .await
    .assert_redirect_to("/");
    noor.get("/")
        .await
        .assert_ok()
        .assert_contains("Eastgate Trust");
    // Staff cannot reach the lead's pages.
    assert_eq!(
        noor.get(&format!("/organisations/{trust}/staff"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let session = noor.cookie("carecert_session").expect("session cookie");
    noor.post("/sign-out", &[])
        .await
        .assert_redirect_to("/sign-in");
    noor.get("/sign-in")
        .await
        .assert_contains("You have signed out");
    // The old session token is dead on the server, not just forgotten by the browser.
    let replay = app.client();
    let page = replay
        .get_with(
            "/account",
            &[("cookie", &format!("carecert_session={session}"))],
        )
        .await;
    page.assert_redirect_to("/sign-in");

    let again = app.client();
    again
        .post(
            "/sign-in",
            &[
                ("email", "NOOR@eastgate.example"),
                ("password", "velvet orbit canyon"),
                ("next", "/account"),
            ],
        )
        .await
        .assert_redirect_to("/account");
    assert_ne!(
        again.cookie("carecert_session"),
        Some(session),
        "a new session token at every sign-in"
    );
    assert_ne!(before, String::new());
});

on_both!(wrong_passwords_are_explained_and_then_throttled, |app| {
    let org = app
        .org("Hillside Practice", "H81001", OrgType::GpPractice)
        .await;
    let person = app.person(org, Role::Staff, "sam@hillside.example").await;
    let c = app.client();
    let wrong = c
        .post(
            "/sign-in",
            &[
                ("email", &person.email),
                ("password", "not my password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("Enter a correct email address and password");
    let unknown = c
        .post(
            "/sign-in",
            &[
                ("email", "nobody@hillside.example"),
                ("password", "whatever words here"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "unknown accounts get the same answer"
    );
    let empty = c
        .post(
            "/sign-in",
            &[("email", ""), ("password", ""), ("next", "/")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty
        .assert_contains("Enter your email address")
        .assert_contains("Enter your password");

    for _ in 0..4 {
        c.post(
            "/sign-in",
            &[
                ("email", &person.email),
                ("password", "still wrong"),
                ("next", "/"),
            ],
        )
        .await;
    }
    // Even the right password is refused now, from a different browser too.
    let blocked = app
        .client()
        .post(
            "/sign-in",
            &[
                ("email", &person.email),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    blocked.assert_contains("too many times");

    // Parallel guesses cannot slip past the limit either.
    let other = app.person(org, Role::Staff, "kim@hillside.example").await;
    let guesses = (0..12).map(|i| {
        let c = app.client();
        let email = other.email.clone();
        async move {
            c.post(
                "/sign-in",
                &[
                    ("email", &email),
                    ("password", &format!("guess number {i}")),
                    ("next", "/"),
                ],
            )
            .await
            .status
        }
    });
    let statuses = futures_join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 5,
        "at most 5 guesses were checked, got {checked}: {statuses:?}"
    );
});

async fn futures_join_all<F: std::future::Future<Output = StatusCode> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = vec![];
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

on_both!(a_forgotten_password_is_reset_by_email_once, |app| {
    let org = app
        .org("Brookside Care", "VB001", OrgType::SocialCareProvider)
        .await;
    let person = app.person(org, Role::Staff, "ali@brookside.example").await;
    let signed_in_elsewhere = app.signed_in(&person).await;
    let c = app.client();
    c.get("/password-reset").await.assert_ok();
    let bad = c
        .post("/password-reset", &[("email", "not-an-email")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    c.post(
        "/password-reset",
        &[("email", "stranger@brookside.example")],
    )
    .await
    .assert_ok()
    .assert_contains("Check your email");
    c.post("/password-reset", &[("email", &person.email)])
        .await
        .assert_ok()
        .assert_contains("Check your email");

    let email = app
        .smtp
        .wait_for(&person.email, "Reset your CareCERT password")
        .await;
    let path = path_of(
        &email.link_containing("/password-reset/").expect("link"),
        &app,
    );
    assert!(
        app.smtp
            .find("stranger@brookside.example", "Reset")
            .await
            .is_none()
    );

    c.get(&path)
        .await
        .assert_ok()
        .assert_contains("Choose a new password");
    c.post(
        &path,
        &[
            ("password", "amber pylon thistle"),
            ("confirm", "amber pylon thistle"),
        ],
    )
    .await
    .assert_redirect_to("/sign-in");
    let reused = c
        .post(
            &path,
            &[
                ("password", "other words entirely"),
                ("confirm", "other words entirely"),
            ],
        )
        .await;
    assert_eq!(reused.status, StatusCode::GONE);

    // Other sessions end; the old password no longer works; the new one does.
    signed_in_elsewhere
        .get("/account")
        .await
        .assert_redirect_to("/sign-in");
    let old = app
        .client()
        .post(
            "/sign-in",
            &[
                ("email", &person.email),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.client()
        .post(
            "/sign-in",
            &[
                ("email", &person.email),
                ("password", "amber pylon thistle"),
                ("next", "/"),
            ],
        )
        .await
        .assert_redirect_to("/");

    // An expired link is refused with an explanation.
    c.post("/password-reset", &[("email", &person.email)]).await;
    let second = loop {
        let all = app.smtp.all_to(&person.email).await;
        if all.len() >= 2 {
            break all.last().cloned().expect("second email");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let path = path_of(
        &second.link_containing("/password-reset/").expect("link"),
        &app,
    );
    let past = carecert::platform::db::now() - time::Duration::hours(2);
    with_db!(app.db(), |pool| sqlx::query(
        "UPDATE one_time_tokens SET expires_at = $1 WHERE used_at IS NULL"
    )
    .bind(past)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("expire");
    let expired = c.get(&path).await;
    assert_eq!(expired.status, StatusCode::GONE);
    expired.assert_contains("expired");
    let bogus = c.get("/password-reset/not-a-real-token").await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
});

on_both!(people_change_their_own_password, |app| {
    let org = app
        .org("Meadow Practice", "M81001", OrgType::GpPractice)
        .await;
    let person = app.person(org, Role::Staff, "jo@meadow.example").await;
    let c = app.signed_in(&person).await;
    let other_device: Client = app.signed_in(&person).await;
    c.get("/account/password").await.assert_ok();
    let wrong = c
        .post(
            "/account/password",
            &[
                ("current", "wrong"),
                ("password", "harbour violet engine"),
                ("confirm", "harbour violet engine"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("current password is not right");
    let short = c
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("12 characters");
    c.post(
        "/account/password",
        &[
            ("current", PASSWORD),
            ("password", "harbour violet engine"),
            ("confirm", "harbour violet engine"),
        ],
    )
    .await
    .assert_redirect_to("/account");
    c.get("/account")
        .await
        .assert_ok()
        .assert_contains("Your password has been changed");
    other_device
        .get("/account")
        .await
        .assert_redirect_to("/sign-in");
});

on_both!(deactivated_staff_are_signed_out_and_cannot_sign_in, |app| {
    let trust = app.org("Lowfield Trust", "RL1", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "lead@lowfield.example")
        .await;
    let staff = app.person(trust, Role::Staff, "pat@lowfield.example").await;
    let staff_client = app.signed_in(&staff).await;
    let lead_client = app.signed_in(&lead).await;
    lead_client
        .post(
            &format!(
                "/organisations/{trust}/staff/{}/deactivate",
                staff.membership_id
            ),
            &[],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{trust}/staff"));
    staff_client
        .get("/account")
        .await
        .assert_redirect_to("/sign-in");
    let refused = app
        .client()
        .post(
            "/sign-in",
            &[
                ("email", &staff.email),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("not active");
    lead_client
        .post(
            &format!(
                "/organisations/{trust}/staff/{}/reactivate",
                staff.membership_id
            ),
            &[],
        )
        .await;
    app.signed_in(&staff)
        .await
        .get("/account")
        .await
        .assert_ok();
});
