//! Pages for signing in and managing one's own account.

pub mod account;
pub mod invitation;
pub mod reset;
pub mod sign_in;
pub mod two_step;

use crate::identity::password_policy::{PasswordContext, check_new_password};
use crate::platform::{
    authz::Principal, db::Db, error::AppResult, ids::UserId, web::forms::FormErrors,
};

/// Where to go after signing in, from a `next` parameter anyone can put in a link. Only a
/// path on this site is followed: anything else (another site, however disguised) goes home.
pub fn safe_next(public_url: &str, next: Option<&str>) -> String {
    next.and_then(|n| local_path(public_url, n))
        .unwrap_or_else(|| "/".to_owned())
}

/// `next` as a path on the site at `public_url`, or `None` if a browser could read it as
/// anywhere else. Browsers drop tabs and newlines, treat `\` as `/`, and some servers
/// decode `%2F`, so the path must be plain printable ASCII, and neither it nor its decoded
/// forms may hold a backslash, a control character or a leading `//`. Finally it is
/// resolved against the public URL and must keep its origin.
fn local_path(public_url: &str, next: &str) -> Option<String> {
    if !next.starts_with('/') || !next.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    // Decoded a few times over, so double encoding hides nothing either.
    let mut decoded = next.to_owned();
    for _ in 0..3 {
        if decoded.contains('\\')
            || decoded.starts_with("//")
            || decoded.chars().any(|c| c.is_control() || !c.is_ascii())
        {
            return None;
        }
        decoded = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
    }
    let base = url::Url::parse(public_url).ok()?;
    let resolved = base.join(next).ok()?;
    (resolved.origin() == base.origin()).then(|| resolved[url::Position::BeforePath..].to_owned())
}

/// Where a person goes once their password has been accepted.
pub fn after_password(principal_needs_two_step: bool, enrolled: bool, next: &str) -> String {
    match (principal_needs_two_step, enrolled) {
        (true, true) => format!(
            "/sign-in/two-step?next={}",
            crate::platform::error::urlencode(next)
        ),
        (true, false) => "/account/two-step/set-up".to_owned(),
        _ => next.to_owned(),
    }
}

/// Checks a new password and its confirmation, adding errors to `errors`.
pub fn check_password_pair(
    errors: &mut FormErrors,
    password: &str,
    confirm: &str,
    email: &str,
    name: &str,
) {
    if let Err(problem) = check_new_password(password, &PasswordContext { email, name }) {
        errors.add("password", problem.to_string());
    } else if password != confirm {
        errors.add(
            "confirm",
            "The passwords do not match. Enter the same password twice",
        );
    }
}

/// Whether a person with these memberships must use two-step verification.
pub async fn needs_two_step(db: &Db, principal_user: UserId) -> AppResult<bool> {
    let memberships = crate::identity::store::memberships_of(db, principal_user).await?;
    Ok(memberships.iter().any(|m| m.role.requires_two_step()))
}

/// Display label for the audit log.
pub fn actor_label(p: &Principal) -> &str {
    &p.email
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://carecert.example";

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(SITE, Some("/account")), "/account");
        assert_eq!(
            safe_next(SITE, Some("/alerts/CC-2026-0001?tab=response#steps")),
            "/alerts/CC-2026-0001?tab=response#steps"
        );
        assert_eq!(
            safe_next("http://127.0.0.1:8080", Some("/training")),
            "/training"
        );
        assert_eq!(safe_next(SITE, None), "/");
    }

    #[test]
    fn known_open_redirect_payloads_go_home() {
        let payloads = [
            "//evil.example",
            "https://evil.example",
            "https:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%0a/evil.example",
            "/%0d%0a/evil.example",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "%5C%5Cevil.example",
            "/%252F%252Fevil.example",
            "/\u{2215}\u{2215}evil.example",
            "/\u{ff0f}evil.example",
            "/\u{2044}evil.example",
            "/%E2%88%95evil.example",
            "/%EF%BC%8Fevil.example",
            "/ /evil.example",
            "/\x00/evil.example",
            "",
        ];
        for payload in payloads {
            assert_eq!(
                safe_next(SITE, Some(payload)),
                "/",
                "{payload:?} was followed"
            );
        }
    }
}
