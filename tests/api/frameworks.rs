//! Assure's frameworks as an operator meets them: the built-in standards are stored when
//! the server starts, and `carecert framework import` loads an OSCAL catalog (NIST's own
//! SP 800-53 LOW baseline, from the shared test data), refuses a damaged file with the reason
//! and nothing stored, and refuses the same version twice.

use carecert::{
    assure::{
        framework::import::{Described, from_oscal},
        store::frameworks::{self, Origin},
    },
    with_db,
};

use crate::{
    on_both,
    support::cli::{carecert, said},
};

on_both!(the_built_in_frameworks_are_stored_at_start_up, |app| {
    let stored: Vec<(String, bool, String)> = with_db!(app.db(), |pool| sqlx::query_as(
        "SELECT framework, is_current, origin FROM framework_versions ORDER BY framework"
    )
    .fetch_all(pool)
    .await)
    .expect("framework versions");
    let names: Vec<&str> = stored.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(
        names,
        [
            "caf-dspt",
            "cyber-essentials",
            "ndg-standards",
            "nist-csf-2"
        ]
    );
    assert!(
        stored
            .iter()
            .all(|(_, current, origin)| *current && origin == "builtin")
    );
});

on_both!(
    the_content_page_lists_the_sources_of_the_current_frameworks,
    |app| {
        let admin = app.national_admin().await;
        admin
            .get("/admin/content")
            .await
            .assert_ok()
            .assert_contains("Cyber Assessment Framework")
            .assert_contains("Requirement A1.a: ");

        // An imported catalog is live content too: its source is listed once it is current.
        let catalog = r#"{"catalog": {"uuid": "9e5a1a3c-1111-4c4c-8a8a-000000000002",
          "metadata": {"title": "Local controls", "version": "3.0", "oscal-version": "1.1.2"},
          "controls": [{"id": "lc-1", "title": "One", "props": [{"name": "label", "value": "LC-1"}],
                        "parts": [{"name": "statement", "prose": "Do one."}]}]}}"#;
        let said = Described {
            id: "local-controls",
            publisher: "Oak Trust",
            source_url: "https://oak.example/controls.json",
        };
        let imported = from_oscal(catalog, &said, time::OffsetDateTime::now_utc().date())
            .expect("a valid catalog");
        let mut tx = app.db().begin().await.expect("begin");
        frameworks::import(&mut tx, &imported.framework, Origin::Imported, None)
            .await
            .expect("stored");
        tx.commit().await.expect("commit");
        admin
            .get("/admin/content")
            .await
            .assert_ok()
            .assert_contains("Local controls (version 3.0)")
            .assert_contains("href=\"https://oak.example/controls.json\"")
            .assert_contains("Requirement LC-1: One");
    }
);

const NIST_LOW: &str = "../shared/data/oscal/sp800-53r5-low-catalog.json";

fn import(db: &str, path: &str) -> std::process::Output {
    carecert(
        db,
        &[
            "framework",
            "import",
            path,
            "--id",
            "nist-800-53-low",
            "--publisher",
            "NIST",
            "--source",
            "https://github.com/usnistgov/oscal-content",
        ],
    )
}

#[test]
fn an_oscal_catalog_imports_once_and_a_damaged_one_not_at_all() {
    let nist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(NIST_LOW);
    if !nist.exists() {
        eprintln!("SKIPPED: {NIST_LOW} is absent, so the OSCAL import was not tried");
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());

    // A damaged copy: cut off half-way.
    let json = std::fs::read_to_string(&nist).expect("catalog");
    let damaged = dir.path().join("damaged.json");
    std::fs::write(&damaged, &json[..json.len() / 2]).expect("write");
    let refused = import(&db, damaged.to_str().expect("path"));
    assert!(!refused.status.success());
    let text = said(&refused);
    assert!(text.contains("Not imported"), "{text}");
    assert!(text.contains("not an OSCAL catalog in JSON"), "{text}");

    let first = import(&db, nist.to_str().expect("path"));
    let text = said(&first);
    assert!(first.status.success(), "{text}");
    assert!(
        text.contains("167 requirements (18 headings, 149 assessable)"),
        "the damaged file stored nothing, and the whole baseline loads: {text}"
    );

    let again = import(&db, nist.to_str().expect("path"));
    assert!(!again.status.success());
    assert!(
        said(&again).contains("has already been imported"),
        "{}",
        said(&again)
    );
}
