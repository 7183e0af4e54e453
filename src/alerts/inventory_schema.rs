//! How an inventory upload is described in the OpenAPI document.
//!
//! The CycloneDX form is JSON, so its schema says exactly which SBOMs the reader takes: a
//! client that follows it is never refused for the SBOM's shape. A CSV file's rules
//! (headings in any order, quoting, separators, each value's checks) are beyond what a JSON
//! Schema `pattern` can say, so its schema states only what every accepted file has, a
//! heading row and at least one row after it; a file that has them may still be refused
//! with 422, which lists each problem.

use std::borrow::Cow;

use serde_json::json;
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{RefOr, Schema},
};

use crate::alerts::inventory_files;

/// A CSV inventory.
pub struct InventoryCsv;

/// A CycloneDX SBOM in JSON whose components each name a package URL.
pub struct InventorySbom;

/// Something other than space on a line, a line break, and something other than space
/// again: the heading row and one row of values, which every file the reader accepts has.
const CSV_PATTERN: &str = r"^[^\x00]*\S[^\x00]*[\r\n][^\x00]*\S[^\x00]*$";

impl PartialSchema for InventoryCsv {
    fn schema() -> RefOr<Schema> {
        schema_from(json!({
            "type": "string",
            "description": "The heading row, with the headings vendor, product, version, \
                count and location (and optionally cpe and purl) in any order, then one row \
                per product. `count` is how many are installed (empty means one); each row \
                needs a product name, and a vendor, CPE or package URL. Values may be quoted; \
                files saved with semicolons or tabs are read too.",
            "pattern": CSV_PATTERN,
            "example": "vendor,product,version,count,location\nMicrosoft,Exchange Server,15.2.1544.4,2,Data centre\n",
        }))
    }
}

impl ToSchema for InventoryCsv {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("InventoryCsv")
    }
}

/// Characters the reader refuses anywhere in a value: Unicode's control characters.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// A value the reader accepts: up to 200 characters, none of them a control character, and
/// (when `required`) something besides spaces, since values are trimmed.
fn text(required: bool) -> serde_json::Value {
    let pattern = if required {
        format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")
    } else {
        format!("^[^{CONTROL}]*$")
    };
    json!({ "type": "string", "maxLength": 200, "pattern": pattern })
}

/// A package URL as the reader checks it (`pkg:`, a type, `/`, an optional namespace and a
/// name, then optional `@version`, `?qualifiers` and `#subpath`, with no spaces inside).
fn purl_pattern() -> String {
    let c = format!(r"[^\s?#{CONTROL}]");
    let segment_start = format!(r"[^\s?#/@{CONTROL}]");
    let part = format!(r"[^\s/?#{CONTROL}]");
    format!(
        r"^\s*[pP][kK][gG]:/*[A-Za-z][A-Za-z0-9.+-]*/({c}*/)?{segment_start}{part}*/*([?#][^\s{CONTROL}]*)?\s*$"
    )
}

impl PartialSchema for InventorySbom {
    fn schema() -> RefOr<Schema> {
        let version = {
            let mut v = text(false);
            v["type"] = json!(["string", "null"]);
            v
        };
        schema_from(json!({
            "type": "object",
            "description": "A CycloneDX 1.4 to 1.7 SBOM. Each component is imported with its \
                name, version and package URL; CareCERT also reads `cpe`, `group`, `publisher`, \
                `supplier.name`, `author` and nested components, and leaves out components that \
                name no supplier, CPE or package URL.",
            "required": ["bomFormat", "specVersion", "components"],
            "properties": {
                "bomFormat": { "type": "string", "enum": ["CycloneDX"] },
                "specVersion": { "type": "string", "enum": ["1.4", "1.5", "1.6", "1.7"] },
                "components": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": inventory_files::MAX_ITEMS,
                    "items": {
                        "type": "object",
                        "required": ["name", "purl"],
                        "properties": {
                            "name": text(true),
                            "version": version,
                            "purl": { "type": "string", "maxLength": 200, "pattern": purl_pattern() },
                        },
                    },
                },
            },
            "example": {
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "components": [
                    { "type": "library", "name": "log4j-core", "version": "2.14.1",
                      "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" }
                ],
            },
        }))
    }
}

impl ToSchema for InventorySbom {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("InventorySbom")
    }
}

/// A schema written as JSON: clearer than builders for a nested document, and checked by the
/// tests below.
fn schema_from(value: serde_json::Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("the inventory schemas are valid schemas"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_are_accepted_by_the_reader() {
        for schema in [InventoryCsv::schema(), InventorySbom::schema()] {
            let RefOr::T(schema) = schema else {
                panic!("inline schema expected")
            };
            let example = serde_json::to_value(&schema).unwrap()["example"].clone();
            let bytes = match example {
                serde_json::Value::String(text) => text.into_bytes(),
                other => serde_json::to_vec(&other).unwrap(),
            };
            let parsed = inventory_files::parse("inventory", &bytes).expect("accepted");
            assert_eq!(parsed.items.len(), 1);
            assert!(parsed.left_out.is_empty());
        }
    }

    fn sbom_with(name: &str, purl: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{ "name": name, "purl": purl }],
        }))
        .unwrap()
    }

    fn matches(pattern: &str, value: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(value)
    }

    /// The documented package URL pattern and the reader agree, both ways, on awkward cases.
    #[test]
    fn the_purl_pattern_is_the_readers_rule() {
        for purl in [
            "pkg:npm/lodash@4.17.21",
            "PKG:Maven/org.apache/log4j-core@2.14.1?type=jar#src",
            "pkg:/npm/lodash",
            "  pkg:npm/lodash  ",
            "pkg:npm/@angular/core@1",
            "pkg:npm/lodash/",
            "pkg:npm/@scope",
            "pkg:npm/a/@1",
            "pkg:npm/",
            "pkg:npm",
            "pkg:1npm/lodash",
            "pkg:np_m/lodash",
            "pkg:npm/lo dash",
            "pkg:npm/lo\u{85}dash",
            "npm/lodash",
            "pkg:npm/?x",
            "pkg:a/b#c d",
            "pkg:a/b?c",
        ] {
            let reader = inventory_files::parse("sbom.json", &sbom_with("x", purl)).is_ok();
            assert_eq!(matches(&purl_pattern(), purl), reader, "{purl:?}");
        }
    }

    #[test]
    fn the_name_pattern_is_the_readers_rule() {
        for name in [
            "log4j",
            " x ",
            "",
            "   ",
            "a\tb",
            "a\u{7f}",
            "caf\u{e9}",
            "a\u{2028}b",
        ] {
            let reader = inventory_files::parse("sbom.json", &sbom_with(name, "pkg:npm/x")).is_ok();
            let pattern = text(true)["pattern"].as_str().unwrap().to_owned();
            assert_eq!(matches(&pattern, name), reader, "{name:?}");
        }
    }

    /// Every file the reader accepts has what the CSV pattern asks for, and files without it
    /// are refused, so the document never turns away a file the reader would take.
    #[test]
    fn accepted_csv_files_match_the_documented_pattern() {
        let accepted = [
            include_str!("../../tests/fixtures/alerts/inventory_valid.csv"),
            "vendor;product;version;count;location\r\nMicrosoft;Exchange;15;1;DC",
            "\u{feff}product,vendor,location,count,version\rA,B,,,",
        ];
        for text in accepted {
            assert!(
                inventory_files::parse("i.csv", text.as_bytes()).is_ok(),
                "{text:?}"
            );
            assert!(matches(CSV_PATTERN, text), "{text:?}");
        }
        for text in [
            "",
            " \n ",
            "vendor,product,version,count,location",
            "vendor,product,version,count,location\n\n",
        ] {
            assert!(
                inventory_files::parse("i.csv", text.as_bytes()).is_err(),
                "{text:?}"
            );
            assert!(!matches(CSV_PATTERN, text), "{text:?}");
        }
    }
}
