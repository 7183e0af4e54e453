//! Assure's demo data: after `serve --demo` loads it, assessments are at every stage (not
//! started, in progress with a section given to a colleague, carried over from a published
//! one, submitted) and the evidence library has an expired piece.

use carecert::{assure::rules::cycle::Cycle, demo};

use crate::{on_both, support::demo::sign_in};

/// The first link on a page whose address passes `wanted`.
fn link(html: &str, wanted: impl Fn(&str) -> bool) -> String {
    html.split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| wanted(h))
        .expect("the link is on the page")
        .to_owned()
}

on_both!(assure_demo_data_has_assessments_at_every_stage, |app| {
    demo::load(app.db(), app.secrets(), &app.base)
        .await
        .expect("load")
        .expect("loaded into an empty database");
    let this = Cycle::containing(time::OffsetDateTime::now_utc().date());
    let trust = sign_in(&app, "lead@northfield-hospitals.example").await;
    let home = trust.get("/").await;
    let list_link = link(&home.text, |h| h.ends_with("/assessments"));
    let list = trust.get(&list_link).await;
    list.assert_ok()
        .assert_contains(&this.to_string())
        .assert_contains(&this.previous().to_string())
        .assert_contains("Published")
        .assert_contains("In progress");
    let current = link(&list.text, |h| h.contains("/assessments/"));
    trust
        .get(&current)
        .await
        .assert_ok()
        .assert_contains("answers were carried over from last year")
        .assert_contains("Being answered by Aisha Khan")
        .assert_contains("Compliance by section");
    let evidence = list_link.replace("/assessments", "/evidence");
    trust
        .get(&evidence)
        .await
        .assert_ok()
        .assert_contains("Cyber Essentials Plus certificate")
        .assert_contains("Expired")
        .assert_contains("Information security policy");

    let eastbrook = sign_in(&app, "lead@eastbrook-community.example").await;
    let home = eastbrook.get("/").await;
    let page = link(&home.text, |h| h.ends_with("/assessments"));
    eastbrook.get(&page).await.assert_contains("Submitted");

    let oakwood = sign_in(&app, "manager@oakwood-care.example").await;
    let home = oakwood.get("/").await;
    let page = link(&home.text, |h| h.ends_with("/assessments"));
    oakwood
        .get(&page)
        .await
        .assert_contains("has no assessments yet");
});
