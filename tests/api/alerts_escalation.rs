//! The escalation ladder runs on its own: a reminder before the acknowledgement deadline,
//! then an overdue notice to the organisation and an escalation to its parent organisation,
//! and a notice when a remediation update is overdue. With two instances of the server
//! scanning the same database, each email is still sent once.

use carecert::organisations::domain::OrgType;
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        TestApp,
        advisories::{self, analysts, log4shell_form, org_with_lead},
    },
};

/// Moves a response's clock as if time had passed: published `ago_hours` ago, due in
/// `due_in_hours` (negative: overdue).
async fn shift(app: &TestApp, advisory: Uuid, org: Uuid, ago_hours: i64, due_in_hours: i64) {
    let now = carecert::platform::db::now();
    carecert::exec_db!(app.db(), |pool| sqlx::query(
        "UPDATE alert_responses SET targeted_at = $1, ack_due_at = $2 \
         WHERE advisory_id = $3 AND organisation_id = $4"
    )
    .bind(now - time::Duration::hours(ago_hours))
    .bind(now + time::Duration::hours(due_in_hours))
    .bind(advisory)
    .bind(org)
    .execute(pool)
    .await)
    .expect("shift");
}

on_both!(
    each_step_of_the_ladder_is_emailed_once_with_two_instances,
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
        let (gp, _) = org_with_lead(
            &app,
            "Elm Surgery",
            "A81001",
            OrgType::GpPractice,
            "lead@elm.example",
        )
        .await;
        let (trust, _) = org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (busy, busy_lead) = org_with_lead(
            &app,
            "Riverside Trust",
            "RX2",
            OrgType::NhsTrust,
            "lead@riverside.example",
        )
        .await;
        advisories::set_parent(&app, gp, icb).await;
        let (id, reference) = advisories::publish(&a, &log4shell_form()).await;
        app.smtp.wait_for("lead@elm.example", &reference).await;

        // Riverside acknowledges and starts remediating; its update then falls overdue.
        for action in ["acknowledge", "applies"] {
            busy_lead
                .post(
                    &format!("/alerts/{reference}/respond"),
                    &[("organisation", &busy.to_string()), ("action", action)],
                )
                .await;
        }
        carecert::exec_db!(app.db(), |pool| sqlx::query(
            "UPDATE alert_responses SET next_update_due_at = $1 WHERE advisory_id = $2 AND organisation_id = $3"
        )
        .bind(carecert::platform::db::now() - time::Duration::hours(2))
        .bind(id)
        .bind(busy)
        .execute(pool)
        .await)
        .expect("update overdue");

        // Northfield is in the last quarter of its window; Elm is past its deadline.
        shift(&app, id, trust, 42, 6).await;
        shift(&app, id, gp, 49, -1).await;
        // The ICB itself is addressed too, with plenty of time left: nothing yet.
        shift(&app, id, icb, 1, 47).await;

        let _second = app.second_instance().await;
        app.smtp
            .wait_for("lead@northfield.example", "Reminder: acknowledge")
            .await;
        let overdue = app.smtp.wait_for("lead@elm.example", "Overdue").await;
        assert!(overdue.body().contains(&reference));
        let escalation = app.smtp.wait_for("lead@icb.example", "Escalation").await;
        assert!(
            escalation.body().contains("Elm Surgery"),
            "{}",
            escalation.body()
        );
        app.smtp
            .wait_for("lead@riverside.example", "Update due")
            .await;

        // Let both instances scan several more times, then count.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let count = |mails: Vec<crate::support::smtp::Received>, subject: &str| {
            mails
                .iter()
                .filter(|m| m.subject().contains(subject))
                .count()
        };
        assert_eq!(
            count(app.smtp.all_to("lead@northfield.example").await, "Reminder"),
            1
        );
        assert_eq!(
            count(app.smtp.all_to("lead@elm.example").await, "Overdue"),
            1
        );
        assert_eq!(
            count(app.smtp.all_to("lead@elm.example").await, "Reminder"),
            0,
            "past the deadline, no reminder"
        );
        assert_eq!(
            count(app.smtp.all_to("lead@icb.example").await, "Escalation"),
            1
        );
        assert_eq!(
            count(app.smtp.all_to("lead@icb.example").await, "Reminder"),
            0,
            "the ICB still has time"
        );
        assert_eq!(
            count(
                app.smtp.all_to("lead@riverside.example").await,
                "Update due"
            ),
            1
        );
        assert_eq!(
            count(app.smtp.all_to("lead@riverside.example").await, "Overdue"),
            0,
            "Riverside acknowledged"
        );

        // The dashboard shows the national overdue list.
        let dash = a
            .reviewer
            .get(&format!("/alerts/manage/{id}/dashboard"))
            .await;
        dash.assert_ok().assert_contains("Overdue by");
    }
);

on_both!(acknowledging_stops_the_ladder, |app| {
    let a = analysts(&app).await;
    let (gp, gp_lead) = org_with_lead(
        &app,
        "Elm Surgery",
        "A81001",
        OrgType::GpPractice,
        "lead@elm.example",
    )
    .await;
    let (id, reference) = advisories::publish(&a, &log4shell_form()).await;
    gp_lead
        .post(
            &format!("/alerts/{reference}/respond"),
            &[("organisation", &gp.to_string()), ("action", "acknowledge")],
        )
        .await;
    shift(&app, id, gp, 49, -1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mails = app.smtp.all_to("lead@elm.example").await;
    assert!(
        mails
            .iter()
            .all(|m| !m.subject().contains("Overdue") && !m.subject().contains("Reminder"))
    );
});
