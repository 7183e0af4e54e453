//! The database: SQLite (embedded default) or PostgreSQL, chosen by the URL at start-up.
//!
//! Each SQL statement is written once, in the portable subset both engines understand
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`), and run through [`with_db!`] or
//! [`with_tx!`], which expand the same code for each driver so each is type-checked against
//! its own native types (UUIDs, timestamps, booleans). Schema lives in two migration folders
//! with identical version lists; a test keeps them in step, and `migrations/checksums.txt`
//! pins every landed migration so that none is edited after it has shipped.
//!
//! The little SQL that cannot be portable lives here, and nowhere else: row locks
//! ([`Tx::row_lock`]) and the escaping of `LIKE` patterns ([`escape_like`]).

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool,
    migrate::Migrator,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use time::OffsetDateTime;
use uuid::Uuid;

pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool for whichever engine the URL named.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either engine. SQLite transactions start with `BEGIN IMMEDIATE` so that
/// a read followed by a write never fails with a stale snapshot.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the native pool of whichever engine `$db` is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::platform::db::Db::Sqlite($pool) => $body,
            $crate::platform::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the native connection of a [`Tx`].
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::platform::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::platform::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Like [`with_db!`] for a body that ends in `execute`: gives the number of rows affected,
/// so both arms have the same type.
#[macro_export]
macro_rules! exec_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::platform::db::Db::Sqlite($pool) => ($body).map(|r| r.rows_affected()),
            $crate::platform::db::Db::Postgres($pool) => ($body).map(|r| r.rows_affected()),
        }
    };
}

/// Like [`with_tx!`] for a body that ends in `execute`: gives the number of rows affected.
#[macro_export]
macro_rules! exec_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::platform::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
            $crate::platform::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens a pool for `url`, creating the SQLite file if it does not exist.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Applies any migrations not yet applied. Safe to run from several instances at once:
    /// sqlx takes a database lock while it migrates.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        with_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .is_ok())
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    /// The clause that ends a `SELECT` taking `lock` on the rows it reads until the
    /// transaction ends: `FOR UPDATE` or `FOR SHARE` on PostgreSQL, nothing on SQLite,
    /// which has no row locks and needs none (`BEGIN IMMEDIATE` already holds its one
    /// writer lock for the whole transaction).
    pub fn row_lock(&self, lock: RowLock) -> &'static str {
        row_lock_clause(matches!(self, Tx::Postgres(_)), lock)
    }
}

fn row_lock_clause(postgres: bool, lock: RowLock) -> &'static str {
    match (postgres, lock) {
        (false, _) => "",
        (true, RowLock::Update) => " FOR UPDATE",
        (true, RowLock::Share) => " FOR SHARE",
    }
}

/// A row lock a `SELECT` can take (see [`Tx::row_lock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLock {
    /// For a change: other writers and lockers wait until the transaction ends.
    Update,
    /// For a read that must not change underneath: others may share it; a writer waits.
    Share,
}

/// The current time in UTC, to the microsecond (what PostgreSQL keeps), so a value read back
/// equals the value written on both engines.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// A new identifier: random enough not to reveal how many rows any tenant has, ordered by
/// creation time so indexes stay compact.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// `text` with the `LIKE` wildcards (`%`, `_`) and the escape character itself escaped, for
/// a pattern compared with `LIKE $n ESCAPE '\\'` (the same on both engines), so that what
/// someone searches for is matched literally.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Whether an error is a unique-constraint violation (on either engine).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migration_history() {
        let names = |m: &Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(SQLITE_MIGRATIONS.iter().next().is_some());
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
    }

    #[test]
    fn like_wildcards_are_matched_literally() {
        assert_eq!(escape_like("50%_off"), r"50\%\_off");
        assert_eq!(escape_like(r"a\b"), r"a\\b");
        assert_eq!(escape_like("Ann O'Neill"), "Ann O'Neill");
    }

    #[test]
    fn row_locks_are_postgres_only() {
        assert_eq!(row_lock_clause(false, RowLock::Update), "");
        assert_eq!(row_lock_clause(false, RowLock::Share), "");
        assert_eq!(row_lock_clause(true, RowLock::Update), " FOR UPDATE");
        assert_eq!(row_lock_clause(true, RowLock::Share), " FOR SHARE");
    }

    /// The text of every `.rs` file under `dir`, with its path.
    fn rust_files(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).expect("a readable source folder") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                out.push((path, text));
            }
        }
    }

    #[test]
    fn row_locks_are_written_only_here() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let here = root.join("src/platform/db.rs");
        let lock = regex::Regex::new(r"(?i)\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b")
            .expect("a valid pattern");
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        let offenders: Vec<String> = files
            .iter()
            .filter(|(path, text)| *path != here && lock.is_match(text))
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(
            offenders.is_empty(),
            "row-lock SQL outside src/platform/db.rs (SQLite has none): end the SELECT with \
             `tx.row_lock(RowLock::…)` instead, in {offenders:?}"
        );
    }

    /// Each `(engine, file name, SHA-384 hex)` listed in `migrations/checksums.txt`.
    fn pinned_migrations() -> Vec<(String, String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/checksums.txt");
        let text = std::fs::read_to_string(path).expect("migrations/checksums.txt exists");
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
                [engine, name, sum] => (engine.to_owned(), name.to_owned(), sum.to_owned()),
                _ => panic!("migrations/checksums.txt: expected `engine file sha384`, got {l:?}"),
            })
            .collect()
    }

    /// The checksum sqlx records for a migration file: SHA-384 of its contents.
    fn checksum(bytes: &[u8]) -> String {
        use sha2::{Digest, Sha384};
        hex::encode(Sha384::digest(bytes))
    }

    fn migration_folder(engine: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine)
    }

    #[test]
    fn landed_migrations_are_never_edited_or_removed() {
        let pinned = pinned_migrations();
        assert!(!pinned.is_empty());
        for (engine, name, sum) in pinned {
            let path = migration_folder(&engine).join(&name);
            let Ok(bytes) = std::fs::read(&path) else {
                panic!(
                    "migrations/{engine}/{name} has been removed, but databases have applied \
                     it. Put it back unchanged; to undo what it did, add a new migration."
                );
            };
            assert_eq!(
                checksum(&bytes),
                sum,
                "migrations/{engine}/{name} has changed since it landed, and a database that \
                 applied it would refuse to start. Restore it and make the change in a new \
                 migration (in both migrations/sqlite and migrations/postgres), then append \
                 the new files to migrations/checksums.txt."
            );
        }
    }

    #[test]
    fn every_migration_is_pinned() {
        let pinned: Vec<(String, String)> = pinned_migrations()
            .into_iter()
            .map(|(engine, name, _)| (engine, name))
            .collect();
        for engine in ["sqlite", "postgres"] {
            let folder = migration_folder(engine);
            for entry in std::fs::read_dir(&folder).expect("a migration folder") {
                let path = entry.expect("a readable entry").path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .expect("a file name in UTF-8")
                    .to_owned();
                if !name.ends_with(".sql") {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("a readable migration");
                assert!(
                    pinned.contains(&(engine.to_owned(), name.clone())),
                    "migrations/{engine}/{name} is not pinned yet: append this line to \
                     migrations/checksums.txt, so it cannot be edited once it has landed:\n\
                     {engine} {name} {}",
                    checksum(&bytes)
                );
            }
        }
    }

    #[test]
    fn pinned_checksums_are_the_ones_sqlx_checks() {
        let pinned = pinned_migrations();
        for (engine, migrator) in [
            ("sqlite", &SQLITE_MIGRATIONS),
            ("postgres", &POSTGRES_MIGRATIONS),
        ] {
            for m in migrator.iter() {
                let listed = pinned.iter().find(|(e, name, _)| {
                    e == engine
                        && name
                            .split_once('_')
                            .and_then(|(v, _)| v.parse::<i64>().ok())
                            == Some(m.version)
                });
                let Some((_, name, sum)) = listed else {
                    panic!("{engine} migration {} is not pinned", m.version);
                };
                assert_eq!(&hex::encode(&m.checksum), sum, "{engine} {name}");
            }
        }
    }

    #[test]
    fn now_is_utc_and_whole_microseconds() {
        let t = now();
        assert_eq!(t.offset(), time::UtcOffset::UTC);
        assert_eq!(t.nanosecond() % 1_000, 0);
    }
}
