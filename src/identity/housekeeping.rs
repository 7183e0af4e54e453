//! Clearing away what identity no longer needs: expired sessions, spent one-time links
//! after a week, and sign-in attempts after a day (they only matter to the throttle).

use time::OffsetDateTime;

use crate::{exec_db, platform::db::Db};

pub async fn remove_expired(db: &Db, at: OffsetDateTime) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(at)
            .execute(pool)
            .await?;
        sqlx::query("DELETE FROM one_time_tokens WHERE expires_at < $1")
            .bind(at - time::Duration::days(7))
            .execute(pool)
            .await?;
        sqlx::query("DELETE FROM sign_in_attempts WHERE attempted_at < $1")
            .bind(at - time::Duration::days(1))
            .execute(pool)
            .await
    })?;
    Ok(())
}
