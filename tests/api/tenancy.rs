//! Tenancy: a security lead of one organisation gets nothing of another's pages, whichever
//! page it is, and a form sent to another organisation changes nothing there.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::on_both;

/// Every page under an organisation that a security lead can open.
const LEAD_PAGES: &[&str] = &[
    "",
    "/staff",
    "/staff/new",
    "/staff/import",
    "/training",
    "/training.csv",
    "/training/needs",
    "/training/assignments",
    "/training/evidence",
    "/training/evidence.csv",
    "/inventory",
    "/inventory.csv",
    "/alert-feeds",
    "/api-tokens",
    "/audit",
];

on_both!(
    a_lead_of_one_organisation_is_refused_everywhere_in_another,
    |app| {
        let own = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        let other = app.org("Ashby Trust", "RA1", OrgType::NhsTrust).await;
        let lead = app
            .person(own, Role::SecurityLead, "lead@fernhill.example")
            .await;
        app.person(other, Role::Staff, "sol@ashby.example").await;
        let c = app.signed_in(&lead).await;

        for page in LEAD_PAGES {
            let mine = c.get(&format!("/organisations/{own}{page}")).await;
            assert_eq!(mine.status, StatusCode::OK, "own {page}: {}", mine.text);
            let theirs = c.get(&format!("/organisations/{other}{page}")).await;
            assert_eq!(theirs.status, StatusCode::FORBIDDEN, "other {page}");
            assert!(!theirs.text.contains("Ashby Trust"), "other {page}");
        }

        // A form sent to the other organisation is refused and writes nothing.
        let sent = c
            .post(
                &format!("/organisations/{other}/staff/new"),
                &[
                    ("name", "Rowan Blake"),
                    ("email", "rowan@fernhill.example"),
                    ("staff_group", "admin"),
                    ("role", "staff"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::FORBIDDEN);
        let team = app.national_team().await;
        let admin = app
            .person(team, Role::NationalAdmin, "admin@carecert.test")
            .await;
        let national = app.signed_in(&admin).await;
        let list = national.get(&format!("/organisations/{other}/staff")).await;
        list.assert_ok();
        assert!(!list.text.contains("rowan@fernhill.example"));

        // An organisation that does not exist: refused to the lead (who could not see it
        // anyway), not found for a national administrator, and a malformed id is no page.
        let unknown = Uuid::new_v4();
        let page = c.get(&format!("/organisations/{unknown}/staff")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = national
            .get(&format!("/organisations/{unknown}/staff"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let page = c.get("/organisations/not-an-id/staff").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
);
