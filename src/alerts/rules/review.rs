//! The two-person rule for advisory texts: who may approve a text, and which revisions of a
//! live advisory a second analyst must approve before they are published. Loosening the
//! TLP label, reaching organisations not addressed before, changing what recipients are
//! told to do, or pointing them at a new link are the changes one analyst's mistake (or one
//! stolen account) could do the most harm with, so each of them needs a second pair of eyes.

use crate::{
    alerts::model::{AdvisoryContent, Audience, Tlp},
    platform::ids::UserId,
};

/// Why a revision needs a second analyst's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    /// The TLP label is less strict than before (e.g. RED to CLEAR makes it public).
    LoosensTlp { from: Tlp, to: Tlp },
    /// The audience may now include organisations the advisory was not addressed to.
    WidensAudience,
    /// The remediation steps or workarounds changed.
    ChangesRemediation,
    /// A reference links somewhere it did not before: recipients follow an advisory's links,
    /// so a new one is as weighty as a new instruction.
    AddsLinks,
}

impl ReviewReason {
    /// The reason, in a sentence for the analyst.
    pub fn message(self) -> String {
        match self {
            ReviewReason::LoosensTlp { from, to } => format!(
                "It loosens the TLP label from TLP:{} to TLP:{}, so more people may read it.",
                from.as_str(),
                to.as_str()
            ),
            ReviewReason::WidensAudience => {
                "It widens the audience, so organisations not told before will be sent it."
                    .to_owned()
            }
            ReviewReason::ChangesRemediation => {
                "It changes the remediation or workarounds organisations are told to follow."
                    .to_owned()
            }
            ReviewReason::AddsLinks => {
                "It adds or changes a reference's link, which organisations will follow.".to_owned()
            }
        }
    }
}

/// Why publishing `proposed` in place of the live `current` text needs a second analyst;
/// empty when one analyst may publish it directly.
pub fn revision_review_reasons(
    current: &AdvisoryContent,
    proposed: &AdvisoryContent,
) -> Vec<ReviewReason> {
    let mut out = Vec::new();
    if proposed.tlp.strictness() < current.tlp.strictness() {
        out.push(ReviewReason::LoosensTlp {
            from: current.tlp,
            to: proposed.tlp,
        });
    }
    if widens(&current.audience, &proposed.audience) {
        out.push(ReviewReason::WidensAudience);
    }
    if proposed.remediation != current.remediation || proposed.workarounds != current.workarounds {
        out.push(ReviewReason::ChangesRemediation);
    }
    let new_link = proposed
        .references
        .iter()
        .any(|r| current.references.iter().all(|c| c.url != r.url));
    if new_link {
        out.push(ReviewReason::AddsLinks);
    }
    out
}

/// Whether `proposed` may reach an organisation `current` does not.
fn widens(current: &Audience, proposed: &Audience) -> bool {
    match (current, proposed) {
        (Audience::All, _) => false,
        (_, Audience::All) => true,
        (Audience::Types(was), Audience::Types(now)) => now.iter().any(|t| !was.contains(t)),
        (Audience::Organisations(was), Audience::Organisations(now)) => {
            now.iter().any(|o| !was.contains(o))
        }
        // Between named organisations and kinds of organisation the answer depends on the
        // register, which changes; a second analyst looks rather than guessing.
        _ => true,
    }
}

/// Whether `reviewer` may approve a text that `authors` (its creator, whoever submitted it
/// and everyone who edited it) wrote: only someone who had no hand in it.
pub fn may_approve(reviewer: UserId, authors: &[UserId]) -> bool {
    !authors.contains(&reviewer)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::{
        alerts::model::{AdvisoryContent, Reference, Severity},
        organisations::domain::OrgType,
    };

    fn content(tlp: Tlp, audience: Audience) -> AdvisoryContent {
        AdvisoryContent {
            title: "Log4Shell".into(),
            severity: Severity::Critical,
            severity_reason: "Remote code execution".into(),
            tlp,
            summary: "Patch now".into(),
            actively_exploited: true,
            in_kev: true,
            affected: Vec::new(),
            cves: Vec::new(),
            remediation: vec!["Upgrade to 2.17.1".into()],
            workarounds: vec!["Remove the JndiLookup class".into()],
            references: Vec::new(),
            audience,
            ack_required: true,
            ack_hours: Some(48),
        }
    }

    #[test]
    fn loosening_the_label_needs_review_tightening_does_not() {
        for (i, from) in Tlp::ALL.into_iter().enumerate() {
            for (j, to) in Tlp::ALL.into_iter().enumerate() {
                let reasons = revision_review_reasons(
                    &content(from, Audience::All),
                    &content(to, Audience::All),
                );
                // Tlp::ALL runs from least to most strict.
                if j < i {
                    assert_eq!(reasons, vec![ReviewReason::LoosensTlp { from, to }]);
                } else {
                    assert!(reasons.is_empty(), "{from:?} to {to:?} needs no review");
                }
            }
        }
    }

    #[test]
    fn widening_the_audience_needs_review_narrowing_does_not() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let trusts = Audience::Types(vec![OrgType::NhsTrust]);
        let more = Audience::Types(vec![OrgType::NhsTrust, OrgType::IntegratedCareBoard]);
        let one = Audience::Organisations(vec![a]);
        let two = Audience::Organisations(vec![a, b]);
        for (from, to, needs) in [
            (&one, &two, true),
            (&two, &one, false),
            (&trusts, &more, true),
            (&more, &trusts, false),
            (&one, &Audience::All, true),
            (&Audience::All, &trusts, false),
            (&one, &trusts, true),
            (&trusts, &one, true),
            (&one, &one, false),
        ] {
            let reasons = revision_review_reasons(
                &content(Tlp::Red, from.clone()),
                &content(Tlp::Red, to.clone()),
            );
            assert_eq!(
                reasons.contains(&ReviewReason::WidensAudience),
                needs,
                "{from:?} to {to:?}"
            );
        }
    }

    #[test]
    fn changing_remediation_or_workarounds_needs_review_other_text_does_not() {
        let current = content(Tlp::Amber, Audience::All);
        let mut steps = current.clone();
        steps.remediation.push("Restart the service".into());
        let mut workaround = current.clone();
        workaround.workarounds.clear();
        let mut wording = current.clone();
        wording.summary = "Patch today".into();
        wording.title = "Log4Shell (updated)".into();
        for changed in [&steps, &workaround] {
            assert_eq!(
                revision_review_reasons(&current, changed),
                vec![ReviewReason::ChangesRemediation]
            );
        }
        assert!(revision_review_reasons(&current, &wording).is_empty());
    }

    #[test]
    fn a_new_link_needs_review_dropping_or_retitling_one_does_not() {
        let link = |url: &str, title: &str| Reference {
            url: url.into(),
            title: title.into(),
        };
        let mut current = content(Tlp::Amber, Audience::All);
        current.references = vec![link("https://www.ncsc.gov.uk/log4j", "NCSC")];
        let mut added = current.clone();
        added
            .references
            .push(link("https://patch.example/log4j", "Patch"));
        let mut moved = current.clone();
        moved.references[0].url = "https://ncsc-gov.example/log4j".into();
        for changed in [&added, &moved] {
            assert_eq!(
                revision_review_reasons(&current, changed),
                vec![ReviewReason::AddsLinks]
            );
        }
        let mut retitled = current.clone();
        retitled.references[0].title = "NCSC guidance".into();
        let mut dropped = current.clone();
        dropped.references.clear();
        for harmless in [&retitled, &dropped] {
            assert!(revision_review_reasons(&current, harmless).is_empty());
        }
    }

    #[test]
    fn every_reason_is_explained() {
        let mut proposed = content(Tlp::Clear, Audience::All);
        proposed.remediation.clear();
        proposed.references.push(Reference {
            url: "https://patch.example".into(),
            title: "Patch".into(),
        });
        let reasons = revision_review_reasons(
            &content(Tlp::Red, Audience::Organisations(vec![Uuid::from_u128(1)])),
            &proposed,
        );
        assert_eq!(reasons.len(), 4);
        assert!(reasons[0].message().contains("TLP:RED to TLP:CLEAR"));
    }

    #[test]
    fn nobody_who_had_a_hand_in_a_text_may_approve_it() {
        let (writer, editor, other) = (
            UserId::from(Uuid::from_u128(1)),
            UserId::from(Uuid::from_u128(2)),
            UserId::from(Uuid::from_u128(3)),
        );
        assert!(!may_approve(writer, &[writer, editor]));
        assert!(!may_approve(editor, &[writer, editor]));
        assert!(may_approve(other, &[writer, editor]));
    }
}
