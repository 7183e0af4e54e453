//! Rules for the text people type. A name (of a person, department, organisation, token)
//! is one line of visible text (email addresses are checked by
//! [`crate::platform::address::EmailAddress`]). Names are shown in other people's pages, lists,
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
}
