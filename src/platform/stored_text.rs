//! Test helper: reads a text value back through a real database query, as a row type reads
//! a stored column, so tests can show how stored values decode (and that unknown ones fail).

use sqlx::{Connection, SqliteConnection};

/// Decodes `stored` as a `T`, as `SELECT 'stored' AS value` on an in-memory SQLite database.
pub async fn decode<T>(stored: &str) -> Result<T, sqlx::Error>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    let mut db = SqliteConnection::connect("sqlite::memory:").await?;
    let (value,): (T,) = sqlx::query_as("SELECT $1 AS value")
        .bind(stored)
        .fetch_one(&mut db)
        .await?;
    Ok(value)
}

/// Encodes `value` and reads back the text a database would store.
pub async fn encode<T>(value: T) -> Result<String, sqlx::Error>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    let mut db = SqliteConnection::connect("sqlite::memory:").await?;
    sqlx::query_scalar("SELECT CAST($1 AS TEXT)")
        .bind(value)
        .fetch_one(&mut db)
        .await
}

/// Decodes `stored` as a `T` from a PostgreSQL `TEXT` value (`SELECT 'stored'::text`), when
/// `CARECERT_TEST_POSTGRES_URL` names a server; `None` without one.
pub async fn decode_postgres<T>(stored: &str) -> Option<Result<T, sqlx::Error>>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let url = std::env::var("CARECERT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let read = async {
        let mut db = sqlx::PgConnection::connect(&url).await?;
        let (value,): (T,) = sqlx::query_as("SELECT $1::text AS value")
            .bind(stored)
            .fetch_one(&mut db)
            .await?;
        Ok(value)
    };
    Some(read.await)
}

/// Encodes `value` as a PostgreSQL parameter compared with a `TEXT` value: whether it
/// equals `text`. `None` without a server.
pub async fn encodes_on_postgres<T>(value: T, text: &str) -> Option<bool>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
{
    let url = std::env::var("CARECERT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let mut db = sqlx::PgConnection::connect(&url).await.expect("connect");
    let same: bool = sqlx::query_scalar("SELECT $1 = $2::text")
        .bind(value)
        .bind(text)
        .fetch_one(&mut db)
        .await
        .expect("compare");
    Some(same)
}
