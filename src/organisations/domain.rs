//! What kinds of organisation there are.

use serde::{Deserialize, Serialize};

/// The kinds of organisation CareCERT serves, plus the national team itself.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
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
pub enum OrgType {
    NhsTrust,
    IntegratedCareBoard,
    GpPractice,
    SocialCareProvider,
    Other,
    NationalTeam,
}

impl OrgType {
    /// The types a national administrator can register.
    pub const REGISTRABLE: [OrgType; 5] = [
        OrgType::NhsTrust,
        OrgType::IntegratedCareBoard,
        OrgType::GpPractice,
        OrgType::SocialCareProvider,
        OrgType::Other,
    ];

    /// The stored value, also used in forms and the API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgType::NhsTrust => "NHS trust",
            OrgType::IntegratedCareBoard => "Integrated care board",
            OrgType::GpPractice => "GP practice",
            OrgType::SocialCareProvider => "Social care provider",
            OrgType::Other => "Other",
            OrgType::NationalTeam => "National team",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for t in OrgType::REGISTRABLE {
            assert_eq!(t.as_str().parse::<OrgType>(), Ok(t));
        }
        assert_eq!("national_team".parse(), Ok(OrgType::NationalTeam));
        assert!("hospital".parse::<OrgType>().is_err());
    }
}
