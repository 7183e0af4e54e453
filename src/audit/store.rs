//! The audit log's SQL. Every statement runs unchanged on SQLite and PostgreSQL.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    audit::chain::{Algorithm, Fields, Head, Stored},
    exec_db,
    platform::{
        db::{Db, Tx, new_id},
        ids::OrgId,
    },
    with_db, with_tx,
};

/// The key of the PostgreSQL transaction-level advisory lock that serialises appends
/// across every instance sharing one database (the ASCII bytes of "CCaudit1"). Nothing
/// else in the application may use this key.
pub const APPEND_LOCK_KEY: i64 = 0x4343_6175_6469_7431;

/// One stored entry, as the chain check needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub organisation_id: Option<Uuid>,
    pub event: String,
    pub detail: String,
    pub ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// An unknown name is an error when the row is read.
    pub algorithm: Algorithm,
}

impl AuditRow {
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            seq: self.seq,
            id: self.id,
            occurred_at: self.occurred_at,
            actor_user_id: self.actor_user_id,
            actor_label: &self.actor_label,
            organisation_id: self.organisation_id,
            event: &self.event,
            detail: &self.detail,
            ip: self.ip.as_deref(),
        }
    }

    pub fn stored(&self) -> Stored<'_> {
        Stored {
            fields: self.fields(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
            algorithm: self.algorithm,
        }
    }
}

/// One entry as listed on a page, with the name of the organisation it concerns.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedEntry {
    pub seq: i64,
    pub occurred_at: OffsetDateTime,
    pub actor_label: String,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub organisation_ods_code: Option<String>,
    pub event: String,
    pub detail: String,
    pub ip: Option<String>,
}

/// Which entries to list. `organisation_id` is the tenant boundary for an organisation's
/// own page: it is always set there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter<'a> {
    pub organisation_id: Option<OrgId>,
    pub event: Option<&'a str>,
}

impl Filter<'_> {
    /// The `WHERE` clause, numbering placeholders from `$1` in the order
    /// [`Filter::organisation_id`] then [`Filter::event`]; binders must follow that order.
    /// Returns the clause and the next free placeholder number.
    fn where_clause(&self) -> (String, usize) {
        let mut conditions = Vec::new();
        let mut next = 1;
        if self.organisation_id.is_some() {
            conditions.push(format!("a.organisation_id = ${next}"));
            next += 1;
        }
        if self.event.is_some() {
            conditions.push(format!("a.event = ${next}"));
            next += 1;
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        (clause, next)
    }
}

/// On PostgreSQL, waits for the append lock, held until the transaction ends. The tail is
/// read after the lock is granted, and under READ COMMITTED (the default, used throughout)
/// each statement sees everything committed before it started, so it sees the previous
/// holder's entry. (Under REPEATABLE READ a snapshot taken earlier would not, and the
/// insert would fail on the `seq` primary key rather than fork the chain.) SQLite
/// transactions here begin with `BEGIN IMMEDIATE`, so they already hold the database's
/// single write lock and need nothing more.
pub async fn lock_for_append(tx: &mut Tx) -> Result<(), sqlx::Error> {
    match tx {
        Tx::Postgres(t) => {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(APPEND_LOCK_KEY)
                .execute(&mut **t)
                .await?;
        }
        Tx::Sqlite(_) => {}
    }
    Ok(())
}

/// The newest entry's sequence number and hash, if there is one.
pub async fn tail(tx: &mut Tx) -> Result<Option<(i64, String)>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_as::<_, (i64, String)>(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    )
    .fetch_optional(c)
    .await)
}

/// Writes one keyed entry. `seq` is the primary key, so two writers that somehow read the
/// same tail cannot both succeed: the second fails instead of forking the chain.
pub async fn insert(
    tx: &mut Tx,
    fields: &Fields<'_>,
    prev_hash: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO audit_log (seq, id, occurred_at, actor_user_id, actor_label, \
         organisation_id, event, detail, ip, prev_hash, hash, algorithm) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(fields.seq)
    .bind(fields.id)
    .bind(fields.occurred_at)
    .bind(fields.actor_user_id)
    .bind(fields.actor_label)
    .bind(fields.organisation_id)
    .bind(fields.event)
    .bind(fields.detail)
    .bind(fields.ip)
    .bind(prev_hash)
    .bind(hash)
    .bind(Algorithm::HmacSha256)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Entries matching `filter`, newest first.
pub async fn list(
    db: &Db,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListedEntry>, sqlx::Error> {
    let (clause, next) = filter.where_clause();
    let sql = format!(
        "SELECT a.seq, a.occurred_at, a.actor_label, a.organisation_id, \
         o.name AS organisation_name, o.ods_code AS organisation_ods_code, \
         a.event, a.detail, a.ip \
         FROM audit_log a LEFT JOIN organisations o ON o.id = a.organisation_id\
         {clause} ORDER BY a.seq DESC LIMIT ${} OFFSET ${}",
        next,
        next + 1
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, ListedEntry>(&sql);
        if let Some(org) = filter.organisation_id {
            query = query.bind(org);
        }
        if let Some(event) = filter.event {
            query = query.bind(event);
        }
        query.bind(limit).bind(offset).fetch_all(pool).await
    })
}

/// How many entries match `filter`.
pub async fn count(db: &Db, filter: &Filter<'_>) -> Result<i64, sqlx::Error> {
    let (clause, _) = filter.where_clause();
    let sql = format!("SELECT COUNT(*) FROM audit_log a{clause}");
    with_db!(db, |pool| {
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        if let Some(org) = filter.organisation_id {
            query = query.bind(org);
        }
        if let Some(event) = filter.event {
            query = query.bind(event);
        }
        query.fetch_one(pool).await
    })
}

/// At most this many distinct event types are offered as a filter.
pub const MAX_EVENT_TYPES: i64 = 200;

/// The distinct event types recorded (for one organisation, if given), in order. Uses a
/// skip scan over the event index, so it stays quick however long the log grows.
pub async fn event_types(
    db: &Db,
    organisation_id: Option<OrgId>,
) -> Result<Vec<String>, sqlx::Error> {
    let scope = if organisation_id.is_some() {
        "organisation_id = $1 AND "
    } else {
        ""
    };
    let limit = if organisation_id.is_some() {
        "$2"
    } else {
        "$1"
    };
    let sql = format!(
        "WITH RECURSIVE kinds(event, n) AS ( \
             SELECT (SELECT MIN(event) FROM audit_log WHERE {scope}event IS NOT NULL), 1 \
             UNION ALL \
             SELECT (SELECT MIN(a.event) FROM audit_log a WHERE {scope}a.event > kinds.event), \
                    kinds.n + 1 \
             FROM kinds WHERE kinds.event IS NOT NULL AND kinds.n < {limit} \
         ) \
         SELECT event FROM kinds WHERE event IS NOT NULL ORDER BY event"
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        if let Some(org) = organisation_id {
            query = query.bind(org);
        }
        query.bind(MAX_EVENT_TYPES).fetch_all(pool).await
    })
}

/// Up to `limit` entries after sequence number `after`, in order (for checking the chain
/// in batches).
pub async fn batch_after(db: &Db, after: i64, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, AuditRow>(
        "SELECT seq, id, occurred_at, actor_user_id, actor_label, organisation_id, event, \
         detail, ip, prev_hash, hash, algorithm \
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// Every entry in sequence order. For small logs and tests; [`batch_after`] scales.
pub async fn all_in_order(db: &Db) -> Result<Vec<AuditRow>, sqlx::Error> {
    batch_after(db, i64::MIN, i64::MAX).await
}

/// Why a head was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, strum::IntoStaticStr)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HeadSource {
    /// Someone verified the chain (`carecert audit verify`).
    Verify,
    /// The hourly record made by the worker.
    Scheduled,
}

impl HeadSource {
    /// The stored value, also what the log says.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Records the chain's head with its seal.
pub async fn insert_head(
    db: &Db,
    head: &Head,
    mac: &str,
    source: HeadSource,
) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "INSERT INTO audit_heads (id, recorded_at, entries, seq, hash, source, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(new_id())
    .bind(head.recorded_at)
    .bind(head.entries)
    .bind(head.seq)
    .bind(&head.hash)
    .bind(source)
    .bind(mac)
    .execute(pool)
    .await)?;
    Ok(())
}

/// Every recorded head with its seal, oldest first (a few thousand a year at most).
pub async fn heads(db: &Db) -> Result<Vec<(Head, String)>, sqlx::Error> {
    let rows = with_db!(db, |pool| sqlx::query_as::<
        _,
        (OffsetDateTime, i64, i64, String, String),
    >(
        "SELECT recorded_at, entries, seq, hash, mac FROM audit_heads ORDER BY recorded_at"
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(recorded_at, entries, seq, hash, mac)| {
            (
                Head {
                    recorded_at,
                    entries,
                    seq,
                    hash,
                },
                mac,
            )
        })
        .collect())
}

/// When the worker last recorded the head, if ever.
pub async fn last_scheduled_head(db: &Db) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, Option<OffsetDateTime>>(
        "SELECT MAX(recorded_at) FROM audit_heads WHERE source = $1"
    )
    .bind(HeadSource::Scheduled)
    .fetch_one(pool)
    .await)
}

/// The number of entries and the newest entry's `seq` and hash, read in one statement so
/// they agree (an empty log has no row).
pub async fn current_head(db: &Db) -> Result<Option<(i64, i64, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT (SELECT COUNT(*) FROM audit_log), seq, hash \
         FROM audit_log ORDER BY seq DESC LIMIT 1"
    )
    .fetch_optional(pool)
    .await)
}

/// An organisation's name, or `None` if there is no such organisation.
/// The organisation with an ODS code (compared as given: codes are stored upper-case).
pub async fn organisation_by_ods_code(
    db: &Db,
    ods_code: &str,
) -> Result<Option<(OrgId, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (OrgId, String)>(
        "SELECT id, name FROM organisations WHERE ods_code = $1"
    )
    .bind(ods_code)
    .fetch_optional(pool)
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_bind_order() {
        let none = Filter::default();
        assert_eq!(none.where_clause(), (String::new(), 1));
        let org = Filter {
            organisation_id: Some(OrgId::from(Uuid::nil())),
            event: None,
        };
        assert_eq!(
            org.where_clause(),
            (" WHERE a.organisation_id = $1".into(), 2)
        );
        let event = Filter {
            organisation_id: None,
            event: Some("export"),
        };
        assert_eq!(event.where_clause(), (" WHERE a.event = $1".into(), 2));
        let both = Filter {
            organisation_id: Some(OrgId::from(Uuid::nil())),
            event: Some("export"),
        };
        assert_eq!(
            both.where_clause(),
            (" WHERE a.organisation_id = $1 AND a.event = $2".into(), 3)
        );
    }

    #[test]
    fn the_lock_key_spells_its_purpose() {
        assert_eq!(&APPEND_LOCK_KEY.to_be_bytes(), b"CCaudit1");
    }
}
