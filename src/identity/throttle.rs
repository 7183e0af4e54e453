//! Limits on sign-in and two-step attempts, counted in the database so they hold across
//! every instance. A person is told plainly what happened and what to do.

use time::Duration;

use crate::{
    identity::store,
    platform::db::{Db, now},
};

/// Failed attempts allowed for one account in the window before it is paused.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Attempts allowed from one address in the window (many people can share an address in
/// a hospital, so this is higher).
pub const ADDRESS_LIMIT: i64 = 50;
pub const WINDOW: Duration = Duration::minutes(15);

pub const TOO_MANY_MESSAGE: &str = "You have tried to sign in too many times. Wait 15 minutes \
and try again, or reset your password.";

/// What the counters say about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    TooMany,
}

/// Pure rule: with these counts (each including the attempt being made), may it go ahead?
pub fn judge(account_attempts: i64, address_attempts: i64) -> Verdict {
    if account_attempts > ACCOUNT_LIMIT || address_attempts > ADDRESS_LIMIT {
        Verdict::TooMany
    } else {
        Verdict::Allowed
    }
}

/// Records an attempt for `account` (scope-prefixed, e.g. the email) from `address`, before
/// the password is checked, and says whether it may proceed.
pub async fn attempt(
    db: &Db,
    scope: &str,
    account: &str,
    address: &str,
) -> Result<Verdict, sqlx::Error> {
    let since = now() - WINDOW;
    let by_account = store::record_attempt(db, scope, account, since).await?;
    let by_address = store::record_attempt(db, "address", address, since).await?;
    Ok(judge(by_account, by_address))
}

/// After a success the account's count starts again (the address's does not).
pub async fn succeeded(db: &Db, scope: &str, account: &str) -> Result<(), sqlx::Error> {
    store::clear_attempts(db, scope, account).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_on_an_account_is_refused() {
        assert_eq!(judge(5, 5), Verdict::Allowed);
        assert_eq!(judge(6, 6), Verdict::TooMany);
    }

    #[test]
    fn a_busy_address_is_limited_separately() {
        assert_eq!(judge(1, 50), Verdict::Allowed);
        assert_eq!(judge(1, 51), Verdict::TooMany);
    }
}
