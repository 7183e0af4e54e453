//! The pure rule behind limits on emails people can send on demand (reminders, chasing):
//! something may be done again once a set time has passed since it was last done. Each
//! feature sets its own interval and keeps when it last happened in the database, so every
//! instance applies the same limit.

use time::{Duration, OffsetDateTime};

/// Whether something last done at `last` may be done again at `now`, `every` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    Allowed,
    /// Not before this moment.
    NotUntil(OffsetDateTime),
}

/// Allowed if never done, or if at least `every` has passed since.
pub fn allowance(last: Option<OffsetDateTime>, now: OffsetDateTime, every: Duration) -> Allowance {
    match last {
        Some(last) if now < last + every => Allowance::NotUntil(last + every),
        _ => Allowance::Allowed,
    }
}

/// The latest moment a previous time may have happened for another to be allowed at `now`:
/// what the database compares stored times against, so its claim and [`allowance`] agree.
pub fn cutoff(now: OffsetDateTime, every: Duration) -> OffsetDateTime {
    now - every
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:00 UTC);
    const DAY: Duration = Duration::hours(24);

    #[test]
    fn never_done_is_allowed() {
        assert_eq!(allowance(None, NOW, DAY), Allowance::Allowed);
    }

    #[test]
    fn allowed_again_once_the_interval_has_passed() {
        assert_eq!(
            allowance(Some(NOW - Duration::hours(3)), NOW, DAY),
            Allowance::NotUntil(datetime!(2026-12-04 09:00 UTC))
        );
        assert_eq!(allowance(Some(NOW - DAY), NOW, DAY), Allowance::Allowed);
        assert_eq!(
            allowance(Some(NOW - DAY + Duration::seconds(1)), NOW, DAY),
            Allowance::NotUntil(NOW + Duration::seconds(1))
        );
    }

    #[test]
    fn the_cutoff_agrees_with_the_rule() {
        let cut = cutoff(NOW, DAY);
        assert_eq!(allowance(Some(cut), NOW, DAY), Allowance::Allowed);
        assert!(matches!(
            allowance(Some(cut + Duration::microseconds(1)), NOW, DAY),
            Allowance::NotUntil(_)
        ));
    }
}
