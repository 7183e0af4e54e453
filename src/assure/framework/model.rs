//! What a framework file says, as authors write it (`docs/CONTENT.md`, "Frameworks"), and
//! the assembled [`Framework`] an assessment is answered against.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::platform::{provenance::Source, tenants::OrgType};

/// `framework.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub version: String,
    pub publisher: String,
    pub licence: String,
    pub summary: String,
    pub applies_to: Vec<OrgType>,
    /// The names of the tree's levels, top first: ["objective", "principle", "outcome"].
    pub levels: Vec<String>,
    pub scale: Vec<ScaleLevel>,
    /// An OSCAL catalog in the folder holding the requirements, instead of
    /// `requirements*.toml`.
    #[serde(default)]
    pub oscal: Option<String>,
    /// With `oscal`: the control classes that only gather others ("category" in CSF 2.0),
    /// read as headings even where they have a statement.
    #[serde(default)]
    pub oscal_heading_classes: Vec<String>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// One answer on the framework's scale, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    pub id: String,
    pub label: String,
    pub score: u32,
    /// Whether this answer counts as meeting the requirement.
    #[serde(default)]
    pub met: bool,
}

/// One `requirements*.toml` file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementFile {
    #[serde(default)]
    pub requirement: Vec<Requirement>,
}

/// A node of the requirement tree: a heading (objective, function, standard) or something
/// answered (outcome, subcategory, assertion, question).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The official identifier ("A1.a", "GV.OC-01", "1.1").
    pub id: String,
    /// The parent's id; empty at the top level.
    #[serde(default)]
    pub parent: String,
    pub title: String,
    #[serde(default)]
    pub text: String,
    pub assessable: bool,
    #[serde(default)]
    pub guidance: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default = "one")]
    pub weight: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

fn one() -> u32 {
    1
}

/// What a requirement is about, for linking it to live evidence and ranking its gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// Must be met for the standard to be met.
    Mandatory,
    /// A "No" fails a certification application (Cyber Essentials).
    FailsApplication,
    People,
    Training,
    Patching,
    Alerts,
    Incident,
    Supplier,
    Backup,
    Access,
}

/// An indicator of good practice under one level of the scale (CAF's IGPs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    /// The scale level it describes.
    pub level: String,
    pub text: String,
}

/// `profiles.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    #[serde(default)]
    pub profile: Vec<Profile>,
}

/// The level an organisation type is expected to reach on each assessable requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub title: String,
    pub organisation_types: Vec<OrgType>,
    /// The expected level of any requirement not listed in `expected`.
    pub default: String,
    #[serde(default)]
    pub expected: BTreeMap<String, String>,
}

/// A checked framework: its description, scale and sources as `framework.toml` gives them,
/// the tree in display order, and its profiles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Framework {
    pub about: Manifest,
    pub requirements: Vec<Requirement>,
    pub profiles: Vec<Profile>,
}

impl Framework {
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// The requirements an assessment answers, in display order.
    pub fn assessable(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(|r| r.assessable)
    }

    /// The children of `parent` ("" for the top level), in display order.
    pub fn children<'a>(&'a self, parent: &'a str) -> impl Iterator<Item = &'a Requirement> {
        self.requirements.iter().filter(move |r| r.parent == parent)
    }

    /// How many requirements there are at each depth, top first.
    pub fn count_by_depth(&self) -> Vec<usize> {
        let mut counts: Vec<usize> = Vec::new();
        for r in &self.requirements {
            let mut depth = 0;
            let mut parent = r.parent.as_str();
            while let Some(p) = self.requirement(parent) {
                depth += 1;
                parent = p.parent.as_str();
                if depth > self.requirements.len() {
                    break;
                }
            }
            if counts.len() <= depth {
                counts.resize(depth + 1, 0);
            }
            counts[depth] += 1;
        }
        counts
    }
}
