//! Staff groups: the broad kind of work a member of staff does, used to aim training at
//! the right people and to report completion by group.

use serde::{Deserialize, Serialize};

/// The kind of work a member of staff does. Stored as [`StaffGroup::as_str`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StaffGroup {
    Clinical,
    Admin,
    It,
    Board,
    Other,
    /// Temporary, bank and agency staff, locums and contractors.
    Temporary,
    Student,
    Volunteer,
}

impl StaffGroup {
    pub const ALL: [StaffGroup; 8] = [
        StaffGroup::Clinical,
        StaffGroup::Admin,
        StaffGroup::It,
        StaffGroup::Board,
        StaffGroup::Temporary,
        StaffGroup::Student,
        StaffGroup::Volunteer,
        StaffGroup::Other,
    ];

    /// The stored value, also what a CSV file should contain.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            StaffGroup::Clinical => "Clinical",
            StaffGroup::Admin => "Administrative and clerical",
            StaffGroup::It => "IT and digital",
            StaffGroup::Board => "Board",
            StaffGroup::Other => "Other",
            StaffGroup::Temporary => "Temporary, bank and agency",
            StaffGroup::Student => "Students and trainees",
            StaffGroup::Volunteer => "Volunteers",
        }
    }

    /// Reads a staff group as a person might write it: the stored value or the label in
    /// any case, or an obvious alternative ("Admin and clerical", "Digital", "IT & digital").
    /// Spaces, underscores and hyphens are ignored, and "&" is read as "and".
    pub fn parse(s: &str) -> Option<StaffGroup> {
        let key: String = s
            .trim()
            .to_lowercase()
            .replace('&', "and")
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '_' | '-' | '/' | '.' | ',')))
            .collect();
        let group = match key.as_str() {
            "clinical" | "clinician" | "clinicalstaff" => StaffGroup::Clinical,
            "admin"
            | "administrative"
            | "administration"
            | "adminandclerical"
            | "administrativeandclerical"
            | "administrationandclerical"
            | "clerical" => StaffGroup::Admin,
            "it"
            | "ict"
            | "digital"
            | "itanddigital"
            | "digitalandit"
            | "informationtechnology" => StaffGroup::It,
            "board" | "boardmember" | "theboard" => StaffGroup::Board,
            "other" => StaffGroup::Other,
            "temporary"
            | "temporarybankandagency"
            | "bank"
            | "agency"
            | "locum"
            | "bankandagency"
            | "contractor" => StaffGroup::Temporary,
            "student" | "students" | "studentsandtrainees" | "trainee" => StaffGroup::Student,
            "volunteer" | "volunteers" => StaffGroup::Volunteer,
            _ => return None,
        };
        Some(group)
    }

    /// Other ways of writing the group that [`StaffGroup::parse`] understands, for help
    /// text (besides the stored value and the label, in any case).
    pub fn also_accepted(self) -> &'static [&'static str] {
        match self {
            StaffGroup::Clinical => &["Clinician", "Clinical staff"],
            StaffGroup::Admin => &["Administrative", "Admin and clerical", "Clerical"],
            StaffGroup::It => &["Digital", "ICT", "Information technology"],
            StaffGroup::Board => &["Board member"],
            StaffGroup::Other => &[],
            StaffGroup::Temporary => &["Bank", "Agency", "Locum", "Contractor"],
            StaffGroup::Student => &["Trainee"],
            StaffGroup::Volunteer => &["Volunteers"],
        }
    }

    /// The stored values, for messages: "clinical, admin, it, board, temporary, student, volunteer or other".
    pub fn accepted_values() -> String {
        let values: Vec<&str> = StaffGroup::ALL.iter().map(|g| g.as_str()).collect();
        let (last, rest) = values.split_last().expect("at least one group");
        format!("{} or {last}", rest.join(", "))
    }
}

impl std::fmt::Display for StaffGroup {
    /// The label, for pages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_and_labels_round_trip() {
        for g in StaffGroup::ALL {
            assert_eq!(StaffGroup::parse(g.as_str()), Some(g));
            assert_eq!(StaffGroup::parse(g.label()), Some(g));
            assert_eq!(StaffGroup::parse(&g.label().to_uppercase()), Some(g));
        }
    }

    #[test]
    fn the_alternatives_offered_are_understood() {
        for g in StaffGroup::ALL {
            for text in g.also_accepted() {
                assert_eq!(StaffGroup::parse(text), Some(g), "{text:?}");
            }
        }
    }

    #[test]
    fn obvious_labels_are_understood() {
        let cases = [
            ("Clinical", StaffGroup::Clinical),
            (" CLINICAL ", StaffGroup::Clinical),
            ("Admin and clerical", StaffGroup::Admin),
            ("Admin & Clerical", StaffGroup::Admin),
            ("Administrative", StaffGroup::Admin),
            ("admin_and_clerical", StaffGroup::Admin),
            ("IT", StaffGroup::It),
            ("IT and digital", StaffGroup::It),
            ("Digital", StaffGroup::It),
            ("I.T.", StaffGroup::It),
            ("Board", StaffGroup::Board),
            ("Board member", StaffGroup::Board),
            ("other", StaffGroup::Other),
        ];
        for (text, group) in cases {
            assert_eq!(StaffGroup::parse(text), Some(group), "{text:?}");
        }
    }

    #[test]
    fn unknown_groups_are_refused() {
        for text in ["", "  ", "nurse", "estates", "boards", "clinical admin"] {
            assert_eq!(StaffGroup::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn accepted_values_read_as_a_list() {
        assert_eq!(
            StaffGroup::accepted_values(),
            "clinical, admin, it, board, temporary, student, volunteer or other"
        );
        assert_eq!(StaffGroup::It.to_string(), "IT and digital");
    }
}
