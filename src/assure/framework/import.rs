//! A standard someone brings as an OSCAL catalog, made into a framework: the catalog gives
//! the requirement tree, title and version; the person importing says what to call it, who
//! publishes it and where it came from, which becomes its dated source. The result is
//! checked like a built-in framework before anything is stored.

use time::Date;

use super::{
    check,
    model::{Framework, Manifest, ScaleLevel},
    oscal,
};
use crate::platform::{provenance::Source, tenants::OrgType};

/// What the person importing says about the catalog.
pub struct Described<'a> {
    /// The framework's id: lower-case letters, digits and hyphens.
    pub id: &'a str,
    pub publisher: &'a str,
    /// Where the catalog was published (https).
    pub source_url: &'a str,
}

/// An imported framework, with how many withdrawn controls were left out.
pub struct Imported {
    pub framework: Framework,
    pub withdrawn: usize,
}

/// The scale an imported catalog is answered on: how far each control is in place.
fn implementation_scale() -> Vec<ScaleLevel> {
    [
        ("not-implemented", "Not implemented", 0, false),
        ("partial", "Partially implemented", 1, false),
        ("largely", "Largely implemented", 2, false),
        ("implemented", "Implemented", 3, true),
    ]
    .into_iter()
    .map(|(id, label, score, met)| ScaleLevel {
        id: id.into(),
        label: label.into(),
        score,
        met,
    })
    .collect()
}

/// Reads `json` as an OSCAL catalog and checks the framework it makes. `today` dates the
/// source: the person importing has the publisher's file in hand.
pub fn from_oscal(json: &str, said: &Described<'_>, today: Date) -> Result<Imported, Vec<String>> {
    const SOURCE: &str = "catalog";
    let read =
        oscal::read_catalog(json, &[SOURCE.to_owned()], &[]).map_err(|e| vec![e.to_string()])?;
    let mut framework = Framework {
        about: Manifest {
            id: said.id.to_owned(),
            short_title: read.title.clone(),
            summary: format!(
                "Imported from the OSCAL {} catalog \"{}\".",
                read.oscal_version, read.title
            ),
            title: read.title.clone(),
            version: read.version.clone(),
            publisher: said.publisher.to_owned(),
            licence: "As published with the catalog: see its source".into(),
            applies_to: OrgType::REGISTRABLE.to_vec(),
            levels: vec![],
            scale: implementation_scale(),
            oscal: None,
            oscal_heading_classes: vec![],
            sources: vec![Source {
                id: SOURCE.into(),
                publisher: said.publisher.to_owned(),
                title: read.title,
                url: said.source_url.to_owned(),
                checked: Some(today),
                review_by: None,
            }],
        },
        requirements: read.requirements,
        profiles: vec![],
    };
    framework.about.levels = (1..=framework.count_by_depth().len())
        .map(|depth| format!("level {depth}"))
        .collect();
    let problems = check::problems(&framework);
    match problems.is_empty() {
        true => Ok(Imported {
            framework,
            withdrawn: read.withdrawn,
        }),
        false => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const SAID: Described<'static> = Described {
        id: "test-catalog",
        publisher: "NIST",
        source_url: "https://github.com/usnistgov/oscal-content",
    };

    const CATALOG: &str = r#"{"catalog": {"uuid": "9e5a1a3c-1111-4c4c-8a8a-000000000001",
      "metadata": {"title": "Two controls", "version": "2.1", "oscal-version": "1.1.2"},
      "groups": [{"id": "g", "title": "Group", "controls": [
        {"id": "c-1", "title": "One", "parts": [{"name": "statement", "prose": "Do one."}]},
        {"id": "c-2", "title": "Two", "props": [{"name": "status", "value": "withdrawn"}]}
      ]}]}}"#;

    #[test]
    fn a_catalog_becomes_a_checked_framework_with_a_dated_source() {
        let imported = from_oscal(CATALOG, &SAID, date!(2026 - 12 - 03)).expect("imports");
        let f = &imported.framework;
        assert_eq!(imported.withdrawn, 1);
        assert_eq!(
            (f.about.title.as_str(), f.about.version.as_str()),
            ("Two controls", "2.1")
        );
        assert_eq!(f.about.levels, ["level 1", "level 2"]);
        assert_eq!(f.about.sources[0].checked, Some(date!(2026 - 12 - 03)));
        assert_eq!(f.assessable().count(), 1);
    }

    #[test]
    fn what_the_person_says_is_checked_too() {
        let bad = Described {
            id: "Test Catalog",
            publisher: "",
            source_url: "http://example.org/catalog.json",
        };
        let problems = from_oscal(CATALOG, &bad, date!(2026 - 12 - 03))
            .err()
            .expect("refused")
            .join("\n");
        assert!(problems.contains("id \"Test Catalog\""), "{problems}");
        assert!(problems.contains("needs an https:// address"), "{problems}");
        assert!(problems.contains("publisher is empty"), "{problems}");
    }
}
