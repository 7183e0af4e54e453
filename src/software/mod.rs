//! Software identifiers: CPE names (NIST's Common Platform Enumeration) and package URLs
//! (purl). Advisories, inventories and CSAF documents all name software by them, so they are
//! read by one set of rules here. The types exist only when valid: each is made by parsing
//! text, keeps its canonical written form, and gives the parts matching compares.

mod cpe;
mod purl;

pub use cpe::{Binding, Cpe, CpeError, Part};
pub use purl::{Purl, PurlError};

/// Longest identifier accepted; real CPE names and package URLs are well under this, and a
/// bound keeps hostile text from costing much to read.
pub const MAX_IDENTIFIER_CHARS: usize = 1000;

/// True if the text is too long to be an identifier.
fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_IDENTIFIER_CHARS
}

/// True if the text holds white space or an invisible character, which neither kind of
/// identifier may contain unencoded.
fn has_blank_or_control(text: &str) -> bool {
    text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// True if every `%` starts an escape of two hexadecimal digits, as RFC 3986 requires of
/// both package URLs and CPE 2.2 URIs.
fn percent_escapes_ok(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_need_two_hex_digits() {
        assert!(percent_escapes_ok("a%2Fb%20c"));
        assert!(percent_escapes_ok("plain"));
        assert!(!percent_escapes_ok("a%2"));
        assert!(!percent_escapes_ok("a%zz"));
        assert!(!percent_escapes_ok("%"));
    }

    #[test]
    fn blank_and_invisible_characters_are_found() {
        assert!(has_blank_or_control("a b"));
        assert!(has_blank_or_control("a\u{7}"));
        assert!(!has_blank_or_control("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*"));
        assert!(too_long(&"x".repeat(MAX_IDENTIFIER_CHARS + 1)));
        assert!(!too_long(&"x".repeat(MAX_IDENTIFIER_CHARS)));
    }
}
