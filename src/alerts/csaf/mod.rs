//! Published advisories as CSAF 2.0 documents (OASIS Common Security Advisory Framework), so
//! that security tools can read CareCERT advisories without scraping pages.
//!
//! Every document is meant to pass the standard's strict JSON schema and its mandatory tests
//! (section 6.1). Advisory text comes from people, so anything that would break those rules —
//! a blank field, a malformed link, CPE, package URL or CVSS vector, an odd revision history —
//! is left out, or replaced by a plain statement, rather than copied through.

mod identifiers;
mod notes;
mod product_tree;
#[cfg(test)]
pub(super) mod tests;
mod tracking;
mod uri;
mod vulnerabilities;

use std::fmt::Write as _;

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::model::{PublishedAdvisory, Tlp};
use notes::{distribution, document_notes, references};
use product_tree::products;
use tracking::{history, tracking};
use vulnerabilities::{cves, vulnerability};

/// Who publishes the documents, and where this server is.
#[derive(Debug, Clone, Copy)]
pub struct Provider<'a> {
    pub name: &'a str,
    /// A URL the publisher controls that names it uniquely, e.g. `https://carecert.example`.
    pub namespace: &'a str,
    /// How to reach the publisher, in a sentence.
    pub contact: &'a str,
    /// The public URL of this server, without a trailing slash.
    pub base_url: &'a str,
}

/// FIRST's definition of the Traffic Light Protocol.
pub const TLP_DEFINITION_URL: &str = "https://www.first.org/tlp/";

/// The name CSAF documents give for the software that made them.
const ENGINE: &str = "CareCERT";

/// The CSAF 2.0 label for a TLP 2.0 label. CSAF 2.0 predates TLP 2.0: CLEAR was called WHITE,
/// and there is no AMBER+STRICT, so it becomes AMBER (the document states the restriction).
pub fn tlp_label(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "WHITE",
        Tlp::Green => "GREEN",
        Tlp::Amber | Tlp::AmberStrict => "AMBER",
        Tlp::Red => "RED",
    }
}

/// The file name of a CSAF document (CSAF 2.0 section 5.1): the tracking ID in lower case,
/// with every run of characters other than `+`, `-`, `a`–`z` and `0`–`9` replaced by `_`.
pub fn filename(tracking_id: &str) -> String {
    let mut name = String::with_capacity(tracking_id.len() + 5);
    let mut in_run = false;
    for c in tracking_id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            name.push(c);
            in_run = false;
        } else if !in_run {
            name.push('_');
            in_run = true;
        }
    }
    name.push_str(".json");
    name
}

/// The document's tracking ID: the advisory reference with its spacing tidied (CSAF forbids
/// leading, trailing and line-breaking white space), or the advisory's UUID if it has none.
pub fn tracking_id(adv: &PublishedAdvisory) -> String {
    let id = adv
        .reference
        .split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if id.is_empty() {
        adv.id.to_string()
    } else {
        id
    }
}

/// Where the document is published: one folder per TLP label, as CSAF providers lay them out,
/// then one per year of first release (CSAF 2.0 requirement 11), e.g.
/// `https://carecert.example/.well-known/csaf/white/2026/cc-2026-0042.json`.
pub fn document_url(base_url: &str, adv: &PublishedAdvisory) -> String {
    let released = rfc3339(adv.initial_release);
    format!(
        "{}/.well-known/csaf/{}/{}/{}",
        base_url.trim_end_matches('/'),
        tlp_label(adv.content.tlp).to_ascii_lowercase(),
        released.get(..4).unwrap_or("0000"),
        filename(&tracking_id(adv)),
    )
}

/// When the current version of the advisory was released, as its document says.
pub fn current_release(adv: &PublishedAdvisory) -> OffsetDateTime {
    history(adv).current
}

/// The advisory as a CSAF 2.0 document: a security advisory when it names at least one CVE
/// and one affected product, otherwise an informational advisory.
pub fn document(adv: &PublishedAdvisory, provider: &Provider) -> Value {
    let content = &adv.content;
    let id = tracking_id(adv);
    let cves = cves(&content.cves);
    let products = products(&content.affected);
    let security = !cves.is_empty() && !products.ids.is_empty();
    let category = if security {
        "csaf_security_advisory"
    } else {
        "csaf_informational_advisory"
    };
    let mut doc = json!({
        "document": {
            "category": category,
            "csaf_version": "2.0",
            "lang": "en-GB",
            "title": title(adv),
            "publisher": publisher(provider),
            "distribution": distribution(content.tlp),
            "aggregate_severity": { "text": content.severity.label() },
            "notes": document_notes(adv, security, &cves),
            "references": references(adv, provider),
            "tracking": tracking(adv, &id),
        }
    });
    if let Some(tree) = products.tree {
        doc["product_tree"] = tree;
    }
    if security {
        doc["vulnerabilities"] = cves
            .iter()
            .map(|cve| vulnerability(adv, cve, &products.ids))
            .collect();
    }
    doc
}

/// The document title: `<tracking ID>: <advisory title>`.
pub fn title(adv: &PublishedAdvisory) -> String {
    let id = tracking_id(adv);
    match clean(&adv.content.title) {
        Some(title) => format!("{id}: {title}"),
        None => id,
    }
}

/// The `publisher` object, shared by documents and the provider metadata.
pub fn publisher(provider: &Provider) -> Value {
    let mut publisher = json!({
        "category": "coordinator",
        "name": clean(provider.name).unwrap_or(ENGINE),
        "namespace": provider.namespace,
    });
    if let Some(contact) = clean(provider.contact) {
        publisher["contact_details"] = contact.into();
    }
    publisher
}

/// A date as RFC 3339 in UTC. CSAF and Atom dates have four-digit years, so a date outside
/// years 0 to 9999 (which only broken data could hold) is clamped to the nearest end.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.checked_to_offset(UtcOffset::UTC)
        .and_then(|utc| utc.format(&Rfc3339).ok())
        .unwrap_or_else(|| {
            if t.year() < 0 {
                "0000-01-01T00:00:00Z".to_owned()
            } else {
                "9999-12-31T23:59:59Z".to_owned()
            }
        })
}

/// The address of the advisory's page on this server.
pub fn page_url(base_url: &str, adv: &PublishedAdvisory) -> String {
    format!(
        "{}/alerts/{}",
        base_url.trim_end_matches('/'),
        encode_segment(adv.reference.trim())
    )
}

/// Percent-encodes everything but the unreserved characters of RFC 3986, so any text can go
/// in one path segment of a URL or URN.
pub(super) fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn clean(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

fn numbered(items: &[String]) -> Option<String> {
    let lines: Vec<String> = items
        .iter()
        .filter_map(|item| clean(item))
        .enumerate()
        .map(|(i, item)| format!("{}. {item}", i + 1))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn note(category: &str, title: &str, text: &str) -> Value {
    json!({ "category": category, "title": title, "text": text })
}

fn withdrawal_reason(adv: &PublishedAdvisory) -> Option<&str> {
    adv.withdrawn_reason
        .as_deref()
        .map(|reason| clean(reason).unwrap_or("No reason was given."))
}
