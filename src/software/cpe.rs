//! CPE names, in the two forms people and feeds write them: the CPE 2.3 formatted string
//! (`cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*`, NIST IR 7695 section 6.2) and the older
//! CPE 2.2 URI (`cpe:/a:apache:log4j:2.14.1`, NIST IR 7695 section 6.1). The formatted
//! string is checked against its grammar as strictly as the CSAF schema checks it, so any
//! name accepted here can go into a CSAF document unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{MAX_IDENTIFIER_CHARS, has_blank_or_control, percent_escapes_ok, too_long};

const FORMATTED_PREFIX: &str = "cpe:2.3:";
const URI_PREFIX: &str = "cpe:/";
/// The eleven attributes of a formatted string, in order, as error messages name them.
const ATTRIBUTES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "software edition",
    "target software",
    "target hardware",
    "other",
];
const LANGUAGE: usize = 6;
/// Punctuation a formatted-string value may hold only when escaped with a backslash.
const ESCAPABLE: &[u8] = b"\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~";
/// Most fields a URI has after `cpe:/`: part, vendor, product, version, update, edition and
/// language.
const MAX_URI_FIELDS: usize = 7;

/// What kind of thing a CPE name identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Application,
    OperatingSystem,
    Hardware,
}

/// Which of the two written forms a CPE name was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `cpe:2.3:…`, with all 13 colon-separated parts.
    FormattedString,
    /// `cpe:/…`, the CPE 2.2 form.
    Uri,
}

/// A well-formed CPE name. Vendor and product are given in lower case with escapes removed,
/// because CPE names compare without regard to case (NIST IR 7696); a value that is "any"
/// (`*`, or empty in a URI) or "not applicable" (`-`) is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpe {
    text: String,
    binding: Binding,
    part: Option<Part>,
    vendor: Option<String>,
    product: Option<String>,
    version: Option<String>,
}

/// Why text is not a CPE name, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeError {
    #[error("The CPE name is longer than {MAX_IDENTIFIER_CHARS} characters.")]
    TooLong,
    #[error("'{input}' contains a character that is not allowed in a CPE name, or a stray '\\'.")]
    BadCharacter { input: String },
    #[error("'{input}' is not a CPE name: it should start with 'cpe:2.3:' or 'cpe:/'.")]
    NotCpe { input: String },
    #[error(
        "'{input}' is not a complete CPE 2.3 name: it has {found} parts separated by colons \
         where 13 are needed, like 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'."
    )]
    Parts { input: String, found: usize },
    #[error(
        "'{input}' has {found} parts after 'cpe:/', where a CPE 2.2 name has at most 7, like \
         'cpe:/a:apache:log4j:2.14.1'."
    )]
    UriParts { input: String, found: usize },
    #[error(
        "In '{input}', the part after the CPE version must be 'a' (application), \
         'o' (operating system) or 'h' (hardware)."
    )]
    Part { input: String },
    #[error(
        "In '{input}', the {attribute} '{value}' is not written as CPE 2.3 allows: letters, \
         digits, '_', '-' and '.', other punctuation escaped with '\\', and '*' or '?' only \
         at its start or end."
    )]
    Value {
        input: String,
        attribute: &'static str,
        value: String,
    },
    #[error(
        "In '{input}', the {attribute} '{value}' holds a character that a CPE 2.2 name must \
         percent-encode."
    )]
    UriValue {
        input: String,
        attribute: &'static str,
        value: String,
    },
    #[error("In '{input}', the language '{value}' should be a code like 'en' or 'en-gb', or '*'.")]
    Language { input: String, value: String },
    #[error("'{input}' has a '%' that is not followed by two hexadecimal digits of valid text.")]
    BadPercent { input: String },
}

impl Cpe {
    /// The name as written, which is its canonical form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn binding(&self) -> Binding {
        self.binding
    }

    /// `None` when the name leaves the part open (`*`, `-` or, in a URI, nothing).
    pub fn part(&self) -> Option<Part> {
        self.part
    }

    pub fn vendor(&self) -> Option<&str> {
        self.vendor.as_deref()
    }

    pub fn product(&self) -> Option<&str> {
        self.product.as_deref()
    }

    /// The version as written, escapes removed.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl FromStr for Cpe {
    type Err = CpeError;

    fn from_str(input: &str) -> Result<Self, CpeError> {
        if too_long(input) {
            return Err(CpeError::TooLong);
        }
        if has_blank_or_control(input) {
            return Err(CpeError::BadCharacter {
                input: input.to_owned(),
            });
        }
        if let Some(rest) = input.strip_prefix(FORMATTED_PREFIX) {
            parse_formatted(input, rest)
        } else if let Some(rest) = input.strip_prefix(URI_PREFIX) {
            parse_uri(input, rest)
        } else {
            Err(CpeError::NotCpe {
                input: input.to_owned(),
            })
        }
    }
}

impl TryFrom<&str> for Cpe {
    type Error = CpeError;

    fn try_from(text: &str) -> Result<Self, CpeError> {
        text.parse()
    }
}

impl TryFrom<String> for Cpe {
    type Error = CpeError;

    fn try_from(text: String) -> Result<Self, CpeError> {
        text.parse()
    }
}

impl From<Cpe> for String {
    fn from(cpe: Cpe) -> String {
        cpe.text
    }
}

impl fmt::Display for Cpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_formatted(input: &str, rest: &str) -> Result<Cpe, CpeError> {
    let fields = split_unescaped(rest).ok_or_else(|| CpeError::BadCharacter {
        input: input.to_owned(),
    })?;
    if fields.len() != ATTRIBUTES.len() {
        return Err(CpeError::Parts {
            input: input.to_owned(),
            found: fields.len() + 2,
        });
    }
    let part = match fields[0] {
        "a" => Some(Part::Application),
        "o" => Some(Part::OperatingSystem),
        "h" => Some(Part::Hardware),
        "*" | "-" => None,
        _ => {
            return Err(CpeError::Part {
                input: input.to_owned(),
            });
        }
    };
    for (index, value) in fields.iter().enumerate().skip(1) {
        if index == LANGUAGE && !language_ok(value.as_bytes()) {
            return Err(CpeError::Language {
                input: input.to_owned(),
                value: (*value).to_owned(),
            });
        }
        if index != LANGUAGE && !value_ok(value.as_bytes()) {
            return Err(CpeError::Value {
                input: input.to_owned(),
                attribute: ATTRIBUTES[index],
                value: (*value).to_owned(),
            });
        }
    }
    let value = |index: usize| match fields[index] {
        "*" | "-" => None,
        escaped => Some(unescape(escaped)),
    };
    Ok(Cpe {
        text: input.to_owned(),
        binding: Binding::FormattedString,
        part,
        vendor: value(1).map(|v| v.to_lowercase()),
        product: value(2).map(|v| v.to_lowercase()),
        version: value(3),
    })
}

/// The values between the colons that are not escaped with a backslash, escapes kept;
/// `None` if the text ends in a lone backslash.
fn split_unescaped(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 == bytes.len() => return None,
            b'\\' => i += 2,
            b':' => {
                fields.push(text.get(start..i)?);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    fields.push(text.get(start..)?);
    Some(fields)
}

/// One formatted-string value (NIST IR 7695 figure 6-3): `*` or `-` alone, or letters,
/// digits, `_`, `-`, `.` and escaped punctuation, with either one `*` or any number of `?`
/// at the start and at the end.
fn value_ok(value: &[u8]) -> bool {
    if value == b"*" || value == b"-" {
        return true;
    }
    let mut i = 0;
    if value.first() == Some(&b'*') {
        i = 1;
    } else {
        while value.get(i) == Some(&b'?') {
            i += 1;
        }
    }
    let body_start = i;
    while let Some(&c) = value.get(i) {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_') {
            i += 1;
        } else if c == b'\\' && value.get(i + 1).is_some_and(|e| ESCAPABLE.contains(e)) {
            i += 2;
        } else {
            break;
        }
    }
    let tail = &value[i..];
    i > body_start && (tail == b"*" || tail.iter().all(|&c| c == b'?'))
}

/// A language tag as CPE 2.3 allows one: two or three letters, optionally a dash and a
/// two-letter or three-digit region.
fn language_ok(value: &[u8]) -> bool {
    if value == b"*" || value == b"-" {
        return true;
    }
    let (language, region) = match value.iter().position(|&c| c == b'-') {
        Some(dash) => (&value[..dash], Some(&value[dash + 1..])),
        None => (value, None),
    };
    (2..=3).contains(&language.len())
        && language.iter().all(u8::is_ascii_alphabetic)
        && region.is_none_or(|r| {
            (r.len() == 2 && r.iter().all(u8::is_ascii_alphabetic))
                || (r.len() == 3 && r.iter().all(u8::is_ascii_digit))
        })
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            other => out.push(other),
        }
    }
    out
}

fn parse_uri(input: &str, rest: &str) -> Result<Cpe, CpeError> {
    let fields: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split(':').collect()
    };
    if fields.len() > MAX_URI_FIELDS {
        return Err(CpeError::UriParts {
            input: input.to_owned(),
            found: fields.len(),
        });
    }
    let part = match fields.first().map(|p| p.to_ascii_lowercase()).as_deref() {
        None | Some("") => None,
        Some("a") => Some(Part::Application),
        Some("o") => Some(Part::OperatingSystem),
        Some("h") => Some(Part::Hardware),
        Some(_) => {
            return Err(CpeError::Part {
                input: input.to_owned(),
            });
        }
    };
    let mut values = Vec::with_capacity(fields.len());
    for (index, field) in fields.iter().enumerate().skip(1) {
        let allowed = field
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-~%".contains(&c));
        if !allowed {
            return Err(CpeError::UriValue {
                input: input.to_owned(),
                attribute: ATTRIBUTES[index],
                value: (*field).to_owned(),
            });
        }
        let bad_percent = || CpeError::BadPercent {
            input: input.to_owned(),
        };
        if !percent_escapes_ok(field) {
            return Err(bad_percent());
        }
        values.push(percent_decode(field).ok_or_else(bad_percent)?);
    }
    // Empty means "any" and `-` "not applicable" (NIST IR 7695 section 6.1.3).
    let value = |index: usize| {
        values
            .get(index - 1)
            .filter(|v| !v.is_empty() && v.as_str() != "-")
            .cloned()
    };
    Ok(Cpe {
        text: input.to_owned(),
        binding: Binding::Uri,
        part,
        vendor: value(1).map(|v| v.to_lowercase()),
        product: value(2).map(|v| v.to_lowercase()),
        version: value(3),
    })
}

/// Decodes well-formed percent escapes; `None` if the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpe(text: &str) -> Cpe {
        text.parse()
            .unwrap_or_else(|e| panic!("{text} should be a CPE name: {e}"))
    }

    /// The formatted strings NIST IR 7695 gives as the bindings of its example names
    /// (section 6.2.2.3) are accepted and keep their written form.
    #[test]
    fn nist_ir_7695_formatted_string_examples_are_accepted() {
        for text in [
            "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
            "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
            "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
            "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
            r"cpe:2.3:a:foo\\bar:big\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*",
        ] {
            let parsed = cpe(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.binding(), Binding::FormattedString);
            assert_eq!(parsed.part(), Some(Part::Application));
        }
        let escaped = cpe(r"cpe:2.3:a:foo\\bar:big\$money_manager_2010:*:*:*:*:*:*:*:*");
        assert_eq!(escaped.vendor(), Some(r"foo\bar"));
        assert_eq!(escaped.product(), Some("big$money_manager_2010"));
        assert_eq!(escaped.version(), None);
        let ie = cpe("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
        assert_eq!(ie.vendor(), Some("microsoft"));
        assert_eq!(ie.product(), Some("internet_explorer"));
        assert_eq!(ie.version(), Some("8.0.6001"));
    }

    /// The URIs NIST IR 7695 gives for the same names (section 6.1.2.3), and the CPE 2.2
    /// specification's own example of an empty field.
    #[test]
    fn nist_ir_7695_uri_examples_are_accepted() {
        for text in [
            "cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
            "cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
            "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~",
            "cpe:/a:hp:openview_network_manager:7.51::~~~linux~~",
            "cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~",
            "cpe:/o:microsoft:windows_xp:::pro",
        ] {
            let parsed = cpe(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.binding(), Binding::Uri);
        }
        let foo = cpe("cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~");
        assert_eq!(foo.vendor(), Some(r"foo\bar"));
        assert_eq!(foo.product(), Some("big$money_manager_2010"));
        assert_eq!(foo.version(), None);
        let xp = cpe("cpe:/o:microsoft:windows_xp:::pro");
        assert_eq!(xp.part(), Some(Part::OperatingSystem));
        assert_eq!(xp.version(), None);
        assert_eq!(cpe("cpe:/").part(), None);
        assert_eq!(cpe("cpe:/h").part(), Some(Part::Hardware));
    }

    #[test]
    fn the_formatted_string_grammar_is_enforced() {
        for good in [
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:x64:*",
            "cpe:2.3:a:vendor:prod\\:uct:1.0:-:*:en-gb:*:*:*:*",
            "cpe:2.3:a:vendor:product:1.0:*:*:es-419:*:*:*:*",
            "cpe:2.3:a:*foo?:bar??:*:*:*:*:*:*:*:*",
            "cpe:2.3:*:-:*:*:*:*:*:*:*:*:*",
        ] {
            assert!(good.parse::<Cpe>().is_ok(), "{good} should be accepted");
        }
        for bad in [
            "",
            "not a cpe",
            "CPE:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache::2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:ap ache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:lo*g4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:english:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:\\",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:é",
            "cpe:2.3:a:apache:c++:*:*:*:*:*:*:*:*",
        ] {
            assert!(bad.parse::<Cpe>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_uri_grammar_is_enforced() {
        for bad in [
            "cpe:/a:apache:solr:8.0:a:b:c:d",
            "cpe:/a:apache solr",
            "cpe:/x:apache:solr",
            "cpe:/a:apache:so+lr",
            "cpe:/a:x:y:%zz",
            "cpe:/a:x:y:%ff",
        ] {
            assert!(bad.parse::<Cpe>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let error = |text: &str| text.parse::<Cpe>().unwrap_err();
        assert!(matches!(
            error("cpe:2.3:a:apache:log4j:2.14.1"),
            CpeError::Parts { found: 6, .. }
        ));
        assert!(matches!(
            error("cpe:2.3:a:apache:log4j:1\\"),
            CpeError::BadCharacter { .. }
        ));
        assert!(matches!(
            error("cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*"),
            CpeError::Part { .. }
        ));
        assert!(matches!(
            error("cpe:2.3:a:apache:lo*g4j:*:*:*:*:*:*:*:*"),
            CpeError::Value {
                attribute: "product",
                ..
            }
        ));
        assert!(matches!(
            error("cpe:/a:apache:solr:8.0:a:b:c:d"),
            CpeError::UriParts { found: 8, .. }
        ));
        assert!(matches!(
            error(&format!("cpe:2.3:a:{}", "x".repeat(2000))),
            CpeError::TooLong
        ));
        assert_eq!(
            error("cpe:2.3:a:apache:log4j:*:*:*:english:*:*:*:*").to_string(),
            "In 'cpe:2.3:a:apache:log4j:*:*:*:english:*:*:*:*', the language 'english' should \
             be a code like 'en' or 'en-gb', or '*'."
        );
    }

    #[test]
    fn names_are_read_without_regard_to_case_and_escapes() {
        let windows = cpe("cpe:2.3:o:Microsoft:Windows_10:*:*:*:*:*:*:*:*");
        assert_eq!(windows.vendor(), Some("microsoft"));
        assert_eq!(windows.product(), Some("windows_10"));
        assert_eq!(windows.version(), None);
        assert_eq!(
            windows.to_string(),
            "cpe:2.3:o:Microsoft:Windows_10:*:*:*:*:*:*:*:*"
        );
        let escaped = cpe(r"cpe:2.3:a:acme:web\:server:1.0\:beta:*:*:*:*:*:*:*");
        assert_eq!(escaped.product(), Some("web:server"));
        assert_eq!(escaped.version(), Some("1.0:beta"));
        assert_eq!(cpe("cpe:2.3:a:x:y:-:*:*:*:*:*:*:*").version(), None);
        assert_eq!(cpe("cpe:/a:acme:a%2fb").product(), Some("a/b"));
        assert_eq!(cpe("cpe:/a:acme:widget:-").version(), None);
    }

    #[test]
    fn serde_uses_the_written_form_and_validates() {
        let text = "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*";
        let json = serde_json::to_string(&cpe(text)).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Cpe>(&json).unwrap(), cpe(text));
        assert!(serde_json::from_str::<Cpe>("\"cpe:2.3:a\"").is_err());
        assert_eq!(Cpe::try_from(text).unwrap(), cpe(text));
    }
}
