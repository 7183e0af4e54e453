//! Email addresses as the service holds them: checked and normalised once, where they
//! arrive (a form, a staff file, the API), so the mailer, the stores and every service can
//! take an [`EmailAddress`] without checking it again.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// The longest address accepted (the limit of a forward path in SMTP).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest part before the `@` accepted.
const MAX_EMAIL_LOCAL_CHARS: usize = 64;

/// An email address trimmed and in lower case, which has passed [`EmailAddress::from_str`].
///
/// Stored as plain text. Reading it back from the database does not check it again: every
/// address in the database was written through this type (or the same rules before it).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct EmailAddress(String);

/// Why text is not an email address. The messages are written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("The email address is missing")]
    Missing,
    #[error("The email address must be {MAX_EMAIL_CHARS} characters or fewer")]
    TooLong,
    #[error("The email address must not contain spaces")]
    Spaces,
    #[error("The email address must contain only one @")]
    SeveralAts,
    #[error("The email address must be in the correct format, like name@nhs.net")]
    Format,
}

impl EmailAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EmailAddress {
    type Err = EmailError;

    /// Deliberately simple: one `@`; something before it; after it a domain of
    /// dot-separated labels of letters, digits and hyphens, with at least one dot; no
    /// spaces or characters that cannot appear in an ordinary address.
    fn from_str(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Missing);
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Spaces);
        }
        let (local, domain) = email.split_once('@').ok_or(EmailError::Format)?;
        if domain.contains('@') {
            return Err(EmailError::SeveralAts);
        }
        if local_part_ok(local) && domain_ok(domain) {
            Ok(EmailAddress(email))
        } else {
            Err(EmailError::Format)
        }
    }
}

fn local_part_ok(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= MAX_EMAIL_LOCAL_CHARS
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| "()<>[]\\,;:\"".contains(c))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2)
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;

    fn try_from(raw: String) -> Result<Self, EmailError> {
        raw.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(email: EmailAddress) -> String {
        email.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<EmailAddress, EmailError> {
        raw.parse()
    }

    #[test]
    fn accepted_addresses_are_trimmed_and_lower_case() {
        for good in [
            "a@b.co",
            "first.last+tag@nhs.net",
            "X@Sub.Example.ORG",
            "o'brien@trust.nhs.uk",
        ] {
            assert_eq!(parse(good).unwrap().as_str(), good.to_lowercase(), "{good}");
        }
        assert_eq!(
            parse("  Ann@NHS.net \t").unwrap().to_string(),
            "ann@nhs.net"
        );
    }

    #[test]
    fn refused_addresses_say_why() {
        for bad in [
            "plain",
            "@nhs.net",
            "a@",
            "a@nhs",
            "a@nhs..net",
            "a@.nhs.net",
            "a@nhs.net.",
            ".a@nhs.net",
            "a..b@nhs.net",
            "<a@nhs.net>",
            "a@-nhs.net",
            "a@nhs.n",
            "a@nhs_trust.net",
        ] {
            assert_eq!(parse(bad), Err(EmailError::Format), "{bad}");
        }
        assert_eq!(parse("  "), Err(EmailError::Missing));
        assert_eq!(parse("a b@nhs.net"), Err(EmailError::Spaces));
        assert_eq!(parse("a@@nhs.net"), Err(EmailError::SeveralAts));
        assert_eq!(parse("a@b@nhs.net"), Err(EmailError::SeveralAts));
        let long = format!("{}@{}.net", "a".repeat(64), "b".repeat(190));
        assert_eq!(long.len(), 259);
        assert_eq!(parse(&long), Err(EmailError::TooLong));
        assert_eq!(
            EmailError::TooLong.to_string(),
            "The email address must be 254 characters or fewer"
        );
        assert_eq!(
            parse(&format!("{}@nhs.net", "a".repeat(65))),
            Err(EmailError::Format)
        );
    }

    #[test]
    fn serde_reads_only_valid_addresses() {
        let ok: EmailAddress = serde_json::from_str("\"Ann@nhs.net\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"ann@nhs.net\"");
        assert!(serde_json::from_str::<EmailAddress>("\"ann\"").is_err());
    }

    #[tokio::test]
    async fn stored_as_plain_text() {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let email = parse("ann@nhs.net").unwrap();
        let (back, text): (EmailAddress, String) = sqlx::query_as("SELECT $1, $1")
            .bind(&email)
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!((back, text.as_str()), (email, "ann@nhs.net"));
    }
}
