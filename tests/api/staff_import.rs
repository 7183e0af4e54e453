//! Importing staff from a CSV file: good rows go in, bad rows are explained row by row,
//! re-uploading changes nothing, and files that are not what we expect are refused whole.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::{on_both, support::TestApp};

fn summary_value(html: &str, key: &str) -> String {
    let at = html
        .find(&format!(">{key}</dt>"))
        .unwrap_or_else(|| panic!("no {key} row"));
    let start = html[at..].find("summary-list__value\">").expect("value") + at + 21;
    html[start..]
        .trim_start()
        .split('<')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

async fn lead_of_new_trust(app: &TestApp) -> (uuid::Uuid, crate::support::Client) {
    let trust = app.org("Cedar Trust", "RC1", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "lead@cedar.example")
        .await;
    (trust, app.signed_in(&lead).await)
}

on_both!(
    a_csv_of_staff_imports_good_rows_and_explains_bad_ones,
    |app| {
        let (trust, c) = lead_of_new_trust(&app).await;
        let path = format!("/organisations/{trust}/staff/import");
        c.get(&path)
            .await
            .assert_ok()
            .assert_contains("staff_group");
        let csv = "Name,Email,Staff group,Department\n\
               Ava Stone,ava@cedar.example,Clinical,Cardiology\n\
               Ben Ford,BEN@cedar.example,admin,\n\
               Cara Hill,cara@cedar.example,IT,Digital\n\
               ,nobody@cedar.example,clinical,\n\
               Dan Roe,not-an-email,clinical,\n\
               Eve Poe,eve@cedar.example,wizard,\n\
               Ava Again,ava@cedar.example,clinical,\n";
        let page = c
            .post_file(&path, "file", "staff.csv", csv.as_bytes().to_vec())
            .await;
        page.assert_ok();
        assert_eq!(summary_value(&page.text, "Added"), "3 people");
        assert_eq!(summary_value(&page.text, "Not imported"), "4 rows");
        page.assert_contains("already on row 2");
        for n in ["ava", "ben", "cara"] {
            app.smtp
                .wait_for(&format!("{n}@cedar.example"), "invited")
                .await;
        }
        let list = c.get(&format!("/organisations/{trust}/staff")).await;
        list.assert_contains("Ava Stone")
            .assert_contains("Cardiology")
            .assert_contains("ben@cedar.example");
        assert!(!list.text.contains("Eve Poe"));

        // The same file again: nothing changes and nobody is emailed twice.
        let again = c
            .post_file(&path, "file", "staff.csv", csv.as_bytes().to_vec())
            .await;
        assert_eq!(summary_value(&again.text, "Added"), "0 people");
        assert_eq!(summary_value(&again.text, "Unchanged"), "3 people");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.smtp.all_to("ava@cedar.example").await.len(), 1);

        // A changed row updates the person.
        let changed =
            "name,email,staff_group,department\nAva Stone,ava@cedar.example,clinical,Oncology\n";
        let page = c
            .post_file(&path, "file", "update.csv", changed.as_bytes().to_vec())
            .await;
        assert_eq!(summary_value(&page.text, "Updated"), "1 person");
        c.get(&format!("/organisations/{trust}/staff?q=ava"))
            .await
            .assert_contains("Oncology");
    }
);

on_both!(files_that_are_not_staff_csvs_are_refused_whole, |app| {
    let (trust, c) = lead_of_new_trust(&app).await;
    let path = format!("/organisations/{trust}/staff/import");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("wrong columns", b"first,last\nA,B\n".to_vec(), "missing"),
        (
            "Latin-1",
            b"name,email,staff_group\nJos\xe9 Ruiz,jose@cedar.example,clinical\n".to_vec(),
            "UTF-8",
        ),
        ("empty", vec![], "empty"),
        (
            "junk",
            (0..50_000u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "CSV",
        ),
    ];
    for (what, bytes, message) in cases {
        let page = c.post_file(&path, "file", "staff.csv", bytes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        page.assert_contains("nhsuk-error-summary")
            .assert_contains(message);
    }
    let list = c.get(&format!("/organisations/{trust}/staff")).await;
    list.assert_contains("1 person");
    let too_big = vec![b'a'; 13 * 1024 * 1024];
    let page = c.post_file(&path, "file", "huge.csv", too_big).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    page.assert_contains("smaller than");
});

on_both!(twenty_thousand_rows_import_in_one_go, |app| {
    let (trust, c) = lead_of_new_trust(&app).await;
    let csv = carecert::staff::import_sample::sample_csv(20_000, 3);
    let page = c
        .post_file(
            &format!("/organisations/{trust}/staff/import"),
            "file",
            "big.csv",
            csv.clone().into_bytes(),
        )
        .await;
    page.assert_ok();
    assert_eq!(summary_value(&page.text, "Added"), "20000 people");
    let again = c
        .post_file(
            &format!("/organisations/{trust}/staff/import"),
            "file",
            "big.csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(summary_value(&again.text, "Unchanged"), "20000 people");
    c.get(&format!("/organisations/{trust}/staff"))
        .await
        .assert_contains("20001 people");
});
