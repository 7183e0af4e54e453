//! The signed-in home page: what needs each person's attention, from the services' panels.
//! A learner sees their training due, overdue and expiring; a security lead sees their
//! organisation's advisories awaiting acknowledgement, its training coverage and its
//! pending invitations, and nothing of another organisation; the national team sees what
//! waits for a second analyst and how many organisations are overdue; staff see no lead or
//! national panel.

use carecert::{
    alerts::model::Audience,
    exec_db,
    organisations::domain::OrgType,
    platform::{authz::Role, db::now},
};
use time::Duration;
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        Client, advisories as pages, alerts,
        training::{seed_pass, user_id},
    },
};

/// The headings of the panels only leads and the national team have.
const LEAD_PANELS: [&str; 3] = [
    "Advisories waiting for your response",
    "Training coverage",
    "Staff invitations",
];
const NATIONAL_PANELS: [&str; 2] = [
    "Advisories in review",
    "Organisations overdue on advisories",
];

async fn home(c: &Client) -> String {
    let page = c.get("/").await;
    page.assert_ok().assert_contains("Welcome to CareCERT");
    page.text
}

fn assert_none_of(page: &str, headings: &[&str], who: &str) {
    for h in headings {
        // A panel's heading, alone or naming one of several organisations (the menu may
        // have a link with the same words).
        let shown = page.contains(&format!(">{h}</h2>")) || page.contains(&format!(">{h} at "));
        assert!(!shown, "{who} should not see the {h:?} panel");
    }
}

async fn invite(lead: &Client, org: Uuid, name: &str, email: &str) {
    lead.post(
        &format!("/organisations/{org}/staff/new"),
        &[
            ("name", name),
            ("email", email),
            ("staff_group", "admin"),
            ("role", "staff"),
        ],
    )
    .await
    .assert_redirect_to(&format!("/organisations/{org}/staff"));
}

on_both!(a_learner_sees_training_due_overdue_and_expiring, |app| {
    let org = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@fernhill.example")
        .await;
    let nurse = app.person(org, Role::Staff, "nurse@fernhill.example").await;
    let lead = app.signed_in(&lead).await;
    let s = app.signed_in(&nurse).await;

    // Nobody has passed the yearly course yet.
    let page = home(&s).await;
    assert!(page.contains("Your training"), "{page}");
    assert!(
        page.contains("href=\"/training/data-security-awareness\">Data Security Awareness</a>")
    );
    assert!(page.contains("Not started"));
    assert_none_of(&page, &LEAD_PANELS, "a member of staff");
    assert_none_of(&page, &NATIONAL_PANELS, "a member of staff");

    // Their organisation asks for another course by a date; then the date passes.
    let next_year = (now().year() + 1).to_string();
    let assignments = format!("/organisations/{org}/training/assignments");
    lead.post(
        &assignments,
        &[
            ("course", "it-hygiene"),
            ("assign_to", "person"),
            ("email", "nurse@fernhill.example"),
            ("due-day", "2"),
            ("due-month", "6"),
            ("due-year", &next_year),
        ],
    )
    .await
    .assert_redirect_to(&assignments);
    let page = home(&s).await;
    assert!(page.contains(&format!(
        "Cyber hygiene for IT and digital staff: due 2 June {next_year}"
    )));
    assert!(page.contains(">Due</strong>"));
    exec_db!(app.db(), |pool| sqlx::query(
        "UPDATE course_assignments SET due_on = $1 WHERE organisation_id = $2"
    )
    .bind((now() - Duration::days(3)).date())
    .bind(org)
    .execute(pool)
    .await)
    .expect("move the due date");
    assert!(home(&s).await.contains(">Overdue</strong>"));

    // Passed almost a year ago: the annual refresh is coming up.
    let nurse_id = user_id(&app, &nurse).await;
    seed_pass(&app, nurse_id, org, now() - Duration::days(355)).await;
    let page = home(&s).await;
    assert!(page.contains(">Expires soon</strong>"), "{page}");
    assert!(page.contains("Data Security Awareness: refresh by"));
    assert!(!page.contains(">Data Security Awareness</a>"));
});

on_both!(
    a_lead_sees_their_organisations_work_and_no_one_elses,
    |app| {
        let (fernhill, lead) = pages::org_with_lead(
            &app,
            "Fernhill Trust",
            "RF1",
            OrgType::NhsTrust,
            "lead@fernhill.example",
        )
        .await;
        let (eastgate, other_lead) = pages::org_with_lead(
            &app,
            "Eastgate Trust",
            "RE1",
            OrgType::NhsTrust,
            "lead@eastgate.example",
        )
        .await;
        let nurse = app
            .person(fernhill, Role::Staff, "nurse@fernhill.example")
            .await;
        seed_pass(&app, user_id(&app, &nurse).await, fernhill, now()).await;

        // Before anything arrives, the lead's panels say so in words.
        let page = home(&lead).await;
        assert!(page.contains("Advisories waiting for your response"));
        assert!(page.contains("Nothing needs your attention"));
        assert!(
            page.contains(
                "50% of staff hold valid training (1 of 2), which is below the target of 95%."
            ),
            "{page}"
        );
        assert!(page.contains(&format!("href=\"/organisations/{fernhill}/training\"")));

        // One advisory for everyone, one for Eastgate alone.
        alerts::publish(&app, alerts::sample_content()).await;
        let mut only_eastgate = alerts::sample_content();
        only_eastgate.title = "Advisory for Eastgate alone".into();
        only_eastgate.audience = Audience::Organisations(vec![eastgate]);
        alerts::publish(&app, only_eastgate).await;

        // Fernhill invites someone new and someone who already has an account; Eastgate
        // invites three new people.
        invite(&lead, fernhill, "Rowan Blake", "rowan@fernhill.example").await;
        invite(&lead, fernhill, "Eastgate Lead", "lead@eastgate.example").await;
        for n in 1..=3 {
            invite(
                &other_lead,
                eastgate,
                "New Starter",
                &format!("starter{n}@eastgate.example"),
            )
            .await;
        }

        let page = home(&lead).await;
        assert!(
            page.contains("Apache Log4j remote code execution (Log4Shell)"),
            "{page}"
        );
        assert!(page.contains("Acknowledge by"));
        assert!(page.contains("1 advisory awaiting acknowledgement; 0 overdue."));
        assert!(page.contains("of staff hold valid training (1 of 3)"));
        assert!(page.contains("Staff invitations"));
        assert!(page.contains("1 person invited to CareCERT who has not set up an account yet"));
        assert!(page.contains("1 invitation to join Fernhill Trust not yet accepted"));
        assert!(page.contains(&format!("href=\"/organisations/{fernhill}/staff\"")));
        // Nothing of Eastgate's: not its advisory, its invitations or its pages.
        assert!(!page.contains("Eastgate"), "{page}");
        assert!(!page.contains(&eastgate.to_string()));
        assert!(!page.contains("3 people invited"));
        assert_none_of(&page, &NATIONAL_PANELS, "a security lead");

        // Eastgate's lead sees its own, and an overdue acknowledgement is marked so.
        exec_db!(app.db(), |pool| sqlx::query(
            "UPDATE alert_responses SET ack_due_at = $1 WHERE organisation_id = $2"
        )
        .bind(now() - Duration::hours(1))
        .bind(eastgate)
        .execute(pool)
        .await)
        .expect("let the deadline pass");
        let page = home(&other_lead).await;
        assert!(page.contains("Advisory for Eastgate alone"), "{page}");
        assert!(page.contains("2 advisories awaiting acknowledgement; 2 overdue."));
        assert!(page.contains(">Acknowledgement overdue</strong>"));
        assert!(page.contains("3 people invited to CareCERT who have not set up an account yet"));
        assert!(!page.contains("Fernhill"));
    }
);

on_both!(
    the_national_team_sees_reviews_waiting_and_overdue_organisations,
    |app| {
        let org = app.org("Fernhill Trust", "RF1", OrgType::NhsTrust).await;
        app.person(org, Role::SecurityLead, "lead@fernhill.example")
            .await;
        let analysts = pages::analysts(&app).await;

        let page = home(&analysts.reviewer).await;
        assert!(page.contains("Advisories in review"));
        assert!(page.contains("Organisations overdue on advisories"));
        assert!(page.contains("Nothing needs your attention"));
        assert_none_of(&page, &LEAD_PANELS, "a national analyst");

        // One analyst submits a draft: the other is asked to review it.
        let id = pages::draft(&analysts.author, &pages::log4shell_form()).await;
        analysts
            .author
            .post(&format!("/alerts/manage/{id}/submit"), &[])
            .await
            .assert_redirect_to(&format!("/alerts/manage/{id}"));
        let page = home(&analysts.reviewer).await;
        assert!(
            page.contains("1 advisory waiting for a second analyst."),
            "{page}"
        );
        assert!(page.contains(&format!(
            "href=\"/alerts/manage/{id}\">New advisory: Remote code execution in Apache Log4j</a>"
        )));
        assert!(page.contains(">Ready for your review</strong>"));
        assert!(
            home(&analysts.author)
                .await
                .contains(">Submitted by you</strong>")
        );

        // A published advisory whose deadline has passed at Fernhill.
        alerts::publish(&app, alerts::sample_content()).await;
        exec_db!(app.db(), |pool| sqlx::query(
            "UPDATE alert_responses SET ack_due_at = $1"
        )
        .bind(now() - Duration::hours(1))
        .execute(pool)
        .await)
        .expect("let the deadline pass");
        let page = home(&analysts.reviewer).await;
        assert!(
            page.contains("1 organisation overdue acknowledging 1 published advisory"),
            "{page}"
        );
        assert!(page.contains("href=\"/alerts/manage\">Go to the national overview</a>"));
    }
);
