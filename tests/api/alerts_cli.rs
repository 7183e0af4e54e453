//! `carecert kev import`, as an operator runs it: refused without a national administrator,
//! a faulty catalogue changes nothing, and a good one becomes drafts once.

use crate::support::cli::{carecert, said};

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/alerts/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn kev_import_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let valid = fixture("kev_valid.json");

    let nobody = carecert(&db, &["kev", "import", &valid]);
    assert!(!nobody.status.success());
    assert!(
        said(&nobody).contains("no national administrator"),
        "{}",
        said(&nobody)
    );

    let admin = carecert(
        &db,
        &[
            "admin",
            "create",
            "--email",
            "admin@cli.example",
            "--name",
            "Ada Admin",
        ],
    );
    assert!(admin.status.success(), "{}", said(&admin));

    let faulty = carecert(&db, &["kev", "import", &fixture("kev_half_valid.json")]);
    assert!(!faulty.status.success());
    assert!(said(&faulty).contains("Entry 2"), "{}", said(&faulty));

    let all = carecert(&db, &["kev", "import", &valid, "--since", "2000-01-01"]);
    assert!(all.status.success(), "{}", said(&all));
    assert!(
        said(&all).contains("5 draft advisories created"),
        "{}",
        said(&all)
    );
    let again = carecert(&db, &["kev", "import", &valid, "--since", "2000-01-01"]);
    assert!(
        said(&again).contains("0 draft advisories created, 5 already imported"),
        "{}",
        said(&again)
    );

    let stranger = carecert(
        &db,
        &["kev", "import", &valid, "--by", "nobody@cli.example"],
    );
    assert!(!stranger.status.success());
    assert!(said(&stranger).contains("there is no user nobody@cli.example"));
}
