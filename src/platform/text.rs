//! Rules for the text people type. A name (of a person, department, organisation, token)
//! is one line of visible text; an email address is checked and lower-cased the same way
//! wherever one is entered. Names are shown in other people's pages, lists,
//! emails and certificates, so a line break could forge lines of an email, and an invisible
//! formatting character (a right-to-left override, a zero-width space) could make a name
//! read as something it is not.

/// Whether `c` must not appear in a name: a control character (Unicode category Cc: line
/// breaks, tabs), a line or paragraph separator, or a format character (category Cf:
/// bidirectional overrides and isolates, zero-width characters, the byte order mark, …).
pub fn is_hidden_or_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// Checks that `value` is one line of visible text; otherwise the message to show, naming
/// the field as `what` (such as "The name").
pub fn check_one_line(value: &str, what: &str) -> Result<(), String> {
    if value.chars().any(is_hidden_or_control) {
        Err(format!(
            "{what} must be on one line, without tabs or hidden formatting characters"
        ))
    } else {
        Ok(())
    }
}

const MAX_EMAIL_CHARS: usize = 254;
const MAX_EMAIL_LOCAL_CHARS: usize = 64;

/// Checks an email address and returns it trimmed and in lower case, or why it is not one.
///
/// Deliberately simple: one `@`; something before it; after it a domain of dot-separated
/// labels of letters, digits and hyphens, with at least one dot; no spaces or characters
/// that cannot appear in an ordinary address; at most 254 characters in all.
pub fn normalise_email(raw: &str) -> Result<String, String> {
    const FORMAT: &str = "The email address must be in the correct format, like name@nhs.net";
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("The email address is missing".to_owned());
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!(
            "The email address must be {MAX_EMAIL_CHARS} characters or fewer"
        ));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The email address must not contain spaces".to_owned());
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(FORMAT.to_owned());
    };
    if domain.contains('@') {
        return Err("The email address must contain only one @".to_owned());
    }
    let local_ok = !local.is_empty()
        && local.chars().count() <= MAX_EMAIL_LOCAL_CHARS
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| "()<>[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    if local_ok && domain_ok {
        Ok(email)
    } else {
        Err(FORMAT.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_in_any_script_pass() {
        for name in [
            "Ann O'Neill-Jones",
            "Zoë Brontë",
            "محمد علي",
            "李小龍",
            "Dr. A. Smith (Pharmacy)",
        ] {
            assert_eq!(check_one_line(name, "The name"), Ok(()), "{name}");
        }
    }

    #[test]
    fn line_breaks_tabs_and_hidden_characters_are_refused() {
        for name in [
            "Ann\nSubject: reset",
            "Ann\r\nBcc: x@example.org",
            "Ann\tJones",
            "Ann\u{0}",
            "Ann\u{85}",
            "Ann\u{2028}Jones",
            "evil\u{202E}gpj.exe",
            "Ann\u{2066}Jones\u{2069}",
            "Ann\u{200B}",
            "\u{FEFF}Ann",
        ] {
            assert_eq!(
                check_one_line(name, "The name"),
                Err(
                    "The name must be on one line, without tabs or hidden formatting characters"
                        .into()
                ),
                "{name:?}"
            );
        }
    }

    #[test]
    fn email_addresses_are_checked_sensibly() {
        for good in [
            "a@b.co",
            "first.last+tag@nhs.net",
            "X@Sub.Example.ORG",
            "o'brien@trust.nhs.uk",
        ] {
            assert_eq!(normalise_email(good), Ok(good.to_lowercase()), "{good}");
        }
        for bad in [
            "plain",
            "@nhs.net",
            "a@",
            "a@nhs",
            "a@@nhs.net",
            "a@b@nhs.net",
            "a b@nhs.net",
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
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
        let long = format!("{}@{}.net", "a".repeat(64), "b".repeat(190));
        assert_eq!(long.len(), 259);
        assert_eq!(
            normalise_email(&long).unwrap_err(),
            "The email address must be 254 characters or fewer"
        );
        assert!(normalise_email(&format!("{}@nhs.net", "a".repeat(65))).is_err());
    }
}
