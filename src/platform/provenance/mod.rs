//! Where content's facts come from, and when someone last confirmed them.
//!
//! Every piece of shipped content (courses, the public quiz, demonstration advisories, and
//! the frameworks and playbooks to come) cites its sources in one `[[sources]]` format
//! (`docs/CONTENT.md`). Each source carries the date someone last checked the facts we use
//! against it, and optionally a date by which it must be re-read. The rules that turn those
//! dates into problems and warnings are plain functions here, so every service applies the
//! same ones; the national content page (`page.rs`) lists the sources by age.

pub mod date;
pub mod page;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A cited source as authors write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub publisher: String,
    pub title: String,
    pub url: String,
    /// When someone last confirmed the facts we rely on against this source. Required in
    /// files; `None` only in course versions stored before the date was recorded (and in
    /// a file, where the check reports it).
    #[serde(
        default,
        with = "date::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub checked: Option<Date>,
    /// When the source must be read again, earlier than the usual twelve months: a
    /// standard with a new version due, guidance under consultation.
    #[serde(
        default,
        with = "date::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub review_by: Option<Date>,
}

impl Source {
    /// When it was last checked, as pages show it: "November 2026".
    pub fn checked_month(&self) -> Option<String> {
        self.checked.map(crate::platform::web::format::month_year)
    }
}

/// How long a check stays current before the source should be read again.
pub const STALE_AFTER_MONTHS: u8 = 12;

/// Whether a source's facts can be relied on today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Checked within the last twelve months, and not past any review date.
    Current,
    /// Nobody has recorded checking it.
    Unchecked,
    /// Checked more than twelve months ago.
    Stale { checked: Date },
    /// Its `review_by` date has passed.
    ReviewDue { review_by: Date },
}

impl Freshness {
    /// The tag a page shows beside the source, if any.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Freshness::Current => None,
            Freshness::Unchecked => Some("Not checked"),
            Freshness::Stale { .. } => Some("Over 12 months"),
            Freshness::ReviewDue { .. } => Some("Review due"),
        }
    }
}

/// The same day `months` months later, or the month's last day when it has no such day
/// (29 February plus twelve months is 28 February).
pub fn add_months(day: Date, months: u8) -> Date {
    let index = i32::from(u8::from(day.month())) - 1 + i32::from(months);
    let year = day.year() + index / 12;
    let month = Month::try_from((index % 12 + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.day().min(last)).unwrap_or(day)
}

/// How fresh `source` is on `today`. A passed `review_by` wins over an old `checked`, as
/// it is the more specific instruction.
pub fn freshness(source: &Source, today: Date) -> Freshness {
    let Some(checked) = source.checked else {
        return Freshness::Unchecked;
    };
    if let Some(review_by) = source.review_by
        && today > review_by
    {
        return Freshness::ReviewDue { review_by };
    }
    if today > add_months(checked, STALE_AFTER_MONTHS) {
        return Freshness::Stale { checked };
    }
    Freshness::Current
}

/// Whether an id is lower-case letters, digits and single hyphens.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// What is wrong with a file's sources, whatever the date: each a sentence for the author.
/// Returns the problems and the ids declared, for checking the references to them.
pub fn problems(sources: &[Source]) -> (Vec<String>, HashSet<String>) {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for s in sources {
        if !valid_id(&s.id) {
            out.push(format!(
                "source id {:?} must be lower-case letters, digits and hyphens",
                s.id
            ));
        }
        if !seen.insert(s.id.clone()) {
            out.push(format!("source id {:?} is used twice", s.id));
        }
        if !s.url.starts_with("https://") {
            out.push(format!(
                "source {:?} needs an https:// address, not {:?}",
                s.id, s.url
            ));
        }
        if s.title.trim().is_empty() || s.publisher.trim().is_empty() {
            out.push(format!("source {:?} needs a title and a publisher", s.id));
        }
        match (s.checked, s.review_by) {
            (None, _) => out.push(format!(
                "source {:?} has no checked date: add `checked = YYYY-MM-DD`, the day someone \
                 last confirmed the facts against it",
                s.id
            )),
            (Some(checked), Some(review_by)) if review_by <= checked => out.push(format!(
                "source {:?}: review_by ({review_by}) must be after checked ({checked})",
                s.id
            )),
            _ => {}
        }
    }
    (out, seen)
}

/// What needs re-reading on `today`: each a sentence naming the source and its date. A
/// checked date in the future is a slip of the keyboard, reported here rather than as a
/// problem so loading content never depends on the clock.
pub fn warnings(sources: &[Source], today: Date) -> Vec<String> {
    sources
        .iter()
        .filter_map(|s| {
            if let Some(checked) = s.checked
                && checked > today
            {
                return Some(format!(
                    "source {:?} says it was checked on {checked}, which is in the future",
                    s.id
                ));
            }
            match freshness(s, today) {
                Freshness::Current | Freshness::Unchecked => None,
                Freshness::Stale { checked } => Some(format!(
                    "source {:?} ({}) was last checked on {checked}, more than {STALE_AFTER_MONTHS} \
                     months ago: re-read it and update `checked`",
                    s.id, s.url
                )),
                Freshness::ReviewDue { review_by } => Some(format!(
                    "source {:?} ({}) was due for review by {review_by}: re-read it and update \
                     `checked` and `review_by`",
                    s.id, s.url
                )),
            }
        })
        .collect()
}

/// One thing found in a content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// What a service's content check found in a content folder.
#[derive(Debug, Default)]
pub struct ContentReport {
    /// One line per item that passed ("data-security-awareness 2026.2 (9 lessons, …)").
    pub passed: Vec<String>,
    /// Mistakes that stop the content being used.
    pub problems: Vec<Finding>,
    /// Every source declared, with the file that declares it, for the date checks.
    pub sources: Vec<(String, Source)>,
}

impl ContentReport {
    /// The warnings about sources that need re-reading on `today`.
    pub fn warnings(&self, today: Date) -> Vec<Finding> {
        self.sources
            .iter()
            .flat_map(|(file, source)| {
                warnings(std::slice::from_ref(source), today)
                    .into_iter()
                    .map(|message| Finding {
                        file: file.clone(),
                        message,
                    })
            })
            .collect()
    }

    pub fn extend(&mut self, other: ContentReport) {
        self.passed.extend(other.passed);
        self.problems.extend(other.problems);
        self.sources.extend(other.sources);
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn source(checked: Option<Date>, review_by: Option<Date>) -> Source {
        Source {
            id: "ncsc-passwords".into(),
            publisher: "National Cyber Security Centre".into(),
            title: "Password policy: updating your approach".into(),
            url: "https://www.ncsc.gov.uk/collection/passwords/updating-your-approach".into(),
            checked,
            review_by,
        }
    }

    #[test]
    fn a_check_stays_current_for_twelve_months_to_the_day() {
        let s = source(Some(date!(2025 - 12 - 03)), None);
        assert_eq!(freshness(&s, date!(2026 - 12 - 03)), Freshness::Current);
        assert_eq!(
            freshness(&s, date!(2026 - 12 - 04)),
            Freshness::Stale {
                checked: date!(2025 - 12 - 03)
            }
        );
    }

    #[test]
    fn twelve_months_after_a_leap_day_ends_on_the_last_day_of_february() {
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 11 - 15), 2), date!(2027 - 01 - 15));
    }

    #[test]
    fn a_passed_review_date_makes_a_recent_check_due() {
        let s = source(Some(date!(2026 - 11 - 01)), Some(date!(2026 - 11 - 30)));
        assert_eq!(freshness(&s, date!(2026 - 11 - 30)), Freshness::Current);
        assert_eq!(
            freshness(&s, date!(2026 - 12 - 01)),
            Freshness::ReviewDue {
                review_by: date!(2026 - 11 - 30)
            }
        );
        let warned = warnings(&[s], date!(2026 - 12 - 01));
        assert_eq!(warned.len(), 1);
        assert!(
            warned[0].contains("due for review by 2026-11-30"),
            "{warned:?}"
        );
    }

    #[test]
    fn a_stale_source_is_warned_about_by_id_address_and_date() {
        let warned = warnings(
            &[source(Some(date!(2024 - 06 - 01)), None)],
            date!(2026 - 12 - 03),
        );
        assert_eq!(warned.len(), 1);
        assert!(warned[0].contains("\"ncsc-passwords\""), "{warned:?}");
        assert!(warned[0].contains("ncsc.gov.uk"), "{warned:?}");
        assert!(warned[0].contains("2024-06-01"), "{warned:?}");
    }

    #[test]
    fn a_source_without_a_checked_date_is_a_problem_not_a_warning() {
        let s = source(None, None);
        let (problems, ids) = problems(std::slice::from_ref(&s));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("no checked date"), "{problems:?}");
        assert!(ids.contains("ncsc-passwords"));
        assert!(warnings(&[s], date!(2026 - 12 - 03)).is_empty());
    }

    #[test]
    fn a_review_date_before_the_check_and_a_future_check_are_reported() {
        let backwards = source(Some(date!(2026 - 11 - 01)), Some(date!(2026 - 10 - 01)));
        assert!(problems(&[backwards]).0[0].contains("must be after checked"));
        let future = source(Some(date!(2027 - 01 - 01)), None);
        assert!(warnings(&[future], date!(2026 - 12 - 03))[0].contains("in the future"));
    }

    #[test]
    fn current_sources_raise_nothing() {
        let s = source(Some(date!(2026 - 11 - 29)), Some(date!(2027 - 06 - 30)));
        assert!(problems(std::slice::from_ref(&s)).0.is_empty());
        assert!(warnings(&[s], date!(2026 - 12 - 03)).is_empty());
    }
}
