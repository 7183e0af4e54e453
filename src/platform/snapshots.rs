//! Results of slow reports kept in the database for a few minutes, so every instance serves
//! the same figures and only one piece of work is repeated when they go stale. Keys name the
//! report and its parameters; payloads are JSON.

use serde::{Serialize, de::DeserializeOwned};
use time::{Duration, OffsetDateTime};

use crate::{
    exec_db,
    platform::db::{Db, now},
    with_db,
};

/// The kept result for `key` if it was worked out less than `max_age` ago, with when.
pub async fn fresh<T: DeserializeOwned>(
    db: &Db,
    key: &str,
    max_age: Duration,
) -> Result<Option<(T, OffsetDateTime)>, sqlx::Error> {
    let row = with_db!(db, |pool| sqlx::query_as::<_, (OffsetDateTime, String)>(
        "SELECT computed_at, payload FROM report_snapshots WHERE key = $1 AND computed_at > $2"
    )
    .bind(key)
    .bind(now() - max_age)
    .fetch_optional(pool)
    .await)?;
    // A payload that no longer reads (the shape changed in an upgrade) is simply stale.
    Ok(row.and_then(|(at, payload)| serde_json::from_str(&payload).ok().map(|v| (v, at))))
}

/// Keeps `value` as the result for `key`, worked out at `at`.
pub async fn keep<T: Serialize>(
    db: &Db,
    key: &str,
    value: &T,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    exec_db!(db, |pool| sqlx::query(
        "INSERT INTO report_snapshots (key, computed_at, payload) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET computed_at = $2, payload = $3"
    )
    .bind(key)
    .bind(at)
    .bind(payload)
    .execute(pool)
    .await)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::scratch;

    #[tokio::test]
    async fn kept_results_are_fresh_until_they_age() {
        let (_dir, db) = scratch::sqlite().await;
        let key = "test:report";
        assert!(
            fresh::<Vec<u32>>(&db, key, Duration::minutes(10))
                .await
                .unwrap()
                .is_none()
        );
        keep(&db, key, &vec![1u32, 2], now() - Duration::minutes(5))
            .await
            .unwrap();
        let (v, _) = fresh::<Vec<u32>>(&db, key, Duration::minutes(10))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![1, 2]);
        assert!(
            fresh::<Vec<u32>>(&db, key, Duration::minutes(4))
                .await
                .unwrap()
                .is_none()
        );
        keep(&db, key, &vec![3u32], now()).await.unwrap();
        let (v, _) = fresh::<Vec<u32>>(&db, key, Duration::minutes(4))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![3]);
    }
}
