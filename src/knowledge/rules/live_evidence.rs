//! An organisation's training coverage as live evidence for self-assessment: the figures
//! of its training dashboard in one sentence, and the answer they suggest to a requirement
//! that staff be trained.

use crate::platform::{
    evidence::{EvidenceTopic, Figure, LiveEvidence, Suggestion},
    ids::OrgId,
};

use super::{
    coverage::{Tally, percent},
    expiry::EXPIRING_SOON_DAYS,
};

/// How far below its target coverage may fall and still partly meet a training
/// requirement, in percentage points. At the NHS's 95% target this is 80%: most staff are
/// trained and the rest are a gap being closed, not an absent practice. Measuring from the
/// organisation's own target, rather than a fixed 80%, keeps the suggestion in step with
/// the target its dashboard shows.
pub const PARTLY_GAP: u32 = 15;

/// What the evidence is built from, as the training dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFacts {
    /// The current mandatory course's title; `None` when no course is mandatory.
    pub course: Option<String>,
    /// Active staff holding a pass of the mandatory course that has not expired.
    pub trained: u64,
    /// Active staff.
    pub total: u64,
    /// Trained, but expiring within [`EXPIRING_SOON_DAYS`].
    pub expiring_soon: u64,
    /// The organisation's coverage target in percent.
    pub target: u32,
}

/// The answer coverage suggests, and the rule that gave it.
pub fn suggest(facts: &TrainingFacts) -> (Suggestion, String) {
    if facts.course.is_none() {
        return (
            Suggestion::NoData,
            "No course is mandatory yet, so nobody can hold valid training.".to_owned(),
        );
    }
    if facts.total == 0 {
        return (
            Suggestion::NoData,
            "There are no active staff to count.".to_owned(),
        );
    }
    let tally = |trained| Tally {
        label: String::new(),
        trained,
        total: facts.total,
    };
    let coverage = percent(facts.trained, facts.total);
    let target = facts.target;
    let floor = target.saturating_sub(PARTLY_GAP);
    if tally(facts.trained).meets(target) {
        (
            Suggestion::Meets,
            format!("Coverage of {coverage}% reaches the organisation's target of {target}%."),
        )
    } else if tally(facts.trained).meets(floor) {
        (
            Suggestion::Partly,
            format!(
                "Coverage of {coverage}% is below the target of {target}% but within \
                 {PARTLY_GAP} percentage points of it (at least {floor}%)."
            ),
        )
    } else {
        (
            Suggestion::DoesNotMeet,
            format!(
                "Coverage of {coverage}% is more than {PARTLY_GAP} percentage points below \
                 the target of {target}% (under {floor}%)."
            ),
        )
    }
}

/// The organisation's training dashboard, where the figures come from.
pub fn dashboard_href(org: OrgId) -> String {
    format!("/organisations/{org}/training")
}

/// The live evidence for organisation `org`.
pub fn training_evidence(org: OrgId, facts: &TrainingFacts) -> LiveEvidence {
    let (suggests, why) = suggest(facts);
    let coverage = percent(facts.trained, facts.total);
    let summary = match (&facts.course, facts.total) {
        (None, _) => "No training course is mandatory yet, so no coverage can be shown.".into(),
        (Some(_), 0) => "No active staff are recorded, so there is no coverage to show.".into(),
        (Some(course), total) => format!(
            "{} of {total} active staff ({coverage}%) hold valid {course} training; the \
             target is {}%.",
            facts.trained, facts.target
        ),
    };
    let mut figures = vec![];
    if let Some(course) = &facts.course {
        figures.push(Figure::new("Mandatory course", course));
    }
    figures.extend([
        Figure::new("Active staff", facts.total),
        Figure::new("Holding valid training", facts.trained),
        Figure::new("Coverage", format!("{coverage}%")),
        Figure::new("Target", format!("{}%", facts.target)),
        Figure::new(
            "Not trained or expired",
            facts.total.saturating_sub(facts.trained),
        ),
        Figure::new(
            format!("Expiring within {EXPIRING_SOON_DAYS} days"),
            facts.expiring_soon,
        ),
    ]);
    LiveEvidence {
        topic: EvidenceTopic::Training,
        title: "Staff training coverage".into(),
        summary,
        figures,
        href: dashboard_href(org),
        suggests,
        why,
        threats: vec![],
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn facts(trained: u64, total: u64, target: u32) -> TrainingFacts {
        TrainingFacts {
            course: Some("Data Security Awareness".into()),
            trained,
            total,
            expiring_soon: 3,
            target,
        }
    }

    fn suggestion(trained: u64, total: u64, target: u32) -> Suggestion {
        suggest(&facts(trained, total, target)).0
    }

    #[test]
    fn meets_at_the_target_exactly_and_not_a_person_below() {
        // 95% of 20 is 19 people.
        assert_eq!(suggestion(19, 20, 95), Suggestion::Meets);
        assert_eq!(suggestion(20, 20, 95), Suggestion::Meets);
        // 18 of 20 is 90%: within 15 points.
        assert_eq!(suggestion(18, 20, 95), Suggestion::Partly);
        // 949 of 1000 is 94.9%, short of 95% though it would round to 95.
        assert_eq!(suggestion(949, 1000, 95), Suggestion::Partly);
    }

    #[test]
    fn partly_down_to_fifteen_points_below_the_target() {
        // Target 95: the floor is 80%, 360 of 450.
        assert_eq!(suggestion(360, 450, 95), Suggestion::Partly);
        assert_eq!(suggestion(359, 450, 95), Suggestion::DoesNotMeet);
        // Target 90: the floor is 75%, 3 of 4.
        assert_eq!(suggestion(3, 4, 90), Suggestion::Partly);
        assert_eq!(suggestion(2, 4, 90), Suggestion::DoesNotMeet);
        // A target under 15% leaves no floor: anyone trained or not is at least partly.
        assert_eq!(suggestion(0, 4, 10), Suggestion::Partly);
        assert_eq!(suggestion(1, 4, 10), Suggestion::Meets);
    }

    #[test]
    fn no_staff_or_no_course_suggests_nothing() {
        let (s, why) = suggest(&facts(0, 0, 95));
        assert_eq!(s, Suggestion::NoData);
        assert_eq!(why, "There are no active staff to count.");
        let none = TrainingFacts {
            course: None,
            ..facts(0, 10, 95)
        };
        assert_eq!(suggest(&none).0, Suggestion::NoData);
        let e = training_evidence(Uuid::nil().into(), &none);
        assert_eq!(
            e.summary,
            "No training course is mandatory yet, so no coverage can be shown."
        );
        assert_eq!(e.figures[0].label, "Active staff");
    }

    #[test]
    fn the_sentence_gives_the_figures_and_the_link_the_dashboard() {
        let org = OrgId::from(Uuid::from_u128(7));
        let e = training_evidence(org, &facts(412, 450, 95));
        assert_eq!(e.topic, EvidenceTopic::Training);
        // 412 / 450 = 91.6%, shown rounded down as the dashboard does.
        assert_eq!(
            e.summary,
            "412 of 450 active staff (91%) hold valid Data Security Awareness training; \
             the target is 95%."
        );
        assert_eq!(e.suggests, Suggestion::Partly);
        assert_eq!(
            e.why,
            "Coverage of 91% is below the target of 95% but within 15 percentage points of \
             it (at least 80%)."
        );
        assert_eq!(
            e.href,
            "/organisations/00000000-0000-0000-0000-000000000007/training"
        );
        let figures: Vec<_> = e
            .figures
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            figures,
            [
                ("Mandatory course", "Data Security Awareness"),
                ("Active staff", "450"),
                ("Holding valid training", "412"),
                ("Coverage", "91%"),
                ("Target", "95%"),
                ("Not trained or expired", "38"),
                ("Expiring within 30 days", "3"),
            ]
        );
        assert!(e.threats.is_empty());
    }

    #[test]
    fn the_reasons_name_the_rule() {
        assert_eq!(
            suggest(&facts(19, 20, 95)).1,
            "Coverage of 95% reaches the organisation's target of 95%."
        );
        assert_eq!(
            suggest(&facts(1, 2, 95)).1,
            "Coverage of 50% is more than 15 percentage points below the target of 95% \
             (under 80%)."
        );
    }
}
