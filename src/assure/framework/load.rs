//! Reading framework folders — `framework.toml` with `requirements*.toml` (or an OSCAL
//! catalog) and an optional `profiles.toml` — from the files built into the binary or from a
//! content folder on disk, into checked [`Framework`]s.

use std::{collections::BTreeMap, path::Path};

use rust_embed::RustEmbed;

use super::{
    check,
    model::{Framework, Manifest, ProfileFile, RequirementFile},
    oscal,
};
use crate::platform::provenance::{ContentReport, Finding};

/// The built-in frameworks, embedded at build time.
#[derive(RustEmbed)]
#[folder = "content/frameworks/"]
struct Builtin;

/// Where framework folders live under a content folder.
pub const FOLDER: &str = "frameworks";

/// The files of one framework folder, by path inside it.
pub type Files = BTreeMap<String, Vec<u8>>;

fn text<'a>(files: &'a Files, name: &str, problems: &mut Vec<String>) -> Option<&'a str> {
    let bytes = files.get(name)?;
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) => {
            problems.push(format!("{name} is not UTF-8 text"));
            None
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    name: &str,
    text: &str,
    problems: &mut Vec<String>,
) -> Option<T> {
    toml::from_str(text)
        .map_err(|e| problems.push(format!("{name}: {}", e.message())))
        .ok()
}

/// Reads and checks the framework in `folder` (its name, for messages and the id check).
/// Each problem names the file it is about where it can.
pub fn framework_from_files(folder: &str, files: &Files) -> Result<Framework, Vec<String>> {
    let mut problems = Vec::new();
    let Some(manifest_text) = text(files, "framework.toml", &mut problems) else {
        problems.push("framework.toml is missing".into());
        return Err(problems);
    };
    let Some(manifest) = parse::<Manifest>("framework.toml", manifest_text, &mut problems) else {
        return Err(problems);
    };
    if manifest.id != folder {
        problems.push(format!(
            "framework.toml: id {:?} must match the folder name {folder:?}",
            manifest.id
        ));
    }
    let mut requirements = Vec::new();
    match &manifest.oscal {
        Some(catalog) => {
            let cited: Vec<String> = manifest.sources.iter().map(|s| s.id.clone()).collect();
            match text(files, catalog, &mut problems)
                .map(|json| oscal::read_catalog(json, &cited, &manifest.oscal_heading_classes))
            {
                Some(Ok(read)) => requirements = read.requirements,
                Some(Err(e)) => problems.push(format!("{catalog}: {e}")),
                None => problems.push(format!("{catalog}, named by framework.toml, is missing")),
            }
        }
        None => {
            let names: Vec<&String> = files
                .keys()
                .filter(|n| n.starts_with("requirements") && n.ends_with(".toml"))
                .collect();
            if names.is_empty() {
                problems.push("no requirements*.toml file and no oscal catalog".into());
            }
            for name in names {
                if let Some(file) = text(files, name, &mut problems)
                    .and_then(|t| parse::<RequirementFile>(name, t, &mut problems))
                {
                    requirements.extend(file.requirement);
                }
            }
        }
    }
    let profiles = match text(files, "profiles.toml", &mut problems) {
        Some(t) => parse::<ProfileFile>("profiles.toml", t, &mut problems)
            .map(|p| p.profile)
            .unwrap_or_default(),
        None => vec![],
    };
    let framework = Framework {
        about: manifest,
        requirements,
        profiles,
    };
    if problems.is_empty() {
        problems.extend(check::problems(&framework));
    }
    match problems.is_empty() {
        true => Ok(framework),
        false => Err(problems),
    }
}

/// Groups `<folder>/<file>` paths by folder.
fn group(paths: impl Iterator<Item = (String, Vec<u8>)>) -> BTreeMap<String, Files> {
    let mut out: BTreeMap<String, Files> = BTreeMap::new();
    for (path, bytes) in paths {
        if let Some((folder, file)) = path.split_once('/') {
            out.entry(folder.to_owned())
                .or_default()
                .insert(file.to_owned(), bytes);
        }
    }
    out
}

/// The built-in frameworks, each checked.
pub fn builtin() -> Result<Vec<Framework>, Vec<Finding>> {
    let files = Builtin::iter()
        .filter_map(|p| Builtin::get(&p).map(|f| (p.to_string(), f.data.into_owned())));
    let mut frameworks = Vec::new();
    let mut problems = Vec::new();
    for (folder, files) in group(files) {
        match framework_from_files(&folder, &files) {
            Ok(f) => frameworks.push(f),
            Err(found) => problems.extend(found.into_iter().map(|message| Finding {
                file: format!("{FOLDER}/{folder}"),
                message,
            })),
        }
    }
    match problems.is_empty() {
        true => Ok(frameworks),
        false => Err(problems),
    }
}

/// Reads every file of a framework folder on disk (one level deep: frameworks are flat).
fn read_folder(dir: &Path) -> std::io::Result<Files> {
    let mut files = Files::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file()
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            files.insert(name.to_owned(), std::fs::read(&path)?);
        }
    }
    Ok(files)
}

/// Checks every framework under `root/frameworks/` for `carecert content check`.
pub fn check_folder(root: &Path) -> ContentReport {
    read_checked(root).0
}

/// Checks every framework under `root/frameworks/`, returning the report and the
/// frameworks that passed (for checking the folder's mappings against).
pub fn read_checked(root: &Path) -> (ContentReport, Vec<Framework>) {
    let mut report = ContentReport::default();
    let mut passed = Vec::new();
    let dir = root.join(FOLDER);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            report.problems.push(Finding {
                file: FOLDER.into(),
                message: format!("cannot be read: {e}"),
            });
            return (report, passed);
        }
    };
    let mut folders: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for path in folders {
        let folder = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = format!("{FOLDER}/{folder}");
        let files = match read_folder(&path) {
            Ok(files) => files,
            Err(e) => {
                report.problems.push(Finding {
                    file,
                    message: format!("cannot be read: {e}"),
                });
                continue;
            }
        };
        match framework_from_files(&folder, &files) {
            Ok(f) => {
                let by_depth = f.count_by_depth();
                report.passed.push(format!(
                    "framework {} {} ({} requirements: {} by level, {} assessable)",
                    f.about.id,
                    f.about.version,
                    f.requirements.len(),
                    by_depth
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("/"),
                    f.assessable().count()
                ));
                report
                    .sources
                    .extend(f.about.sources.iter().cloned().map(|s| (file.clone(), s)));
                passed.push(f);
            }
            Err(found) => report
                .problems
                .extend(found.into_iter().map(|message| Finding {
                    file: file.clone(),
                    message,
                })),
        }
    }
    (report, passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    const MANIFEST: &str = r#"
id = "tiny"
title = "A tiny framework"
short_title = "Tiny"
version = "1"
publisher = "Us"
licence = "Our own words"
summary = "For tests."
applies_to = ["gp_practice"]
levels = ["area", "question"]

[[scale]]
id = "no"
label = "No"
score = 0
[[scale]]
id = "yes"
label = "Yes"
score = 1
met = true

[[sources]]
id = "ncsc"
publisher = "NCSC"
title = "Guidance"
url = "https://www.ncsc.gov.uk/"
checked = 2026-12-03
"#;

    const REQUIREMENTS: &str = r#"
[[requirement]]
id = "1"
title = "Backups"
assessable = false
sources = ["ncsc"]

[[requirement]]
id = "1.1"
parent = "1"
title = "Offline copy"
text = "You keep a copy of important data offline."
assessable = true
tags = ["backup", "mandatory"]
sources = ["ncsc"]
"#;

    #[test]
    fn a_folder_reads_into_a_checked_framework() {
        let f = framework_from_files(
            "tiny",
            &files(&[
                ("framework.toml", MANIFEST),
                ("requirements.toml", REQUIREMENTS),
            ]),
        )
        .expect("reads");
        assert_eq!(f.count_by_depth(), [1, 1]);
        assert_eq!(
            f.assessable().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["1.1"]
        );
    }

    #[test]
    fn unknown_values_and_a_wrong_folder_are_reported_by_file() {
        let bad_tag = REQUIREMENTS.replace("\"backup\"", "\"backups\"");
        let found = framework_from_files(
            "other",
            &files(&[
                ("framework.toml", MANIFEST),
                ("requirements.toml", &bad_tag),
            ]),
        )
        .unwrap_err()
        .join("\n");
        assert!(found.contains("must match the folder name"), "{found}");
        assert!(
            found.contains("requirements.toml: unknown variant `backups`"),
            "{found}"
        );
        let bad_type = MANIFEST.replace("gp_practice", "gp_surgery");
        let found = framework_from_files(
            "tiny",
            &files(&[
                ("framework.toml", &bad_type),
                ("requirements.toml", REQUIREMENTS),
            ]),
        )
        .unwrap_err()
        .join("\n");
        assert!(
            found.contains("framework.toml: unknown variant `gp_surgery`"),
            "{found}"
        );
    }

    #[test]
    fn the_built_in_frameworks_pass_their_checks() {
        let frameworks = builtin().expect("the built-in frameworks are valid");
        for f in &frameworks {
            assert!(f.assessable().count() > 0, "{}", f.about.id);
        }
    }
}
