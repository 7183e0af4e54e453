//! The audit log against someone with write access to the database but not the server's
//! secret key: a rewrite with recomputed hashes is reported, and so is deleting the newest
//! entries, both through the library and by `carecert audit verify` as an operator runs it.

use std::time::Duration as StdDuration;

use carecert::{
    audit::{self, NewEvent},
    platform::db::{Db, now},
    with_db,
};
use time::Duration;

use crate::{
    on_both,
    support::{
        TestApp,
        audit::{delete_newest, rewrite_without_the_key},
        cli::{carecert, said},
    },
};

/// Records `n` events, as the service does.
async fn record(app: &TestApp, n: usize) {
    for i in 0..n {
        let event = NewEvent::by(None, "anonymous", "sign_in.failed", "192.0.2.7")
            .with_detail(serde_json::json!({ "attempt": i }));
        audit::record_now(app.db(), app.secrets(), event)
            .await
            .expect("record");
    }
}

/// Checks the log, as `carecert audit verify` does, and says whether a problem starting
/// with `start` was reported.
async fn reports(app: &TestApp, start: &str) -> bool {
    let report = audit::verify(app.db(), app.secrets())
        .await
        .expect("verify");
    let found = report.problems.iter().any(|p| p.starts_with(start));
    if !found {
        eprintln!("no problem starting {start:?} in: {report}");
    }
    found
}

on_both!(a_log_rewritten_without_the_key_is_reported, |app| {
    record(&app, 5).await;
    let report = audit::verify(app.db(), app.secrets())
        .await
        .expect("verify");
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.entries, 5);

    // Entry 3 edited and the plain SHA-256 of it and every later entry recomputed, so every
    // link matches: without the key the hashes are not the ones the server makes.
    rewrite_without_the_key(app.db(), 3, false).await;
    assert!(reports(&app, "seq 3: contents do not match the stored hash").await);

    // Claiming the rewritten entries are from before the chain was keyed does not help.
    rewrite_without_the_key(app.db(), 3, true).await;
    assert!(reports(&app, "seq 3: hashed without the server's key").await);
});

on_both!(
    deleting_the_newest_entries_is_reported_as_truncation,
    |app| {
        record(&app, 5).await;
        // Checking records the head: 5 entries.
        assert!(
            audit::verify(app.db(), app.secrets())
                .await
                .expect("verify")
                .is_intact()
        );
        delete_newest(app.db(), 2).await;
        let report = audit::verify(app.db(), app.secrets())
            .await
            .expect("verify");
        assert_eq!(report.entries, 3);
        assert!(
            report.problems.iter().any(|p| p.starts_with("truncated: ")
                && p.contains("had 5 entries up to seq 5")
                && p.contains("now ends at seq 3")),
            "{report}"
        );

        // New entries after the deletion do not hide it: seq 5 is not the entry recorded.
        record(&app, 2).await;
        assert!(reports(&app, "seq 5: hash differs from the head recorded").await);
    }
);

/// How many heads the worker has recorded.
async fn scheduled_heads(db: &Db) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_heads WHERE source = 'scheduled'"
    )
    .fetch_one(pool)
    .await)
    .expect("heads")
}

on_both!(the_worker_records_the_head_once_an_hour, |app| {
    // The worker records one soon after start...
    let mut waited = 0;
    while scheduled_heads(app.db()).await == 0 {
        assert!(waited < 100, "no head recorded by the worker");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        waited += 1;
    }
    // ...and no other within the hour, whichever instance's worker asks.
    let second = app.second_instance().await;
    audit::record_head_if_due(second.db(), second.secrets(), now())
        .await
        .expect("head");
    assert_eq!(scheduled_heads(app.db()).await, 1);
    audit::record_head_if_due(app.db(), app.secrets(), now() + Duration::minutes(61))
        .await
        .expect("head");
    assert_eq!(scheduled_heads(app.db()).await, 2);
});

#[test]
fn audit_verify_on_the_command_line_reports_rewriting_and_truncation() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for attack in ["rewrite", "truncate"] {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("cli.db").display());
        for n in 1..=4 {
            let email = format!("admin{n}@cli.example");
            let made = carecert(
                &url,
                &["admin", "create", "--email", &email, "--name", "Ada Admin"],
            );
            assert!(made.status.success(), "{}", said(&made));
        }
        let intact = carecert(&url, &["audit", "verify"]);
        assert!(intact.status.success(), "{}", said(&intact));
        assert!(
            said(&intact).contains("Audit log intact: 4 entries checked"),
            "{}",
            said(&intact)
        );

        runtime.block_on(async {
            let db = Db::connect(&url).await.expect("connect");
            match attack {
                "rewrite" => rewrite_without_the_key(&db, 2, false).await,
                _ => delete_newest(&db, 1).await,
            }
            db.close().await;
        });
        let checked = carecert(&url, &["audit", "verify"]);
        assert!(!checked.status.success(), "{attack}: {}", said(&checked));
        let expected = match attack {
            "rewrite" => "seq 2: contents do not match the stored hash",
            _ => "truncated: the head recorded at",
        };
        assert!(
            said(&checked).contains(expected),
            "{attack}: {}",
            said(&checked)
        );
    }
}
