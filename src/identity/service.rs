//! Identity as the platform composes it: signing in and out, two-step verification,
//! accounts, password resets and invitations; clearing expired sessions and links; and
//! sealing two-step secrets an older version stored in plain text.

use time::OffsetDateTime;

use crate::{
    identity::{housekeeping, routes, store},
    platform::{
        AppState,
        authz::Principal,
        db::Db,
        secrets::SecretBox,
        service::{ACCOUNT_ORDER, BoxFuture, HOUSEKEEPING_EVERY, NavLink, Service},
    },
};

pub fn service() -> Service {
    Service::new("identity")
        .routes(routes())
        .scan(
            "removing expired sessions and links",
            HOUSEKEEPING_EVERY,
            clear_expired,
        )
        .nav(nav)
        .prepare(prepare)
}

fn clear_expired(state: &AppState, at: OffsetDateTime) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move { Ok(housekeeping::remove_expired(&state.db, at).await?) })
}

fn nav(_: &Principal) -> Vec<NavLink> {
    vec![NavLink::new("Your account", "/account", ACCOUNT_ORDER)]
}

fn prepare<'a>(db: &'a Db, secrets: &'a SecretBox) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        let sealed = store::seal_plain_totp_secrets(db, secrets).await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed two-step secrets stored in plain text");
        }
        store::check_totp_key(db, secrets).await
    })
}
