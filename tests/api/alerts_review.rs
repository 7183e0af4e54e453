//! The two-person rule for advisories: nobody who wrote, edited or submitted a text may
//! publish it, and a revision that loosens the TLP label, widens the audience or changes
//! the remediation waits for a second analyst's approval.

use carecert::{
    alerts::{model::AdvisoryStatus, store::advisories as store},
    organisations::domain::OrgType,
    platform::authz::Role,
};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{
        TestApp,
        advisories::{self, analysts, draft, fields, log4shell_form, org_with_lead, with},
    },
};

async fn audited(app: &TestApp, event: &str) -> i64 {
    carecert::with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1"
    )
    .bind(event)
    .fetch_one(pool)
    .await)
    .expect("count")
}

/// A third national analyst, signed in.
async fn third_analyst(app: &TestApp) -> crate::support::Client {
    let team = app.national_team().await;
    let c = app
        .person(team, Role::NationalAnalyst, "third@carecert.example")
        .await;
    app.signed_in(&c).await
}

on_both!(an_analyst_who_edited_a_draft_cannot_publish_it, |app| {
    let a = analysts(&app).await;
    let third = third_analyst(&app).await;
    let id = draft(&a.author, &log4shell_form()).await;
    // The reviewer rewrites the author's draft, then the author submits it.
    let edited = with(
        log4shell_form(),
        "summary",
        "Text the reviewer wrote and nobody checked.",
    );
    a.reviewer
        .post(&format!("/alerts/manage/{id}/edit"), &fields(&edited))
        .await
        .assert_redirect_to(&format!("/alerts/manage/{id}"));
    a.author
        .post(&format!("/alerts/manage/{id}/submit"), &[])
        .await
        .assert_redirect_to(&format!("/alerts/manage/{id}"));

    let page = a.reviewer.get(&format!("/alerts/manage/{id}")).await;
    page.assert_ok()
        .assert_contains("You wrote, edited or submitted")
        .assert_contains("reviewer@carecert.example");
    let page = a
        .reviewer
        .post(&format!("/alerts/manage/{id}/publish"), &[])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text);
    assert!(page.text.contains("second analyst"), "{}", page.text);
    let row = store::find(app.db(), id).await.unwrap().unwrap();
    assert_eq!(row.status, AdvisoryStatus::InReview, "nothing published");
    assert_eq!(audited(&app, "alerts.published").await, 0);

    // Someone with no hand in it may publish it.
    third
        .post(&format!("/alerts/manage/{id}/publish"), &[])
        .await
        .assert_redirect_to(&format!("/alerts/manage/{id}/dashboard"));
});

on_both!(
    loosening_tlp_waits_for_a_second_analyst_who_did_not_write_the_revision,
    |app| {
        let a = analysts(&app).await;
        let third = third_analyst(&app).await;
        org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let red = with(log4shell_form(), "tlp", "RED");
        let (id, reference) = advisories::publish(&a, &red).await;

        // The reviewer makes it public in a revision: it is not published.
        let clear = with(
            with(red.clone(), "tlp", "CLEAR"),
            "change_summary",
            "Now public",
        );
        a.reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&clear))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!((row.revision, row.tlp.as_str()), (1, "RED"));
        let public = app.client().get("/alerts/public").await;
        assert!(!public.text.contains(&reference), "still not public");
        assert_eq!(audited(&app, "alerts.revision_submitted").await, 1);

        // The page says why it waits, and its writer cannot approve it.
        let page = a.reviewer.get(&format!("/alerts/manage/{id}")).await;
        page.assert_contains("A revision is waiting for approval")
            .assert_contains("loosens the TLP label from TLP:RED to TLP:CLEAR")
            .assert_contains("You wrote or edited this revision");
        let refused = a
            .reviewer
            .post(&format!("/alerts/manage/{id}/revision/approve"), &[])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);

        // A third analyst changes the remediation in a new version of the revision: they
        // become one of its editors, and cannot approve it either.
        let steps = with(clear, "remediation", "Upgrade Log4j to 2.17.1 or later");
        third
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&steps))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        third
            .get(&format!("/alerts/manage/{id}"))
            .await
            .assert_contains("changes the remediation");
        for editor in [&a.reviewer, &third] {
            let refused = editor
                .post(&format!("/alerts/manage/{id}/revision/approve"), &[])
                .await;
            assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
        }
        assert_eq!(
            store::find(app.db(), id).await.unwrap().unwrap().revision,
            1
        );

        // The original author had no hand in this revision and approves it.
        a.author
            .post(&format!("/alerts/manage/{id}/revision/approve"), &[])
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!((row.revision, row.tlp.as_str()), (2, "CLEAR"));
        let latest = store::revision_content(app.db(), id, 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest.remediation.len(), 1);
        assert_eq!(audited(&app, "alerts.revision_approved").await, 1);
        app.client()
            .get("/alerts/public")
            .await
            .assert_contains(&reference);
    }
);

on_both!(
    widening_the_audience_reaches_nobody_new_until_approved,
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
        org_with_lead(
            &app,
            "Elm Surgery",
            "A81001",
            OrgType::GpPractice,
            "lead@elm.example",
        )
        .await;
        let one = with(
            with(log4shell_form(), "audience", "list"),
            "audience_orgs",
            "RX1",
        );
        let (id, reference) = advisories::publish(&a, &one).await;
        let everyone = with(
            with(one.clone(), "audience", "all"),
            "change_summary",
            "For every organisation",
        );
        a.reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&everyone))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        a.reviewer
            .get(&format!("/alerts/manage/{id}"))
            .await
            .assert_contains("widens the audience");
        let targeted: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM alert_responses WHERE advisory_id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(targeted, 1, "only the organisation first named is reached");

        // Discarding leaves the advisory as published; a wording change publishes at once.
        a.author
            .post(&format!("/alerts/manage/{id}/revision/discard"), &[])
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        assert_eq!(audited(&app, "alerts.revision_discarded").await, 1);
        let wording = with(
            with(one, "summary", "Log4j 2 runs code from logged text."),
            "change_summary",
            "Shorter summary",
        );
        a.reviewer
            .post(&format!("/alerts/manage/{id}/revise"), &fields(&wording))
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let row = store::find(app.db(), id).await.unwrap().unwrap();
        assert_eq!(row.revision, 2, "published directly");
        assert_eq!(row.reference.as_deref(), Some(reference.as_str()));
    }
);
