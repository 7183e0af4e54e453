//! Secret tokens (sessions, invitations, password resets, API tokens, CSRF): generated from
//! the operating system's random source and stored only as SHA-256 hashes, so a copy of the
//! database does not let anyone sign in. Tokens carry 256 bits, so a fast hash is enough.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{RngCore, rngs::OsRng};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new random token, URL-safe.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The hash stored in place of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in constant time.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether a string could be a token we issued (length and alphabet), checked before any
/// database lookup.
pub fn looks_valid(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_well_formed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(looks_valid(&a));
        assert!(!looks_valid("short"));
        assert!(!looks_valid(&format!("{}!", &a[..42])));
    }

    #[test]
    fn hashes_are_stable_and_hide_the_token() {
        let t = generate();
        assert_eq!(hash(&t), hash(&t));
        assert!(!hash(&t).contains(&t));
        assert!(equal(&t, &t.clone()));
        assert!(!equal(&t, &generate()));
    }
}
