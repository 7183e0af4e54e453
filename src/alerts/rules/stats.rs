//! Figures for the analyst dashboard: how the organisations sent an advisory are responding,
//! how quickly they acknowledged it, and who is silent; plus the order of an organisation's
//! inbox, most urgent first.

use std::cmp::Ordering;

use serde::Serialize;
use time::OffsetDateTime;

use crate::alerts::model::{ResponseState, Severity};
use crate::alerts::rules::deadlines::{Notice, ResponseClock, notices_due};

/// What the figures need to know about one organisation's response to the advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseFacts {
    pub state: ResponseState,
    pub ack_required: bool,
    pub published_at: OffsetDateTime,
    pub ack_due_at: Option<OffsetDateTime>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub next_update_due_at: Option<OffsetDateTime>,
    /// The organisation's inventory matches a product the advisory affects.
    pub likely_affected: bool,
}

/// How many acknowledgements took a given length of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub label: &'static str,
    pub count: usize,
}

/// The response figures for one advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryFigures {
    /// Organisations the advisory was sent to.
    pub targeted: usize,
    /// Responses past the awaiting state.
    pub acknowledged: usize,
    /// Acknowledged by the deadline. With `acknowledged_late`, counts only responses that
    /// had to be acknowledged by a deadline and record when they were.
    pub acknowledged_on_time: usize,
    pub acknowledged_late: usize,
    /// Applicability decided: does not apply, remediating, remediated or risk accepted.
    pub decided: usize,
    pub not_applicable: usize,
    pub remediating: usize,
    pub remediated: usize,
    pub risk_accepted: usize,
    /// Still awaiting acknowledgement past the deadline, as the escalation scan sees it.
    pub overdue_ack: usize,
    /// A remediation update is overdue, as the escalation scan sees it.
    pub overdue_update: usize,
    /// Not acknowledged yet.
    pub silent: usize,
    pub likely_affected: usize,
    /// Likely affected and not acknowledged yet: the organisations to chase first.
    pub likely_affected_silent: usize,
    /// Median time from publication to acknowledgement in whole minutes, rounded down; for
    /// an even number of acknowledgements, the mean of the two middle times.
    pub median_ack_minutes: Option<i64>,
    /// Time to acknowledge, in the buckets of [`ACK_BUCKETS`], always all of them in order.
    pub ack_distribution: Vec<Bucket>,
}

/// The buckets of time to acknowledge: a label and the longest time in seconds it holds
/// (inclusive, so acknowledging exactly at a 48-hour deadline falls in "24 to 48 hours").
pub const ACK_BUCKETS: [(&str, Option<i64>); 6] = [
    ("Within 1 hour", Some(3_600)),
    ("1 to 4 hours", Some(4 * 3_600)),
    ("4 to 24 hours", Some(24 * 3_600)),
    ("24 to 48 hours", Some(48 * 3_600)),
    ("2 to 7 days", Some(7 * 24 * 3_600)),
    ("Over 7 days", None),
];

/// The figures for one advisory from every targeted organisation's response at `now`.
pub fn figures(facts: &[ResponseFacts], now: OffsetDateTime) -> AdvisoryFigures {
    let count = |keep: &dyn Fn(&ResponseFacts) -> bool| facts.iter().filter(|f| keep(f)).count();
    let in_state = |state: ResponseState| count(&|f| f.state == state);
    let awaiting = |f: &ResponseFacts| f.state == ResponseState::Awaiting;

    let mut on_time = 0;
    let mut late = 0;
    let mut ack_seconds = Vec::new();
    for f in facts.iter().filter(|f| !awaiting(f)) {
        let Some(at) = f.acknowledged_at else {
            continue;
        };
        // An acknowledgement stamped before publication is clock skew; treat it as instant.
        ack_seconds.push((at - f.published_at).whole_seconds().max(0));
        match (f.ack_required, f.ack_due_at) {
            (true, Some(due)) if at <= due => on_time += 1,
            (true, Some(_)) => late += 1,
            _ => {}
        }
    }
    ack_seconds.sort_unstable();

    AdvisoryFigures {
        targeted: facts.len(),
        acknowledged: count(&|f| !awaiting(f)),
        acknowledged_on_time: on_time,
        acknowledged_late: late,
        decided: count(&|f| {
            !matches!(
                f.state,
                ResponseState::Awaiting | ResponseState::Acknowledged
            )
        }),
        not_applicable: in_state(ResponseState::NotApplicable),
        remediating: in_state(ResponseState::Remediating),
        remediated: in_state(ResponseState::Remediated),
        risk_accepted: in_state(ResponseState::RiskAccepted),
        overdue_ack: count(&|f| scan_says(f, now, Notice::Overdue)),
        overdue_update: count(&|f| scan_says(f, now, Notice::UpdateOverdue)),
        silent: count(&awaiting),
        likely_affected: count(&|f| f.likely_affected),
        likely_affected_silent: count(&|f| f.likely_affected && awaiting(f)),
        median_ack_minutes: median(&ack_seconds).map(|s| s / 60),
        ack_distribution: distribution(&ack_seconds),
    }
}

/// Overdue counts come from the escalation rules themselves so the dashboard never disagrees
/// with who is being chased.
fn scan_says(f: &ResponseFacts, now: OffsetDateTime, notice: Notice) -> bool {
    let clock = ResponseClock {
        state: f.state,
        ack_required: f.ack_required,
        published_at: f.published_at,
        ack_due_at: f.ack_due_at,
        next_update_due_at: f.next_update_due_at,
        withdrawn: false,
    };
    notices_due(&clock, now).contains(&notice)
}

/// The median of sorted, non-negative values: the mean of the two middle ones, rounded down,
/// for an even count.
fn median(sorted: &[i64]) -> Option<i64> {
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => {
            let (low, high) = (*sorted.get(mid - 1)?, *sorted.get(mid)?);
            Some(low + (high - low) / 2)
        }
    }
}

fn distribution(ack_seconds: &[i64]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = ACK_BUCKETS
        .iter()
        .map(|(label, _)| Bucket { label, count: 0 })
        .collect();
    for seconds in ack_seconds {
        let index = ACK_BUCKETS
            .iter()
            .position(|(_, limit)| limit.is_none_or(|limit| *seconds <= limit));
        if let Some(bucket) = index.and_then(|i| buckets.get_mut(i)) {
            bucket.count += 1;
        }
    }
    buckets
}

/// `part` as a whole percentage of `whole`, rounding halves up; 0 when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    let (part, whole) = (part as u128, whole as u128);
    u32::try_from((part * 200 + whole) / (whole * 2)).unwrap_or(u32::MAX)
}

/// What decides where an advisory sits in an organisation's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxKey {
    pub closed: bool,
    pub severity: Severity,
    /// The next deadline: acknowledgement or the next update.
    pub due: Option<OffsetDateTime>,
    pub published_at: OffsetDateTime,
}

/// Most urgent first: open before closed; then the earliest deadline (so overdue items lead
/// and items with no deadline follow every item with one); then the more severe; then the
/// newest.
pub fn urgency(a: &InboxKey, b: &InboxKey) -> Ordering {
    a.closed
        .cmp(&b.closed)
        .then_with(|| match (a.due, b.due) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.severity.cmp(&b.severity))
        .then_with(|| b.published_at.cmp(&a.published_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const PUBLISHED: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);
    const DUE: OffsetDateTime = datetime!(2026-03-04 09:00 UTC);

    fn awaiting() -> ResponseFacts {
        ResponseFacts {
            state: ResponseState::Awaiting,
            ack_required: true,
            published_at: PUBLISHED,
            ack_due_at: Some(DUE),
            acknowledged_at: None,
            next_update_due_at: None,
            likely_affected: false,
        }
    }

    fn acked_after(state: ResponseState, after: Duration) -> ResponseFacts {
        ResponseFacts {
            state,
            acknowledged_at: Some(PUBLISHED + after),
            ..awaiting()
        }
    }

    fn counts(f: &AdvisoryFigures) -> Vec<usize> {
        f.ack_distribution.iter().map(|b| b.count).collect()
    }

    #[test]
    fn no_responses_give_empty_figures() {
        let f = figures(&[], PUBLISHED);
        assert_eq!(f.targeted, 0);
        assert_eq!(f.median_ack_minutes, None);
        let labels: Vec<&str> = f.ack_distribution.iter().map(|b| b.label).collect();
        assert_eq!(
            labels,
            vec![
                "Within 1 hour",
                "1 to 4 hours",
                "4 to 24 hours",
                "24 to 48 hours",
                "2 to 7 days",
                "Over 7 days"
            ]
        );
        assert_eq!(counts(&f), vec![0; 6]);
    }

    #[test]
    fn states_are_counted() {
        let facts = [
            awaiting(),
            ResponseFacts {
                likely_affected: true,
                ..awaiting()
            },
            acked_after(ResponseState::Acknowledged, Duration::hours(1)),
            acked_after(ResponseState::NotApplicable, Duration::hours(2)),
            acked_after(ResponseState::Remediating, Duration::hours(3)),
            ResponseFacts {
                likely_affected: true,
                ..acked_after(ResponseState::Remediated, Duration::hours(4))
            },
            acked_after(ResponseState::RiskAccepted, Duration::hours(5)),
        ];
        let f = figures(&facts, PUBLISHED + Duration::hours(6));
        assert_eq!(f.targeted, 7);
        assert_eq!(f.acknowledged, 5);
        assert_eq!(f.decided, 4);
        assert_eq!(
            (
                f.not_applicable,
                f.remediating,
                f.remediated,
                f.risk_accepted
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(f.silent, 2);
        assert_eq!(f.likely_affected, 2);
        assert_eq!(f.likely_affected_silent, 1);
        assert_eq!(f.overdue_ack, 0);
    }

    #[test]
    fn on_time_includes_the_deadline_itself() {
        let facts = [
            acked_after(ResponseState::Acknowledged, Duration::hours(48)),
            acked_after(
                ResponseState::Acknowledged,
                Duration::hours(48) + Duration::seconds(1),
            ),
            acked_after(ResponseState::Remediating, Duration::minutes(5)),
        ];
        let f = figures(&facts, DUE + Duration::days(1));
        assert_eq!((f.acknowledged_on_time, f.acknowledged_late), (2, 1));
    }

    #[test]
    fn responses_without_a_deadline_are_neither_on_time_nor_late() {
        let no_deadline = ResponseFacts {
            ack_required: false,
            ack_due_at: None,
            ..acked_after(ResponseState::Acknowledged, Duration::days(30))
        };
        let not_required = ResponseFacts {
            ack_required: false,
            ..acked_after(ResponseState::Acknowledged, Duration::days(30))
        };
        let f = figures(&[no_deadline, not_required], DUE);
        assert_eq!(f.acknowledged, 2);
        assert_eq!((f.acknowledged_on_time, f.acknowledged_late), (0, 0));
        assert_eq!(counts(&f), vec![0, 0, 0, 0, 0, 2]);
    }

    #[test]
    fn overdue_figures_agree_with_the_escalation_scan() {
        let stale_update = ResponseFacts {
            next_update_due_at: Some(DUE),
            ..acked_after(ResponseState::Remediating, Duration::hours(1))
        };
        let closed_with_old_date = ResponseFacts {
            next_update_due_at: Some(DUE),
            ..acked_after(ResponseState::Remediated, Duration::hours(1))
        };
        let facts = [awaiting(), awaiting(), stale_update, closed_with_old_date];
        let before = figures(&facts, DUE - Duration::seconds(1));
        assert_eq!((before.overdue_ack, before.overdue_update), (0, 0));
        let at_due = figures(&facts, DUE);
        assert_eq!((at_due.overdue_ack, at_due.overdue_update), (2, 0));
        let after = figures(&facts, DUE + Duration::seconds(1));
        assert_eq!((after.overdue_ack, after.overdue_update), (2, 1));
    }

    #[test]
    fn median_of_an_odd_count_is_the_middle_value() {
        let facts = [
            acked_after(ResponseState::Acknowledged, Duration::minutes(90)),
            acked_after(ResponseState::Acknowledged, Duration::minutes(10)),
            acked_after(ResponseState::Acknowledged, Duration::minutes(3000)),
        ];
        assert_eq!(figures(&facts, DUE).median_ack_minutes, Some(90));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two_rounded_down() {
        let facts = [
            acked_after(ResponseState::Acknowledged, Duration::minutes(10)),
            acked_after(ResponseState::Acknowledged, Duration::minutes(2000)),
            acked_after(ResponseState::Acknowledged, Duration::minutes(20)),
            acked_after(ResponseState::Acknowledged, Duration::minutes(25)),
        ];
        assert_eq!(figures(&facts, DUE).median_ack_minutes, Some(22));
        let two = [
            acked_after(ResponseState::Acknowledged, Duration::seconds(59)),
            acked_after(ResponseState::Acknowledged, Duration::seconds(181)),
        ];
        assert_eq!(figures(&two, DUE).median_ack_minutes, Some(2));
    }

    #[test]
    fn median_ignores_unacknowledged_and_undated_responses() {
        let undated = ResponseFacts {
            acknowledged_at: None,
            ..acked_after(ResponseState::Acknowledged, Duration::ZERO)
        };
        let stale_stamp = ResponseFacts {
            acknowledged_at: Some(PUBLISHED + Duration::hours(1)),
            ..awaiting()
        };
        let facts = [
            undated,
            stale_stamp,
            acked_after(ResponseState::Remediated, Duration::minutes(7)),
        ];
        let f = figures(&facts, DUE);
        assert_eq!(f.median_ack_minutes, Some(7));
        assert_eq!(f.acknowledged, 2);
        assert_eq!(counts(&f).iter().sum::<usize>(), 1);
    }

    #[test]
    fn acknowledgement_before_publication_counts_as_instant() {
        let skewed = acked_after(ResponseState::Acknowledged, -Duration::hours(3));
        let f = figures(&[skewed], DUE);
        assert_eq!(f.median_ack_minutes, Some(0));
        assert_eq!(counts(&f), vec![1, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn distribution_buckets_include_their_upper_bound() {
        let after = [
            Duration::hours(1),
            Duration::hours(1) + Duration::seconds(1),
            Duration::hours(4),
            Duration::hours(5),
            Duration::hours(24),
            Duration::hours(48),
            Duration::hours(49),
            Duration::days(7),
            Duration::days(7) + Duration::seconds(1),
            Duration::days(400),
        ];
        let facts: Vec<ResponseFacts> = after
            .iter()
            .map(|d| acked_after(ResponseState::Acknowledged, *d))
            .collect();
        assert_eq!(counts(&figures(&facts, DUE)), vec![1, 2, 2, 1, 2, 2]);
    }

    #[test]
    fn percent_rounds_halves_up() {
        assert_eq!(percent(1, 8), 13);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 200), 1);
        assert_eq!(percent(1, 201), 0);
        assert_eq!(percent(7, 7), 100);
    }

    #[test]
    fn percent_of_nothing_is_zero_and_extremes_do_not_overflow() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(usize::MAX, usize::MAX), 100);
        assert_eq!(percent(3, 2), 150);
        assert_eq!(percent(usize::MAX, 1), u32::MAX);
    }

    fn key(closed: bool, severity: Severity, due_hours: Option<i64>, age_hours: i64) -> InboxKey {
        InboxKey {
            closed,
            severity,
            due: due_hours.map(|h| PUBLISHED + Duration::hours(h)),
            published_at: PUBLISHED - Duration::hours(age_hours),
        }
    }

    #[test]
    fn inbox_puts_the_most_urgent_first() {
        let closed_critical_overdue = key(true, Severity::Critical, Some(-100), 0);
        let open_low_no_deadline = key(false, Severity::Low, None, 0);
        let open_high_due_soon = key(false, Severity::High, Some(2), 10);
        let open_low_overdue = key(false, Severity::Low, Some(-5), 50);
        let open_critical_due_soon = key(false, Severity::Critical, Some(2), 20);
        let open_critical_due_soon_newer = key(false, Severity::Critical, Some(2), 1);
        let open_medium_no_deadline = key(false, Severity::Medium, None, 0);
        let mut inbox = vec![
            closed_critical_overdue,
            open_low_no_deadline,
            open_high_due_soon,
            open_low_overdue,
            open_critical_due_soon,
            open_critical_due_soon_newer,
            open_medium_no_deadline,
        ];
        inbox.sort_by(urgency);
        assert_eq!(
            inbox,
            vec![
                open_low_overdue,
                open_critical_due_soon_newer,
                open_critical_due_soon,
                open_high_due_soon,
                open_medium_no_deadline,
                open_low_no_deadline,
                closed_critical_overdue,
            ]
        );
    }

    #[test]
    fn urgency_is_consistent_both_ways() {
        let a = key(false, Severity::High, Some(3), 1);
        let b = key(false, Severity::High, None, 1);
        assert_eq!(urgency(&a, &b), Ordering::Less);
        assert_eq!(urgency(&b, &a), Ordering::Greater);
        assert_eq!(urgency(&a, &a), Ordering::Equal);
    }
}
