//! Pages for signing in and managing one's own account.

pub mod account;
pub mod invitation;
pub mod reset;
pub mod sign_in;
pub mod two_step;

use crate::identity::password_policy::{PasswordContext, check_new_password};
use crate::platform::{authz::Principal, db::Db, error::AppResult, web::forms::FormErrors};

/// Only same-site paths are followed after sign-in, so a link cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
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
pub async fn needs_two_step(db: &Db, principal_user: uuid::Uuid) -> AppResult<bool> {
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

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
