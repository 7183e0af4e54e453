//! Reading mapping files (`mappings/<source>--<target>.toml`) from the files built into the
//! binary or from a content folder on disk, each checked against the frameworks it joins.

use std::path::Path;

use rust_embed::RustEmbed;

use super::{check, model::Mapping};
use crate::{
    assure::framework::model::Framework,
    platform::provenance::{ContentReport, Finding},
};

/// The built-in mappings, embedded at build time.
#[derive(RustEmbed)]
#[folder = "content/mappings/"]
#[include = "*.toml"]
struct Builtin;

/// Where mapping files live under a content folder.
pub const FOLDER: &str = "mappings";

/// Reads and checks one mapping file, named `name` (`<id>.toml`), against `frameworks`.
pub fn mapping_from_text(
    name: &str,
    text: &str,
    frameworks: &[Framework],
) -> Result<Mapping, Vec<String>> {
    let m: Mapping = toml::from_str(text).map_err(|e| vec![e.message().to_owned()])?;
    let mut problems = check::problems(&m, frameworks);
    if name.strip_suffix(".toml") != Some(m.id.as_str()) {
        problems.push(format!("the file must be named {}.toml", m.id));
    }
    match problems.is_empty() {
        true => Ok(m),
        false => Err(problems),
    }
}

fn findings(file: &str, problems: Vec<String>) -> impl Iterator<Item = Finding> + '_ {
    problems.into_iter().map(move |message| Finding {
        file: format!("{FOLDER}/{file}"),
        message,
    })
}

/// The built-in mappings, each checked against `frameworks` (the built-in ones).
pub fn builtin(frameworks: &[Framework]) -> Result<Vec<Mapping>, Vec<Finding>> {
    let mut mappings = Vec::new();
    let mut problems = Vec::new();
    for name in Builtin::iter() {
        let Some(file) = Builtin::get(&name) else {
            continue;
        };
        let result = std::str::from_utf8(&file.data)
            .map_err(|_| vec!["is not UTF-8 text".to_owned()])
            .and_then(|text| mapping_from_text(&name, text, frameworks));
        match result {
            Ok(m) => mappings.push(m),
            Err(found) => problems.extend(findings(&name, found)),
        }
    }
    for (i, message) in check::repeated_pairs(&mappings) {
        let name = format!("{}.toml", mappings[i].id);
        problems.extend(findings(&name, vec![message]));
    }
    match problems.is_empty() {
        true => Ok(mappings),
        false => Err(problems),
    }
}

/// Checks every mapping under `root/mappings/` for `carecert content check`, against
/// `frameworks` (those of the same content folder, and the built-in ones it lacks). A
/// content folder without mappings has nothing to check.
pub fn check_folder(root: &Path, frameworks: &[Framework]) -> ContentReport {
    let mut report = ContentReport::default();
    let dir = root.join(FOLDER);
    if !dir.exists() {
        return report;
    }
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            report.problems.push(Finding {
                file: FOLDER.into(),
                message: format!("cannot be read: {e}"),
            });
            return report;
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut read = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = std::fs::read_to_string(&path)
            .map_err(|e| vec![format!("cannot be read: {e}")])
            .and_then(|text| mapping_from_text(&name, &text, frameworks));
        match result {
            Err(found) => report.problems.extend(findings(&name, found)),
            Ok(m) => read.push((name, m)),
        }
    }
    let repeated = check::repeated_pairs(&read.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>());
    for (i, (name, m)) in read.into_iter().enumerate() {
        match repeated.iter().find(|(at, _)| *at == i) {
            Some((_, message)) => report
                .problems
                .extend(findings(&name, vec![message.clone()])),
            None => {
                report.passed.push(format!(
                    "mapping {} ({} {} to {} {}: {})",
                    m.id,
                    m.source.framework,
                    m.source.version,
                    m.target.framework,
                    m.target.version,
                    summary(&m)
                ));
                let file = format!("{FOLDER}/{name}");
                report
                    .sources
                    .extend(m.sources.into_iter().map(|s| (file.clone(), s)));
            }
        }
    }
    report
}

/// "23 edges: 2 equal, 0 subset, 5 superset, 16 intersect".
pub fn summary(m: &Mapping) -> String {
    use super::model::Relationship::*;
    let count = |r| m.edges.iter().filter(|e| e.relationship == r).count();
    format!(
        "{} edges: {} equal, {} subset, {} superset, {} intersect",
        m.edges.len(),
        count(Equal),
        count(Subset),
        count(Superset),
        count(Intersect)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::{
        framework::{self, model::Framework},
        mapping::{check::tests::framework, model::Relationship},
    };

    fn both() -> Vec<Framework> {
        vec![
            framework("aa", &["a1"], &["no", "yes"], &["yes"]),
            framework("bb", &["b1"], &["no", "yes"], &["yes"]),
        ]
    }

    const FILE: &str = r#"
id = "aa--bb"
title = "AA to BB"
publisher = "CareCERT"
licence = "Our own words"
summary = "For tests."
source = { framework = "aa", version = "1" }
target = { framework = "bb", version = "1" }

[[sources]]
id = "ncsc-caf"
publisher = "NCSC"
title = "Cyber Assessment Framework"
url = "https://www.ncsc.gov.uk/collection/cyber-assessment-framework"
checked = 2026-12-03

[[mapping]]
source = "a1"
target = "b1"
relationship = "superset"
note = "a1 asks for all of b1."
"#;

    #[test]
    fn a_file_reads_into_a_checked_mapping() {
        let m = mapping_from_text("aa--bb.toml", FILE, &both()).expect("reads");
        assert_eq!(m.edges[0].relationship, Relationship::Superset);
        assert_eq!(
            summary(&m),
            "1 edges: 0 equal, 0 subset, 1 superset, 0 intersect"
        );
    }

    #[test]
    fn unknown_fields_and_relationships_and_a_wrong_name_are_reported() {
        let found = mapping_from_text(
            "aa--bb.toml",
            &FILE.replace("superset", "overlaps"),
            &both(),
        )
        .unwrap_err()
        .join("\n");
        assert!(found.contains("unknown variant `overlaps`"), "{found}");
        let found = mapping_from_text("aa--bb.toml", &FILE.replace("note =", "why ="), &both())
            .unwrap_err()
            .join("\n");
        assert!(found.contains("unknown field `why`"), "{found}");
        let found = mapping_from_text("bb--aa.toml", FILE, &both())
            .unwrap_err()
            .join("\n");
        assert!(found.contains("must be named aa--bb.toml"), "{found}");
    }

    #[test]
    fn the_shipped_mappings_hold_against_the_built_in_frameworks() {
        let frameworks = framework::load::builtin().expect("the built-in frameworks are valid");
        let mappings = builtin(&frameworks).unwrap_or_else(|problems| {
            panic!(
                "{}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        let ids: Vec<&str> = mappings.iter().map(|m| m.id.as_str()).collect();
        for expected in [
            "caf-dspt--ndg-standards",
            "caf-dspt--cyber-essentials",
            "cyber-essentials--nist-csf-2",
            "caf-dspt--nist-csf-2",
        ] {
            assert!(ids.contains(&expected), "{expected} is missing: {ids:?}");
        }
    }

    #[test]
    fn the_shipped_content_folder_passes_the_content_check() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let frameworks = framework::load::builtin().expect("the built-in frameworks are valid");
        let report = check_folder(&root, &frameworks);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.passed.len(), 4, "{:?}", report.passed);
    }
}
