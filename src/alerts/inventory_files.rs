//! Reading an organisation's software inventory upload, either a spreadsheet saved as CSV or a
//! CycloneDX software bill of materials (SBOM) in JSON. The upload is all or nothing: every
//! row is checked, and if any is wrong nothing is imported and the person gets a list of what
//! to fix, named the way they see it (spreadsheet row numbers, SBOM component positions).

use serde_json::{Map, Value};

use crate::{alerts::model::InventoryItem, platform::web::format::thousands};

/// Larger than any realistic inventory, small enough to check in one request.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_ITEMS: usize = 20_000;

/// Beyond this many, more problems only bury the first ones; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 20;
const MAX_FIELD_CHARS: usize = 200;
const MAX_COUNT: i64 = 1_000_000;
/// Values quoted back in messages are cut to this, so a hostile value cannot flood a page.
const MAX_QUOTED_CHARS: usize = 40;
const REQUIRED_COLUMNS: [&str; 5] = ["vendor", "product", "version", "count", "location"];
const OPTIONAL_COLUMNS: [&str; 2] = ["cpe", "purl"];
const COLUMNS_HELP: &str =
    "The headings are vendor, product, version, count and location, and optionally cpe and purl";
// CycloneDX 1.x versions are forward compatible: the fields read here (components, their
// names, versions, suppliers, CPEs and package URLs) mean the same in each.
const CYCLONEDX_VERSIONS: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];
/// Where an SBOM's items are said to be when it does not name the system it describes.
const SBOM_LOCATION: &str = "SBOM";
const NOT_READABLE: &str = "This file is not a CSV or CycloneDX JSON file";
const NO_ROWS: &str = "The file has no inventory rows";

/// The kinds of inventory file CareCERT reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    CycloneDx,
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

// ---- CSV ----

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

fn parse_csv(text: &str) -> Result<Vec<InventoryItem>, InventoryError> {
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
fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

// ---- CycloneDX ----

/// Every component is read, whatever its type. Advisories are matched on names, CPEs and
/// package URLs, and any component type (a library, an operating system, firmware, even a
/// file) can carry one; silently dropping a type could hide a vulnerable item. Components
/// that cannot be identified are refused with the others, so the person can see and fix them.
/// The SBOM's own subject (`metadata.component`) is not an item: its name is the location.
fn parse_cyclonedx(text: &str) -> Result<Parsed, InventoryError> {
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

// ---- Rules shared by both formats ----

struct Fields<'a> {
    vendor: &'a str,
    product: &'a str,
    version: &'a str,
    location: &'a str,
    cpe: &'a str,
    purl: &'a str,
}

fn check_item(
    label: &str,
    fields: Fields<'_>,
    count: i64,
    problems: &mut Problems,
) -> Option<InventoryItem> {
    let before = problems.total;
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
        }
    }
    if fields.product.is_empty() {
        problems.push(format!("{label}: the product name is missing"));
    }
    if fields.vendor.is_empty() && fields.cpe.is_empty() && fields.purl.is_empty() {
        problems.push(format!(
            "{label}: the vendor is missing. Give the vendor, or a CPE or package URL (purl) \
             that identifies the product"
        ));
    }
    if !fields.cpe.is_empty() && !is_cpe23(fields.cpe) {
        problems.push(format!(
            "{label}: the CPE '{}' is not a CPE 2.3 name like \
             cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            quote(fields.cpe)
        ));
    }
    if !fields.purl.is_empty() && !is_purl(fields.purl) {
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
fn check_text(what: &str, value: &str) -> Result<(), String> {
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

/// A CPE 2.3 formatted string: `cpe:2.3:` then part, vendor, product, version, update,
/// edition, language, software edition, target software, target hardware and other, 13
/// colon-separated parts in all. A backslash escapes the character after it, colons included.
fn is_cpe23(cpe: &str) -> bool {
    if !cpe.starts_with("cpe:2.3:") || cpe.chars().any(char::is_whitespace) {
        return false;
    }
    let mut parts = vec![String::new()];
    let mut chars = cpe.chars();
    while let Some(c) = chars.next() {
        match c {
            ':' => parts.push(String::new()),
            '\\' => {
                let Some(escaped) = chars.next() else {
                    return false;
                };
                if let Some(part) = parts.last_mut() {
                    part.push(c);
                    part.push(escaped);
                }
            }
            _ => {
                if let Some(part) = parts.last_mut() {
                    part.push(c);
                }
            }
        }
    }
    parts.len() == 13
        && ["a", "o", "h", "*", "-"].contains(&parts[2].as_str())
        && parts.iter().all(|p| !p.is_empty())
}

/// A package URL: `pkg:`, a type (a letter, then letters, digits, `.`, `+` or `-`), `/`, an
/// optional namespace, and a name, optionally followed by `@version`, `?qualifiers` and
/// `#subpath`.
fn is_purl(purl: &str) -> bool {
    let has_scheme = purl
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("pkg:"));
    if !has_scheme || purl.chars().any(char::is_whitespace) {
        return false;
    }
    let rest = purl.get(4..).unwrap_or("").trim_start_matches('/');
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let Some((kind, remainder)) = path.split_once('/') else {
        return false;
    };
    let kind_ok = kind.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    let last_segment = remainder
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let name = last_segment.split('@').next().unwrap_or("");
    kind_ok && !name.is_empty()
}

fn too_many(what: &str) -> InventoryError {
    InventoryError::one(format!(
        "The file has more than {} {what}, the most CareCERT accepts in one upload. Split it \
         into smaller files and upload each one",
        thousands(MAX_ITEMS as u64)
    ))
}

/// Counts every problem but keeps only the first few, so a wholly wrong file cannot produce
/// an enormous message.
#[derive(Default)]
struct Problems {
    shown: Vec<String>,
    total: usize,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.shown.len() < MAX_PROBLEMS_SHOWN {
            self.shown.push(problem);
        }
        self.total += 1;
    }

    fn finish(mut self) -> Result<(), InventoryError> {
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
fn quote(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID_CSV: &str = include_str!("../../tests/fixtures/alerts/inventory_valid.csv");
    const HALF_VALID_CSV: &str =
        include_str!("../../tests/fixtures/alerts/inventory_half_valid.csv");
    const VALID_SBOM: &str =
        include_str!("../../tests/fixtures/alerts/inventory_sbom_valid.cdx.json");
    const HALF_VALID_SBOM: &str =
        include_str!("../../tests/fixtures/alerts/inventory_sbom_half_valid.cdx.json");
    const MALFORMED_SBOM: &str =
        include_str!("../../tests/fixtures/alerts/inventory_sbom_malformed.cdx.json");
    const KEV: &str = include_str!("../../tests/fixtures/alerts/kev_valid.json");
    const HEADINGS: &str = "vendor,product,version,count,location\n";

    fn csv(rows: &str) -> Result<Vec<InventoryItem>, InventoryError> {
        parse("inventory.csv", format!("{HEADINGS}{rows}").as_bytes())
    }

    fn problems(result: Result<Vec<InventoryItem>, InventoryError>) -> Vec<String> {
        match result {
            Err(error) => error.problems,
            Ok(items) => panic!("expected the file to be refused, got {items:?}"),
        }
    }

    /// The items of a file, for the tests about what is read and refused.
    fn parse(filename: &str, bytes: &[u8]) -> Result<Vec<InventoryItem>, InventoryError> {
        super::parse(filename, bytes).map(|p| p.items)
    }

    fn only_problem(result: Result<Vec<InventoryItem>, InventoryError>) -> String {
        let mut all = problems(result);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    fn sbom(components: Value) -> Vec<u8> {
        serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "components": components
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn reads_the_valid_csv_sample() {
        let items = parse("inventory.csv", VALID_CSV.as_bytes()).unwrap();
        assert_eq!(items.len(), 6);
        assert_eq!(
            items[0],
            InventoryItem {
                vendor: "Microsoft".into(),
                product: "Windows 11 Enterprise".into(),
                version: "23H2".into(),
                count: 1450,
                location: "All sites".into(),
                cpe: Some("cpe:2.3:o:microsoft:windows_11_23h2:*:*:*:*:*:*:*:*".into()),
                purl: None,
            }
        );
        assert_eq!(items[2].location, "Pathology lab, building 4");
        assert_eq!(
            items[2].purl.as_deref(),
            Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
        );
        let lodash = &items[3];
        assert_eq!((lodash.vendor.as_str(), lodash.count), ("", 1));
        assert_eq!(items[4].product, items[5].product);
        assert_ne!(items[4].location, items[5].location);
    }

    #[test]
    fn one_bad_row_refuses_the_whole_csv_naming_that_row() {
        assert_eq!(
            only_problem(parse("inventory.csv", HALF_VALID_CSV.as_bytes())),
            "Row 7: enter a whole number for count, like 12 (you entered 'twelve')"
        );
    }

    #[test]
    fn headings_may_be_in_any_order_and_case_after_a_byte_order_mark() {
        let file =
            "\u{FEFF} LOCATION ,Count,Product,Version,vendor\nWard 4,3,Firefox,126.0,Mozilla\n";
        let items = parse("x.csv", file.as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (
                items[0].vendor.as_str(),
                items[0].product.as_str(),
                items[0].version.as_str(),
                items[0].count,
                items[0].location.as_str()
            ),
            ("Mozilla", "Firefox", "126.0", 3, "Ward 4")
        );
    }

    #[test]
    fn unknown_headings_are_named_with_the_expected_ones() {
        let file = "vendor,product,version,count,location,Owner,Qty\n";
        assert_eq!(
            only_problem(parse("x.csv", file.as_bytes())),
            "Row 1 should hold the column headings. These are not headings CareCERT knows: \
             'Owner', 'Qty'. The headings are vendor, product, version, count and location, and \
             optionally cpe and purl"
        );
    }

    #[test]
    fn missing_and_repeated_headings_are_named() {
        let file = "vendor,product,Product,version\nA,B,C,1\n";
        assert_eq!(
            problems(parse("x.csv", file.as_bytes())),
            vec![
                "Row 1: the heading 'product' appears more than once",
                "Row 1: these column headings are missing: count, location. The headings are \
                 vendor, product, version, count and location, and optionally cpe and purl",
            ]
        );
    }

    #[test]
    fn a_file_without_rows_is_refused() {
        for file in [
            "",
            "   \n\n",
            HEADINGS,
            "vendor,product,version,count,location\n,,,,\n\n",
        ] {
            assert_eq!(
                only_problem(parse("x.csv", file.as_bytes())),
                "The file has no inventory rows",
                "{file:?}"
            );
        }
    }

    #[test]
    fn counts_must_be_whole_numbers_in_range() {
        for (raw, expected) in [("0", 0), ("1000000", 1_000_000), (" 7 ", 7), ("", 1)] {
            let items = csv(&format!("Acme,Widget,1,{raw},Ward\n")).unwrap();
            assert_eq!(items[0].count, expected, "{raw:?}");
        }
        for (raw, expected) in [
            (
                "twelve",
                "enter a whole number for count, like 12 (you entered 'twelve')",
            ),
            (
                "1.5",
                "enter a whole number for count, like 12 (you entered '1.5')",
            ),
            (
                "1,000",
                "enter a whole number for count, like 12 (you entered '1,000')",
            ),
            (
                "-1",
                "count must be between 0 and 1,000,000 (you entered '-1')",
            ),
            (
                "1000001",
                "count must be between 0 and 1,000,000 (you entered '1000001')",
            ),
            (
                "99999999999999999999999",
                "count must be between 0 and 1,000,000 (you entered '99999999999999999999999')",
            ),
        ] {
            assert_eq!(
                only_problem(csv(&format!("Acme,Widget,1,\"{raw}\",Ward\n"))),
                format!("Row 2: {expected}")
            );
        }
    }

    #[test]
    fn the_vendor_may_be_left_out_only_when_a_cpe_or_purl_identifies_the_product() {
        let file = "vendor,product,version,count,location,cpe,purl\n\
                    ,log4j,2.14.1,1,Lab,cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*,\n\
                    ,lodash,4.17.20,1,Portal,,pkg:npm/lodash@4.17.20\n";
        assert_eq!(parse("x.csv", file.as_bytes()).unwrap().len(), 2);
        assert_eq!(
            only_problem(csv(",Widget,1,1,Ward\n")),
            "Row 2: the vendor is missing. Give the vendor, or a CPE or package URL (purl) that \
             identifies the product"
        );
    }

    #[test]
    fn the_product_is_required() {
        assert_eq!(
            only_problem(csv("Acme, ,1,1,Ward\n")),
            "Row 2: the product name is missing"
        );
    }

    #[test]
    fn values_longer_than_200_characters_are_refused() {
        let at_limit = "é".repeat(200);
        assert!(csv(&format!("Acme,{at_limit},1,1,Ward\n")).is_ok());
        let over = "a".repeat(201);
        assert_eq!(
            only_problem(csv(&format!("Acme,Widget,1,1,{over}\n"))),
            "Row 2: the location is 201 characters long; the most allowed is 200"
        );
    }

    #[test]
    fn invisible_characters_are_refused() {
        assert_eq!(
            only_problem(csv("Acme,\"Wid\nget\",1,1,Ward\n")),
            "Row 2: the product name contains a line break or another invisible character; \
             remove it"
        );
    }

    #[test]
    fn values_that_look_like_formulas_are_stored_as_given() {
        let items = csv("Acme,\"=HYPERLINK(\"\"http://x.example\"\")\",1,1,+Ward\n").unwrap();
        assert_eq!(items[0].product, "=HYPERLINK(\"http://x.example\")");
        assert_eq!(items[0].location, "+Ward");
    }

    #[test]
    fn rows_with_the_wrong_number_of_values_are_named() {
        assert_eq!(
            only_problem(csv("Acme,Widget,1,1,Ward,extra\n")),
            "Row 2: has 6 values but there are 5 column headings. If a value contains a comma, \
             put the value in double quotes"
        );
        assert_eq!(
            only_problem(csv("Acme,Widget\n")),
            "Row 2: has 2 values but there are 5 column headings. If a value contains a comma, \
             put the value in double quotes"
        );
    }

    #[test]
    fn blank_headed_columns_must_stay_empty() {
        let file = "vendor,product,version,count,location,,\nAcme,Widget,1,1,Ward,,\nAcme,Gadget,1,1,Ward,,x\n";
        assert_eq!(
            only_problem(parse("x.csv", file.as_bytes())),
            "Row 3: column G has a value but no heading"
        );
    }

    #[test]
    fn row_numbers_match_the_lines_people_see() {
        let result = csv("Acme,Widget,1,1,Ward\n\nAcme,Widget,1,lots,Ward\n");
        assert_eq!(
            only_problem(result),
            "Row 4: enter a whole number for count, like 12 (you entered 'lots')"
        );
        let windows_endings =
            "\r\n\r\nvendor,product,version,count,location\r\n\r\n\r\nA,B,1,x,C\r\n";
        assert_eq!(
            only_problem(parse("x.csv", windows_endings.as_bytes())),
            "Row 6: enter a whole number for count, like 12 (you entered 'x')"
        );
        let cell_with_line_breaks = csv("Acme,\"Wid\n\nget\",1,1,Ward\nAcme,Widget,1,x,Ward\n");
        assert_eq!(
            problems(cell_with_line_breaks),
            vec![
                "Row 2: the product name contains a line break or another invisible character; \
                 remove it",
                "Row 3: enter a whole number for count, like 12 (you entered 'x')",
            ]
        );
    }

    #[test]
    fn semicolon_and_tab_separated_files_are_read() {
        let semicolons = "vendor;product;version;count;location\nAcme;Widget, Pro;1;2;Ward\n";
        let items = parse("x.csv", semicolons.as_bytes()).unwrap();
        assert_eq!(
            (items[0].product.as_str(), items[0].count),
            ("Widget, Pro", 2)
        );
        let tabs = "vendor\tproduct\tversion\tcount\tlocation\nAcme\tWidget\t1\t4\tWard\n";
        assert_eq!(parse("x.tsv", tabs.as_bytes()).unwrap()[0].count, 4);
    }

    #[test]
    fn cpe_names_must_have_the_2_3_shape() {
        for good in [
            "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:x64:*",
            "cpe:2.3:a:vendor:prod\\:uct:1.0:*:*:*:*:*:*:*",
        ] {
            assert!(is_cpe23(good), "{good}");
        }
        for bad in [
            "cpe:/a:apache:log4j:2.14.1",
            "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*",
            "cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache::2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log 4j:2.14.1:*:*:*:*:*:*:*",
            "CPE:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:\\",
        ] {
            assert!(!is_cpe23(bad), "{bad}");
        }
        let file =
            "vendor,product,version,count,location,cpe\nApache,Log4j,2,1,Lab,cpe:/a:apache:log4j\n";
        assert_eq!(
            only_problem(parse("x.csv", file.as_bytes())),
            "Row 2: the CPE 'cpe:/a:apache:log4j' is not a CPE 2.3 name like \
             cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"
        );
    }

    #[test]
    fn package_urls_need_a_type_and_a_name() {
        for good in [
            "pkg:npm/lodash@4.17.21",
            "pkg:npm/%40angular/core@17.0.0",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
            "pkg:deb/debian/openssl@3.0.11?arch=amd64#usr/lib",
            "PKG:pypi/requests",
        ] {
            assert!(is_purl(good), "{good}");
        }
        for bad in [
            "npm/lodash@4.17.21",
            "pkg:lodash",
            "pkg:/lodash",
            "pkg:npm/",
            "pkg:npm/@4.17.21",
            "pkg:1npm/lodash",
            "pkg:np m/lodash",
            "pkg:",
            "pkg",
        ] {
            assert!(!is_purl(bad), "{bad}");
        }
        let file = "vendor,product,version,count,location,purl\n,lodash,4,1,Portal,npm/lodash\n";
        assert_eq!(
            only_problem(parse("x.csv", file.as_bytes())),
            "Row 2: the package URL 'npm/lodash' is not like pkg:npm/lodash@4.17.21 (it needs \
             pkg:, a type and a name)"
        );
    }

    #[test]
    fn every_problem_in_a_row_is_listed() {
        let file = "vendor,product,version,count,location,cpe\n,,1,x,Ward,cpe:bad\n";
        assert_eq!(
            problems(parse("x.csv", file.as_bytes())),
            vec![
                "Row 2: enter a whole number for count, like 12 (you entered 'x')",
                "Row 2: the product name is missing",
                "Row 2: the CPE 'cpe:bad' is not a CPE 2.3 name like \
                 cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            ]
        );
    }

    #[test]
    fn only_twenty_problems_are_listed_then_the_rest_counted() {
        let rows: String = (0..30).map(|_| "Acme,Widget,1,many,Ward\n").collect();
        let listed = problems(csv(&rows));
        assert_eq!(listed.len(), 21);
        assert_eq!(
            listed[19],
            "Row 21: enter a whole number for count, like 12 (you entered 'many')"
        );
        assert_eq!(listed[20], "and 10 more problems");
        let error = csv(&rows).unwrap_err();
        assert_eq!(error.to_string().lines().count(), 21);
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let long = "z".repeat(5000);
        let message = only_problem(csv(&format!("Acme,Widget,1,{long},Ward\n")));
        assert!(message.chars().count() < 120, "{message}");
        assert!(message.ends_with("…')"), "{message}");
    }

    #[test]
    fn too_large_a_file_is_refused() {
        let mut file = format!("{HEADINGS}Acme,Widget,1,1,Ward\n").into_bytes();
        file.resize(MAX_BYTES + 1, b'\n');
        assert_eq!(
            only_problem(parse("x.csv", &file)),
            "This file is larger than 5 MB, the most CareCERT accepts. Split the inventory into \
             smaller files and upload each one"
        );
        file.truncate(MAX_BYTES);
        assert_eq!(parse("x.csv", &file).unwrap().len(), 1);
    }

    #[test]
    fn too_many_rows_are_refused() {
        let at_limit: String = (0..MAX_ITEMS).map(|_| "A,B,1,1,C\n").collect();
        assert_eq!(csv(&at_limit).unwrap().len(), MAX_ITEMS);
        let over = format!("{at_limit}A,B,1,1,C\n");
        assert_eq!(
            only_problem(csv(&over)),
            "The file has more than 20,000 rows, the most CareCERT accepts in one upload. Split \
             it into smaller files and upload each one"
        );
    }

    #[test]
    fn detects_the_format_by_content() {
        assert_eq!(detect("x.csv", VALID_CSV.as_bytes()), Ok(Format::Csv));
        assert_eq!(
            detect("x.csv", VALID_SBOM.as_bytes()),
            Ok(Format::CycloneDx)
        );
        assert_eq!(
            detect("x.json", b"\xEF\xBB\xBF \n\t{}"),
            Ok(Format::CycloneDx)
        );
        assert_eq!(detect("sbom.json", HEADINGS.as_bytes()), Ok(Format::Csv));
    }

    #[test]
    fn binary_files_are_refused_clearly() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
        let message = only_problem(parse("inventory.png", png));
        assert_eq!(
            message,
            "This file is not a CSV or CycloneDX JSON file: it holds binary data, like a picture \
             or a document. Upload a CSV file or a CycloneDX SBOM in JSON"
        );
        assert!(detect("inventory.png", png).is_err());
        let latin1 = b"vendor,product,version,count,location\nNestl\xe9,App,1,1,Ward\n";
        assert!(only_problem(parse("x.csv", latin1)).contains("not UTF-8 text"));
        let utf16 = b"\xFF\xFEv\0e\0n\0";
        assert!(only_problem(parse("x.csv", utf16)).contains("UTF-16"));
    }

    #[test]
    fn a_spreadsheet_workbook_gets_advice_to_save_as_csv() {
        let zip = b"PK\x03\x04\x14\0\x06\0\x08\0";
        assert_eq!(
            only_problem(parse("Inventory.XLSX", zip)),
            "This file is not a CSV or CycloneDX JSON file: it is a spreadsheet workbook. In \
             your spreadsheet choose Save As, pick 'CSV UTF-8', and upload that file"
        );
    }

    #[test]
    fn xml_is_refused_with_advice() {
        let xml = b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>";
        assert!(only_problem(parse("sbom.xml", xml)).contains("export the SBOM as JSON"));
    }

    #[test]
    fn reads_the_valid_sbom_sample_including_nested_components() {
        let items = parse("sbom.json", VALID_SBOM.as_bytes()).unwrap();
        let summary: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|i| (i.vendor.as_str(), i.product.as_str(), i.version.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("org.apache.logging.log4j", "log4j-core", "2.14.1"),
                ("", "lodash", "4.17.20"),
                ("Microsoft", ".NET Runtime", "8.0.4"),
                ("Microsoft Corporation", "System.Text.Json", "8.0.0"),
                ("Canonical", "Ubuntu", "22.04"),
                ("Example NHS Trust", "portal-settings.xml", ""),
            ]
        );
        assert!(
            items
                .iter()
                .all(|i| i.location == "Patient Portal" && i.count == 1)
        );
        assert_eq!(
            items[0].cpe.as_deref(),
            Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
        );
        assert_eq!(items[1].purl.as_deref(), Some("pkg:npm/lodash@4.17.20"));
    }

    #[test]
    fn an_sbom_without_a_subject_is_located_as_sbom() {
        let items = parse(
            "sbom.json",
            &sbom(serde_json::json!([{"type": "library", "author": "Acme", "name": "widget"}])),
        )
        .unwrap();
        assert_eq!(items[0].location, "SBOM");
        assert_eq!(items[0].vendor, "Acme");
    }

    #[test]
    fn the_vendor_is_taken_from_group_then_publisher_then_supplier_then_author() {
        let component = serde_json::json!({
            "name": "widget",
            "group": " ",
            "publisher": "",
            "supplier": {"name": "Supplier Ltd"},
            "author": "Author Name"
        });
        let items = parse("s.json", &sbom(Value::Array(vec![component]))).unwrap();
        assert_eq!(items[0].vendor, "Supplier Ltd");
    }

    #[test]
    fn one_bad_component_refuses_the_whole_sbom_naming_each() {
        assert_eq!(
            problems(parse("sbom.json", HALF_VALID_SBOM.as_bytes())),
            vec![
                "Component 2: the product name is missing",
                "Component 5 ('lodash'): the package URL 'npm/lodash@4.17.20' is not like \
                 pkg:npm/lodash@4.17.21 (it needs pkg:, a type and a name)",
            ]
        );
    }

    #[test]
    fn components_nothing_could_match_are_left_out_and_named() {
        let file = serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [
                {"type": "operating-system", "name": "debian", "version": "12.7"},
                {"type": "library", "name": "openssl", "version": "3.0.14",
                 "purl": "pkg:deb/debian/openssl@3.0.14"},
                {"type": "file", "name": "/usr/lib/app/tool.jar", "cpe": " "}
            ]
        })
        .to_string();
        let parsed = super::parse("image.cdx.json", file.as_bytes()).unwrap();
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.items[0].product, "openssl");
        assert_eq!(
            parsed.left_out,
            vec![
                "Component 1 ('debian')",
                "Component 3 ('/usr/lib/app/tool.jar')"
            ]
        );

        // A component with a wrong identifier is a fault to fix, not one to leave out.
        let faulty = sbom(serde_json::json!([{"name": "x", "purl": 7}]));
        assert!(
            problems(parse("s.json", &faulty))
                .iter()
                .any(|p| p.contains("'purl' is not text"))
        );

        // An SBOM of nothing matchable at all is refused, as it could only mislead.
        let nothing = sbom(serde_json::json!([{"name": "debian", "version": "12"}]));
        assert!(only_problem(parse("s.json", &nothing)).contains("no advisory could ever match"));
    }

    #[test]
    fn a_broken_sbom_says_where_it_breaks() {
        let message = only_problem(parse("sbom.json", MALFORMED_SBOM.as_bytes()));
        assert!(
            message.starts_with(
                "This file starts like JSON but is not valid JSON: it stops part-way through"
            ),
            "{message}"
        );
        assert_eq!(
            only_problem(parse("sbom.json", b"{\"bomFormat\": CycloneDX}")),
            "This file starts like JSON but is not valid JSON: there is a mistake at line 1, \
             column 15"
        );
    }

    #[test]
    fn a_kev_catalogue_uploaded_as_inventory_is_recognised() {
        assert_eq!(
            only_problem(parse(
                "known_exploited_vulnerabilities.json",
                KEV.as_bytes()
            )),
            "This is the CISA Known Exploited Vulnerabilities catalogue, not a software \
             inventory. Upload a CSV inventory or a CycloneDX SBOM"
        );
    }

    #[test]
    fn other_json_is_not_an_sbom() {
        let expected =
            "This JSON file is not a CycloneDX SBOM: it should have \"bomFormat\": \"CycloneDX\"";
        assert_eq!(
            only_problem(parse("x.json", br#"{"bomFormat":"SPDX","components":[]}"#)),
            expected
        );
        assert_eq!(only_problem(parse("x.json", b"{}")), expected);
    }

    #[test]
    fn a_cyclonedx_1_7_sbom_with_its_new_fields_is_read() {
        let file = serde_json::json!({
            "$schema": "http://cyclonedx.org/schema/bom-1.7.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": "1.7",
            "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "version": 1,
            "metadata": {
                "distributionConstraints": {"tlp": "AMBER"},
                "component": {"type": "application", "name": "Pathology LIMS"}
            },
            "components": [{
                "type": "library",
                "group": "org.apache.logging.log4j",
                "name": "log4j-core",
                "version": "2.14.1",
                "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "licenses": [{"expression": "Apache-2.0"}, {"expression": "MIT"}],
                "patentAssertions": []
            }],
            "citations": [{"pointers": ["/components/0"], "timestamp": "2026-11-01T09:00:00Z"}]
        })
        .to_string();
        let items = parse("lims.cdx.json", file.as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].product, "log4j-core");
        assert_eq!(items[0].version, "2.14.1");
        assert_eq!(
            items[0].purl.as_deref(),
            Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
        );
    }

    #[test]
    fn only_cyclonedx_1_4_to_1_7_are_read() {
        let with_version = |v: Value| {
            serde_json::json!({
                "bomFormat": "CycloneDX",
                "specVersion": v,
                "components": [{"name": "widget", "author": "Acme"}]
            })
            .to_string()
        };
        for version in ["1.4", "1.5", "1.6", "1.7"] {
            assert!(parse("s.json", with_version(version.into()).as_bytes()).is_ok());
        }
        assert_eq!(
            only_problem(parse("s.json", with_version("1.2".into()).as_bytes())),
            "This SBOM uses CycloneDX version '1.2'; CareCERT reads versions 1.4 to 1.7"
        );
        assert!(
            only_problem(parse("s.json", with_version(Value::Null).as_bytes()))
                .contains("'specVersion'")
        );
    }

    #[test]
    fn an_sbom_without_components_is_refused() {
        assert_eq!(
            only_problem(parse("s.json", &sbom(serde_json::json!([])))),
            "The SBOM lists no components, so there is nothing to import"
        );
        assert!(
            only_problem(parse("s.json", &sbom(serde_json::json!({"name": "x"}))))
                .contains("not a list")
        );
    }

    #[test]
    fn malformed_components_are_named() {
        let components = serde_json::json!([
            "log4j",
            {"name": 42, "author": "Acme"},
            {"name": "widget", "author": "Acme", "version": 3, "components": "none"}
        ]);
        assert_eq!(
            problems(parse("s.json", &sbom(components))),
            vec![
                "Component 1: is not a component description",
                "Component 2: its 'name' is not text",
                "Component 2: the product name is missing",
                "Component 3 ('widget'): its 'components' is not a list",
                "Component 3 ('widget'): its 'version' is not text",
            ]
        );
    }

    #[test]
    fn too_many_components_are_refused() {
        let one = serde_json::json!({"name": "w", "author": "A"});
        let at_limit = Value::Array(vec![one.clone(); MAX_ITEMS]);
        assert_eq!(parse("s.json", &sbom(at_limit)).unwrap().len(), MAX_ITEMS);
        let nested =
            serde_json::json!([{"name": "w", "author": "A", "components": vec![one; MAX_ITEMS]}]);
        assert_eq!(
            only_problem(parse("s.json", &sbom(nested))),
            "The file has more than 20,000 components, the most CareCERT accepts in one upload. \
             Split it into smaller files and upload each one"
        );
    }

    #[test]
    fn an_overlong_sbom_subject_is_refused_once() {
        let file = serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {"component": {"name": "x".repeat(300)}},
            "components": [{"name": "a", "author": "A"}, {"name": "b", "author": "B"}]
        });
        assert_eq!(
            only_problem(parse("s.json", file.to_string().as_bytes())),
            "The SBOM: the name of the system the SBOM describes is 300 characters long; the \
             most allowed is 200"
        );
    }

    #[test]
    fn deeply_nested_json_is_refused_without_crashing() {
        let mut hostile = "{\"a\":".repeat(50_000);
        hostile.push_str(&"}".repeat(50_000));
        assert!(only_problem(parse("s.json", hostile.as_bytes())).contains("not valid JSON"));
    }

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
