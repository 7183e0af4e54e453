//! How often reminders may be sent on demand. A security lead's "remind all" button sends
//! one email to every overdue member of staff, so without a limit it could be pressed over
//! and over to flood people's inboxes (or, for someone in several organisations, pressed by
//! each of their organisations in turn). Two limits apply, both counted in the database so
//! that every instance enforces them, with the rule in [`crate::platform::limits`]:
//!
//! - an organisation may send "remind all" once every [`ORGANISATION_EVERY`];
//! - a person is reminded at most once every [`PERSON_EVERY`], whichever organisation asks.

use time::Duration;

/// How long after an organisation's "remind all" it may send another.
pub const ORGANISATION_EVERY: Duration = Duration::hours(24);

/// How long after a person was reminded on demand they may be reminded again.
pub const PERSON_EVERY: Duration = Duration::days(7);

#[cfg(test)]
mod tests {
    use time::{OffsetDateTime, macros::datetime};

    use super::*;
    use crate::platform::limits::{Allowance, allowance};

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);

    #[test]
    fn an_organisation_waits_a_day_between_reminders() {
        assert_eq!(
            allowance(Some(NOW - Duration::hours(3)), NOW, ORGANISATION_EVERY),
            Allowance::NotUntil(datetime!(2026-12-04 09:00 UTC))
        );
        assert_eq!(
            allowance(Some(NOW - Duration::hours(24)), NOW, ORGANISATION_EVERY),
            Allowance::Allowed
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
}
