//! Assure's evidence library as a security lead meets it: adding a file (kept with its
//! SHA-256 and downloaded byte for byte), a link and a statement, clear errors for bad
//! input with nothing stored, new revisions, one piece supporting requirements of two
//! assessments, the owner reminded once before it expires, and no organisation reaching
//! another's evidence.

use carecert::{organisations::domain::OrgType, platform::authz::Role, with_db};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, Page, TestApp},
};

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

fn dates<'a>(
    effective: (&'a str, &'a str, &'a str),
    expires: (&'a str, &'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("effective-day", effective.0),
        ("effective-month", effective.1),
        ("effective-year", effective.2),
        ("expires-day", expires.0),
        ("expires-month", expires.1),
        ("expires-year", expires.2),
    ]
}

async fn add(
    client: &Client,
    org: Uuid,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> Page {
    client
        .post_multipart(&format!("/organisations/{org}/evidence"), fields, file)
        .await
}

async fn evidence_rows(app: &TestApp) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM evidence"
    )
    .fetch_one(pool)
    .await)
    .expect("count")
}

on_both!(a_lead_keeps_evidence_with_revisions_and_reuses_it, |app| {
    let (org, lead) = trust_with_lead(&app, "Oak Trust", "RO1").await;
    lead.get(&format!("/organisations/{org}/evidence"))
        .await
        .assert_ok()
        .assert_contains("Oak Trust has no evidence yet");

    // Bad input: every problem named, nothing stored.
    let mut fields = vec![("title", ""), ("kind", "file")];
    fields.extend(dates(("31", "2", "2026"), ("", "", "")));
    let page = add(&lead, org, &fields, None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Enter a title for the evidence")
        .assert_contains("Select the file to upload")
        .assert_contains("Date it took effect must be a real date");
    let mut fields = vec![
        ("title", "Policy"),
        ("kind", "link"),
        ("body", "javascript:alert(1)"),
    ];
    fields.extend(dates(("1", "4", "2026"), ("1", "4", "2026")));
    add(&lead, org, &fields, None)
        .await
        .assert_contains("Enter the full web address of the evidence, starting https://")
        .assert_contains("The expiry date must be after the date it took effect");
    let mut fields = vec![("title", "Policy"), ("kind", "file")];
    fields.extend(dates(("1", "4", "2026"), ("", "", "")));
    add(
        &lead,
        org,
        &fields,
        Some(("big.pdf", vec![b'x'; 10 * 1024 * 1024 + 1])),
    )
    .await
    .assert_contains("The file must be smaller than 10 MB");
    assert_eq!(evidence_rows(&app).await, 0);

    // A file: its fingerprint is shown, and it downloads byte for byte, as an attachment.
    let policy = b"%PDF-1.7 information security policy v1".to_vec();
    let mut fields = vec![("title", "Information security policy"), ("kind", "file")];
    fields.extend(dates(("1", "4", "2026"), ("31", "3", "2030")));
    let page = add(
        &lead,
        org,
        &fields,
        Some(("../../policy.pdf", policy.clone())),
    )
    .await;
    page.assert_redirect_to(&format!("/organisations/{org}/evidence/"));
    let evidence = page.location().expect("added").to_owned();
    let detail = lead.get(&evidence).await;
    detail
        .assert_ok()
        .assert_contains("Evidence “Information security policy” added")
        .assert_contains(&hex::encode(Sha256::digest(&policy)))
        .assert_contains("policy.pdf")
        .assert_contains("Current");
    let download = lead.get(&format!("{evidence}/revisions/1")).await;
    download.assert_ok();
    assert_eq!(
        download.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"policy.pdf\"")
    );
    assert_eq!(download.text.as_bytes(), policy.as_slice());

    // A new revision; the first is kept.
    let v2 = b"%PDF-1.7 information security policy v2".to_vec();
    lead.post_multipart(
        &format!("{evidence}/revisions"),
        &[("note", "Annual review")],
        Some(("policy-v2.pdf", v2.clone())),
    )
    .await
    .assert_redirect_to(&evidence);
    lead.get(&evidence)
        .await
        .assert_contains("Revision 2 of “Information security policy” uploaded")
        .assert_contains(&hex::encode(Sha256::digest(&v2)))
        .assert_contains(&hex::encode(Sha256::digest(&policy)))
        .assert_contains("Annual review");
    assert_eq!(
        lead.get(&format!("{evidence}/revisions/1"))
            .await
            .text
            .as_bytes(),
        policy.as_slice()
    );

    // A statement that has expired shows as expired.
    let mut fields = vec![
        ("title", "Board minutes"),
        ("kind", "text"),
        ("body", "The board approved the plan."),
    ];
    fields.extend(dates(("1", "4", "2020"), ("31", "3", "2021")));
    add(&lead, org, &fields, None)
        .await
        .assert_redirect_to(&format!("/organisations/{org}/evidence/"));
    lead.get(&format!("/organisations/{org}/evidence"))
        .await
        .assert_contains("Expired")
        .assert_contains("Board minutes");

    // One piece supports requirements of two assessments.
    let cycle =
        carecert::assure::rules::cycle::Cycle::containing(time::OffsetDateTime::now_utc().date());
    let mut assessments = vec![];
    for framework in ["cyber-essentials", "ndg-standards"] {
        let started = lead
            .post(
                &format!("/organisations/{org}/assessments"),
                &[("framework", framework), ("cycle", &cycle.to_string())],
            )
            .await;
        assessments.push(started.location().expect("started").to_owned());
    }
    let evidence_id = evidence.rsplit('/').next().expect("id").to_owned();
    for (assessment, requirement) in [(&assessments[0], "SCOPE.1"), (&assessments[1], "1.1")] {
        let page = lead
            .post(
                &format!("{assessment}/requirements/{requirement}/evidence"),
                &[("evidence", &evidence_id)],
            )
            .await;
        page.assert_redirect_to(&format!("{assessment}/requirements/{requirement}"));
        lead.get(&format!("{assessment}/requirements/{requirement}"))
            .await
            .assert_contains("“Information security policy” now supports")
            .assert_contains("Take off");
    }
    lead.get(&evidence)
        .await
        .assert_contains("requirement SCOPE.1")
        .assert_contains("requirement 1.1");
    lead.post(
        &format!(
            "{}/requirements/SCOPE.1/evidence/{evidence_id}/remove",
            assessments[0]
        ),
        &[],
    )
    .await
    .assert_redirect_to(&assessments[0]);
    let after = lead.get(&evidence).await;
    assert!(!after.text.contains("requirement SCOPE.1"));
    after.assert_contains("requirement 1.1");
});

on_both!(owners_are_reminded_once_before_evidence_expires, |app| {
    let (org, lead) = trust_with_lead(&app, "Elm Trust", "RE1").await;
    let _second = app.second_instance().await;
    let today = time::OffsetDateTime::now_utc().date();
    let soon = today + time::Duration::days(10);
    let later = today + time::Duration::days(200);
    for (title, expiry) in [
        ("Cyber Essentials certificate", soon),
        ("Penetration test report", later),
    ] {
        let (d, m, y) = (
            expiry.day().to_string(),
            u8::from(expiry.month()).to_string(),
            expiry.year().to_string(),
        );
        let mut fields = vec![
            ("title", title),
            ("kind", "link"),
            ("body", "https://intranet.re1.example/doc"),
        ];
        fields.extend(dates(("1", "1", "2025"), (&d, &m, &y)));
        add(&lead, org, &fields, None)
            .await
            .assert_redirect_to(&format!("/organisations/{org}/evidence/"));
    }
    let mail = app
        .smtp
        .wait_for("lead@re1.example", "Evidence expires on")
        .await;
    assert!(
        mail.subject().ends_with("Cyber Essentials certificate"),
        "{}",
        mail.subject()
    );
    assert!(
        mail.body()
            .contains(&format!("/organisations/{org}/evidence/")),
        "{}",
        mail.body()
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let all = app.smtp.all_to("lead@re1.example").await;
    let reminders: Vec<_> = all
        .iter()
        .filter(|m| m.subject().starts_with("Evidence"))
        .collect();
    assert_eq!(
        reminders.len(),
        1,
        "one reminder, for the evidence expiring soon"
    );
});

on_both!(no_organisation_reaches_anothers_evidence, |app| {
    let (oak, oak_lead) = trust_with_lead(&app, "Oak Trust", "RO1").await;
    let (elm, elm_lead) = trust_with_lead(&app, "Elm Trust", "RE1").await;
    let mut fields = vec![("title", "Oak secret plan"), ("kind", "file")];
    fields.extend(dates(("1", "4", "2026"), ("", "", "")));
    let page = add(&oak_lead, oak, &fields, Some(("plan.pdf", b"oak".to_vec()))).await;
    let evidence = page.location().expect("added").to_owned();
    let id = evidence.rsplit('/').next().expect("id").to_owned();

    assert_eq!(elm_lead.get(&evidence).await.status, StatusCode::FORBIDDEN);
    let via_elm = format!("/organisations/{elm}/evidence/{id}");
    for page in [
        elm_lead.get(&via_elm).await,
        elm_lead.get(&format!("{via_elm}/revisions/1")).await,
        elm_lead
            .post_multipart(
                &format!("{via_elm}/revisions"),
                &[],
                Some(("x.pdf", b"elm".to_vec())),
            )
            .await,
    ] {
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(!page.text.contains("Oak secret plan"));
    }
    // Elm cannot put Oak's evidence on its own answer either.
    let cycle =
        carecert::assure::rules::cycle::Cycle::containing(time::OffsetDateTime::now_utc().date());
    let started = elm_lead
        .post(
            &format!("/organisations/{elm}/assessments"),
            &[
                ("framework", "cyber-essentials"),
                ("cycle", &cycle.to_string()),
            ],
        )
        .await;
    let assessment = started.location().expect("started").to_owned();
    let page = elm_lead
        .post(
            &format!("{assessment}/requirements/SCOPE.1/evidence"),
            &[("evidence", &id)],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let links: i64 = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM evidence_links"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert_eq!(links, 0);
    assert!(
        !elm_lead
            .get(&format!("/organisations/{elm}/evidence"))
            .await
            .text
            .contains("Oak secret plan")
    );
});
