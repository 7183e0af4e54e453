//! Tenants: the organisations every piece of data belongs to. Finding one by its id, its
//! ODS code or its type is a platform concern, because every service scopes its pages by
//! organisation (see [`crate::platform::tenancy`]); registering and searching them is the
//! `organisations` service's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    platform::{db::Db, ids::OrgId, ods::OdsCode},
    with_db,
};

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

/// An organisation as pages and services see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub ods_code: OdsCode,
    pub org_type: OrgType,
    pub parent_id: Option<OrgId>,
    pub parent_name: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Organisation {
    pub fn type_label(&self) -> &'static str {
        self.org_type.label()
    }
    pub fn is_national_team(&self) -> bool {
        self.org_type == OrgType::NationalTeam
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
    .bind(OrgType::NationalTeam)
    .fetch_optional(pool)
    .await)
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
