//! Assure as the platform composes it: its pages and menu entry, the evidence expiry
//! reminders, storing the built-in frameworks at start-up, the check of its framework and
//! mapping files (which `carecert content check` runs with every other service's), and the
//! frameworks' sources for the national content page.

use std::path::Path;

use time::OffsetDateTime;

use super::{
    evidence_reminders,
    framework::{load, model::Framework},
    mapping, pages, store,
};
use crate::platform::{
    AppState,
    authz::Principal,
    db::Db,
    provenance::page::{CitedSource, SourceUse},
    secrets::SecretBox,
    service::{BoxFuture, DemoContext, NavLink, SCAN_EVERY, Service},
};

pub fn service() -> Service {
    Service::new("assure")
        .routes(pages::routes())
        .scan("evidence expiry reminders", SCAN_EVERY, remind)
        .nav(nav)
        .demo(load_demo)
        .content_check(check_content)
        .sources(cited_sources)
        .prepare(prepare)
}

fn load_demo<'a>(demo: &'a DemoContext<'a>) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(super::demo::load(demo.db))
}

fn remind(state: &AppState, at: OffsetDateTime) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move {
        evidence_reminders::scan(&state.db, &state.config.public_url, at).await?;
        Ok(())
    })
}

/// A security lead's menu has their organisation's assessments.
fn nav(p: &Principal) -> Vec<NavLink> {
    NavLink::per_led_organisation(
        p,
        2,
        |m, only_one| match only_one {
            true => "Assessments".to_owned(),
            false => format!("Assessments: {}", m.organisation_name),
        },
        |m| pages::assessments_path(m.organisation_id),
    )
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
