//! TLP 2.0 across every way an advisory travels: TLP:RED only to the security leads of the
//! organisations addressed (and the national team), TLP:AMBER+STRICT only within the
//! organisation addressed, and TLP:RED never in feeds or emails beyond a notice with a link.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{
        Client,
        advisories::{self, analysts, log4shell_form, org_with_lead, set_parent, with},
        input_value,
    },
};

/// The advisory form for Elm Surgery alone, with `tlp` and `title`.
fn for_elm(tlp: &str, title: &str) -> Vec<(&'static str, String)> {
    let form = with(with(log4shell_form(), "tlp", tlp), "title", title);
    with(with(form, "audience", "list"), "audience_orgs", "A81001")
}

async fn refused(who: &Client, reference: &str) {
    for path in [
        format!("/alerts/{reference}"),
        format!("/alerts/{reference}/csaf.json"),
    ] {
        assert_eq!(who.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

on_both!(tlp_labels_reach_only_the_people_they_allow, |app| {
    let a = analysts(&app).await;
    let (icb, icb_lead) = org_with_lead(
        &app,
        "North ICB",
        "QX1",
        OrgType::IntegratedCareBoard,
        "lead@icb.example",
    )
    .await;
    let (elm, elm_lead) = org_with_lead(
        &app,
        "Elm Surgery",
        "A81001",
        OrgType::GpPractice,
        "lead@elm.example",
    )
    .await;
    set_parent(&app, elm, icb).await;
    let staff = app.person(elm, Role::Staff, "staff@elm.example").await;
    let staff = app.signed_in(&staff).await;
    let (_, red) = advisories::publish(&a, &for_elm("RED", "Zero-day in the Elm PAS")).await;
    let (_, strict) =
        advisories::publish(&a, &for_elm("AMBER+STRICT", "Elm-only phishing campaign")).await;
    let (_, amber) = advisories::publish(&a, &for_elm("AMBER", "Amber advisory for Elm")).await;

    // Elm's security lead reads all three.
    for reference in [&red, &strict, &amber] {
        elm_lead
            .get(&format!("/alerts/{reference}"))
            .await
            .assert_ok();
    }
    // Elm's other staff: not TLP:RED, anywhere.
    refused(&staff, &red).await;
    staff.get(&format!("/alerts/{strict}")).await.assert_ok();
    let inbox = staff.get("/alerts").await;
    assert!(!inbox.text.contains(&red), "{}", inbox.text);
    assert!(inbox.text.contains(&strict));

    // The ICB's lead responds for Elm, so reads TLP:AMBER, but not TLP:AMBER+STRICT or RED.
    icb_lead.get(&format!("/alerts/{amber}")).await.assert_ok();
    refused(&icb_lead, &strict).await;
    refused(&icb_lead, &red).await;
    let inbox = icb_lead.get("/alerts").await;
    assert!(inbox.text.contains(&amber), "{}", inbox.text);
    assert!(!inbox.text.contains(&strict) && !inbox.text.contains(&red));
    assert!(!inbox.text.contains("Elm-only phishing"));
    let respond = icb_lead
        .post(
            &format!("/alerts/{strict}/respond"),
            &[("action", "acknowledge")],
        )
        .await;
    assert_eq!(respond.status, StatusCode::NOT_FOUND, "{}", respond.text);

    // Emails about TLP:RED carry a notice and the link, not the text.
    let mail = app.smtp.wait_for("lead@elm.example", &red).await;
    assert!(!mail.subject().contains("Zero-day"), "{}", mail.subject());
    assert!(!mail.body().contains("Zero-day"), "{}", mail.body());
    assert!(mail.body().contains(&format!("/alerts/{red}")));
    let mail = app.smtp.wait_for("lead@elm.example", &strict).await;
    assert!(
        mail.body().contains("Elm-only phishing campaign"),
        "{}",
        mail.body()
    );

    // Elm's private feed: TLP:RED as a notice only.
    let created = elm_lead
        .post(
            &format!("/organisations/{elm}/alert-feeds"),
            &[("name", "SOC")],
        )
        .await;
    let url = input_value(&created.text, "feed-url").expect("feed address");
    let feed = app
        .client()
        .get(url.strip_prefix(&app.base).expect("on this server"))
        .await;
    feed.assert_ok();
    assert!(feed.text.contains(&red) && feed.text.contains("sign in"));
    assert!(!feed.text.contains("Zero-day"), "{}", feed.text);
    assert!(feed.text.contains("Elm-only phishing campaign"));
});
