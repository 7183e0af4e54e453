//! Which live evidence a requirement shows, and the answer it proposes. A requirement tagged
//! as about training, national alerts or patching shows the organisation's own figures from
//! Knowledge and Alerts; what they suggest becomes a proposed level on the framework's
//! scale, which the person confirms or changes.

use crate::{
    assure::framework::model::{ScaleLevel, Tag},
    platform::evidence::{EvidenceTopic, Suggestion},
};

use super::profile;
use crate::assure::framework::model::Framework;

/// The live evidence topics a requirement's tags ask for, in a fixed order.
pub fn topics(tags: &[Tag]) -> Vec<EvidenceTopic> {
    let mut out = Vec::new();
    for (tag, topic) in [
        (Tag::Training, EvidenceTopic::Training),
        (Tag::Alerts, EvidenceTopic::Alerts),
        (Tag::Patching, EvidenceTopic::Patching),
    ] {
        if tags.contains(&tag) {
            out.push(topic);
        }
    }
    out
}

/// The level the suggestions propose, worst wins: "does not meet" is the lowest level,
/// "meets" the lowest level that counts as met, "partly" the level just above the lowest
/// when the scale has one below the met level (on a yes/no scale, partly is not yet yes).
/// `None` when no suggestion proposes anything.
pub fn proposed_level(f: &Framework, suggestions: &[Suggestion]) -> Option<usize> {
    let scale: &[ScaleLevel] = &f.about.scale;
    let met = profile::met_level(f);
    suggestions
        .iter()
        .filter_map(|s| match s {
            Suggestion::Meets => Some(met),
            Suggestion::Partly if met >= 2 => Some(1),
            Suggestion::Partly | Suggestion::DoesNotMeet => Some(0),
            Suggestion::NoData => None,
        })
        .filter(|l| *l < scale.len())
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::framework::load;

    fn builtin(id: &str) -> Framework {
        load::builtin()
            .expect("built-in")
            .into_iter()
            .find(|f| f.about.id == id)
            .expect("framework")
    }

    #[test]
    fn tags_choose_the_topics() {
        assert_eq!(
            topics(&[Tag::Patching, Tag::People, Tag::Alerts]),
            [EvidenceTopic::Alerts, EvidenceTopic::Patching]
        );
        assert!(topics(&[Tag::Backup]).is_empty());
    }

    #[test]
    fn suggestions_become_levels_worst_first() {
        use Suggestion::*;
        // CAF: not achieved (0), partially achieved (1), achieved (2, met).
        let caf = builtin("caf-dspt");
        assert_eq!(proposed_level(&caf, &[Meets]), Some(2));
        assert_eq!(proposed_level(&caf, &[Meets, Partly]), Some(1));
        assert_eq!(proposed_level(&caf, &[Meets, DoesNotMeet, Partly]), Some(0));
        assert_eq!(proposed_level(&caf, &[NoData]), None);
        assert_eq!(proposed_level(&caf, &[NoData, Meets]), Some(2));
        // NDG: not met (0), approaching (1), met (2), exceeded (3): meets is "met", never
        // "exceeded".
        let ndg = builtin("ndg-standards");
        assert_eq!(proposed_level(&ndg, &[Meets]), Some(2));
        // Cyber Essentials: no (0), yes (1): partly is still no.
        let ce = builtin("cyber-essentials");
        assert_eq!(proposed_level(&ce, &[Partly]), Some(0));
        assert_eq!(proposed_level(&ce, &[Meets]), Some(1));
    }
}
