//! Test set-up for the Alerts service, through the library: a published advisory (written
//! and submitted by one national analyst, published by a second, as the service requires),
//! a sample advisory about Log4j, and withdrawing an advisory. For setting the scene only;
//! what organisations do with advisories is tested through HTTP.

use carecert::{
    alerts::{
        model::{
            AdvisoryContent, AffectedProduct, Audience, Bound, Cve, Severity, Tlp, VersionRange,
        },
        publishing,
        store::advisories,
    },
    platform::{authz::Role, db::now, ids::UserId},
    with_db,
};
use uuid::Uuid;

use super::TestApp;

/// The id of the user with `email`.
async fn user_id(app: &TestApp, email: &str) -> UserId {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, UserId>(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(pool)
    .await)
    .expect("user")
}

/// Publishes `content` to the organisations its audience names now. Returns the
/// advisory's id and reference.
pub async fn publish(app: &TestApp, content: AdvisoryContent) -> (Uuid, String) {
    let team = app.national_team().await;
    let tag = Uuid::new_v4().simple().to_string();
    let writer = app
        .person(
            team,
            Role::NationalAnalyst,
            &format!("writer-{tag}@carecert.test"),
        )
        .await;
    let reviewer = app
        .person(
            team,
            Role::NationalAnalyst,
            &format!("reviewer-{tag}@carecert.test"),
        )
        .await;
    let writer = user_id(app, &writer.email).await;
    let reviewer = user_id(app, &reviewer.email).await;
    let mut tx = app.db().begin().await.expect("begin");
    let id = advisories::create_draft(&mut tx, &content, None, writer)
        .await
        .expect("draft");
    advisories::set_review(&mut tx, id, Some(writer))
        .await
        .expect("submit for review");
    tx.commit().await.expect("commit");
    let by = test_actor(app, reviewer);
    let outcome = publishing::publish(&app.state.db, id, &by, now(), &app.base)
        .await
        .expect("publish");
    (id, outcome.reference)
}

/// Withdraws a published advisory.
pub async fn withdraw(app: &TestApp, id: Uuid) {
    let by = test_actor(app, national_user(app).await);
    publishing::withdraw(app.db(), id, "Published in error", &by, now(), &app.base)
        .await
        .expect("withdraw");
}

/// A high-severity advisory about Apache Log4j 2.0.0 up to (not including) 2.17.1, for
/// every organisation, to be acknowledged within 48 hours.
pub fn sample_content() -> AdvisoryContent {
    AdvisoryContent {
        title: "Apache Log4j remote code execution (Log4Shell)".into(),
        severity: Severity::High,
        severity_reason: "Trivial to exploit remotely and widely exploited.".into(),
        tlp: Tlp::Amber,
        summary: "A flaw in Apache Log4j lets an attacker run code by getting a crafted \
                  string logged."
            .into(),
        actively_exploited: true,
        in_kev: true,
        affected: vec![AffectedProduct {
            vendor: "Apache".into(),
            product: "Log4j".into(),
            versions: vec![VersionRange {
                lower: Some(Bound {
                    version: "2.0.0".into(),
                    inclusive: true,
                }),
                upper: Some(Bound {
                    version: "2.17.1".into(),
                    inclusive: false,
                }),
            }],
            cpe: None,
            purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core".into()),
        }],
        cves: vec![Cve {
            id: "CVE-2021-44228".into(),
            cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into()),
            cvss_score: Some(10.0),
        }],
        remediation: vec!["Upgrade Log4j to version 2.17.1 or later.".into()],
        workarounds: vec![],
        references: vec![],
        audience: Audience::All,
        ack_required: true,
        ack_hours: Some(48),
    }
}

/// A national user as the actor of a change made directly through the library.
pub fn test_actor(app: &TestApp, user_id: UserId) -> publishing::Actor<'_> {
    publishing::Actor {
        user_id,
        label: "test setup",
        ip: None,
        secrets: app.secrets(),
    }
}

/// A national analyst to act as, created for the purpose.
pub async fn national_user(app: &TestApp) -> UserId {
    let team = app.national_team().await;
    let email = format!("actor-{}@carecert.test", Uuid::new_v4().simple());
    app.person(team, Role::NationalAnalyst, &email).await;
    user_id(app, &email).await
}
