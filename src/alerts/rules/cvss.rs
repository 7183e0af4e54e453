//! CVSS v3.0 and v3.1 base scores: reading a vector string such as
//! `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H`, working out the base score with the
//! specification's formulas, and naming its severity band.

/// Longest vector accepted; a vector with every metric is under 150 characters.
const MAX_VECTOR_CHARS: usize = 300;

/// Why a CVSS vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("The CVSS vector is longer than {MAX_VECTOR_CHARS} characters.")]
    TooLong,
    #[error("'{input}' is not a CVSS vector: it should start with 'CVSS:3.1/' or 'CVSS:3.0/'.")]
    NoPrefix { input: String },
    #[error("In '{input}', '{part}' is not a metric: metrics are written like 'AV:N'.")]
    Malformed { input: String, part: String },
    #[error("In '{input}', '{metric}' is not a CVSS v3 metric.")]
    UnknownMetric { input: String, metric: String },
    #[error("In '{input}', '{value}' is not an allowed value for {metric}.")]
    BadValue {
        input: String,
        metric: String,
        value: String,
    },
    #[error("In '{input}', {metric} is given more than once.")]
    Duplicate { input: String, metric: String },
    #[error("'{input}' is missing the base metric {metric}.")]
    Missing { input: String, metric: String },
}

/// Every v3 metric with its allowed values. The first eight are the base metrics; the rest
/// (temporal and environmental) are accepted but do not change the base score.
const METRICS: [(&str, &[&str]); 22] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "R"]),
    ("S", &["U", "C"]),
    ("C", &["H", "L", "N"]),
    ("I", &["H", "L", "N"]),
    ("A", &["H", "L", "N"]),
    ("E", &["X", "U", "P", "F", "H"]),
    ("RL", &["X", "O", "T", "W", "U"]),
    ("RC", &["X", "U", "R", "C"]),
    ("CR", &["X", "L", "M", "H"]),
    ("IR", &["X", "L", "M", "H"]),
    ("AR", &["X", "L", "M", "H"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "R"]),
    ("MS", &["X", "U", "C"]),
    ("MC", &["X", "N", "L", "H"]),
    ("MI", &["X", "N", "L", "H"]),
    ("MA", &["X", "N", "L", "H"]),
];
const BASE_METRICS: usize = 8;

/// The CVSS version a vector declares, `"3.0"` or `"3.1"`, from its prefix.
pub fn version(vector: &str) -> Option<&'static str> {
    let v = vector.trim();
    if v.starts_with("CVSS:3.1/") {
        Some("3.1")
    } else if v.starts_with("CVSS:3.0/") {
        Some("3.0")
    } else {
        None
    }
}

/// Reads the metrics after the prefix, returning the base values in [`METRICS`] order.
fn base_values<'a>(input: &'a str, body: &'a str) -> Result<[&'a str; BASE_METRICS], CvssError> {
    let mut seen: [Option<&str>; METRICS.len()] = [None; METRICS.len()];
    for part in body.split('/') {
        let Some((metric, value)) = part.split_once(':') else {
            return Err(CvssError::Malformed {
                input: input.to_string(),
                part: part.to_string(),
            });
        };
        let Some(index) = METRICS.iter().position(|(m, _)| *m == metric) else {
            return Err(CvssError::UnknownMetric {
                input: input.to_string(),
                metric: metric.to_string(),
            });
        };
        if !METRICS[index].1.contains(&value) {
            return Err(CvssError::BadValue {
                input: input.to_string(),
                metric: metric.to_string(),
                value: value.to_string(),
            });
        }
        if seen[index].replace(value).is_some() {
            return Err(CvssError::Duplicate {
                input: input.to_string(),
                metric: metric.to_string(),
            });
        }
    }
    let mut base = [""; BASE_METRICS];
    for (i, slot) in base.iter_mut().enumerate() {
        *slot = seen[i].ok_or_else(|| CvssError::Missing {
            input: input.to_string(),
            metric: METRICS[i].0.to_string(),
        })?;
    }
    Ok(base)
}

/// The specification's weights for each base metric value.
fn weight(metric: &str, value: &str, scope_changed: bool) -> f64 {
    match (metric, value) {
        ("AV", "N") => 0.85,
        ("AV", "A") => 0.62,
        ("AV", "L") => 0.55,
        ("AV", "P") => 0.2,
        ("AC", "L") => 0.77,
        ("AC", "H") => 0.44,
        ("PR", "N") => 0.85,
        ("PR", "L") if scope_changed => 0.68,
        ("PR", "L") => 0.62,
        ("PR", "H") if scope_changed => 0.5,
        ("PR", "H") => 0.27,
        ("UI", "N") => 0.85,
        ("UI", "R") => 0.62,
        (_, "H") => 0.56,
        (_, "L") => 0.22,
        _ => 0.0,
    }
}

/// CVSS 3.1 Roundup: the smallest one-decimal number not below the input, worked in whole
/// numbers so that floating-point noise (4.000000000000001) does not push it up a tenth.
fn roundup_v31(x: f64) -> f64 {
    let scaled = (x * 100_000.0).round() as i64;
    if scaled % 10_000 == 0 {
        scaled as f64 / 100_000.0
    } else {
        ((scaled / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS 3.0 Roundup, as that version defines it: straight ceiling to one decimal.
fn roundup_v30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// The base score of a CVSS v3.0 or v3.1 vector. Every base metric must appear exactly
/// once; temporal and environmental metrics may appear with valid values and are ignored.
pub fn base_score(vector: &str) -> Result<f64, CvssError> {
    let input = vector.trim();
    if input.chars().count() > MAX_VECTOR_CHARS {
        return Err(CvssError::TooLong);
    }
    let Some(v) = version(input) else {
        return Err(CvssError::NoPrefix {
            input: input.to_string(),
        });
    };
    let body = input.get("CVSS:3.1/".len()..).unwrap_or("");
    let [av, ac, pr, ui, s, c, i, a] = base_values(input, body)?;
    let changed = s == "C";
    let iss = 1.0
        - (1.0 - weight("C", c, changed))
            * (1.0 - weight("I", i, changed))
            * (1.0 - weight("A", a, changed));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22
        * weight("AV", av, changed)
        * weight("AC", ac, changed)
        * weight("PR", pr, changed)
        * weight("UI", ui, changed);
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(if v == "3.1" {
        roundup_v31(raw)
    } else {
        roundup_v30(raw)
    })
}

/// The qualitative severity band of a score: NONE (0.0), LOW (0.1–3.9), MEDIUM (4.0–6.9),
/// HIGH (7.0–8.9) or CRITICAL (9.0–10.0). Anything that is not a positive number is NONE.
pub fn rating(score: f64) -> &'static str {
    if score >= 9.0 {
        "CRITICAL"
    } else if score >= 7.0 {
        "HIGH"
    } else if score >= 4.0 {
        "MEDIUM"
    } else if score > 0.0 {
        "LOW"
    } else {
        "NONE"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> f64 {
        base_score(v).unwrap()
    }

    #[test]
    fn published_scores() {
        // Log4Shell, CVE-2021-44228.
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
        assert_eq!(score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
        assert_eq!(score("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"), 3.1);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
        // Heartbleed, CVE-2014-0160.
        assert_eq!(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"), 7.5);
        assert_eq!(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
        assert_eq!(score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), 1.6);
    }

    #[test]
    fn scope_change_uses_its_own_privilege_weights() {
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N"), 4.8);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"), 9.9);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 8.8);
    }

    #[test]
    fn metric_order_and_extra_metrics_do_not_matter() {
        let base = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(score("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N"), base);
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:L/MS:X"),
            base
        );
        assert_eq!(
            score("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H  "),
            base
        );
    }

    #[test]
    fn rejects_malformed_vectors() {
        let full = "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        assert!(matches!(base_score(full), Err(CvssError::NoPrefix { .. })));
        assert!(matches!(
            base_score(&format!("CVSS:2.0/{full}")),
            Err(CvssError::NoPrefix { .. })
        ));
        assert!(matches!(
            base_score(&format!("cvss:3.1/{full}")),
            Err(CvssError::NoPrefix { .. })
        ));
        assert!(matches!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
            Err(CvssError::Missing { ref metric, .. }) if metric == "A"
        ));
        assert!(matches!(
            base_score(&format!("CVSS:3.1/{full}/AV:L")),
            Err(CvssError::Duplicate { ref metric, .. }) if metric == "AV"
        ));
        assert!(matches!(
            base_score(&format!("CVSS:3.1/{full}/XX:Y")),
            Err(CvssError::UnknownMetric { .. })
        ));
        assert!(matches!(
            base_score("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::BadValue { ref value, .. }) if value == "Q"
        ));
        assert!(matches!(
            base_score(&format!("CVSS:3.1/{full}/E:Z")),
            Err(CvssError::BadValue { .. })
        ));
        assert!(matches!(
            base_score(&format!("CVSS:3.1/{full}/")),
            Err(CvssError::Malformed { .. })
        ));
        assert!(matches!(
            base_score("CVSS:3.1/"),
            Err(CvssError::Malformed { .. })
        ));
        assert!(matches!(
            base_score(&format!("CVSS:3.1/{full}/{}", "E:X/".repeat(100))),
            Err(CvssError::TooLong)
        ));
        let message = base_score("CVSS:3.1/AV:N").unwrap_err().to_string();
        assert!(message.contains("'CVSS:3.1/AV:N'") && message.contains("AC"));
    }

    #[test]
    fn roundup_follows_each_version() {
        assert_eq!(roundup_v31(4.02), 4.1);
        assert_eq!(roundup_v31(4.0), 4.0);
        assert_eq!(roundup_v31(4.000_000_000_000_001), 4.0);
        assert_eq!(roundup_v30(4.000_000_000_000_001), 4.1);
        assert_eq!(roundup_v30(4.02), 4.1);
        assert_eq!(roundup_v30(4.0), 4.0);
    }

    #[test]
    fn ratings_follow_the_bands() {
        let cases = [
            (0.0, "NONE"),
            (0.1, "LOW"),
            (3.9, "LOW"),
            (4.0, "MEDIUM"),
            (6.9, "MEDIUM"),
            (7.0, "HIGH"),
            (8.9, "HIGH"),
            (9.0, "CRITICAL"),
            (10.0, "CRITICAL"),
            (-1.0, "NONE"),
            (f64::NAN, "NONE"),
        ];
        for (s, band) in cases {
            assert_eq!(rating(s), band, "{s}");
        }
    }

    #[test]
    fn version_comes_from_the_prefix() {
        assert_eq!(version("CVSS:3.1/AV:N"), Some("3.1"));
        assert_eq!(version("CVSS:3.0/AV:N"), Some("3.0"));
        assert_eq!(version("CVSS:4.0/AV:N"), None);
        assert_eq!(version("CVSS:3.1"), None);
    }
}
