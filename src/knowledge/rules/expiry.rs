//! When training expires, what state a learner's training is in, and which reminder is due.

use time::{Date, Duration, Month, OffsetDateTime};

/// How long before expiry training counts as "expiring soon", and the first reminder.
pub const EXPIRING_SOON_DAYS: i64 = 30;

/// The moment training passed at `passed_at` stops being valid: the same day and time
/// `months` later (the last day of the month when that day does not exist).
pub fn expires_at(passed_at: OffsetDateTime, months: u32) -> OffsetDateTime {
    let d = passed_at.date();
    let total = d.year() * 12 + (d.month() as i32 - 1) + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    let date = Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d);
    passed_at.replace_date(date)
}

/// A learner's standing on one course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NotStarted,
    InProgress,
    /// Passed and valid for more than [`EXPIRING_SOON_DAYS`].
    Valid,
    ExpiringSoon,
    Expired,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::NotStarted => "Not started",
            Standing::InProgress => "In progress",
            Standing::Valid => "Completed",
            Standing::ExpiringSoon => "Expires soon",
            Standing::Expired => "Expired",
        }
    }

    /// The NHS.UK tag colour class for the standing.
    pub fn tag_class(self) -> &'static str {
        match self {
            Standing::NotStarted => "nhsuk-tag--grey",
            Standing::InProgress => "nhsuk-tag--blue",
            Standing::Valid => "nhsuk-tag--green",
            Standing::ExpiringSoon => "nhsuk-tag--yellow",
            Standing::Expired => "nhsuk-tag--red",
        }
    }

    /// Whether the person holds valid training (expiring soon still counts).
    pub fn is_trained(self) -> bool {
        matches!(self, Standing::Valid | Standing::ExpiringSoon)
    }
}

/// A learner's standing from their latest expiry (if they ever passed) and whether they
/// have started the course since. Valid training wins over an attempt at refreshing it.
pub fn standing(
    latest_expiry: Option<OffsetDateTime>,
    started: bool,
    now: OffsetDateTime,
) -> Standing {
    match latest_expiry {
        Some(e) if e <= now => {
            if started {
                Standing::InProgress
            } else {
                Standing::Expired
            }
        }
        Some(e) if e - now <= Duration::days(EXPIRING_SOON_DAYS) => Standing::ExpiringSoon,
        Some(_) => Standing::Valid,
        None if started => Standing::InProgress,
        None => Standing::NotStarted,
    }
}

/// Reminders sent about expiring training, each at most once per pass.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[sqlx(type_name = "TEXT")]
pub enum Reminder {
    #[sqlx(rename = "30_days")]
    #[strum(serialize = "30_days")]
    ThirtyDays,
    #[sqlx(rename = "7_days")]
    #[strum(serialize = "7_days")]
    SevenDays,
    #[sqlx(rename = "expired")]
    #[strum(serialize = "expired")]
    Expired,
}

impl Reminder {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The reminder due now for training expiring at `expires`: the most urgent threshold
/// crossed. A server that was down past a threshold sends only the latest one, not a
/// burst of stale reminders. Expired reminders stop after 30 days.
pub fn due_reminder(expires: OffsetDateTime, now: OffsetDateTime) -> Option<Reminder> {
    let left = expires - now;
    if left <= Duration::ZERO {
        (left > -Duration::days(30)).then_some(Reminder::Expired)
    } else if left <= Duration::days(7) {
        Some(Reminder::SevenDays)
    } else if left <= Duration::days(30) {
        Some(Reminder::ThirtyDays)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn twelve_months_is_the_same_date_next_year() {
        assert_eq!(
            expires_at(datetime!(2026-03-15 10:30 UTC), 12),
            datetime!(2027-03-15 10:30 UTC)
        );
        assert_eq!(
            expires_at(datetime!(2026-11-30 09:00 UTC), 3),
            datetime!(2027-02-28 09:00 UTC)
        );
        assert_eq!(
            expires_at(datetime!(2027-02-28 09:00 UTC), 12),
            datetime!(2028-02-28 09:00 UTC)
        );
        assert_eq!(
            expires_at(datetime!(2024-02-29 09:00 UTC), 12),
            datetime!(2025-02-28 09:00 UTC)
        );
    }

    #[test]
    fn standings() {
        let now = datetime!(2026-06-01 12:00 UTC);
        assert_eq!(standing(None, false, now), Standing::NotStarted);
        assert_eq!(standing(None, true, now), Standing::InProgress);
        assert_eq!(
            standing(Some(now + Duration::days(31)), false, now),
            Standing::Valid
        );
        assert_eq!(
            standing(Some(now + Duration::days(30)), true, now),
            Standing::ExpiringSoon
        );
        assert_eq!(standing(Some(now), false, now), Standing::Expired);
        assert_eq!(
            standing(Some(now - Duration::days(1)), true, now),
            Standing::InProgress
        );
        assert!(Standing::ExpiringSoon.is_trained());
        assert!(!Standing::Expired.is_trained());
    }

    #[test]
    fn reminders_at_thirty_and_seven_days_and_on_expiry() {
        let e = datetime!(2026-06-30 12:00 UTC);
        assert_eq!(due_reminder(e, e - Duration::days(31)), None);
        assert_eq!(
            due_reminder(e, e - Duration::days(30)),
            Some(Reminder::ThirtyDays)
        );
        assert_eq!(
            due_reminder(e, e - Duration::days(8)),
            Some(Reminder::ThirtyDays)
        );
        assert_eq!(
            due_reminder(e, e - Duration::days(7)),
            Some(Reminder::SevenDays)
        );
        assert_eq!(due_reminder(e, e), Some(Reminder::Expired));
        assert_eq!(
            due_reminder(e, e + Duration::days(29)),
            Some(Reminder::Expired)
        );
        assert_eq!(due_reminder(e, e + Duration::days(30)), None);
        for r in [Reminder::ThirtyDays, Reminder::SevenDays, Reminder::Expired] {
            assert_eq!(r.as_str().parse::<Reminder>().ok(), Some(r));
        }
    }
}
