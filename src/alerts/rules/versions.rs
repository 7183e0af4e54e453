//! Software version ranges: comparing version strings across the usual numbering schemes,
//! reading the ranges an analyst types (`>= 2.0.0, < 2.17.1`, `2.0.0 - 2.14.1`, `all`), and
//! deciding whether an installed version falls inside them.

use std::cmp::Ordering;

use crate::alerts::model::{Bound, VersionRange};

/// Longest range text accepted; real ranges are a few dozen characters.
const MAX_RANGE_CHARS: usize = 200;
/// Most ranges one product may list.
const MAX_RANGES: usize = 20;
/// Longest single version accepted.
const MAX_VERSION_CHARS: usize = 64;

/// Why a version range could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("Enter the affected versions, or 'all' if every version is affected.")]
    Empty,
    #[error("The version range is longer than {MAX_RANGE_CHARS} characters.")]
    TooLong,
    #[error("There are more than {MAX_RANGES} version ranges; list at most {MAX_RANGES}.")]
    TooManyRanges,
    #[error("In '{input}', '{operator}' is not a comparison we understand: use >=, >, <=, < or =.")]
    UnknownOperator { input: String, operator: String },
    #[error("'{input}' has two lower bounds (>= or >); give at most one.")]
    TwoLowerBounds { input: String },
    #[error("'{input}' has two upper bounds (<= or <); give at most one.")]
    TwoUpperBounds { input: String },
    #[error("In '{input}', '{operator}' is not followed by a version.")]
    MissingVersion { input: String, operator: String },
    #[error(
        "In '{input}', a version cannot contain spaces. Separate bounds with a comma, \
         like '>= 2.0.0, < 2.17.1'."
    )]
    Spaces { input: String },
    #[error(
        "In '{input}', the version '{version}' is not valid: versions use only letters, \
         numbers and the characters . - _ + and are at most {MAX_VERSION_CHARS} characters."
    )]
    BadVersion { input: String, version: String },
    #[error("In '{input}', an exact version cannot be combined with other bounds.")]
    ExactWithBounds { input: String },
    #[error("Write a span of versions as 'first - last', like '2.0.0 - 2.14.1', not '{input}'.")]
    BadSpan { input: String },
    #[error("The version range '{input}' is impossible: the lower bound is above the upper bound.")]
    LowerAboveUpper { input: String },
    #[error(
        "The version range '{input}' is impossible: its bounds are the same version but one \
         of them leaves that version out."
    )]
    EmptyRange { input: String },
}

/// One piece of a version string. The derived order is the order versions sort by: a
/// pre-release tag comes before any number (so `2.0.0-rc1` sorts before `2.0.0`, whose
/// missing fourth piece counts as 0), and a trailing word such as OpenSSL's letter in
/// `1.1.1k` comes after the number it follows.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    PreRelease(u8),
    Number(String),
    Word(String),
}

/// Rank of the pre-release words; anything else alphabetic is a post-release word. The single
/// letters count only when a number follows (`3.9.0b2`), since OpenSSL's `1.0.2b` is a later
/// release, not a beta.
fn pre_release_rank(word: &str, followed_by_digit: bool) -> Option<u8> {
    match word {
        "dev" => Some(0),
        "alpha" => Some(1),
        "a" if followed_by_digit => Some(1),
        "beta" => Some(2),
        "b" if followed_by_digit => Some(2),
        "milestone" => Some(3),
        "m" if followed_by_digit => Some(3),
        "pre" | "preview" => Some(4),
        "rc" | "cr" => Some(5),
        "snapshot" => Some(6),
        _ => None,
    }
}

/// Splits a version into segments: runs of digits and runs of letters, with anything else
/// a separator. A leading `v` is dropped and words marking a final release (`final`, `ga`,
/// `release`) are dropped, since `1.0-final` is `1.0`.
fn segments(version: &str) -> Vec<Segment> {
    let lower = version.trim().to_lowercase();
    let body = match lower.strip_prefix('v') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => lower.as_str(),
    };
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i].is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            let trimmed = digits.trim_start_matches('0');
            out.push(Segment::Number(trimmed.to_string()));
        } else if chars[i].is_alphabetic() {
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let followed_by_digit = chars.get(i).is_some_and(char::is_ascii_digit);
            if matches!(word.as_str(), "final" | "ga" | "release") {
                continue;
            }
            out.push(match pre_release_rank(&word, followed_by_digit) {
                Some(rank) => Segment::PreRelease(rank),
                None => Segment::Word(word),
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Orders two segments. Numbers are digit strings without leading zeros, compared by length
/// first, so a number of any length compares correctly without overflowing.
fn compare_segments(a: &Segment, b: &Segment) -> Ordering {
    match (a, b) {
        (Segment::Number(x), Segment::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        _ => a.cmp(b),
    }
}

/// Compares two version strings the way people expect: `2.10` after `2.9`, `1.2` equal to
/// `1.2.0`, `2.0.0-rc1` before `2.0.0`, `v1.0` equal to `1.0`, ignoring case. Total over
/// any input: versions that differ only in separators or leading zeros compare equal.
pub fn compare(a: &str, b: &str) -> Ordering {
    let zero = Segment::Number(String::new());
    let (xs, ys) = (segments(a), segments(b));
    let len = xs.len().max(ys.len());
    (0..len)
        .map(|i| compare_segments(xs.get(i).unwrap_or(&zero), ys.get(i).unwrap_or(&zero)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Whether `version` is inside the range. An empty version is inside only a range with no
/// bounds, since nothing can be said about where an unknown version falls.
pub fn contains(r: &VersionRange, version: &str) -> bool {
    if version.trim().is_empty() {
        return r.lower.is_none() && r.upper.is_none();
    }
    let above_lower = r.lower.as_ref().is_none_or(|b| {
        let o = compare(version, &b.version);
        o.is_gt() || (b.inclusive && o.is_eq())
    });
    let below_upper = r.upper.as_ref().is_none_or(|b| {
        let o = compare(version, &b.version);
        o.is_lt() || (b.inclusive && o.is_eq())
    });
    above_lower && below_upper
}

/// Whether `version` is inside any of the ranges; no ranges means every version.
pub fn any_contains(ranges: &[VersionRange], version: &str) -> bool {
    ranges.is_empty() || ranges.iter().any(|r| contains(r, version))
}

fn is_every_version(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    matches!(words.as_slice(), ["all"] | ["*"] | ["all", "versions"])
}

fn check_version(input: &str, version: &str) -> Result<String, VersionError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    if version.chars().count() > MAX_VERSION_CHARS
        || !version.chars().all(allowed)
        || !version.chars().any(|c| c.is_ascii_alphanumeric())
    {
        return Err(VersionError::BadVersion {
            input: input.to_string(),
            version: version.to_string(),
        });
    }
    Ok(version.to_string())
}

/// One `operator version` piece of a range; `None` operator for a bare version.
struct Constraint {
    operator: Option<String>,
    version: String,
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!' | '~' | '^')
}

/// Reads `>= 2.0.0, < 2.17.1` into its pieces. Versions end at a space, a comma or a
/// comparison sign, so `>=2.0<3` reads the same as `>= 2.0, < 3`.
fn constraints(input: &str) -> Result<Vec<Constraint>, VersionError> {
    let chars: Vec<char> = input.chars().collect();
    let skip = |i: &mut usize| {
        while *i < chars.len() && (chars[*i].is_whitespace() || chars[*i] == ',') {
            *i += 1;
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    skip(&mut i);
    while i < chars.len() {
        let op_start = i;
        while i < chars.len() && is_operator_char(chars[i]) {
            i += 1;
        }
        let operator: String = chars[op_start..i].iter().collect();
        if !operator.is_empty()
            && !matches!(operator.as_str(), ">=" | ">" | "<=" | "<" | "=" | "==")
        {
            return Err(VersionError::UnknownOperator {
                input: input.to_string(),
                operator,
            });
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let v_start = i;
        while i < chars.len()
            && !chars[i].is_whitespace()
            && chars[i] != ','
            && !matches!(chars[i], '<' | '>' | '=')
        {
            i += 1;
        }
        let version: String = chars[v_start..i].iter().collect();
        if version.is_empty() {
            return Err(VersionError::MissingVersion {
                input: input.to_string(),
                operator,
            });
        }
        let version = check_version(input, &version)?;
        out.push(Constraint {
            operator: (!operator.is_empty()).then_some(operator),
            version,
        });
        skip(&mut i);
    }
    Ok(out)
}

fn bound(version: String, inclusive: bool) -> Option<Bound> {
    Some(Bound { version, inclusive })
}

fn from_constraints(input: &str, list: Vec<Constraint>) -> Result<VersionRange, VersionError> {
    let exact = |c: &Constraint| matches!(c.operator.as_deref(), None | Some("=" | "=="));
    if list.iter().filter(|c| c.operator.is_none()).count() > 1 {
        return Err(VersionError::Spaces {
            input: input.to_string(),
        });
    }
    if list.len() > 1 && list.iter().any(exact) {
        return Err(VersionError::ExactWithBounds {
            input: input.to_string(),
        });
    }
    let mut range = VersionRange::default();
    for c in list {
        let (is_lower, inclusive) = match c.operator.as_deref() {
            Some(">=") => (true, true),
            Some(">") => (true, false),
            Some("<=") => (false, true),
            Some("<") => (false, false),
            _ => {
                range.lower = bound(c.version.clone(), true);
                range.upper = bound(c.version, true);
                continue;
            }
        };
        let slot = if is_lower {
            &mut range.lower
        } else {
            &mut range.upper
        };
        if slot.is_some() {
            return Err(if is_lower {
                VersionError::TwoLowerBounds {
                    input: input.to_string(),
                }
            } else {
                VersionError::TwoUpperBounds {
                    input: input.to_string(),
                }
            });
        }
        *slot = bound(c.version, inclusive);
    }
    Ok(range)
}

fn span(input: &str, words: &[&str]) -> Result<VersionRange, VersionError> {
    match words {
        [first, "-", last] => Ok(VersionRange {
            lower: bound(check_version(input, first)?, true),
            upper: bound(check_version(input, last)?, true),
        }),
        _ => Err(VersionError::BadSpan {
            input: input.to_string(),
        }),
    }
}

fn check_possible(input: &str, range: &VersionRange) -> Result<(), VersionError> {
    if let (Some(lower), Some(upper)) = (&range.lower, &range.upper) {
        match compare(&lower.version, &upper.version) {
            Ordering::Greater => {
                return Err(VersionError::LowerAboveUpper {
                    input: input.to_string(),
                });
            }
            Ordering::Equal if !(lower.inclusive && upper.inclusive) => {
                return Err(VersionError::EmptyRange {
                    input: input.to_string(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads one version range as an analyst types it: `all`, `*` or `all versions` for every
/// version; bounds such as `>= 2.0.0, < 2.17.1`; an exact version (`= 1.2.3` or `1.2.3`);
/// or an inclusive span `2.0.0 - 2.14.1`.
pub fn parse_range(s: &str) -> Result<VersionRange, VersionError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(VersionError::Empty);
    }
    if input.chars().count() > MAX_RANGE_CHARS {
        return Err(VersionError::TooLong);
    }
    if is_every_version(&input.to_lowercase()) {
        return Ok(VersionRange::default());
    }
    let words: Vec<&str> = input.split_whitespace().collect();
    let range = if words.contains(&"-") {
        span(input, &words)?
    } else {
        from_constraints(input, constraints(input)?)?
    };
    check_possible(input, &range)?;
    Ok(range)
}

/// Reads several ranges separated by `;`, e.g. `>= 1.0, < 1.4.2; >= 2.0, < 2.1.3`. Empty
/// pieces (a trailing `;`) are skipped. If any range covers every version the result is
/// empty, which means every version.
pub fn parse_ranges(s: &str) -> Result<Vec<VersionRange>, VersionError> {
    let pieces: Vec<&str> = s.split(';').filter(|p| !p.trim().is_empty()).collect();
    if pieces.is_empty() {
        return Err(VersionError::Empty);
    }
    if pieces.len() > MAX_RANGES {
        return Err(VersionError::TooManyRanges);
    }
    let ranges = pieces
        .into_iter()
        .map(parse_range)
        .collect::<Result<Vec<_>, _>>()?;
    if ranges
        .iter()
        .any(|r| r.lower.is_none() && r.upper.is_none())
    {
        return Ok(Vec::new());
    }
    Ok(ranges)
}

/// Writes a range the way [`parse_range`] reads it, e.g. `>= 2.0.0, < 2.17.1`.
pub fn format_range(r: &VersionRange) -> String {
    let lower = r.lower.as_ref().map(|b| {
        let op = if b.inclusive { ">=" } else { ">" };
        format!("{op} {}", b.version)
    });
    let upper = r.upper.as_ref().map(|b| {
        let op = if b.inclusive { "<=" } else { "<" };
        format!("{op} {}", b.version)
    });
    match (&r.lower, &r.upper, lower, upper) {
        (Some(l), Some(u), _, _) if l.inclusive && u.inclusive && l.version == u.version => {
            format!("= {}", l.version)
        }
        (_, _, Some(l), Some(u)) => format!("{l}, {u}"),
        (_, _, Some(one), None) | (_, _, None, Some(one)) => one,
        (_, _, None, None) => "all versions".to_string(),
    }
}

/// Writes several ranges the way [`parse_ranges`] reads them; no ranges is `all versions`.
pub fn format_ranges(ranges: &[VersionRange]) -> String {
    if ranges.is_empty() {
        return "all versions".to_string();
    }
    ranges
        .iter()
        .map(format_range)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> VersionRange {
        parse_range(s).unwrap()
    }

    #[test]
    fn numbers_compare_numerically() {
        assert_eq!(compare("2.10", "2.9"), Ordering::Greater);
        assert_eq!(compare("1.0.10", "1.0.9"), Ordering::Greater);
        assert_eq!(compare("1.0.9", "1.0.10"), Ordering::Less);
        assert_eq!(compare("10", "9"), Ordering::Greater);
        assert_eq!(compare("1.02", "1.2"), Ordering::Equal);
    }

    #[test]
    fn missing_trailing_zeros_are_equal() {
        assert_eq!(compare("1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(compare("1.2.0.0", "1.2"), Ordering::Equal);
        assert_eq!(compare("1.2", "1.2.1"), Ordering::Less);
    }

    #[test]
    fn pre_releases_sort_before_the_release() {
        assert_eq!(compare("2.0.0-rc1", "2.0.0"), Ordering::Less);
        assert_eq!(compare("2.0.0-beta", "2.0.0-rc1"), Ordering::Less);
        assert_eq!(compare("2.0.0-alpha", "2.0.0-beta"), Ordering::Less);
        assert_eq!(compare("2.0.0-rc1", "2.0.0-rc2"), Ordering::Less);
        assert_eq!(compare("2.0.0-rc1", "1.9.9"), Ordering::Greater);
        assert_eq!(compare("3.9.0b2", "3.9.0"), Ordering::Less);
        assert_eq!(compare("1.0.dev1", "1.0a1"), Ordering::Less);
        assert_eq!(compare("1.0-SNAPSHOT", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0-final", "1.0"), Ordering::Equal);
    }

    #[test]
    fn trailing_letters_are_later_releases() {
        assert_eq!(compare("1.1.1k", "1.1.1"), Ordering::Greater);
        assert_eq!(compare("1.1.1k", "1.1.1j"), Ordering::Greater);
        assert_eq!(compare("1.1.1k", "1.1.2"), Ordering::Less);
        assert_eq!(compare("1.0.2a", "1.0.2"), Ordering::Greater);
    }

    #[test]
    fn leading_v_case_and_separators_are_ignored() {
        assert_eq!(compare("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("V1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("2.0.0-RC1", "2.0.0-rc1"), Ordering::Equal);
        assert_eq!(compare("1_2-3", "1.2.3"), Ordering::Equal);
    }

    #[test]
    fn compare_is_antisymmetric_and_total_on_odd_input() {
        let samples = [
            "",
            "v",
            "1",
            "1.0",
            "1.0-rc1",
            "1.0.0.0.0.1",
            "abc",
            "1.1.1k",
            "99999999999999999999999999999999",
            "100000000000000000000000000000000",
            "..--__++",
            "1.0-ßeta",
            "🦀1.2",
            "2024-01-01",
            "1.0+build.5",
        ];
        for a in samples {
            for b in samples {
                assert_eq!(compare(a, b), compare(b, a).reverse(), "{a} vs {b}");
                for c in samples {
                    if compare(a, b).is_le() && compare(b, c).is_le() {
                        assert!(compare(a, c).is_le(), "{a} <= {b} <= {c}");
                    }
                }
            }
        }
        assert_eq!(
            compare(
                "99999999999999999999999999999999",
                "100000000000000000000000000000000"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn parses_bounds() {
        let r = range(">= 2.0.0, < 2.17.1");
        assert_eq!(
            r.lower,
            Some(Bound {
                version: "2.0.0".into(),
                inclusive: true
            })
        );
        assert_eq!(
            r.upper,
            Some(Bound {
                version: "2.17.1".into(),
                inclusive: false
            })
        );
        assert_eq!(range(">=2.0.0 <2.17.1"), r);
        assert_eq!(range(">=2.0.0<2.17.1"), r);
        assert_eq!(range("< 2.17.1,>= 2.0.0"), r);
        let open = range("> 1.0");
        assert_eq!(open.upper, None);
        assert!(!open.lower.unwrap().inclusive);
        assert!(range("<= 3").upper.unwrap().inclusive);
    }

    #[test]
    fn parses_exact_versions_spans_and_all() {
        let exact = range("= 1.2.3");
        assert_eq!(exact, range("1.2.3"));
        assert_eq!(exact, range("==1.2.3"));
        assert_eq!(exact.lower, exact.upper);
        assert!(exact.lower.unwrap().inclusive);
        let span = range("2.0.0 - 2.14.1");
        assert_eq!(span.lower.unwrap().version, "2.0.0");
        let upper = span.upper.unwrap();
        assert_eq!(upper.version, "2.14.1");
        assert!(upper.inclusive);
        for every in ["all", "*", "ALL", " all versions "] {
            assert_eq!(range(every), VersionRange::default());
        }
        assert_eq!(range("2.0.0-rc1").lower.unwrap().version, "2.0.0-rc1");
    }

    #[test]
    fn rejects_bad_ranges_quoting_the_input() {
        assert_eq!(parse_range("  "), Err(VersionError::Empty));
        let err = parse_range("~> 2.0").unwrap_err();
        assert!(
            matches!(err, VersionError::UnknownOperator { ref operator, .. } if operator == "~>")
        );
        assert!(err.to_string().contains("'~> 2.0'"));
        assert!(matches!(
            parse_range("=> 2.0"),
            Err(VersionError::UnknownOperator { .. })
        ));
        assert!(matches!(
            parse_range(">= 1.0, > 1.1"),
            Err(VersionError::TwoLowerBounds { .. })
        ));
        assert!(matches!(
            parse_range("< 1.0 <= 2.0"),
            Err(VersionError::TwoUpperBounds { .. })
        ));
        assert!(matches!(
            parse_range(">= 1.0, <"),
            Err(VersionError::MissingVersion { .. })
        ));
        assert!(matches!(
            parse_range("1.2 .3"),
            Err(VersionError::Spaces { .. })
        ));
        assert!(matches!(
            parse_range("= 1.2, < 2"),
            Err(VersionError::ExactWithBounds { .. })
        ));
        assert!(matches!(
            parse_range(">= 1.0; DROP TABLE"),
            Err(VersionError::BadVersion { .. })
        ));
        assert!(matches!(
            parse_range(">= 1.0/2"),
            Err(VersionError::BadVersion { .. })
        ));
        assert!(matches!(
            parse_range("..."),
            Err(VersionError::BadVersion { .. })
        ));
        assert!(matches!(
            parse_range("1.0 - 2.0 - 3.0"),
            Err(VersionError::BadSpan { .. })
        ));
        assert!(matches!(
            parse_range(&"1".repeat(500)),
            Err(VersionError::TooLong)
        ));
        assert!(matches!(
            parse_range(&"1".repeat(100)),
            Err(VersionError::BadVersion { .. })
        ));
    }

    #[test]
    fn rejects_impossible_ranges() {
        let err = parse_range(">= 2.0 < 1.0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "The version range '>= 2.0 < 1.0' is impossible: the lower bound is above the upper bound."
        );
        assert!(matches!(
            parse_range("3.0 - 2.0"),
            Err(VersionError::LowerAboveUpper { .. })
        ));
        assert!(matches!(
            parse_range("> 2.0, <= 2.0.0"),
            Err(VersionError::EmptyRange { .. })
        ));
        assert!(matches!(
            parse_range(">= 2.0, < 2.0"),
            Err(VersionError::EmptyRange { .. })
        ));
        assert!(parse_range(">= 2.0, <= 2.0").is_ok());
    }

    #[test]
    fn format_round_trips() {
        for text in [
            ">= 2.0.0, < 2.17.1",
            "> 1.0, <= 1.5",
            "< 3",
            ">= 4.1-beta2",
            "= 1.2.3",
            "2.0.0 - 2.14.1",
            "all",
        ] {
            let r = range(text);
            assert_eq!(range(&format_range(&r)), r, "{text}");
        }
        assert_eq!(format_range(&VersionRange::default()), "all versions");
        assert_eq!(format_range(&range("1.2.3")), "= 1.2.3");
        assert_eq!(format_range(&range(">=2.0<3")), ">= 2.0, < 3");
    }

    #[test]
    fn contains_respects_bounds() {
        let r = range(">= 2.0.0, < 2.17.1");
        assert!(contains(&r, "2.0.0"));
        assert!(contains(&r, "2.14.1"));
        assert!(contains(&r, "2.17.1-rc1"));
        assert!(!contains(&r, "2.17.1"));
        assert!(!contains(&r, "1.9"));
        assert!(!contains(&r, "2.0.0-beta"));
        assert!(!contains(&r, ""));
        let exclusive = range("> 1.0, <= 1.5");
        assert!(!contains(&exclusive, "1.0.0"));
        assert!(contains(&exclusive, "1.5.0"));
        assert!(contains(&range("1.2"), "1.2.0"));
        assert!(contains(&VersionRange::default(), ""));
        assert!(contains(&VersionRange::default(), "anything"));
    }

    #[test]
    fn several_ranges() {
        let ranges = parse_ranges(">= 1.0, < 1.4.2; >= 2.0, < 2.1.3;").unwrap();
        assert_eq!(ranges.len(), 2);
        assert!(any_contains(&ranges, "1.3"));
        assert!(any_contains(&ranges, "2.1.0"));
        assert!(!any_contains(&ranges, "1.5"));
        assert!(!any_contains(&ranges, "2.1.3"));
        assert!(any_contains(&[], "1.5"));
        assert!(any_contains(&[], ""));
        assert_eq!(parse_ranges("all; < 2").unwrap(), Vec::new());
        assert_eq!(parse_ranges(" ; "), Err(VersionError::Empty));
        assert!(matches!(
            parse_ranges("< 1; >= 3 < 2"),
            Err(VersionError::LowerAboveUpper { .. })
        ));
        assert_eq!(
            parse_ranges(&"1;".repeat(21)),
            Err(VersionError::TooManyRanges)
        );
        assert_eq!(
            parse_ranges(&format_ranges(&ranges)).unwrap(),
            ranges,
            "round trip"
        );
        assert_eq!(format_ranges(&[]), "all versions");
        assert_eq!(parse_ranges(&format_ranges(&[])).unwrap(), Vec::new());
    }
}
