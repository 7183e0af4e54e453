//! Sorting the good rows of a staff file against the organisation's current members: who
//! is new, whose staff group or department has changed, and who is as before. Pure, like
//! the reading of the file in [`super::import`]; [`super::import_store`] writes the result.

use std::collections::HashMap;

use uuid::Uuid;

use super::{groups::StaffGroup, import::StaffRow};

/// A current member of the organisation, as [`classify`] needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingMember {
    pub user_id: Uuid,
    pub staff_group: StaffGroup,
    pub department: Option<String>,
    pub active: bool,
}

/// A member whose staff group or department in the file differ from those held. The name
/// in the file is never applied: it belongs to the person's account, which no
/// organisation renames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub user_id: Uuid,
    /// The details to hold from now on (the department is the one held if the file has
    /// no department column).
    pub row: StaffRow,
}

/// The good rows of a file sorted against the organisation's current members.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Classified {
    /// Not yet members: to add and invite, or to ask to join if they have an account.
    pub new: Vec<StaffRow>,
    /// Members with changed details: to update. They keep their role and whether they
    /// are active.
    pub changed: Vec<Update>,
    /// Members whose details are as held.
    pub unchanged: usize,
    /// How many of the file's people are deactivated members (counted in `changed` or
    /// `unchanged` too). They stay deactivated.
    pub deactivated: usize,
}

/// Sorts good rows into new, changed and unchanged members. `existing` is keyed by email
/// address in lower case.
pub fn classify(
    rows: Vec<StaffRow>,
    existing: &HashMap<String, ExistingMember>,
    has_department: bool,
) -> Classified {
    let mut out = Classified::default();
    for row in rows {
        let Some(member) = existing.get(row.email.as_str()) else {
            out.new.push(row);
            continue;
        };
        if !member.active {
            out.deactivated += 1;
        }
        let held_department = member.department.clone().filter(|d| !d.trim().is_empty());
        let department = if has_department {
            row.department.clone()
        } else {
            held_department.clone()
        };
        let changed = member.staff_group != row.staff_group || held_department != department;
        if changed {
            out.changed.push(Update {
                user_id: member.user_id,
                row: StaffRow { department, ..row },
            });
        } else {
            out.unchanged += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::import::{ParsedFile, parse_file};

    fn parse(text: &str) -> ParsedFile {
        parse_file(text.as_bytes()).expect("a readable file")
    }

    fn member(group: &str, department: Option<&str>, active: bool) -> ExistingMember {
        ExistingMember {
            user_id: Uuid::new_v4(),
            staff_group: StaffGroup::parse(group).expect("a staff group"),
            department: department.map(Into::into),
            active,
        }
    }

    #[test]
    fn classify_sorts_new_changed_and_unchanged() {
        let parsed = parse(
            "name,email,staff_group,department\n\
             Ann,ann@nhs.net,clinical,Pharmacy\n\
             Bob,bob@nhs.net,admin,\n\
             Cat,cat@nhs.net,it,\n\
             Dan,dan@nhs.net,board,\n\
             Eve,eve@nhs.net,other,Wards\n",
        );
        let existing: HashMap<String, ExistingMember> = [
            ("ann@nhs.net", member("clinical", Some("Pharmacy"), true)),
            ("bob@nhs.net", member("admin", None, true)),
            ("cat@nhs.net", member("clinical", Some(""), false)),
            ("dan@nhs.net", member("board", Some("Execs"), true)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let c = classify(parsed.rows, &existing, true);
        assert_eq!(
            c.new.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
            ["eve@nhs.net"]
        );
        // Bob's name differs from the account's, which is not the organisation's to change.
        assert_eq!(c.unchanged, 2);
        assert_eq!(c.deactivated, 1);
        let changed: Vec<_> = c
            .changed
            .iter()
            .map(|u| (u.row.email.as_str(), u.row.department.as_deref()))
            .collect();
        assert_eq!(changed, [("cat@nhs.net", None), ("dan@nhs.net", None)]);
        assert_eq!(c.changed[0].user_id, existing["cat@nhs.net"].user_id);
    }

    #[test]
    fn without_a_department_column_departments_are_kept() {
        let parsed = parse("name,email,staff_group\nDan,dan@nhs.net,board\n");
        let existing: HashMap<String, ExistingMember> = [(
            "dan@nhs.net".to_owned(),
            member("board", Some("Execs"), true),
        )]
        .into();
        let c = classify(parsed.rows.clone(), &existing, parsed.has_department);
        assert_eq!(c.unchanged, 1);
        let existing: HashMap<String, ExistingMember> = [(
            "dan@nhs.net".to_owned(),
            member("clinical", Some("Execs"), true),
        )]
        .into();
        let c = classify(parsed.rows, &existing, parsed.has_department);
        assert_eq!(c.changed[0].row.department.as_deref(), Some("Execs"));
    }
}
