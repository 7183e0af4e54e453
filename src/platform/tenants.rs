//! Tenants: the organisations every piece of data belongs to. Finding one by its id, its
//! ODS code or its type is a platform concern, because every service scopes its pages by
//! organisation (see [`crate::platform::tenancy`]); registering and searching them is the
//! `organisations` service's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    platform::{db::Db, ids::OrgId},
    with_db,
};

/// The kinds of organisation CareCERT serves, plus the national team itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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

    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::NhsTrust => "nhs_trust",
            OrgType::IntegratedCareBoard => "integrated_care_board",
            OrgType::GpPractice => "gp_practice",
            OrgType::SocialCareProvider => "social_care_provider",
            OrgType::Other => "other",
            OrgType::NationalTeam => "national_team",
        }
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

    pub fn parse(s: &str) -> Option<OrgType> {
        [OrgType::NationalTeam]
            .into_iter()
            .chain(OrgType::REGISTRABLE)
            .find(|t| t.as_str() == s)
    }
}

/// An organisation as pages and services see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub ods_code: String,
    pub org_type: String,
    pub parent_id: Option<OrgId>,
    pub parent_name: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Organisation {
    pub fn kind(&self) -> Option<OrgType> {
        OrgType::parse(&self.org_type)
    }
    pub fn type_label(&self) -> &'static str {
        self.kind().map(OrgType::label).unwrap_or("Unknown")
    }
    pub fn is_national_team(&self) -> bool {
        self.kind() == Some(OrgType::NationalTeam)
    }
}

macro_rules! select_org {
    ($where:literal) => {
        concat!(
            "SELECT o.id, o.name, o.ods_code, o.org_type, o.parent_id, p.name AS parent_name, \
             o.created_at FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id ",
            $where
        )
    };
}

pub async fn by_id(db: &Db, id: OrgId) -> Result<Option<Organisation>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Organisation>(select_org!(
        "WHERE o.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)
}

pub async fn by_ods_code(db: &Db, code: &str) -> Result<Option<Organisation>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Organisation>(select_org!(
        "WHERE o.ods_code = $1"
    ))
    .bind(code.trim().to_ascii_uppercase())
    .fetch_optional(pool)
    .await)
}

pub async fn national_team(db: &Db) -> Result<Option<Organisation>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Organisation>(select_org!(
        "WHERE o.org_type = $1 ORDER BY o.created_at LIMIT 1"
    ))
    .bind(OrgType::NationalTeam.as_str())
    .fetch_optional(pool)
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for t in OrgType::REGISTRABLE {
            assert_eq!(OrgType::parse(t.as_str()), Some(t));
        }
        assert_eq!(OrgType::parse("national_team"), Some(OrgType::NationalTeam));
        assert_eq!(OrgType::parse("hospital"), None);
    }
}
