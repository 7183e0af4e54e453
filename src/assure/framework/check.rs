//! The rules a framework must keep before anyone can be assessed against it: a tree whose
//! parents exist and never loop, headings that head something, a scale with something that
//! counts as met, indicators and profiles that name real levels and requirements, and a
//! checked source behind every requirement. Each problem is a sentence for the author.

use std::collections::{HashMap, HashSet};

use super::model::Framework;
use crate::platform::{provenance, tenants::OrgType};

/// The most a requirement may weigh against another.
pub const MAX_WEIGHT: u32 = 10;

/// Everything wrong with `f`; empty when it can be used.
pub fn problems(f: &Framework) -> Vec<String> {
    let mut out = Vec::new();
    let (source_problems, sources) = provenance::problems(&f.about.sources);
    out.extend(source_problems);
    check_description(f, &mut out);
    let levels = check_scale(f, &mut out);
    check_tree(f, &mut out);
    check_requirements(f, &levels, &sources, &mut out);
    check_profiles(f, &levels, &mut out);
    for s in &f.about.sources {
        if !f.requirements.iter().any(|r| r.sources.contains(&s.id)) {
            out.push(format!(
                "source {:?} is listed but no requirement cites it",
                s.id
            ));
        }
    }
    out
}

fn check_description(f: &Framework, out: &mut Vec<String>) {
    if !provenance::valid_id(&f.about.id) {
        out.push(format!(
            "id {:?} must be lower-case letters, digits and hyphens",
            f.about.id
        ));
    }
    for (field, value) in [
        ("title", &f.about.title),
        ("short_title", &f.about.short_title),
        ("version", &f.about.version),
        ("publisher", &f.about.publisher),
        ("licence", &f.about.licence),
        ("summary", &f.about.summary),
    ] {
        if value.trim().is_empty() {
            out.push(format!("{field} is empty"));
        }
    }
    if f.about.applies_to.is_empty() {
        out.push("applies_to names no organisation types".into());
    }
    if f.about.applies_to.contains(&OrgType::NationalTeam) {
        out.push("applies_to cannot include the national team".into());
    }
    if f.about.levels.is_empty() {
        out.push("levels must name the tree's levels, top first".into());
    }
}

/// Checks the scale and returns its level ids.
fn check_scale(f: &Framework, out: &mut Vec<String>) -> HashSet<String> {
    let mut ids = HashSet::new();
    if f.about.scale.len() < 2 {
        out.push("the scale needs at least two levels".into());
    }
    for level in &f.about.scale {
        if !provenance::valid_id(&level.id) {
            out.push(format!(
                "scale level id {:?} must be lower-case letters, digits and hyphens",
                level.id
            ));
        }
        if !ids.insert(level.id.clone()) {
            out.push(format!("scale level {:?} is listed twice", level.id));
        }
        if level.label.trim().is_empty() {
            out.push(format!("scale level {:?} has no label", level.id));
        }
    }
    if !f.about.scale.iter().any(|l| l.met) {
        out.push("no scale level has met = true, so nothing could meet a requirement".into());
    }
    if f.about.scale.windows(2).any(|w| w[0].score >= w[1].score) {
        out.push("scale levels must be listed worst first, each scoring more than the last".into());
    }
    if let Some(first_met) = f.about.scale.iter().position(|l| l.met)
        && f.about.scale[first_met..].iter().any(|l| !l.met)
    {
        out.push("every scale level above the first one that is met must be met too".into());
    }
    ids
}

fn check_tree(f: &Framework, out: &mut Vec<String>) {
    let mut ids = HashSet::new();
    for r in &f.requirements {
        if r.id.trim().is_empty() || r.id.chars().any(char::is_whitespace) || r.id.len() > 40 {
            out.push(format!(
                "requirement id {:?} must be 1 to 40 characters without spaces",
                r.id
            ));
        }
        if !ids.insert(r.id.as_str()) {
            out.push(format!("requirement {:?} is listed twice", r.id));
        }
    }
    let parent_of: HashMap<&str, &str> = f
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r.parent.as_str()))
        .collect();
    for r in &f.requirements {
        if !r.parent.is_empty() && !parent_of.contains_key(r.parent.as_str()) {
            out.push(format!(
                "requirement {:?} names parent {:?}, which does not exist",
                r.id, r.parent
            ));
            continue;
        }
        // Walking up never takes more steps than there are requirements, unless it loops.
        let mut at = r.parent.as_str();
        let mut steps = 0;
        while !at.is_empty() {
            if at == r.id || steps > f.requirements.len() {
                out.push(format!("requirement {:?} is its own ancestor", r.id));
                break;
            }
            at = parent_of.get(at).copied().unwrap_or("");
            steps += 1;
        }
        if steps + 1 > f.about.levels.len() && !f.about.levels.is_empty() {
            out.push(format!(
                "requirement {:?} is {} levels deep, but levels names only {}",
                r.id,
                steps + 1,
                f.about.levels.len()
            ));
        }
    }
    if f.requirements.iter().all(|r| !r.assessable) {
        out.push("no requirement is assessable".into());
    }
}

fn check_requirements(
    f: &Framework,
    levels: &HashSet<String>,
    sources: &HashSet<String>,
    out: &mut Vec<String>,
) {
    let parents: HashSet<&str> = f.requirements.iter().map(|r| r.parent.as_str()).collect();
    let mut indicator_ids = HashSet::new();
    for r in &f.requirements {
        let name = format!("requirement {:?}", r.id);
        if r.title.trim().is_empty() {
            out.push(format!("{name} has no title"));
        }
        // An assessable requirement may have its own assessable parts (a control and its
        // enhancements, each answered); a heading must head something.
        if !r.assessable && !parents.contains(r.id.as_str()) {
            out.push(format!(
                "{name} is a heading with nothing under it (set assessable = true if it is answered)"
            ));
        }
        if r.assessable && r.text.trim().is_empty() {
            out.push(format!("{name} says nothing: add its text"));
        }
        if !r.assessable
            && (!r.guidance.is_empty()
                || !r.evidence.is_empty()
                || !r.indicators.is_empty()
                || r.weight != 1)
        {
            out.push(format!(
                "{name} is a heading: guidance, evidence, indicators and weight belong on assessable requirements"
            ));
        }
        if !(1..=MAX_WEIGHT).contains(&r.weight) {
            out.push(format!(
                "{name}: weight must be 1 to {MAX_WEIGHT} (it is {})",
                r.weight
            ));
        }
        if r.sources.is_empty() {
            out.push(format!("{name} cites no sources"));
        }
        for s in &r.sources {
            if !sources.contains(s) {
                out.push(format!("{name} cites source {s:?}, which is not listed"));
            }
        }
        for i in &r.indicators {
            if !indicator_ids.insert(i.id.as_str()) {
                out.push(format!("indicator {:?} is listed twice", i.id));
            }
            if !levels.contains(&i.level) {
                out.push(format!(
                    "{name}: indicator {:?} is under level {:?}, which is not on the scale",
                    i.id, i.level
                ));
            }
            if i.text.trim().is_empty() {
                out.push(format!("{name}: indicator {:?} has no text", i.id));
            }
        }
    }
}

fn check_profiles(f: &Framework, levels: &HashSet<String>, out: &mut Vec<String>) {
    let mut ids = HashSet::new();
    for p in &f.profiles {
        let name = format!("profile {:?}", p.id);
        if !ids.insert(p.id.as_str()) {
            out.push(format!("{name} is listed twice"));
        }
        if p.organisation_types.is_empty() {
            out.push(format!("{name} names no organisation types"));
        }
        if !levels.contains(&p.default) {
            out.push(format!(
                "{name}: default {:?} is not on the scale",
                p.default
            ));
        }
        for (requirement, level) in &p.expected {
            match f.requirement(requirement) {
                None => out.push(format!(
                    "{name} expects a level of {requirement:?}, which does not exist"
                )),
                Some(r) if !r.assessable => out.push(format!(
                    "{name} expects a level of {requirement:?}, which is a heading"
                )),
                Some(_) => {}
            }
            if !levels.contains(level) {
                out.push(format!(
                    "{name}: {requirement:?} expects {level:?}, which is not on the scale"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::{
        assure::framework::model::{Indicator, Manifest, Profile, Requirement, ScaleLevel},
        platform::provenance::Source,
    };

    fn requirement(id: &str, parent: &str, assessable: bool) -> Requirement {
        Requirement {
            id: id.into(),
            parent: parent.into(),
            title: format!("Requirement {id}"),
            text: "Something the organisation does.".into(),
            assessable,
            guidance: String::new(),
            evidence: vec![],
            weight: 1,
            tags: vec![],
            sources: vec!["caf".into()],
            indicators: vec![],
        }
    }

    fn framework() -> Framework {
        let level = |id: &str, score, met| ScaleLevel {
            id: id.into(),
            label: id.into(),
            score,
            met,
        };
        Framework {
            about: Manifest {
                id: "caf-dspt".into(),
                title: "CAF-aligned DSPT".into(),
                short_title: "CAF DSPT".into(),
                version: "2026-27".into(),
                publisher: "NHS England".into(),
                licence: "Our own words".into(),
                summary: "For trusts.".into(),
                applies_to: vec![OrgType::NhsTrust],
                levels: vec!["objective".into(), "principle".into(), "outcome".into()],
                scale: vec![
                    level("not-achieved", 0, false),
                    level("partially-achieved", 1, false),
                    level("achieved", 2, true),
                ],
                oscal: None,
                oscal_heading_classes: vec![],
                sources: vec![Source {
                    id: "caf".into(),
                    publisher: "NCSC".into(),
                    title: "Cyber Assessment Framework".into(),
                    url: "https://www.ncsc.gov.uk/collection/cyber-assessment-framework".into(),
                    checked: Some(date!(2026 - 12 - 03)),
                    review_by: None,
                }],
            },
            requirements: vec![
                requirement("A", "", false),
                requirement("A1", "A", false),
                requirement("A1.a", "A1", true),
            ],
            profiles: vec![Profile {
                id: "trusts".into(),
                title: "NHS trusts".into(),
                organisation_types: vec![OrgType::NhsTrust],
                default: "achieved".into(),
                expected: [("A1.a".to_owned(), "partially-achieved".to_owned())].into(),
            }],
        }
    }

    #[test]
    fn a_well_formed_framework_has_no_problems() {
        assert_eq!(problems(&framework()), Vec::<String>::new());
    }

    #[test]
    fn a_missing_parent_a_loop_and_an_empty_heading_are_reported() {
        let mut f = framework();
        f.requirements.push(requirement("B1.a", "B1", true));
        f.requirements.push(requirement("X", "Y", false));
        f.requirements.push(requirement("Y", "X", false));
        f.requirements.push(requirement("C", "", false));
        let found = problems(&f).join("\n");
        assert!(
            found.contains("names parent \"B1\", which does not exist"),
            "{found}"
        );
        assert!(found.contains("\"X\" is its own ancestor"), "{found}");
        assert!(
            found.contains("\"C\" is a heading with nothing under it"),
            "{found}"
        );
    }

    #[test]
    fn indicators_and_profiles_must_name_real_levels_and_requirements() {
        let mut f = framework();
        f.requirements[2].indicators.push(Indicator {
            id: "A1.a.1".into(),
            level: "excellent".into(),
            text: "The board sets direction.".into(),
        });
        f.profiles[0]
            .expected
            .insert("A9.z".into(), "achieved".into());
        f.profiles[0]
            .expected
            .insert("A1".into(), "achieved".into());
        let found = problems(&f).join("\n");
        assert!(
            found.contains("level \"excellent\", which is not on the scale"),
            "{found}"
        );
        assert!(found.contains("\"A9.z\", which does not exist"), "{found}");
        assert!(found.contains("\"A1\", which is a heading"), "{found}");
    }

    #[test]
    fn every_requirement_cites_a_listed_checked_source() {
        let mut f = framework();
        f.requirements[2].sources = vec!["ncsc-caf-v5".into()];
        f.requirements[1].sources.clear();
        f.about.sources[0].checked = None;
        f.about.sources.push(Source {
            id: "unused".into(),
            ..f.about.sources[0].clone()
        });
        let found = problems(&f).join("\n");
        assert!(
            found.contains("\"unused\" is listed but no requirement cites it"),
            "{found}"
        );
        assert!(
            found.contains("cites source \"ncsc-caf-v5\", which is not listed"),
            "{found}"
        );
        assert!(found.contains("\"A1\" cites no sources"), "{found}");
        assert!(found.contains("has no checked date"), "{found}");
    }

    #[test]
    fn a_scale_must_rise_and_end_in_met() {
        let mut f = framework();
        f.about.scale.swap(0, 2);
        let found = problems(&f).join("\n");
        assert!(found.contains("worst first"), "{found}");
        for level in &mut f.about.scale {
            level.met = false;
        }
        assert!(
            problems(&f)
                .join("\n")
                .contains("nothing could meet a requirement")
        );
    }
}
