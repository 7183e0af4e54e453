//! The audit log: an append-only record of security events, each entry chained to the one
//! before it by an HMAC-SHA256 under a key derived from the server's secret key, so that
//! later editing, deleting or rewriting of entries by someone with database access but not
//! the key shows up when the chain is checked (`carecert audit verify`). The chain's head
//! is recorded on each check and hourly (in the database, sealed, and in the logs), so that
//! deleting the newest entries shows up too.
//!
//! - [`chain`]: the hashing and the chain check, as pure functions.
//! - [`store`]: the SQL.
//! - [`handlers`]: the pages for national administrators (every entry) and for an
//!   organisation's security leads (that organisation's entries only).
//!
//! Appending is serialised across every instance sharing the database: on PostgreSQL with
//! a transaction-level advisory lock taken before the newest entry is read, on SQLite by the
//! `BEGIN IMMEDIATE` every transaction starts with. Because [`record`] takes that lock inside
//! the caller's transaction and it is held until the transaction ends, callers should
//! record the event as the last step before committing, to keep the lock short.
//!
//! Reading the log is not itself recorded.

pub mod chain;
pub mod handlers;
pub mod service;
pub mod store;

use serde_json::Value;
use time::OffsetDateTime;

use crate::platform::{
    db::{Db, Tx, new_id, now},
    ids::{OrgId, UserId},
    secrets::SecretBox,
    web::routes::Route,
};

/// What the audit chain's key is derived for (see [`SecretBox::derive_key`]).
const KEY_LABEL: &str = "carecert audit chain v1";

/// How often the worker records the head.
pub const HEAD_EVERY: time::Duration = time::Duration::hours(1);

/// The key the chain is sealed with.
fn chain_key(secrets: &SecretBox) -> chain::ChainKey {
    chain::ChainKey::new(&secrets.derive_key(KEY_LABEL))
}

/// A security event to record.
pub struct NewEvent<'a> {
    /// The person who acted, if known.
    pub actor_user_id: Option<UserId>,
    /// Who acted, for display: the person's email, "system", or "anonymous".
    pub actor_label: &'a str,
    /// The organisation the event concerns, if any. Its security leads see the entry.
    pub organisation_id: Option<OrgId>,
    /// What happened, e.g. "sign_in.succeeded", "sign_in.failed", "two_step.enrolled",
    /// "role.changed", "invitation.sent", "api_token.created", "export".
    pub event: &'a str,
    /// Context. Never secrets: no passwords, tokens or codes. As a safety net, values
    /// under keys that look secret (see [`redact_secrets`]) are replaced before storing.
    pub detail: serde_json::Value,
    /// The client's IP address, if the event came from a request.
    pub ip: Option<&'a str>,
}

impl<'a> NewEvent<'a> {
    /// An event about a person's own account (sign-in, password, two-step), with no
    /// organisation and no further detail.
    pub fn by(user_id: Option<UserId>, label: &'a str, event: &'a str, ip: &'a str) -> Self {
        NewEvent {
            actor_user_id: user_id,
            actor_label: label,
            organisation_id: None,
            event,
            detail: serde_json::json!({}),
            ip: Some(ip),
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// The organisation the event concerns, so its security leads see it in their log.
    pub fn in_organisation(mut self, organisation_id: OrgId) -> Self {
        self.organisation_id = Some(organisation_id);
        self
    }
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many entries were checked.
    pub entries: u64,
    /// How many of them were made before the chain was keyed (plain SHA-256).
    pub unkeyed: u64,
    /// What is wrong, one message per problem naming the `seq` concerned. Empty when the
    /// chain is intact and no recorded head is missing from it (see [`chain`] for what a
    /// head recorded only in the logs is needed for).
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.problems.is_empty() {
            write!(f, "audit log intact: {} entries checked", self.entries)?;
            if self.unkeyed > 0 {
                write!(
                    f,
                    " ({} from before the chain was keyed, vouched for by the keyed entries after them)",
                    self.unkeyed
                )?;
            }
            Ok(())
        } else {
            writeln!(
                f,
                "audit log NOT intact: {} problem(s) in {} entries checked",
                self.problems.len(),
                self.entries
            )?;
            for problem in &self.problems {
                writeln!(f, "  {problem}")?;
            }
            Ok(())
        }
    }
}

/// Appends an event within the caller's transaction, so it is recorded if and only if the
/// change it describes is committed. Takes the append lock until the transaction ends. The
/// entry is sealed with the audit key derived from `secrets`.
pub async fn record(
    tx: &mut Tx,
    secrets: &SecretBox,
    event: NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    store::lock_for_append(tx).await?;
    let (seq, prev_hash) = match store::tail(tx).await? {
        Some((last, hash)) => (last + 1, hash),
        None => (1, chain::GENESIS.to_owned()),
    };
    let detail = redact_secrets(event.detail).to_string();
    let fields = chain::Fields {
        seq,
        id: new_id(),
        occurred_at: now(),
        actor_user_id: event.actor_user_id.map(UserId::as_uuid),
        actor_label: event.actor_label,
        organisation_id: event.organisation_id.map(OrgId::as_uuid),
        event: event.event,
        detail: &detail,
        ip: event.ip,
    };
    let hash = chain::sealed_hash(&chain_key(secrets), &prev_hash, &fields);
    store::insert(tx, &fields, &prev_hash, &hash).await
}

/// Appends an event in its own short transaction (for events that are not part of a
/// change, such as a failed sign-in).
pub async fn record_now(
    db: &Db,
    secrets: &SecretBox,
    event: NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    record(&mut tx, secrets, event).await?;
    tx.commit().await
}

pub use service::service;

/// The audit log pages.
fn routes() -> Vec<Route> {
    handlers::routes()
}

/// How many entries [`verify`] reads at a time.
const VERIFY_BATCH: i64 = 1_000;

/// Checks the whole chain, reading it in batches in sequence order, against every head
/// recorded before; then records the head it checked (in the database and the logs), so a
/// later check notices if the newest entries are deleted.
pub async fn verify(db: &Db, secrets: &SecretBox) -> Result<VerifyReport, sqlx::Error> {
    let key = chain_key(secrets);
    let mut checker = chain::Checker::new(key.clone(), store::heads(db).await?);
    let mut after = i64::MIN;
    loop {
        let batch = store::batch_after(db, after, VERIFY_BATCH).await?;
        for row in &batch {
            checker.push(&row.stored());
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == VERIFY_BATCH => after = last.seq,
            _ => break,
        }
    }
    let outcome = checker.finish();
    let (seq, hash) = outcome
        .last
        .clone()
        .unwrap_or_else(|| (0, chain::GENESIS.to_owned()));
    let head = chain::Head {
        recorded_at: now(),
        entries: i64::try_from(outcome.entries).unwrap_or(i64::MAX),
        seq,
        hash,
    };
    save_head(db, &key, &head, store::HeadSource::Verify).await?;
    Ok(VerifyReport {
        entries: outcome.entries,
        unkeyed: outcome.unkeyed,
        problems: outcome.problems.iter().map(ToString::to_string).collect(),
    })
}

/// Records the chain's head as it stands, if the worker has not done so in the last
/// [`HEAD_EVERY`] (on any instance). Run by every instance's worker.
pub async fn record_head_if_due(
    db: &Db,
    secrets: &SecretBox,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if store::last_scheduled_head(db)
        .await?
        .is_some_and(|last| at < last + HEAD_EVERY)
    {
        return Ok(());
    }
    let (entries, seq, hash) = store::current_head(db)
        .await?
        .unwrap_or_else(|| (0, 0, chain::GENESIS.to_owned()));
    let head = chain::Head {
        recorded_at: at,
        entries,
        seq,
        hash,
    };
    save_head(db, &chain_key(secrets), &head, store::HeadSource::Scheduled).await
}

/// Writes a head to the database, sealed, and to the logs, which are kept apart from the
/// database: if someone deletes both entries and recorded heads, the logs still show what
/// the chain held.
async fn save_head(
    db: &Db,
    key: &chain::ChainKey,
    head: &chain::Head,
    source: store::HeadSource,
) -> Result<(), sqlx::Error> {
    store::insert_head(db, head, &chain::head_mac(key, head), source).await?;
    tracing::info!(
        entries = head.entries,
        seq = head.seq,
        hash = %head.hash,
        source = source.as_str(),
        "audit log head"
    );
    Ok(())
}

/// What replaces a value that looks secret.
pub const REDACTED: &str = "[redacted]";

/// Replaces, at any depth, the values under keys that name a secret: keys containing
/// "password", "passcode" or "secret", keys ending in "token" (but not "token_id",
/// "token_name" or "token_prefix"), and the keys "code", "otp", "totp_code" and
/// "recovery_code". Callers must not put secrets in the detail at all; this only limits the
/// harm if one slips through.
pub fn redact_secrets(value: Value) -> Value {
    fn is_secret(key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        key.contains("password")
            || key.contains("passcode")
            || key.contains("secret")
            || key.ends_with("token")
            || matches!(key.as_str(), "code" | "otp" | "totp_code" | "recovery_code")
    }
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret(&k) {
                        tracing::warn!(key = %k, "secret-looking value kept out of the audit log");
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_secrets(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_secrets).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_looking_values_are_redacted_at_any_depth() {
        let detail = json!({
            "role": "security_lead",
            "password": "hunter2",
            "new_password": "x",
            "api_token": "cc_live_abc",
            "token_prefix": "cc_live",
            "ods_code": "RX1",
            "nested": [{"code": "123456", "totp_secret": "S"}],
        });
        let clean = redact_secrets(detail);
        assert_eq!(
            clean,
            json!({
                "role": "security_lead",
                "password": REDACTED,
                "new_password": REDACTED,
                "api_token": REDACTED,
                "token_prefix": "cc_live",
                "ods_code": "RX1",
                "nested": [{"code": REDACTED, "totp_secret": REDACTED}],
            })
        );
    }

    #[test]
    fn the_report_reads_well() {
        let ok = VerifyReport {
            entries: 3,
            unkeyed: 0,
            problems: vec![],
        };
        assert!(ok.is_intact());
        assert_eq!(ok.to_string(), "audit log intact: 3 entries checked");
        let bad = VerifyReport {
            entries: 3,
            unkeyed: 0,
            problems: vec!["seq 2: entry missing (deleted)".into()],
        };
        assert!(!bad.is_intact());
        assert!(bad.to_string().contains("  seq 2: entry missing (deleted)"));
    }
}

/// The log against real databases: SQLite always, PostgreSQL when
/// `CARECERT_TEST_POSTGRES_URL` names a server where the tests may create a scratch
/// database (for example `postgres://postgres@localhost/postgres`).
#[cfg(test)]
mod db_tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::{store::Filter, *};
    use crate::platform::{
        ids::OrgId,
        scratch::{add_organisation, drop_postgres, postgres, sqlite},
    };
    use crate::with_db;

    /// The same key for every entry of a test, as a server has.
    fn secrets() -> SecretBox {
        SecretBox::from_base64("CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=").expect("key")
    }

    fn event<'a>(name: &'a str, organisation_id: Option<Uuid>) -> NewEvent<'a> {
        NewEvent {
            actor_user_id: Some(Uuid::from_u128(1).into()),
            actor_label: "ann@example.org",
            organisation_id: organisation_id.map(Into::into),
            event: name,
            detail: json!({"reason": "test", "password": "never stored"}),
            ip: Some("192.0.2.10"),
        }
    }

    async fn execute(db: &Db, sql: &str) {
        with_db!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect("tamper");
    }

    /// Records, lists, isolates and verifies; then tampers and checks it is noticed.
    async fn exercise(db: &Db) {
        let (a, b) = (
            add_organisation(db, "Northtown Trust", "RX1").await,
            add_organisation(db, "Southtown Trust", "RX2").await,
        );
        assert_eq!(
            verify(db, &secrets()).await.unwrap(),
            VerifyReport::default()
        );

        record_now(db, &secrets(), event("sign_in.succeeded", Some(a)))
            .await
            .unwrap();
        record_now(db, &secrets(), event("sign_in.failed", None))
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        record(&mut tx, &secrets(), event("role.changed", Some(b)))
            .await
            .unwrap();
        record(&mut tx, &secrets(), event("export", Some(a)))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A rolled-back transaction leaves no entry and no gap.
        let mut tx = db.begin().await.unwrap();
        record(&mut tx, &secrets(), event("invitation.sent", Some(a)))
            .await
            .unwrap();
        drop(tx);
        record_now(db, &secrets(), event("sign_in.succeeded", Some(b)))
            .await
            .unwrap();

        let report = verify(db, &secrets()).await.unwrap();
        assert_eq!(report.entries, 5);
        assert!(report.is_intact(), "{report}");

        let rows = store::all_in_order(db).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(rows[0].prev_hash, chain::GENESIS);
        assert!(!rows[0].detail.contains("never stored"));
        assert!(rows[0].detail.contains(REDACTED));

        // Newest first; an organisation sees only its own entries.
        let everything = store::list(db, &Filter::default(), 50, 0).await.unwrap();
        assert_eq!(
            everything.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [5, 4, 3, 2, 1]
        );
        assert_eq!(
            everything[1].organisation_name.as_deref(),
            Some("Northtown Trust")
        );
        assert_eq!(everything[1].organisation_ods_code.as_deref(), Some("RX1"));
        let only_a = Filter {
            organisation_id: Some(OrgId::from(a)),
            event: None,
        };
        let listed = store::list(db, &only_a, 50, 0).await.unwrap();
        assert_eq!(listed.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 1]);
        assert!(listed.iter().all(|e| e.organisation_id == Some(a)));
        assert_eq!(store::count(db, &only_a).await.unwrap(), 2);
        let a_sign_ins = Filter {
            organisation_id: Some(OrgId::from(a)),
            event: Some("sign_in.succeeded"),
        };
        assert_eq!(
            store::list(db, &a_sign_ins, 50, 0)
                .await
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>(),
            [1]
        );
        let page_two = store::list(db, &Filter::default(), 2, 2).await.unwrap();
        assert_eq!(page_two.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(store::count(db, &Filter::default()).await.unwrap(), 5);

        assert_eq!(
            store::event_types(db, None).await.unwrap(),
            [
                "export",
                "role.changed",
                "sign_in.failed",
                "sign_in.succeeded"
            ]
        );
        assert_eq!(
            store::event_types(db, Some(OrgId::from(a))).await.unwrap(),
            ["export", "sign_in.succeeded"]
        );
        assert_eq!(
            store::organisation_by_ods_code(db, "RX2").await.unwrap(),
            Some((OrgId::from(b), "Southtown Trust".to_owned()))
        );

        // Timestamps come back exactly as hashed.
        assert_eq!(rows[0].occurred_at.offset(), time::UtcOffset::UTC);

        // The database refuses changes and removals.
        for sql in [
            "UPDATE audit_log SET detail = '{}' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 4",
        ] {
            let refused = with_db!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ()));
            let message = refused.expect_err(sql).to_string();
            assert!(message.contains("append-only"), "{message}");
        }

        // Someone with direct access can drop the guard; the chain still shows what they did.
        match db {
            Db::Sqlite(_) => {
                execute(db, "DROP TRIGGER audit_log_no_update").await;
                execute(db, "DROP TRIGGER audit_log_no_delete").await;
            }
            Db::Postgres(_) => execute(db, "ALTER TABLE audit_log DISABLE TRIGGER USER").await,
        }

        // Editing an entry is noticed.
        execute(db, "UPDATE audit_log SET detail = '{}' WHERE seq = 2").await;
        let report = verify(db, &secrets()).await.unwrap();
        assert_eq!(report.entries, 5);
        assert_eq!(report.problems.len(), 1, "{report}");
        assert!(report.problems[0].starts_with("seq 2:"), "{report}");

        // So is deleting one.
        execute(db, "DELETE FROM audit_log WHERE seq = 4").await;
        let report = verify(db, &secrets()).await.unwrap();
        assert_eq!(report.entries, 4);
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.starts_with("seq 4: entry missing")),
            "{report}"
        );
        assert!(
            report.problems.iter().any(|p| p.starts_with("seq 5:")),
            "{report}"
        );
    }

    /// Many writers at once, on several pools (as several instances would be).
    async fn concurrent_appends(pools: &[Db], writers: usize) {
        let mut tasks = Vec::new();
        for i in 0..writers {
            let db = pools[i % pools.len()].clone();
            tasks.push(tokio::spawn(async move {
                record_now(&db, &secrets(), event("sign_in.succeeded", None)).await
            }));
        }
        for task in tasks {
            task.await.expect("task").expect("append");
        }
        let report = verify(&pools[0], &secrets()).await.unwrap();
        assert_eq!(report.entries, writers as u64);
        assert!(report.is_intact(), "{report}");
    }

    /// Entries written before the chain was keyed (plain SHA-256, stored without naming an
    /// algorithm, as before the migration) still verify once keyed entries follow them.
    async fn entries_from_before_the_key_still_verify(db: &Db) {
        let mut prev = chain::GENESIS.to_owned();
        for seq in 1..=3 {
            let fields = chain::Fields {
                seq,
                id: new_id(),
                occurred_at: now(),
                actor_user_id: None,
                actor_label: "system",
                organisation_id: None,
                event: "export",
                detail: "{}",
                ip: None,
            };
            let hash = chain::entry_hash(&prev, &fields);
            with_db!(db, |pool| sqlx::query(
                "INSERT INTO audit_log (seq, id, occurred_at, actor_label, event, detail, \
                 prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(seq)
            .bind(fields.id)
            .bind(fields.occurred_at)
            .bind(fields.actor_label)
            .bind(fields.event)
            .bind(fields.detail)
            .bind(&prev)
            .bind(&hash)
            .execute(pool)
            .await
            .map(|_| ()))
            .expect("an entry from before the key");
            prev = hash;
        }
        record_now(db, &secrets(), event("export", None))
            .await
            .unwrap();
        let report = verify(db, &secrets()).await.unwrap();
        assert!(report.is_intact(), "{report}");
        assert_eq!((report.entries, report.unkeyed), (4, 3));
        assert!(
            report
                .to_string()
                .contains("(3 from before the chain was keyed"),
            "{report}"
        );
        let rows = store::all_in_order(db).await.unwrap();
        assert_eq!(rows[2].algorithm, chain::Algorithm::Sha256);
        assert_eq!(rows[3].algorithm, chain::Algorithm::HmacSha256);

        // Another server's key does not verify the keyed entry.
        let other = SecretBox::random();
        let report = verify(db, &other).await.unwrap();
        assert!(
            report.problems.iter().any(|p| p.starts_with("seq 4:")),
            "{report}"
        );
    }

    #[tokio::test]
    async fn sqlite_entries_from_before_the_key_still_verify() {
        let (_dir, db) = sqlite().await;
        entries_from_before_the_key_still_verify(&db).await;
    }

    #[tokio::test]
    async fn postgres_entries_from_before_the_key_still_verify() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        entries_from_before_the_key_still_verify(&db).await;
        drop_postgres(&admin, &name, db).await;
    }

    #[tokio::test]
    async fn sqlite_log_records_lists_and_verifies() {
        let (_dir, db) = sqlite().await;
        exercise(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_appends_are_serialised() {
        let (_dir, db) = sqlite().await;
        concurrent_appends(std::slice::from_ref(&db), 40).await;
    }

    #[tokio::test]
    async fn verify_reads_in_batches() {
        let (_dir, db) = sqlite().await;
        let mut tx = db.begin().await.unwrap();
        for _ in 0..(VERIFY_BATCH * 2 + 3) {
            record(&mut tx, &secrets(), event("export", None))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let report = verify(&db, &secrets()).await.unwrap();
        assert_eq!(report.entries, VERIFY_BATCH as u64 * 2 + 3);
        assert!(report.is_intact(), "{report}");
    }

    #[tokio::test]
    async fn postgres_log_records_lists_and_verifies() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        exercise(&db).await;
        drop_postgres(&admin, &name, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_appends_from_several_instances_are_serialised() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        let (base, _) = admin.rsplit_once('/').unwrap();
        let second = Db::connect(&format!("{base}/{name}")).await.unwrap();
        let third = Db::connect(&format!("{base}/{name}")).await.unwrap();
        concurrent_appends(&[db.clone(), second.clone(), third.clone()], 60).await;
        second.close().await;
        third.close().await;
        drop_postgres(&admin, &name, db).await;
    }
}
