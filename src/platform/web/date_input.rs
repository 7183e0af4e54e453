//! Reading a date typed as day, month and year, following the NHS.UK date input pattern
//! and its error messages. Each error names the field to link to: the first one missing or
//! wrong.

use time::{Date, Month};

/// Reads the date in fields `{prefix}-day`, `{prefix}-month` and `{prefix}-year`; `name`
/// is what the date is called in messages, with a capital ("Due date").
pub fn read(
    prefix: &str,
    name: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Result<Date, (String, String)> {
    let field = |part: &str| format!("{prefix}-{part}");
    let parts = [
        ("day", day.trim()),
        ("month", month.trim()),
        ("year", year.trim()),
    ];
    let missing: Vec<_> = parts.iter().filter(|p| p.1.is_empty()).collect();
    if missing.len() == parts.len() {
        return Err((field("day"), format!("Enter the {}", name.to_lowercase())));
    }
    if let Some(first) = missing.first() {
        let names: Vec<&str> = missing.iter().map(|p| p.0).collect();
        return Err((
            field(first.0),
            format!("{name} must include a {}", names.join(" and ")),
        ));
    }
    let number = |s: &str| -> Option<u32> {
        (s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (d, m, y) = (number(parts[0].1), number(parts[1].1), number(parts[2].1));
    if parts[2].1.len() != 4 && y.is_some() {
        return Err((field("year"), "Year must include 4 numbers".into()));
    }
    let date = match (d, m, y) {
        (Some(d), Some(m), Some(y)) => Month::try_from(m as u8)
            .ok()
            .filter(|_| m <= 12)
            .and_then(|month| u8::try_from(d).ok().map(|d| (d, month)))
            .and_then(|(d, month)| Date::from_calendar_date(y as i32, month, d).ok()),
        _ => None,
    };
    date.ok_or_else(|| {
        let wrong = if d.is_none_or(|d| !(1..=31).contains(&d)) {
            "day"
        } else if m.is_none_or(|m| !(1..=12).contains(&m)) {
            "month"
        } else if y.is_none() {
            "year"
        } else {
            "day"
        };
        (field(wrong), format!("{name} must be a real date"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn read_expiry(d: &str, m: &str, y: &str) -> Result<Date, (String, String)> {
        read("expires", "Expiry date", d, m, y)
    }

    #[test]
    fn dates_read_with_a_message_naming_the_first_field_to_fix() {
        assert_eq!(read_expiry("31", "3", "2027"), Ok(date!(2027 - 03 - 31)));
        assert_eq!(
            read_expiry("", "", ""),
            Err(("expires-day".into(), "Enter the expiry date".into()))
        );
        assert_eq!(
            read_expiry("1", "", ""),
            Err((
                "expires-month".into(),
                "Expiry date must include a month and year".into()
            ))
        );
        assert_eq!(
            read_expiry("1", "2", "27"),
            Err(("expires-year".into(), "Year must include 4 numbers".into()))
        );
        assert_eq!(
            read_expiry("30", "2", "2027"),
            Err((
                "expires-day".into(),
                "Expiry date must be a real date".into()
            ))
        );
        assert_eq!(
            read_expiry("3", "13", "2027"),
            Err((
                "expires-month".into(),
                "Expiry date must be a real date".into()
            ))
        );
    }
}
