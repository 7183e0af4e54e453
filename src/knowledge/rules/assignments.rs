//! Assigning a course, beyond the training needs analysis, to a staff group or to one person,
//! with a due date: the form's rules. Whether the email address belongs to a member of the
//! organisation needs the database and is checked by the handler after these pass.
//!
//! The due date is entered as day, month and year, following the NHS.UK date input pattern
//! and its error messages.

use time::Date;

use crate::{
    platform::{
        address::EmailAddress,
        web::{date_input, forms::FormErrors},
    },
    staff::groups::StaffGroup,
};

/// How far ahead a due date may be: further than this is almost certainly a typing mistake.
pub const MAX_YEARS_AHEAD: i32 = 5;

/// The form as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draft<'a> {
    pub course: &'a str,
    /// "group" or "person".
    pub assign_to: &'a str,
    pub staff_group: &'a str,
    pub email: &'a str,
    pub due_day: &'a str,
    pub due_month: &'a str,
    pub due_year: &'a str,
}

/// Who an assignment is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Group(StaffGroup),
    /// A normalised email address, not yet known to belong to a member.
    Person(String),
}

/// A checked assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub course_slug: String,
    pub target: Target,
    pub due_on: Date,
}

/// Checks the form: a current course, a group or a well-formed email address, and a real due
/// date that is today or later (and not absurdly far off). `today` is today's date in UTC.
pub fn validate(d: &Draft<'_>, course_slugs: &[&str], today: Date) -> Result<Valid, FormErrors> {
    let mut errors = FormErrors::new();
    let course = course_slugs.iter().find(|s| **s == d.course.trim());
    if course.is_none() {
        errors.add("course", "Select a course");
    }
    let target = match d.assign_to {
        "group" => match StaffGroup::ALL
            .into_iter()
            .find(|g| g.as_str() == d.staff_group)
        {
            Some(g) => Some(Target::Group(g)),
            None => {
                errors.add("staff_group", "Select a staff group");
                None
            }
        },
        "person" => match d.email.parse::<EmailAddress>() {
            Ok(email) => Some(Target::Person(email.into())),
            Err(e) => {
                let message = if d.email.trim().is_empty() {
                    "Enter the email address of the person".to_owned()
                } else {
                    e.to_string()
                };
                errors.add("email", message);
                None
            }
        },
        _ => {
            errors.add(
                "assign_to",
                "Select whether to assign the course to a staff group or to one person",
            );
            None
        }
    };
    let due_on = match due_date(d.due_day, d.due_month, d.due_year, today) {
        Ok(date) => Some(date),
        Err((field, message)) => {
            errors.add(field, message);
            None
        }
    };
    match (course, target, due_on) {
        (Some(course), Some(target), Some(due_on)) if errors.is_empty() => Ok(Valid {
            course_slug: (*course).to_owned(),
            target,
            due_on,
        }),
        _ => Err(errors),
    }
}

/// The static name of one of the due date's fields.
fn due_field(field: &str) -> &'static str {
    match field {
        "due-month" => "due-month",
        "due-year" => "due-year",
        _ => "due-day",
    }
}

/// Reads a due date from its three fields. The error names the field to link to: the first
/// one that is missing or wrong.
pub fn due_date(
    day: &str,
    month: &str,
    year: &str,
    today: Date,
) -> Result<Date, (&'static str, String)> {
    let date = date_input::read("due", "Due date", day, month, year)
        .map_err(|(field, message)| (due_field(&field), message))?;
    if date < today {
        return Err(("due-day", "Due date must be today or in the future".into()));
    }
    // 29 February has no twin five years on: the limit is then 28 February.
    let limit_year = today.year() + MAX_YEARS_AHEAD;
    let limit_day = today
        .day()
        .min(time::util::days_in_month(today.month(), limit_year));
    let limit = Date::from_calendar_date(limit_year, today.month(), limit_day).unwrap_or(today);
    if date > limit {
        return Err((
            "due-year",
            format!("Due date must be within the next {MAX_YEARS_AHEAD} years"),
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn draft<'a>() -> Draft<'a> {
        Draft {
            course: "phish",
            assign_to: "group",
            staff_group: "volunteer",
            email: "",
            due_day: "1",
            due_month: "4",
            due_year: "2026",
        }
    }

    #[test]
    fn a_group_assignment_is_accepted() {
        let v = validate(&draft(), &["dsa", "phish"], TODAY).unwrap();
        assert_eq!(v.course_slug, "phish");
        assert_eq!(v.target, Target::Group(StaffGroup::Volunteer));
        assert_eq!(v.due_on, date!(2026 - 04 - 01));
    }

    #[test]
    fn a_person_assignment_normalises_the_email() {
        let d = Draft {
            assign_to: "person",
            email: "  Ann.Smith@NHS.net ",
            ..draft()
        };
        let v = validate(&d, &["phish"], TODAY).unwrap();
        assert_eq!(v.target, Target::Person("ann.smith@nhs.net".into()));
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let d = Draft {
            course: "nope",
            assign_to: "",
            due_day: "",
            due_month: "",
            due_year: "",
            ..draft()
        };
        let e = validate(&d, &["phish"], TODAY).unwrap_err();
        assert_eq!(e.get("course"), Some("Select a course"));
        assert!(e.get("assign_to").is_some());
        assert_eq!(e.get("due-day"), Some("Enter the due date"));
        let d = Draft {
            staff_group: "nurses",
            ..draft()
        };
        let e = validate(&d, &["phish"], TODAY).unwrap_err();
        assert_eq!(e.get("staff_group"), Some("Select a staff group"));
        let d = Draft {
            assign_to: "person",
            email: " ",
            ..draft()
        };
        let e = validate(&d, &["phish"], TODAY).unwrap_err();
        assert_eq!(
            e.get("email"),
            Some("Enter the email address of the person")
        );
        let d = Draft {
            assign_to: "person",
            email: "not an email",
            ..draft()
        };
        assert!(validate(&d, &["phish"], TODAY).unwrap_err().has("email"));
    }

    #[test]
    fn due_dates_follow_the_nhs_date_input_rules() {
        let ok = |d, m, y| due_date(d, m, y, TODAY);
        assert_eq!(ok("15", "3", "2026"), Ok(TODAY), "today is allowed");
        assert_eq!(ok(" 01 ", "04", "2026"), Ok(date!(2026 - 04 - 01)));
        assert_eq!(ok("29", "2", "2028"), Ok(date!(2028 - 02 - 29)));
        let err = |d, m, y| due_date(d, m, y, TODAY).unwrap_err();
        assert_eq!(err("", "", ""), ("due-day", "Enter the due date".into()));
        assert_eq!(
            err("1", "", "2026"),
            ("due-month", "Due date must include a month".into())
        );
        assert_eq!(
            err("", "4", ""),
            ("due-day", "Due date must include a day and year".into())
        );
        assert_eq!(
            err("31", "4", "2026"),
            ("due-day", "Due date must be a real date".into())
        );
        assert_eq!(
            err("29", "2", "2027"),
            ("due-day", "Due date must be a real date".into())
        );
        assert_eq!(
            err("1", "13", "2026"),
            ("due-month", "Due date must be a real date".into())
        );
        assert_eq!(
            err("1", "April", "2026"),
            ("due-month", "Due date must be a real date".into())
        );
        assert_eq!(
            err("-1", "4", "2026"),
            ("due-day", "Due date must be a real date".into())
        );
        assert_eq!(
            err("1", "4", "26"),
            ("due-year", "Year must include 4 numbers".into())
        );
        assert_eq!(
            err("14", "3", "2026"),
            ("due-day", "Due date must be today or in the future".into())
        );
        assert_eq!(
            err("16", "3", "2031"),
            (
                "due-year",
                "Due date must be within the next 5 years".into()
            )
        );
        assert_eq!(ok("15", "3", "2031"), Ok(date!(2031 - 03 - 15)));
        let leap = date!(2028 - 02 - 29);
        assert_eq!(due_date("28", "2", "2033", leap), Ok(date!(2033 - 02 - 28)));
    }
}
