//! How pages, emails and certificates write dates, times and numbers, so that every service
//! writes them the same way (the NHS style: "5 March 2026", "2,000").

use time::{Date, OffsetDateTime, macros::format_description};

/// Anything with a calendar date: a [`Date`], or an [`OffsetDateTime`] (by its own offset,
/// which is UTC for everything read from the database).
pub trait CalendarDate {
    fn calendar_date(&self) -> Date;
}

impl CalendarDate for Date {
    fn calendar_date(&self) -> Date {
        *self
    }
}

impl CalendarDate for OffsetDateTime {
    fn calendar_date(&self) -> Date {
        self.date()
    }
}

/// A date as people read it: "5 March 2026".
pub fn long_date(t: impl CalendarDate) -> String {
    let d = t.calendar_date();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// A month as people read it: "March 2026", for dates where the day adds nothing (when a
/// source was last checked).
pub fn month_year(t: impl CalendarDate) -> String {
    let d = t.calendar_date();
    format!("{} {}", d.month(), d.year())
}

/// A moment as people read it: "5 March 2026 at 14:05 UTC".
pub fn date_and_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[day padding:none] [month repr:long] [year] at [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// A whole number with a comma between each group of three digits: 1234567 as
/// "1,234,567", as the NHS style guide writes numbers from 1,000.
pub fn thousands(n: impl std::fmt::Display) -> String {
    let written = n.to_string();
    let (sign, digits) = match written.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", written.as_str()),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn dates_are_written_in_full_without_a_leading_zero() {
        assert_eq!(long_date(date!(2026 - 11 - 29)), "29 November 2026");
        assert_eq!(long_date(date!(2027 - 01 - 05)), "5 January 2027");
        assert_eq!(long_date(datetime!(2026-03-05 14:05 UTC)), "5 March 2026");
        assert_eq!(month_year(date!(2026 - 11 - 29)), "November 2026");
    }

    #[test]
    fn moments_give_the_time_in_utc() {
        assert_eq!(
            date_and_time(datetime!(2026-03-05 14:05:59 UTC)),
            "5 March 2026 at 14:05 UTC"
        );
        assert_eq!(
            date_and_time(datetime!(2026-11-29 09:00 UTC)),
            "29 November 2026 at 09:00 UTC"
        );
    }

    #[test]
    fn numbers_are_grouped_in_threes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(50_000_usize), "50,000");
        assert_eq!(thousands(1_234_567_u64), "1,234,567");
        assert_eq!(thousands(-1234_i64), "-1,234");
        assert_eq!(thousands(-12_i64), "-12");
    }
}
