//! The training needs analysis (TNA): which courses each staff group needs. The DSPT asks
//! larger organisations for a TNA by role instead of a single "95% of staff" figure, so an
//! organisation records, per staff group, which of the current courses that group needs.
//!
//! Until an organisation has reviewed its TNA, each course's own intended audience (from its
//! content) is the starting point. The mandatory course is needed by everyone whatever the
//! TNA says: it is what the DSPT's annual training requirement is measured on.

use std::collections::BTreeSet;

use crate::{
    platform::web::{format::thousands, forms::FormErrors},
    staff::groups::StaffGroup,
};

/// The longest notes an organisation may keep with its TNA.
pub const MAX_NOTES_CHARS: usize = 2000;

/// A current course, as the TNA sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseNeed {
    pub slug: String,
    pub title: String,
    pub mandatory: bool,
    /// The staff groups the course was written for (stored values, e.g. "clinical").
    pub audience: Vec<String>,
}

/// The TNA itself: (staff group, course slug) pairs, one per course a group needs.
pub type Needs = BTreeSet<(StaffGroup, String)>;

/// The starting point before an organisation has reviewed its TNA: each course for the
/// groups in its audience, and the mandatory course for every group.
pub fn default_needs(courses: &[CourseNeed]) -> Needs {
    let mut needs = Needs::new();
    for c in courses {
        for g in StaffGroup::ALL {
            if c.mandatory || c.audience.iter().any(|a| a == g.as_str()) {
                needs.insert((g, c.slug.clone()));
            }
        }
    }
    needs
}

/// What counts: the saved TNA (restricted to current courses) plus the mandatory course for
/// every group, which no saved TNA can take away (a course may have become mandatory since
/// the last review).
pub fn effective_needs(courses: &[CourseNeed], saved: &Needs) -> Needs {
    let mut needs: Needs = saved
        .iter()
        .filter(|(_, slug)| courses.iter().any(|c| &c.slug == slug))
        .cloned()
        .collect();
    for c in courses.iter().filter(|c| c.mandatory) {
        for g in StaffGroup::ALL {
            needs.insert((g, c.slug.clone()));
        }
    }
    needs
}

/// The value a "needed" checkbox sends: `group:slug`.
pub fn tick_value(group: StaffGroup, slug: &str) -> String {
    format!("{}:{slug}", group.as_str())
}

/// The `id` of a "needed" checkbox, which error messages link to.
pub fn tick_id(group: StaffGroup, slug: &str) -> String {
    format!("need-{}-{slug}", group.as_str())
}

/// Reads the ticked checkboxes. A value naming a group or course that does not exist can
/// only come from an out-of-date or altered form, so the whole form is refused.
pub fn parse_ticks<'a>(
    courses: &[CourseNeed],
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Needs, String> {
    let mut needs = Needs::new();
    for value in values {
        let parsed = value.split_once(':').and_then(|(g, slug)| {
            let group = StaffGroup::ALL.into_iter().find(|x| x.as_str() == g)?;
            courses
                .iter()
                .any(|c| c.slug == slug)
                .then(|| (group, slug.to_owned()))
        });
        match parsed {
            Some(pair) => {
                needs.insert(pair);
            }
            None => {
                return Err(
                    "The courses on this form have changed since the page was opened. Go back, refresh the page and try again."
                        .into(),
                );
            }
        }
    }
    Ok(needs)
}

/// Checks a TNA before it is saved: the mandatory course stays needed by every group, and
/// the notes are not too long. Errors are keyed by the field to link to.
pub fn validate_needs(courses: &[CourseNeed], needs: &Needs, notes: &str) -> FormErrors {
    let mut errors = FormErrors::new();
    for c in courses.iter().filter(|c| c.mandatory) {
        let missing: Vec<StaffGroup> = StaffGroup::ALL
            .into_iter()
            .filter(|g| !needs.contains(&(*g, c.slug.clone())))
            .collect();
        if let Some(first) = missing.first() {
            let labels: Vec<&str> = missing.iter().map(|g| g.label()).collect();
            errors.add(
                &tick_id(*first, &c.slug),
                format!(
                    "{} is mandatory, so every staff group needs it. Tick it for: {}",
                    c.title,
                    labels.join(", ")
                ),
            );
        }
    }
    if notes.trim().chars().count() > MAX_NOTES_CHARS {
        errors.add(
            "notes",
            format!(
                "Notes must be {} characters or fewer",
                thousands(MAX_NOTES_CHARS)
            ),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(slug: &str, mandatory: bool, audience: &[&str]) -> CourseNeed {
        CourseNeed {
            slug: slug.into(),
            title: format!("Course {slug}"),
            mandatory,
            audience: audience.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn courses() -> Vec<CourseNeed> {
        vec![
            course("dsa", true, &["clinical", "admin"]),
            course("phish", false, &["clinical", "admin", "volunteer"]),
            course("it", false, &["it"]),
        ]
    }

    #[test]
    fn default_follows_audiences_and_gives_everyone_the_mandatory_course() {
        let needs = default_needs(&courses());
        for g in StaffGroup::ALL {
            assert!(needs.contains(&(g, "dsa".into())), "{g:?}");
        }
        assert!(needs.contains(&(StaffGroup::Volunteer, "phish".into())));
        assert!(!needs.contains(&(StaffGroup::Board, "phish".into())));
        assert!(needs.contains(&(StaffGroup::It, "it".into())));
        assert!(!needs.contains(&(StaffGroup::Clinical, "it".into())));
        assert_eq!(needs.len(), 8 + 3 + 1);
    }

    #[test]
    fn unknown_audience_values_are_ignored() {
        let needs = default_needs(&[course("x", false, &["nurses", "board"])]);
        assert_eq!(
            needs.into_iter().collect::<Vec<_>>(),
            [(StaffGroup::Board, "x".to_string())]
        );
    }

    #[test]
    fn effective_needs_drop_old_courses_and_add_the_mandatory_one() {
        let saved: Needs = [
            (StaffGroup::Board, "it".to_string()),
            (StaffGroup::Board, "retired".to_string()),
        ]
        .into();
        let needs = effective_needs(&courses(), &saved);
        assert!(needs.contains(&(StaffGroup::Board, "it".into())));
        assert!(!needs.iter().any(|(_, s)| s == "retired"));
        assert_eq!(needs.iter().filter(|(_, s)| s == "dsa").count(), 8);
    }

    #[test]
    fn ticks_round_trip_and_unknown_values_are_refused() {
        let cs = courses();
        let v = tick_value(StaffGroup::Temporary, "phish");
        assert_eq!(v, "temporary:phish");
        let needs = parse_ticks(&cs, [v.as_str(), "it:it"]).unwrap();
        assert_eq!(needs.len(), 2);
        assert!(parse_ticks(&cs, ["nurses:phish"]).is_err());
        assert!(parse_ticks(&cs, ["clinical:nope"]).is_err());
        assert!(parse_ticks(&cs, ["clinical"]).is_err());
        assert!(parse_ticks(&cs, []).unwrap().is_empty());
    }

    #[test]
    fn the_mandatory_course_must_stay_needed_by_every_group() {
        let cs = courses();
        let mut needs = default_needs(&cs);
        assert!(validate_needs(&cs, &needs, "").is_empty());
        needs.remove(&(StaffGroup::Volunteer, "dsa".to_string()));
        needs.remove(&(StaffGroup::Student, "dsa".to_string()));
        let errors = validate_needs(&cs, &needs, "");
        // Linked to the first unticked box in the order the page shows groups.
        let message = errors
            .get("need-student-dsa")
            .expect("error on the first box");
        assert_eq!(
            message,
            "Course dsa is mandatory, so every staff group needs it. Tick it for: Students and trainees, Volunteers"
        );
        // Other courses may be unticked freely.
        let mut needs = default_needs(&cs);
        needs.retain(|(_, s)| s == "dsa");
        assert!(validate_needs(&cs, &needs, "").is_empty());
    }

    #[test]
    fn notes_are_limited_to_2000_characters() {
        let cs = courses();
        let needs = default_needs(&cs);
        assert!(validate_needs(&cs, &needs, &"é".repeat(2000)).is_empty());
        let errors = validate_needs(&cs, &needs, &"a".repeat(2001));
        assert_eq!(
            errors.get("notes"),
            Some("Notes must be 2,000 characters or fewer")
        );
        // Surrounding spaces are not counted.
        assert!(validate_needs(&cs, &needs, &format!("  {}  ", "a".repeat(2000))).is_empty());
    }
}
