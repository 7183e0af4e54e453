//! Importing staff from a CSV file: the rules, as pure functions.
//!
//! [`parse_file`] reads the uploaded bytes and sorts the rows into good ones and rejected
//! ones (with reasons, by row number as a spreadsheet shows it: the header is row 1), or
//! refuses the file as a whole. [`super::import_classify`] then compares the good rows with
//! the organisation's current members, and writing the result is
//! [`super::import_store`]'s job.

use std::collections::HashMap;

use super::groups::StaffGroup;
use crate::platform::{address::EmailAddress, text::check_one_line, web::format::thousands};

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most staff rows accepted in one file.
pub const MAX_ROWS: usize = 50_000;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DEPARTMENT_CHARS: usize = 200;

/// The columns a file must have, as written in the header row.
pub const REQUIRED_COLUMNS: [&str; 3] = ["name", "email", "staff_group"];
/// The column a file may have.
pub const OPTIONAL_COLUMNS: [&str; 1] = ["department"];

/// A good row: one person to add or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// The row number in the file, counting the header as row 1.
    pub row: usize,
    pub name: String,
    pub email: EmailAddress,
    pub staff_group: StaffGroup,
    pub department: Option<String>,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The row number in the file, counting the header as row 1.
    pub row: usize,
    /// What identifies the row to the person who made the file: the email address as
    /// given, or the name if there is no email address. May be empty.
    pub given: String,
    /// Every problem with the row, each a sentence without a full stop.
    pub reasons: Vec<String>,
}

/// A file that could be read, its rows sorted into good and rejected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedFile {
    pub rows: Vec<StaffRow>,
    pub rejected: Vec<RejectedRow>,
    /// Whether the file has a department column. Without one, departments are left as
    /// they are; with one, an empty cell means "no department".
    pub has_department: bool,
}

/// Why a file cannot be imported at all. Nothing is written when this happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// No file was chosen.
    NoFile,
    /// Over [`MAX_FILE_BYTES`].
    TooLarge,
    /// The upload itself failed or was malformed.
    Unreadable,
    /// The file has nothing in it.
    Empty,
    /// An Excel workbook rather than a CSV file.
    Spreadsheet,
    /// Not text in UTF-8.
    NotUtf8,
    /// Not CSV at all.
    NotCsv,
    /// The header row lacks these required columns.
    MissingColumns(Vec<&'static str>),
    /// There are column names but no people.
    NoRows,
    /// Over [`MAX_ROWS`] people.
    TooManyRows,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::NoFile => f.write_str("Select a CSV file of staff to import"),
            FileProblem::TooLarge => write!(
                f,
                "The selected file must be smaller than {}MB. Split it into smaller files and import each one",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            FileProblem::Unreadable => f.write_str(
                "The selected file could not be uploaded. Select it again and try again",
            ),
            FileProblem::Empty => f.write_str("The selected file is empty"),
            FileProblem::Spreadsheet => f.write_str(
                "The selected file is an Excel workbook, not a CSV file. In your spreadsheet, \
                 choose Save As, select \u{201c}CSV UTF-8\u{201d} and import that file",
            ),
            FileProblem::NotUtf8 => f.write_str(
                "The selected file is not saved as UTF-8. In your spreadsheet, choose Save As, \
                 select \u{201c}CSV UTF-8\u{201d} and import that file",
            ),
            FileProblem::NotCsv => f.write_str(
                "The selected file must be a CSV file, with the column names name, email and \
                 staff_group in the first row, separated by commas",
            ),
            FileProblem::MissingColumns(columns) => {
                let list = match columns.split_last() {
                    Some((last, [])) => format!("the {last} column"),
                    Some((last, rest)) => format!("the {} and {last} columns", rest.join(", ")),
                    None => "some columns".to_owned(),
                };
                write!(
                    f,
                    "The first row of the file must contain the column names. It is missing {list}"
                )
            }
            FileProblem::NoRows => f.write_str(
                "The selected file has column names but no staff. Add one row for each person",
            ),
            FileProblem::TooManyRows => write!(
                f,
                "The selected file has more than {} staff. Split it into smaller files and import each one",
                thousands(MAX_ROWS)
            ),
        }
    }
}

impl std::error::Error for FileProblem {}

/// Where each column is in the file.
struct Columns {
    name: usize,
    email: usize,
    staff_group: usize,
    department: Option<usize>,
}

/// A header as compared: lower case, without spaces, underscores or hyphens.
fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '_' | '-' | '\u{feff}')))
        .flat_map(char::to_lowercase)
        .collect()
}

fn find_columns(header: &csv::StringRecord) -> Result<Columns, FileProblem> {
    let keys: Vec<String> = header.iter().map(header_key).collect();
    let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
    let name = find(&["name", "fullname"]);
    let email = find(&["email", "emailaddress"]);
    let staff_group = find(&["staffgroup"]);
    let department = find(&["department"]);
    match (name, email, staff_group) {
        (Some(name), Some(email), Some(staff_group)) => Ok(Columns {
            name,
            email,
            staff_group,
            department,
        }),
        _ => {
            // One column and none we know: not a CSV file as we understand it.
            if header.len() <= 1 && name.is_none() && email.is_none() && staff_group.is_none() {
                return Err(FileProblem::NotCsv);
            }
            let missing = [
                ("name", name),
                ("email", email),
                ("staff_group", staff_group),
            ]
            .into_iter()
            .filter(|(_, found)| found.is_none())
            .map(|(column, _)| column)
            .collect();
            Err(FileProblem::MissingColumns(missing))
        }
    }
}

/// Recognises files that are plainly not CSV text from their first bytes.
fn binary_kind(bytes: &[u8]) -> Option<FileProblem> {
    const ZIP: &[u8] = b"PK\x03\x04"; // .xlsx, .ods
    const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"; // .xls
    if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
        return Some(FileProblem::Spreadsheet);
    }
    if bytes.starts_with(b"%PDF") || bytes.contains(&0) {
        return Some(FileProblem::NotCsv);
    }
    None
}

/// The separator used in the header line: a comma, or a semicolon or tab if the file has
/// no commas there (spreadsheets set to some European languages save CSV with semicolons).
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
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

/// Reads an uploaded file. Rows with problems are collected with their reasons; a problem
/// with the file as a whole is returned as the error.
pub fn parse_file(bytes: &[u8]) -> Result<ParsedFile, FileProblem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileProblem::Empty);
    }
    if let Some(problem) = binary_kind(bytes) {
        return Err(problem);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileProblem::NotUtf8)?;

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows = RowCounter {
        text: text.as_bytes(),
        row: 0,
    };
    // The header is the first row that has anything in it; rows are counted from it.
    loop {
        match rows.read(&mut reader, &mut record)? {
            None => return Err(FileProblem::Empty),
            Some(_) if is_blank(&record) => continue,
            Some(_) => break,
        }
    }
    rows.row = 1;
    let columns = find_columns(&record)?;

    let mut parsed = ParsedFile {
        has_department: columns.department.is_some(),
        ..ParsedFile::default()
    };
    let mut first_row_of: HashMap<EmailAddress, usize> = HashMap::new();
    let mut people = 0usize;
    while let Some(row) = rows.read(&mut reader, &mut record)? {
        if is_blank(&record) {
            continue;
        }
        people += 1;
        if people > MAX_ROWS {
            return Err(FileProblem::TooManyRows);
        }
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let department = columns.department.map(cell).unwrap_or_default();
        match check_row(
            cell(columns.name),
            cell(columns.email),
            cell(columns.staff_group),
            department,
        ) {
            Ok(checked) => match first_row_of.get(&checked.email) {
                Some(first) => parsed.rejected.push(RejectedRow {
                    row,
                    given: cell(columns.email).to_owned(),
                    reasons: vec![format!("This email address is already on row {first}")],
                }),
                None => {
                    first_row_of.insert(checked.email.clone(), row);
                    parsed.rows.push(StaffRow { row, ..checked });
                }
            },
            Err(mut reasons) => {
                let given = if cell(columns.email).is_empty() {
                    cell(columns.name)
                } else {
                    cell(columns.email)
                };
                if let Ok(email) = cell(columns.email).parse::<EmailAddress>() {
                    match first_row_of.get(&email) {
                        Some(first) => {
                            reasons.push(format!("This email address is already on row {first}"))
                        }
                        None => {
                            first_row_of.insert(email, row);
                        }
                    }
                }
                parsed.rejected.push(RejectedRow {
                    row,
                    given: given.to_owned(),
                    reasons,
                });
            }
        }
    }
    if people == 0 {
        return Err(FileProblem::NoRows);
    }
    Ok(parsed)
}

/// Numbers rows as a spreadsheet does. The reader skips blank lines, which are still rows
/// in a spreadsheet, while a quoted cell may span lines within one row; so each row's number
/// is the previous one's plus one plus the blank lines skipped before it. (The reader's own
/// line count does not help: it counts skipped lines late.)
struct RowCounter<'t> {
    text: &'t [u8],
    row: usize,
}

impl RowCounter<'_> {
    fn read(
        &mut self,
        reader: &mut csv::Reader<&[u8]>,
        record: &mut csv::StringRecord,
    ) -> Result<Option<usize>, FileProblem> {
        if !reader
            .read_record(record)
            .map_err(|_| FileProblem::NotCsv)?
        {
            return Ok(None);
        }
        // A record's position is where the reader started, before any blank lines.
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(self.text.len());
        let mut skipped = self.text.get(start..).unwrap_or_default();
        // After a \r\n, the reader stops between the \r and the \n.
        if start > 0 && self.text.get(start - 1) == Some(&b'\r') && skipped.first() == Some(&b'\n')
        {
            skipped = &skipped[1..];
        }
        let run = skipped
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        // Line endings may be \n, \r\n or (old Macs) \r.
        let blank_lines = (0..run)
            .filter(|&i| skipped[i] == b'\n' || skipped.get(i + 1) != Some(&b'\n'))
            .count();
        self.row += blank_lines + 1;
        Ok(Some(self.row))
    }
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// Checks one row's cells (already trimmed). The row number is left at 0 for the caller.
pub fn check_row(
    name: &str,
    email: &str,
    staff_group: &str,
    department: &str,
) -> Result<StaffRow, Vec<String>> {
    let mut reasons = Vec::new();
    if name.is_empty() {
        reasons.push("The name is missing".to_owned());
    } else if name.chars().count() > MAX_NAME_CHARS {
        reasons.push(format!(
            "The name must be {MAX_NAME_CHARS} characters or fewer"
        ));
    } else if let Err(reason) = check_one_line(name, "The name") {
        reasons.push(reason);
    }
    let email = match email.parse::<EmailAddress>() {
        Ok(email) => Some(email),
        Err(reason) => {
            reasons.push(reason.to_string());
            None
        }
    };
    let group = if staff_group.is_empty() {
        reasons.push(format!(
            "The staff group is missing. Use {}",
            StaffGroup::accepted_values()
        ));
        None
    } else {
        let group = StaffGroup::parse(staff_group);
        if group.is_none() {
            reasons.push(format!(
                "\u{201c}{}\u{201d} is not a staff group. Use {}",
                shorten(staff_group, 40),
                StaffGroup::accepted_values()
            ));
        }
        group
    };
    if department.chars().count() > MAX_DEPARTMENT_CHARS {
        reasons.push(format!(
            "The department must be {MAX_DEPARTMENT_CHARS} characters or fewer"
        ));
    } else if let Err(reason) = check_one_line(department, "The department") {
        reasons.push(reason);
    }
    match (email, group) {
        (Some(email), Some(staff_group)) if reasons.is_empty() => Ok(StaffRow {
            row: 0,
            name: name.to_owned(),
            email,
            staff_group,
            department: (!department.is_empty()).then(|| department.to_owned()),
        }),
        _ => Err(reasons),
    }
}

/// Quotes at most `max` characters of something a person typed.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('\u{2026}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::import_sample::sample_csv;

    fn parse(text: &str) -> ParsedFile {
        parse_file(text.as_bytes()).expect("file accepted")
    }

    fn problem(bytes: &[u8]) -> FileProblem {
        parse_file(bytes).expect_err("file refused")
    }

    #[test]
    fn reads_good_rows_trimmed_and_normalised() {
        let parsed = parse(
            "name,email,staff_group,department\n\
             \x20Ann Jones , ANN.Jones@NHS.net ,Clinical, Pharmacy \n\
             Bob,bob@nhs.net,admin and clerical,\n",
        );
        assert!(parsed.has_department);
        assert!(parsed.rejected.is_empty());
        assert_eq!(
            parsed.rows,
            vec![
                StaffRow {
                    row: 2,
                    name: "Ann Jones".into(),
                    email: "ann.jones@nhs.net".parse().unwrap(),
                    staff_group: StaffGroup::Clinical,
                    department: Some("Pharmacy".into()),
                },
                StaffRow {
                    row: 3,
                    name: "Bob".into(),
                    email: "bob@nhs.net".parse().unwrap(),
                    staff_group: StaffGroup::Admin,
                    department: None,
                },
            ]
        );
    }

    #[test]
    fn headers_match_loosely_in_any_order_and_extra_columns_are_ignored() {
        let parsed = parse(
            "\u{feff}Employee number;Staff Group;E-mail;Name\r\n\
             123;IT;ann@nhs.net;Ann\r\n",
        );
        // "E-mail" matches email; the semicolons were recognised.
        assert_eq!(parsed.rows.len(), 1, "{parsed:?}");
        assert_eq!(parsed.rows[0].staff_group, StaffGroup::It);
        assert!(!parsed.has_department);
        let parsed = parse(
            "NAME,Email Address,staff group,Department,Notes\nAnn,ann@nhs.net,board,Execs,x\n",
        );
        assert_eq!(parsed.rows[0].department.as_deref(), Some("Execs"));
    }

    #[test]
    fn byte_order_mark_is_stripped() {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend_from_slice(b"name,email,staff_group\nAnn,ann@nhs.net,other\n");
        assert_eq!(parse_file(&bytes).unwrap().rows.len(), 1);
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let parsed = parse(
            "name,email,staff_group\n\
             Ann,ann@nhs.net,clinical\n\
             \n\
             ,,\n\
             \"Bob\nBrown\",bad,clinical\n\
             Cat,cat@nhs.net,nurse\n",
        );
        let rows: Vec<usize> = parsed.rejected.iter().map(|r| r.row).collect();
        assert_eq!(parsed.rows[0].row, 2);
        assert_eq!(rows, vec![5, 6]);
    }

    #[test]
    fn blank_lines_count_as_rows_whatever_the_line_endings() {
        for ending in ["\n", "\r\n", "\r"] {
            let text = [
                "name,email,staff_group",
                "",
                "Ann,ann@nhs.net,x",
                "",
                "",
                "\"Bob",
                "Brown\",bob@nhs.net,y",
                "Cat,cat@nhs.net,z",
            ]
            .join(ending);
            let rows: Vec<usize> = parse(&text).rejected.iter().map(|r| r.row).collect();
            assert_eq!(rows, [3, 6, 7], "{ending:?}");
        }
    }

    #[test]
    fn bad_rows_are_rejected_with_every_reason() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let text = format!(
            "name,email,staff_group,department\n\
             ,,,\n\
             ,ann@nhs.net,,\n\
             Bob,,clinical,\n\
             {long},c@nhs.net,clinical,\n\
             Dee,dee@nhs.net,nurse,{}\n\
             Eve,eve at nhs.net,admin,\n",
            "d".repeat(MAX_DEPARTMENT_CHARS + 1)
        );
        let parsed = parse(&text);
        assert!(parsed.rows.is_empty());
        let r = &parsed.rejected;
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].row, 3);
        assert_eq!(r[0].given, "ann@nhs.net");
        assert_eq!(r[0].reasons.len(), 2);
        assert_eq!(r[0].reasons[0], "The name is missing");
        assert!(r[0].reasons[1].starts_with("The staff group is missing"));
        assert_eq!(r[1].given, "Bob");
        assert_eq!(r[1].reasons, vec!["The email address is missing"]);
        assert_eq!(
            r[2].reasons,
            vec!["The name must be 200 characters or fewer"]
        );
        assert_eq!(r[3].reasons.len(), 2);
        assert_eq!(
            r[3].reasons[0],
            "\u{201c}nurse\u{201d} is not a staff group. Use clinical, admin, it, board, temporary, student, volunteer or other"
        );
        assert_eq!(
            r[3].reasons[1],
            "The department must be 200 characters or fewer"
        );
        assert_eq!(
            r[4].reasons,
            vec!["The email address must not contain spaces"]
        );
    }

    #[test]
    fn the_same_email_twice_rejects_the_later_row() {
        let parsed = parse(
            "name,email,staff_group\n\
             Ann,ann@nhs.net,clinical\n\
             Bob,bob@nhs.net,clinical\n\
             Ann again,ANN@nhs.net,admin\n\
             Bob bad,bob@nhs.net,nurse\n",
        );
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rejected.len(), 2);
        assert_eq!(parsed.rejected[0].row, 4);
        assert_eq!(parsed.rejected[0].given, "ANN@nhs.net");
        assert_eq!(
            parsed.rejected[0].reasons,
            vec!["This email address is already on row 2"]
        );
        assert_eq!(
            parsed.rejected[1].reasons.last().unwrap(),
            "This email address is already on row 3"
        );
    }

    #[test]
    fn a_rejected_row_still_claims_its_email() {
        let parsed =
            parse("name,email,staff_group\nAnn,ann@nhs.net,nurse\nAnn,ann@nhs.net,clinical\n");
        assert!(parsed.rows.is_empty());
        assert_eq!(
            parsed.rejected[1].reasons,
            vec!["This email address is already on row 2"]
        );
    }

    #[test]
    fn whole_file_problems() {
        assert_eq!(problem(b""), FileProblem::Empty);
        assert_eq!(problem(b" \r\n\n"), FileProblem::Empty);
        assert_eq!(problem(b"\xef\xbb\xbf"), FileProblem::Empty);
        assert_eq!(problem(b"name,email,staff_group\r\n"), FileProblem::NoRows);
        assert_eq!(
            problem(b"name,email,staff_group\n,,\n"),
            FileProblem::NoRows
        );
        assert_eq!(
            problem(b"name,email,staff_group\nJos\xe9,jose@nhs.net,it\n"),
            FileProblem::NotUtf8
        );
        assert_eq!(
            problem(b"PK\x03\x04\x14\x00\x06\x00"),
            FileProblem::Spreadsheet
        );
        assert_eq!(
            problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"),
            FileProblem::Spreadsheet
        );
        assert_eq!(problem(b"%PDF-1.7\n"), FileProblem::NotCsv);
        assert_eq!(problem(b"Hello,\x00world"), FileProblem::NotCsv);
        assert_eq!(
            problem(b"Dear all\nplease find attached\n"),
            FileProblem::NotCsv
        );
        assert_eq!(
            problem(b"name,e-mail address,group\nAnn,ann@nhs.net,it\n"),
            FileProblem::MissingColumns(vec!["staff_group"])
        );
        assert_eq!(
            problem(b"full name,department\nAnn,IT\n"),
            FileProblem::MissingColumns(vec!["email", "staff_group"])
        );
        assert_eq!(
            problem(&vec![b' '; MAX_FILE_BYTES + 1]),
            FileProblem::TooLarge
        );
    }

    #[test]
    fn at_most_the_row_limit() {
        assert_eq!(parse(&sample_csv(MAX_ROWS, 1)).rows.len(), MAX_ROWS);
        assert_eq!(
            parse_file(sample_csv(MAX_ROWS + 1, 1).as_bytes()),
            Err(FileProblem::TooManyRows)
        );
    }

    #[test]
    fn problems_are_explained() {
        assert_eq!(
            FileProblem::MissingColumns(vec!["email"]).to_string(),
            "The first row of the file must contain the column names. It is missing the email column"
        );
        assert_eq!(
            FileProblem::MissingColumns(vec!["name", "email", "staff_group"]).to_string(),
            "The first row of the file must contain the column names. It is missing the name, email and staff_group columns"
        );
        assert!(
            FileProblem::NotUtf8
                .to_string()
                .contains("\u{201c}CSV UTF-8\u{201d}")
        );
        assert!(FileProblem::TooManyRows.to_string().contains("50,000"));
        assert!(FileProblem::TooLarge.to_string().contains("10MB"));
    }
}
