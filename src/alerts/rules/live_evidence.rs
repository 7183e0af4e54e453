//! An organisation's responses to national advisories as live evidence for
//! self-assessment: whether it acknowledges advisories by their deadlines (alerts), and
//! whether advisories matching its software stay open past the window for fixing them
//! (patching), with the answers the figures suggest and the advisories behind them.

use time::{Duration, OffsetDateTime};

use crate::{
    alerts::{
        model::{AdvisoryContent, ResponseState, Severity},
        rules::deadlines::{Notice, ResponseClock, notices_due},
    },
    platform::{
        evidence::{EvidenceTopic, Figure, LiveEvidence, Suggestion, Threat},
        ids::OrgId,
        web::format::long_date,
    },
};

/// How far back acknowledgements are judged: the last 12 months, the period of an annual
/// self-assessment.
pub const WINDOW: Duration = Duration::days(365);

/// The share of acknowledgements made on time, in percent, that still partly meets a
/// requirement to respond to alerts: most are handled promptly, a few slipped.
pub const PARTLY_ON_TIME: usize = 80;

/// The time Cyber Essentials allows for applying critical and high-risk security fixes,
/// counted here from when the advisory reached the organisation.
pub const PATCH_WINDOW: Duration = Duration::days(14);

/// One advisory addressed to the organisation, with its response, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    pub reference: String,
    pub title: String,
    pub severity: Severity,
    /// Published and not withdrawn: only live advisories can be overdue.
    pub live: bool,
    pub known_exploited: bool,
    pub ack_required: bool,
    pub state: ResponseState,
    /// When the advisory reached the organisation.
    pub targeted_at: OffsetDateTime,
    pub ack_due_at: Option<OffsetDateTime>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub next_update_due_at: Option<OffsetDateTime>,
    /// The organisation's inventory matches a product the advisory affects.
    pub likely_affected: bool,
}

/// Whether an advisory is about a weakness attackers are known to use: the analyst said
/// so, it is in the CISA KEV catalogue, or it was drafted from a catalogue entry.
pub fn known_exploited(content: &AdvisoryContent, kev_cve: Option<&str>) -> bool {
    content.actively_exploited || content.in_kev || kev_cve.is_some()
}

/// "1 advisory", "3 advisories".
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Whole percent of `part` in `whole`, rounded down so a figure never shows a threshold
/// reached that was not; 0 when `whole` is 0.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

// ---- Alerts: acknowledging by the deadline ----

/// How the organisation acknowledged advisories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AckTally {
    /// Advisories that reached the organisation within the window.
    pub addressed: usize,
    /// Of those, acknowledgements that had to be made by a deadline which has come: made
    /// (on time or late) or missed.
    pub due: usize,
    pub on_time: usize,
    pub late: usize,
    /// Live advisories awaiting acknowledgement past the deadline now, of any age.
    pub overdue_acks: usize,
    /// Progress updates overdue now, of any age.
    pub overdue_updates: usize,
}

impl AckTally {
    pub fn overdue(&self) -> usize {
        self.overdue_acks + self.overdue_updates
    }

    pub fn on_time_percent(&self) -> usize {
        percent(self.on_time, self.due)
    }
}

/// Counts the acknowledgements of `rows` as at `at`. What is overdue follows the
/// escalation rules, so the evidence never disagrees with who is being chased.
pub fn ack_tally(rows: &[Addressed], at: OffsetDateTime) -> AckTally {
    let since = at - WINDOW;
    let mut t = AckTally::default();
    for r in rows.iter().filter(|r| r.targeted_at <= at) {
        let clock = ResponseClock {
            state: r.state,
            ack_required: r.ack_required,
            published_at: r.targeted_at,
            ack_due_at: r.ack_due_at,
            next_update_due_at: r.next_update_due_at,
            withdrawn: !r.live,
        };
        let notices = notices_due(&clock, at);
        let overdue_ack = notices.contains(&Notice::Overdue);
        t.overdue_acks += usize::from(overdue_ack);
        t.overdue_updates += usize::from(notices.contains(&Notice::UpdateOverdue));
        if r.targeted_at < since {
            continue;
        }
        t.addressed += 1;
        let Some(due) = r.ack_due_at.filter(|_| r.ack_required) else {
            continue;
        };
        match (r.state, r.acknowledged_at) {
            (ResponseState::Awaiting, _) if overdue_ack => t.due += 1,
            // Still in time, or withdrawn before anyone had to act.
            (ResponseState::Awaiting, _) => {}
            (_, Some(acked)) if acked <= due => {
                t.due += 1;
                t.on_time += 1;
            }
            (_, Some(_)) => {
                t.due += 1;
                t.late += 1;
            }
            // Past acknowledgement with no time recorded: neither on time nor late.
            (_, None) => {}
        }
    }
    t
}

/// The answer acknowledgements suggest, and the rule that gave it.
pub fn suggest_alerts(t: &AckTally) -> (Suggestion, String) {
    if t.due == 0 && t.overdue() == 0 {
        return (
            Suggestion::NoData,
            "No acknowledgement deadline has come in the last 12 months to judge by.".into(),
        );
    }
    if t.late == 0 && t.overdue() == 0 {
        return (
            Suggestion::Meets,
            "Every acknowledgement due in the last 12 months was made by its deadline, and \
             nothing is overdue now."
                .into(),
        );
    }
    let pct = t.on_time_percent();
    // With nothing due in the window, what is overdue is older: it alone cannot say
    // acknowledgements are usually late.
    if t.on_time * 100 >= PARTLY_ON_TIME * t.due {
        let mut problems = vec![];
        if t.late > 0 {
            problems.push(format!("{} late", count(t.late, "was", "were")));
        }
        if t.overdue_acks > 0 {
            problems.push(format!(
                "{} overdue",
                count(t.overdue_acks, "acknowledgement is", "acknowledgements are")
            ));
        }
        if t.overdue_updates > 0 {
            problems.push(format!(
                "{} overdue",
                count(
                    t.overdue_updates,
                    "progress update is",
                    "progress updates are"
                )
            ));
        }
        let on_time = if t.due == 0 {
            "No acknowledgement due in the last 12 months was late".to_owned()
        } else {
            format!("{pct}% of acknowledgements due were made on time (at least {PARTLY_ON_TIME}%)")
        };
        return (
            Suggestion::Partly,
            format!("{on_time}, but {}.", problems.join(" and ")),
        );
    }
    (
        Suggestion::DoesNotMeet,
        format!(
            "Only {pct}% of acknowledgements due in the last 12 months were made on time, \
             under {PARTLY_ON_TIME}%."
        ),
    )
}

/// The organisation's alerts inbox, showing its advisories.
pub fn inbox_href(org: OrgId) -> String {
    format!("/alerts?organisation={org}")
}

/// The alerts evidence for organisation `org` from the advisories addressed to it.
pub fn alerts_evidence(org: OrgId, rows: &[Addressed], at: OffsetDateTime) -> LiveEvidence {
    let t = ack_tally(rows, at);
    let (suggests, why) = suggest_alerts(&t);
    let addressed = count(t.addressed, "advisory was", "advisories were");
    let summary = if t.addressed == 0 && t.overdue() == 0 {
        "No advisories were addressed to the organisation in the last 12 months.".to_owned()
    } else if t.due == 0 {
        format!(
            "{addressed} addressed to the organisation in the last 12 months, none yet past \
             an acknowledgement deadline; {} overdue now.",
            count(t.overdue(), "response is", "responses are")
        )
    } else {
        format!(
            "{addressed} addressed to the organisation in the last 12 months: {} of {} \
             acknowledgements due were made on time ({}%), and {} overdue now.",
            t.on_time,
            t.due,
            t.on_time_percent(),
            count(t.overdue(), "response is", "responses are")
        )
    };
    LiveEvidence {
        topic: EvidenceTopic::Alerts,
        title: "Responding to national advisories".into(),
        summary,
        figures: vec![
            Figure::new("Advisories in the last 12 months", t.addressed),
            Figure::new("Acknowledgements due", t.due),
            Figure::new("Acknowledged on time", t.on_time),
            Figure::new("Acknowledged late", t.late),
            Figure::new("On time", format!("{}%", t.on_time_percent())),
            Figure::new("Acknowledgements overdue now", t.overdue_acks),
            Figure::new("Progress updates overdue now", t.overdue_updates),
        ],
        href: inbox_href(org),
        suggests,
        why,
        threats: vec![],
    }
}

// ---- Patching: advisories matching the inventory ----

/// The organisation's software inventory, if it has uploaded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inventory {
    pub items: i64,
    pub uploaded_at: OffsetDateTime,
}

/// When a fix for an advisory of `severity` that reached the organisation at `targeted_at`
/// should be applied: 14 days for critical and high severity, as Cyber Essentials asks;
/// no fixed time for the others.
pub fn patch_deadline(severity: Severity, targeted_at: OffsetDateTime) -> Option<OffsetDateTime> {
    matches!(severity, Severity::Critical | Severity::High)
        .then(|| targeted_at.saturating_add(PATCH_WINDOW))
}

/// An open advisory matching the organisation's software.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMatch {
    pub reference: String,
    pub title: String,
    pub severity: Severity,
    pub known_exploited: bool,
    /// Past [`patch_deadline`].
    pub past_window: bool,
}

/// Live advisories whose response is not closed and that match the inventory, known to be
/// exploited first, then those past their window, then the more severe, then by reference.
pub fn open_matches(rows: &[Addressed], at: OffsetDateTime) -> Vec<OpenMatch> {
    let mut open: Vec<OpenMatch> = rows
        .iter()
        .filter(|r| r.live && r.likely_affected && !r.state.is_closed() && r.targeted_at <= at)
        .map(|r| OpenMatch {
            reference: r.reference.clone(),
            title: r.title.clone(),
            severity: r.severity,
            known_exploited: r.known_exploited,
            past_window: patch_deadline(r.severity, r.targeted_at).is_some_and(|d| at > d),
        })
        .collect();
    open.sort_by(|a, b| {
        b.known_exploited
            .cmp(&a.known_exploited)
            .then_with(|| b.past_window.cmp(&a.past_window))
            .then_with(|| a.severity.cmp(&b.severity))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    open
}

/// The answer the open matches suggest, and the rule that gave it. `addressed` is how many
/// advisories reached the organisation in the window.
pub fn suggest_patching(
    inventory: Option<Inventory>,
    addressed: usize,
    open: &[OpenMatch],
) -> (Suggestion, String) {
    if inventory.is_none() {
        return (
            Suggestion::NoData,
            "Without a software inventory, advisories cannot be matched to the \
             organisation's software."
                .into(),
        );
    }
    if addressed == 0 && open.is_empty() {
        return (
            Suggestion::NoData,
            "No advisories were addressed to the organisation in the last 12 months to \
             match against its inventory."
                .into(),
        );
    }
    let late = open.iter().filter(|m| m.past_window).count();
    let exploited_late = open
        .iter()
        .filter(|m| m.past_window && m.known_exploited)
        .count();
    let rule = "the 14 days Cyber Essentials allows for critical and high-risk fixes";
    if late == 0 {
        (
            Suggestion::Meets,
            format!("No open advisory matching the inventory is past {rule}."),
        )
    } else if exploited_late > 0 {
        (
            Suggestion::DoesNotMeet,
            format!(
                "{} known to be exploited {} the inventory and {} past {rule}.",
                count(exploited_late, "open advisory", "open advisories"),
                if exploited_late == 1 {
                    "matches"
                } else {
                    "match"
                },
                if exploited_late == 1 { "is" } else { "are" },
            ),
        )
    } else {
        (
            Suggestion::Partly,
            format!(
                "{} matching the inventory {} past {rule}, none of them known to be exploited.",
                count(late, "open advisory", "open advisories"),
                if late == 1 { "is" } else { "are" },
            ),
        )
    }
}

/// The organisation's inventory page, listing the advisories that match it.
pub fn inventory_href(org: OrgId) -> String {
    format!("/organisations/{org}/inventory")
}

/// An advisory's page.
pub fn advisory_href(reference: &str) -> String {
    format!("/alerts/{reference}")
}

/// The patching evidence for organisation `org`.
pub fn patching_evidence(
    org: OrgId,
    inventory: Option<Inventory>,
    rows: &[Addressed],
    at: OffsetDateTime,
) -> LiveEvidence {
    let since = at - WINDOW;
    let addressed = rows
        .iter()
        .filter(|r| since <= r.targeted_at && r.targeted_at <= at)
        .count();
    let open = open_matches(rows, at);
    let (suggests, why) = suggest_patching(inventory, addressed, &open);
    let exploited = open.iter().filter(|m| m.known_exploited).count();
    let late = open.iter().filter(|m| m.past_window).count();
    let summary = match inventory {
        None => "No software inventory has been uploaded, so advisories cannot be matched to \
                 the organisation's software."
            .to_owned(),
        Some(_) if open.is_empty() => {
            "No open advisory matches the organisation's software inventory.".to_owned()
        }
        Some(_) => format!(
            "{} the organisation's software inventory, {exploited} of them known to be \
             exploited; {late} past the 14-day window for critical and high-risk fixes.",
            count(open.len(), "open advisory matches", "open advisories match"),
        ),
    };
    let mut figures = match inventory {
        Some(i) => vec![
            Figure::new("Inventory items", i.items),
            Figure::new("Inventory uploaded", long_date(i.uploaded_at)),
        ],
        None => vec![Figure::new("Inventory items", "None uploaded")],
    };
    figures.extend([
        Figure::new("Open advisories matching the inventory", open.len()),
        Figure::new("Known to be exploited", exploited),
        Figure::new("Past the 14-day window", late),
    ]);
    LiveEvidence {
        topic: EvidenceTopic::Patching,
        title: "Patching software named in advisories".into(),
        summary,
        figures,
        href: inventory_href(org),
        suggests,
        why,
        threats: open
            .into_iter()
            .map(|m| Threat {
                href: advisory_href(&m.reference),
                reference: m.reference,
                title: m.title,
                known_exploited: m.known_exploited,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::alerts::rules::deadlines::ack_due;

    const AT: OffsetDateTime = datetime!(2026-06-30 12:00 UTC);

    /// A high-severity advisory that reached the organisation `days` ago, to be
    /// acknowledged within 48 hours, still awaiting acknowledgement.
    fn sent(reference: &str, days: i64) -> Addressed {
        let targeted_at = AT - Duration::days(days);
        Addressed {
            reference: reference.into(),
            title: format!("Advisory {reference}"),
            severity: Severity::High,
            live: true,
            known_exploited: false,
            ack_required: true,
            state: ResponseState::Awaiting,
            targeted_at,
            ack_due_at: Some(ack_due(targeted_at, 48)),
            acknowledged_at: None,
            next_update_due_at: None,
            likely_affected: false,
        }
    }

    /// Acknowledged `hours` after it arrived (and so on time up to 48).
    fn acked(reference: &str, days: i64, hours: i64) -> Addressed {
        let r = sent(reference, days);
        Addressed {
            state: ResponseState::Acknowledged,
            acknowledged_at: Some(r.targeted_at + Duration::hours(hours)),
            next_update_due_at: Some(AT + Duration::days(1)),
            ..r
        }
    }

    fn org() -> OrgId {
        Uuid::from_u128(9).into()
    }

    #[test]
    fn on_time_late_and_overdue_are_counted() {
        let rows = [
            acked("A", 100, 48), // exactly at the deadline: on time
            acked("B", 100, 49), // an hour late
            acked("C", 30, 1),
            sent("D", 3),         // deadline passed a day ago: overdue
            sent("E", 1),         // still has a day: pending
            sent("F", 400),       // before the window, and still overdue
            acked("G", 400, 100), // before the window, late: not counted
        ];
        let t = ack_tally(&rows, AT);
        assert_eq!(
            t,
            AckTally {
                addressed: 5,
                due: 4,
                on_time: 2,
                late: 1,
                overdue_acks: 2,
                overdue_updates: 0,
            }
        );
        assert_eq!(t.on_time_percent(), 50);
        assert_eq!(suggest_alerts(&t).0, Suggestion::DoesNotMeet);
    }

    #[test]
    fn the_deadline_itself_is_overdue_as_the_escalation_scan_sees_it() {
        let at_deadline = sent("A", 2);
        assert_eq!(at_deadline.ack_due_at, Some(AT));
        let t = ack_tally(&[at_deadline], AT);
        assert_eq!((t.due, t.overdue_acks), (1, 1));
        let second_before = ack_tally(&[sent("A", 2)], AT - Duration::seconds(1));
        assert_eq!((second_before.due, second_before.overdue_acks), (0, 0));
    }

    #[test]
    fn withdrawn_and_undeadlined_advisories_are_never_overdue() {
        let withdrawn = Addressed {
            live: false,
            ..sent("W", 10)
        };
        let no_ack = Addressed {
            ack_required: false,
            ack_due_at: None,
            ..sent("N", 10)
        };
        let t = ack_tally(&[withdrawn, no_ack], AT);
        assert_eq!((t.addressed, t.due, t.overdue()), (2, 0, 0));
        let (s, why) = suggest_alerts(&t);
        assert_eq!(s, Suggestion::NoData);
        assert_eq!(
            why,
            "No acknowledgement deadline has come in the last 12 months to judge by."
        );
    }

    #[test]
    fn overdue_updates_count_and_closed_responses_are_not_chased() {
        let stale = Addressed {
            state: ResponseState::Remediating,
            next_update_due_at: Some(AT - Duration::days(1)),
            ..acked("S", 20, 2)
        };
        let closed = Addressed {
            state: ResponseState::Remediated,
            next_update_due_at: Some(AT - Duration::days(1)),
            ..acked("C", 20, 2)
        };
        let t = ack_tally(&[stale, closed], AT);
        assert_eq!((t.on_time, t.overdue_acks, t.overdue_updates), (2, 0, 1));
        let (s, why) = suggest_alerts(&t);
        assert_eq!(s, Suggestion::Partly);
        assert_eq!(
            why,
            "100% of acknowledgements due were made on time (at least 80%), but 1 progress \
             update is overdue."
        );
    }

    #[test]
    fn eighty_percent_on_time_is_partly_and_just_under_is_not() {
        let tally = |on_time, late| AckTally {
            addressed: on_time + late,
            due: on_time + late,
            on_time,
            late,
            ..AckTally::default()
        };
        assert_eq!(suggest_alerts(&tally(5, 0)).0, Suggestion::Meets);
        assert_eq!(suggest_alerts(&tally(4, 1)).0, Suggestion::Partly);
        // 79 of 100 is under 80%; 80 of 100 is not.
        assert_eq!(suggest_alerts(&tally(79, 21)).0, Suggestion::DoesNotMeet);
        assert_eq!(suggest_alerts(&tally(80, 20)).0, Suggestion::Partly);
        // 7 of 9 is 77.8%.
        assert_eq!(suggest_alerts(&tally(7, 2)).0, Suggestion::DoesNotMeet);
        assert_eq!(
            suggest_alerts(&tally(4, 1)).1,
            "80% of acknowledgements due were made on time (at least 80%), but 1 was late."
        );
        assert_eq!(
            suggest_alerts(&tally(1, 2)).1,
            "Only 33% of acknowledgements due in the last 12 months were made on time, under \
             80%."
        );
    }

    #[test]
    fn only_an_old_overdue_advisory_is_partly() {
        let t = ack_tally(&[sent("F", 400)], AT);
        assert_eq!((t.addressed, t.due, t.overdue_acks), (0, 0, 1));
        let (s, why) = suggest_alerts(&t);
        assert_eq!(s, Suggestion::Partly);
        assert_eq!(
            why,
            "No acknowledgement due in the last 12 months was late, but 1 acknowledgement is \
             overdue."
        );
    }

    #[test]
    fn alerts_evidence_says_it_in_a_sentence() {
        let rows = [acked("A", 100, 2), acked("B", 50, 60), sent("C", 5)];
        let e = alerts_evidence(org(), &rows, AT);
        assert_eq!(e.topic, EvidenceTopic::Alerts);
        assert_eq!(
            e.summary,
            "3 advisories were addressed to the organisation in the last 12 months: 1 of 3 \
             acknowledgements due were made on time (33%), and 1 response is overdue now."
        );
        assert_eq!(e.suggests, Suggestion::DoesNotMeet);
        assert_eq!(
            e.href,
            "/alerts?organisation=00000000-0000-0000-0000-000000000009"
        );
        assert!(e.threats.is_empty());
        let none = alerts_evidence(org(), &[], AT);
        assert_eq!(
            none.summary,
            "No advisories were addressed to the organisation in the last 12 months."
        );
        assert_eq!(none.suggests, Suggestion::NoData);
    }

    fn matching(reference: &str, days: i64, severity: Severity, exploited: bool) -> Addressed {
        Addressed {
            severity,
            known_exploited: exploited,
            likely_affected: true,
            ..acked(reference, days, 1)
        }
    }

    fn inventory() -> Option<Inventory> {
        Some(Inventory {
            items: 120,
            uploaded_at: datetime!(2026-03-05 10:00 UTC),
        })
    }

    #[test]
    fn critical_and_high_fixes_have_fourteen_days() {
        let t = datetime!(2026-06-01 09:00 UTC);
        assert_eq!(
            patch_deadline(Severity::Critical, t),
            Some(datetime!(2026-06-15 09:00 UTC))
        );
        assert_eq!(
            patch_deadline(Severity::High, t),
            Some(datetime!(2026-06-15 09:00 UTC))
        );
        assert_eq!(patch_deadline(Severity::Medium, t), None);
        assert_eq!(patch_deadline(Severity::Low, t), None);
        // Exactly 14 days is still within the window.
        let on_the_day = matching("A", 14, Severity::High, false);
        assert!(!open_matches(std::slice::from_ref(&on_the_day), AT)[0].past_window);
        assert!(open_matches(&[on_the_day], AT + Duration::seconds(1))[0].past_window);
    }

    #[test]
    fn only_live_open_matching_advisories_are_open_matches_most_urgent_first() {
        let rows = [
            matching("A-MED-OLD", 100, Severity::Medium, false),
            matching("B-HIGH-OLD", 30, Severity::High, false),
            matching("C-CRIT-NEW", 2, Severity::Critical, false),
            matching("D-EXPLOITED-NEW", 2, Severity::High, true),
            Addressed {
                state: ResponseState::Remediated,
                ..matching("E-CLOSED", 30, Severity::Critical, true)
            },
            Addressed {
                live: false,
                ..matching("F-WITHDRAWN", 30, Severity::Critical, true)
            },
            Addressed {
                likely_affected: false,
                ..matching("G-NOT-MATCHING", 30, Severity::Critical, true)
            },
        ];
        let open = open_matches(&rows, AT);
        let order: Vec<_> = open
            .iter()
            .map(|m| (m.reference.as_str(), m.past_window))
            .collect();
        assert_eq!(
            order,
            [
                ("D-EXPLOITED-NEW", false),
                ("B-HIGH-OLD", true),
                ("C-CRIT-NEW", false),
                ("A-MED-OLD", false),
            ]
        );
    }

    #[test]
    fn patching_suggestions() {
        let late = matching("L", 30, Severity::High, false);
        let late_exploited = matching("X", 30, Severity::Critical, true);
        let new_exploited = matching("N", 3, Severity::Critical, true);
        let suggest =
            |rows: &[Addressed]| suggest_patching(inventory(), rows.len(), &open_matches(rows, AT));
        assert_eq!(
            suggest(std::slice::from_ref(&new_exploited)).0,
            Suggestion::Meets
        );
        assert_eq!(suggest(std::slice::from_ref(&late)).0, Suggestion::Partly);
        assert_eq!(
            suggest(&[late.clone(), late_exploited.clone()]).0,
            Suggestion::DoesNotMeet
        );
        assert_eq!(
            suggest(&[late_exploited]).1,
            "1 open advisory known to be exploited matches the inventory and is past the 14 \
             days Cyber Essentials allows for critical and high-risk fixes."
        );
        assert_eq!(
            suggest(&[late.clone(), matching("M", 40, Severity::High, false)]).1,
            "2 open advisories matching the inventory are past the 14 days Cyber Essentials \
             allows for critical and high-risk fixes, none of them known to be exploited."
        );
        // Advisories arrived but none match: nothing is open.
        let unmatched = Addressed {
            likely_affected: false,
            ..late
        };
        assert_eq!(suggest(&[unmatched]).0, Suggestion::Meets);
    }

    #[test]
    fn no_inventory_or_no_advisories_suggests_nothing() {
        let row = matching("L", 30, Severity::High, false);
        let (s, _) = suggest_patching(None, 1, &open_matches(&[row], AT));
        assert_eq!(s, Suggestion::NoData);
        assert_eq!(suggest_patching(inventory(), 0, &[]).0, Suggestion::NoData);
        let e = patching_evidence(org(), None, &[], AT);
        assert_eq!(
            e.summary,
            "No software inventory has been uploaded, so advisories cannot be matched to the \
             organisation's software."
        );
        assert_eq!(
            e.figures[0],
            Figure::new("Inventory items", "None uploaded")
        );
    }

    #[test]
    fn patching_evidence_lists_the_threats() {
        let rows = [
            matching("CC-2026-0002", 30, Severity::High, false),
            matching("CC-2026-0001", 3, Severity::Critical, true),
            acked("CC-2026-0003", 3, 1),
        ];
        let e = patching_evidence(org(), inventory(), &rows, AT);
        assert_eq!(e.topic, EvidenceTopic::Patching);
        assert_eq!(
            e.summary,
            "2 open advisories match the organisation's software inventory, 1 of them known \
             to be exploited; 1 past the 14-day window for critical and high-risk fixes."
        );
        assert_eq!(e.suggests, Suggestion::Partly);
        assert_eq!(
            e.href,
            "/organisations/00000000-0000-0000-0000-000000000009/inventory"
        );
        assert_eq!(
            e.threats,
            [
                Threat {
                    reference: "CC-2026-0001".into(),
                    title: "Advisory CC-2026-0001".into(),
                    known_exploited: true,
                    href: "/alerts/CC-2026-0001".into(),
                },
                Threat {
                    reference: "CC-2026-0002".into(),
                    title: "Advisory CC-2026-0002".into(),
                    known_exploited: false,
                    href: "/alerts/CC-2026-0002".into(),
                },
            ]
        );
        let figures: Vec<_> = e
            .figures
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            figures,
            [
                ("Inventory items", "120"),
                ("Inventory uploaded", "5 March 2026"),
                ("Open advisories matching the inventory", "2"),
                ("Known to be exploited", "1"),
                ("Past the 14-day window", "1"),
            ]
        );
    }

    #[test]
    fn known_exploitation_comes_from_the_analyst_or_the_kev_catalogue() {
        let content = |actively_exploited, in_kev| AdvisoryContent {
            title: "t".into(),
            severity: Severity::High,
            severity_reason: "r".into(),
            tlp: crate::alerts::model::Tlp::Clear,
            summary: "s".into(),
            actively_exploited,
            in_kev,
            affected: vec![],
            cves: vec![],
            remediation: vec![],
            workarounds: vec![],
            references: vec![],
            audience: crate::alerts::model::Audience::All,
            ack_required: true,
            ack_hours: None,
        };
        assert!(!known_exploited(&content(false, false), None));
        assert!(known_exploited(&content(true, false), None));
        assert!(known_exploited(&content(false, true), None));
        assert!(known_exploited(
            &content(false, false),
            Some("CVE-2021-44228")
        ));
    }
}
