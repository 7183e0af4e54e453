//! Two-step verification: time-based one-time passwords (RFC 6238, 30-second steps, six
//! digits, SHA-1 as authenticator apps expect) and single-use recovery codes.

use rand::{Rng, rngs::OsRng};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::platform::{email::Email, ids::UserId, tokens};

pub const ISSUER: &str = "CareCERT";
const STEP_SECONDS: u64 = 30;

/// Where a person's secret belongs, for sealing it in the database (see
/// [`crate::platform::secrets`]): a secret moved to another person's row does not open.
pub fn secret_context(user_id: UserId) -> String {
    format!("totp:{user_id}")
}

/// A new random secret, base32-encoded.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .ok()
}

/// The `otpauth://` URL an authenticator app scans.
pub fn provisioning_url(secret_base32: &str, account: &str) -> Option<String> {
    totp(secret_base32, account).map(|t| t.get_url())
}

/// The QR code of the provisioning URL, as SVG markup.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// The time step (30-second window number) whose code `code` is, if it is valid now for
/// `secret`; one step either side is allowed for clock drift. The caller records the step
/// and refuses it a second time (RFC 6238 section 5.2), so a code seen over a shoulder or
/// captured by a phishing page cannot be used again.
pub fn matching_step(secret_base32: &str, code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_base32, "check")?;
    let now = unix_time / STEP_SECONDS;
    // Every candidate is compared, in constant time, so the time taken says nothing.
    let mut found = None;
    for step in now.saturating_sub(1)..=now + 1 {
        let expected = totp.generate(step * STEP_SECONDS);
        if tokens::equal(&expected, &code) {
            found = Some(step);
        }
    }
    found
}

/// The current code (for tests and for showing clock problems).
pub fn current_code(secret_base32: &str, unix_time: u64) -> Option<String> {
    totp(secret_base32, "code").map(|t| t.generate(unix_time))
}

/// Ten recovery codes like `k7qm-2xw9-hp4d`: 60 bits each, no look-alike characters.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let raw: String = (0..12)
                .map(|_| ALPHABET[OsRng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
        })
        .collect()
}

/// A recovery code as typed, normalised for comparison (case, spaces and dashes ignored).
pub fn normalise_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Wrong codes in a row after which two-step verification locks: with a code a step either
/// side accepted, ten guesses stay near a one in 33,000 chance, however slowly they are made.
pub const LOCK_AFTER: i64 = 10;

/// Pure rule: does this run of wrong codes lock two-step verification?
pub fn locks_after(wrong_in_a_row: i64) -> bool {
    wrong_in_a_row >= LOCK_AFTER
}

/// The email telling a person their two-step verification was locked.
pub fn locked_email(public_url: &str, email_address: &str, name: &str) -> Email {
    Email {
        to: email_address.to_owned(),
        subject: "Two-step verification on your CareCERT account is locked".into(),
        body: format!(
            "Dear {name},\n\nA wrong security code was entered {LOCK_AFTER} times in a row \
             after your CareCERT password, so two-step verification on your account is now \
             locked.\n\nTo sign in, enter one of your recovery codes instead of a code from \
             your app. If you have none left, ask a national administrator to unlock it.\n\n\
             If this was not you, someone else knows your password: change it now at \
             {public_url}/password-reset and tell your organisation's security lead.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_wrong_codes_in_a_row_lock_two_step() {
        assert!(!locks_after(9));
        assert!(locks_after(10));
        assert!(locks_after(11));
    }

    #[test]
    fn codes_from_the_secret_are_accepted_within_one_step() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let step = t / 30;
        let code = current_code(&secret, t).unwrap();
        assert_eq!(matching_step(&secret, &code, t), Some(step));
        assert_eq!(matching_step(&secret, &code, t + 30), Some(step));
        assert_eq!(matching_step(&secret, &code, t - 30), Some(step));
        assert_eq!(matching_step(&secret, &code, t + 120), None);
        assert_eq!(matching_step(&secret, " 12345", t), None);
        assert_eq!(matching_step(&secret, "abcdef", t), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&secret, &spaced, t), Some(step));
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B: SHA-1, secret "12345678901234567890", T = 59 → 94287082 (8 digits);
        // with 6 digits the code is the last six.
        let secret = base32_of(b"12345678901234567890");
        assert_eq!(current_code(&secret, 59).unwrap(), "287082");
    }

    fn base32_of(bytes: &[u8]) -> String {
        Secret::Raw(bytes.to_vec()).to_encoded().to_string()
    }

    #[test]
    fn provisioning_url_names_the_issuer_and_account() {
        let url = provisioning_url(&new_secret(), "ann@example.org").unwrap();
        assert!(url.starts_with("otpauth://totp/CareCERT:ann%40example.org?"));
        assert!(qr_svg(&url).unwrap().contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(normalise_recovery_code(" K7QM-2xw9 hp4d "), "k7qm2xw9hp4d");
    }
}
