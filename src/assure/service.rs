//! Assure as the platform composes it. So far: storing the built-in frameworks at start-up,
//! the check of its framework and mapping files (which `carecert content check` runs with
//! every other service's), and the frameworks' sources for the national content page.

use std::path::Path;

use super::{
    framework::{load, model::Framework},
    mapping, store,
};
use crate::platform::{
    AppState,
    db::Db,
    provenance::page::{CitedSource, SourceUse},
    secrets::SecretBox,
    service::{BoxFuture, Service},
};

pub fn service() -> Service {
    Service::new("assure")
        .content_check(check_content)
        .sources(cited_sources)
        .prepare(prepare)
}

/// Checks a content folder's frameworks, then its mappings against those frameworks and
/// any built-in framework version the folder does not have.
fn check_content(root: &Path) -> crate::platform::provenance::ContentReport {
    let (mut report, mut frameworks) = load::read_checked(root);
    if let Ok(builtin) = load::builtin() {
        for f in builtin {
            if !frameworks
                .iter()
                .any(|g| g.about.id == f.about.id && g.about.version == f.about.version)
            {
                frameworks.push(f);
            }
        }
    }
    report.extend(mapping::load::check_folder(root, &frameworks));
    report
}

/// Stores the built-in framework versions not stored yet.
fn prepare<'a>(db: &'a Db, _: &'a SecretBox) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        let frameworks = builtin()?;
        store::frameworks::sync_builtin(db, &frameworks).await?;
        Ok(())
    })
}

fn builtin() -> anyhow::Result<Vec<Framework>> {
    load::builtin().map_err(|problems| {
        anyhow::anyhow!(
            "the built-in frameworks are not valid: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}

/// Every source of a framework, with the requirements that rely on it.
pub fn cited_by_framework(f: &Framework) -> Vec<CitedSource> {
    let cited_in = format!("{} (version {})", f.about.title, f.about.version);
    f.about
        .sources
        .iter()
        .map(|s| CitedSource {
            source: s.clone(),
            cited_in: cited_in.clone(),
            used_by: f
                .requirements
                .iter()
                .filter(|r| r.sources.contains(&s.id))
                .map(|r| SourceUse {
                    label: format!("Requirement {}: {}", r.id, r.title),
                    href: None,
                })
                .collect(),
        })
        .collect()
}

/// The sources of the current version of every framework, built-in or imported.
fn cited_sources(state: &AppState) -> BoxFuture<'_, anyhow::Result<Vec<CitedSource>>> {
    Box::pin(async move {
        let frameworks = store::frameworks::current(&state.db).await?;
        Ok(frameworks.iter().flat_map(cited_by_framework).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_source_is_relied_on_by_some_requirement() {
        let frameworks = load::builtin().expect("the built-in frameworks are valid");
        assert!(
            frameworks.len() >= 4,
            "CAF-aligned DSPT, NDG, Cyber Essentials, CSF"
        );
        for f in &frameworks {
            for cited in cited_by_framework(f) {
                assert!(
                    !cited.used_by.is_empty(),
                    "{}: {} is cited by nothing",
                    f.about.id,
                    cited.source.id
                );
            }
        }
    }
}
