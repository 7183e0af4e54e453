//! The Alerts demo data: after `serve --demo` loads it, the analyst's list has every section,
//! the main advisory has responses in every state, inventories make organisations likely
//! affected, the demo lead's inbox has items of different urgency, and the public feed carries
//! only what may be published.

use carecert::{alerts::model::ResponseState, demo, platform::db::Db, with_db};

use crate::{on_both, support::demo::sign_in as demo_sign_in};

async fn count(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)
    .expect(sql)
}

on_both!(alerts_demo_data_fills_every_view, |app| {
    demo::load(app.db(), app.secrets(), &app.base)
        .await
        .expect("load")
        .expect("loaded into an empty database");

    // Every state of an advisory's life, on the analyst's list.
    let statuses: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT DISTINCT status FROM alert_advisories ORDER BY status"
    )
    .fetch_all(pool)
    .await)
    .expect("statuses");
    assert_eq!(
        statuses,
        ["draft", "in_review", "published", "withdrawn"],
        "live, draft, in review and withdrawn advisories"
    );
    let analyst = demo_sign_in(&app, "analyst@carecert.example").await;
    analyst
        .get("/alerts/manage")
        .await
        .assert_ok()
        .assert_contains("Citrix NetScaler ADC and Gateway")
        .assert_contains("Microsoft Exchange Server: relayed NTLM credentials")
        .assert_contains("Palo Alto Networks PAN-OS")
        .assert_contains("OpenSSL 3.0");

    // The main advisory has a response in every state; inventories make some likely affected.
    let widest = count(
        app.db(),
        "SELECT MAX(n) FROM (SELECT COUNT(DISTINCT state) AS n FROM alert_responses \
         GROUP BY advisory_id) AS per_advisory",
    )
    .await;
    assert_eq!(widest, ResponseState::ALL.len() as i64);
    let likely = count(
        app.db(),
        "SELECT COUNT(*) FROM alert_responses r JOIN alert_advisories a ON a.id = r.advisory_id \
         WHERE a.status = 'published' AND r.likely_affected = TRUE",
    )
    .await;
    assert!(likely > 0, "some organisations are likely affected");
    let inventories = count(app.db(), "SELECT COUNT(*) FROM inventory_uploads").await;
    assert!(inventories >= 3, "{inventories} inventories");
    let escalated = count(
        app.db(),
        "SELECT COUNT(*) FROM alert_notices WHERE notice = 'parent_overdue'",
    )
    .await;
    assert!(escalated > 0, "silent organisations were escalated");

    // The demo lead has something overdue and something due soon.
    let lead = demo_sign_in(&app, "lead@northfield-hospitals.example").await;
    lead.get("/alerts")
        .await
        .assert_ok()
        .assert_contains("Overdue by")
        .assert_contains("Due in");

    // The public feed lists the TLP:CLEAR advisories and never the TLP:AMBER one.
    let feed = app.client().get("/alerts/feed.atom").await;
    feed.assert_ok()
        .assert_contains("Citrix NetScaler ADC and Gateway")
        .assert_contains("Apache Log4j 2")
        .assert_contains("Progress MOVEit Transfer");
    assert!(!feed.text.contains("FortiOS"), "the TLP:AMBER advisory");
    assert!(!feed.text.contains("NHSmail"), "the TLP:GREEN bulletin");
});
