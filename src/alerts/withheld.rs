//! What leaves the signed-in service of a TLP:RED advisory. TLP:RED is for named people
//! reading it where we can check who they are, so feeds, webhooks, emails and the
//! API (whose tokens stand for a system, not a person) carry only a notice: the reference,
//! the severity, the deadline and a link to read it signed in. Nothing of the text itself,
//! not even its title, what a revision changed or why it was withdrawn.

use crate::alerts::model::{AdvisoryContent, Audience, PublishedAdvisory, RevisionNote, Tlp};

/// The title a withheld advisory carries.
pub const TITLE: &str = "TLP:RED advisory: sign in to CareCERT to read it";

/// Whether an advisory with this label is withheld from feeds, webhooks, emails and the API.
pub fn applies(tlp: Tlp) -> bool {
    tlp == Tlp::Red
}

/// Where a signed-in recipient reads the advisory.
pub fn link(base: &str, reference: &str) -> String {
    format!("{}/alerts/{reference}", base.trim_end_matches('/'))
}

/// The notice that stands for a withheld advisory's content.
pub fn notice(c: &AdvisoryContent, link: &str) -> AdvisoryContent {
    AdvisoryContent {
        title: TITLE.to_owned(),
        severity: c.severity,
        severity_reason: String::new(),
        tlp: c.tlp,
        summary: format!(
            "This advisory is TLP:RED: for named recipients only. Sign in to read it: {link}"
        ),
        actively_exploited: false,
        in_kev: false,
        affected: Vec::new(),
        cves: Vec::new(),
        remediation: Vec::new(),
        workarounds: Vec::new(),
        references: Vec::new(),
        audience: Audience::Organisations(Vec::new()),
        ack_required: c.ack_required,
        ack_hours: c.ack_hours,
    }
}

/// A released advisory as a feed or the API may carry it: whole, or the notice when
/// withheld.
pub fn published(adv: PublishedAdvisory, base: &str) -> PublishedAdvisory {
    if !applies(adv.content.tlp) {
        return adv;
    }
    let link = link(base, &adv.reference);
    PublishedAdvisory {
        content: notice(&adv.content, &link),
        revisions: adv
            .revisions
            .into_iter()
            .map(|r| RevisionNote {
                summary: "Revised: sign in to read what changed".to_owned(),
                ..r
            })
            .collect(),
        withdrawn_reason: adv
            .withdrawn_reason
            .map(|_| "Withdrawn: sign in to read why".to_owned()),
        ..adv
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::alerts::model::{Cve, Severity};

    fn advisory(tlp: Tlp) -> PublishedAdvisory {
        PublishedAdvisory {
            id: Uuid::nil(),
            reference: "CC-2026-0042".into(),
            content: AdvisoryContent {
                title: "Zero-day in the PAS at Northfield".into(),
                severity: Severity::Critical,
                severity_reason: "Exploited against one trust".into(),
                tlp,
                summary: "Attackers are inside the PAS".into(),
                actively_exploited: true,
                in_kev: false,
                affected: Vec::new(),
                cves: vec![Cve {
                    id: "CVE-2026-0001".into(),
                    cvss_vector: None,
                    cvss_score: None,
                }],
                remediation: vec!["Isolate the PAS".into()],
                workarounds: vec!["Block port 8443".into()],
                references: Vec::new(),
                audience: Audience::All,
                ack_required: true,
                ack_hours: Some(24),
            },
            revisions: vec![RevisionNote {
                number: 2,
                date: datetime!(2026-03-02 09:00 UTC),
                summary: "Added the PAS vendor's patch".into(),
            }],
            initial_release: datetime!(2026-03-01 09:00 UTC),
            current_release: datetime!(2026-03-02 09:00 UTC),
            withdrawn_reason: Some("The PAS vendor confirmed a false alarm".into()),
        }
    }

    #[test]
    fn red_advisories_become_a_notice_with_a_link() {
        let shown = published(advisory(Tlp::Red), "https://carecert.example/");
        let text = serde_json::to_string(&shown).unwrap();
        for secret in ["PAS", "CVE-2026-0001", "Isolate", "8443", "one trust"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(shown.content.title, TITLE);
        assert!(
            shown
                .content
                .summary
                .contains("https://carecert.example/alerts/CC-2026-0042")
        );
        assert_eq!(shown.reference, "CC-2026-0042");
        assert_eq!(shown.content.severity, Severity::Critical);
    }

    #[test]
    fn other_labels_pass_whole() {
        for tlp in [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict] {
            let adv = advisory(tlp);
            assert_eq!(published(adv.clone(), "https://x"), adv);
        }
    }
}
