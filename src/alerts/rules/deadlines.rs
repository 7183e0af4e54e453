//! Deadlines on an organisation's response to an advisory, and the escalation ladder a
//! background scan follows when a response falls behind: a reminder before acknowledgement is
//! due, overdue notices to the organisation and its parent once it is missed, and a notice for
//! each missed remediation update.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::alerts::model::{ResponseState, Severity};

/// Hours from publication within which acknowledgement is due, by severity. Critical and high
/// follow the NHS rule of 48 hours for high-severity alerts; the others allow a working week
/// or two because they rarely need same-day action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckPolicy {
    pub critical_hours: u32,
    pub high_hours: u32,
    pub medium_hours: u32,
    pub low_hours: u32,
}

impl Default for AckPolicy {
    fn default() -> Self {
        AckPolicy {
            critical_hours: 48,
            high_hours: 48,
            medium_hours: 7 * 24,
            low_hours: 14 * 24,
        }
    }
}

impl AckPolicy {
    /// The acknowledgement window for an advisory of this severity, unless the analyst sets one.
    pub fn default_hours(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical_hours,
            Severity::High => self.high_hours,
            Severity::Medium => self.medium_hours,
            Severity::Low => self.low_hours,
        }
    }
}

/// Whether a new advisory asks for acknowledgement unless the analyst says otherwise. Only
/// critical and high do: asking for it on everything would teach people to click through.
pub fn requires_ack_by_default(severity: Severity) -> bool {
    matches!(severity, Severity::Critical | Severity::High)
}

/// When acknowledgement is due. Saturates at the end of the representable calendar rather
/// than failing, so a hostile date cannot stop the scan.
pub fn ack_due(published: OffsetDateTime, hours: u32) -> OffsetDateTime {
    published.saturating_add(Duration::hours(i64::from(hours)))
}

/// Days between remediation updates unless the organisation chooses otherwise, as in the NHS
/// "Respond to a cyber alert" service.
pub const DEFAULT_UPDATE_DAYS: i64 = 3;

/// How long after the national team chased an organisation about an advisory from the
/// dashboard it may be chased about it again, so repeated clicks cannot flood its leads
/// and its parent's (see [`crate::platform::limits`]).
pub const CHASE_EVERY: Duration = Duration::hours(24);
/// The shortest gap an organisation may set before its next update.
pub const MIN_UPDATE_DAYS: i64 = 1;
/// The longest gap: beyond a month the national team loses sight of slow remediation.
pub const MAX_UPDATE_DAYS: i64 = 30;

/// Checks the number of days an organisation chose before its next remediation update.
pub fn check_update_days(days: i64) -> Result<i64, String> {
    if (MIN_UPDATE_DAYS..=MAX_UPDATE_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "The next update must be due between {MIN_UPDATE_DAYS} and {MAX_UPDATE_DAYS} days \
             from now; {days} days is not allowed"
        ))
    }
}

/// When the next remediation update is due after one recorded at `last_update`. A number of
/// days outside what [`check_update_days`] allows is held to the nearest allowed value, so
/// unchecked input can never push the date out of range.
pub fn next_update_due(last_update: OffsetDateTime, days: Option<i64>) -> OffsetDateTime {
    let days = days
        .unwrap_or(DEFAULT_UPDATE_DAYS)
        .clamp(MIN_UPDATE_DAYS, MAX_UPDATE_DAYS);
    last_update.saturating_add(Duration::days(days))
}

/// A message the service sends about one organisation's response to one advisory: the
/// `notice` column of a sent notice. The escalation scan sends the ladder notices; publishing
/// sends the new advisory and revision notices, and the national team's chase an escalation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Notice {
    /// The advisory has been published to the organisation.
    NewAdvisory,
    /// Acknowledgement is due soon.
    Reminder,
    /// Acknowledgement is overdue; sent to the organisation's contacts.
    Overdue,
    /// Acknowledgement is overdue; sent to the leads of the parent organisation so someone
    /// outside the silent organisation knows.
    ParentOverdue,
    /// A remediation update is overdue.
    UpdateOverdue,
    /// A new revision of an advisory the organisation was already sent.
    Revision,
    /// The national team chased the organisation from the dashboard.
    Escalation,
}

impl Notice {
    pub const ALL: [Notice; 7] = [
        Notice::NewAdvisory,
        Notice::Reminder,
        Notice::Overdue,
        Notice::ParentOverdue,
        Notice::UpdateOverdue,
        Notice::Revision,
        Notice::Escalation,
    ];

    /// The stored value (the `notice` column of a sent notice).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What the escalation scan needs to know about one organisation's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseClock {
    pub state: ResponseState,
    pub ack_required: bool,
    pub published_at: OffsetDateTime,
    pub ack_due_at: Option<OffsetDateTime>,
    pub next_update_due_at: Option<OffsetDateTime>,
    pub withdrawn: bool,
}

/// When the acknowledgement reminder becomes due: the start of the last quarter of the window
/// (12 hours before a 48-hour deadline), late enough not to nag people who act promptly and
/// early enough to act on. A deadline at or before publication leaves no time for a reminder.
pub fn reminder_at(published: OffsetDateTime, due: OffsetDateTime) -> OffsetDateTime {
    if due <= published {
        return due;
    }
    due.saturating_sub((due - published) / 4)
}

/// Every notice due for a response at `now`. The scan records each notice once per advisory,
/// organisation, notice and cycle, so returning a notice that was already sent is expected;
/// not sending it twice is storage's job.
///
/// [`Notice::NewAdvisory`] is never returned: publishing the advisory sends it, so the scan
/// cannot race publication. Acknowledgement notices need acknowledgement to be required and a
/// due time; once the deadline passes the reminder stops and the two overdue notices start.
/// Withdrawn advisories get nothing, because nobody should be chased about them.
pub fn notices_due(r: &ResponseClock, now: OffsetDateTime) -> Vec<Notice> {
    let mut due = Vec::new();
    if r.withdrawn {
        return due;
    }
    if r.ack_required
        && r.state == ResponseState::Awaiting
        && let Some(ack_due_at) = r.ack_due_at
    {
        if now >= ack_due_at {
            due.push(Notice::Overdue);
            due.push(Notice::ParentOverdue);
        } else if now >= reminder_at(r.published_at, ack_due_at) {
            due.push(Notice::Reminder);
        }
    }
    let expects_updates = matches!(
        r.state,
        ResponseState::Acknowledged | ResponseState::Remediating
    );
    if expects_updates
        && let Some(update_due) = r.next_update_due_at
        && now > update_due
    {
        due.push(Notice::UpdateOverdue);
    }
    due
}

/// The cycle under which an update-overdue notice is recorded: one per missed due date, so a
/// new update that sets a new due date can be chased again if that one is missed too. Built
/// from the instant, so the same moment written with different offsets gives the same key.
pub fn update_cycle_key(next_update_due_at: OffsetDateTime) -> Cycle {
    Cycle::UpdateDue(next_update_due_at.unix_timestamp())
}

/// Which sending of a notice a sent notice is: the `cycle` column, part of the key that makes
/// each notice happen once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cycle {
    /// `1` for a notice sent once per response, or the number of the revision a revision
    /// notice is about.
    Number(i64),
    /// An update-overdue notice for the update due at this Unix time (`update:<time>`).
    UpdateDue(i64),
    /// A chase from the dashboard at this Unix time (`manual:<time>`).
    Manual(i64),
}

impl Cycle {
    const UPDATE_PREFIX: &str = "update:";
    /// The start of the stored value of every chase from the dashboard.
    pub const MANUAL_PREFIX: &str = "manual:";
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cycle::Number(n) => write!(f, "{n}"),
            Cycle::UpdateDue(t) => write!(f, "{}{t}", Cycle::UPDATE_PREFIX),
            Cycle::Manual(t) => write!(f, "{}{t}", Cycle::MANUAL_PREFIX),
        }
    }
}

/// A stored cycle that is not one the service writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a notice cycle")]
pub struct UnknownCycle(String);

impl std::str::FromStr for Cycle {
    type Err = UnknownCycle;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownCycle(s.to_owned());
        let (make, number): (fn(i64) -> Cycle, &str) =
            if let Some(t) = s.strip_prefix(Cycle::UPDATE_PREFIX) {
                (Cycle::UpdateDue, t)
            } else if let Some(t) = s.strip_prefix(Cycle::MANUAL_PREFIX) {
                (Cycle::Manual, t)
            } else {
                (Cycle::Number, s)
            };
        let cycle = make(number.parse().map_err(|_| unknown())?);
        // Only the exact text the service writes reads back ("01" or "+1" do not).
        if cycle.to_string() == s {
            Ok(cycle)
        } else {
            Err(unknown())
        }
    }
}

// Stored as text on either database: the same type as a `String`, written and read through
// the text form above.
impl<DB: sqlx::Database> sqlx::Type<DB> for Cycle
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for Cycle
where
    String: sqlx::Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <String as sqlx::Encode<'q, DB>>::encode(self.to_string(), buf)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Cycle
where
    String: sqlx::Decode<'r, DB>,
{
    fn decode(
        value: <DB as sqlx::Database>::ValueRef<'r>,
    ) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(<String as sqlx::Decode<'r, DB>>::decode(value)?.parse()?)
    }
}

/// How long until (or since) a deadline, in plain English for the inbox, to the two largest
/// units: "Due in 2 days 3 hours", "Due in 45 minutes", "Overdue by 5 hours". The deadline
/// itself counts as overdue, matching the escalation scan.
pub fn countdown(now: OffsetDateTime, due: OffsetDateTime) -> String {
    let seconds = (due - now).whole_seconds();
    let span = span(seconds.unsigned_abs());
    if seconds > 0 {
        format!("Due in {span}")
    } else {
        format!("Overdue by {span}")
    }
}

fn span(seconds: u64) -> String {
    let days = seconds / 86_400;
    let hours = seconds % 86_400 / 3_600;
    let minutes = seconds % 3_600 / 60;
    let largest_two = if days > 0 {
        [(days, "day"), (hours, "hour")]
    } else if hours > 0 {
        [(hours, "hour"), (minutes, "minute")]
    } else {
        [(minutes, "minute"), (0, "")]
    };
    let words: Vec<String> = largest_two
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, name)| match count {
            1 => format!("1 {name}"),
            n => format!("{n} {name}s"),
        })
        .collect();
    if words.is_empty() {
        "less than a minute".to_string()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};
    use time::{Date, PrimitiveDateTime};

    const PUBLISHED: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn awaiting(hours: u32) -> ResponseClock {
        ResponseClock {
            state: ResponseState::Awaiting,
            ack_required: true,
            published_at: PUBLISHED,
            ack_due_at: Some(ack_due(PUBLISHED, hours)),
            next_update_due_at: None,
            withdrawn: false,
        }
    }

    fn remediating(next_update: OffsetDateTime) -> ResponseClock {
        ResponseClock {
            state: ResponseState::Remediating,
            next_update_due_at: Some(next_update),
            ..awaiting(48)
        }
    }

    #[test]
    fn default_policy_gives_each_severity_its_window() {
        let p = AckPolicy::default();
        assert_eq!(p.default_hours(Severity::Critical), 48);
        assert_eq!(p.default_hours(Severity::High), 48);
        assert_eq!(p.default_hours(Severity::Medium), 168);
        assert_eq!(p.default_hours(Severity::Low), 336);
    }

    #[test]
    fn custom_policy_is_read_per_severity() {
        let p = AckPolicy {
            critical_hours: 1,
            high_hours: 2,
            medium_hours: 3,
            low_hours: 4,
        };
        let hours: Vec<u32> = Severity::ALL.iter().map(|s| p.default_hours(*s)).collect();
        assert_eq!(hours, vec![1, 2, 3, 4]);
    }

    #[test]
    fn only_critical_and_high_require_acknowledgement_by_default() {
        assert!(requires_ack_by_default(Severity::Critical));
        assert!(requires_ack_by_default(Severity::High));
        assert!(!requires_ack_by_default(Severity::Medium));
        assert!(!requires_ack_by_default(Severity::Low));
    }

    #[test]
    fn ack_is_due_the_given_hours_after_publication() {
        assert_eq!(ack_due(PUBLISHED, 48), datetime!(2026-03-04 09:00 UTC));
        assert_eq!(ack_due(PUBLISHED, 0), PUBLISHED);
        assert_eq!(
            ack_due(datetime!(2026-03-02 09:00 +01:00), 1),
            datetime!(2026-03-02 09:00 UTC)
        );
    }

    #[test]
    fn ack_due_at_the_end_of_the_calendar_does_not_panic() {
        let last = PrimitiveDateTime::MAX.assume_utc();
        assert_eq!(ack_due(last, u32::MAX), last);
    }

    #[test]
    fn next_update_defaults_to_three_days() {
        assert_eq!(
            next_update_due(PUBLISHED, None),
            datetime!(2026-03-05 09:00 UTC)
        );
        assert_eq!(
            next_update_due(PUBLISHED, Some(10)),
            datetime!(2026-03-12 09:00 UTC)
        );
    }

    #[test]
    fn next_update_holds_hostile_day_counts_to_the_allowed_range() {
        assert_eq!(
            next_update_due(PUBLISHED, Some(i64::MAX)),
            PUBLISHED + Duration::days(30)
        );
        assert_eq!(
            next_update_due(PUBLISHED, Some(i64::MIN)),
            PUBLISHED + Duration::days(1)
        );
        assert_eq!(
            next_update_due(PUBLISHED, Some(0)),
            PUBLISHED + Duration::days(1)
        );
        let last = PrimitiveDateTime::MAX.assume_utc();
        assert_eq!(next_update_due(last, Some(30)), last);
    }

    #[test]
    fn update_days_must_be_between_one_and_thirty() {
        assert_eq!(check_update_days(1), Ok(1));
        assert_eq!(check_update_days(30), Ok(30));
        for bad in [0, 31, -3, i64::MIN, i64::MAX] {
            let message = check_update_days(bad).unwrap_err();
            assert!(message.contains("between 1 and 30 days"), "{message}");
            assert!(message.contains(&bad.to_string()), "{message}");
        }
    }

    #[test]
    fn notice_names_round_trip_and_match_serde() {
        for n in Notice::ALL {
            assert_eq!(n.as_str().parse::<Notice>().ok(), Some(n));
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(json, format!("\"{}\"", n.as_str()));
        }
        assert_eq!("Overdue".parse::<Notice>().ok(), None);
        assert_eq!("".parse::<Notice>().ok(), None);
        assert_eq!("overdue ".parse::<Notice>().ok(), None);
    }

    /// The `notice` column holds exactly these names; any other stored value fails to read.
    #[tokio::test]
    async fn stored_notice_names_are_exact() {
        use crate::platform::stored_text::{decode, encode};
        let names = [
            "new_advisory",
            "reminder",
            "overdue",
            "parent_overdue",
            "update_overdue",
            "revision",
            "escalation",
        ];
        for (n, name) in Notice::ALL.into_iter().zip(names) {
            assert_eq!(encode(n).await.unwrap(), name);
            assert_eq!(decode::<Notice>(name).await.unwrap(), n);
        }
        assert!(decode::<Notice>("chase").await.is_err());
        assert!(decode::<Notice>("Revision").await.is_err());
    }

    #[test]
    fn reminder_starts_in_the_last_quarter_of_the_window() {
        assert_eq!(
            reminder_at(PUBLISHED, ack_due(PUBLISHED, 48)),
            datetime!(2026-03-03 21:00 UTC)
        );
        assert_eq!(
            reminder_at(PUBLISHED, ack_due(PUBLISHED, 168)),
            ack_due(PUBLISHED, 168) - Duration::hours(42)
        );
    }

    #[test]
    fn reminder_for_a_deadline_before_publication_is_the_deadline() {
        let early = PUBLISHED - Duration::hours(5);
        assert_eq!(reminder_at(PUBLISHED, early), early);
        assert_eq!(reminder_at(PUBLISHED, PUBLISHED), PUBLISHED);
    }

    #[test]
    fn nothing_is_due_early_in_the_window() {
        let r = awaiting(48);
        assert!(notices_due(&r, PUBLISHED).is_empty());
        assert!(notices_due(&r, datetime!(2026-03-03 20:59:59 UTC)).is_empty());
    }

    #[test]
    fn reminder_is_due_from_twelve_hours_before_a_48_hour_deadline() {
        let r = awaiting(48);
        assert_eq!(
            notices_due(&r, datetime!(2026-03-03 21:00 UTC)),
            vec![Notice::Reminder]
        );
        assert_eq!(
            notices_due(&r, datetime!(2026-03-04 08:59:59 UTC)),
            vec![Notice::Reminder]
        );
    }

    #[test]
    fn overdue_goes_to_organisation_and_parent_from_the_deadline() {
        let r = awaiting(48);
        let expected = vec![Notice::Overdue, Notice::ParentOverdue];
        assert_eq!(notices_due(&r, datetime!(2026-03-04 09:00 UTC)), expected);
        assert_eq!(notices_due(&r, datetime!(2026-04-30 09:00 UTC)), expected);
    }

    #[test]
    fn acknowledged_responses_get_no_acknowledgement_notices() {
        let r = ResponseClock {
            state: ResponseState::Acknowledged,
            ..awaiting(48)
        };
        assert!(notices_due(&r, datetime!(2026-03-03 22:00 UTC)).is_empty());
        assert!(notices_due(&r, datetime!(2026-03-10 09:00 UTC)).is_empty());
    }

    #[test]
    fn no_acknowledgement_notices_when_not_required_or_without_a_deadline() {
        let late = datetime!(2026-05-01 00:00 UTC);
        let not_required = ResponseClock {
            ack_required: false,
            ..awaiting(48)
        };
        assert!(notices_due(&not_required, late).is_empty());
        let no_deadline = ResponseClock {
            ack_due_at: None,
            ..awaiting(48)
        };
        assert!(notices_due(&no_deadline, late).is_empty());
    }

    #[test]
    fn withdrawn_advisories_get_nothing() {
        let late = datetime!(2026-05-01 00:00 UTC);
        let overdue = ResponseClock {
            withdrawn: true,
            ..awaiting(48)
        };
        assert!(notices_due(&overdue, late).is_empty());
        let stale = ResponseClock {
            withdrawn: true,
            ..remediating(PUBLISHED)
        };
        assert!(notices_due(&stale, late).is_empty());
    }

    #[test]
    fn update_overdue_only_after_the_due_time_passes() {
        let due = datetime!(2026-03-08 09:00 UTC);
        let r = remediating(due);
        assert!(notices_due(&r, due).is_empty());
        assert_eq!(
            notices_due(&r, due + Duration::seconds(1)),
            vec![Notice::UpdateOverdue]
        );
        let acknowledged = ResponseClock {
            state: ResponseState::Acknowledged,
            ..r
        };
        assert_eq!(
            notices_due(&acknowledged, due + Duration::days(1)),
            vec![Notice::UpdateOverdue]
        );
    }

    #[test]
    fn closed_responses_are_never_chased() {
        let late = datetime!(2026-05-01 00:00 UTC);
        for state in ResponseState::ALL.into_iter().filter(|s| s.is_closed()) {
            let r = ResponseClock {
                state,
                ..remediating(PUBLISHED)
            };
            assert!(notices_due(&r, late).is_empty(), "{state:?}");
        }
    }

    #[test]
    fn the_scan_never_sends_the_new_advisory_notice() {
        for state in ResponseState::ALL {
            for hours in 0..=200 {
                let r = ResponseClock {
                    state,
                    next_update_due_at: Some(PUBLISHED),
                    ..awaiting(48)
                };
                let now = PUBLISHED + Duration::hours(hours);
                assert!(!notices_due(&r, now).contains(&Notice::NewAdvisory));
            }
        }
    }

    #[test]
    fn update_cycle_key_identifies_the_instant() {
        let a = datetime!(2026-03-08 09:00 UTC);
        let same = a.to_offset(offset!(+01:00));
        assert_eq!(update_cycle_key(a), update_cycle_key(same));
        assert_ne!(update_cycle_key(a), update_cycle_key(a + Duration::days(3)));
        let earliest = PrimitiveDateTime::new(Date::MIN, time::Time::MIDNIGHT).assume_utc();
        assert!(
            update_cycle_key(earliest)
                .to_string()
                .starts_with("update:-")
        );
    }

    /// Cycles are stored exactly as before they were typed, and other text fails to read.
    #[tokio::test]
    async fn stored_cycles_are_exact() {
        use crate::platform::stored_text::{decode, encode};
        let cases = [
            (Cycle::Number(1), "1"),
            (Cycle::Number(3), "3"),
            (Cycle::UpdateDue(1_772_960_400), "update:1772960400"),
            (Cycle::UpdateDue(-5), "update:-5"),
            (Cycle::Manual(1_772_960_400), "manual:1772960400"),
        ];
        for (cycle, text) in cases {
            assert_eq!(encode(cycle).await.unwrap(), text);
            assert_eq!(decode::<Cycle>(text).await.unwrap(), cycle);
        }
        for bad in [
            "",
            "01",
            "+1",
            "update:",
            "manual:soon",
            "Manual:1",
            "weekly",
        ] {
            assert!(decode::<Cycle>(bad).await.is_err(), "{bad:?}");
        }
    }

    #[test]
    fn countdown_reads_in_plain_english() {
        let now = PUBLISHED;
        let cases = [
            (
                Duration::days(2) + Duration::hours(3),
                "Due in 2 days 3 hours",
            ),
            (Duration::minutes(45), "Due in 45 minutes"),
            (-Duration::hours(5), "Overdue by 5 hours"),
            (-Duration::days(3), "Overdue by 3 days"),
            (Duration::days(1), "Due in 1 day"),
            (
                Duration::hours(1) + Duration::minutes(1),
                "Due in 1 hour 1 minute",
            ),
            (
                Duration::hours(2) + Duration::minutes(30) + Duration::seconds(59),
                "Due in 2 hours 30 minutes",
            ),
            (Duration::days(2) + Duration::minutes(59), "Due in 2 days"),
            (Duration::seconds(59), "Due in less than a minute"),
            (Duration::ZERO, "Overdue by less than a minute"),
            (-Duration::seconds(61), "Overdue by 1 minute"),
        ];
        for (offset, expected) in cases {
            assert_eq!(countdown(now, now + offset), expected, "{offset}");
        }
    }

    #[test]
    fn countdown_across_the_whole_calendar_does_not_panic() {
        let first = PrimitiveDateTime::new(Date::MIN, time::Time::MIDNIGHT).assume_utc();
        let last = PrimitiveDateTime::MAX.assume_utc();
        assert!(countdown(first, last).starts_with("Due in "));
        assert!(countdown(last, first).starts_with("Overdue by "));
    }
}
