//! The product tree: the advisory's affected products by vendor, then product, then version
//! range written as VERS, each leaf with a product ID the vulnerabilities refer to.

use serde_json::{Map, Value, json};

use super::identifiers::{is_cpe, is_purl};
use super::{clean, encode_segment};
use crate::alerts::model::{AffectedProduct, Bound};

pub(super) struct Products {
    pub(super) tree: Option<Value>,
    /// Every product ID the tree defines.
    pub(super) ids: Vec<String>,
}

/// One product of one vendor as the tree shows it: every version, or some version ranges.
struct Line<'a> {
    product: &'a str,
    every_version: bool,
    ranges: Vec<(Option<&'a Bound>, Option<&'a Bound>)>,
    cpe: Option<&'a str>,
    purl: Option<&'a str>,
}

impl<'a> Line<'a> {
    fn absorb(&mut self, affected: &'a AffectedProduct) {
        if affected.versions.is_empty() {
            self.every_version = true;
        }
        for range in &affected.versions {
            let lower = range.lower.as_ref().filter(|b| clean(&b.version).is_some());
            let upper = range.upper.as_ref().filter(|b| clean(&b.version).is_some());
            if lower.is_none() && upper.is_none() {
                self.every_version = true;
            } else {
                self.ranges.push((lower, upper));
            }
        }
        if self.cpe.is_none() {
            self.cpe = affected.cpe.as_deref().map(str::trim).filter(|c| is_cpe(c));
        }
        if self.purl.is_none() {
            self.purl = affected
                .purl
                .as_deref()
                .map(str::trim)
                .filter(|p| is_purl(p));
        }
    }

    fn helper(&self) -> Option<Value> {
        let mut helper = Map::new();
        if let Some(cpe) = self.cpe {
            helper.insert("cpe".into(), cpe.into());
        }
        if let Some(purl) = self.purl {
            helper.insert("purl".into(), purl.into());
        }
        (!helper.is_empty()).then_some(Value::Object(helper))
    }

    fn branch(&self, vendor: &str, ids: &mut Vec<String>) -> Value {
        let helper = self.helper();
        let product = self.product;
        if self.every_version || self.ranges.is_empty() {
            let name = format!("{vendor} {product}, every version");
            return json!({
                "category": "product_name",
                "name": product,
                "product": full_product(ids, name, &helper),
            });
        }
        let mut seen = Vec::new();
        let mut branches = Vec::new();
        for &(lower, upper) in &self.ranges {
            let vers = vers(lower, upper);
            if seen.contains(&vers) {
                continue;
            }
            let name = format!("{vendor} {product} {}", describe(lower, upper));
            branches.push(json!({
                "category": "product_version_range",
                "name": vers,
                "product": full_product(ids, name, &helper),
            }));
            seen.push(vers);
        }
        json!({ "category": "product_name", "name": product, "branches": branches })
    }
}

fn full_product(ids: &mut Vec<String>, name: String, helper: &Option<Value>) -> Value {
    let id = format!("CCP-{}", ids.len() + 1);
    let mut product = json!({ "product_id": id, "name": name });
    if let Some(helper) = helper {
        product["product_identification_helper"] = helper.clone();
    }
    ids.push(id);
    product
}

/// The product tree: vendor, then product, then (when not every version) version ranges.
pub(super) fn products(affected: &[AffectedProduct]) -> Products {
    let mut vendors: Vec<(&str, Vec<Line>)> = Vec::new();
    for item in affected {
        let vendor = clean(&item.vendor).unwrap_or("Unknown vendor");
        let product = clean(&item.product).unwrap_or("Unknown product");
        let v = match vendors.iter().position(|(name, _)| *name == vendor) {
            Some(v) => v,
            None => {
                vendors.push((vendor, Vec::new()));
                vendors.len() - 1
            }
        };
        let lines = &mut vendors[v].1;
        let l = match lines.iter().position(|line| line.product == product) {
            Some(l) => l,
            None => {
                lines.push(Line {
                    product,
                    every_version: false,
                    ranges: Vec::new(),
                    cpe: None,
                    purl: None,
                });
                lines.len() - 1
            }
        };
        lines[l].absorb(item);
    }
    let mut ids = Vec::new();
    let mut branches = Vec::new();
    for (vendor, lines) in &vendors {
        let mut products = Vec::new();
        for line in lines {
            products.push(line.branch(vendor, &mut ids));
        }
        branches.push(json!({ "category": "vendor", "name": vendor, "branches": products }));
    }
    Products {
        tree: (!branches.is_empty()).then(|| json!({ "branches": branches })),
        ids,
    }
}

fn same_single_version<'a>(lower: Option<&'a Bound>, upper: Option<&'a Bound>) -> Option<&'a str> {
    match (lower, upper) {
        (Some(l), Some(u))
            if l.inclusive && u.inclusive && l.version.trim() == u.version.trim() =>
        {
            Some(l.version.trim())
        }
        _ => None,
    }
}

/// A version range as a VERS string (`vers:generic/>=2.0.0|<2.17.1`), which CSAF 2.0
/// recommends for `product_version_range` branches.
fn vers(lower: Option<&Bound>, upper: Option<&Bound>) -> String {
    if let Some(version) = same_single_version(lower, upper) {
        return format!("vers:generic/{}", encode_segment(version));
    }
    let mut constraints = Vec::new();
    if let Some(l) = lower {
        let op = if l.inclusive { ">=" } else { ">" };
        constraints.push(format!("{op}{}", encode_segment(l.version.trim())));
    }
    if let Some(u) = upper {
        let op = if u.inclusive { "<=" } else { "<" };
        constraints.push(format!("{op}{}", encode_segment(u.version.trim())));
    }
    format!("vers:generic/{}", constraints.join("|"))
}

fn describe(lower: Option<&Bound>, upper: Option<&Bound>) -> String {
    if let Some(version) = same_single_version(lower, upper) {
        return format!("version {version}");
    }
    let mut parts = Vec::new();
    if let Some(l) = lower {
        let op = if l.inclusive { ">=" } else { ">" };
        parts.push(format!("{op} {}", l.version.trim()));
    }
    if let Some(u) = upper {
        let op = if u.inclusive { "<=" } else { "<" };
        parts.push(format!("{op} {}", u.version.trim()));
    }
    format!("versions {}", parts.join(" and "))
}
