//! Durable background jobs in the application's own database.
//!
//! A job is written in the same transaction as the change that causes it, so it exists if
//! and only if the change does. Every instance runs a worker that claims one job at a time
//! with a conditional `UPDATE … RETURNING` lease: on PostgreSQL a second claimer re-checks
//! the lease after the first commits and gets nothing, so no job runs twice at once. Jobs
//! are at-least-once: a worker that dies mid-job loses its lease and the job runs again;
//! failures are retried with exponential backoff up to `max_attempts`.

use std::time::Duration;

use serde::Serialize;
use sqlx::types::Json;
use time::OffsetDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use crate::{
    exec_db, exec_tx,
    platform::{
        AppState,
        db::{Db, Tx, new_id, now},
        email::Mailer,
        service::JobContext,
    },
    with_db,
};

/// How long a claimed job is reserved for its worker.
const LEASE: time::Duration = time::Duration::minutes(5);
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub payload: Json<serde_json::Value>,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Adds a job to run as soon as a worker is free.
pub async fn enqueue(tx: &mut Tx, kind: &str, payload: &impl Serialize) -> Result<(), sqlx::Error> {
    enqueue_as(tx, new_id(), kind, payload).await
}

/// Adds a job with the id `id`, for payloads bound to their job (such as a sealed email).
pub async fn enqueue_as(
    tx: &mut Tx,
    id: Uuid,
    kind: &str,
    payload: &impl Serialize,
) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(payload).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let at = now();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $4)"
    )
    .bind(id)
    .bind(kind)
    .bind(Json(&payload))
    .bind(at)
    .bind(DEFAULT_MAX_ATTEMPTS)
    .execute(c)
    .await)?;
    Ok(())
}

/// Adds many jobs of one kind at once, in multi-row inserts, for fan-outs such as a
/// national advisory emailing every organisation's security leads.
pub async fn enqueue_many(
    tx: &mut Tx,
    kind: &str,
    payloads: &[serde_json::Value],
) -> Result<(), sqlx::Error> {
    let at = now();
    for chunk in payloads.chunks(ENQUEUE_BATCH) {
        exec_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, created_at) ",
            );
            q.push_values(chunk, |mut row, payload| {
                row.push_bind(new_id())
                    .push_bind(kind)
                    .push_bind(Json(payload))
                    .push_bind(at)
                    .push_bind(0_i64)
                    .push_bind(DEFAULT_MAX_ATTEMPTS)
                    .push_bind(at);
            });
            q.build().execute(c).await
        })?;
    }
    Ok(())
}

/// Rows per multi-row insert (7 parameters each, well inside both engines' limits).
const ENQUEUE_BATCH: usize = 500;

/// Claims the next due job for `worker`, if any.
pub async fn claim(db: &Db, worker: &str) -> Result<Option<Job>, sqlx::Error> {
    let at = now();
    with_db!(db, |pool| sqlx::query_as::<_, Job>(
        "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $3 \
                       AND attempts < max_attempts \
                       AND (locked_until IS NULL OR locked_until < $3) \
                     ORDER BY run_at LIMIT 1) \
           AND done_at IS NULL AND (locked_until IS NULL OR locked_until < $3) \
         RETURNING id, kind, payload, attempts, max_attempts"
    )
    .bind(at + LEASE)
    .bind(worker)
    .bind(at)
    .fetch_optional(pool)
    .await)
}

/// Marks a job done, replacing its payload with `record` if given (what may be kept of it).
pub async fn complete(
    db: &Db,
    id: Uuid,
    record: Option<&serde_json::Value>,
) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "UPDATE jobs SET done_at = $1, locked_until = NULL, last_error = NULL, \
         payload = COALESCE($3, payload) WHERE id = $2"
    )
    .bind(now())
    .bind(id)
    .bind(record.map(Json))
    .execute(pool)
    .await)?;
    Ok(())
}

pub async fn fail(db: &Db, job: &Job, error: &str) -> Result<(), sqlx::Error> {
    let retry_at = now() + backoff(job.attempts);
    exec_db!(db, |pool| sqlx::query(
        "UPDATE jobs SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3"
    )
    .bind(retry_at)
    .bind(error)
    .bind(job.id)
    .execute(pool)
    .await)?;
    Ok(())
}

/// Jobs waiting to run (including ones waiting for a retry).
pub async fn queue_depth(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND attempts < max_attempts"
    )
    .fetch_one(pool)
    .await)
}

/// Wait before retry `attempt` (1-based): 30 seconds, doubling, at most an hour.
pub fn backoff(attempt: i64) -> time::Duration {
    let exponent = attempt.clamp(1, 16) - 1;
    let seconds = 30i64.saturating_mul(1i64 << exponent).min(3600);
    time::Duration::seconds(seconds)
}

/// Runs jobs until `shutdown` turns true, finishing the job in hand first. Between jobs it
/// runs each service's scheduled scans when they are due.
pub async fn run_worker(state: AppState, mailer: Mailer, mut shutdown: watch::Receiver<bool>) {
    let worker = format!("{}-{}", hostname(), Uuid::new_v4());
    let poll_ms = state.config.job_poll_ms;
    let poll = Duration::from_millis(poll_ms);
    let scans = state.services.scans().to_vec();
    let mut last_run = vec![OffsetDateTime::UNIX_EPOCH; scans.len()];
    loop {
        if *shutdown.borrow() {
            break;
        }
        match claim(&state.db, &worker).await {
            Ok(Some(job)) => {
                run_one(&state, &mailer, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not claim a job"),
        }
        for (scan, last) in scans.iter().zip(last_run.iter_mut()) {
            let every = time::Duration::milliseconds(
                poll_ms.saturating_mul(u64::from(scan.every_polls)) as i64,
            );
            if now() - *last > every {
                *last = now();
                if let Err(e) = (scan.run)(&state, now()).await {
                    tracing::warn!(scan = scan.name, error = %e, "a scheduled scan failed");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

async fn run_one(state: &AppState, mailer: &Mailer, job: Job) {
    // The handler says what of the payload may stay once done: an email's body never does.
    let result = match state.services.job(&job.kind) {
        Some(handler) => {
            (handler.run)(JobContext {
                state,
                mailer,
                id: job.id,
                payload: &job.payload.0,
            })
            .await
        }
        None => Err(anyhow::anyhow!("unknown job kind {:?}", job.kind)),
    };
    let outcome = match result {
        Ok(record) => complete(&state.db, job.id, record.as_ref()).await,
        Err(e) => {
            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
            fail(&state.db, &job, &e.to_string()).await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(job = %job.id, error = %e, "could not record a job's outcome");
    }
}

/// Removes finished jobs after a week (a scan of the platform's own).
pub async fn remove_finished(db: &Db, at: OffsetDateTime) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "DELETE FROM jobs WHERE done_at < $1"
    )
    .bind(at - time::Duration::days(7))
    .execute(pool)
    .await)?;
    Ok(())
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "carecert".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1).whole_seconds(), 30);
        assert_eq!(backoff(2).whole_seconds(), 60);
        assert_eq!(backoff(3).whole_seconds(), 120);
        assert_eq!(backoff(10).whole_seconds(), 3600);
        assert_eq!(backoff(1000).whole_seconds(), 3600);
    }
}
