//! API tokens: the credentials an organisation's own systems use to call the API.
//!
//! A security lead creates a token for their organisation and gives it a name saying what
//! uses it. The secret is shown once, when it is created, and stored only as a SHA-256 hash
//! (see [`crate::platform::tokens`]). Secrets look like `cc_` followed by 43 URL-safe
//! characters, so they are easy to recognise in logs and by secret scanners; the first
//! [`SHOWN_CHARS`] characters after `cc_` are kept in clear so people can tell their
//! tokens apart. Revoking a token stops it working at once; revoked tokens stay listed.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    exec_tx,
    platform::{
        api::client::TOKEN_PREFIX,
        db::{Db, RowLock, Tx, new_id, now},
        ids::{OrgId, UserId},
        tokens,
    },
    with_db, with_tx,
};

/// How many characters of the secret after [`TOKEN_PREFIX`] are kept to tell tokens apart.
pub const SHOWN_CHARS: usize = 8;

/// The longest name a token may have, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// How many unrevoked tokens one organisation may have at once.
pub const MAX_ACTIVE_TOKENS: i64 = 50;

/// A newly made secret and the part of it kept for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedSecret {
    /// The whole token, `cc_…`. Shown once, never stored.
    pub secret: String,
    /// The first [`SHOWN_CHARS`] characters after [`TOKEN_PREFIX`].
    pub prefix: String,
}

/// Makes a new secret.
pub fn issue_secret() -> IssuedSecret {
    let random = tokens::generate();
    IssuedSecret {
        prefix: random[..SHOWN_CHARS].to_owned(),
        secret: format!("{TOKEN_PREFIX}{random}"),
    }
}

/// How a stored prefix is shown, like `cc_AbCd1234…`.
pub fn display_prefix(prefix: &str) -> String {
    format!("{TOKEN_PREFIX}{prefix}…")
}

/// Checks a token's name and returns it trimmed, or a message saying what to change.
pub fn validate_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(
            "Enter a name for the token, like the name of the system that will use it".into(),
        );
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!(
            "Token name must be {NAME_MAX_CHARS} characters or fewer"
        ));
    }
    crate::platform::text::check_one_line(name, "Token name")?;
    Ok(name.to_owned())
}

/// One token, as listed to security leads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl TokenRow {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }

    pub fn display_prefix(&self) -> String {
        display_prefix(&self.prefix)
    }
}

/// The organisation's tokens: unrevoked first, newest first.
pub async fn list(db: &Db, organisation_id: OrgId) -> Result<Vec<TokenRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, TokenRow>(
        "SELECT t.id, t.name, t.prefix, u.name AS created_by_name, t.created_at, t.last_used_at, \
         t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.created_by \
         WHERE t.organisation_id = $1 \
         ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, t.created_at DESC, t.id DESC"
    )
    .bind(organisation_id)
    .fetch_all(pool)
    .await)
}

/// Why a token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an active token already has this name")]
    DuplicateName,
    #[error("the organisation already has the most active tokens allowed")]
    TooMany,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A token just created. `secret` must be shown to the person once and then forgotten.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub secret: String,
    pub prefix: String,
}

/// Creates a token for an organisation. `name` must already have passed [`validate_name`].
pub async fn create(
    tx: &mut Tx,
    organisation_id: OrgId,
    name: &str,
    created_by: UserId,
) -> Result<CreatedToken, CreateError> {
    // Serialise creation per organisation so the checks below hold (on SQLite the lock is
    // empty: `BEGIN IMMEDIATE` already serialises transactions).
    let lock = tx.row_lock(RowLock::Update);
    exec_tx!(tx, |c| sqlx::query(&format!(
        "SELECT id FROM organisations WHERE id = $1{lock}"
    ))
    .bind(organisation_id)
    .execute(c)
    .await)?;
    let (active, same_name): (i64, i64) = with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN lower(name) = lower($2) THEN 1 ELSE 0 END), 0) \
         FROM api_tokens WHERE organisation_id = $1 AND revoked_at IS NULL"
    )
    .bind(organisation_id)
    .bind(name)
    .fetch_one(c)
    .await
    })?;
    if same_name > 0 {
        return Err(CreateError::DuplicateName);
    }
    if active >= MAX_ACTIVE_TOKENS {
        return Err(CreateError::TooMany);
    }
    let id = new_id();
    let issued = issue_secret();
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO api_tokens (id, organisation_id, name, token_hash, prefix, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id)
    .bind(organisation_id)
    .bind(name)
    .bind(tokens::hash(&issued.secret))
    .bind(&issued.prefix)
    .bind(created_by)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(CreatedToken {
        id,
        name: name.to_owned(),
        secret: issued.secret,
        prefix: issued.prefix,
    })
}

/// What revoking found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub name: String,
    pub prefix: String,
    /// Whether it had already been revoked before (then nothing changed).
    pub already: bool,
}

/// Revokes one of an organisation's tokens. `None` if the organisation has no such token.
pub async fn revoke(
    tx: &mut Tx,
    organisation_id: OrgId,
    token_id: Uuid,
) -> Result<Option<Revoked>, sqlx::Error> {
    let found: Option<(String, String, Option<OffsetDateTime>)> =
        with_tx!(tx, |c| sqlx::query_as(
            "SELECT name, prefix, revoked_at FROM api_tokens WHERE organisation_id = $1 AND id = $2"
        )
        .bind(organisation_id)
        .bind(token_id)
        .fetch_optional(c)
        .await)?;
    let Some((name, prefix, revoked_at)) = found else {
        return Ok(None);
    };
    if revoked_at.is_none() {
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE organisation_id = $2 AND id = $3 AND revoked_at IS NULL"
        )
        .bind(now())
        .bind(organisation_id)
        .bind(token_id)
        .execute(c)
        .await)?;
    }
    Ok(Some(Revoked {
        name,
        prefix,
        already: revoked_at.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_and_show_only_their_start() {
        let issued = issue_secret();
        assert!(issued.secret.starts_with("cc_"));
        assert_eq!(issued.secret.len(), 3 + 43);
        assert_eq!(issued.prefix.len(), SHOWN_CHARS);
        assert_eq!(&issued.secret[3..3 + SHOWN_CHARS], issued.prefix);
        assert!(crate::platform::api::client::looks_like_api_token(
            &issued.secret
        ));
        assert_ne!(issued.secret, issue_secret().secret);
        assert_eq!(display_prefix("AbCd1234"), "cc_AbCd1234…");
    }

    #[test]
    fn names_are_required_short_and_on_one_line() {
        assert_eq!(
            validate_name("  HR nightly sync ").unwrap(),
            "HR nightly sync"
        );
        assert!(
            validate_name("   ")
                .unwrap_err()
                .starts_with("Enter a name")
        );
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(
            validate_name(&long).unwrap_err(),
            "Token name must be 100 characters or fewer"
        );
        assert!(validate_name(&"é".repeat(NAME_MAX_CHARS)).is_ok());
        assert!(validate_name("two\nlines").is_err());
    }
}
