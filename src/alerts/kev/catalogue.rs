//! Reading and checking a whole CISA KEV catalogue file. Every entry is read, noting every
//! problem rather than stopping at the first, so the person fixing the file sees them all
//! at once; the catalogue is accepted only if there are none.

use std::collections::HashMap;

use serde_json::{Map, Value};
use time::{Date, Month};

use super::{KevCatalogue, KevEntry, KevError, MAX_BYTES, MAX_ENTRIES, limit_chars};

/// Beyond this many, more problems only bury the first ones; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 20;
/// Vendor and product names become advisory fields of the same limit.
const MAX_NAME_CHARS: usize = 200;
/// Raw values quoted back in messages are cut to this, so a hostile value cannot flood a page.
const MAX_QUOTED_CHARS: usize = 40;

/// Reads and checks a whole catalogue. Nothing is returned unless every entry is sound.
///
/// The catalogue's own `count` field is informational and is not compared with the number of
/// entries: each entry is checked on its own merits, and a file cut short already fails as
/// JSON, so the count would catch nothing new. Refusing a catalogue whose entries are all
/// sound because one summary number disagrees would only stop analysts seeing newly
/// exploited vulnerabilities.
pub fn parse(bytes: &[u8]) -> Result<KevCatalogue, KevError> {
    if bytes.len() > MAX_BYTES {
        return Err(KevError::TooLarge { size: bytes.len() });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value =
        serde_json::from_slice(bytes).map_err(|e| KevError::NotJson(describe_json_error(&e)))?;
    let Some(top) = root.as_object() else {
        return Err(KevError::NotKev(
            "it is not a single catalogue object".into(),
        ));
    };
    let Some(list) = top.get("vulnerabilities").and_then(Value::as_array) else {
        return Err(KevError::NotKev("it has no 'vulnerabilities' list".into()));
    };
    let version = top_level_text(top, "catalogVersion")?;
    let released = top_level_text(top, "dateReleased")?;
    if list.is_empty() {
        return Err(KevError::Empty);
    }
    if list.len() > MAX_ENTRIES {
        return Err(KevError::TooManyEntries { count: list.len() });
    }

    let mut problems = Problems::default();
    let mut entries = Vec::with_capacity(list.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (index, raw) in list.iter().enumerate() {
        let position = index + 1;
        let mut reader = EntryReader::new(position, raw);
        let entry = reader.read();
        if let Some(entry) = &entry {
            if let Some(first) = first_seen.get(&entry.cve_id) {
                reader.problem(format!("this CVE is already listed at entry {first}"));
            } else {
                first_seen.insert(entry.cve_id.clone(), position);
            }
        }
        problems.extend(reader.problems);
        if let Some(entry) = entry {
            entries.push(entry);
        }
    }
    problems.finish()?;
    Ok(KevCatalogue {
        version,
        released,
        entries,
    })
}

/// Reads one entry, noting every problem rather than stopping at the first, so the person
/// fixing the file sees them all at once.
struct EntryReader<'a> {
    position: usize,
    label: String,
    fields: Option<&'a Map<String, Value>>,
    problems: Vec<String>,
}

impl<'a> EntryReader<'a> {
    fn new(position: usize, raw: &'a Value) -> Self {
        let fields = raw.as_object();
        let label = match fields.and_then(|f| f.get("cveID")).and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => {
                format!("Entry {position} ({})", quote(id.trim()))
            }
            _ => format!("Entry {position}"),
        };
        EntryReader {
            position,
            label,
            fields,
            problems: vec![],
        }
    }

    fn problem(&mut self, message: String) {
        self.problems.push(format!("{}: {message}", self.label));
    }

    fn read(&mut self) -> Option<KevEntry> {
        if self.fields.is_none() {
            self.problems.push(format!(
                "Entry {}: is not a vulnerability record",
                self.position
            ));
            return None;
        }
        let cve_id = self.cve_id();
        let vendor = self.name_text("vendorProject");
        let product = self.name_text("product");
        let name = self.required_text("vulnerabilityName");
        let date_added = self.date_added();
        let description = self.text("shortDescription");
        let required_action = self.text("requiredAction");
        let due_date = self.due_date();
        let ransomware = self.ransomware();
        let notes = self.notes();
        let cwes = self.cwes();
        Some(KevEntry {
            cve_id: cve_id?,
            vendor: vendor?,
            product: product?,
            name: name?,
            date_added: date_added?,
            description: description?,
            required_action: required_action?,
            due_date: due_date?,
            ransomware: ransomware?,
            notes: notes?,
            cwes: cwes?,
        })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields
            .and_then(|f| f.get(key))
            .filter(|v| !v.is_null())
    }

    /// Text that must be present, possibly empty.
    fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key).map(Value::as_str) {
            Some(Some(s)) => Some(s.trim().to_string()),
            Some(None) => {
                self.problem(format!("'{key}' is not text"));
                None
            }
            None => {
                self.problem(format!("'{key}' is missing"));
                None
            }
        }
    }

    fn required_text(&mut self, key: &str) -> Option<String> {
        let value = self.text(key)?;
        if value.is_empty() {
            self.problem(format!("'{key}' is empty"));
            return None;
        }
        Some(value)
    }

    fn name_text(&mut self, key: &str) -> Option<String> {
        let value = self.required_text(key)?;
        let length = value.chars().count();
        if length > MAX_NAME_CHARS {
            self.problem(format!(
                "'{key}' is {length} characters long; the most allowed is {MAX_NAME_CHARS}"
            ));
            return None;
        }
        Some(value)
    }

    fn cve_id(&mut self) -> Option<String> {
        let id = self.required_text("cveID")?;
        if !is_cve_id(&id) {
            self.problem(format!(
                "the CVE id '{}' is not like CVE-2024-12345",
                quote(&id)
            ));
            return None;
        }
        Some(id)
    }

    fn date_added(&mut self) -> Option<Date> {
        let text = self.text("dateAdded")?;
        let date = parse_date(&text);
        if date.is_none() {
            self.problem("'dateAdded' is not a date like 2024-05-01".into());
        }
        date
    }

    /// `None` inside means the entry has no due date; the outer `None` means a problem.
    fn due_date(&mut self) -> Option<Option<Date>> {
        if self.get("dueDate").is_none() {
            return Some(None);
        }
        let text = self.text("dueDate")?;
        if text.is_empty() {
            return Some(None);
        }
        match parse_date(&text) {
            Some(date) => Some(Some(date)),
            None => {
                self.problem("'dueDate' is not a date like 2024-05-01".into());
                None
            }
        }
    }

    /// Older releases of the catalogue predate this field; without it nothing is known.
    fn ransomware(&mut self) -> Option<bool> {
        if self.get("knownRansomwareCampaignUse").is_none() {
            return Some(false);
        }
        let text = self.text("knownRansomwareCampaignUse")?;
        if text.eq_ignore_ascii_case("known") {
            Some(true)
        } else if text.eq_ignore_ascii_case("unknown") {
            Some(false)
        } else {
            self.problem(format!(
                "'knownRansomwareCampaignUse' should be Known or Unknown, not '{}'",
                quote(&text)
            ));
            None
        }
    }

    fn notes(&mut self) -> Option<Vec<String>> {
        if self.get("notes").is_none() {
            return Some(vec![]);
        }
        Some(links_in(&self.text("notes")?))
    }

    fn cwes(&mut self) -> Option<Vec<String>> {
        let Some(value) = self.get("cwes") else {
            return Some(vec![]);
        };
        let Some(items) = value.as_array() else {
            self.problem("'cwes' is not a list".into());
            return None;
        };
        let mut cwes = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str().map(str::trim) {
                Some(cwe) if !cwe.is_empty() && cwe.len() <= MAX_QUOTED_CHARS => {
                    cwes.push(cwe.to_string());
                }
                _ => {
                    self.problem("'cwes' should list weakness ids like CWE-79".into());
                    return None;
                }
            }
        }
        Some(cwes)
    }
}

fn top_level_text(top: &Map<String, Value>, key: &str) -> Result<String, KevError> {
    match top.get(key).and_then(Value::as_str) {
        Some(text) => Ok(text.trim().to_string()),
        None => Err(KevError::NotKev(format!("it has no '{key}'"))),
    }
}

/// Counts every problem but keeps only the first few, so a wholly wrong file cannot produce
/// an enormous message.
#[derive(Default)]
struct Problems {
    shown: Vec<String>,
    total: usize,
}

impl Problems {
    fn extend(&mut self, problems: Vec<String>) {
        for problem in problems {
            if self.shown.len() < MAX_PROBLEMS_SHOWN {
                self.shown.push(problem);
            }
            self.total += 1;
        }
    }

    fn finish(mut self) -> Result<(), KevError> {
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
        Err(KevError::InvalidEntries {
            problems: self.shown,
        })
    }
}

/// `CVE-`, a four-digit year, `-`, and at least four digits (the CVE numbering rules).
fn is_cve_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=19).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Exactly `YYYY-MM-DD`, the form the catalogue uses.
fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The notes field mixes links with prose, separated by " ; ". Only web links are kept,
/// because they become clickable references; anything else (including `javascript:` links)
/// is dropped.
fn links_in(notes: &str) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    for token in notes.split(|c: char| c == ';' || c.is_whitespace()) {
        let token = token.trim_end_matches(['.', ',']);
        if is_web_link(token) && !links.iter().any(|l| l == token) {
            links.push(token.to_string());
        }
    }
    links
}

fn is_web_link(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty()
        && token.len() <= 2000
        && !token
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\'))
}

/// A value quoted back to the reader, cut short if long.
fn quote(text: &str) -> String {
    limit_chars(text, MAX_QUOTED_CHARS)
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let place = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        serde_json::error::Category::Eof => format!("it stops part-way through ({place})"),
        _ => format!("there is a mistake at {place}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const VALID: &str = include_str!("../../../tests/fixtures/alerts/kev_valid.json");
    const MALFORMED: &str = include_str!("../../../tests/fixtures/alerts/kev_malformed.json");
    const HALF_VALID: &str = include_str!("../../../tests/fixtures/alerts/kev_half_valid.json");

    fn entry_json(cve: &str) -> Value {
        serde_json::json!({
            "cveID": cve,
            "vendorProject": "Example",
            "product": "Widget Server",
            "vulnerabilityName": "Example Widget Server Remote Code Execution Vulnerability",
            "dateAdded": "2024-05-01",
            "shortDescription": "A crafted request runs code on the server.",
            "requiredAction": "Apply the vendor's update.",
            "dueDate": "2024-05-22",
            "knownRansomwareCampaignUse": "Unknown",
            "notes": "",
            "cwes": ["CWE-94"]
        })
    }

    fn catalogue(entries: Vec<Value>) -> Vec<u8> {
        serde_json::json!({
            "title": "CISA Catalog of Known Exploited Vulnerabilities",
            "catalogVersion": "2024.05.01",
            "dateReleased": "2024-05-01T17:00:00.000Z",
            "count": entries.len(),
            "vulnerabilities": entries
        })
        .to_string()
        .into_bytes()
    }

    fn problems_of(result: Result<KevCatalogue, KevError>) -> Vec<String> {
        match result {
            Err(KevError::InvalidEntries { problems }) => problems,
            other => panic!("expected entry problems, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_valid_sample_in_full() {
        let catalogue = parse(VALID.as_bytes()).unwrap();
        assert_eq!(catalogue.version, "2024.06.03");
        assert_eq!(catalogue.released, "2024-06-03T17:00:12.4321Z");
        assert_eq!(catalogue.entries.len(), 5);
        let log4j = &catalogue.entries[0];
        assert_eq!(log4j.cve_id, "CVE-2021-44228");
        assert_eq!(log4j.vendor, "Apache");
        assert_eq!(log4j.product, "Log4j2");
        assert_eq!(log4j.date_added, date!(2021 - 12 - 10));
        assert_eq!(log4j.due_date, Some(date!(2021 - 12 - 24)));
        assert!(log4j.ransomware);
        assert_eq!(log4j.cwes, vec!["CWE-20", "CWE-400", "CWE-502"]);
        assert_eq!(
            log4j.notes,
            vec![
                "https://logging.apache.org/log4j/2.x/security.html",
                "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"
            ]
        );
        let without_cwes = catalogue
            .entries
            .iter()
            .find(|e| e.cve_id == "CVE-2019-19781")
            .unwrap();
        assert!(without_cwes.cwes.is_empty());
        assert!(catalogue.entries.iter().any(|e| !e.ransomware));
    }

    #[test]
    fn a_broken_file_is_not_json_and_says_where() {
        let err = parse(MALFORMED.as_bytes()).unwrap_err();
        let KevError::NotJson(detail) = &err else {
            panic!("expected NotJson, got {err:?}");
        };
        assert_eq!(detail, "there is a mistake at line 11, column 13");
        assert_eq!(
            err.to_string(),
            "This is not a JSON file: there is a mistake at line 11, column 13"
        );
    }

    #[test]
    fn a_half_valid_file_is_refused_naming_each_bad_entry() {
        let problems = problems_of(parse(HALF_VALID.as_bytes()));
        assert_eq!(
            problems,
            vec![
                "Entry 2 (CVE-2023-4966): 'dateAdded' is not a date like 2024-05-01",
                "Entry 4 (CVE-2023-343621X): the CVE id 'CVE-2023-343621X' is not like CVE-2024-12345",
                "Entry 5 (CVE-2021-44228): this CVE is already listed at entry 1",
            ]
        );
    }

    #[test]
    fn too_large_is_refused_before_reading() {
        let mut big = catalogue(vec![entry_json("CVE-2024-0001")]);
        big.resize(MAX_BYTES + 1, b' ');
        assert_eq!(
            parse(&big),
            Err(KevError::TooLarge {
                size: MAX_BYTES + 1
            })
        );
        let mut at_limit = catalogue(vec![entry_json("CVE-2024-0001")]);
        at_limit.resize(MAX_BYTES, b' ');
        assert!(parse(&at_limit).is_ok());
    }

    #[test]
    fn json_of_another_shape_is_not_the_catalogue() {
        let err = parse(br#"{"bomFormat":"CycloneDX","components":[]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This JSON file is not the CISA KEV catalogue: it has no 'vulnerabilities' list"
        );
        assert!(matches!(parse(b"[1,2,3]"), Err(KevError::NotKev(_))));
        assert!(matches!(
            parse(br#"{"vulnerabilities":{"a":1}}"#),
            Err(KevError::NotKev(_))
        ));
        let no_version = br#"{"dateReleased":"x","vulnerabilities":[]}"#;
        assert_eq!(
            parse(no_version),
            Err(KevError::NotKev("it has no 'catalogVersion'".into()))
        );
    }

    #[test]
    fn binary_and_empty_input_are_not_json() {
        assert!(matches!(
            parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(KevError::NotJson(_))
        ));
        let err = parse(b"").unwrap_err();
        assert_eq!(
            err,
            KevError::NotJson("it stops part-way through (line 1, column 0)".into())
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_crashing() {
        let mut hostile = "[".repeat(100_000);
        hostile.push_str(&"]".repeat(100_000));
        assert!(matches!(
            parse(hostile.as_bytes()),
            Err(KevError::NotJson(_))
        ));
    }

    #[test]
    fn a_byte_order_mark_is_tolerated() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(catalogue(vec![entry_json("CVE-2024-0001")]));
        assert_eq!(parse(&bytes).unwrap().entries.len(), 1);
    }

    #[test]
    fn an_empty_list_is_refused() {
        assert_eq!(parse(&catalogue(vec![])), Err(KevError::Empty));
    }

    #[test]
    fn too_many_entries_are_refused() {
        let entries = (0..=MAX_ENTRIES)
            .map(|i| entry_json(&format!("CVE-2024-{:05}", i)))
            .collect();
        assert_eq!(
            parse(&catalogue(entries)),
            Err(KevError::TooManyEntries {
                count: MAX_ENTRIES + 1
            })
        );
    }

    #[test]
    fn a_count_that_disagrees_is_accepted() {
        let mut value: Value =
            serde_json::from_slice(&catalogue(vec![entry_json("CVE-2024-0001")])).unwrap();
        value["count"] = Value::from(99);
        let parsed = parse(value.to_string().as_bytes()).unwrap();
        assert_eq!(parsed.entries.len(), 1);
    }

    #[test]
    fn cve_ids_must_have_the_standard_shape() {
        for good in ["CVE-2024-1234", "CVE-1999-0001", "CVE-2024-1234567"] {
            assert!(is_cve_id(good), "{good}");
        }
        for bad in [
            "cve-2024-1234",
            "CVE-24-1234",
            "CVE-2024-123",
            "CVE-2024-12a4",
            "CVE_2024_1234",
            "CVE-2024-",
            "CVE-2024-1234-5",
            "CVE-２０２４-1234",
        ] {
            assert!(!is_cve_id(bad), "{bad}");
        }
    }

    #[test]
    fn missing_and_wrongly_typed_fields_are_each_reported() {
        let mut entry = entry_json("CVE-2024-0001");
        entry["vendorProject"] = Value::from(12);
        entry.as_object_mut().unwrap().remove("product");
        entry["dueDate"] = Value::from("22/05/2024");
        entry["knownRansomwareCampaignUse"] = Value::from("Maybe");
        entry["cwes"] = Value::from("CWE-94");
        let problems = problems_of(parse(&catalogue(vec![entry])));
        assert_eq!(
            problems,
            vec![
                "Entry 1 (CVE-2024-0001): 'vendorProject' is not text",
                "Entry 1 (CVE-2024-0001): 'product' is missing",
                "Entry 1 (CVE-2024-0001): 'dueDate' is not a date like 2024-05-01",
                "Entry 1 (CVE-2024-0001): 'knownRansomwareCampaignUse' should be Known or Unknown, not 'Maybe'",
                "Entry 1 (CVE-2024-0001): 'cwes' is not a list",
            ]
        );
        let mut entry = entry_json("CVE-2024-0002");
        entry["cwes"] = serde_json::json!(["CWE-79", 5]);
        assert_eq!(
            problems_of(parse(&catalogue(vec![entry]))),
            vec!["Entry 1 (CVE-2024-0002): 'cwes' should list weakness ids like CWE-79"]
        );
    }

    #[test]
    fn an_entry_that_is_not_an_object_is_reported() {
        let problems = problems_of(parse(&catalogue(vec![
            entry_json("CVE-2024-0001"),
            Value::from("CVE-2024-0002"),
        ])));
        assert_eq!(problems, vec!["Entry 2: is not a vulnerability record"]);
    }

    #[test]
    fn optional_fields_may_be_absent_or_null() {
        let mut entry = entry_json("CVE-2024-0001");
        let fields = entry.as_object_mut().unwrap();
        fields.remove("cwes");
        fields.remove("knownRansomwareCampaignUse");
        fields.remove("notes");
        fields.insert("dueDate".into(), Value::Null);
        let parsed = parse(&catalogue(vec![entry])).unwrap();
        let only = &parsed.entries[0];
        assert_eq!(only.due_date, None);
        assert!(!only.ransomware);
        assert!(only.notes.is_empty() && only.cwes.is_empty());
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "2024-5-1",
            "+2024-05-01",
            "20240501",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
    }

    #[test]
    fn only_twenty_problems_are_listed_then_the_rest_counted() {
        let entries = (0..25)
            .map(|i| {
                let mut e = entry_json(&format!("CVE-2024-{:04}", 1000 + i));
                e["dateAdded"] = Value::from("soon");
                e
            })
            .collect();
        let problems = problems_of(parse(&catalogue(entries)));
        assert_eq!(problems.len(), 21);
        assert_eq!(
            problems[0],
            "Entry 1 (CVE-2024-1000): 'dateAdded' is not a date like 2024-05-01"
        );
        assert_eq!(problems[20], "and 5 more problems");
    }

    #[test]
    fn long_hostile_values_are_cut_short_in_messages() {
        let long_id = format!("CVE-2024-{}", "9".repeat(5000));
        let problems = problems_of(parse(&catalogue(vec![entry_json(&long_id)])));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].chars().count() < 150, "{}", problems[0]);
    }

    #[test]
    fn notes_keep_only_distinct_web_links() {
        let notes = "https://vendor.example/advisory/1 ; This CVE has a CISA alert. ; \
                     javascript:alert(1) ; https://vendor.example/advisory/1 ; \
                     http://other.example/kb?id=5. ; https:// ; https://x.example/\"onmouseover";
        assert_eq!(
            links_in(notes),
            vec![
                "https://vendor.example/advisory/1",
                "http://other.example/kb?id=5"
            ]
        );
    }
}
