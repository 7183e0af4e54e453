//! What a threat advisory is: the content an analyst writes, its labels, and the response an
//! organisation records. Plain data shared by the rules, storage, pages and standard formats.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::organisations::domain::OrgType;

/// How serious the threat is. Critical and high require acknowledgement within 48 hours by
/// default (the NHS high-severity alert rule).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
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
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The stored value, also used in URLs and the API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        }
    }
}

/// Traffic Light Protocol 2.0 label (FIRST): who the advisory may be shared with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sqlx(type_name = "TEXT", rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    #[serde(rename = "AMBER+STRICT")]
    #[sqlx(rename = "AMBER+STRICT")]
    #[strum(serialize = "AMBER+STRICT")]
    AmberStrict,
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The label as written in TLP 2.0, e.g. `AMBER+STRICT`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How far the label restricts sharing: CLEAR 0, GREEN 1, AMBER 2, AMBER+STRICT 3,
    /// RED 4. A revision to a lower number loosens the label.
    pub fn strictness(self) -> u8 {
        match self {
            Tlp::Clear => 0,
            Tlp::Green => 1,
            Tlp::Amber => 2,
            Tlp::AmberStrict => 3,
            Tlp::Red => 4,
        }
    }

    /// What the label allows, in a sentence for recipients.
    pub fn meaning(self) -> &'static str {
        match self {
            Tlp::Clear => "May be shared freely and published.",
            Tlp::Green => "May be shared within the health and care community, not published.",
            Tlp::Amber => {
                "Share only within your organisation and with its clients who need to know."
            }
            Tlp::AmberStrict => "Share only within your organisation, on a need-to-know basis.",
            Tlp::Red => "For the named recipients only. Do not share.",
        }
    }
}

/// An inclusive or exclusive bound of a version range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bound {
    pub version: String,
    pub inclusive: bool,
}

/// The versions of a product that are affected. No bounds means every version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionRange {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
}

/// A product the advisory affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AffectedProduct {
    pub vendor: String,
    pub product: String,
    /// Affected version ranges; empty means every version.
    pub versions: Vec<VersionRange>,
    /// CPE 2.3 formatted string, e.g. `cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*`.
    pub cpe: Option<String>,
    /// Package URL without version, e.g. `pkg:maven/org.apache.logging.log4j/log4j-core`.
    pub purl: Option<String>,
}

/// A vulnerability the advisory is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cve {
    /// `CVE-YYYY-NNNN…`
    pub id: String,
    /// CVSS v3.0 or v3.1 vector, e.g. `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H`.
    pub cvss_vector: Option<String>,
    /// Base score computed from the vector.
    pub cvss_score: Option<f64>,
}

/// A link to further reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reference {
    pub url: String,
    pub title: String,
}

/// Who must receive and respond to the advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Audience {
    All,
    Types(Vec<OrgType>),
    Organisations(Vec<Uuid>),
}

/// Everything an analyst writes in an advisory. Each revision stores one of these whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdvisoryContent {
    pub title: String,
    pub severity: Severity,
    /// Why this severity was chosen.
    pub severity_reason: String,
    pub tlp: Tlp,
    pub summary: String,
    /// Known to be exploited in the wild.
    pub actively_exploited: bool,
    /// Listed in the CISA Known Exploited Vulnerabilities catalogue.
    pub in_kev: bool,
    pub affected: Vec<AffectedProduct>,
    pub cves: Vec<Cve>,
    /// Steps to fix, in order.
    pub remediation: Vec<String>,
    /// What to do where the fix cannot be applied yet.
    pub workarounds: Vec<String>,
    pub references: Vec<Reference>,
    pub audience: Audience,
    pub ack_required: bool,
    /// Hours from publication within which acknowledgement is due.
    pub ack_hours: Option<u32>,
}

/// Reads content stored as JSON text (the database columns are text on both engines, so
/// rows decode it through this rather than as a JSON column type).
impl TryFrom<String> for AdvisoryContent {
    type Error = serde_json::Error;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&stored)
    }
}

/// Where an advisory is in its life.
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
pub enum AdvisoryStatus {
    Draft,
    InReview,
    Published,
    Withdrawn,
}

impl AdvisoryStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One entry of a published advisory's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevisionNote {
    /// 1 for the first publication.
    pub number: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub date: OffsetDateTime,
    /// What changed.
    pub summary: String,
}

/// A published (or withdrawn) advisory as the standard formats need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedAdvisory {
    pub id: Uuid,
    /// e.g. `CC-2026-0042`
    pub reference: String,
    pub content: AdvisoryContent,
    pub revisions: Vec<RevisionNote>,
    #[serde(with = "time::serde::rfc3339")]
    pub initial_release: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub current_release: OffsetDateTime,
    /// Set when withdrawn.
    pub withdrawn_reason: Option<String>,
}

/// Where an organisation's response to an advisory stands (the NHS "Respond to a cyber
/// alert" workflow: acknowledge, decide applicability, remediate with updates, close).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
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
pub enum ResponseState {
    /// Sent, not yet acknowledged.
    Awaiting,
    /// Acknowledged; applicability not yet decided.
    Acknowledged,
    /// Applies; remediation in progress with regular updates.
    Remediating,
    /// Closed: does not apply, with a reason.
    NotApplicable,
    /// Closed: remediated.
    Remediated,
    /// Closed: the risk is accepted by a named owner.
    RiskAccepted,
}

impl ResponseState {
    pub const ALL: [ResponseState; 6] = [
        ResponseState::Awaiting,
        ResponseState::Acknowledged,
        ResponseState::Remediating,
        ResponseState::NotApplicable,
        ResponseState::Remediated,
        ResponseState::RiskAccepted,
    ];

    /// The stored value, also used in URLs and the API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            ResponseState::Awaiting => "Awaiting acknowledgement",
            ResponseState::Acknowledged => "Acknowledged",
            ResponseState::Remediating => "Remediating",
            ResponseState::NotApplicable => "Closed: does not apply",
            ResponseState::Remediated => "Closed: remediated",
            ResponseState::RiskAccepted => "Closed: risk accepted",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ResponseState::NotApplicable | ResponseState::Remediated | ResponseState::RiskAccepted
        )
    }
}

/// One item of an organisation's software inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InventoryItem {
    pub vendor: String,
    pub product: String,
    pub version: String,
    /// How many installations.
    pub count: i64,
    pub location: String,
    pub cpe: Option<String>,
    pub purl: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::stored_text::{decode, encode};

    /// Each value is stored as the same text as before the enums were derived, and that
    /// text (and only that text) reads back.
    #[tokio::test]
    async fn stored_names_are_unchanged_and_unknown_ones_fail() {
        for (s, name) in Severity::ALL
            .into_iter()
            .zip(["critical", "high", "medium", "low"])
        {
            assert_eq!(
                (s.as_str(), encode(s).await.unwrap().as_str()),
                (name, name)
            );
            assert_eq!(decode::<Severity>(name).await.unwrap(), s);
        }
        let tlp = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];
        for (t, name) in Tlp::ALL.into_iter().zip(tlp) {
            assert_eq!(
                (t.as_str(), encode(t).await.unwrap().as_str()),
                (name, name)
            );
            assert_eq!(decode::<Tlp>(name).await.unwrap(), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{name}\""));
        }
        let states = [
            "awaiting",
            "acknowledged",
            "remediating",
            "not_applicable",
            "remediated",
            "risk_accepted",
        ];
        for (s, name) in ResponseState::ALL.into_iter().zip(states) {
            assert_eq!(
                (s.as_str(), encode(s).await.unwrap().as_str()),
                (name, name)
            );
            assert_eq!(decode::<ResponseState>(name).await.unwrap(), s);
        }
        assert_eq!(AdvisoryStatus::InReview.as_str(), "in_review");
        assert_eq!(
            decode::<AdvisoryStatus>("in_review").await.unwrap(),
            AdvisoryStatus::InReview
        );
        assert!(decode::<Severity>("bogus").await.is_err());
        assert!(decode::<Severity>("High").await.is_err());
        assert!(decode::<Tlp>("amber").await.is_err());
        assert!(decode::<AdvisoryStatus>("bogus").await.is_err());
        assert!(decode::<ResponseState>("").await.is_err());
    }

    /// The same on PostgreSQL, whose columns are `TEXT` too (skipped without a server).
    #[tokio::test]
    async fn postgres_text_reads_and_writes_the_same_names() {
        use crate::platform::stored_text::{decode_postgres, encodes_on_postgres};
        let Some(high) = decode_postgres::<Severity>("high").await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        assert_eq!(high.unwrap(), Severity::High);
        let strict = decode_postgres::<Tlp>("AMBER+STRICT").await.unwrap();
        assert_eq!(strict.unwrap(), Tlp::AmberStrict);
        assert_eq!(
            encodes_on_postgres(Tlp::AmberStrict, "AMBER+STRICT").await,
            Some(true)
        );
        let state = ResponseState::NotApplicable;
        assert_eq!(
            encodes_on_postgres(state, "not_applicable").await,
            Some(true)
        );
        let bogus = decode_postgres::<AdvisoryStatus>("bogus").await.unwrap();
        assert!(bogus.is_err());
    }

    #[test]
    fn names_typed_by_people_parse_exactly() {
        assert_eq!("medium".parse(), Ok(Severity::Medium));
        assert_eq!("AMBER+STRICT".parse(), Ok(Tlp::AmberStrict));
        assert!("Medium".parse::<Severity>().is_err());
        assert!("amber".parse::<Tlp>().is_err());
        assert!("closed".parse::<ResponseState>().is_err());
    }
}
