//! Live evidence: what a service knows about an organisation that bears on a requirement
//! of a security framework, as figures, a plain sentence, a link to the detail and a
//! suggested answer for a person to confirm. A service provides it through
//! [`crate::platform::service::Service::evidence`]; whoever shows a requirement about staff
//! training, national alerts or patching asks [`crate::platform::service::Services`] for
//! everything the services provide, without naming any of them.
//!
//! The suggestion is only ever a proposal: the figures come from what people recorded in
//! CareCERT, so the person answering decides, and `why` says which rule made the proposal.

use serde::Serialize;

/// What a piece of live evidence is about, matching the tags frameworks put on their
/// requirements.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EvidenceTopic {
    /// Staff holding valid mandatory training.
    Training,
    /// Acknowledging national threat advisories by their deadlines.
    Alerts,
    /// Fixing the software advisories say is affected.
    Patching,
}

impl EvidenceTopic {
    pub const ALL: [EvidenceTopic; 3] = [
        EvidenceTopic::Training,
        EvidenceTopic::Alerts,
        EvidenceTopic::Patching,
    ];

    /// The stored and URL form ("training").
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceTopic::Training => "Staff training",
            EvidenceTopic::Alerts => "Responding to national alerts",
            EvidenceTopic::Patching => "Patching affected software",
        }
    }
}

/// The answer the evidence points to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::EnumString, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Suggestion {
    Meets,
    Partly,
    DoesNotMeet,
    /// There is nothing to judge by (no staff, no advisories, no inventory): the evidence
    /// says so and proposes no answer.
    NoData,
}

impl Suggestion {
    /// The stored and URL form ("does_not_meet").
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Suggestion::Meets => "Meets the requirement",
            Suggestion::Partly => "Partly meets the requirement",
            Suggestion::DoesNotMeet => "Does not meet the requirement",
            Suggestion::NoData => "Not enough information to suggest an answer",
        }
    }

    /// Whether there is an answer to propose at all.
    pub fn proposes_answer(self) -> bool {
        self != Suggestion::NoData
    }
}

/// One figure of the evidence, as shown ("Coverage", "91%").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
}

impl Figure {
    pub fn new(label: impl Into<String>, value: impl ToString) -> Self {
        Figure {
            label: label.into(),
            value: value.to_string(),
        }
    }
}

/// A threat the organisation is exposed to now: an open advisory that matches its
/// software. Known exploitation makes the gap it reveals more urgent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threat {
    /// The advisory's reference ("CC-2026-0042").
    pub reference: String,
    pub title: String,
    /// Known to be exploited in the wild, or listed in the CISA Known Exploited
    /// Vulnerabilities catalogue.
    pub known_exploited: bool,
    /// The advisory's page.
    pub href: String,
}

/// What one service knows about one organisation on one topic, as of a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveEvidence {
    pub topic: EvidenceTopic,
    pub title: String,
    /// One plain-English sentence with the figures.
    pub summary: String,
    pub figures: Vec<Figure>,
    /// The page with the detail (or evidence pack), scoped to the organisation.
    pub href: String,
    pub suggests: Suggestion,
    /// The rule that gave the suggestion, in a sentence.
    pub why: String,
    /// Open advisories matching the organisation's software; empty on other topics.
    pub threats: Vec<Threat>,
}

impl LiveEvidence {
    /// Whether any threat behind this evidence is known to be exploited.
    pub fn has_known_exploited(&self) -> bool {
        self.threats.iter().any(|t| t.known_exploited)
    }
}

/// The evidence about `topic` among `all`.
pub fn about(all: &[LiveEvidence], topic: EvidenceTopic) -> impl Iterator<Item = &LiveEvidence> {
    all.iter().filter(move |e| e.topic == topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(topic: EvidenceTopic, threats: Vec<Threat>) -> LiveEvidence {
        LiveEvidence {
            topic,
            title: "t".into(),
            summary: "s".into(),
            figures: vec![Figure::new("Coverage", "91%"), Figure::new("Staff", 450)],
            href: "/x".into(),
            suggests: Suggestion::Partly,
            why: "w".into(),
            threats,
        }
    }

    fn threat(known_exploited: bool) -> Threat {
        Threat {
            reference: "CC-2026-0001".into(),
            title: "Log4Shell".into(),
            known_exploited,
            href: "/alerts/CC-2026-0001".into(),
        }
    }

    #[test]
    fn names_are_stable_and_unknown_ones_fail() {
        let topics: Vec<_> = EvidenceTopic::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(topics, ["training", "alerts", "patching"]);
        assert_eq!("patching".parse(), Ok(EvidenceTopic::Patching));
        assert!("Patching".parse::<EvidenceTopic>().is_err());
        assert_eq!(Suggestion::DoesNotMeet.as_str(), "does_not_meet");
        assert_eq!("no_data".parse(), Ok(Suggestion::NoData));
        assert!("meet".parse::<Suggestion>().is_err());
        assert_eq!(
            serde_json::to_value(Suggestion::DoesNotMeet).unwrap(),
            "does_not_meet"
        );
    }

    #[test]
    fn only_no_data_proposes_nothing() {
        assert!(Suggestion::Meets.proposes_answer());
        assert!(Suggestion::DoesNotMeet.proposes_answer());
        assert!(!Suggestion::NoData.proposes_answer());
    }

    #[test]
    fn figures_take_any_displayable_value() {
        let e = evidence(EvidenceTopic::Training, vec![]);
        assert_eq!(e.figures[1], Figure::new("Staff", "450"));
    }

    #[test]
    fn evidence_is_found_by_topic_and_known_exploitation_is_seen() {
        let all = [
            evidence(EvidenceTopic::Training, vec![]),
            evidence(EvidenceTopic::Patching, vec![threat(false)]),
            evidence(EvidenceTopic::Patching, vec![threat(false), threat(true)]),
        ];
        assert_eq!(about(&all, EvidenceTopic::Patching).count(), 2);
        assert_eq!(about(&all, EvidenceTopic::Alerts).count(), 0);
        let exploited: Vec<_> = all.iter().map(|e| e.has_known_exploited()).collect();
        assert_eq!(exploited, [false, false, true]);
    }
}
