//! Where people are sent after signing in: only ever a page of this site, however the `next`
//! parameter of a link is disguised.

use carecert::{organisations::domain::OrgType, platform::authz::Role};

use crate::{
    on_both,
    support::{PASSWORD, input_value},
};

/// Ways of writing "another site" that browsers or servers have been known to follow.
const PAYLOADS: &[&str] = &[
    "//evil.example",
    "https://evil.example",
    "https:evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0A/evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/\u{2215}\u{2215}evil.example",
    "/\u{ff0f}evil.example",
];

on_both!(sign_in_never_sends_people_to_another_site, |app| {
    let org = app.org("Own Trust", "RO1", OrgType::NhsTrust).await;
    let staff = app.person(org, Role::Staff, "staff@own.example").await;
    for payload in PAYLOADS {
        let client = app.client();
        let form = client
            .get(&format!(
                "/sign-in?next={}",
                carecert::platform::error::urlencode(payload)
            ))
            .await;
        assert_eq!(
            input_value(&form.text, "next").as_deref(),
            Some("/"),
            "the sign-in page kept {payload:?}"
        );
        let page = client
            .post(
                "/sign-in",
                &[
                    ("email", &staff.email),
                    ("password", PASSWORD),
                    ("next", payload),
                ],
            )
            .await;
        assert_eq!(page.location(), Some("/"), "{payload:?} was followed");
    }
    // A page of this site is still followed.
    let client = app.client();
    let page = client
        .post(
            "/sign-in",
            &[
                ("email", &staff.email),
                ("password", PASSWORD),
                ("next", "/training"),
            ],
        )
        .await;
    assert_eq!(page.location(), Some("/training"));
});

on_both!(two_step_never_sends_people_to_another_site, |app| {
    let org = app.org("Own Trust", "RO1", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@own.example")
        .await;
    let client = app.password_only(&lead).await;
    let code = app
        .two_step_code(&lead.email, lead.totp_secret.as_deref().expect("secret"))
        .await;
    let page = client
        .post(
            "/sign-in/two-step",
            &[("code", &code), ("next", "/%09/evil.example")],
        )
        .await;
    assert_eq!(page.location(), Some("/"), "the code page followed a tab");
    // Already verified, the code page sends people straight on: to this site only.
    for payload in PAYLOADS {
        let page = client
            .get(&format!(
                "/sign-in/two-step?next={}",
                carecert::platform::error::urlencode(payload)
            ))
            .await;
        assert_eq!(page.location(), Some("/"), "{payload:?} was followed");
    }
    let page = client.get("/sign-in/two-step?next=%2Faccount").await;
    assert_eq!(page.location(), Some("/account"));
});
