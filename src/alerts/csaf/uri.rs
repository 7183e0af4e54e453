//! Syntax checks for links, as strict as the CSAF schema's `uri` format or stricter, and the
//! tidying of an analyst's web link into one that passes them.

use std::fmt::Write as _;

const UNRESERVED_MARKS: &[u8] = b"-._~";
const SUB_DELIMS: &[u8] = b"!$&'()*+,;=";

/// True if every byte is an unreserved or sub-delimiter character, one of `extra`, or part of
/// a well-formed percent escape.
fn uri_chars(text: &str, extra: &[u8]) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else if c.is_ascii_alphanumeric()
            || UNRESERVED_MARKS.contains(&c)
            || SUB_DELIMS.contains(&c)
            || extra.contains(&c)
        {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// An absolute URI as RFC 3986 (and the schema's `uri` format) allows, except that IP
/// literals in brackets are refused.
pub(super) fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let s = scheme.as_bytes();
    if s.first().is_none_or(|c| !c.is_ascii_alphabetic())
        || !s
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (hier, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !uri_chars(fragment, b":@/?") || !uri_chars(query, b":@/?") {
        return false;
    }
    match hier.strip_prefix("//") {
        Some(after) => {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            authority_ok(authority) && uri_chars(path, b":@/")
        }
        None => !hier.is_empty() && uri_chars(hier, b":@/"),
    }
}

fn authority_ok(authority: &str) -> bool {
    let host_port = match authority.rsplit_once('@') {
        Some((user, host_port)) => {
            if !uri_chars(user, b":") {
                return false;
            }
            host_port
        }
        None => authority,
    };
    let (host, port) = host_port.rsplit_once(':').unwrap_or((host_port, ""));
    port.bytes().all(|b| b.is_ascii_digit()) && uri_chars(host, b"")
}

/// An analyst's link as an http(s) URI: characters a URI cannot hold (spaces, non-ASCII
/// letters, a stray `%`…) are percent-encoded after the host; anything else malformed gives
/// `None`.
pub(super) fn web_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (scheme, rest) = raw.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if authority.is_empty() {
        return None;
    }
    let mut url = format!("{scheme}://{authority}");
    let bytes = tail.as_bytes();
    let mut in_fragment = false;
    for (i, &b) in bytes.iter().enumerate() {
        let escape_start = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let first_hash = b == b'#' && !in_fragment;
        let allowed = b.is_ascii_alphanumeric()
            || UNRESERVED_MARKS.contains(&b)
            || SUB_DELIMS.contains(&b)
            || b":@/?".contains(&b);
        if allowed || escape_start || first_hash {
            in_fragment |= first_hash;
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    is_uri(&url).then_some(url)
}
