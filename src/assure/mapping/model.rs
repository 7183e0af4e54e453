//! What a mapping file says (`content/mappings/<source>--<target>.toml`): which version of
//! one framework it relates to which version of another, its sources, and one edge per
//! pair of requirements with the NIST OLIR relationship between them.

use serde::{Deserialize, Serialize};

use crate::platform::provenance::Source;

/// How the source requirement relates to the target requirement, in the terms of NIST's
/// Online Informative References (OLIR) programme. Always read from source to target:
/// "subset" says the source asks for part of what the target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// Both ask for the same thing.
    Equal,
    /// The source asks for part of what the target asks for, and nothing more: meeting the
    /// target means meeting the source, not the other way round.
    Subset,
    /// The source asks for everything the target asks for, and more: meeting the source
    /// means meeting the target.
    Superset,
    /// They share some of what they ask for, and each asks for something the other does not.
    Intersect,
}

impl Relationship {
    /// The same edge read from target to source.
    pub fn reversed(self) -> Relationship {
        match self {
            Relationship::Subset => Relationship::Superset,
            Relationship::Superset => Relationship::Subset,
            same => same,
        }
    }

    /// What two edges in a row say about the first requirement and the last. A chain is as
    /// strong as its weakest hop: equal keeps the other hop's relationship, two hops that
    /// narrow (or widen) the same way keep that direction, anything else is only known to
    /// overlap.
    pub fn then(self, next: Relationship) -> Relationship {
        use Relationship::*;
        match (self, next) {
            (Equal, other) | (other, Equal) => other,
            (Subset, Subset) => Subset,
            (Superset, Superset) => Superset,
            _ => Intersect,
        }
    }

    /// Whether the source covers the whole of the target, so a met source result can be
    /// carried over without a person looking.
    pub fn covers_target(self) -> bool {
        matches!(self, Relationship::Equal | Relationship::Superset)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equal => "equal",
            Relationship::Subset => "subset",
            Relationship::Superset => "superset",
            Relationship::Intersect => "intersect",
        }
    }
}

/// One mapping file, as authors write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// `<source framework>--<target framework>`, the file's name without `.toml`.
    pub id: String,
    pub title: String,
    pub source: FrameworkVersion,
    pub target: FrameworkVersion,
    pub publisher: String,
    pub licence: String,
    pub summary: String,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default, rename = "mapping")]
    pub edges: Vec<Edge>,
}

/// The framework and version one side of a mapping was written against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkVersion {
    pub framework: String,
    pub version: String,
}

/// One `[[mapping]]`: an assessable requirement of the source framework, one of the target,
/// and how the first relates to the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub relationship: Relationship,
    /// Why the relationship holds, from the two requirements' texts.
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::Relationship::*;

    #[test]
    fn reversing_swaps_subset_and_superset_only() {
        assert_eq!(Subset.reversed(), Superset);
        assert_eq!(Superset.reversed(), Subset);
        assert_eq!(Equal.reversed(), Equal);
        assert_eq!(Intersect.reversed(), Intersect);
    }

    #[test]
    fn a_chain_is_as_strong_as_its_weakest_hop() {
        assert_eq!(Equal.then(Equal), Equal);
        assert_eq!(Equal.then(Superset), Superset);
        assert_eq!(Subset.then(Equal), Subset);
        assert_eq!(Superset.then(Superset), Superset);
        // Wider then narrower (or the reverse) says nothing about containment.
        assert_eq!(Superset.then(Subset), Intersect);
        assert_eq!(Subset.then(Superset), Intersect);
        assert_eq!(Intersect.then(Equal), Intersect);
        assert!(Superset.then(Equal).covers_target());
        assert!(!Subset.covers_target());
    }

    #[test]
    fn relationships_read_from_kebab_case_and_unknown_ones_fail() {
        #[derive(serde::Deserialize)]
        struct Wrap {
            r: super::Relationship,
        }
        let read = |s: &str| toml::from_str::<Wrap>(&format!("r = {s:?}")).map(|w| w.r);
        assert_eq!(read("superset").ok(), Some(Superset));
        assert!(read("overlaps").is_err());
    }
}
