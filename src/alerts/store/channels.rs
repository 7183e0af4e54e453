//! Storage of an organisation's machine channels for advisories: private feed tokens (only
//! a hash is kept; the token is shown once) and the webhook endpoint with its signing secret.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::webhooks::secret_context,
    exec_tx,
    platform::{
        db::{Db, Tx, new_id},
        ids::{OrgId, UserId},
        secrets::SecretBox,
    },
    with_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedToken {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn feed_tokens(db: &Db, org: OrgId) -> Result<Vec<FeedToken>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, FeedToken>(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM alert_feed_tokens \
         WHERE organisation_id = $1 ORDER BY created_at DESC"
    )
    .bind(org)
    .fetch_all(pool)
    .await)
}

#[allow(clippy::too_many_arguments)]
pub async fn create_feed_token(
    tx: &mut Tx,
    org: OrgId,
    name: &str,
    token_hash: &str,
    prefix: &str,
    by: UserId,
    at: OffsetDateTime,
) -> Result<Uuid, sqlx::Error> {
    let id = new_id();
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO alert_feed_tokens (id, organisation_id, name, token_hash, prefix, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id)
    .bind(org)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(by)
    .bind(at)
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Revokes a token of `org`. Returns false if there is no such live token.
pub async fn revoke_feed_token(
    tx: &mut Tx,
    org: OrgId,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE alert_feed_tokens SET revoked_at = $3 \
         WHERE id = $1 AND organisation_id = $2 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(org)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// The organisation a live feed token belongs to, noting its use.
pub async fn feed_token_organisation(
    db: &Db,
    token_hash: &str,
    at: OffsetDateTime,
) -> Result<Option<OrgId>, sqlx::Error> {
    let org: Option<OrgId> = with_db!(db, |pool| sqlx::query_scalar(
        "UPDATE alert_feed_tokens SET last_used_at = $2 \
         WHERE token_hash = $1 AND revoked_at IS NULL RETURNING organisation_id"
    )
    .bind(token_hash)
    .bind(at)
    .fetch_optional(pool)
    .await)?;
    Ok(org)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Webhook {
    pub organisation_id: OrgId,
    pub url: String,
    /// Sealed: open it with the app's [`SecretBox`] and [`secret_context`].
    pub secret: String,
    pub created_at: OffsetDateTime,
}

pub async fn webhook(db: &Db, org: OrgId) -> Result<Option<Webhook>, sqlx::Error> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, Webhook>(
        "SELECT organisation_id, url, secret, created_at FROM alert_webhooks WHERE organisation_id = $1"
    )
    .bind(org)
    .fetch_optional(pool)
    .await
    })
}

/// The organisations among `orgs` that have a webhook.
pub async fn webhook_organisations(tx: &mut Tx, orgs: &[OrgId]) -> Result<Vec<OrgId>, sqlx::Error> {
    let all: Vec<OrgId> = crate::with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT organisation_id FROM alert_webhooks"
    )
    .fetch_all(c)
    .await)?;
    let wanted: std::collections::HashSet<&OrgId> = orgs.iter().collect();
    Ok(all.into_iter().filter(|o| wanted.contains(o)).collect())
}

/// Sets the organisation's webhook; `sealed_secret` is its signing secret, sealed.
pub async fn set_webhook(
    tx: &mut Tx,
    org: OrgId,
    url: &str,
    sealed_secret: &str,
    by: UserId,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO alert_webhooks (organisation_id, url, secret, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id) DO UPDATE SET \
         url = excluded.url, secret = excluded.secret, created_by = excluded.created_by, \
         created_at = excluded.created_at"
    )
    .bind(org)
    .bind(url)
    .bind(sealed_secret)
    .bind(by)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Seals the signing secrets stored before secrets were encrypted. Returns how many.
pub async fn seal_plain_webhook_secrets(
    db: &Db,
    secrets: &SecretBox,
) -> Result<usize, sqlx::Error> {
    crate::platform::secrets::seal_plain(
        db,
        secrets,
        "SELECT organisation_id, secret FROM alert_webhooks WHERE secret NOT LIKE 'enc:%'",
        "UPDATE alert_webhooks SET secret = $1 WHERE organisation_id = $2 AND secret = $3",
        secret_context,
    )
    .await
}

/// Fails if the webhook signing secrets cannot be opened with `secrets`' key.
pub async fn check_webhook_key(db: &Db, secrets: &SecretBox) -> anyhow::Result<()> {
    crate::platform::secrets::check_key(
        db,
        secrets,
        "SELECT organisation_id, secret FROM alert_webhooks WHERE secret LIKE 'enc:%' LIMIT 1",
        secret_context,
    )
    .await
}

pub async fn remove_webhook(tx: &mut Tx, org: OrgId) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM alert_webhooks WHERE organisation_id = $1"
    )
    .bind(org)
    .execute(c)
    .await)?;
    Ok(n == 1)
}
