//! National administrators register, find and staff organisations.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::on_both;

on_both!(administrators_register_and_find_organisations, |app| {
    let team = app.national_team().await;
    let admin = app
        .person(team, Role::NationalAdmin, "admin@carecert.test")
        .await;
    let c = app.signed_in(&admin).await;
    c.get("/admin/organisations/new").await.assert_ok();

    let icb = c
        .post(
            "/admin/organisations/new",
            &[
                ("name", "Moorland Integrated Care Board"),
                ("org_type", "integrated_care_board"),
                ("ods_code", "qm1"),
            ],
        )
        .await;
    icb.assert_redirect_to("/organisations/");
    let gp = c
        .post(
            "/admin/organisations/new",
            &[
                ("name", "Heather Lane Surgery"),
                ("org_type", "gp_practice"),
                ("ods_code", "M12345"),
                ("parent_ods_code", "QM1"),
            ],
        )
        .await;
    let gp_path = gp.location().expect("location").to_owned();
    let page = c.get(&gp_path).await;
    page.assert_ok()
        .assert_contains("Heather Lane Surgery")
        .assert_contains("M12345")
        .assert_contains("Moorland Integrated Care Board");

    // Bad input: every problem explained, nothing written.
    let bad = c
        .post(
            "/admin/organisations/new",
            &[
                ("name", ""),
                ("org_type", "gp_practice"),
                ("ods_code", "RX1"),
                ("parent_ods_code", "ZZZ"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("nhsuk-error-summary")
        .assert_contains("Enter the organisation")
        .assert_contains("a letter followed by 5 numbers")
        .assert_contains("No registered organisation has that ODS code");
    let no_type = c
        .post(
            "/admin/organisations/new",
            &[("name", "X"), ("ods_code", "RX1")],
        )
        .await;
    no_type.assert_contains("Select the type of organisation");
    let duplicate = c
        .post(
            "/admin/organisations/new",
            &[
                ("name", "Another"),
                ("org_type", "gp_practice"),
                ("ods_code", "m12345"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    duplicate.assert_contains("already registered");

    let list = c.get("/admin/organisations?q=heather").await;
    list.assert_ok().assert_contains("Heather Lane Surgery");
    assert!(
        !list.text.contains("</span>QM1</td>"),
        "search narrows the list"
    );
    c.get("/admin/organisations?q=QM1")
        .await
        .assert_contains("Moorland Integrated Care Board");
    let by_type = c.get("/admin/organisations?org_type=gp_practice").await;
    by_type.assert_contains("Heather Lane Surgery");
    assert!(!by_type.text.contains("</span>QM1</td>"));
    c.get("/admin/organisations?page=abc&q=%25")
        .await
        .assert_ok();
});

on_both!(analysts_can_look_but_not_register, |app| {
    let team = app.national_team().await;
    let analyst = app
        .person(team, Role::NationalAnalyst, "analyst@carecert.test")
        .await;
    let trust = app.org("Seaview Trust", "RS1", OrgType::NhsTrust).await;
    let c = app.signed_in(&analyst).await;
    c.get("/admin/organisations")
        .await
        .assert_ok()
        .assert_contains("Seaview Trust");
    c.get(&format!("/organisations/{trust}")).await.assert_ok();
    assert_eq!(
        c.get("/admin/organisations/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = c
        .post(
            "/admin/organisations/new",
            &[("name", "X"), ("org_type", "other"), ("ods_code", "ABC")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
});

on_both!(
    appointing_an_existing_member_as_lead_changes_their_role,
    |app| {
        let team = app.national_team().await;
        let admin = app
            .person(team, Role::NationalAdmin, "admin@carecert.test")
            .await;
        let trust = app.org("Kingsbridge Trust", "RK1", OrgType::NhsTrust).await;
        let staff = app
            .person(trust, Role::Staff, "dev@kingsbridge.example")
            .await;
        let c = app.signed_in(&admin).await;
        let bad = c
            .post(
                &format!("/organisations/{trust}/security-leads"),
                &[("name", ""), ("email", "nope")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("Enter the security lead")
            .assert_contains("correct format");
        c.post(
            &format!("/organisations/{trust}/security-leads"),
            &[("name", "Dev"), ("email", &staff.email)],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{trust}"));
        c.get(&format!("/organisations/{trust}"))
            .await
            .assert_contains("dev@kingsbridge.example");
        // They already had a password: no invitation link, and they now need two-step verification.
        let person = app.client();
        person
            .post(
                "/sign-in",
                &[
                    ("email", &staff.email),
                    ("password", crate::support::PASSWORD),
                    ("next", "/"),
                ],
            )
            .await
            .assert_redirect_to("/account/two-step/set-up");
    }
);
