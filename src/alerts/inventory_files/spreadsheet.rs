//! Inventories saved from a spreadsheet as CSV: one row per item under headings in any order,
//! with the problems named by the row numbers the spreadsheet shows.

use super::checks::{Fields, Problems, check_item, quote, too_many};
use super::{InventoryError, MAX_ITEMS};
use crate::{alerts::model::InventoryItem, platform::web::format::thousands};

const MAX_COUNT: i64 = 1_000_000;
const REQUIRED_COLUMNS: [&str; 5] = ["vendor", "product", "version", "count", "location"];
const OPTIONAL_COLUMNS: [&str; 2] = ["cpe", "purl"];
const COLUMNS_HELP: &str =
    "The headings are vendor, product, version, count and location, and optionally cpe and purl";
const NO_ROWS: &str = "The file has no inventory rows";

/// Where each known column is in the file.
struct Columns {
    vendor: usize,
    product: usize,
    version: usize,
    count: usize,
    location: usize,
    cpe: Option<usize>,
    purl: Option<usize>,
    /// Columns with a blank heading: spreadsheets add them, and they must stay empty.
    unnamed: Vec<usize>,
    width: usize,
}

impl Columns {
    fn from_headings(headings: &csv::StringRecord) -> Result<Columns, InventoryError> {
        let mut found: Vec<(String, usize)> = Vec::new();
        let mut unknown = Vec::new();
        let mut repeated = Vec::new();
        let mut unnamed = Vec::new();
        for (index, heading) in headings.iter().enumerate() {
            let name = heading.trim().to_lowercase();
            if name.is_empty() {
                unnamed.push(index);
            } else if !REQUIRED_COLUMNS.contains(&name.as_str())
                && !OPTIONAL_COLUMNS.contains(&name.as_str())
            {
                unknown.push(format!("'{}'", quote(heading.trim())));
            } else if found.iter().any(|(n, _)| *n == name) {
                repeated.push(name);
            } else {
                found.push((name, index));
            }
        }
        let position = |name: &str| found.iter().find(|(n, _)| n == name).map(|(_, i)| *i);
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .into_iter()
            .filter(|name| position(name).is_none())
            .collect();

        let mut problems = Vec::new();
        if !unknown.is_empty() {
            problems.push(format!(
                "Row 1 should hold the column headings. These are not headings CareCERT knows: {}. \
                 {COLUMNS_HELP}",
                unknown.join(", ")
            ));
        }
        for name in repeated {
            problems.push(format!(
                "Row 1: the heading '{name}' appears more than once"
            ));
        }
        if !missing.is_empty() {
            problems.push(format!(
                "Row 1: these column headings are missing: {}. {COLUMNS_HELP}",
                missing.join(", ")
            ));
        }
        match (
            position("vendor"),
            position("product"),
            position("version"),
            position("count"),
            position("location"),
        ) {
            (Some(vendor), Some(product), Some(version), Some(count), Some(location))
                if problems.is_empty() =>
            {
                Ok(Columns {
                    vendor,
                    product,
                    version,
                    count,
                    location,
                    cpe: position("cpe"),
                    purl: position("purl"),
                    unnamed,
                    width: headings.len(),
                })
            }
            _ => Err(InventoryError { problems }),
        }
    }
}

pub(super) fn parse_csv(text: &str) -> Result<Vec<InventoryItem>, InventoryError> {
    if text.trim().is_empty() {
        return Err(InventoryError::one(NO_ROWS));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_of(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headings = match records.next() {
        None => return Err(InventoryError::one(NO_ROWS)),
        Some(Err(_)) => return Err(InventoryError::one("Row 1: the headings could not be read")),
        Some(Ok(headings)) => headings,
    };
    let columns = Columns::from_headings(&headings)?;
    let mut row = spreadsheet_row(text, &headings, None);

    let mut problems = Problems::default();
    let mut items = Vec::new();
    let mut rows = 0usize;
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                problems.push(format!("Row {}: could not be read", row + 1));
                continue;
            }
        };
        row = spreadsheet_row(text, &record, Some(row));
        if record.iter().all(|value| value.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > MAX_ITEMS {
            return Err(too_many("rows"));
        }
        let label = format!("Row {row}");
        if let Some(item) = read_row(&label, &record, &columns, &mut problems) {
            items.push(item);
        }
    }
    if rows == 0 {
        return Err(InventoryError::one(NO_ROWS));
    }
    problems.finish()?;
    Ok(items)
}

/// The row number a spreadsheet shows for a record. The CSV reader skips blank lines, which a
/// spreadsheet shows as empty rows, and a record's position is where the reader resumed after
/// the previous record, so it is followed by those blank lines. A cell holding a line break
/// stays one row.
fn spreadsheet_row(text: &str, record: &csv::StringRecord, previous: Option<usize>) -> usize {
    let bytes = text.as_bytes();
    let mut at = record
        .position()
        .and_then(|p| usize::try_from(p.byte()).ok())
        .unwrap_or(0);
    if at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n') {
        at += 1;
    }
    let mut blank_lines = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => at += 2,
            b'\r' | b'\n' => at += 1,
            _ => break,
        }
        blank_lines += 1;
    }
    previous.unwrap_or(0) + 1 + blank_lines
}

/// Spreadsheets set to some European locales save with semicolons, and some tools with tabs;
/// the heading row shows which was used.
fn delimiter_of(text: &str) -> u8 {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first_line.contains(',') {
        b','
    } else if first_line.contains(';') {
        b';'
    } else if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

fn read_row(
    label: &str,
    record: &csv::StringRecord,
    columns: &Columns,
    problems: &mut Problems,
) -> Option<InventoryItem> {
    if record.len() != columns.width {
        problems.push(format!(
            "{label}: has {} values but there are {} column headings. If a value contains a \
             comma, put the value in double quotes",
            record.len(),
            columns.width
        ));
        return None;
    }
    let mut sound = true;
    for &index in &columns.unnamed {
        if record.get(index).is_some_and(|v| !v.trim().is_empty()) {
            problems.push(format!(
                "{label}: column {} has a value but no heading",
                column_letters(index)
            ));
            sound = false;
        }
    }
    let value = |index: usize| record.get(index).unwrap_or("").trim();
    let optional = |index: Option<usize>| index.map_or("", value);
    let count = match read_count(value(columns.count)) {
        Ok(count) => Some(count),
        Err(problem) => {
            problems.push(format!("{label}: {problem}"));
            None
        }
    };
    let item = check_item(
        label,
        Fields {
            vendor: value(columns.vendor),
            product: value(columns.product),
            version: value(columns.version),
            location: value(columns.location),
            cpe: optional(columns.cpe),
            purl: optional(columns.purl),
        },
        count.unwrap_or(1),
        problems,
    );
    item.filter(|_| sound && count.is_some())
}

/// An empty count means one installation, which is what people mean when they leave it out.
fn read_count(raw: &str) -> Result<i64, String> {
    if raw.is_empty() {
        return Ok(1);
    }
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let is_whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if !is_whole {
        return Err(format!(
            "enter a whole number for count, like 12 (you entered '{}')",
            quote(raw)
        ));
    }
    match raw.parse::<i64>() {
        Ok(count) if (0..=MAX_COUNT).contains(&count) => Ok(count),
        _ => Err(format!(
            "count must be between 0 and {} (you entered '{}')",
            thousands(MAX_COUNT.unsigned_abs()),
            quote(raw)
        )),
    }
}

/// Spreadsheet column names: A to Z, then AA, AB and so on.
pub(super) fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}
