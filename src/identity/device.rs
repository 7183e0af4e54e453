//! The device cookie: a browser that has fully signed in to an account keeps a cookie
//! naming that account, signed with the server's key. Password attempts that present it
//! are the person's own and are throttled in a bucket of their own (see
//! [`throttle`](super::throttle)), so guesses from elsewhere cannot lock them out.
//!
//! Nothing is stored: the cookie is `<account id>.<random id>.<tag>`, and the tag (HMAC
//! under a key derived from the secret key) is what makes it unforgeable. A stolen
//! password alone never yields one, and a database copy holds none.

use axum::http::{HeaderMap, HeaderValue};

use crate::platform::{
    AppState,
    ids::UserId,
    secrets::SecretBox,
    tokens,
    web::cookies::{self, CookieNames},
};

/// How long a browser stays known to an account.
const MAX_AGE_DAYS: i64 = 180;
const CONTEXT: &str = "device-cookie";

/// A browser known to one account; `id` names its own throttle bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    pub id: String,
}

/// The cookie value naming `user_id` on a device with the random `id`.
fn value(secrets: &SecretBox, user_id: UserId, id: &str) -> String {
    let message = format!("{user_id}.{id}");
    format!("{message}.{}", secrets.tag(CONTEXT, &message))
}

/// Reads a cookie value: the device, if the value is one the server signed for `user_id`.
fn recognise_value(secrets: &SecretBox, raw: &str, user_id: UserId) -> Option<KnownDevice> {
    let (message, tag) = raw.rsplit_once('.')?;
    let (account, id) = message.split_once('.')?;
    let named: UserId = account.parse().ok()?;
    (named == user_id && tokens::looks_valid(id) && secrets.tag_matches(CONTEXT, message, tag))
        .then(|| KnownDevice { id: id.to_owned() })
}

/// The device cookie to set after `user_id` has fully signed in on this browser.
pub fn issue(state: &AppState, user_id: UserId) -> HeaderValue {
    let secure = state.config.is_https();
    cookies::build(
        CookieNames { secure }.device(),
        &value(&state.secrets, user_id, &tokens::generate()),
        secure,
        Some(MAX_AGE_DAYS * 24 * 60 * 60),
    )
}

/// The browser's device, if it carries a valid device cookie for `user_id`.
pub fn recognise(state: &AppState, headers: &HeaderMap, user_id: UserId) -> Option<KnownDevice> {
    let name = CookieNames {
        secure: state.config.is_https(),
    }
    .device();
    let raw = cookies::read(headers, name)?;
    recognise_value(&state.secrets, &raw, user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_cookie_signed_for_the_account_is_recognised() {
        let secrets = SecretBox::random();
        let (me, someone) = (
            UserId::from(uuid::Uuid::new_v4()),
            UserId::from(uuid::Uuid::new_v4()),
        );
        let id = tokens::generate();
        let cookie = value(&secrets, me, &id);
        assert_eq!(
            recognise_value(&secrets, &cookie, me),
            Some(KnownDevice { id: id.clone() })
        );
        assert_eq!(recognise_value(&secrets, &cookie, someone), None);
        // Another key, a changed account or id, or a forged tag: not recognised.
        assert_eq!(recognise_value(&SecretBox::random(), &cookie, me), None);
        let renamed = cookie.replacen(&me.to_string(), &someone.to_string(), 1);
        assert_eq!(recognise_value(&secrets, &renamed, someone), None);
        let other_id = cookie.replacen(&id, &tokens::generate(), 1);
        assert_eq!(recognise_value(&secrets, &other_id, me), None);
        let (message, _) = cookie.rsplit_once('.').unwrap();
        assert_eq!(
            recognise_value(&secrets, &format!("{message}.{}", "0".repeat(64)), me),
            None
        );
        assert_eq!(recognise_value(&secrets, "", me), None);
        assert_eq!(recognise_value(&secrets, &format!("{message}."), me), None);
    }
}
