//! How often reminders may be sent on demand. A security lead's "remind all" button sends
//! one email to every overdue member of staff, so without a limit it could be pressed over
//! and over to flood people's inboxes (or, for someone in several organisations, pressed by
//! each of their organisations in turn). Two limits apply, both counted in the database so
//! that every instance enforces them:
//!
//! - an organisation may send "remind all" once every [`ORGANISATION_EVERY`];
//! - a person is reminded at most once every [`PERSON_EVERY`], whichever organisation asks.

use time::{Duration, OffsetDateTime};

/// How long after an organisation's "remind all" it may send another.
pub const ORGANISATION_EVERY: Duration = Duration::hours(24);

/// How long after a person was reminded on demand they may be reminded again.
pub const PERSON_EVERY: Duration = Duration::days(7);

/// Whether something last done at `last` may be done again at `now`, `every` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    Allowed,
    /// Not before this moment.
    NotUntil(OffsetDateTime),
}

/// The pure rule: allowed if never done, or if at least `every` has passed since.
pub fn allowance(last: Option<OffsetDateTime>, now: OffsetDateTime, every: Duration) -> Allowance {
    match last {
        Some(last) if now < last + every => Allowance::NotUntil(last + every),
        _ => Allowance::Allowed,
    }
}

/// The latest moment a previous send may have happened for another to be allowed at `now`:
/// what the database compares stored times against, so the claim and [`allowance`] agree.
pub fn cutoff(now: OffsetDateTime, every: Duration) -> OffsetDateTime {
    now - every
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    #[test]
    fn never_sent_is_allowed() {
        assert_eq!(allowance(None, NOW, ORGANISATION_EVERY), Allowance::Allowed);
    }

    #[test]
    fn an_organisation_waits_a_day_between_reminders() {
        let sent = NOW - Duration::hours(3);
        assert_eq!(
            allowance(Some(sent), NOW, ORGANISATION_EVERY),
            Allowance::NotUntil(datetime!(2026-12-04 09:00 UTC))
        );
        assert_eq!(
            allowance(Some(NOW - Duration::hours(24)), NOW, ORGANISATION_EVERY),
            Allowance::Allowed
        );
        assert_eq!(
            allowance(
                Some(NOW - Duration::hours(24) + Duration::seconds(1)),
                NOW,
                ORGANISATION_EVERY
            ),
            Allowance::NotUntil(NOW + Duration::seconds(1))
        );
    }

    #[test]
    fn a_person_waits_a_week_between_reminders() {
        assert_eq!(
            allowance(Some(NOW - Duration::days(6)), NOW, PERSON_EVERY),
            Allowance::NotUntil(NOW + Duration::days(1))
        );
        assert_eq!(
            allowance(Some(NOW - Duration::days(7)), NOW, PERSON_EVERY),
            Allowance::Allowed
        );
    }

    #[test]
    fn the_cutoff_agrees_with_the_rule() {
        let cut = cutoff(NOW, PERSON_EVERY);
        assert_eq!(allowance(Some(cut), NOW, PERSON_EVERY), Allowance::Allowed);
        assert!(matches!(
            allowance(Some(cut + Duration::microseconds(1)), NOW, PERSON_EVERY),
            Allowance::NotUntil(_)
        ));
    }
}
