//! The SQL behind the limits on reminders sent on demand
//! ([`crate::knowledge::rules::reminder_limits`]). Each limit is claimed with one conditional
//! upsert inside the transaction that queues the emails, so two instances handling two clicks
//! at once cannot both send: on PostgreSQL the second waits for the first's row lock and then
//! finds the condition no longer holds; SQLite's write transactions run one at a time.

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::{
    exec_tx,
    platform::{
        db::{Db, Tx},
        ids::{OrgId, UserId},
    },
    with_db, with_tx,
};

/// Records that `org` sends "remind all" at `at`, unless it last did so after `cutoff`.
/// Returns whether the claim was made (false: the organisation must wait).
pub async fn claim_organisation(
    tx: &mut Tx,
    org: OrgId,
    at: OffsetDateTime,
    cutoff: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let claimed = exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO training_reminder_requests (organisation_id, sent_at) VALUES ($1, $2) \
         ON CONFLICT (organisation_id) DO UPDATE SET sent_at = excluded.sent_at \
         WHERE training_reminder_requests.sent_at <= $3"
    )
    .bind(org)
    .bind(at)
    .bind(cutoff)
    .execute(c)
    .await)?;
    Ok(claimed == 1)
}

/// When `org` last sent "remind all", if ever.
pub async fn organisation_last_sent(
    db: &Db,
    org: OrgId,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, OffsetDateTime>(
        "SELECT sent_at FROM training_reminder_requests WHERE organisation_id = $1"
    )
    .bind(org)
    .fetch_optional(pool)
    .await)
}

/// Rows per multi-row upsert (two parameters each, well inside both engines' limits).
const CLAIM_BATCH: usize = 500;

/// Records that each of `people` is reminded at `at`, except those last reminded after
/// `cutoff`. Returns the people claimed: only they may be sent a reminder.
pub async fn claim_people(
    tx: &mut Tx,
    people: &[UserId],
    at: OffsetDateTime,
    cutoff: OffsetDateTime,
) -> Result<HashSet<UserId>, sqlx::Error> {
    // One upsert may not touch a row twice (PostgreSQL refuses), so each person once.
    let unique: Vec<UserId> = people
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut claimed = HashSet::new();
    for chunk in unique.chunks(CLAIM_BATCH) {
        let ids = with_tx!(tx, |c| {
            let mut q =
                sqlx::QueryBuilder::new("INSERT INTO people_reminded (user_id, reminded_at) ");
            q.push_values(chunk, |mut row, id| {
                row.push_bind(*id).push_bind(at);
            });
            q.push(
                " ON CONFLICT (user_id) DO UPDATE SET reminded_at = excluded.reminded_at \
                 WHERE people_reminded.reminded_at <= ",
            );
            q.push_bind(cutoff);
            q.push(" RETURNING user_id");
            q.build_query_scalar::<UserId>().fetch_all(c).await
        })?;
        claimed.extend(ids);
    }
    Ok(claimed)
}
