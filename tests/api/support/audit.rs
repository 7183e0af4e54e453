//! Tampering with the audit log as someone with write access to the database, but not the
//! server's secret key, would.

use carecert::{
    audit::chain::{Fields, entry_hash},
    platform::db::Db,
    with_db,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// One stored entry, as read straight from the table.
type Entry = (
    i64,
    Uuid,
    OffsetDateTime,
    Option<Uuid>,
    String,
    Option<Uuid>,
    String,
    String,
    Option<String>,
    String,
    String,
);

async fn execute(db: &Db, sql: &str) {
    with_db!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
}

/// Removes the database's append-only guard, as the owner of the database can.
pub async fn drop_guards(db: &Db) {
    match db {
        Db::Sqlite(_) => {
            execute(db, "DROP TRIGGER IF EXISTS audit_log_no_update").await;
            execute(db, "DROP TRIGGER IF EXISTS audit_log_no_delete").await;
        }
        Db::Postgres(_) => execute(db, "ALTER TABLE audit_log DISABLE TRIGGER USER").await,
    }
}

/// Changes the detail of entry `seq` and recomputes the plain SHA-256 hash of it and of
/// every later entry, relinking each to the one before, so the chain is consistent again
/// for anyone who does not hold the key. With `mark_unkeyed`, the rewritten entries also
/// claim to be from before the chain was keyed.
pub async fn rewrite_without_the_key(db: &Db, seq: i64, mark_unkeyed: bool) {
    drop_guards(db).await;
    let entries: Vec<Entry> = with_db!(db, |pool| sqlx::query_as(
        "SELECT seq, id, occurred_at, actor_user_id, actor_label, organisation_id, event, \
         detail, ip, prev_hash, hash FROM audit_log ORDER BY seq"
    )
    .fetch_all(pool)
    .await)
    .expect("entries");
    let mut prev: Option<String> = None;
    for (
        s,
        id,
        occurred_at,
        actor_user_id,
        actor_label,
        organisation_id,
        event,
        detail,
        ip,
        prev_hash,
        hash,
    ) in entries
    {
        if s < seq {
            prev = Some(hash);
            continue;
        }
        let detail = if s == seq {
            r#"{"rewritten":true}"#.to_owned()
        } else {
            detail
        };
        let prev_hash = prev.clone().unwrap_or(prev_hash);
        let fields = Fields {
            seq: s,
            id,
            occurred_at,
            actor_user_id,
            actor_label: &actor_label,
            organisation_id,
            event: &event,
            detail: &detail,
            ip: ip.as_deref(),
        };
        let hash = entry_hash(&prev_hash, &fields);
        with_db!(db, |pool| sqlx::query(
            "UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4"
        )
        .bind(&detail)
        .bind(&prev_hash)
        .bind(&hash)
        .bind(s)
        .execute(pool)
        .await
        .map(|_| ()))
        .expect("rewrite");
        if mark_unkeyed {
            with_db!(db, |pool| sqlx::query(
                "UPDATE audit_log SET algorithm = 'sha256' WHERE seq = $1"
            )
            .bind(s)
            .execute(pool)
            .await
            .map(|_| ()))
            .expect("mark");
        }
        prev = Some(hash);
    }
}

/// Deletes the newest `n` entries.
pub async fn delete_newest(db: &Db, n: i64) {
    drop_guards(db).await;
    with_db!(db, |pool| sqlx::query(
        "DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) FROM audit_log) - $1"
    )
    .bind(n)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("delete");
}
