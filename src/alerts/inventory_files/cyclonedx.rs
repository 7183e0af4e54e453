//! CycloneDX software bills of materials (SBOMs) in JSON: every component, nested ones
//! included, becomes an item located at the system the SBOM describes, with the problems
//! named by component position.

use serde_json::{Map, Value};

use super::checks::{Fields, MAX_FIELD_CHARS, Problems, check_item, check_text, quote, too_many};
use super::{InventoryError, MAX_ITEMS, Parsed};
use crate::alerts::model::InventoryItem;

// CycloneDX 1.x versions are forward compatible: the fields read here (components, their
// names, versions, suppliers, CPEs and package URLs) mean the same in each.
const CYCLONEDX_VERSIONS: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];
/// Where an SBOM's items are said to be when it does not name the system it describes.
const SBOM_LOCATION: &str = "SBOM";

/// Every component is read, whatever its type. Advisories are matched on names, CPEs and
/// package URLs, and any component type (a library, an operating system, firmware, even a
/// file) can carry one; silently dropping a type could hide a vulnerable item. Components
/// that cannot be identified are refused with the others, so the person can see and fix them.
/// The SBOM's own subject (`metadata.component`) is not an item: its name is the location.
pub(super) fn parse_cyclonedx(text: &str) -> Result<Parsed, InventoryError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        InventoryError::one(format!(
            "This file starts like JSON but is not valid JSON: {}",
            describe_json_error(&e)
        ))
    })?;
    let Some(top) = root.as_object() else {
        return Err(not_cyclonedx());
    };
    if top.contains_key("catalogVersion") && top.contains_key("vulnerabilities") {
        return Err(InventoryError::one(
            "This is the CISA Known Exploited Vulnerabilities catalogue, not a software \
             inventory. Upload a CSV inventory or a CycloneDX SBOM",
        ));
    }
    if top.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(not_cyclonedx());
    }
    match top.get("specVersion").and_then(Value::as_str) {
        None => {
            return Err(InventoryError::one(
                "This CycloneDX SBOM does not say which version of CycloneDX it uses \
                 ('specVersion')",
            ));
        }
        Some(version) if !CYCLONEDX_VERSIONS.contains(&version) => {
            return Err(InventoryError::one(format!(
                "This SBOM uses CycloneDX version '{}'; CareCERT reads versions 1.4 to 1.7",
                quote(version)
            )));
        }
        Some(_) => {}
    }
    let location = sbom_location(top)?;
    let components = match top.get("components") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => {
            return Err(InventoryError::one(
                "The SBOM's 'components' is not a list of components",
            ));
        }
    };

    let mut problems = Problems::default();
    let mut items = Vec::new();
    let mut left_out = Vec::new();
    let mut position = 0usize;
    // Depth first, in document order, so component numbers follow the file top to bottom.
    let mut pending: Vec<&Value> = components.iter().rev().collect();
    while let Some(component) = pending.pop() {
        position += 1;
        if position > MAX_ITEMS {
            return Err(too_many("components"));
        }
        let Some(fields) = component.as_object() else {
            problems.push(format!(
                "Component {position}: is not a component description"
            ));
            continue;
        };
        match fields.get("components") {
            None | Some(Value::Null) => {}
            Some(Value::Array(children)) => pending.extend(children.iter().rev()),
            Some(_) => problems.push(format!(
                "{}: its 'components' is not a list",
                component_label(position, fields)
            )),
        }
        // SBOM tools list things no advisory names by supplier or identifier (the operating
        // system, loose files): refusing the whole SBOM for them would leave the person with
        // a file they cannot fix, so they are left out and the person is told which.
        if unidentified(fields) {
            left_out.push(component_label(position, fields));
            continue;
        }
        if let Some(item) = read_component(position, fields, &location, &mut problems) {
            items.push(item);
        }
    }
    if position == 0 {
        return Err(InventoryError::one(
            "The SBOM lists no components, so there is nothing to import",
        ));
    }
    problems.finish()?;
    if items.is_empty() {
        return Err(InventoryError::one(
            "No component in the SBOM names its supplier, a CPE or a package URL (purl), so no \
             advisory could ever match it. Export the SBOM with package URLs and upload it again",
        ));
    }
    Ok(Parsed { items, left_out })
}

/// A named component with no supplier, CPE or package URL (and no fault of its own to
/// report): nothing could ever match it.
fn unidentified(fields: &Map<String, Value>) -> bool {
    let blank = |key: &str| match fields.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    };
    let named = fields
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.trim().is_empty());
    named && component_vendor(fields).is_empty() && blank("cpe") && blank("purl")
}

fn not_cyclonedx() -> InventoryError {
    InventoryError::one(
        "This JSON file is not a CycloneDX SBOM: it should have \"bomFormat\": \"CycloneDX\"",
    )
}

fn sbom_location(top: &Map<String, Value>) -> Result<String, InventoryError> {
    let name = top
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if name.is_empty() {
        return Ok(SBOM_LOCATION.to_string());
    }
    check_text("name of the system the SBOM describes", name)
        .map(|()| name.to_string())
        .map_err(|problem| InventoryError::one(format!("The SBOM: {problem}")))
}

fn component_label(position: usize, fields: &Map<String, Value>) -> String {
    match fields.get("name").and_then(Value::as_str).map(str::trim) {
        Some(name) if !name.is_empty() => format!("Component {position} ('{}')", quote(name)),
        _ => format!("Component {position}"),
    }
}

fn read_component(
    position: usize,
    fields: &Map<String, Value>,
    location: &str,
    problems: &mut Problems,
) -> Option<InventoryItem> {
    let label = component_label(position, fields);
    let mut sound = true;
    let mut text = |key: &str| match fields.get(key) {
        None | Some(Value::Null) => "",
        // The length limit counts what was sent, as the published schema's `maxLength`
        // does: surrounding spaces are trimmed only from a value that fits.
        Some(Value::String(s)) if s.chars().count() > MAX_FIELD_CHARS => s.as_str(),
        Some(Value::String(s)) => s.trim(),
        Some(_) => {
            problems.push(format!("{label}: its '{key}' is not text"));
            sound = false;
            ""
        }
    };
    let product = text("name");
    let version = text("version");
    let cpe = text("cpe");
    let purl = text("purl");
    let item = check_item(
        &label,
        Fields {
            vendor: component_vendor(fields),
            product,
            version,
            location,
            cpe,
            purl,
        },
        1,
        problems,
    );
    item.filter(|_| sound)
}

/// The organisation that makes the component, by CycloneDX's fields in order of how
/// reliably they name it.
fn component_vendor(fields: &Map<String, Value>) -> &str {
    [
        fields.get("group"),
        fields.get("publisher"),
        fields.get("supplier").and_then(|s| s.get("name")),
        fields.get("author"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .map(str::trim)
    .find(|v| !v.is_empty())
    .unwrap_or("")
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let place = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        serde_json::error::Category::Eof => format!("it stops part-way through ({place})"),
        _ => format!("there is a mistake at {place}"),
    }
}
