//! The assessment year. Health and care organisations assess themselves once a year, from
//! 1 July to 30 June, and publish by 30 June (the Data Security and Protection Toolkit's
//! deadline); the year is written "2026-27".

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// An assessment year, named by the calendar years it spans ("2026-27").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cycle {
    /// The calendar year it starts in (on 1 July).
    start: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an assessment year. Write it as the two years it spans, like 2026-27.")]
pub struct NotACycle(pub String);

impl Cycle {
    /// The year that starts on 1 July of `start`.
    pub fn starting(start: i32) -> Cycle {
        Cycle { start }
    }

    /// The assessment year `day` falls in.
    pub fn containing(day: Date) -> Cycle {
        if day.month() >= Month::July {
            Cycle { start: day.year() }
        } else {
            Cycle {
                start: day.year() - 1,
            }
        }
    }

    /// When the assessment must be published: 30 June at the end of the year.
    pub fn due(self) -> Date {
        Date::from_calendar_date(self.start + 1, Month::June, 30).unwrap_or(Date::MAX)
    }

    pub fn previous(self) -> Cycle {
        Cycle {
            start: self.start - 1,
        }
    }

    pub fn next(self) -> Cycle {
        Cycle {
            start: self.start + 1,
        }
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

impl FromStr for Cycle {
    type Err = NotACycle;

    fn from_str(s: &str) -> Result<Cycle, NotACycle> {
        let wrong = || NotACycle(s.to_owned());
        let (first, second) = s.trim().split_once('-').ok_or_else(wrong)?;
        if first.len() != 4 || second.len() != 2 {
            return Err(wrong());
        }
        let start: i32 = first.parse().map_err(|_| wrong())?;
        let end: i32 = second.parse().map_err(|_| wrong())?;
        if !(2000..=2999).contains(&start) || (start + 1).rem_euclid(100) != end {
            return Err(wrong());
        }
        Ok(Cycle { start })
    }
}

impl TryFrom<String> for Cycle {
    type Error = NotACycle;
    fn try_from(s: String) -> Result<Cycle, NotACycle> {
        s.parse()
    }
}

impl From<Cycle> for String {
    fn from(c: Cycle) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_year_runs_from_1_july_to_30_june() {
        assert_eq!(
            Cycle::containing(date!(2026 - 06 - 30)).to_string(),
            "2025-26"
        );
        assert_eq!(
            Cycle::containing(date!(2026 - 07 - 01)).to_string(),
            "2026-27"
        );
        assert_eq!(
            Cycle::containing(date!(2026 - 12 - 03)).due(),
            date!(2027 - 06 - 30)
        );
        assert_eq!(Cycle::starting(1999).to_string(), "1999-00");
        assert_eq!(Cycle::starting(2026).previous().to_string(), "2025-26");
    }

    #[test]
    fn only_consecutive_years_written_the_usual_way_are_read() {
        assert_eq!("2026-27".parse(), Ok(Cycle::starting(2026)));
        assert_eq!("2099-00".parse(), Ok(Cycle::starting(2099)));
        for wrong in [
            "2026-28",
            "26-27",
            "2026/27",
            "2026-2027",
            "",
            "abcd-ef",
            "2026-27-28",
        ] {
            assert_eq!(
                wrong.parse::<Cycle>(),
                Err(NotACycle(wrong.to_owned())),
                "{wrong}"
            );
        }
    }
}
