//! Turning a KEV catalogue entry into a draft advisory, which an analyst reviews and
//! narrows before it goes anywhere.

use crate::platform::web::format::long_date;

use super::{KevEntry, limit_chars};
use crate::alerts::model::{
    AdvisoryContent, AffectedProduct, Audience, Cve, Reference, Severity, Tlp,
};

/// Advisory titles are kept to one readable line.
const MAX_TITLE_CHARS: usize = 200;
const NVD_DETAIL_URL: &str = "https://nvd.nist.gov/vuln/detail/";
const KEV_CATALOGUE_URL: &str = "https://www.cisa.gov/known-exploited-vulnerabilities-catalog";

/// Fills a draft advisory from a catalogue entry. The analyst reviews it before it goes
/// anywhere: in particular the affected versions start as "every version" because the
/// catalogue does not say, and only the analyst can narrow them.
pub fn to_draft(entry: &KevEntry) -> AdvisoryContent {
    let title = limit_chars(
        &one_line(&format!(
            "{} {}: {}",
            entry.vendor, entry.product, entry.name
        )),
        MAX_TITLE_CHARS,
    );
    let mut severity_reason = format!(
        "Listed in the CISA Known Exploited Vulnerabilities catalogue on {}: exploited in the wild.",
        long_date(entry.date_added)
    );
    if entry.ransomware {
        severity_reason.push_str(" Known to have been used in ransomware campaigns.");
    }

    let mut references = vec![
        Reference {
            url: format!("{NVD_DETAIL_URL}{}", entry.cve_id),
            title: format!("NVD entry for {}", entry.cve_id),
        },
        Reference {
            url: KEV_CATALOGUE_URL.to_string(),
            title: "CISA KEV catalogue".to_string(),
        },
    ];
    for url in &entry.notes {
        if !references.iter().any(|r| &r.url == url) {
            references.push(Reference {
                url: url.clone(),
                title: "Vendor or reference notice".to_string(),
            });
        }
    }

    let required_action = entry.required_action.trim();
    AdvisoryContent {
        title,
        severity: Severity::High,
        severity_reason,
        tlp: Tlp::Clear,
        summary: entry.description.trim().to_string(),
        actively_exploited: true,
        in_kev: true,
        affected: vec![AffectedProduct {
            vendor: entry.vendor.clone(),
            product: entry.product.clone(),
            versions: vec![],
            cpe: None,
            purl: None,
        }],
        cves: vec![Cve {
            id: entry.cve_id.clone(),
            cvss_vector: None,
            cvss_score: None,
        }],
        remediation: if required_action.is_empty() {
            vec![]
        } else {
            vec![required_action.to_string()]
        },
        workarounds: vec![],
        references,
        audience: Audience::All,
        ack_required: true,
        ack_hours: Some(48),
    }
}

/// Collapses line breaks and runs of spaces, so a title is one tidy line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::kev::parse;

    const VALID: &str = include_str!("../../../tests/fixtures/alerts/kev_valid.json");

    /// The first entry of the sample catalogue.
    fn log4j() -> KevEntry {
        parse(VALID.as_bytes()).unwrap().entries[0].clone()
    }

    #[test]
    fn a_draft_is_filled_from_the_entry() {
        let entry = &log4j();
        let draft = to_draft(entry);
        assert_eq!(
            draft.title,
            "Apache Log4j2: Apache Log4j2 Remote Code Execution Vulnerability"
        );
        assert_eq!(draft.severity, Severity::High);
        assert_eq!(
            draft.severity_reason,
            "Listed in the CISA Known Exploited Vulnerabilities catalogue on 10 December 2021: \
             exploited in the wild. Known to have been used in ransomware campaigns."
        );
        assert_eq!(draft.tlp, Tlp::Clear);
        assert_eq!(draft.summary, entry.description);
        assert!(draft.actively_exploited && draft.in_kev);
        assert_eq!(
            draft.affected,
            vec![AffectedProduct {
                vendor: "Apache".into(),
                product: "Log4j2".into(),
                versions: vec![],
                cpe: None,
                purl: None,
            }]
        );
        assert_eq!(draft.cves.len(), 1);
        assert_eq!(draft.cves[0].id, "CVE-2021-44228");
        assert_eq!(draft.remediation, vec![entry.required_action.clone()]);
        assert!(draft.workarounds.is_empty());
        let urls: Vec<&str> = draft.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                KEV_CATALOGUE_URL,
                "https://logging.apache.org/log4j/2.x/security.html",
            ]
        );
        assert_eq!(draft.references[0].title, "NVD entry for CVE-2021-44228");
        assert_eq!(draft.references[2].title, "Vendor or reference notice");
        assert_eq!(draft.audience, Audience::All);
        assert!(draft.ack_required);
        assert_eq!(draft.ack_hours, Some(48));
    }

    #[test]
    fn a_draft_without_ransomware_use_does_not_mention_it() {
        let catalogue = parse(VALID.as_bytes()).unwrap();
        let entry = catalogue.entries.iter().find(|e| !e.ransomware).unwrap();
        let draft = to_draft(entry);
        assert!(!draft.severity_reason.contains("ransomware"));
        assert!(draft.severity_reason.ends_with("exploited in the wild."));
    }

    #[test]
    fn a_draft_title_is_one_line_of_at_most_200_characters() {
        let mut entry = log4j();
        entry.vendor = "Example".into();
        entry.product = "Widget Server".into();
        entry.name = format!("Line one\n  line two {}", "é".repeat(300));
        let title = to_draft(&entry).title;
        assert_eq!(title.chars().count(), 200);
        assert!(title.starts_with("Example Widget Server: Line one line two é"));
        assert!(title.ends_with('…'));
    }

    #[test]
    fn an_empty_required_action_gives_no_remediation_step() {
        let mut entry = log4j();
        entry.required_action = "  ".into();
        assert!(to_draft(&entry).remediation.is_empty());
    }
}
