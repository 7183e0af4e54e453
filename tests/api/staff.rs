//! Security leads manage their organisation's staff, and only theirs.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::on_both;

on_both!(leads_invite_and_manage_staff_within_the_rules, |app| {
    let trust = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
    let other = app.org("Ashby Trust", "RA1", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "lead@fernhill.example")
        .await;
    let stranger = app.person(other, Role::Staff, "sol@ashby.example").await;
    let c = app.signed_in(&lead).await;

    let bad = c
        .post(
            &format!("/organisations/{trust}/staff/new"),
            &[
                ("name", ""),
                ("email", "x@"),
                ("staff_group", "wizards"),
                ("role", "national_admin"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Enter their full name")
        .assert_contains("correct format")
        .assert_contains("Select their staff group")
        .assert_contains("Select a role");

    let invite = |email: &'static str| {
        let c = c.clone();
        async move {
            c.post(
                &format!("/organisations/{trust}/staff/new"),
                &[
                    ("name", "Rowan Blake"),
                    ("email", email),
                    ("staff_group", "admin"),
                    ("role", "staff"),
                ],
            )
            .await
        }
    };
    invite("rowan@fernhill.example")
        .await
        .assert_redirect_to(&format!("/organisations/{trust}/staff"));
    let twice = invite("ROWAN@fernhill.example").await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("already in Fernhill Trust");
    let list = c.get(&format!("/organisations/{trust}/staff")).await;
    list.assert_ok()
        .assert_contains("Rowan Blake")
        .assert_contains("Invited");
    assert!(
        !list.text.contains("sol@ashby.example"),
        "another organisation's staff never appear"
    );
    c.get(&format!("/organisations/{trust}/staff?q=rowan"))
        .await
        .assert_contains("rowan@fernhill.example");

    // Someone in another organisation cannot be touched through this one.
    let cross = c
        .post(
            &format!(
                "/organisations/{trust}/staff/{}/deactivate",
                stranger.membership_id
            ),
            &[],
        )
        .await;
    assert_eq!(cross.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get(&format!("/organisations/{other}/staff")).await.status,
        StatusCode::FORBIDDEN
    );

    // Leads cannot lock themselves out, nor hand out national roles.
    let own = c
        .post(
            &format!(
                "/organisations/{trust}/staff/{}/deactivate",
                lead.membership_id
            ),
            &[],
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    let member = app.person(trust, Role::Staff, "kit@fernhill.example").await;
    let national = c
        .post(
            &format!("/organisations/{trust}/staff/{}/role", member.membership_id),
            &[("role", "national_admin")],
        )
        .await;
    assert_eq!(national.status, StatusCode::FORBIDDEN);
    c.post(
        &format!("/organisations/{trust}/staff/{}/role", member.membership_id),
        &[("role", "security_lead")],
    )
    .await
    .assert_redirect_to(&format!("/organisations/{trust}/staff"));
    c.get(&format!("/organisations/{trust}/staff"))
        .await
        .assert_contains("is now security lead");
});

on_both!(
    names_with_line_breaks_or_hidden_characters_are_refused,
    |app| {
        let trust = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@fernhill.example")
            .await;
        let c = app.signed_in(&lead).await;
        for (name, department) in [
            (
                "Rowan Blake\r\n\r\nYour account is locked: http://evil.example",
                "",
            ),
            ("Rowan\tBlake", ""),
            ("Rowan Blake", "Pharmacy\u{202E}gpj.exe"),
        ] {
            let page = c
                .post(
                    &format!("/organisations/{trust}/staff/new"),
                    &[
                        ("name", name),
                        ("email", "rowan@fernhill.example"),
                        ("staff_group", "admin"),
                        ("department", department),
                        ("role", "staff"),
                    ],
                )
                .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
            page.assert_contains(
                "must be on one line, without tabs or hidden formatting characters",
            );
        }
        let created: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE email = 'rowan@fernhill.example'"
        )
        .fetch_one(pool)
        .await)
        .expect("count");
        assert_eq!(created, 0, "a refused invitation changes nothing");

        // Organisation names follow the same rule.
        let admin = app
            .person(
                app.national_team().await,
                Role::NationalAdmin,
                "admin@carecert.example",
            )
            .await;
        let a = app.signed_in(&admin).await;
        let page = a
            .post(
                "/admin/organisations/new",
                &[
                    ("name", "Ashby Trust\nSecond line"),
                    ("ods_code", "RA1"),
                    ("org_type", "nhs_trust"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        page.assert_contains("must be on one line");
    }
);
