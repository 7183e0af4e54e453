//! The document's distribution (TLP) statement, its notes and its references: the parts
//! a person reads, kept to what CSAF's mandatory tests require of them.

use serde_json::{Value, json};

use super::uri::{is_uri, web_url};
use super::vulnerabilities::ValidCve;
use super::{
    ENGINE, Provider, TLP_DEFINITION_URL, clean, document_url, note, numbered, page_url, tlp_label,
    withdrawal_reason,
};
use crate::alerts::model::{PublishedAdvisory, Tlp};

pub(super) fn distribution(tlp: Tlp) -> Value {
    let mut text = format!("TLP:{}: {}", tlp.as_str(), tlp.meaning());
    match tlp {
        Tlp::Clear => text.push_str(" CSAF 2.0 calls this label TLP:WHITE."),
        Tlp::AmberStrict => text.push_str(
            " CSAF 2.0 has no AMBER+STRICT label, so this document is labelled TLP:AMBER, but the \
             stricter rule applies: share it only within the recipient organisation, not with \
             its clients.",
        ),
        Tlp::Green | Tlp::Amber | Tlp::Red => {}
    }
    json!({ "text": text, "tlp": { "label": tlp_label(tlp), "url": TLP_DEFINITION_URL } })
}

pub(super) fn document_notes(
    adv: &PublishedAdvisory,
    security: bool,
    cves: &[ValidCve],
) -> Vec<Value> {
    let content = &adv.content;
    let mut notes = Vec::new();
    if let Some(reason) = withdrawal_reason(adv) {
        let text = format!("This advisory has been withdrawn. Reason: {reason}");
        notes.push(note("general", "Withdrawn", &text));
    }
    if let Some(summary) = clean(&content.summary) {
        notes.push(note("summary", "Summary", summary));
    }
    // Always present, so an informational advisory always has the general note CSAF requires
    // (mandatory test 6.1.27.1).
    let severity = match clean(&content.severity_reason) {
        Some(reason) => format!("{}. {reason}", content.severity.label()),
        None => format!("{}.", content.severity.label()),
    };
    notes.push(note("general", "Severity", &severity));
    if let Some(threat) = threat(adv) {
        notes.push(note("details", "Threat", &threat));
    }
    // An informational advisory has no vulnerabilities to carry CVEs and remediations.
    if !security {
        if !cves.is_empty() {
            let ids: Vec<&str> = cves.iter().map(|cve| cve.id.as_str()).collect();
            let text = format!("This advisory concerns {}.", ids.join(", "));
            notes.push(note("details", "Vulnerabilities", &text));
        }
        if let Some(steps) = numbered(&content.remediation) {
            notes.push(note("details", "What to do", &steps));
        }
        if let Some(steps) = numbered(&content.workarounds) {
            notes.push(note("details", "Workarounds", &steps));
        }
    }
    notes
}

pub(super) fn threat(adv: &PublishedAdvisory) -> Option<String> {
    let mut facts = Vec::new();
    if adv.content.actively_exploited {
        facts.push("Known to be exploited in the wild.");
    }
    if adv.content.in_kev {
        facts.push("Listed in the CISA Known Exploited Vulnerabilities catalogue.");
    }
    (!facts.is_empty()).then(|| facts.join(" "))
}

pub(super) fn references(adv: &PublishedAdvisory, provider: &Provider) -> Vec<Value> {
    let tlp = adv.content.tlp;
    let mut references = vec![
        (
            "self",
            format!(
                "This advisory on {}",
                clean(provider.name).unwrap_or(ENGINE)
            ),
            page_url(provider.base_url, adv),
        ),
        (
            "self",
            "This advisory as a CSAF document".to_owned(),
            document_url(provider.base_url, adv),
        ),
    ];
    for reference in &adv.content.references {
        if let Some(url) = web_url(&reference.url) {
            let summary = clean(&reference.title).unwrap_or(&url).to_owned();
            references.push(("external", summary, url));
        }
    }
    // Recipients need the label's rules, and an informational advisory needs at least one
    // external reference (mandatory test 6.1.27.2) even when the analyst gave none.
    references.push((
        "external",
        format!(
            "FIRST Traffic Light Protocol 2.0: what TLP:{} allows",
            tlp.as_str()
        ),
        TLP_DEFINITION_URL.to_owned(),
    ));
    references
        .into_iter()
        .filter(|(_, _, url)| is_uri(url))
        .map(|(category, summary, url)| {
            json!({ "category": category, "summary": summary, "url": url })
        })
        .collect()
}
