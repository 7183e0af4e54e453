//! The national team writes, reviews, publishes, revises and withdraws advisories, follows
//! the responses on the dashboard, chases silent organisations and imports the CISA KEV
//! catalogue.

use carecert::{
    alerts::{model::AdvisoryStatus, store::advisories as store},
    organisations::domain::OrgType,
    platform::authz::Role,
};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::advisories::{self, analysts, draft, fields, log4shell_form, org_with_lead, with},
};

/// How many audit entries of `event` there are.
async fn audited(app: &crate::support::TestApp, event: &str) -> i64 {
    carecert::with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1"
    )
    .bind(event)
    .fetch_one(pool)
    .await)
    .expect("count")
}

on_both!(
    bad_advisories_are_refused_with_reasons_and_nothing_is_saved,
    |app| {
        let a = analysts(&app).await;
        let cases: Vec<(&'static str, &str, &str)> = vec![
            (
                "affected",
                "Apache | Log4j | >= 2.17.1, < 2.0.0",
                "impossible",
            ),
            (
                "cves",
                "CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H",
                "A:",
            ),
            ("cves", "CVE-21-44228", "CVE"),
            ("title", "", "title"),
            ("references", "ftp://example.org/x Notes", "http"),
            ("audience", "list", "ODS"),
        ];
        for (field, value, expect) in cases {
            let form = with(log4shell_form(), field, value);
            let page = a.author.post("/alerts/manage/new", &fields(&form)).await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                page.text
            );
            assert!(page.text.contains("There is a problem"), "{field}");
            let lower = page.text.to_lowercase();
            assert!(
                lower.contains(&expect.to_lowercase()),
                "{field}={value:?}: the message should mention {expect:?}"
            );
            // What was typed is shown back, not lost.
            assert!(page.text.contains("Remediation") || page.text.contains("Upgrade Log4j"));
        }
        assert_eq!(advisories::count(&app).await, 0, "nothing saved");
    }
);

on_both!(
    a_second_analyst_must_publish_and_references_run_in_sequence,
    |app| {
        let a = analysts(&app).await;
        let (_trust, _) = org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (_gp, _) = org_with_lead(
            &app,
            "Elm Surgery",
            "A81001",
            OrgType::GpPractice,
            "lead@elm.example",
        )
        .await;
        let id = draft(&a.author, &log4shell_form()).await;
        let page = a.author.get(&format!("/alerts/manage/{id}")).await;
        page.assert_ok()
            .assert_contains("Draft")
            .assert_contains("Submit for review");
        a.author
            .post(&format!("/alerts/manage/{id}/submit"), &[])
            .await;
        // The author cannot publish their own advisory.
        let page = a
            .author
            .post(&format!("/alerts/manage/{id}/publish"), &[])
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text);
        assert!(page.text.contains("second analyst"), "{}", page.text);
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!(row.status, AdvisoryStatus::InReview);
        assert!(row.reference.is_none());

        assert_eq!(
            audited(&app, "alerts.published").await,
            0,
            "a refused publication is not audited"
        );
        let page = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/publish"), &[])
            .await;
        page.assert_redirect_to(&format!("/alerts/manage/{id}/dashboard"));
        assert_eq!(audited(&app, "alerts.submitted").await, 1);
        assert_eq!(audited(&app, "alerts.published").await, 1);
        let year = time::OffsetDateTime::now_utc().year();
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!(
            row.reference.as_deref(),
            Some(format!("CC-{year}-0001").as_str())
        );
        assert_eq!(row.status, AdvisoryStatus::Published);
        // Publishing again is refused.
        let again = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/publish"), &[])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // Both organisations' security leads are told, with the deadline and the link.
        let mail = app
            .smtp
            .wait_for("lead@northfield.example", &format!("CC-{year}-0001"))
            .await;
        assert!(
            mail.body().contains(&format!("/alerts/CC-{year}-0001")),
            "{}",
            mail.body()
        );
        assert!(mail.body().contains("Acknowledge it by"), "{}", mail.body());
        app.smtp
            .wait_for("lead@elm.example", &format!("CC-{year}-0001"))
            .await;

        // The next one gets the next number, even though an earlier draft exists.
        let _unused = draft(&a.author, &log4shell_form()).await;
        let (_, second) =
            advisories::publish(&a, &with(log4shell_form(), "title", "A second advisory")).await;
        assert_eq!(second, format!("CC-{year}-0002"));
    }
);

on_both!(audiences_reach_only_the_organisations_named, |app| {
    let a = analysts(&app).await;
    let (trust, _) = org_with_lead(
        &app,
        "Northfield Hospitals",
        "RX1",
        OrgType::NhsTrust,
        "lead@northfield.example",
    )
    .await;
    let (gp, _) = org_with_lead(
        &app,
        "Elm Surgery",
        "A81001",
        OrgType::GpPractice,
        "lead@elm.example",
    )
    .await;
    let form = with(
        with(log4shell_form(), "audience", "types"),
        "audience_types",
        "gp_practice",
    );
    let (id, _) = advisories::publish(&a, &form).await;
    let gp_response = carecert::alerts::store::responses::find(app.db(), id, gp.into())
        .await
        .unwrap();
    let trust_response = carecert::alerts::store::responses::find(app.db(), id, trust.into())
        .await
        .unwrap();
    assert!(gp_response.is_some(), "GP practices are addressed");
    assert!(trust_response.is_none(), "trusts are not");

    let form = with(
        with(log4shell_form(), "audience", "list"),
        "audience_orgs",
        "rx1",
    );
    let (id, _) = advisories::publish(&a, &with(form, "title", "Only for Northfield")).await;
    assert!(
        carecert::alerts::store::responses::find(app.db(), id, trust.into())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        carecert::alerts::store::responses::find(app.db(), id, gp.into())
            .await
            .unwrap()
            .is_none()
    );
});

on_both!(
    revisions_keep_their_history_and_notify_only_when_asked,
    |app| {
        let a = analysts(&app).await;
        org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (id, reference) = advisories::publish(&a, &log4shell_form()).await;
        app.smtp
            .wait_for("lead@northfield.example", &reference)
            .await;

        // A revision needs a summary of what changed.
        let form = with(
            log4shell_form(),
            "summary",
            "Log4j 2 evaluates lookups in logged text; the 2.12 branch is fixed in 2.12.4.",
        );
        let page = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&form))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text.contains("Say what changed"));
        assert_eq!(
            store::find(app.db(), id).await.unwrap().unwrap().revision,
            1
        );

        let quiet = with(
            form.clone(),
            "change_summary",
            "Added the fix for the 2.12 branch",
        );
        a.reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&quiet))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let loud = with(
            with(form, "change_summary", "Raised to critical for suppliers"),
            "notify",
            "yes",
        );
        a.reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&loud))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));

        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!(row.revision, 3);
        assert_eq!(
            row.reference.as_deref(),
            Some(reference.as_str()),
            "the reference never changes"
        );
        let first = store::revision_content(app.db(), id, 1)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !first.summary.contains("2.12.4"),
            "revision 1 is kept as it was"
        );
        let latest = store::revision_content(app.db(), id, 3)
            .await
            .unwrap()
            .unwrap();
        assert!(latest.summary.contains("2.12.4"));

        let page = a.reviewer.get(&format!("/alerts/manage/{id}")).await;
        page.assert_contains("Added the fix for the 2.12 branch")
            .assert_contains("Raised to critical for suppliers");
        app.smtp
            .wait_for("lead@northfield.example", "updated")
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let mails = app.smtp.all_to("lead@northfield.example").await;
        let updates = mails
            .iter()
            .filter(|m| m.subject().contains("updated"))
            .count();
        assert_eq!(
            updates, 1,
            "only the revision marked to notify emails the organisation"
        );
    }
);

on_both!(
    withdrawal_needs_a_reason_and_tells_organisations_still_responding,
    |app| {
        let a = analysts(&app).await;
        let (org, _) = org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (id, reference) = advisories::publish(&a, &log4shell_form()).await;
        let page = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/withdraw"), &[("reason", " ")])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            store::find(app.db(), id).await.unwrap().unwrap().status,
            AdvisoryStatus::Published
        );
        a.reviewer
            .post(
                &format!("/alerts/manage/{id}/withdraw"),
                &[(
                    "reason",
                    "Issued in error: the affected version range was wrong",
                )],
            )
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!(row.status, AdvisoryStatus::Withdrawn);
        let mail = app
            .smtp
            .wait_for("lead@northfield.example", "withdrawn")
            .await;
        assert!(mail.body().contains("Issued in error"));
        // Withdrawn advisories cannot be revised or withdrawn again.
        let again = a
            .reviewer
            .post(
                &format!("/alerts/manage/{id}/withdraw"),
                &[("reason", "again")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        // The public record shows it withdrawn, with the reason, in CSAF too.
        let csaf = app
            .client()
            .get(&format!("/alerts/{reference}/csaf.json"))
            .await;
        csaf.assert_ok().assert_contains("Withdrawn");
        let _ = org;
    }
);

on_both!(
    the_dashboard_counts_responses_and_chases_the_silent_and_their_parent,
    |app| {
        let a = analysts(&app).await;
        let (icb, _) = org_with_lead(
            &app,
            "North ICB",
            "QAB",
            OrgType::IntegratedCareBoard,
            "lead@icb.example",
        )
        .await;
        let (gp1, _) = org_with_lead(
            &app,
            "Elm Surgery",
            "A81001",
            OrgType::GpPractice,
            "lead@elm.example",
        )
        .await;
        let (gp2, gp2_lead) = org_with_lead(
            &app,
            "Oak Surgery",
            "A81002",
            OrgType::GpPractice,
            "lead@oak.example",
        )
        .await;
        advisories::set_parent(&app, gp1, icb).await;
        advisories::set_parent(&app, gp2, icb).await;
        let form = with(
            with(log4shell_form(), "audience", "types"),
            "audience_types",
            "gp_practice",
        );
        let (id, reference) = advisories::publish(&a, &form).await;
        // Oak acknowledges through its own page.
        gp2_lead
            .post(
                &format!("/alerts/{reference}/respond"),
                &[
                    ("organisation", &gp2.to_string()),
                    ("action", "acknowledge"),
                ],
            )
            .await;
        let dash = a
            .reviewer
            .get(&format!("/alerts/manage/{id}/dashboard"))
            .await;
        dash.assert_ok()
            .assert_contains("50%")
            .assert_contains("Not yet acknowledged (1)")
            .assert_contains("Elm Surgery (A81001)");
        let csv = a
            .reviewer
            .get(&format!("/alerts/manage/{id}/responses.csv"))
            .await;
        csv.assert_ok();
        assert!(csv.text.lines().count() == 3, "{}", csv.text);
        assert!(csv.text.contains("Oak Surgery") && csv.text.contains("Acknowledged"));

        let page = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/escalate"), &[])
            .await;
        page.assert_redirect_to(&format!("/alerts/manage/{id}/dashboard"));
        app.smtp.wait_for("lead@elm.example", "Reminder").await;
        let parent = app.smtp.wait_for("lead@icb.example", "Escalation").await;
        assert!(parent.body().contains("Elm Surgery"), "{}", parent.body());
        assert!(
            !parent.body().contains("Oak Surgery"),
            "Oak has acknowledged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let oak = app.smtp.all_to("lead@oak.example").await;
        assert!(
            oak.iter().all(|m| !m.subject().contains("Reminder")),
            "no chasing those who answered"
        );

        // Chasing again the same day sends nothing, and says when it can be done again.
        a.reviewer
            .post(&format!("/alerts/manage/{id}/escalate"), &[])
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}/dashboard"));
        a.reviewer
            .get(&format!("/alerts/manage/{id}/dashboard"))
            .await
            .assert_contains(
                "No reminders were sent: every silent organisation was chased in the last 24 hours. \
                 They can be chased again from ",
            );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for (to, subject) in [
            ("lead@elm.example", "Reminder"),
            ("lead@icb.example", "Escalation"),
        ] {
            let sent = app.smtp.all_to(to).await;
            assert_eq!(
                sent.iter()
                    .filter(|m| m.subject().contains(subject))
                    .count(),
                1,
                "{to} chased once"
            );
        }
    }
);

on_both!(only_the_national_team_reaches_the_advisory_pages, |app| {
    let (org, lead) = org_with_lead(
        &app,
        "Northfield Hospitals",
        "RX1",
        OrgType::NhsTrust,
        "lead@northfield.example",
    )
    .await;
    let staff = app
        .person(org, Role::Staff, "nurse@northfield.example")
        .await;
    let staff = app.signed_in(&staff).await;
    for client in [&lead, &staff] {
        assert_eq!(
            client.get("/alerts/manage").await.status,
            StatusCode::FORBIDDEN
        );
        let page = client
            .post("/alerts/manage/new", &fields(&log4shell_form()))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(advisories::count(&app).await, 0);
});

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/alerts/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

on_both!(
    the_kev_catalogue_becomes_drafts_once_and_bad_files_change_nothing,
    |app| {
        let a = analysts(&app).await;
        for bad in [
            "kev_malformed.json",
            "kev_half_valid.json",
            "inventory_valid.csv",
        ] {
            let page = a
                .author
                .post_file("/alerts/manage/kev", "catalogue", bad, fixture(bad))
                .await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                page.text
            );
            assert!(page.text.contains("could not be imported"), "{bad}");
        }
        assert_eq!(advisories::count(&app).await, 0, "nothing half-imported");
        let page = a
            .author
            .post_file(
                "/alerts/manage/kev",
                "catalogue",
                "kev.json",
                fixture("kev_valid.json"),
            )
            .await;
        page.assert_redirect_to("/alerts/manage");
        let created = advisories::count(&app).await;
        assert!(created > 0);
        let drafts = store::list(app.db(), &[carecert::alerts::model::AdvisoryStatus::Draft])
            .await
            .unwrap();
        let c = drafts[0].content.clone();
        assert!(c.in_kev && c.actively_exploited);
        assert_eq!(c.cves.len(), 1);
        assert!(drafts[0].kev_cve.as_deref() == Some(c.cves[0].id.as_str()));
        // Importing the same catalogue again adds nothing.
        a.author
            .post_file(
                "/alerts/manage/kev",
                "catalogue",
                "kev.json",
                fixture("kev_valid.json"),
            )
            .await;
        assert_eq!(advisories::count(&app).await, created);
    }
);
