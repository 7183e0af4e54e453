//! The document's vulnerabilities: one per well-formed CVE, each with the products it
//! affects, what to do, the CVSS score its vector gives and whether it is exploited.

use serde_json::{Value, json};

use super::notes::threat;
use super::{clean, note, numbered, tracking_id};
use crate::alerts::model::{Cve, PublishedAdvisory};
use crate::alerts::rules::cvss;

pub(super) struct ValidCve<'a> {
    pub(super) id: String,
    cve: &'a Cve,
}

/// The CVEs with well-formed IDs, each once (mandatory test 6.1.23).
pub(super) fn cves(all: &[Cve]) -> Vec<ValidCve<'_>> {
    let mut valid: Vec<ValidCve> = Vec::new();
    for cve in all {
        let id = cve.id.trim().to_ascii_uppercase();
        if is_cve_id(&id) && !valid.iter().any(|v| v.id == id) {
            valid.push(ValidCve { id, cve });
        }
    }
    valid
}

fn is_cve_id(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    let (Some("CVE"), Some(year), Some(number)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year
            .bytes()
            .chain(number.bytes())
            .all(|b| b.is_ascii_digit())
}

pub(super) fn vulnerability(adv: &PublishedAdvisory, cve: &ValidCve, ids: &[String]) -> Value {
    let content = &adv.content;
    let description = clean(&content.summary)
        .or_else(|| clean(&content.title))
        .map_or_else(
            || format!("{} is described in advisory {}.", cve.id, tracking_id(adv)),
            str::to_owned,
        );
    let mut vulnerability = json!({
        "cve": cve.id,
        "notes": [note("description", "Description", &description)],
        "product_status": { "known_affected": ids },
    });
    let mut remediations = Vec::new();
    if let Some(steps) = numbered(&content.remediation) {
        remediations
            .push(json!({ "category": "vendor_fix", "details": steps, "product_ids": ids }));
    }
    if let Some(steps) = numbered(&content.workarounds) {
        remediations
            .push(json!({ "category": "workaround", "details": steps, "product_ids": ids }));
    }
    if !remediations.is_empty() {
        vulnerability["remediations"] = remediations.into();
    }
    if let Some(cvss) = cvss_v3(cve.cve) {
        vulnerability["scores"] = json!([{ "products": ids, "cvss_v3": cvss }]);
    }
    if let Some(threat) = threat(adv) {
        vulnerability["threats"] =
            json!([{ "category": "exploit_status", "details": threat, "product_ids": ids }]);
    }
    vulnerability
}

pub(super) fn cvss_v3(cve: &Cve) -> Option<Value> {
    let vector = cve.cvss_vector.as_deref()?.trim();
    let version = cvss::version(vector)?;
    // The score is worked out from the vector rather than taken from storage: CSAF rejects a
    // score that its vector does not give (mandatory test 6.1.9).
    let score = cvss::base_score(vector).ok()?;
    Some(json!({
        "version": version,
        "vectorString": vector,
        "baseScore": score,
        "baseSeverity": cvss::rating(score),
    }))
}
