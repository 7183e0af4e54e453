//! Which CPE names and package URLs a CSAF document may carry in a product's identification
//! helper. Both are read by the shared recogniser in `crate::software`; a package URL must
//! also fit the CSAF schema's own pattern and pass the stricter checks of the purl parsers
//! that CSAF validators run for mandatory test 6.1.13, or the whole document would fail.

use super::uri::is_uri;
use crate::software::{Cpe, Purl};

/// A well-formed CPE 2.3 formatted string or CPE 2.2 URI. The shared grammar is the one the
/// CSAF schema's patterns encode, so nothing more is needed.
pub(super) fn is_cpe(text: &str) -> bool {
    text.parse::<Cpe>().is_ok()
}

/// A package URL, as written, that the CSAF schema and the validators' purl parsers accept.
pub(super) fn is_purl(text: &str) -> bool {
    let Ok(purl) = text.parse::<Purl>() else {
        return false;
    };
    let path = text.split(['?', '#']).next().unwrap_or_default();
    schema_pattern(text) && is_uri(text) && !path.contains("//") && validators_accept(&purl)
}

/// The schema's pattern `^pkg:[A-Za-z\.\-\+][A-Za-z0-9\.\-\+]*/.+`: the scheme in lower case
/// and no slashes before the type, which the purl specification itself lets readers forgive.
fn schema_pattern(text: &str) -> bool {
    let Some((kind, rest)) = text.strip_prefix("pkg:").and_then(|t| t.split_once('/')) else {
        return false;
    };
    let type_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+');
    kind.bytes().next().is_some_and(|c| !c.is_ascii_digit())
        && kind.bytes().all(type_char)
        && !rest.is_empty()
}

/// Rules for particular package types that the validators' parsers apply beyond the
/// specification's own type definitions.
fn validators_accept(purl: &Purl) -> bool {
    let namespace = purl.namespace().unwrap_or_default();
    let version = purl.version().unwrap_or_default();
    let qualifiers: Vec<(&str, &str)> = purl.qualifiers().collect();
    // Those parsers decode qualifier values twice, so a value holding `%` once decoded could
    // make the second decoding fail.
    if qualifiers.iter().any(|(_, value)| value.contains('%')) {
        return false;
    }
    match purl.package_type() {
        "maven" => !namespace.is_empty(),
        "swift" => !namespace.is_empty() && !version.is_empty(),
        "cran" => !version.is_empty(),
        "conan" if namespace.is_empty() => !qualifiers.iter().any(|(key, _)| *key == "channel"),
        "conan" => !qualifiers.is_empty(),
        "golang" => version.strip_prefix('v').is_none_or(is_plain_semver),
        "pub" => purl
            .name()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'),
        _ => true,
    }
}

/// `MAJOR.MINOR.PATCH` without leading zeros: the part of semantic versioning that purl
/// parsers check Go versions against (pre-release and build suffixes are refused here).
fn is_plain_semver(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (*p == "0" || !p.starts_with('0'))
        })
}
