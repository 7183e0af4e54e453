//! An organisation's software inventory: uploading it (CSV or CycloneDX), what makes the
//! organisation likely affected by a live advisory, refusing a file with problems without
//! touching the old inventory, the download that reads back, paging, and who may use it.

use carecert::{
    alerts::{
        inventory_files, publishing,
        store::{inventory, responses},
    },
    organisations::domain::OrgType,
    platform::authz::Role,
    with_db,
};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        Client, TestApp,
        alerts::{publish, sample_content},
    },
};

const HEADINGS: &str = "vendor,product,version,count,location,cpe,purl\n";

fn csv_with_log4j(version: &str) -> String {
    format!(
        "{HEADINGS}Apache,log4j-core,{version},4,Web servers,,pkg:maven/org.apache.logging.log4j/log4j-core@{version}\n\
         Microsoft,Exchange Server,15.2.1118.40,2,Data centre,,\n"
    )
}

fn path(org: Uuid) -> String {
    format!("/organisations/{org}/inventory")
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

async fn upload(client: &Client, org: Uuid, filename: &str, body: &str) -> crate::support::Page {
    client
        .post_file(&path(org), "file", filename, body.as_bytes().to_vec())
        .await
}

async fn likely_affected(app: &TestApp, advisory: Uuid, org: Uuid) -> bool {
    responses::find(app.db(), advisory, org.into())
        .await
        .expect("query")
        .expect("addressed")
        .likely_affected
}

async fn audited(app: &TestApp, event: &str, org: Uuid) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1 AND organisation_id = $2"
    )
    .bind(event)
    .bind(org)
    .fetch_one(pool)
    .await)
    .expect("audit count")
}

on_both!(
    an_affected_version_marks_the_organisation_likely_affected,
    |app| {
        let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
        let (id, reference) = publish(&app, sample_content()).await;
        let advisory = format!("/alerts/{reference}");
        lead.get(&path(org))
            .await
            .assert_ok()
            .assert_contains("Riverside NHS Trust has not uploaded an inventory yet.")
            .assert_contains("None of the live advisories for Riverside NHS Trust matches");
        assert!(!likely_affected(&app, id, org).await);

        upload(&lead, org, "inventory.csv", &csv_with_log4j("2.14.1"))
            .await
            .assert_redirect_to(&path(org));
        assert!(likely_affected(&app, id, org).await);
        let page = lead.get(&path(org)).await;
        page.assert_ok()
            .assert_contains("Inventory replaced: 2 items; likely affected by 1 live advisory")
            .assert_contains("is likely affected by 1 live advisory")
            .assert_contains(&format!("href=\"/alerts/{reference}\""))
            .assert_contains("log4j-core 2.14.1 at Web servers")
            .assert_contains("inventory.csv (CSV)")
            .assert_contains("by Test lead@rr1.example")
            .assert_contains("Showing items 1 to 2 of 2.")
            .assert_contains("Exchange Server");
        lead.get(&advisory)
        .await
        .assert_ok()
        .assert_contains("Likely affected")
        .assert_contains("Apache log4j-core version 2.14.1 at Web servers (4 installed): matches Apache Log4j by package URL");
        lead.get("/alerts")
            .await
            .assert_contains("nhsuk-tag--orange\">Likely affected</strong>");

        upload(&lead, org, "patched.csv", &csv_with_log4j("2.17.1"))
            .await
            .assert_redirect_to(&path(org));
        assert!(!likely_affected(&app, id, org).await);
        let page = lead.get(&path(org)).await;
        page.assert_contains("Inventory replaced: 2 items; likely affected by 0 live advisories")
            .assert_contains("patched.csv (CSV)")
            .assert_contains("None of the live advisories for Riverside NHS Trust matches");
        let advisory_page = lead.get(&advisory).await;
        assert!(
            !advisory_page
                .text
                .contains("software inventory are affected versions")
        );
        assert_eq!(audited(&app, "alerts.inventory_replaced", org).await, 2);
    }
);

on_both!(a_file_with_problems_leaves_the_inventory_as_it_was, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    upload(&lead, org, "good.csv", &csv_with_log4j("2.14.1"))
        .await
        .assert_redirect_to(&path(org));
    let before = inventory::items(app.db(), org.into()).await.expect("items");
    let half = format!(
        "{HEADINGS}Apache,log4j-core,2.17.1,1,Web servers,,\n\
         Acme,Widget,1.0,lots,Ward 7,,\n\
         ,Gadget,1.0,1,Ward 8,,\n"
    );
    let refused = upload(&lead, org, "half.csv", &half).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    refused
        .assert_contains("<title>Error: Software inventory")
        .assert_contains("Nothing has been changed")
        .assert_contains("Row 3: enter a whole number for count")
        .assert_contains("Row 4: the vendor is missing")
        .assert_contains("<a href=\"#file\">")
        .assert_contains("there are 2 problems");
    let after = inventory::items(app.db(), org.into()).await.expect("items");
    assert_eq!(after, before);
    let upload_row = inventory::upload(app.db(), org.into())
        .await
        .expect("query")
        .expect("an upload");
    assert_eq!(upload_row.filename, "good.csv");

    let nothing = lead.post_file(&path(org), "file", "", Vec::new()).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    nothing.assert_contains("Select a CSV file or a CycloneDX SBOM in JSON to upload");
    let workbook = upload(&lead, org, "inventory.xlsx", "PK\u{3}\u{4}\u{0}binary").await;
    assert_eq!(workbook.status, StatusCode::UNPROCESSABLE_ENTITY);
    workbook.assert_contains("spreadsheet workbook");
    assert_eq!(
        inventory::items(app.db(), org.into()).await.expect("items"),
        before
    );
    assert_eq!(audited(&app, "alerts.inventory_replaced", org).await, 1);
});

on_both!(a_cyclonedx_sbom_is_accepted, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let (id, _) = publish(&app, sample_content()).await;
    let sbom = r#"{
      "bomFormat": "CycloneDX",
      "specVersion": "1.5",
      "version": 1,
      "metadata": {"component": {"type": "application", "name": "Patient portal"}},
      "components": [
        {"type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core",
         "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
        {"type": "library", "group": "com.fasterxml.jackson.core", "name": "jackson-databind",
         "version": "2.15.2"},
        {"type": "operating-system", "name": "debian", "version": "12.7"}
      ]
    }"#;
    upload(&lead, org, "portal.cdx.json", sbom)
        .await
        .assert_redirect_to(&path(org));
    assert!(likely_affected(&app, id, org).await);
    let page = lead.get(&path(org)).await;
    page.assert_ok()
        .assert_contains("Inventory replaced: 2 items; likely affected by 1 live advisory.")
        .assert_contains(
            "1 component was left out because it names no supplier, CPE or package URL, so no \
             advisory could match it: Component 3 (&#39;debian&#39;).",
        )
        .assert_contains("portal.cdx.json (CycloneDX SBOM (JSON))")
        .assert_contains("jackson-databind")
        .assert_contains("log4j-core 2.14.1 at Patient portal");
});

on_both!(the_download_reads_back_as_the_same_inventory, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let original = format!(
        "{HEADINGS}\"Acme \"\"Tools\"\"\",\"Widget, Pro\",1.0,3,\"Ward 7, east wing\",,\n\
         ,curl,8.4.0,,Build servers,cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*,\n\
         Apache,log4j-core,2.17.1,12,Web servers,,pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1\n"
    );
    upload(&lead, org, "original.csv", &original)
        .await
        .assert_redirect_to(&path(org));
    let stored = inventory::items(app.db(), org.into()).await.expect("items");
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].vendor, "Acme \"Tools\"");
    assert_eq!(stored[1].count, 1);

    let download = lead
        .get(&format!("/organisations/{org}/inventory.csv"))
        .await;
    download.assert_ok();
    assert_eq!(
        download.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let disposition = download.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"inventory-RR1-"),
        "{disposition}"
    );
    // The client drops the byte order mark as it decodes the text.
    assert!(
        download
            .text
            .trim_start_matches('\u{feff}')
            .starts_with("vendor,product,version,count,location,cpe,purl\n")
    );
    let read = inventory_files::parse("download.csv", download.text.as_bytes())
        .expect("valid")
        .items;
    assert_eq!(read, stored);

    upload(&lead, org, "again.csv", &download.text)
        .await
        .assert_redirect_to(&path(org));
    assert_eq!(
        inventory::items(app.db(), org.into()).await.expect("items"),
        stored
    );
    assert_eq!(audited(&app, "export", org).await, 1);
});

on_both!(the_items_are_shown_fifty_to_a_page, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let mut csv = HEADINGS.to_owned();
    for n in 1..=120 {
        csv.push_str(&format!("Vendor{n},Product{n},1.{n},1,Room {n},,\n"));
    }
    upload(&lead, org, "big.csv", &csv)
        .await
        .assert_redirect_to(&path(org));
    let first = lead.get(&path(org)).await;
    first
        .assert_ok()
        .assert_contains("Showing items 1 to 50 of 120.")
        .assert_contains(">Product50</td>")
        .assert_contains(&format!("href=\"/organisations/{org}/inventory?page=2\""));
    assert!(!first.text.contains(">Product51</td>"));
    let last = lead.get(&format!("{}?page=3", path(org))).await;
    last.assert_ok()
        .assert_contains("Showing items 101 to 120 of 120.")
        .assert_contains(">Product120</td>")
        .assert_contains("aria-current=\"page\">3</a>");
    assert!(!last.text.contains(">Product100</td>"));
    let beyond = lead.get(&format!("{}?page=99", path(org))).await;
    beyond.assert_contains("Showing items 101 to 120 of 120.");
});

on_both!(only_the_organisations_leads_use_its_inventory, |app| {
    let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
    let (_, other_lead) = trust_with_lead(&app, "Hillside NHS Trust", "HH1").await;
    let nurse = app.person(org, Role::Staff, "nurse@rr1.example").await;
    let nurse = app.signed_in(&nurse).await;
    upload(&lead, org, "inventory.csv", &csv_with_log4j("2.14.1"))
        .await
        .assert_redirect_to(&path(org));
    let before = inventory::items(app.db(), org.into()).await.expect("items");
    for client in [&other_lead, &nurse] {
        assert_eq!(client.get(&path(org)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            client
                .get(&format!("/organisations/{org}/inventory.csv"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let replaced = upload(client, org, "mine.csv", &csv_with_log4j("2.17.1")).await;
        assert_eq!(replaced.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        inventory::items(app.db(), org.into()).await.expect("items"),
        before
    );
    let anonymous = app.client();
    anonymous
        .get(&path(org))
        .await
        .assert_redirect_to("/sign-in?next=");
});

on_both!(
    stored_advisory_content_that_does_not_read_stops_a_rematch,
    |app| {
        let (org, lead) = trust_with_lead(&app, "Riverside NHS Trust", "RR1").await;
        let (id, _) = publish(&app, sample_content()).await;
        upload(&lead, org, "inventory.csv", &csv_with_log4j("2.14.1"))
            .await
            .assert_redirect_to(&path(org));
        carecert::exec_db!(app.db(), |pool| sqlx::query(
            "UPDATE alert_advisories SET content = $1 WHERE id = $2"
        )
        .bind("{\"not\": \"an advisory\"}")
        .bind(id)
        .execute(pool)
        .await)
        .expect("damage content");
        let mut tx = app.db().begin().await.expect("begin");
        // A damaged advisory is an error, not silently left out of the count.
        assert!(
            publishing::rematch_organisation(&mut tx, org.into())
                .await
                .is_err()
        );
    }
);
