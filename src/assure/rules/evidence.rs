//! Evidence: what a piece is (a file, a link or a statement), whether it is still good on a
//! given day, and when its owner is reminded that it is about to expire.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// How long before expiry the owner is reminded: time to get a renewed certificate, policy
/// sign-off or test report before the assessment relies on an expired one.
pub const REMINDER_DAYS: i64 = 30;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EvidenceKind {
    /// A document kept here, with every revision.
    File,
    /// A page elsewhere (an intranet policy, a supplier's certificate).
    Link,
    /// A statement written here.
    Text,
}

impl EvidenceKind {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::File => "File",
            EvidenceKind::Link => "Link",
            EvidenceKind::Text => "Statement",
        }
    }
}

/// Whether a piece of evidence can be relied on, on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not in effect yet.
    NotYetEffective,
    Current,
    /// Still current, expiring within [`REMINDER_DAYS`] (the number of days left).
    ExpiresSoon(i64),
    Expired,
}

impl Standing {
    pub fn on(effective: Date, expires: Option<Date>, today: Date) -> Standing {
        if today < effective {
            return Standing::NotYetEffective;
        }
        match expires {
            Some(e) if today > e => Standing::Expired,
            Some(e) if e - today <= Duration::days(REMINDER_DAYS) => {
                Standing::ExpiresSoon((e - today).whole_days())
            }
            _ => Standing::Current,
        }
    }

    pub fn label(self) -> String {
        match self {
            Standing::NotYetEffective => "Not yet in effect".to_owned(),
            Standing::Current => "Current".to_owned(),
            Standing::ExpiresSoon(0) => "Expires today".to_owned(),
            Standing::ExpiresSoon(1) => "Expires tomorrow".to_owned(),
            Standing::ExpiresSoon(n) => format!("Expires in {n} days"),
            Standing::Expired => "Expired".to_owned(),
        }
    }

    /// The NHS.UK tag colour that marks it.
    pub fn tag(self) -> &'static str {
        match self {
            Standing::Current => "nhsuk-tag--green",
            Standing::ExpiresSoon(_) => "nhsuk-tag--yellow",
            Standing::Expired => "nhsuk-tag--red",
            Standing::NotYetEffective => "nhsuk-tag--grey",
        }
    }
}

/// Whether the owner is due a reminder: expiring within [`REMINDER_DAYS`] (or expired) and
/// not reminded since the reminder window opened, so one reminder goes per expiry date
/// even when the scan runs on many instances many times a day.
pub fn reminder_due(expires: Option<Date>, reminded_on: Option<Date>, today: Date) -> bool {
    let Some(expires) = expires else {
        return false;
    };
    let window_opens = expires - Duration::days(REMINDER_DAYS);
    today >= window_opens && reminded_on.is_none_or(|r| r < window_opens)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The expiry date must be after the date it took effect")]
pub struct ExpiresBeforeEffective;

/// Checks the dates a person gave.
pub fn check_dates(effective: Date, expires: Option<Date>) -> Result<(), ExpiresBeforeEffective> {
    match expires {
        Some(e) if e <= effective => Err(ExpiresBeforeEffective),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn standing_follows_the_dates() {
        let eff = date!(2026 - 04 - 01);
        let exp = Some(date!(2027 - 03 - 31));
        assert_eq!(
            Standing::on(eff, exp, date!(2026 - 03 - 31)),
            Standing::NotYetEffective
        );
        assert_eq!(
            Standing::on(eff, exp, date!(2026 - 04 - 01)),
            Standing::Current
        );
        assert_eq!(
            Standing::on(eff, exp, date!(2027 - 02 - 28)),
            Standing::Current
        );
        // 31 March 2027 less 30 days is 1 March.
        assert_eq!(
            Standing::on(eff, exp, date!(2027 - 03 - 01)),
            Standing::ExpiresSoon(30)
        );
        assert_eq!(
            Standing::on(eff, exp, date!(2027 - 03 - 31)),
            Standing::ExpiresSoon(0)
        );
        assert_eq!(
            Standing::on(eff, exp, date!(2027 - 04 - 01)),
            Standing::Expired
        );
        assert_eq!(
            Standing::on(eff, None, date!(2040 - 01 - 01)),
            Standing::Current
        );
        assert_eq!(Standing::ExpiresSoon(1).label(), "Expires tomorrow");
    }

    #[test]
    fn one_reminder_per_expiry_date() {
        let exp = Some(date!(2027 - 03 - 31));
        assert!(!reminder_due(exp, None, date!(2027 - 02 - 28)));
        assert!(reminder_due(exp, None, date!(2027 - 03 - 01)));
        assert!(!reminder_due(
            exp,
            Some(date!(2027 - 03 - 01)),
            date!(2027 - 03 - 02)
        ));
        // Reminded about an earlier expiry date, then the date moved: reminded again.
        assert!(reminder_due(
            exp,
            Some(date!(2026 - 03 - 01)),
            date!(2027 - 03 - 05)
        ));
        // Already expired and never reminded: reminded.
        assert!(reminder_due(exp, None, date!(2027 - 05 - 01)));
        assert!(!reminder_due(None, None, date!(2027 - 05 - 01)));
    }

    #[test]
    fn expiry_must_follow_the_effective_date() {
        let eff = date!(2026 - 04 - 01);
        assert_eq!(check_dates(eff, Some(eff)), Err(ExpiresBeforeEffective));
        assert_eq!(
            check_dates(eff, Some(date!(2026 - 03 - 01))),
            Err(ExpiresBeforeEffective)
        );
        assert_eq!(check_dates(eff, Some(date!(2026 - 04 - 02))), Ok(()));
        assert_eq!(check_dates(eff, None), Ok(()));
    }
}
