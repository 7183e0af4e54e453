//! Reading an organisation's software inventory upload, either a spreadsheet saved as CSV or a
//! CycloneDX software bill of materials (SBOM) in JSON. The upload is all or nothing: every
//! row is checked, and if any is wrong nothing is imported and the person gets a list of what
//! to fix, named the way they see it (spreadsheet row numbers, SBOM component positions).

mod checks;
mod cyclonedx;
mod spreadsheet;
#[cfg(test)]
mod tests;

use crate::alerts::model::InventoryItem;
use cyclonedx::parse_cyclonedx;
use spreadsheet::parse_csv;

/// Larger than any realistic inventory, small enough to check in one request.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_ITEMS: usize = 20_000;

const NOT_READABLE: &str = "This file is not a CSV or CycloneDX JSON file";

/// The kinds of inventory file CareCERT reads, stored with the last upload as `csv` or
/// `cyclonedx`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, strum::EnumString, strum::IntoStaticStr,
)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Format {
    Csv,
    CycloneDx,
}

impl Format {
    /// The stored value, also written in the audit record of an upload.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Why an upload was refused: the first 20 problems, then a line saying how many more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct InventoryError {
    pub problems: Vec<String>,
}

impl InventoryError {
    fn one(problem: impl Into<String>) -> Self {
        InventoryError {
            problems: vec![problem.into()],
        }
    }
}

/// Works out the kind of file from its content, since file names are often wrong. A file
/// whose first visible character is `{` is taken as CycloneDX JSON, and any other text as CSV.
/// The name is used only to give better advice about spreadsheet workbooks.
pub fn detect(filename: &str, bytes: &[u8]) -> Result<Format, InventoryError> {
    read_text(filename, bytes).map(|(format, _)| format)
}

/// A whole inventory file, read and checked.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<InventoryItem>,
    /// SBOM components left out because nothing could ever match them (no supplier, CPE or
    /// package URL), as labels for telling the person who uploaded the file.
    pub left_out: Vec<String>,
}

/// Reads and checks a whole inventory file. Nothing is returned unless every row is sound.
pub fn parse(filename: &str, bytes: &[u8]) -> Result<Parsed, InventoryError> {
    if bytes.len() > MAX_BYTES {
        return Err(InventoryError::one(format!(
            "This file is larger than {} MB, the most CareCERT accepts. Split the inventory into \
             smaller files and upload each one",
            MAX_BYTES / (1024 * 1024)
        )));
    }
    match read_text(filename, bytes)? {
        (Format::Csv, text) => parse_csv(text).map(|items| Parsed {
            items,
            left_out: vec![],
        }),
        (Format::CycloneDx, text) => parse_cyclonedx(text),
    }
}

fn read_text<'a>(filename: &str, bytes: &'a [u8]) -> Result<(Format, &'a str), InventoryError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(not_readable(
            filename,
            "it is saved as UTF-16 text. Save it again as 'CSV UTF-8' and upload that",
        ));
    }
    if bytes.contains(&0) {
        return Err(not_readable(
            filename,
            "it holds binary data, like a picture or a document. Upload a CSV file or a CycloneDX \
             SBOM in JSON",
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(not_readable(
            filename,
            "it contains characters that are not UTF-8 text. If you saved it from a spreadsheet, \
             save it again as 'CSV UTF-8' and upload that",
        ));
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    match text.trim_start().chars().next() {
        Some('{') => Ok((Format::CycloneDx, text)),
        Some('<') => Err(not_readable(
            filename,
            "it looks like XML. CareCERT reads CycloneDX SBOMs in their JSON form: export the \
             SBOM as JSON and upload that",
        )),
        _ => Ok((Format::Csv, text)),
    }
}

/// People often upload the spreadsheet itself; saying so is more use than "binary data".
fn not_readable(filename: &str, reason: &str) -> InventoryError {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let reason = if ["xlsx", "xlsm", "xls", "ods", "numbers"].contains(&extension.as_str()) {
        "it is a spreadsheet workbook. In your spreadsheet choose Save As, pick 'CSV UTF-8', and \
         upload that file"
    } else {
        reason
    };
    InventoryError::one(format!("{NOT_READABLE}: {reason}"))
}
