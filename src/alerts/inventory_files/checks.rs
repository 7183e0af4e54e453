//! The rules every inventory item meets, whichever format it came in, and the gathering of
//! problems into one bounded list for the person who uploaded the file.

use super::{InventoryError, MAX_ITEMS};
use crate::alerts::model::InventoryItem;
use crate::platform::web::format::thousands;
use crate::software::{Binding, Cpe, Purl};

/// Beyond this many, more problems only bury the first ones; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 20;
pub(super) const MAX_FIELD_CHARS: usize = 200;
/// Values quoted back in messages are cut to this, so a hostile value cannot flood a page.
const MAX_QUOTED_CHARS: usize = 40;

pub(super) struct Fields<'a> {
    pub(super) vendor: &'a str,
    pub(super) product: &'a str,
    pub(super) version: &'a str,
    pub(super) location: &'a str,
    pub(super) cpe: &'a str,
    pub(super) purl: &'a str,
}

pub(super) fn check_item(
    label: &str,
    fields: Fields<'_>,
    count: i64,
    problems: &mut Problems,
) -> Option<InventoryItem> {
    let before = problems.total;
    let mut unreadable = vec![];
    for (what, value) in [
        ("vendor", fields.vendor),
        ("product name", fields.product),
        ("version", fields.version),
        ("location", fields.location),
        ("CPE", fields.cpe),
        ("package URL (purl)", fields.purl),
    ] {
        if let Err(problem) = check_text(what, value) {
            problems.push(format!("{label}: {problem}"));
            unreadable.push(value);
        }
    }
    // A value already refused for its length or characters is not read as an identifier
    // too: one message per problem.
    let readable = |value: &str| !value.is_empty() && !unreadable.contains(&value);
    if fields.product.is_empty() {
        problems.push(format!("{label}: the product name is missing"));
    }
    if fields.vendor.is_empty() && fields.cpe.is_empty() && fields.purl.is_empty() {
        problems.push(format!(
            "{label}: the vendor is missing. Give the vendor, or a CPE or package URL (purl) \
             that identifies the product"
        ));
    }
    if readable(fields.cpe) && !is_cpe23(fields.cpe) {
        problems.push(format!(
            "{label}: the CPE '{}' is not a CPE 2.3 name like \
             cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            quote(fields.cpe)
        ));
    }
    if readable(fields.purl) && fields.purl.parse::<Purl>().is_err() {
        problems.push(format!(
            "{label}: the package URL '{}' is not like pkg:npm/lodash@4.17.21 (it needs pkg:, \
             a type and a name)",
            quote(fields.purl)
        ));
    }
    if problems.total > before {
        return None;
    }
    let optional = |v: &str| (!v.is_empty()).then(|| v.to_string());
    Some(InventoryItem {
        vendor: fields.vendor.to_string(),
        product: fields.product.to_string(),
        version: fields.version.to_string(),
        count,
        location: fields.location.to_string(),
        cpe: optional(fields.cpe),
        purl: optional(fields.purl),
    })
}

/// Values are stored as given (export escaping happens where they are written out), but
/// they must fit on a page and contain nothing invisible.
pub(super) fn check_text(what: &str, value: &str) -> Result<(), String> {
    let length = value.chars().count();
    if length > MAX_FIELD_CHARS {
        return Err(format!(
            "the {what} is {length} characters long; the most allowed is {MAX_FIELD_CHARS}"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "the {what} contains a line break or another invisible character; remove it"
        ));
    }
    Ok(())
}

/// Inventories take CPE names as CPE 2.3 formatted strings only, the form the upload
/// instructions and templates ask for.
pub(super) fn is_cpe23(text: &str) -> bool {
    text.parse::<Cpe>()
        .is_ok_and(|cpe| cpe.binding() == Binding::FormattedString)
}

pub(super) fn too_many(what: &str) -> InventoryError {
    InventoryError::one(format!(
        "The file has more than {} {what}, the most CareCERT accepts in one upload. Split it \
         into smaller files and upload each one",
        thousands(MAX_ITEMS as u64)
    ))
}

/// Counts every problem but keeps only the first few, so a wholly wrong file cannot produce
/// an enormous message.
#[derive(Default)]
pub(super) struct Problems {
    shown: Vec<String>,
    total: usize,
}

impl Problems {
    pub(super) fn push(&mut self, problem: String) {
        if self.shown.len() < MAX_PROBLEMS_SHOWN {
            self.shown.push(problem);
        }
        self.total += 1;
    }

    pub(super) fn finish(mut self) -> Result<(), InventoryError> {
        if self.total == 0 {
            return Ok(());
        }
        let hidden = self.total - self.shown.len();
        if hidden > 0 {
            self.shown.push(format!(
                "and {hidden} more {}",
                if hidden == 1 { "problem" } else { "problems" }
            ));
        }
        Err(InventoryError {
            problems: self.shown,
        })
    }
}

/// A value quoted back to the person, cut short if long.
pub(super) fn quote(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    cut.push('…');
    cut
}
