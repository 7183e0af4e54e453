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
