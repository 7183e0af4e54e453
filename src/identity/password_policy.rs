//! Rules for choosing a new password, following NCSC password guidance.
//!
//! - At least [`MIN_CHARS`] characters and at most [`MAX_CHARS`] (counted as
//!   characters, not bytes). No rules about mixing upper case, digits or
//!   symbols: they make passwords harder to remember, not harder to guess.
//! - Not one of the most common passwords. The list is built by `build.rs`
//!   from the `@zxcvbn-ts/language-common` npm package (lower-cased, sorted,
//!   one per line) and embedded in the binary; nothing is fetched at run time.
//! - Not the person's name or email address, and not one repeated character,
//!   a repeated pattern or a simple run such as `123456789012`.
//! - Passwords never expire: people change them when they want to, or when
//!   there is reason to think one is known to someone else.
//!
//! Everything here is a pure function with no I/O. The messages are meant to
//! be shown to the person as they are and point them to the NCSC's advice of
//! three random words.

use std::sync::LazyLock;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have.
pub const MAX_CHARS: usize = 128;

/// The example the messages give. It is blocked too, in case someone uses it
/// exactly as written.
const EXAMPLE: &str = "kettle river orange";

/// Common passwords, lower-case and sorted, so they can be binary searched.
static BLOCKED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!(concat!(env!("OUT_DIR"), "/blocked_passwords.txt"))
        .lines()
        .collect()
});

/// What we know about the person choosing the password.
#[derive(Debug, Clone, Copy)]
pub struct PasswordContext<'a> {
    /// Their email address.
    pub email: &'a str,
    /// Their name as they gave it, for example "Priya Shah".
    pub name: &'a str,
}

/// Why a new password was not accepted. `Display` gives a message for the
/// person choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error(
        "Your password must be at least 12 characters. Try three random words, like ‘kettle river orange’."
    )]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error(
        "Your password must be 128 characters or fewer. Three random words, like ‘kettle river orange’, are long enough."
    )]
    TooLong,
    /// One repeated character, a repeated pattern or a simple run.
    #[error(
        "Your password must not be a repeated letter, number or pattern, or a simple sequence like ‘123456789012’. Try three random words, like ‘kettle river orange’."
    )]
    TooSimple,
    /// Contains the part of the person's email address before the @.
    #[error(
        "Your password must not include your email address. Try three random words, like ‘kettle river orange’."
    )]
    ContainsEmail,
    /// Is the person's name (give or take spaces, numbers and punctuation).
    #[error(
        "Your password must not be your name. Try three random words, like ‘kettle river orange’."
    )]
    IsName,
    /// One of the most commonly used passwords.
    #[error(
        "That password is too common and would be easy to guess. Try three random words, like ‘kettle river orange’, but choose your own."
    )]
    TooCommon,
}

/// Checks a password someone wants to set.
///
/// # Errors
///
/// Returns the first [`PasswordProblem`] found, in the order the variants are
/// listed; its message can be shown to the person as it is.
pub fn check_new_password(
    password: &str,
    context: &PasswordContext<'_>,
) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if is_repeated_pattern(&lower) || is_simple_run(&lower) {
        return Err(PasswordProblem::TooSimple);
    }
    if contains_email(&lower, context.email) {
        return Err(PasswordProblem::ContainsEmail);
    }
    if is_name(&lower, context.name) {
        return Err(PasswordProblem::IsName);
    }
    if is_blocked(&lower) {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
}

/// True if the whole password is one short block said again and again, such
/// as `aaaaaaaaaaaa`, `abababababab` or `catcatcatcat`.
fn is_repeated_pattern(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    (1..=chars.len() / 2).any(|block| {
        chars.len().is_multiple_of(block)
            && chars.chunks(block).all(|chunk| chunk == &chars[..block])
    })
}

/// True if every character is one step up (or every one a step down) from
/// the one before, among digits (`123456789012`, wrapping from 9 to 0) or
/// among letters (`abcdefghijkl`).
fn is_simple_run(password: &str) -> bool {
    let positions: Option<Vec<(u8, u8)>> = password
        .bytes()
        .map(|byte| match byte {
            b'0'..=b'9' => Some((byte - b'0', 10)),
            b'a'..=b'z' => Some((byte - b'a', 26)),
            _ => None,
        })
        .collect();
    let Some(positions) = positions else {
        return false;
    };
    let steps: Vec<Option<u8>> = positions
        .windows(2)
        .map(|pair| {
            let ((from, ring), (to, other_ring)) = (pair[0], pair[1]);
            (ring == other_ring).then(|| (to + ring - from) % ring)
        })
        .collect();
    let up = steps.iter().all(|step| *step == Some(1));
    let down = steps
        .iter()
        .zip(&positions)
        .all(|(step, (_, ring))| *step == Some(ring - 1));
    up || down
}

/// True if the password contains the part of the email address before the
/// @, ignoring case and anything but letters and digits (so `priya.shah`
/// also matches `PriyaShah`). Very short local parts are not checked, as
/// they would rule out too many good passwords.
fn contains_email(password: &str, email: &str) -> bool {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
    let local = letters_and_digits(&local.to_lowercase());
    local.chars().count() >= 3 && letters_and_digits(password).contains(&local)
}

/// True if the password is the person's name once spaces, digits and
/// punctuation are taken out of both (`Priya Shah 1985!` is `priyashah`).
fn is_name(password: &str, name: &str) -> bool {
    let name: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    let letters: String = password.chars().filter(|c| c.is_alphabetic()).collect();
    !name.is_empty() && letters == name
}

/// True if the password is on the common-password list (or is the example
/// the messages give).
fn is_blocked(password: &str) -> bool {
    let trimmed = password.trim();
    let squashed: String = trimmed.split_whitespace().collect();
    squashed == EXAMPLE.replace(' ', "") || BLOCKED.binary_search(&trimmed).is_ok()
}

fn letters_and_digits(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: PasswordContext<'static> = PasswordContext {
        email: "priya.shah@example.nhs.uk",
        name: "Priya Shah",
    };

    fn check(password: &str) -> Result<(), PasswordProblem> {
        check_new_password(password, &PERSON)
    }

    #[test]
    fn three_random_words_pass() {
        assert_eq!(check("lantern meadow pickle"), Ok(()));
        assert_eq!(check("CopperOtterTrumpet"), Ok(()));
    }

    #[test]
    fn blocked_list_is_large_sorted_and_lower_case() {
        assert!(BLOCKED.len() > 10_000, "only {} entries", BLOCKED.len());
        assert!(BLOCKED.is_sorted());
        assert!(BLOCKED.windows(2).all(|pair| pair[0] != pair[1]));
        assert!(
            BLOCKED
                .iter()
                .all(|p| *p == p.to_lowercase() && !p.is_empty())
        );
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check("kite tree 1"), Err(PasswordProblem::TooShort));
        assert_eq!(check(""), Err(PasswordProblem::TooShort));
        // Eleven characters but 22 bytes: still too short.
        assert_eq!(check("éééééééééé1"), Err(PasswordProblem::TooShort));
        assert_eq!(check("ébène forêt lune"), Ok(()));
        let longest = "walrus ".repeat(18) + "ab";
        assert_eq!(longest.chars().count(), MAX_CHARS);
        assert_eq!(check(&longest), Ok(()));
        assert_eq!(check(&(longest + "c")), Err(PasswordProblem::TooLong));
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(check("all lower case words here"), Ok(()));
    }

    #[test]
    fn common_passwords_are_blocked_in_any_case() {
        for password in [
            "password1234",
            "Password1234",
            "qwertyuiop12",
            "1qaz2wsx3edc",
        ] {
            assert_eq!(
                check(password),
                Err(PasswordProblem::TooCommon),
                "{password}"
            );
        }
        assert_eq!(
            check("Kettle River Orange"),
            Err(PasswordProblem::TooCommon)
        );
    }

    #[test]
    fn repeated_characters_and_patterns_are_too_simple() {
        for password in [
            "aaaaaaaaaaaa",
            "AAAAAAAAAAAAAAAA",
            "............",
            "abababababab",
            "catcatcatcat",
        ] {
            assert_eq!(
                check(password),
                Err(PasswordProblem::TooSimple),
                "{password}"
            );
        }
    }

    #[test]
    fn simple_runs_are_too_simple() {
        for password in [
            "123456789012",
            "210987654321",
            "abcdefghijklm",
            "ZYXWVUTSRQPO",
        ] {
            assert_eq!(
                check(password),
                Err(PasswordProblem::TooSimple),
                "{password}"
            );
        }
        assert!(!is_simple_run("abcdef123456"));
    }

    #[test]
    fn email_address_is_not_allowed() {
        assert_eq!(
            check("priya.shah@example"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check("my name is PriyaShah"),
            Err(PasswordProblem::ContainsEmail)
        );
        // A very short local part does not rule out everything containing it.
        let short = PasswordContext {
            email: "ps@example.nhs.uk",
            name: "P S",
        };
        assert_eq!(check_new_password("lamps and candles", &short), Ok(()));
    }

    #[test]
    fn name_is_not_allowed() {
        let person = PasswordContext {
            email: "p.shah7@example.nhs.uk",
            name: "Priya Shah",
        };
        for password in ["Priya Shah 1985!", "priya shah 2024", "PRIYA-SHAH-2024"] {
            assert_eq!(
                check_new_password(password, &person),
                Err(PasswordProblem::IsName),
                "{password}"
            );
        }
        // A name within a longer password is fine.
        assert_eq!(
            check_new_password("priya likes tall trees", &person),
            Ok(())
        );
    }

    #[test]
    fn messages_are_plain_english_and_suggest_three_words() {
        let problems = [
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::TooSimple,
            PasswordProblem::ContainsEmail,
            PasswordProblem::IsName,
            PasswordProblem::TooCommon,
        ];
        for problem in problems {
            let message = problem.to_string();
            assert!(
                message.to_lowercase().contains("three random words"),
                "{message}"
            );
            assert!(message.contains(EXAMPLE), "{message}");
        }
        assert_eq!(
            PasswordProblem::TooShort.to_string(),
            "Your password must be at least 12 characters. Try three random words, like ‘kettle river orange’."
        );
    }
}
