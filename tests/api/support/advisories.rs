//! Helpers for the national team's side of Alerts: analysts, the advisory form as a browser
//! fills it, and publication through the pages (write, submit, a second analyst publishes).

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;
use uuid::Uuid;

use super::{Client, TestApp};

/// Two national analysts, signed in: one writes, the other reviews and publishes.
pub struct Analysts {
    pub author: Client,
    pub reviewer: Client,
}

pub async fn analysts(app: &TestApp) -> Analysts {
    let team = app.national_team().await;
    let a = app
        .person(team, Role::NationalAnalyst, "author@carecert.example")
        .await;
    let b = app
        .person(team, Role::NationalAnalyst, "reviewer@carecert.example")
        .await;
    Analysts {
        author: app.signed_in(&a).await,
        reviewer: app.signed_in(&b).await,
    }
}

/// A complete, valid advisory form: Log4Shell, TLP:CLEAR, for everyone, 48 hours.
pub fn log4shell_form() -> Vec<(&'static str, String)> {
    vec![
        ("title", "Remote code execution in Apache Log4j".into()),
        ("severity", "critical".into()),
        (
            "severity_reason",
            "Exploited in the wild; no authentication needed; many clinical systems embed Log4j"
                .into(),
        ),
        ("tlp", "CLEAR".into()),
        (
            "summary",
            "Log4j 2 evaluates lookups in logged text, so an attacker who gets a string logged can run code.".into(),
        ),
        ("actively_exploited", "yes".into()),
        ("in_kev", "yes".into()),
        (
            "affected",
            "Apache | Log4j | >= 2.0.0, < 2.17.1 | pkg:maven/org.apache.logging.log4j/log4j-core"
                .into(),
        ),
        (
            "cves",
            "CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into(),
        ),
        (
            "remediation",
            "Upgrade Log4j to 2.17.1 or later\nAsk suppliers of clinical systems whether they embed Log4j".into(),
        ),
        ("workarounds", "Remove the JndiLookup class from the classpath".into()),
        (
            "references",
            "https://www.ncsc.gov.uk/news/apache-log4j-vulnerability NCSC guidance".into(),
        ),
        ("audience", "all".into()),
        ("ack_required", "yes".into()),
        ("ack_hours", "48".into()),
    ]
}

/// `form` with `field` set to `value` (added if missing).
pub fn with(
    mut form: Vec<(&'static str, String)>,
    field: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    form.retain(|(k, _)| *k != field);
    form.push((field, value.to_owned()));
    form
}

pub fn fields<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The advisory id in a redirect to `/alerts/manage/{id}…`.
pub fn id_from(location: &str) -> Uuid {
    location
        .trim_start_matches("/alerts/manage/")
        .split('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no advisory id in {location}"))
}

/// Writes a draft through the form. Returns its id.
pub async fn draft(author: &Client, form: &[(&'static str, String)]) -> Uuid {
    let page = author.post("/alerts/manage/new", &fields(form)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    id_from(page.location().unwrap_or_default())
}

/// Writes, submits and publishes an advisory through the pages. Returns its id and
/// reference.
pub async fn publish(a: &Analysts, form: &[(&'static str, String)]) -> (Uuid, String) {
    let id = draft(&a.author, form).await;
    a.author
        .post(&format!("/alerts/manage/{id}/submit"), &[])
        .await
        .assert_redirect_to(&format!("/alerts/manage/{id}"));
    let page = a
        .reviewer
        .post(&format!("/alerts/manage/{id}/publish"), &[])
        .await;
    page.assert_redirect_to(&format!("/alerts/manage/{id}/dashboard"));
    let shown = a.reviewer.get(&format!("/alerts/manage/{id}")).await;
    let reference = shown
        .text
        .split("CC-")
        .nth(1)
        .map(|rest| format!("CC-{}", &rest[..9]))
        .expect("reference shown");
    (id, reference)
}

/// An organisation with a security lead, signed in.
pub async fn org_with_lead(
    app: &TestApp,
    name: &str,
    ods: &str,
    kind: OrgType,
    lead_email: &str,
) -> (Uuid, Client) {
    let org = app.org(name, ods, kind).await;
    let lead = app.person(org, Role::SecurityLead, lead_email).await;
    (org, app.signed_in(&lead).await)
}

/// Makes `child` an organisation under `parent`.
pub async fn set_parent(app: &TestApp, child: Uuid, parent: Uuid) {
    carecert::exec_db!(app.db(), |pool| sqlx::query(
        "UPDATE organisations SET parent_id = $1 WHERE id = $2"
    )
    .bind(parent)
    .bind(child)
    .execute(pool)
    .await)
    .expect("set parent");
}

/// How many advisories exist (of any status).
pub async fn count(app: &TestApp) -> i64 {
    carecert::with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM alert_advisories"
    )
    .fetch_one(pool)
    .await)
    .expect("count")
}
