//! What the pages show of an advisory, prepared once for every page that shows one (the
//! analyst's preview, an organisation's response page, the public page).

use crate::alerts::{
    model::{AdvisoryContent, Audience, Severity, Tlp},
    rules::versions,
    store::advisories::{AdvisoryRow, RevisionRow},
};

/// "29 November 2026 at 14:05 UTC": the platform's way, under the name these pages use.
use crate::platform::web::format::date_and_time;

/// The NHS.UK tag colour for a severity.
pub fn severity_tag(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "nhsuk-tag--red",
        Severity::High => "nhsuk-tag--orange",
        Severity::Medium => "nhsuk-tag--yellow",
        Severity::Low => "nhsuk-tag--grey",
    }
}

/// The NHS.UK tag colour for a TLP label.
pub fn tlp_tag(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "nhsuk-tag--white",
        Tlp::Green => "nhsuk-tag--green",
        Tlp::Amber | Tlp::AmberStrict => "nhsuk-tag--orange",
        Tlp::Red => "nhsuk-tag--red",
    }
}

pub struct ProductView {
    pub vendor: String,
    pub product: String,
    pub versions: String,
    pub identifier: String,
}

pub struct CveView {
    pub id: String,
    pub score: String,
    pub vector: String,
}

pub struct RevisionView {
    pub number: i64,
    pub date: String,
    pub summary: String,
    pub author: String,
}

/// An advisory ready for `alerts/body.html`.
pub struct AdvisoryView {
    pub label: String,
    pub title: String,
    pub severity: &'static str,
    pub severity_tag: &'static str,
    pub severity_reason: String,
    pub tlp: &'static str,
    pub tlp_tag: &'static str,
    pub tlp_meaning: &'static str,
    pub summary: Vec<String>,
    pub actively_exploited: bool,
    pub in_kev: bool,
    pub products: Vec<ProductView>,
    pub cves: Vec<CveView>,
    pub remediation: Vec<String>,
    pub workarounds: Vec<String>,
    pub references: Vec<(String, String)>,
    pub audience: String,
    pub ack: String,
    pub published: Option<String>,
    pub updated: Option<String>,
    pub withdrawn: Option<String>,
    pub revisions: Vec<RevisionView>,
    pub status: String,
}

fn audience_text(a: &Audience) -> String {
    match a {
        Audience::All => "All organisations".into(),
        Audience::Types(types) => types
            .iter()
            .map(|t| format!("{}s", t.label()))
            .collect::<Vec<_>>()
            .join(", "),
        Audience::Organisations(ids) => format!(
            "{} named organisation{}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        ),
    }
}

impl AdvisoryView {
    pub fn new(row: &AdvisoryRow, c: &AdvisoryContent, revisions: &[RevisionRow]) -> Self {
        AdvisoryView {
            label: row.label().to_owned(),
            title: c.title.clone(),
            severity: c.severity.label(),
            severity_tag: severity_tag(c.severity),
            severity_reason: c.severity_reason.clone(),
            tlp: c.tlp.as_str(),
            tlp_tag: tlp_tag(c.tlp),
            tlp_meaning: c.tlp.meaning(),
            summary: c
                .summary
                .split("\n\n")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            actively_exploited: c.actively_exploited,
            in_kev: c.in_kev,
            products: c
                .affected
                .iter()
                .map(|p| ProductView {
                    vendor: p.vendor.clone(),
                    product: p.product.clone(),
                    versions: if p.versions.is_empty() {
                        "All versions".into()
                    } else {
                        p.versions
                            .iter()
                            .map(versions::format_range)
                            .collect::<Vec<_>>()
                            .join("; ")
                    },
                    identifier: p.purl.clone().or_else(|| p.cpe.clone()).unwrap_or_default(),
                })
                .collect(),
            cves: c
                .cves
                .iter()
                .map(|v| CveView {
                    id: v.id.clone(),
                    score: v
                        .cvss_score
                        .map(|s| format!("{s:.1}"))
                        .unwrap_or_else(|| "Not scored".into()),
                    vector: v.cvss_vector.clone().unwrap_or_default(),
                })
                .collect(),
            remediation: c.remediation.clone(),
            workarounds: c.workarounds.clone(),
            references: c
                .references
                .iter()
                .map(|r| (r.url.clone(), r.title.clone()))
                .collect(),
            audience: audience_text(&c.audience),
            ack: if c.ack_required {
                format!(
                    "Required within {} hours of publication",
                    c.ack_hours.unwrap_or(48)
                )
            } else {
                "Not required".into()
            },
            published: row.published_at.map(date_and_time),
            updated: match (row.current_release_at, row.published_at) {
                (Some(c), Some(p)) if c != p => Some(date_and_time(c)),
                _ => None,
            },
            withdrawn: row.withdrawn_reason.clone(),
            revisions: revisions
                .iter()
                .map(|r| RevisionView {
                    number: r.number,
                    date: date_and_time(r.created_at),
                    summary: r.summary.clone(),
                    author: r.author.clone(),
                })
                .collect(),
            status: match row.status {
                crate::alerts::model::AdvisoryStatus::Draft => "Draft".into(),
                crate::alerts::model::AdvisoryStatus::InReview => "Awaiting review".into(),
                crate::alerts::model::AdvisoryStatus::Published => "Published".into(),
                crate::alerts::model::AdvisoryStatus::Withdrawn => "Withdrawn".into(),
            },
        }
    }
}
