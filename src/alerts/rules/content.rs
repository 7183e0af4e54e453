//! What an analyst writes in the advisory form, read and checked. The form uses plain text
//! boxes with one entry per line so it works without JavaScript; this module turns those
//! lines into advisory content, writes saved content back as lines, and checks a whole
//! advisory before it is saved.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::alerts::model::{AdvisoryContent, AffectedProduct, Audience, Cve, Reference};

use super::{
    cvss::{self, CvssError},
    matching::{self, MatchError},
    versions::{self, VersionError},
};

/// Longest text accepted in one box; far beyond any real advisory.
const MAX_TEXT_CHARS: usize = 100_000;
const MAX_LINE_CHARS: usize = 2_000;
const MAX_NAME_CHARS: usize = 200;
const MAX_PRODUCTS: usize = 100;
const MAX_CVES: usize = 200;
const MAX_REFERENCES: usize = 50;
const MAX_STEPS: usize = 50;
const MAX_URL_CHARS: usize = 2_000;
const MAX_REFERENCE_TITLE_CHARS: usize = 300;
const TITLE_CHARS: std::ops::RangeInclusive<usize> = 5..=200;
const MAX_SUMMARY_CHARS: usize = 4_000;
const MAX_REASON_CHARS: usize = 2_000;
const ACK_HOURS: std::ops::RangeInclusive<u32> = 1..=720;

/// A problem on one line of a text box. Line 0 means the text as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based, counting blank lines, so it matches what the analyst sees.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for LineError {}

/// Why a CVE identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CveIdError {
    #[error("'{id}' is not a CVE identifier: they look like CVE-2021-44228.")]
    Shape { id: String },
    #[error("'{id}' has a year outside 1999 to 2100.")]
    Year { id: String },
    #[error("'{id}' is not a CVE identifier: a number longer than 4 digits cannot start with 0.")]
    LeadingZero { id: String },
}

/// Why a reference link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("'{url}' is not a web link: links start with https:// or http://.")]
    NotWeb { url: String },
    #[error("'{url}' does not name a website after the '//'.")]
    NoHost { url: String },
    #[error("'{url}' contains characters that are not allowed in a link.")]
    BadCharacter { url: String },
    #[error("The link is longer than {MAX_URL_CHARS} characters.")]
    TooLong,
}

/// What was wrong with one line, before it is numbered.
#[derive(Debug, thiserror::Error)]
enum LineProblem {
    #[error("this line is longer than {MAX_LINE_CHARS} characters.")]
    TooLong,
    #[error("there are more than {0} entries; list at most {0}.")]
    TooMany(usize),
    #[error(
        "write 'vendor | product | versions', optionally followed by '| identifier'; \
         this line has {0} parts."
    )]
    Columns(usize),
    #[error("give the product's name.")]
    NoProduct,
    #[error("the vendor and product names can each be at most {MAX_NAME_CHARS} characters.")]
    NameTooLong,
    #[error(transparent)]
    Versions(#[from] VersionError),
    #[error(transparent)]
    Identifier(#[from] MatchError),
    #[error("'{0}' is not a CPE name (cpe:2.3:…) or a package URL (pkg:…).")]
    NotIdentifier(String),
    #[error("give at most one CPE name and one package URL.")]
    TwoIdentifiers,
    #[error(
        "give the package URL '{0}' without a version; the versions column says which \
         versions are affected."
    )]
    PurlVersion(String),
    #[error("write 'CVE-YYYY-NNNN', optionally followed by '| CVSS vector'.")]
    CveColumns,
    #[error(transparent)]
    CveId(#[from] CveIdError),
    #[error("{id} is already listed on line {first}.")]
    DuplicateCve { id: String, first: usize },
    #[error(transparent)]
    Cvss(#[from] CvssError),
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("the title can be at most {MAX_REFERENCE_TITLE_CHARS} characters.")]
    ReferenceTitleTooLong,
}

/// Reads the non-blank lines of a text box with `read`, collecting every line's problem so
/// the analyst can fix them all at once. Stops at `limit` entries so hostile input cannot
/// produce unbounded work or errors.
fn parse_lines<T>(
    text: &str,
    limit: usize,
    mut read: impl FnMut(&str, usize) -> Result<T, LineProblem>,
) -> Result<Vec<T>, Vec<LineError>> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(vec![LineError {
            line: 0,
            message: format!("The text is longer than {MAX_TEXT_CHARS} characters."),
        }]);
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut entries = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        entries += 1;
        let result = if entries > limit {
            Err(LineProblem::TooMany(limit))
        } else if line.chars().count() > MAX_LINE_CHARS {
            Err(LineProblem::TooLong)
        } else {
            read(line, number)
        };
        match result {
            Ok(item) => items.push(item),
            Err(problem) => {
                let stop = matches!(problem, LineProblem::TooMany(_));
                errors.push(LineError {
                    line: number,
                    message: problem.to_string(),
                });
                if stop {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

/// Splits the identifier column into at most one CPE name and one package URL. A package URL
/// is stored in one spelling, without version, so it can be matched against inventories.
fn identifiers(text: &str) -> Result<(Option<String>, Option<String>), LineProblem> {
    let mut cpe = None;
    let mut purl = None;
    for word in text.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("cpe:") {
            matching::parse_cpe(word)?;
            if cpe.replace(word.to_string()).is_some() {
                return Err(LineProblem::TwoIdentifiers);
            }
        } else if lower.starts_with("pkg:") {
            let parsed = matching::parse_purl(word)?;
            if parsed.version().is_some() {
                return Err(LineProblem::PurlVersion(word.to_string()));
            }
            if purl.replace(parsed.match_key()).is_some() {
                return Err(LineProblem::TwoIdentifiers);
            }
        } else {
            return Err(LineProblem::NotIdentifier(word.to_string()));
        }
    }
    Ok((cpe, purl))
}

fn affected_line(line: &str) -> Result<AffectedProduct, LineProblem> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    let (vendor, product, ranges, ids) = match parts.as_slice() {
        [v, p, r] => (*v, *p, *r, ""),
        [v, p, r, i] => (*v, *p, *r, *i),
        _ => return Err(LineProblem::Columns(parts.len())),
    };
    if product.is_empty() {
        return Err(LineProblem::NoProduct);
    }
    if vendor.chars().count() > MAX_NAME_CHARS || product.chars().count() > MAX_NAME_CHARS {
        return Err(LineProblem::NameTooLong);
    }
    let versions = versions::parse_ranges(ranges)?;
    let (cpe, purl) = identifiers(ids)?;
    Ok(AffectedProduct {
        vendor: vendor.to_string(),
        product: product.to_string(),
        versions,
        cpe,
        purl,
    })
}

/// Reads affected products, one per line: `vendor | product | versions | identifier`, where
/// versions is written as [`versions::parse_ranges`] reads it and the optional identifier is
/// a CPE 2.3 name, a package URL without version, or one of each separated by a space.
pub fn parse_affected(text: &str) -> Result<Vec<AffectedProduct>, Vec<LineError>> {
    parse_lines(text, MAX_PRODUCTS, |line, _| affected_line(line))
}

/// Writes affected products back as [`parse_affected`] reads them.
pub fn format_affected(products: &[AffectedProduct]) -> String {
    products
        .iter()
        .map(|p| {
            let mut line = format!(
                "{} | {} | {}",
                p.vendor,
                p.product,
                versions::format_ranges(&p.versions)
            );
            let ids: Vec<&str> = [p.cpe.as_deref(), p.purl.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !ids.is_empty() {
                line.push_str(" | ");
                line.push_str(&ids.join(" "));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks a CVE identifier's shape (`CVE-YYYY-NNNN`, four or more digits, year 1999 to 2100)
/// and returns it in capitals.
pub fn parse_cve_id(s: &str) -> Result<String, CveIdError> {
    let id = s.trim().to_ascii_uppercase();
    let shape = || CveIdError::Shape { id: id.clone() };
    let rest = id.strip_prefix("CVE-").ok_or_else(shape)?;
    let (year, number) = rest.split_once('-').ok_or_else(shape)?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || !digits(number) || !(4..=19).contains(&number.len()) {
        return Err(shape());
    }
    if !year
        .parse::<u32>()
        .is_ok_and(|y| (1999..=2100).contains(&y))
    {
        return Err(CveIdError::Year { id });
    }
    if number.len() > 4 && number.starts_with('0') {
        return Err(CveIdError::LeadingZero { id });
    }
    Ok(id)
}

fn cve_entry(id: &str, vector: Option<&str>) -> Result<Cve, LineProblem> {
    let id = parse_cve_id(id)?;
    let (cvss_vector, cvss_score) = match vector.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => (Some(v.to_string()), Some(cvss::base_score(v)?)),
        None => (None, None),
    };
    Ok(Cve {
        id,
        cvss_vector,
        cvss_score,
    })
}

fn cve_line(line: &str) -> Result<Cve, LineProblem> {
    let parts: Vec<&str> = if line.contains('|') {
        line.split('|').collect()
    } else {
        line.split_whitespace().collect()
    };
    match parts.as_slice() {
        [id] => cve_entry(id, None),
        [id, vector] => cve_entry(id, Some(vector)),
        _ => Err(LineProblem::CveColumns),
    }
}

/// Reads CVEs, one per line: `CVE-2021-44228 | CVSS:3.1/AV:N/…`. The CVSS vector is
/// optional; when given, its base score is worked out. Each CVE may be listed once.
pub fn parse_cves(text: &str) -> Result<Vec<Cve>, Vec<LineError>> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    parse_lines(text, MAX_CVES, |line, number| {
        let cve = cve_line(line)?;
        if let Some(&first) = first_seen.get(&cve.id) {
            return Err(LineProblem::DuplicateCve { id: cve.id, first });
        }
        first_seen.insert(cve.id.clone(), number);
        Ok(cve)
    })
}

/// Writes CVEs back as [`parse_cves`] reads them.
pub fn format_cves(cves: &[Cve]) -> String {
    cves.iter()
        .map(|c| match &c.cvss_vector {
            Some(v) => format!("{} | {v}", c.id),
            None => c.id.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks a reference link: http or https, a website named, and no characters that have no
/// place in a link. Links with a user name before the site (`https://nhs.uk@example.com`)
/// are refused because they disguise where the link goes.
pub fn check_url(url: &str) -> Result<(), UrlError> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(UrlError::TooLong);
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"]
        .into_iter()
        .find(|scheme| lower.starts_with(scheme))
        .and_then(|scheme| url.get(scheme.len()..))
    else {
        return Err(UrlError::NotWeb {
            url: url.to_string(),
        });
    };
    let allowed = |c: char| c.is_ascii_graphic() && !"\"<>\\^`{|}".contains(c);
    if !url.chars().all(allowed) {
        return Err(UrlError::BadCharacter {
            url: url.to_string(),
        });
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.contains('@') {
        return Err(UrlError::BadCharacter {
            url: url.to_string(),
        });
    }
    if host.is_empty() || host.starts_with(':') {
        return Err(UrlError::NoHost {
            url: url.to_string(),
        });
    }
    Ok(())
}

fn reference_line(line: &str) -> Result<Reference, LineProblem> {
    let (url, title) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    check_url(url)?;
    let title = title.trim().trim_start_matches('|').trim();
    if title.chars().count() > MAX_REFERENCE_TITLE_CHARS {
        return Err(LineProblem::ReferenceTitleTooLong);
    }
    Ok(Reference {
        url: url.to_string(),
        title: if title.is_empty() { url } else { title }.to_string(),
    })
}

/// Reads references, one per line: a web link, then optionally its title (the link itself
/// when no title is given).
pub fn parse_references(text: &str) -> Result<Vec<Reference>, Vec<LineError>> {
    parse_lines(text, MAX_REFERENCES, |line, _| reference_line(line))
}

/// Writes references back as [`parse_references`] reads them.
pub fn format_references(references: &[Reference]) -> String {
    references
        .iter()
        .map(|r| {
            if r.title == r.url {
                r.url.clone()
            } else {
                format!("{} {}", r.url, r.title)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads remediation steps or workarounds: each non-blank line is one step. Limits on the
/// number and length of steps are enforced by [`check`].
pub fn parse_steps(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Writes steps back as [`parse_steps`] reads them.
pub fn format_steps(steps: &[String]) -> String {
    steps.join("\n")
}

fn check_steps(out: &mut Vec<(&'static str, String)>, kind: &str, steps: &[String]) {
    if steps.len() > MAX_STEPS {
        out.push((
            "remediation",
            format!(
                "List at most {MAX_STEPS} {kind}; there are {}.",
                steps.len()
            ),
        ));
    }
    if steps.iter().any(|s| s.trim().is_empty()) {
        out.push(("remediation", format!("One of the {kind} is blank.")));
    }
    if steps.iter().any(|s| s.chars().count() > MAX_LINE_CHARS) {
        out.push((
            "remediation",
            format!("Each of the {kind} can be at most {MAX_LINE_CHARS} characters."),
        ));
    }
}

fn check_text(out: &mut Vec<(&'static str, String)>, content: &AdvisoryContent) {
    let title = content.title.trim().chars().count();
    if !TITLE_CHARS.contains(&title) {
        out.push((
            "title",
            format!(
                "Enter a title of {} to {} characters.",
                TITLE_CHARS.start(),
                TITLE_CHARS.end()
            ),
        ));
    }
    if content.summary.trim().is_empty() {
        out.push(("summary", "Enter a summary of the threat.".to_string()));
    } else if content.summary.chars().count() > MAX_SUMMARY_CHARS {
        out.push((
            "summary",
            format!("The summary can be at most {MAX_SUMMARY_CHARS} characters."),
        ));
    }
    if content.severity_reason.trim().is_empty() {
        out.push((
            "severity_reason",
            "Say why this severity was chosen.".to_string(),
        ));
    } else if content.severity_reason.chars().count() > MAX_REASON_CHARS {
        out.push((
            "severity_reason",
            format!("The reason for the severity can be at most {MAX_REASON_CHARS} characters."),
        ));
    }
    if content.remediation.is_empty() && content.workarounds.is_empty() {
        out.push((
            "remediation",
            "Give at least one remediation step or workaround.".to_string(),
        ));
    }
    check_steps(out, "remediation steps", &content.remediation);
    check_steps(out, "workarounds", &content.workarounds);
}

/// Why one affected product, as saved, could not be written in or read from the form.
fn product_problem(p: &AffectedProduct) -> Option<String> {
    let unwritable = |s: &str| s.contains(['|', '\n', '\r']);
    if p.product.trim().is_empty() {
        return Some("give the product's name.".to_string());
    }
    if unwritable(&p.vendor) || unwritable(&p.product) {
        return Some("names cannot contain '|' or line breaks.".to_string());
    }
    if p.vendor.chars().count() > MAX_NAME_CHARS || p.product.chars().count() > MAX_NAME_CHARS {
        return Some(LineProblem::NameTooLong.to_string());
    }
    if let Some(e) = p
        .versions
        .iter()
        .find_map(|r| versions::parse_range(&versions::format_range(r)).err())
    {
        return Some(e.to_string());
    }
    if let Some(e) = p.cpe.as_deref().and_then(|c| matching::parse_cpe(c).err()) {
        return Some(e.to_string());
    }
    if let Some(e) = p
        .purl
        .as_deref()
        .and_then(|c| matching::parse_purl(c).err())
    {
        return Some(e.to_string());
    }
    None
}

fn check_lists(out: &mut Vec<(&'static str, String)>, content: &AdvisoryContent) {
    if content.affected.len() > MAX_PRODUCTS {
        out.push((
            "affected",
            format!("List at most {MAX_PRODUCTS} affected products."),
        ));
    }
    if !content.cves.is_empty() && content.affected.is_empty() {
        out.push((
            "affected",
            "List the affected products: an advisory about a vulnerability must say what it \
             affects."
                .to_string(),
        ));
    }
    for (i, p) in content.affected.iter().enumerate() {
        if let Some(problem) = product_problem(p) {
            out.push(("affected", format!("Affected product {}: {problem}", i + 1)));
        }
    }
    if content.cves.len() > MAX_CVES {
        out.push(("cves", format!("List at most {MAX_CVES} CVEs.")));
    }
    if content.in_kev && content.cves.is_empty() {
        out.push((
            "cves",
            "List the CVE that is in the Known Exploited Vulnerabilities catalogue.".to_string(),
        ));
    }
    let mut seen = HashSet::new();
    for c in &content.cves {
        match parse_cve_id(&c.id) {
            Err(e) => out.push(("cves", e.to_string())),
            Ok(id) if seen.contains(&id) => out.push(("cves", format!("{id} is listed twice."))),
            Ok(id) => {
                seen.insert(id);
            }
        }
        if let Some(e) = c
            .cvss_vector
            .as_deref()
            .and_then(|v| cvss::base_score(v).err())
        {
            out.push(("cves", format!("{}: {e}", c.id)));
        }
    }
    if content.references.len() > MAX_REFERENCES {
        out.push((
            "references",
            format!("List at most {MAX_REFERENCES} references."),
        ));
    }
    for r in &content.references {
        if let Err(e) = check_url(&r.url) {
            out.push(("references", e.to_string()));
        }
    }
}

fn check_audience(out: &mut Vec<(&'static str, String)>, content: &AdvisoryContent) {
    match &content.audience {
        Audience::Types(types) if types.is_empty() => out.push((
            "audience",
            "Choose at least one type of organisation.".to_string(),
        )),
        Audience::Organisations(orgs) if orgs.is_empty() => {
            out.push(("audience", "Choose at least one organisation.".to_string()))
        }
        _ => {}
    }
    if content.ack_required && !content.ack_hours.is_some_and(|h| ACK_HOURS.contains(&h)) {
        out.push((
            "ack_hours",
            format!(
                "Give the hours allowed for acknowledgement, from {} to {}.",
                ACK_HOURS.start(),
                ACK_HOURS.end()
            ),
        ));
    }
}

/// Checks a whole advisory before it is saved, returning each problem as the form field it
/// belongs to and a message; empty when the advisory is fine. Content that arrives without
/// the form (through the API) gets the same checks as what the form parsers enforce.
pub fn check(content: &AdvisoryContent) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    check_text(&mut out, content);
    check_lists(&mut out, content);
    check_audience(&mut out, content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::{Severity, Tlp};
    use crate::organisations::domain::OrgType;

    const LOG4J: &str =
        "Apache | Log4j | >= 2.0.0, < 2.17.1 | pkg:maven/org.apache.logging.log4j/log4j-core";

    fn fields(content: &AdvisoryContent) -> Vec<&'static str> {
        check(content).into_iter().map(|(f, _)| f).collect()
    }

    fn advisory() -> AdvisoryContent {
        AdvisoryContent {
            title: "Log4j remote code execution".into(),
            severity: Severity::Critical,
            severity_reason: "Exploited widely and trivially.".into(),
            tlp: Tlp::Clear,
            summary: "A flaw in Log4j lets attackers run code.".into(),
            actively_exploited: true,
            in_kev: true,
            affected: parse_affected(LOG4J).unwrap(),
            cves: parse_cves("CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
                .unwrap(),
            remediation: vec!["Upgrade to 2.17.1.".into()],
            workarounds: vec![],
            references: parse_references("https://logging.apache.org/log4j/2.x/security.html")
                .unwrap(),
            audience: Audience::All,
            ack_required: true,
            ack_hours: Some(48),
        }
    }

    #[test]
    fn reads_affected_products() {
        let products = parse_affected(&format!(
            "\n{LOG4J}\n  Microsoft | Exchange Server | all  \n\
             | curl | < 8.4.0 | cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:* pkg:generic/curl\n"
        ))
        .unwrap();
        assert_eq!(products.len(), 3);
        let log4j = &products[0];
        assert_eq!(
            (log4j.vendor.as_str(), log4j.product.as_str()),
            ("Apache", "Log4j")
        );
        assert_eq!(log4j.versions.len(), 1);
        assert!(versions::any_contains(&log4j.versions, "2.14.1"));
        assert!(!versions::any_contains(&log4j.versions, "2.17.1"));
        assert_eq!(
            log4j.purl.as_deref(),
            Some("pkg:maven/org.apache.logging.log4j/log4j-core")
        );
        assert_eq!(log4j.cpe, None);
        assert!(products[1].versions.is_empty());
        assert_eq!(products[2].vendor, "");
        assert!(products[2].cpe.is_some() && products[2].purl.is_some());
    }

    #[test]
    fn reports_every_bad_product_line_with_its_number() {
        let text = "Apache | Log4j\n\
                    Apache | Log4j | >= 2.0 < 1.0\n\
                    \n\
                    Apache |  | all\n\
                    Apache | Log4j | all | log4j-core\n\
                    Apache | Log4j | all | pkg:maven/org.apache/log4j@2.14.1\n\
                    Apache | Log4j | all | cpe:2.3:a:apache:log4j\n\
                    Apache | Log4j | all | pkg:a/b pkg:a/c\n\
                    Apache | Log4j | all";
        let errors = parse_affected(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 5, 6, 7, 8]);
        assert_eq!(
            errors[1].to_string(),
            "line 2: The version range '>= 2.0 < 1.0' is impossible: the lower bound is above \
             the upper bound."
        );
        assert!(errors[0].message.contains("2 parts"));
        assert!(errors[3].message.contains("'log4j-core'"));
        assert!(errors[4].message.contains("without a version"));
    }

    #[test]
    fn hostile_product_text_is_bounded() {
        let huge = "a".repeat(MAX_TEXT_CHARS + 1);
        let errors = parse_affected(&huge).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 0);
        assert!(!errors[0].to_string().starts_with("line"));
        let long_line = format!("Apache | {} | all", "x".repeat(MAX_LINE_CHARS));
        assert!(
            parse_affected(&long_line).unwrap_err()[0]
                .message
                .contains("longer")
        );
        let long_name = format!("Apache | {} | all", "x".repeat(MAX_NAME_CHARS + 1));
        assert!(parse_affected(&long_name).is_err());
        let many = "nonsense\n".repeat(5_000);
        let errors = parse_affected(&many).unwrap_err();
        assert_eq!(errors.len(), MAX_PRODUCTS + 1);
        assert!(errors[MAX_PRODUCTS].message.contains("at most 100"));
        let too_many = "A | B | all\n".repeat(MAX_PRODUCTS + 1);
        assert_eq!(parse_affected(&too_many).unwrap_err().len(), 1);
        assert_eq!(parse_affected("").unwrap(), Vec::new());
    }

    #[test]
    fn affected_round_trips() {
        let text = format!(
            "{LOG4J}\nMicrosoft | Exchange Server | all versions\n\
             | curl | < 8.4.0; = 8.5.0 | cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:* pkg:generic/curl\n\
             Acme | Widget | 2.0 - 2.4 | cpe:/a:acme:widget"
        );
        let products = parse_affected(&text).unwrap();
        let again = parse_affected(&format_affected(&products)).unwrap();
        assert_eq!(again, products);
        assert_eq!(format_affected(&products).lines().count(), 4);
    }

    #[test]
    fn reads_cves_and_scores_them() {
        let cves = parse_cves(
            "cve-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\n\
             CVE-2014-0160\n\
             CVE-2023-123456 CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        )
        .unwrap();
        assert_eq!(cves[0].id, "CVE-2021-44228");
        assert_eq!(cves[0].cvss_score, Some(10.0));
        assert_eq!(cves[1].cvss_vector, None);
        assert_eq!(cves[1].cvss_score, None);
        assert_eq!(cves[2].cvss_score, Some(7.5));
        assert_eq!(parse_cves(&format_cves(&cves)).unwrap(), cves);
    }

    #[test]
    fn rejects_bad_cves() {
        let errors = parse_cves(
            "CVE-2021-44228\n\
             CVE-21-44228\n\
             CVE-1998-0001\n\
             CVE-2021-123\n\
             CVE-2021-012345\n\
             cve-2021-44228\n\
             CVE-2022-0001 | CVSS:3.1/AV:N\n\
             CVE-2022-0002 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | extra",
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            errors[4].to_string(),
            "line 6: CVE-2021-44228 is already listed on line 1."
        );
        assert!(errors[1].message.contains("1999"));
        assert!(errors[5].message.contains("missing the base metric AC"));
        assert!(parse_cve_id("CVE-2100-1234").is_ok());
        assert!(parse_cve_id("CVE-2101-1234").is_err());
        assert!(parse_cve_id("CVE-2021-4422८").is_err());
        assert!(parse_cve_id("CVE-2021-").is_err());
        assert!(parse_cve_id(&format!("CVE-2021-{}", "1".repeat(40))).is_err());
    }

    #[test]
    fn reads_references() {
        let refs = parse_references(
            "https://www.ncsc.gov.uk/news/apache-log4j-vulnerability NCSC guidance on Log4j\n\
             HTTP://example.org/advisory\n\
             https://example.org/a | Vendor notice",
        )
        .unwrap();
        assert_eq!(refs[0].title, "NCSC guidance on Log4j");
        assert_eq!(refs[1].title, "HTTP://example.org/advisory");
        assert_eq!(refs[2].title, "Vendor notice");
        assert_eq!(parse_references(&format_references(&refs)).unwrap(), refs);
    }

    #[test]
    fn rejects_unsafe_references() {
        let errors = parse_references(
            "javascript:alert(1) Click\n\
             ftp://example.org/file\n\
             https://\n\
             https://nhs.uk@evil.example/login\n\
             https://example.org/<script>\n\
             https://:443/x\n\
             https://example.org/ok",
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 6]);
        assert!(errors[0].message.contains("'javascript:alert(1)'"));
        let long = format!("https://example.org/{} title", "a".repeat(MAX_URL_CHARS));
        assert!(parse_references(&long).is_err());
        let long_title = format!("https://example.org/ {}", "t".repeat(400));
        assert!(parse_references(&long_title).is_err());
    }

    #[test]
    fn steps_are_trimmed_non_blank_lines() {
        let steps = parse_steps("  Upgrade to 2.17.1.  \r\n\n\t\nRestart the service.\n");
        assert_eq!(steps, vec!["Upgrade to 2.17.1.", "Restart the service."]);
        assert_eq!(parse_steps(&format_steps(&steps)), steps);
        assert!(parse_steps(" \n ").is_empty());
    }

    #[test]
    fn a_complete_advisory_passes() {
        assert_eq!(check(&advisory()), Vec::new());
    }

    #[test]
    fn text_fields_are_required_and_bounded() {
        let mut a = advisory();
        a.title = " Log ".into();
        a.summary = "  ".into();
        a.severity_reason = String::new();
        a.remediation.clear();
        assert_eq!(
            fields(&a),
            vec!["title", "summary", "severity_reason", "remediation"]
        );
        a = advisory();
        a.title = "x".repeat(201);
        a.summary = "x".repeat(MAX_SUMMARY_CHARS + 1);
        assert_eq!(fields(&a), vec!["title", "summary"]);
        a = advisory();
        a.remediation.clear();
        a.workarounds = vec!["Set log4j2.formatMsgNoLookups=true.".into()];
        assert!(check(&a).is_empty());
        a.workarounds = vec!["step".into(); MAX_STEPS + 1];
        assert_eq!(fields(&a), vec!["remediation"]);
    }

    #[test]
    fn lists_are_checked() {
        let mut a = advisory();
        a.affected.clear();
        assert_eq!(fields(&a), vec!["affected"]);
        a.cves.clear();
        assert_eq!(fields(&a), vec!["cves"], "in_kev needs a CVE");
        a.in_kev = false;
        assert!(check(&a).is_empty(), "no CVEs, no products is allowed");

        let mut a = advisory();
        a.affected = vec![a.affected[0].clone(); MAX_PRODUCTS + 1];
        a.cves = (0..=MAX_CVES)
            .map(|n| Cve {
                id: format!("CVE-2024-{:05}", n + 10_000),
                cvss_vector: None,
                cvss_score: None,
            })
            .collect();
        a.references = vec![a.references[0].clone(); MAX_REFERENCES + 1];
        assert_eq!(fields(&a), vec!["affected", "cves", "references"]);
    }

    #[test]
    fn content_from_the_api_gets_the_form_rules() {
        let mut a = advisory();
        a.affected[0].product = "Log4j | core".into();
        a.affected[0].versions[0].lower = Some(crate::alerts::model::Bound {
            version: "9.0".into(),
            inclusive: true,
        });
        a.cves.push(a.cves[0].clone());
        a.cves.push(Cve {
            id: "CVE-2024-0001".into(),
            cvss_vector: Some("CVSS:3.1/AV:X".into()),
            cvss_score: None,
        });
        a.references[0].url = "javascript:alert(1)".into();
        let problems = check(&a);
        let found: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(found, vec!["affected", "cves", "cves", "references"]);
        assert!(problems[0].1.starts_with("Affected product 1:"));
        assert!(problems[1].1.contains("listed twice"));

        let mut a = advisory();
        a.affected[0].versions[0].lower = Some(crate::alerts::model::Bound {
            version: "9.0".into(),
            inclusive: true,
        });
        assert!(check(&a)[0].1.contains("impossible"));
    }

    #[test]
    fn audience_and_acknowledgement() {
        let mut a = advisory();
        a.audience = Audience::Types(vec![]);
        a.ack_hours = Some(0);
        assert_eq!(fields(&a), vec!["audience", "ack_hours"]);
        a.audience = Audience::Organisations(vec![]);
        a.ack_hours = Some(721);
        assert_eq!(fields(&a), vec!["audience", "ack_hours"]);
        a.audience = Audience::Types(vec![OrgType::GpPractice]);
        a.ack_hours = None;
        assert_eq!(fields(&a), vec!["ack_hours"]);
        a.ack_required = false;
        assert!(check(&a).is_empty());
        a.ack_required = true;
        a.ack_hours = Some(720);
        assert!(check(&a).is_empty());
    }
}
