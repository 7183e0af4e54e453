//! Advisory references such as `CC-2026-0042`: the year of publication and a number counting
//! up within that year. Also the file name a CSAF document for the advisory must have.

/// The reference for the `number`th advisory of `year`. Numbers are padded to four digits and
/// grow past 9999 without losing any.
pub fn format(year: i32, number: i64) -> String {
    format!("CC-{year:04}-{number:04}")
}

/// Reads a reference in any letter case, ignoring surrounding spaces. Only the form
/// [`format`] writes is accepted, so one advisory never has two spellings: a four-digit year
/// and a number of at least four digits with no extra leading zeros.
pub fn parse(s: &str) -> Option<(i32, i64)> {
    let s = s.trim();
    let rest = s
        .get(..3)
        .filter(|prefix| prefix.eq_ignore_ascii_case("CC-"))
        .and(s.get(3..))?;
    let (year, number) = rest.split_once('-')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || number.len() < 4 || !digits(number) {
        return None;
    }
    if number.len() > 4 && number.starts_with('0') {
        return None;
    }
    Some((year.parse().ok()?, number.parse().ok()?))
}

/// The file name for the advisory's CSAF document (CSAF 2.0 section 5.1): the tracking ID in
/// lower case, each run of characters other than `+`, `-`, `a-z` and `0-9` replaced by one
/// underscore, then `.json`.
pub fn csaf_filename(reference: &str) -> String {
    let mut name = String::with_capacity(reference.len() + 5);
    let mut replacing = false;
    for c in reference.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            name.push(c);
            replacing = false;
        } else if !replacing {
            name.push('_');
            replacing = true;
        }
    }
    name.push_str(".json");
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_four_digits() {
        assert_eq!(format(2026, 42), "CC-2026-0042");
        assert_eq!(format(2026, 1), "CC-2026-0001");
        assert_eq!(format(2026, 9999), "CC-2026-9999");
        assert_eq!(format(2026, 12345), "CC-2026-12345");
    }

    #[test]
    fn parse_reads_what_format_writes() {
        for (year, number) in [
            (2026, 42),
            (2026, 1),
            (1999, 9999),
            (2030, 10000),
            (2026, 0),
        ] {
            assert_eq!(parse(&format(year, number)), Some((year, number)));
        }
    }

    #[test]
    fn parse_ignores_letter_case_and_surrounding_spaces() {
        assert_eq!(parse("cc-2026-0042"), Some((2026, 42)));
        assert_eq!(parse("Cc-2026-0042"), Some((2026, 42)));
        assert_eq!(parse("  CC-2026-0042\n"), Some((2026, 42)));
    }

    #[test]
    fn parse_refuses_other_spellings() {
        for bad in [
            "",
            "CC",
            "CC-",
            "CC-2026",
            "CC-2026-",
            "CC-2026-42",
            "CC-26-0042",
            "CC-02026-0042",
            "CC-2026-00042",
            "CC-2026-0042-1",
            "CC-2026--042",
            "CC-2026-+042",
            "CC-+026-0042",
            "CC 2026 0042",
            "XC-2026-0042",
            "CC-2026-００４２",
            "CC-2026-0042x",
            "2026-0042",
            "CC-2026-99999999999999999999",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parse_survives_non_ascii_input() {
        for hostile in [
            "é",
            "Ｃ-2026-0042",
            "C\u{0301}-2026-0042",
            "CC-२०२६-0042",
            "🙂🙂🙂",
        ] {
            assert_eq!(parse(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn csaf_filename_follows_the_standard() {
        assert_eq!(csaf_filename("CC-2026-0042"), "cc-2026-0042.json");
        assert_eq!(
            csaf_filename("Example Company - 2019-YH3234"),
            "example_company_-_2019-yh3234.json"
        );
        assert_eq!(csaf_filename("RHBA-2019:0024"), "rhba-2019_0024.json");
        assert_eq!(csaf_filename("2022_#01-A"), "2022_01-a.json");
        assert_eq!(csaf_filename("a+b"), "a+b.json");
    }

    #[test]
    fn csaf_filename_never_escapes_its_directory() {
        for hostile in [
            "../../etc/passwd",
            "a\\b",
            "CC/2026",
            "..",
            "x\0y",
            "Über-Ärger",
        ] {
            let name = csaf_filename(hostile);
            let stem = name.strip_suffix(".json").unwrap();
            assert!(
                stem.chars()
                    .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '+' | '-' | '_')),
                "{hostile:?} gave {name:?}"
            );
            assert!(!stem.contains("__"), "{hostile:?} gave {name:?}");
        }
        assert_eq!(csaf_filename("../../etc/passwd"), "_etc_passwd.json");
        assert_eq!(csaf_filename("Über-Ärger"), "_ber-_rger.json");
    }
}
