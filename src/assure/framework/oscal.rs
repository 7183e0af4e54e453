//! Reading an OSCAL 1.x JSON catalog (NIST's format for control catalogs) into a
//! requirement tree: groups become headings, controls become requirements (nested
//! controls, such as SP 800-53 enhancements, under their control), a control's statement
//! becomes its text with any parameters written in, its guidance its guidance, and
//! withdrawn controls are left out and counted.
//!
//! Only the parts of the model a framework needs are read; anything else in the file is
//! allowed and ignored, as OSCAL documents carry much more (back matter, links, …).

use serde::Deserialize;

use super::model::Requirement;

#[derive(Debug, Deserialize)]
struct Document {
    catalog: Catalog,
}

#[derive(Debug, Deserialize)]
struct Catalog {
    metadata: Metadata,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    title: String,
    version: String,
    #[serde(rename = "oscal-version")]
    oscal_version: String,
}

#[derive(Debug, Deserialize)]
struct Group {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
struct Control {
    id: String,
    #[serde(default)]
    class: Option<String>,
    title: String,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
struct Prop {
    name: String,
    value: String,
    #[serde(default)]
    class: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Part {
    name: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    prose: String,
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
struct Param {
    id: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    select: Option<Select>,
}

#[derive(Debug, Deserialize)]
struct Select {
    #[serde(default, rename = "how-many")]
    how_many: Option<String>,
    #[serde(default)]
    choice: Vec<String>,
}

/// A catalog read into requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    /// In display order, every one citing `sources`.
    pub requirements: Vec<Requirement>,
    /// Controls marked withdrawn, left out with anything under them.
    pub withdrawn: usize,
}

/// Why a file is not a catalog this reads.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OscalError {
    #[error("the file is not an OSCAL catalog in JSON: {0}")]
    NotACatalog(String),
    #[error("the catalog is OSCAL {0}; only OSCAL 1.x catalogs can be read")]
    Version(String),
    #[error("the catalog holds no controls")]
    Empty,
    #[error("the identifier {0:?} is used twice in the catalog")]
    Duplicate(String),
}

/// Reads an OSCAL catalog; each requirement cites `sources` (the framework's). Controls of
/// a class in `heading_classes` are headings (a CSF category has a statement describing
/// what it gathers, but is not itself answered).
pub fn read_catalog(
    json: &str,
    sources: &[String],
    heading_classes: &[String],
) -> Result<Imported, OscalError> {
    let doc: Document =
        serde_json::from_str(json).map_err(|e| OscalError::NotACatalog(e.to_string()))?;
    let c = doc.catalog;
    if !c.metadata.oscal_version.starts_with("1.") {
        return Err(OscalError::Version(c.metadata.oscal_version));
    }
    let mut reader = Reader {
        sources,
        heading_classes,
        out: Vec::new(),
        withdrawn: 0,
        unnamed_groups: 0,
    };
    for g in &c.groups {
        reader.group(g, "");
    }
    for control in &c.controls {
        reader.control(control, "");
    }
    if !reader.out.iter().any(|r| r.assessable) {
        return Err(OscalError::Empty);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = reader.out.iter().find(|r| !seen.insert(r.id.as_str())) {
        return Err(OscalError::Duplicate(dup.id.clone()));
    }
    Ok(Imported {
        title: c.metadata.title,
        version: c.metadata.version,
        oscal_version: c.metadata.oscal_version,
        requirements: reader.out,
        withdrawn: reader.withdrawn,
    })
}

struct Reader<'a> {
    sources: &'a [String],
    heading_classes: &'a [String],
    out: Vec<Requirement>,
    withdrawn: usize,
    unnamed_groups: usize,
}

/// The identifier people use: the `label` property ("AC-2(1)", "GV.OC-01"), else the id.
/// NIST gives some controls several labels ("AC-02" with class "zero-padded", "AC-2"
/// without a class): the one without a class is the usual one.
fn label(props: &[Prop], id: &str) -> String {
    preferred_label(props).map_or_else(|| id.to_owned(), str::to_owned)
}

fn preferred_label(props: &[Prop]) -> Option<&str> {
    let labels = || props.iter().filter(|p| p.name == "label");
    labels()
        .find(|p| p.class.is_none())
        .or_else(|| labels().next())
        .map(|p| p.value.as_str())
}

fn is_withdrawn(props: &[Prop]) -> bool {
    props
        .iter()
        .any(|p| p.name == "status" && p.value == "withdrawn")
}

/// A part's prose and its sub-parts' prose, each sub-part on its own line with its label.
fn prose(part: &Part) -> String {
    let mut lines = Vec::new();
    if !part.prose.trim().is_empty() {
        lines.push(part.prose.trim().to_owned());
    }
    for sub in &part.parts {
        let text = prose(sub);
        if text.is_empty() {
            continue;
        }
        match preferred_label(&sub.props) {
            Some(l) => lines.push(format!("{l} {text}")),
            None => lines.push(text),
        }
    }
    lines.join("\n")
}

fn part_text(parts: &[Part], name: &str) -> String {
    parts
        .iter()
        .filter(|p| p.name == name)
        .map(prose)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Writes a parameter where the prose inserts it: its choices, or its label in brackets.
fn insert_params(text: &str, params: &[Param]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + len].trim();
        let id = inner
            .strip_prefix("insert:")
            .and_then(|s| s.trim().strip_prefix("param,"))
            .map(str::trim);
        match id.and_then(|id| params.iter().find(|p| p.id == id)) {
            Some(p) => out.push_str(&describe(p)),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn describe(p: &Param) -> String {
    match (&p.select, &p.label) {
        (Some(s), _) if !s.choice.is_empty() => {
            let joiner = match s.how_many.as_deref() {
                Some("one-or-more") => " and/or ",
                _ => " or ",
            };
            format!("[{}]", s.choice.join(joiner))
        }
        (_, Some(label)) => format!("[{label}]"),
        _ => format!("[{}]", p.id),
    }
}

impl Reader<'_> {
    fn group(&mut self, g: &Group, parent: &str) {
        let id = match &g.id {
            Some(id) => label(&g.props, id),
            None => {
                self.unnamed_groups += 1;
                format!("group-{}", self.unnamed_groups)
            }
        };
        self.out.push(Requirement {
            id: id.clone(),
            parent: parent.to_owned(),
            title: g.title.clone(),
            text: part_text(&g.parts, "overview"),
            assessable: false,
            guidance: String::new(),
            evidence: vec![],
            weight: 1,
            tags: vec![],
            sources: self.sources.to_vec(),
            indicators: vec![],
        });
        for sub in &g.groups {
            self.group(sub, &id);
        }
        for control in &g.controls {
            self.control(control, &id);
        }
    }

    fn control(&mut self, c: &Control, parent: &str) {
        if is_withdrawn(&c.props) {
            self.withdrawn += 1;
            return;
        }
        let id = label(&c.props, &c.id);
        let statement = insert_params(&part_text(&c.parts, "statement"), &c.params);
        let has_children = c.controls.iter().any(|child| !is_withdrawn(&child.props));
        let gathers = c
            .class
            .as_ref()
            .is_some_and(|class| self.heading_classes.contains(class));
        // A control is answered when it says something to meet (an SP 800-53 control with
        // enhancements is answered, and so is each enhancement); one that only gathers
        // others is a heading.
        let assessable = !has_children || (!statement.is_empty() && !gathers);
        self.out.push(Requirement {
            id: id.clone(),
            parent: parent.to_owned(),
            title: c.title.clone(),
            text: if statement.is_empty() && assessable {
                c.title.clone()
            } else {
                statement
            },
            assessable,
            guidance: if assessable {
                insert_params(&part_text(&c.parts, "guidance"), &c.params)
            } else {
                String::new()
            },
            evidence: vec![],
            weight: 1,
            tags: vec![],
            sources: self.sources.to_vec(),
            indicators: vec![],
        });
        for child in &c.controls {
            self.control(child, &id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    const SOURCES: &[&str] = &["catalog"];

    fn sources() -> Vec<String> {
        SOURCES.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A catalog written here: nested groups, a control with enhancements (one withdrawn),
    /// a parameter with choices and one with a label, guidance, and a top-level control.
    const WRITTEN: &str = r#"{
      "catalog": {
        "uuid": "2d0b8a1e-5b53-4c6b-9d6b-0d5f3c1b1a01",
        "metadata": {"title": "Test catalog", "last-modified": "2026-12-03T00:00:00Z",
                     "version": "1.0", "oscal-version": "1.1.2"},
        "groups": [{
          "id": "ac", "class": "family", "title": "Access control",
          "parts": [{"id": "ac_ovr", "name": "overview", "prose": "Who may use what."}],
          "groups": [{
            "id": "ac-acct", "title": "Accounts",
            "controls": [{
              "id": "ac-2", "class": "SP800-53", "title": "Account management",
              "params": [
                {"id": "ac-2_prm_1", "label": "frequency"},
                {"id": "ac-2_prm_2", "select": {"how-many": "one-or-more", "choice": ["disable", "remove"]}}
              ],
              "props": [{"name": "label", "value": "AC-2"}],
              "parts": [
                {"id": "ac-2_smt", "name": "statement", "parts": [
                  {"id": "ac-2_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}],
                   "prose": "Review accounts every {{ insert: param, ac-2_prm_1 }}."},
                  {"id": "ac-2_smt.b", "name": "item", "props": [{"name": "label", "value": "b."}],
                   "prose": "When someone leaves, {{ insert: param, ac-2_prm_2 }} their account."}
                ]},
                {"id": "ac-2_gdn", "name": "guidance", "prose": "Include service accounts."}
              ],
              "controls": [
                {"id": "ac-2.1", "class": "SP800-53-enhancement", "title": "Automated management",
                 "props": [{"name": "label", "value": "AC-2(1)"}],
                 "parts": [{"id": "ac-2.1_smt", "name": "statement", "prose": "Manage accounts with tools."}]},
                {"id": "ac-2.2", "class": "SP800-53-enhancement", "title": "Withdrawn enhancement",
                 "props": [{"name": "label", "value": "AC-2(2)"}, {"name": "status", "value": "withdrawn"}]}
              ]
            }]
          }]
        }],
        "controls": [{"id": "x-1", "title": "A control outside any group",
                      "parts": [{"id": "x-1_smt", "name": "statement", "prose": "Do the thing."}]}]
      }
    }"#;

    #[test]
    fn a_written_catalog_reads_as_a_tree_with_parameters_written_in() {
        let read = read_catalog(WRITTEN, &sources(), &[]).expect("reads");
        assert_eq!(read.title, "Test catalog");
        assert_eq!(read.withdrawn, 1);
        let ids: Vec<(&str, &str, bool)> = read
            .requirements
            .iter()
            .map(|r| (r.id.as_str(), r.parent.as_str(), r.assessable))
            .collect();
        assert_eq!(
            ids,
            [
                ("ac", "", false),
                ("ac-acct", "ac", false),
                ("AC-2", "ac-acct", true),
                ("AC-2(1)", "AC-2", true),
                ("x-1", "", true),
            ]
        );
        let ac2 = &read.requirements[2];
        assert_eq!(
            ac2.text,
            "a. Review accounts every [frequency].\nb. When someone leaves, [disable and/or remove] their account."
        );
        assert_eq!(ac2.guidance, "Include service accounts.");
        assert_eq!(read.requirements[0].text, "Who may use what.");
        assert!(read.requirements.iter().all(|r| r.sources == sources()));
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_reason() {
        assert!(matches!(
            read_catalog("{\"catalog\": ", &sources(), &[]),
            Err(OscalError::NotACatalog(_))
        ));
        assert!(matches!(
            read_catalog("{\"profile\": {}}", &sources(), &[]),
            Err(OscalError::NotACatalog(_))
        ));
        let old = WRITTEN.replace("\"oscal-version\": \"1.1.2\"", "\"oscal-version\": \"0.9\"");
        assert_eq!(
            read_catalog(&old, &sources(), &[]),
            Err(OscalError::Version("0.9".into()))
        );
        let twice = WRITTEN.replace("\"value\": \"AC-2(1)\"", "\"value\": \"AC-2\"");
        assert_eq!(
            read_catalog(&twice, &sources(), &[]),
            Err(OscalError::Duplicate("AC-2".into()))
        );
    }

    /// NIST's own SP 800-53 rev 5 LOW baseline, from the shared test data beside the
    /// project (used in place; skipped, loudly, where it is absent).
    #[test]
    fn the_nist_low_baseline_reads_with_its_149_controls() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/oscal/sp800-53r5-low-catalog.json");
        let Ok(json) = std::fs::read_to_string(&path) else {
            eprintln!(
                "SKIPPED: {} is absent, so the NIST catalog was not read",
                path.display()
            );
            return;
        };
        let read = read_catalog(&json, &sources(), &[]).expect("the NIST catalog reads");
        let groups = read.requirements.iter().filter(|r| !r.assessable).count();
        let controls = read.requirements.iter().filter(|r| r.assessable).count();
        assert_eq!(groups, 18, "18 families");
        assert_eq!(controls, 149, "the LOW baseline's controls");
        let ac2 = read
            .requirements
            .iter()
            .find(|r| r.id == "AC-2")
            .expect("AC-2");
        assert!(
            !ac2.text.contains("{{"),
            "parameters are written in: {}",
            ac2.text
        );
        assert!(!ac2.guidance.is_empty());
    }
}
