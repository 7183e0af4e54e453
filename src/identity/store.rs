//! Storage for people, sessions, sign-in attempts, one-time links and two-step secrets.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    exec_db, exec_tx,
    identity::two_step::{normalise_recovery_code, secret_context},
    platform::{
        authz::{Membership, Role},
        db::{Db, Tx, new_id, now},
        ids::{OrgId, UserId},
        secrets::SecretBox,
        tokens,
    },
    with_db, with_tx,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// Sealed: open it with the app's [`SecretBox`] and [`secret_context`].
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<OffsetDateTime>,
    /// Set when too many wrong two-step codes in a row locked two-step verification.
    pub two_step_locked_at: Option<OffsetDateTime>,
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let email = email.trim().to_lowercase();
    with_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(
        "SELECT id, email, name, password_hash, totp_secret, totp_enabled_at, two_step_locked_at FROM users WHERE email = $1"
    )
    .bind(&email)
    .fetch_optional(pool)
    .await
    })
}

pub async fn user_by_id(db: &Db, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(
        "SELECT id, email, name, password_hash, totp_secret, totp_enabled_at, two_step_locked_at FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    })
}

/// Finds the person with `email` or creates them without a password; returns their id and
/// whether they have set a password already.
pub async fn ensure_user(
    tx: &mut Tx,
    email: &str,
    name: &str,
) -> Result<(UserId, bool), sqlx::Error> {
    let email = email.trim().to_lowercase();
    let at = now();
    let existing: Option<(UserId, Option<String>)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE email = $1"
    )
    .bind(&email)
    .fetch_optional(c)
    .await)?;
    if let Some((id, hash)) = existing {
        return Ok((id, hash.is_some()));
    }
    let id = UserId::fresh();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
    )
    .bind(id)
    .bind(&email)
    .bind(name.trim())
    .bind(at)
    .execute(c)
    .await)?;
    Ok((id, false))
}

/// Creates a person without a password if no account has `email` (lower-cased already);
/// returns their new id, or `None` when the address already has an account. One statement,
/// so two requests adding the same address at once cannot both create it.
pub async fn create_if_new(
    tx: &mut Tx,
    email: &str,
    name: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    let id = UserId::fresh();
    let at = now();
    let created = exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (email) DO NOTHING"
    )
    .bind(id)
    .bind(email)
    .bind(name.trim())
    .bind(at)
    .execute(c)
    .await
    })?;
    Ok((created == 1).then_some(id))
}

/// The id of the account with `email` (lower-cased already), if any.
pub async fn user_id_by_email(tx: &mut Tx, email: &str) -> Result<Option<UserId>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(c)
    .await)
}

pub async fn set_password(tx: &mut Tx, user_id: UserId, hash: &str) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(hash)
    .bind(now())
    .bind(user_id)
    .execute(c)
    .await)?;
    Ok(())
}

/// The active memberships of a person, with organisation names.
pub async fn memberships_of(db: &Db, user_id: UserId) -> Result<Vec<Membership>, sqlx::Error> {
    let rows: Vec<(OrgId, String, Role)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT m.organisation_id, o.name, m.role FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.user_id = $1 AND m.active = $2 ORDER BY o.name"
    )
    .bind(user_id)
    .bind(true)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(organisation_id, organisation_name, role)| Membership {
            organisation_id,
            organisation_name,
            role,
        })
        .collect())
}

// ---- Sessions ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: UserId,
    pub mfa_verified: bool,
    pub last_seen_at: OffsetDateTime,
    pub name: String,
    pub email: String,
    pub totp_enabled_at: Option<OffsetDateTime>,
}

/// Starts a session; returns the token for the cookie (only its hash is stored).
pub async fn create_session(
    db: &Db,
    user_id: UserId,
    mfa_verified: bool,
    max_age: Duration,
) -> Result<String, sqlx::Error> {
    let token = tokens::generate();
    let at = now();
    exec_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, mfa_verified, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)"
    )
    .bind(tokens::hash(&token))
    .bind(user_id)
    .bind(mfa_verified)
    .bind(at)
    .bind(at + max_age)
    .execute(pool)
    .await
    })?;
    Ok(token)
}

/// The live session for a token, if it has not passed its absolute or idle expiry.
pub async fn live_session(
    db: &Db,
    token: &str,
    idle: Duration,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let at = now();
    with_db!(db, |pool| sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.mfa_verified, s.last_seen_at, u.name, u.email, u.totp_enabled_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"
    )
    .bind(tokens::hash(token))
    .bind(at)
    .bind(at - idle)
    .fetch_optional(pool)
    .await)
}

pub async fn touch_session(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2"
    )
    .bind(now())
    .bind(tokens::hash(token))
    .execute(pool)
    .await)?;
    Ok(())
}

pub async fn mark_session_verified(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "UPDATE sessions SET mfa_verified = $1 WHERE token_hash = $2"
    )
    .bind(true)
    .bind(tokens::hash(token))
    .execute(pool)
    .await)?;
    Ok(())
}

pub async fn delete_session(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(tokens::hash(token))
    .execute(pool)
    .await)?;
    Ok(())
}

/// Ends every session of a person except, optionally, the one in use.
pub async fn delete_other_sessions(
    tx: &mut Tx,
    user_id: UserId,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    let keep = keep.map(tokens::hash).unwrap_or_default();
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
    )
    .bind(user_id)
    .bind(&keep)
    .execute(c)
    .await)?;
    Ok(())
}

// ---- Sign-in attempts ----

/// Records an attempt and returns how many attempts (including this one) the subject has
/// made since `since`. Counting after writing means parallel guesses cannot all slip under
/// the limit: the n-th committed attempt always sees at least n.
pub async fn record_attempt(
    db: &Db,
    scope: &str,
    subject: &str,
    since: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    with_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO sign_in_attempts (id, scope, subject, attempted_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(scope)
        .bind(subject)
        .bind(now())
        .execute(pool)
        .await?;
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE scope = $1 AND subject = $2 AND attempted_at > $3",
        )
        .bind(scope)
        .bind(subject)
        .bind(since)
        .fetch_one(pool)
        .await
    })
}

/// Writes one attempt at `at` and returns its id, for the sign-in throttle to count and,
/// if the attempt succeeds, to remove again.
pub async fn add_attempt(
    db: &Db,
    scope: &str,
    subject: &str,
    at: OffsetDateTime,
) -> Result<Uuid, sqlx::Error> {
    let id = new_id();
    exec_db!(db, |pool| sqlx::query(
        "INSERT INTO sign_in_attempts (id, scope, subject, attempted_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(id)
    .bind(scope)
    .bind(subject)
    .bind(at)
    .execute(pool)
    .await)?;
    Ok(id)
}

/// When the subject's other attempts in `scope` since `since` were made (all but `except`).
pub async fn attempts_since(
    db: &Db,
    scope: &str,
    subject: &str,
    since: OffsetDateTime,
    except: Uuid,
) -> Result<Vec<OffsetDateTime>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, OffsetDateTime>(
        "SELECT attempted_at FROM sign_in_attempts \
         WHERE scope = $1 AND subject = $2 AND attempted_at > $3 AND id <> $4"
    )
    .bind(scope)
    .bind(subject)
    .bind(since)
    .bind(except)
    .fetch_all(pool)
    .await)
}

/// Removes attempts by id (attempts that succeeded, or were refused unchecked).
pub async fn delete_attempts(db: &Db, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    for id in ids {
        exec_db!(db, |pool| sqlx::query(
            "DELETE FROM sign_in_attempts WHERE id = $1"
        )
        .bind(id)
        .execute(pool)
        .await)?;
    }
    Ok(())
}

pub async fn clear_attempts(db: &Db, scope: &str, subject: &str) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| sqlx::query(
        "DELETE FROM sign_in_attempts WHERE scope = $1 AND subject = $2"
    )
    .bind(scope)
    .bind(subject)
    .execute(pool)
    .await)?;
    Ok(())
}

// ---- One-time links (invitations, password resets) ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum LinkPurpose {
    Invitation,
    PasswordReset,
}

/// Issues a one-time link token for `user_id`, replacing any unused one of the same purpose.
pub async fn issue_link(
    tx: &mut Tx,
    purpose: LinkPurpose,
    user_id: UserId,
    valid_for: Duration,
) -> Result<String, sqlx::Error> {
    let token = tokens::generate();
    let at = now();
    exec_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM one_time_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(purpose)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tokens::hash(&token))
        .bind(purpose)
        .bind(user_id)
        .bind(at)
        .bind(at + valid_for)
        .execute(c)
        .await
    })?;
    Ok(token)
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Expired,
}

/// Looks up a link without using it.
pub async fn check_link(
    db: &Db,
    purpose: LinkPurpose,
    token: &str,
) -> Result<Result<UserId, LinkProblem>, sqlx::Error> {
    if !tokens::looks_valid(token) {
        return Ok(Err(LinkProblem::Unknown));
    }
    let row: Option<(UserId, OffsetDateTime, Option<OffsetDateTime>)> = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2"
    )
    .bind(tokens::hash(token))
    .bind(purpose)
    .fetch_optional(pool)
    .await
    })?;
    Ok(match row {
        None => Err(LinkProblem::Unknown),
        Some((_, _, Some(_))) => Err(LinkProblem::Used),
        Some((_, expires, None)) if expires <= now() => Err(LinkProblem::Expired),
        Some((user_id, _, None)) => Ok(user_id),
    })
}

/// Marks a link used, inside the transaction that acts on it. Returns false if another
/// request used it first, so a link works exactly once.
pub async fn use_link(tx: &mut Tx, purpose: LinkPurpose, token: &str) -> Result<bool, sqlx::Error> {
    let at = now();
    let done = exec_tx!(tx, |c| sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1"
    )
    .bind(at)
    .bind(tokens::hash(token))
    .bind(purpose)
    .execute(c)
    .await)?;
    Ok(done == 1)
}

// ---- Two-step verification ----

/// Keeps the secret (already sealed) a person is setting up two-step verification with.
pub async fn set_pending_totp_secret(
    db: &Db,
    user_id: UserId,
    sealed_secret: &str,
) -> Result<(), sqlx::Error> {
    exec_db!(db, |pool| {
        sqlx::query(
        "UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3 AND totp_enabled_at IS NULL"
    )
    .bind(sealed_secret)
    .bind(now())
    .bind(user_id)
    .execute(pool)
    .await
    })?;
    Ok(())
}

/// Records that the two-step code of time step `step` has been used. False if that step or
/// a later one was used already: the code is spent. One conditional update, so two
/// instances given the same code at the same moment cannot both accept it.
pub async fn claim_totp_step(db: &Db, user_id: UserId, step: u64) -> Result<bool, sqlx::Error> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let done = exec_db!(db, |pool| {
        sqlx::query(
            "UPDATE users SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(pool)
        .await
    })?;
    Ok(done == 1)
}

/// Counts one more wrong two-step code in a row for the person and returns the run so far.
/// One update, so codes tried in parallel on several instances are all counted.
pub async fn add_two_step_failure(db: &Db, user_id: UserId) -> Result<i64, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "UPDATE users SET two_step_failures = two_step_failures + 1 WHERE id = $1 \
         RETURNING two_step_failures"
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
}

/// Locks two-step verification for the person. False if it was locked already, so only
/// the request that locks it tells the person and the audit log.
pub async fn lock_two_step(tx: &mut Tx, user_id: UserId) -> Result<bool, sqlx::Error> {
    let done = exec_tx!(tx, |c| sqlx::query(
        "UPDATE users SET two_step_locked_at = $1 WHERE id = $2 AND two_step_locked_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .execute(c)
    .await)?;
    Ok(done == 1)
}

/// Ends a run of wrong two-step codes and any lock it caused (a right code or recovery
/// code was given, or an administrator unlocked it). True if a lock was lifted.
pub async fn clear_two_step_failures(tx: &mut Tx, user_id: UserId) -> Result<bool, sqlx::Error> {
    let unlocked = exec_tx!(tx, |c| sqlx::query(
        "UPDATE users SET two_step_failures = 0, two_step_locked_at = NULL \
         WHERE id = $1 AND two_step_locked_at IS NOT NULL"
    )
    .bind(user_id)
    .execute(&mut *c)
    .await)?;
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE users SET two_step_failures = 0 WHERE id = $1 AND two_step_failures <> 0"
    )
    .bind(user_id)
    .execute(c)
    .await)?;
    Ok(unlocked == 1)
}

/// Seals the two-step secrets stored before secrets were encrypted. Returns how many.
pub async fn seal_plain_totp_secrets(db: &Db, secrets: &SecretBox) -> Result<usize, sqlx::Error> {
    crate::platform::secrets::seal_plain(
        db,
        secrets,
        "SELECT id, totp_secret FROM users \
         WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'enc:%'",
        "UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3",
        secret_context,
    )
    .await
}

/// Fails if the two-step secrets cannot be opened with `secrets`' key.
pub async fn check_totp_key(db: &Db, secrets: &SecretBox) -> anyhow::Result<()> {
    crate::platform::secrets::check_key(
        db,
        secrets,
        "SELECT id, totp_secret FROM users \
         WHERE totp_secret IS NOT NULL AND totp_secret LIKE 'enc:%' LIMIT 1",
        secret_context,
    )
    .await
}

/// Turns two-step verification on and stores the hashes of fresh recovery codes.
pub async fn enable_totp(
    tx: &mut Tx,
    user_id: UserId,
    recovery_codes: &[String],
) -> Result<(), sqlx::Error> {
    let at = now();
    with_tx!(tx, |c| {
        sqlx::query("UPDATE users SET totp_enabled_at = $1, updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        for code in recovery_codes {
            sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)")
                .bind(new_id())
                .bind(user_id)
                .bind(tokens::hash(&normalise_recovery_code(code)))
                .execute(&mut *c)
                .await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}

/// Uses a recovery code (already normalised). Returns false if it is unknown or used.
pub async fn use_recovery_code(db: &Db, user_id: UserId, code: &str) -> Result<bool, sqlx::Error> {
    let done = exec_db!(db, |pool| {
        sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .bind(tokens::hash(code))
    .execute(pool)
    .await
    })?;
    Ok(done == 1)
}

pub async fn unused_recovery_codes(db: &Db, user_id: UserId) -> Result<i64, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
}
