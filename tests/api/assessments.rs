//! Assure's assessments as a security lead and colleagues meet them: starting one for a
//! year, answering with clear errors for bad input (and nothing stored), every revision
//! kept, sections given to colleagues who then answer only those, submitting (refused
//! until everything is answered and reviewed, then locked), publishing, carrying answers
//! over to the next year for review, and one organisation never reaching another's.

use carecert::{
    assure::{framework::load, framework::model::Framework, rules::cycle::Cycle},
    organisations::domain::OrgType,
    platform::authz::Role,
    with_db,
};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, Page, TestApp},
};

fn cyber_essentials() -> Framework {
    load::builtin()
        .expect("built-in frameworks")
        .into_iter()
        .find(|f| f.about.id == "cyber-essentials")
        .expect("Cyber Essentials is built in")
}

fn this_year() -> Cycle {
    Cycle::containing(time::OffsetDateTime::now_utc().date())
}

async fn trust_with_lead(app: &TestApp, name: &str, ods: &str) -> (Uuid, Client) {
    let org = app.org(name, ods, OrgType::NhsTrust).await;
    let lead = app
        .person(
            org,
            Role::SecurityLead,
            &format!("lead@{}.example", ods.to_lowercase()),
        )
        .await;
    (org, app.signed_in(&lead).await)
}

/// Starts an assessment and returns its path.
async fn start(client: &Client, org: Uuid, framework: &str, cycle: Cycle) -> String {
    let page = client
        .post(
            &format!("/organisations/{org}/assessments"),
            &[("framework", framework), ("cycle", &cycle.to_string())],
        )
        .await;
    page.assert_redirect_to(&format!("/organisations/{org}/assessments/"));
    page.location().expect("location").to_owned()
}

async fn answer(
    client: &Client,
    assessment: &str,
    requirement: &str,
    fields: &[(&str, &str)],
) -> Page {
    client
        .post(&format!("{assessment}/requirements/{requirement}"), fields)
        .await
}

async fn follow(client: &Client, page: &Page) -> Page {
    client.get(page.location().expect("a redirect")).await
}

async fn stored_answers(app: &TestApp) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM assessment_answer_history"
    )
    .fetch_one(pool)
    .await)
    .expect("count")
}

async fn audited(app: &TestApp, event: &str) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1"
    )
    .bind(event)
    .fetch_one(pool)
    .await)
    .expect("count")
}

on_both!(
    a_lead_answers_an_assessment_submits_and_publishes_it,
    |app| {
        let (org, lead) = trust_with_lead(&app, "Oak Trust", "RO1").await;
        lead.get(&format!("/organisations/{org}/assessments"))
            .await
            .assert_ok()
            .assert_contains("Oak Trust has no assessments yet")
            .assert_contains("Start an assessment");

        // Nothing chosen: both fields are named in the errors.
        let refused = lead
            .post(
                &format!("/organisations/{org}/assessments"),
                &[("framework", ""), ("cycle", "2026/27")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused
            .assert_contains("Select the standard to assess against")
            .assert_contains("Select the year to assess");

        let year = this_year();
        let assessment = start(&lead, org, "cyber-essentials", year).await;
        let ce = cyber_essentials();
        let total = ce.assessable().count();
        lead.get(&assessment)
            .await
            .assert_ok()
            .assert_contains(&format!("0 of {total} requirements"))
            .assert_contains("SCOPE.1 ");
        // The same standard twice for one year is refused.
        let again = lead
            .post(
                &format!("/organisations/{org}/assessments"),
                &[
                    ("framework", "cyber-essentials"),
                    ("cycle", &year.to_string()),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        again.assert_contains(&format!(
            "already has a Cyber Essentials assessment for {year}"
        ));

        // Bad input: a clear message each time, and nothing stored.
        for (fields, message) in [
            (
                vec![("result", "maybe"), ("workflow", "done")],
                "Select one of the results listed",
            ),
            (
                vec![("result", ""), ("workflow", "done")],
                "Select a result before marking the work",
            ),
            (
                vec![
                    ("result", "not-applicable"),
                    ("workflow", "in_progress"),
                    ("justification", "  "),
                ],
                "Say why this requirement does not apply",
            ),
            (
                vec![("result", "yes"), ("workflow", "finished")],
                "Select where the work on this requirement is",
            ),
        ] {
            let page = answer(&lead, &assessment, "SCOPE.1", &fields).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            page.assert_contains(message);
        }
        let too_long = "x".repeat(5_001);
        answer(
            &lead,
            &assessment,
            "SCOPE.1",
            &[
                ("result", "yes"),
                ("workflow", "done"),
                ("justification", &too_long),
            ],
        )
        .await
        .assert_contains("Keep the reasons to 5000 characters or fewer");
        assert_eq!(
            stored_answers(&app).await,
            0,
            "a refused answer stores nothing"
        );
        // A requirement the framework does not have, or a heading, is not found.
        assert_eq!(
            answer(
                &lead,
                &assessment,
                "SCOPE",
                &[("result", "yes"), ("workflow", "done")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            lead.get(&format!("{assessment}/requirements/XX.9"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A good answer goes on to the next requirement of the section.
        let saved = answer(
            &lead,
            &assessment,
            "SCOPE.1",
            &[
                ("result", "yes"),
                ("workflow", "in_progress"),
                ("justification", "Whole organisation in scope"),
            ],
        )
        .await;
        saved.assert_redirect_to(&format!("{assessment}/requirements/SCOPE.2"));
        follow(&lead, &saved)
            .await
            .assert_ok()
            .assert_contains("Answer to SCOPE.1 saved");
        // Changed: both revisions are kept, newest first.
        answer(
            &lead,
            &assessment,
            "SCOPE.1",
            &[
                ("result", "no"),
                ("workflow", "done"),
                ("justification", "Two sites were left out"),
            ],
        )
        .await
        .assert_redirect_to(&assessment);
        let history = lead
            .get(&format!("{assessment}/requirements/SCOPE.1"))
            .await;
        history.assert_ok().assert_contains("Earlier answers");
        let newest = history
            .text
            .find("Two sites were left out")
            .expect("newest revision");
        let oldest = history
            .text
            .find("Whole organisation in scope")
            .expect("first revision");
        assert!(newest < oldest, "newest first");

        // Submitting with requirements unanswered is refused, with how many.
        let refused = lead.post(&format!("{assessment}/submit"), &[]).await;
        follow(&lead, &refused)
            .await
            .assert_contains(&format!("{} requirements have no answer yet", total - 1));
        for r in ce.assessable().skip(1) {
            answer(
                &lead,
                &assessment,
                &r.id,
                &[("result", "yes"), ("workflow", "done")],
            )
            .await
            .assert_redirect_to(&assessment);
        }
        lead.get(&assessment)
            .await
            .assert_contains(&format!("{total} of {total} requirements"));
        let submitted = lead.post(&format!("{assessment}/submit"), &[]).await;
        follow(&lead, &submitted)
            .await
            .assert_contains("Its answers are now locked")
            .assert_contains("Publish assessment");
        // Locked: a change is refused and nothing is stored.
        let before = stored_answers(&app).await;
        let late = answer(
            &lead,
            &assessment,
            "FW.1",
            &[("result", "no"), ("workflow", "done")],
        )
        .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        late.assert_contains("can no longer be changed");
        assert_eq!(stored_answers(&app).await, before);
        let published = lead.post(&format!("{assessment}/publish"), &[]).await;
        follow(&lead, &published)
            .await
            .assert_contains(&format!("published as the status of Oak Trust for {year}"));
        lead.get(&format!("/organisations/{org}/assessments"))
            .await
            .assert_contains("Published")
            .assert_contains(&format!("{total} of {total} answered"));
        for event in [
            "assure.assessment_started",
            "assure.assessment_submitted",
            "assure.assessment_published",
        ] {
            assert_eq!(audited(&app, event).await, 1, "{event}");
        }
    }
);

on_both!(answers_carry_over_to_the_next_year_for_review, |app| {
    let (org, lead) = trust_with_lead(&app, "Elm Trust", "RE1").await;
    let year = this_year();
    let first = start(&lead, org, "cyber-essentials", year).await;
    answer(
        &lead,
        &first,
        "SCOPE.1",
        &[
            ("result", "yes"),
            ("workflow", "done"),
            ("justification", "All sites"),
        ],
    )
    .await;
    answer(
        &lead,
        &first,
        "FW.1",
        &[("result", "no"), ("workflow", "done")],
    )
    .await;

    let page = lead
        .post(
            &format!("/organisations/{org}/assessments"),
            &[
                ("framework", "cyber-essentials"),
                ("cycle", &year.next().to_string()),
            ],
        )
        .await;
    let next = page.location().expect(&page.text).to_owned();
    follow(&lead, &page)
        .await
        .assert_contains(&format!("2 answers were carried over from {year}"))
        .assert_contains("Carried over");
    lead.get(&format!("{next}/requirements/SCOPE.1"))
        .await
        .assert_contains("carried over from last year")
        .assert_contains("All sites")
        .assert_contains("Carried over from last year");
    // Reviewed and saved: no longer marked.
    answer(
        &lead,
        &next,
        "SCOPE.1",
        &[
            ("result", "yes"),
            ("workflow", "done"),
            ("justification", "All sites"),
        ],
    )
    .await;
    let overview = lead.get(&next).await;
    assert_eq!(
        overview
            .text
            .matches("nhsuk-tag--yellow\">Carried over")
            .count(),
        1
    );
});

on_both!(colleagues_answer_only_the_sections_given_to_them, |app| {
    let (org, lead) = trust_with_lead(&app, "Ash Trust", "RA1").await;
    let assessment = start(&lead, org, "cyber-essentials", this_year()).await;
    let nurse = app.person(org, Role::Staff, "it.manager@ra1.example").await;
    let colleague = app.signed_in(&nurse).await;

    // Not given anything: the assessment is not there for them.
    colleague
        .get(&format!("/organisations/{org}/assessments"))
        .await
        .assert_ok()
        .assert_contains("No sections of an assessment have been given to you");
    assert_eq!(
        colleague.get(&assessment).await.status,
        StatusCode::NOT_FOUND
    );

    // Someone who is not a member cannot be given a section.
    let outsider = app.org("Other Trust", "RX1", OrgType::NhsTrust).await;
    app.person(outsider, Role::Staff, "someone@rx1.example")
        .await;
    let page = lead
        .post(
            &format!("{assessment}/assignments"),
            &[("section", "FW"), ("email", "someone@rx1.example")],
        )
        .await;
    follow(&lead, &page).await.assert_contains(
        "Nobody with the email address someone@rx1.example is an active member of Ash Trust",
    );

    lead.post(
        &format!("{assessment}/assignments"),
        &[("section", "FW"), ("email", "IT.Manager@ra1.example")],
    )
    .await
    .assert_redirect_to(&assessment);
    lead.get(&assessment)
        .await
        .assert_contains("Being answered by");
    colleague
        .get(&assessment)
        .await
        .assert_ok()
        .assert_contains("FW.1 ");
    answer(
        &colleague,
        &assessment,
        "FW.1",
        &[("result", "yes"), ("workflow", "done")],
    )
    .await
    .assert_redirect_to(&format!("{assessment}/requirements/FW.2"));
    // Another section, assigning, submitting: not theirs.
    assert_eq!(
        answer(
            &colleague,
            &assessment,
            "SCOPE.1",
            &[("result", "yes"), ("workflow", "done")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        colleague
            .post(&format!("{assessment}/submit"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        colleague
            .post(
                &format!("{assessment}/assignments"),
                &[("section", "SCOPE"), ("email", "it.manager@ra1.example")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Taken back: gone again.
    lead.post(
        &format!("{assessment}/assignments"),
        &[("section", "FW"), ("email", "")],
    )
    .await;
    assert_eq!(
        colleague.get(&assessment).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audited(&app, "assure.section_assigned").await, 2);
});

on_both!(one_organisation_never_reaches_anothers_assessment, |app| {
    let (oak, oak_lead) = trust_with_lead(&app, "Oak Trust", "RO1").await;
    let (elm, elm_lead) = trust_with_lead(&app, "Elm Trust", "RE1").await;
    let assessment = start(&oak_lead, oak, "cyber-essentials", this_year()).await;
    answer(
        &oak_lead,
        &assessment,
        "SCOPE.1",
        &[
            ("result", "yes"),
            ("workflow", "done"),
            ("justification", "Oak secret scope"),
        ],
    )
    .await;
    let id = assessment.rsplit('/').next().expect("id");

    // Through Oak's address: refused. Through Elm's own address: not found.
    assert_eq!(
        elm_lead.get(&assessment).await.status,
        StatusCode::FORBIDDEN
    );
    let via_elm = format!("/organisations/{elm}/assessments/{id}");
    for page in [
        elm_lead.get(&via_elm).await,
        elm_lead
            .get(&format!("{via_elm}/requirements/SCOPE.1"))
            .await,
        elm_lead
            .post(
                &format!("{via_elm}/requirements/SCOPE.1"),
                &[("result", "no"), ("workflow", "done")],
            )
            .await,
        elm_lead.post(&format!("{via_elm}/submit"), &[]).await,
        elm_lead.post(&format!("{via_elm}/publish"), &[]).await,
        elm_lead
            .post(
                &format!("{via_elm}/assignments"),
                &[("section", "FW"), ("email", "lead@re1.example")],
            )
            .await,
    ] {
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
        assert!(!page.text.contains("Oak secret scope"));
    }
    elm_lead
        .get(&format!("/organisations/{elm}/assessments"))
        .await
        .assert_contains("Elm Trust has no assessments yet");
    // Oak's answer is as it was.
    oak_lead
        .get(&format!("{assessment}/requirements/SCOPE.1"))
        .await
        .assert_contains("Oak secret scope");
});

on_both!(
    live_figures_propose_an_answer_and_scores_show_their_working,
    |app| {
        let org = app
            .org("Riverside Practice", "Z99901", OrgType::GpPractice)
            .await;
        let lead_person = app
            .person(org, Role::SecurityLead, "lead@z99901.example")
            .await;
        let lead = app.signed_in(&lead_person).await;
        // The lead and four staff, all trained: coverage 100% against the 95% target.
        let yesterday = carecert::platform::db::now() - time::Duration::days(1);
        for n in 0..4 {
            let user = crate::support::training::member(
                &app,
                org,
                &format!("staff{n}@z99901.example"),
                "clinical",
                None,
                false,
            )
            .await;
            crate::support::training::seed_pass(&app, user, org, yesterday).await;
        }
        let lead_id = crate::support::training::user_id(&app, &lead_person).await;
        crate::support::training::seed_pass(&app, lead_id, org, yesterday).await;

        let assessment = start(&lead, org, "ndg-standards", this_year()).await;
        // Standard 3 (training) shows the practice's own figures and proposes "met".
        let page = lead.get(&format!("{assessment}/requirements/3.1")).await;
        page.assert_ok()
            .assert_contains("live figures")
            .assert_contains("5 of 5")
            .assert_contains("is selected from your organisation&#39;s live figures");
        assert!(
            page.text.contains(r#"value="met" checked"#),
            "the proposed result is selected"
        );
        // Nothing is stored until the person confirms it.
        assert_eq!(stored_answers(&app).await, 0);
        answer(
            &lead,
            &assessment,
            "3.1",
            &[("result", "met"), ("workflow", "done")],
        )
        .await;

        // The scores show the formula and the working.
        let ndg: Framework = load::builtin()
            .expect("built-in")
            .into_iter()
            .find(|f| f.about.id == "ndg-standards")
            .expect("NDG");
        let total = ndg.assessable().count();
        let overview = lead.get(&assessment).await;
        overview
            .assert_contains("Σ weight × (score − lowest) ÷ (Σ weight × (highest − lowest)) × 100")
            .assert_contains(&format!("1 of {total} answered"))
            .assert_contains("Standards not met")
            .assert_contains("Compliance by section");
    }
);
