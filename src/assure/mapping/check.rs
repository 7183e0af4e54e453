//! The rules a mapping must keep before it can propose answers: it names two different
//! frameworks at versions that exist, every edge joins two assessable requirements that
//! exist, says why, and appears once, and its sources are checked like any content's.
//! Each problem is a sentence for the author.

use std::collections::HashSet;

use super::model::{FrameworkVersion, Mapping};
use crate::{assure::framework::model::Framework, platform::provenance};

/// Everything wrong with `m`, checked against `frameworks` (every known version of every
/// framework); empty when it can be used.
pub fn problems(m: &Mapping, frameworks: &[Framework]) -> Vec<String> {
    let (mut out, _) = provenance::problems(&m.sources);
    if m.sources.is_empty() {
        out.push("no [[sources]]: cite what the mapping is based on".into());
    }
    for side in [&m.source, &m.target] {
        if !provenance::valid_id(&side.framework) {
            out.push(format!(
                "framework id {:?} must be lower-case letters, digits and hyphens",
                side.framework
            ));
        }
    }
    // Framework ids cannot contain "--", so the pair can always be read back from the id.
    let expected_id = format!("{}--{}", m.source.framework, m.target.framework);
    if m.id != expected_id {
        out.push(format!("id {:?} must be {expected_id:?}", m.id));
    }
    if m.source.framework == m.target.framework {
        out.push("a mapping must join two different frameworks".into());
    }
    for (field, value) in [
        ("title", &m.title),
        ("publisher", &m.publisher),
        ("licence", &m.licence),
        ("summary", &m.summary),
    ] {
        if value.trim().is_empty() {
            out.push(format!("{field} is empty"));
        }
    }
    let source = find(&m.source, "source", frameworks, &mut out);
    let target = find(&m.target, "target", frameworks, &mut out);
    if m.edges.is_empty() {
        out.push("no [[mapping]] edges".into());
    }
    let mut seen = HashSet::new();
    for e in &m.edges {
        let name = format!("edge {:?} -> {:?}", e.source, e.target);
        if !seen.insert((e.source.as_str(), e.target.as_str())) {
            out.push(format!("{name} is listed twice"));
        }
        if e.note.trim().is_empty() {
            out.push(format!("{name} has no note saying why it holds"));
        }
        for (f, id, side) in [(source, &e.source, "source"), (target, &e.target, "target")] {
            let Some(f) = f else { continue };
            match f.requirement(id) {
                None => out.push(format!(
                    "{name}: {side} {id:?} is not a requirement of {} {}",
                    f.about.id, f.about.version
                )),
                Some(r) if !r.assessable => out.push(format!(
                    "{name}: {side} {id:?} is a heading of {}; map only assessable requirements",
                    f.about.id
                )),
                Some(_) => {}
            }
        }
    }
    out
}

/// Mappings that join the same two framework versions as an earlier one, in either
/// direction: projection reads every mapping both ways, so a second one would give the
/// same pairs twice, perhaps with different relationships. Returns each later mapping's
/// index with the problem.
pub fn repeated_pairs(mappings: &[Mapping]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, m) in mappings.iter().enumerate() {
        if let Some(earlier) = mappings[..i].iter().find(|e| {
            (e.source == m.source && e.target == m.target)
                || (e.source == m.target && e.target == m.source)
        }) {
            out.push((
                i,
                format!(
                    "joins the same framework versions as {}; keep one mapping per pair (it is read both ways)",
                    earlier.id
                ),
            ));
        }
    }
    out
}

/// The framework a side names, reporting what is missing.
fn find<'a>(
    side: &FrameworkVersion,
    which: &str,
    frameworks: &'a [Framework],
    out: &mut Vec<String>,
) -> Option<&'a Framework> {
    let versions: Vec<&str> = frameworks
        .iter()
        .filter(|f| f.about.id == side.framework)
        .map(|f| f.about.version.as_str())
        .collect();
    let found = frameworks
        .iter()
        .find(|f| f.about.id == side.framework && f.about.version == side.version);
    if found.is_none() {
        out.push(match versions.is_empty() {
            true => format!("{which} framework {:?} does not exist", side.framework),
            false => format!(
                "{which} framework {:?} has no version {:?} (it has {})",
                side.framework,
                side.version,
                versions.join(", ")
            ),
        });
    }
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use time::macros::date;

    use super::*;
    use crate::{
        assure::{
            framework::model::{Manifest, Requirement, ScaleLevel},
            mapping::model::{Edge, Relationship},
        },
        platform::{provenance::Source, tenants::OrgType},
    };

    pub(crate) fn checked_source() -> Source {
        Source {
            id: "ncsc-caf".into(),
            publisher: "National Cyber Security Centre".into(),
            title: "Cyber Assessment Framework".into(),
            url: "https://www.ncsc.gov.uk/collection/cyber-assessment-framework".into(),
            checked: Some(date!(2026 - 12 - 03)),
            review_by: None,
        }
    }

    /// A framework `id` with a heading "H" and the assessable requirements `ids`, on
    /// `scale` (level ids worst first; those in `met` count as met).
    pub(crate) fn framework(id: &str, ids: &[&str], scale: &[&str], met: &[&str]) -> Framework {
        let heading = Requirement {
            id: "H".into(),
            parent: String::new(),
            title: "Heading".into(),
            text: String::new(),
            assessable: false,
            guidance: String::new(),
            evidence: vec![],
            weight: 1,
            tags: vec![],
            sources: vec!["ncsc-caf".into()],
            indicators: vec![],
        };
        let mut requirements = vec![heading.clone()];
        requirements.extend(ids.iter().map(|r| Requirement {
            id: (*r).into(),
            parent: "H".into(),
            title: format!("Requirement {r}"),
            text: "Something done.".into(),
            assessable: true,
            ..heading.clone()
        }));
        Framework {
            about: Manifest {
                id: id.into(),
                title: id.into(),
                short_title: id.into(),
                version: "1".into(),
                publisher: "Us".into(),
                licence: "Our own words".into(),
                summary: "For tests.".into(),
                applies_to: vec![OrgType::NhsTrust],
                levels: vec!["heading".into(), "requirement".into()],
                scale: scale
                    .iter()
                    .zip(0..)
                    .map(|(l, score)| ScaleLevel {
                        id: (*l).into(),
                        label: (*l).into(),
                        score,
                        met: met.contains(l),
                    })
                    .collect(),
                oscal: None,
                oscal_heading_classes: vec![],
                sources: vec![checked_source()],
            },
            requirements,
            profiles: vec![],
        }
    }

    pub(crate) fn edge(source: &str, target: &str, relationship: Relationship) -> Edge {
        Edge {
            source: source.into(),
            target: target.into(),
            relationship,
            note: "Both ask for it.".into(),
        }
    }

    pub(crate) fn mapping(source: &str, target: &str, edges: Vec<Edge>) -> Mapping {
        Mapping {
            id: format!("{source}--{target}"),
            title: "A mapping".into(),
            source: FrameworkVersion {
                framework: source.into(),
                version: "1".into(),
            },
            target: FrameworkVersion {
                framework: target.into(),
                version: "1".into(),
            },
            publisher: "CareCERT".into(),
            licence: "Our own words".into(),
            summary: "For tests.".into(),
            sources: vec![checked_source()],
            edges,
        }
    }

    fn both() -> Vec<Framework> {
        vec![
            framework("aa", &["a1", "a2"], &["no", "yes"], &["yes"]),
            framework("bb", &["b1", "b2"], &["no", "yes"], &["yes"]),
        ]
    }

    #[test]
    fn a_well_formed_mapping_has_no_problems() {
        let m = mapping(
            "aa",
            "bb",
            vec![
                edge("a1", "b1", Relationship::Equal),
                edge("a2", "b1", Relationship::Intersect),
            ],
        );
        assert_eq!(problems(&m, &both()), Vec::<String>::new());
    }

    #[test]
    fn unknown_frameworks_versions_and_requirements_are_reported() {
        let mut m = mapping("aa", "cc", vec![edge("a9", "b1", Relationship::Subset)]);
        let found = problems(&m, &both()).join("\n");
        assert!(
            found.contains("target framework \"cc\" does not exist"),
            "{found}"
        );
        assert!(
            found.contains("source \"a9\" is not a requirement of aa 1"),
            "{found}"
        );
        m.target.framework = "bb".into();
        m.target.version = "2".into();
        m.id = "aa--bb".into();
        let found = problems(&m, &both()).join("\n");
        assert!(
            found.contains("\"bb\" has no version \"2\" (it has 1)"),
            "{found}"
        );
    }

    #[test]
    fn headings_duplicates_and_silent_edges_are_reported() {
        let mut m = mapping(
            "aa",
            "bb",
            vec![
                edge("a1", "H", Relationship::Equal),
                edge("a1", "b1", Relationship::Equal),
                edge("a1", "b1", Relationship::Superset),
            ],
        );
        m.edges[1].note = " ".into();
        let found = problems(&m, &both()).join("\n");
        assert!(found.contains("target \"H\" is a heading of bb"), "{found}");
        assert!(
            found.contains("\"a1\" -> \"b1\" is listed twice"),
            "{found}"
        );
        assert!(found.contains("has no note"), "{found}");
    }

    #[test]
    fn a_second_mapping_between_the_same_versions_is_reported_either_way_round() {
        let ab = mapping("aa", "bb", vec![edge("a1", "b1", Relationship::Equal)]);
        let ba = mapping("bb", "aa", vec![edge("b1", "a1", Relationship::Subset)]);
        let mut other_version = ab.clone();
        other_version.target.version = "2".into();
        let found = repeated_pairs(&[ab, other_version, ba]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("same framework versions as aa--bb"));
    }

    #[test]
    fn the_id_names_both_frameworks_and_sources_are_checked() {
        let mut m = mapping("aa", "bb", vec![edge("a1", "b1", Relationship::Equal)]);
        m.id = "aa-to-bb".into();
        m.sources[0].checked = None;
        let found = problems(&m, &both()).join("\n");
        assert!(found.contains("must be \"aa--bb\""), "{found}");
        assert!(found.contains("has no checked date"), "{found}");
        m.sources.clear();
        assert!(problems(&m, &both()).join("\n").contains("no [[sources]]"));
    }
}
