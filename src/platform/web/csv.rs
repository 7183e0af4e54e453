//! CSV downloads: the response that makes the browser save a file, and the cell that a
//! spreadsheet cannot run as a formula (names and other text people typed end up in these
//! files, and a cell such as `=HYPERLINK(…)` would otherwise run when the file is opened).

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

/// A spreadsheet cell that cannot run as a formula: text starting with `=`, `+`, `-` or
/// `@` (or a tab or carriage return, which some spreadsheets skip before reading a formula)
/// gets a leading apostrophe, which spreadsheets show as text.
pub fn safe_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

/// A writer for a CSV download, starting with a byte order mark so that spreadsheets read
/// the file as UTF-8 (names with accents would otherwise come out garbled).
pub fn spreadsheet_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer("\u{feff}".as_bytes().to_vec())
}

/// A CSV download named `filename` (letters, digits, hyphens, underscores and dots only,
/// so the name cannot break out of the header).
pub fn csv_response(filename: &str, body: Vec<u8>) -> Response {
    let filename: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_could_run_as_formulas_are_made_text() {
        assert_eq!(safe_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(safe_cell("+44 20"), "'+44 20");
        assert_eq!(safe_cell("-1"), "'-1");
        assert_eq!(safe_cell("@cmd"), "'@cmd");
        assert_eq!(safe_cell("\t=1"), "'\t=1");
        assert_eq!(safe_cell("\r=1"), "'\r=1");
        assert_eq!(safe_cell("Ann = Bob"), "Ann = Bob");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn downloads_start_with_a_byte_order_mark() {
        let mut w = spreadsheet_writer();
        w.write_record(["Zoë", "1"]).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "\u{feff}Zoë,1\n");
    }

    #[test]
    fn downloads_are_csv_attachments_with_a_plain_name() {
        let response = csv_response("training-\"RX1\"\r\n.csv", b"a,b\n".to_vec());
        let headers = response.headers();
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"training-RX1.csv\""
        );
    }
}
