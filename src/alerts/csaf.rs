//! Published advisories as CSAF 2.0 documents (OASIS Common Security Advisory Framework), so
//! that security tools can read CareCERT advisories without scraping pages.
//!
//! Every document is meant to pass the standard's strict JSON schema and its mandatory tests
//! (section 6.1). Advisory text comes from people, so anything that would break those rules —
//! a blank field, a malformed link, CPE, package URL or CVSS vector, an odd revision history —
//! is left out, or replaced by a plain statement, rather than copied through.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::model::{AffectedProduct, Bound, Cve, PublishedAdvisory, Tlp};
use super::rules::cvss;

/// Who publishes the documents, and where this server is.
#[derive(Debug, Clone, Copy)]
pub struct Provider<'a> {
    pub name: &'a str,
    /// A URL the publisher controls that names it uniquely, e.g. `https://carecert.example`.
    pub namespace: &'a str,
    /// How to reach the publisher, in a sentence.
    pub contact: &'a str,
    /// The public URL of this server, without a trailing slash.
    pub base_url: &'a str,
}

/// FIRST's definition of the Traffic Light Protocol.
pub const TLP_DEFINITION_URL: &str = "https://www.first.org/tlp/";

/// The name CSAF documents give for the software that made them.
const ENGINE: &str = "CareCERT";

/// The CSAF 2.0 label for a TLP 2.0 label. CSAF 2.0 predates TLP 2.0: CLEAR was called WHITE,
/// and there is no AMBER+STRICT, so it becomes AMBER (the document states the restriction).
pub fn tlp_label(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "WHITE",
        Tlp::Green => "GREEN",
        Tlp::Amber | Tlp::AmberStrict => "AMBER",
        Tlp::Red => "RED",
    }
}

/// The file name of a CSAF document (CSAF 2.0 section 5.1): the tracking ID in lower case,
/// with every run of characters other than `+`, `-`, `a`–`z` and `0`–`9` replaced by `_`.
pub fn filename(tracking_id: &str) -> String {
    let mut name = String::with_capacity(tracking_id.len() + 5);
    let mut in_run = false;
    for c in tracking_id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            name.push(c);
            in_run = false;
        } else if !in_run {
            name.push('_');
            in_run = true;
        }
    }
    name.push_str(".json");
    name
}

/// The document's tracking ID: the advisory reference with its spacing tidied (CSAF forbids
/// leading, trailing and line-breaking white space), or the advisory's UUID if it has none.
pub fn tracking_id(adv: &PublishedAdvisory) -> String {
    let id = adv
        .reference
        .split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if id.is_empty() {
        adv.id.to_string()
    } else {
        id
    }
}

/// Where the document is published: one folder per TLP label, as CSAF providers lay them out,
/// then one per year of first release (CSAF 2.0 requirement 11), e.g.
/// `https://carecert.example/.well-known/csaf/white/2026/cc-2026-0042.json`.
pub fn document_url(base_url: &str, adv: &PublishedAdvisory) -> String {
    let released = rfc3339(adv.initial_release);
    format!(
        "{}/.well-known/csaf/{}/{}/{}",
        base_url.trim_end_matches('/'),
        tlp_label(adv.content.tlp).to_ascii_lowercase(),
        released.get(..4).unwrap_or("0000"),
        filename(&tracking_id(adv)),
    )
}

/// When the current version of the advisory was released, as its document says.
pub fn current_release(adv: &PublishedAdvisory) -> OffsetDateTime {
    history(adv).current
}

/// The advisory as a CSAF 2.0 document: a security advisory when it names at least one CVE
/// and one affected product, otherwise an informational advisory.
pub fn document(adv: &PublishedAdvisory, provider: &Provider) -> Value {
    let content = &adv.content;
    let id = tracking_id(adv);
    let cves = cves(&content.cves);
    let products = products(&content.affected);
    let security = !cves.is_empty() && !products.ids.is_empty();
    let category = if security {
        "csaf_security_advisory"
    } else {
        "csaf_informational_advisory"
    };
    let mut doc = json!({
        "document": {
            "category": category,
            "csaf_version": "2.0",
            "lang": "en-GB",
            "title": title(adv),
            "publisher": publisher(provider),
            "distribution": distribution(content.tlp),
            "aggregate_severity": { "text": content.severity.label() },
            "notes": document_notes(adv, security, &cves),
            "references": references(adv, provider),
            "tracking": tracking(adv, &id),
        }
    });
    if let Some(tree) = products.tree {
        doc["product_tree"] = tree;
    }
    if security {
        doc["vulnerabilities"] = cves
            .iter()
            .map(|cve| vulnerability(adv, cve, &products.ids))
            .collect();
    }
    doc
}

/// The document title: `<tracking ID>: <advisory title>`.
pub fn title(adv: &PublishedAdvisory) -> String {
    let id = tracking_id(adv);
    match clean(&adv.content.title) {
        Some(title) => format!("{id}: {title}"),
        None => id,
    }
}

/// The `publisher` object, shared by documents and the provider metadata.
pub fn publisher(provider: &Provider) -> Value {
    let mut publisher = json!({
        "category": "coordinator",
        "name": clean(provider.name).unwrap_or(ENGINE),
        "namespace": provider.namespace,
    });
    if let Some(contact) = clean(provider.contact) {
        publisher["contact_details"] = contact.into();
    }
    publisher
}

/// A date as RFC 3339 in UTC. CSAF and Atom dates have four-digit years, so a date outside
/// years 0 to 9999 (which only broken data could hold) is clamped to the nearest end.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.checked_to_offset(UtcOffset::UTC)
        .and_then(|utc| utc.format(&Rfc3339).ok())
        .unwrap_or_else(|| {
            if t.year() < 0 {
                "0000-01-01T00:00:00Z".to_owned()
            } else {
                "9999-12-31T23:59:59Z".to_owned()
            }
        })
}

/// The address of the advisory's page on this server.
pub fn page_url(base_url: &str, adv: &PublishedAdvisory) -> String {
    format!(
        "{}/alerts/{}",
        base_url.trim_end_matches('/'),
        encode_segment(adv.reference.trim())
    )
}

/// Percent-encodes everything but the unreserved characters of RFC 3986, so any text can go
/// in one path segment of a URL or URN.
pub(super) fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn clean(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

fn numbered(items: &[String]) -> Option<String> {
    let lines: Vec<String> = items
        .iter()
        .filter_map(|item| clean(item))
        .enumerate()
        .map(|(i, item)| format!("{}. {item}", i + 1))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn note(category: &str, title: &str, text: &str) -> Value {
    json!({ "category": category, "title": title, "text": text })
}

fn withdrawal_reason(adv: &PublishedAdvisory) -> Option<&str> {
    adv.withdrawn_reason
        .as_deref()
        .map(|reason| clean(reason).unwrap_or("No reason was given."))
}

// ---------------------------------------------------------------------------------------
// Tracking

struct History {
    /// Date and summary of each version, oldest first; version numbers are positions from 1.
    entries: Vec<(OffsetDateTime, String)>,
    current: OffsetDateTime,
}

fn history(adv: &PublishedAdvisory) -> History {
    // CSAF needs versions numbered 1, 2, 3… without gaps and rising with their dates
    // (mandatory tests 6.1.14, 6.1.16, 6.1.21 and 6.1.22). Storage keeps them so; numbering by
    // position in date order keeps the document valid even if it ever does not.
    let mut notes: Vec<_> = adv.revisions.iter().collect();
    notes.sort_by(|a, b| a.date.cmp(&b.date).then(a.number.cmp(&b.number)));
    let mut entries: Vec<(OffsetDateTime, String)> = notes
        .iter()
        .map(|r| (r.date, clean(&r.summary).unwrap_or("Revised.").to_owned()))
        .collect();
    if entries.is_empty() {
        entries.push((adv.initial_release, "Initial release.".to_owned()));
    }
    let latest = entries
        .iter()
        .map(|(date, _)| *date)
        .max()
        .unwrap_or(adv.initial_release);
    let current = adv.current_release.max(latest);
    if let Some(reason) = withdrawal_reason(adv) {
        // Withdrawing makes a new version of the document. If storage recorded the withdrawal
        // as a revision already, it is not repeated.
        let recorded = entries
            .last()
            .is_some_and(|(_, summary)| summary.to_lowercase().starts_with("withdrawn"));
        if !recorded {
            entries.push((current, format!("Withdrawn: {reason}")));
        }
    }
    History { entries, current }
}

fn tracking(adv: &PublishedAdvisory, id: &str) -> Value {
    let history = history(adv);
    let current = rfc3339(history.current);
    let revisions: Vec<Value> = history
        .entries
        .iter()
        .enumerate()
        .map(|(i, (date, summary))| {
            json!({ "number": (i + 1).to_string(), "date": rfc3339(*date), "summary": summary })
        })
        .collect();
    json!({
        "id": id,
        "status": "final",
        "version": revisions.len().to_string(),
        "initial_release_date": rfc3339(adv.initial_release),
        "current_release_date": current,
        "revision_history": revisions,
        "generator": {
            "date": current,
            "engine": { "name": ENGINE, "version": env!("CARGO_PKG_VERSION") },
        },
    })
}

// ---------------------------------------------------------------------------------------
// Distribution, notes and references

fn distribution(tlp: Tlp) -> Value {
    let mut text = format!("TLP:{}: {}", tlp.as_str(), tlp.meaning());
    match tlp {
        Tlp::Clear => text.push_str(" CSAF 2.0 calls this label TLP:WHITE."),
        Tlp::AmberStrict => text.push_str(
            " CSAF 2.0 has no AMBER+STRICT label, so this document is labelled TLP:AMBER, but the \
             stricter rule applies: share it only within the recipient organisation, not with \
             its clients.",
        ),
        Tlp::Green | Tlp::Amber | Tlp::Red => {}
    }
    json!({ "text": text, "tlp": { "label": tlp_label(tlp), "url": TLP_DEFINITION_URL } })
}

fn document_notes(adv: &PublishedAdvisory, security: bool, cves: &[ValidCve]) -> Vec<Value> {
    let content = &adv.content;
    let mut notes = Vec::new();
    if let Some(reason) = withdrawal_reason(adv) {
        let text = format!("This advisory has been withdrawn. Reason: {reason}");
        notes.push(note("general", "Withdrawn", &text));
    }
    if let Some(summary) = clean(&content.summary) {
        notes.push(note("summary", "Summary", summary));
    }
    // Always present, so an informational advisory always has the general note CSAF requires
    // (mandatory test 6.1.27.1).
    let severity = match clean(&content.severity_reason) {
        Some(reason) => format!("{}. {reason}", content.severity.label()),
        None => format!("{}.", content.severity.label()),
    };
    notes.push(note("general", "Severity", &severity));
    if let Some(threat) = threat(adv) {
        notes.push(note("details", "Threat", &threat));
    }
    // An informational advisory has no vulnerabilities to carry CVEs and remediations.
    if !security {
        if !cves.is_empty() {
            let ids: Vec<&str> = cves.iter().map(|cve| cve.id.as_str()).collect();
            let text = format!("This advisory concerns {}.", ids.join(", "));
            notes.push(note("details", "Vulnerabilities", &text));
        }
        if let Some(steps) = numbered(&content.remediation) {
            notes.push(note("details", "What to do", &steps));
        }
        if let Some(steps) = numbered(&content.workarounds) {
            notes.push(note("details", "Workarounds", &steps));
        }
    }
    notes
}

fn threat(adv: &PublishedAdvisory) -> Option<String> {
    let mut facts = Vec::new();
    if adv.content.actively_exploited {
        facts.push("Known to be exploited in the wild.");
    }
    if adv.content.in_kev {
        facts.push("Listed in the CISA Known Exploited Vulnerabilities catalogue.");
    }
    (!facts.is_empty()).then(|| facts.join(" "))
}

fn references(adv: &PublishedAdvisory, provider: &Provider) -> Vec<Value> {
    let tlp = adv.content.tlp;
    let mut references = vec![
        (
            "self",
            format!(
                "This advisory on {}",
                clean(provider.name).unwrap_or(ENGINE)
            ),
            page_url(provider.base_url, adv),
        ),
        (
            "self",
            "This advisory as a CSAF document".to_owned(),
            document_url(provider.base_url, adv),
        ),
    ];
    for reference in &adv.content.references {
        if let Some(url) = web_url(&reference.url) {
            let summary = clean(&reference.title).unwrap_or(&url).to_owned();
            references.push(("external", summary, url));
        }
    }
    // Recipients need the label's rules, and an informational advisory needs at least one
    // external reference (mandatory test 6.1.27.2) even when the analyst gave none.
    references.push((
        "external",
        format!(
            "FIRST Traffic Light Protocol 2.0: what TLP:{} allows",
            tlp.as_str()
        ),
        TLP_DEFINITION_URL.to_owned(),
    ));
    references
        .into_iter()
        .filter(|(_, _, url)| is_uri(url))
        .map(|(category, summary, url)| {
            json!({ "category": category, "summary": summary, "url": url })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Products

struct Products {
    tree: Option<Value>,
    /// Every product ID the tree defines.
    ids: Vec<String>,
}

/// One product of one vendor as the tree shows it: every version, or some version ranges.
struct Line<'a> {
    product: &'a str,
    every_version: bool,
    ranges: Vec<(Option<&'a Bound>, Option<&'a Bound>)>,
    cpe: Option<&'a str>,
    purl: Option<&'a str>,
}

impl<'a> Line<'a> {
    fn absorb(&mut self, affected: &'a AffectedProduct) {
        if affected.versions.is_empty() {
            self.every_version = true;
        }
        for range in &affected.versions {
            let lower = range.lower.as_ref().filter(|b| clean(&b.version).is_some());
            let upper = range.upper.as_ref().filter(|b| clean(&b.version).is_some());
            if lower.is_none() && upper.is_none() {
                self.every_version = true;
            } else {
                self.ranges.push((lower, upper));
            }
        }
        if self.cpe.is_none() {
            self.cpe = affected.cpe.as_deref().map(str::trim).filter(|c| is_cpe(c));
        }
        if self.purl.is_none() {
            self.purl = affected
                .purl
                .as_deref()
                .map(str::trim)
                .filter(|p| is_purl(p));
        }
    }

    fn helper(&self) -> Option<Value> {
        let mut helper = Map::new();
        if let Some(cpe) = self.cpe {
            helper.insert("cpe".into(), cpe.into());
        }
        if let Some(purl) = self.purl {
            helper.insert("purl".into(), purl.into());
        }
        (!helper.is_empty()).then_some(Value::Object(helper))
    }

    fn branch(&self, vendor: &str, ids: &mut Vec<String>) -> Value {
        let helper = self.helper();
        let product = self.product;
        if self.every_version || self.ranges.is_empty() {
            let name = format!("{vendor} {product}, every version");
            return json!({
                "category": "product_name",
                "name": product,
                "product": full_product(ids, name, &helper),
            });
        }
        let mut seen = Vec::new();
        let mut branches = Vec::new();
        for &(lower, upper) in &self.ranges {
            let vers = vers(lower, upper);
            if seen.contains(&vers) {
                continue;
            }
            let name = format!("{vendor} {product} {}", describe(lower, upper));
            branches.push(json!({
                "category": "product_version_range",
                "name": vers,
                "product": full_product(ids, name, &helper),
            }));
            seen.push(vers);
        }
        json!({ "category": "product_name", "name": product, "branches": branches })
    }
}

fn full_product(ids: &mut Vec<String>, name: String, helper: &Option<Value>) -> Value {
    let id = format!("CCP-{}", ids.len() + 1);
    let mut product = json!({ "product_id": id, "name": name });
    if let Some(helper) = helper {
        product["product_identification_helper"] = helper.clone();
    }
    ids.push(id);
    product
}

/// The product tree: vendor, then product, then (when not every version) version ranges.
fn products(affected: &[AffectedProduct]) -> Products {
    let mut vendors: Vec<(&str, Vec<Line>)> = Vec::new();
    for item in affected {
        let vendor = clean(&item.vendor).unwrap_or("Unknown vendor");
        let product = clean(&item.product).unwrap_or("Unknown product");
        let v = match vendors.iter().position(|(name, _)| *name == vendor) {
            Some(v) => v,
            None => {
                vendors.push((vendor, Vec::new()));
                vendors.len() - 1
            }
        };
        let lines = &mut vendors[v].1;
        let l = match lines.iter().position(|line| line.product == product) {
            Some(l) => l,
            None => {
                lines.push(Line {
                    product,
                    every_version: false,
                    ranges: Vec::new(),
                    cpe: None,
                    purl: None,
                });
                lines.len() - 1
            }
        };
        lines[l].absorb(item);
    }
    let mut ids = Vec::new();
    let mut branches = Vec::new();
    for (vendor, lines) in &vendors {
        let mut products = Vec::new();
        for line in lines {
            products.push(line.branch(vendor, &mut ids));
        }
        branches.push(json!({ "category": "vendor", "name": vendor, "branches": products }));
    }
    Products {
        tree: (!branches.is_empty()).then(|| json!({ "branches": branches })),
        ids,
    }
}

fn same_single_version<'a>(lower: Option<&'a Bound>, upper: Option<&'a Bound>) -> Option<&'a str> {
    match (lower, upper) {
        (Some(l), Some(u))
            if l.inclusive && u.inclusive && l.version.trim() == u.version.trim() =>
        {
            Some(l.version.trim())
        }
        _ => None,
    }
}

/// A version range as a VERS string (`vers:generic/>=2.0.0|<2.17.1`), which CSAF 2.0
/// recommends for `product_version_range` branches.
fn vers(lower: Option<&Bound>, upper: Option<&Bound>) -> String {
    if let Some(version) = same_single_version(lower, upper) {
        return format!("vers:generic/{}", encode_segment(version));
    }
    let mut constraints = Vec::new();
    if let Some(l) = lower {
        let op = if l.inclusive { ">=" } else { ">" };
        constraints.push(format!("{op}{}", encode_segment(l.version.trim())));
    }
    if let Some(u) = upper {
        let op = if u.inclusive { "<=" } else { "<" };
        constraints.push(format!("{op}{}", encode_segment(u.version.trim())));
    }
    format!("vers:generic/{}", constraints.join("|"))
}

fn describe(lower: Option<&Bound>, upper: Option<&Bound>) -> String {
    if let Some(version) = same_single_version(lower, upper) {
        return format!("version {version}");
    }
    let mut parts = Vec::new();
    if let Some(l) = lower {
        let op = if l.inclusive { ">=" } else { ">" };
        parts.push(format!("{op} {}", l.version.trim()));
    }
    if let Some(u) = upper {
        let op = if u.inclusive { "<=" } else { "<" };
        parts.push(format!("{op} {}", u.version.trim()));
    }
    format!("versions {}", parts.join(" and "))
}

// ---------------------------------------------------------------------------------------
// Vulnerabilities

struct ValidCve<'a> {
    id: String,
    cve: &'a Cve,
}

/// The CVEs with well-formed IDs, each once (mandatory test 6.1.23).
fn cves(all: &[Cve]) -> Vec<ValidCve<'_>> {
    let mut valid: Vec<ValidCve> = Vec::new();
    for cve in all {
        let id = cve.id.trim().to_ascii_uppercase();
        if is_cve_id(&id) && !valid.iter().any(|v| v.id == id) {
            valid.push(ValidCve { id, cve });
        }
    }
    valid
}

fn is_cve_id(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    let (Some("CVE"), Some(year), Some(number)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year
            .bytes()
            .chain(number.bytes())
            .all(|b| b.is_ascii_digit())
}

fn vulnerability(adv: &PublishedAdvisory, cve: &ValidCve, ids: &[String]) -> Value {
    let content = &adv.content;
    let description = clean(&content.summary)
        .or_else(|| clean(&content.title))
        .map_or_else(
            || format!("{} is described in advisory {}.", cve.id, tracking_id(adv)),
            str::to_owned,
        );
    let mut vulnerability = json!({
        "cve": cve.id,
        "notes": [note("description", "Description", &description)],
        "product_status": { "known_affected": ids },
    });
    let mut remediations = Vec::new();
    if let Some(steps) = numbered(&content.remediation) {
        remediations
            .push(json!({ "category": "vendor_fix", "details": steps, "product_ids": ids }));
    }
    if let Some(steps) = numbered(&content.workarounds) {
        remediations
            .push(json!({ "category": "workaround", "details": steps, "product_ids": ids }));
    }
    if !remediations.is_empty() {
        vulnerability["remediations"] = remediations.into();
    }
    if let Some(cvss) = cvss_v3(cve.cve) {
        vulnerability["scores"] = json!([{ "products": ids, "cvss_v3": cvss }]);
    }
    if let Some(threat) = threat(adv) {
        vulnerability["threats"] =
            json!([{ "category": "exploit_status", "details": threat, "product_ids": ids }]);
    }
    vulnerability
}

fn cvss_v3(cve: &Cve) -> Option<Value> {
    let vector = cve.cvss_vector.as_deref()?.trim();
    let version = cvss::version(vector)?;
    // The score is worked out from the vector rather than taken from storage: CSAF rejects a
    // score that its vector does not give (mandatory test 6.1.9).
    let score = cvss::base_score(vector).ok()?;
    Some(json!({
        "version": version,
        "vectorString": vector,
        "baseScore": score,
        "baseSeverity": cvss::rating(score),
    }))
}

// ---------------------------------------------------------------------------------------
// Syntax checks for identifiers and links, as strict as the CSAF schema or stricter

const UNRESERVED_MARKS: &[u8] = b"-._~";
const SUB_DELIMS: &[u8] = b"!$&'()*+,;=";

/// True if every byte is an unreserved or sub-delimiter character, one of `extra`, or part of
/// a well-formed percent escape.
fn uri_chars(text: &str, extra: &[u8]) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else if c.is_ascii_alphanumeric()
            || UNRESERVED_MARKS.contains(&c)
            || SUB_DELIMS.contains(&c)
            || extra.contains(&c)
        {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// An absolute URI as RFC 3986 (and the schema's `uri` format) allows, except that IP
/// literals in brackets are refused.
fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let s = scheme.as_bytes();
    if s.first().is_none_or(|c| !c.is_ascii_alphabetic())
        || !s
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (hier, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !uri_chars(fragment, b":@/?") || !uri_chars(query, b":@/?") {
        return false;
    }
    match hier.strip_prefix("//") {
        Some(after) => {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            authority_ok(authority) && uri_chars(path, b":@/")
        }
        None => !hier.is_empty() && uri_chars(hier, b":@/"),
    }
}

fn authority_ok(authority: &str) -> bool {
    let host_port = match authority.rsplit_once('@') {
        Some((user, host_port)) => {
            if !uri_chars(user, b":") {
                return false;
            }
            host_port
        }
        None => authority,
    };
    let (host, port) = host_port.rsplit_once(':').unwrap_or((host_port, ""));
    port.bytes().all(|b| b.is_ascii_digit()) && uri_chars(host, b"")
}

/// An analyst's link as an http(s) URI: characters a URI cannot hold (spaces, non-ASCII
/// letters, a stray `%`…) are percent-encoded after the host; anything else malformed gives
/// `None`.
fn web_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (scheme, rest) = raw.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if authority.is_empty() {
        return None;
    }
    let mut url = format!("{scheme}://{authority}");
    let bytes = tail.as_bytes();
    let mut in_fragment = false;
    for (i, &b) in bytes.iter().enumerate() {
        let escape_start = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let first_hash = b == b'#' && !in_fragment;
        let allowed = b.is_ascii_alphanumeric()
            || UNRESERVED_MARKS.contains(&b)
            || SUB_DELIMS.contains(&b)
            || b":@/?".contains(&b);
        if allowed || escape_start || first_hash {
            in_fragment |= first_hash;
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    is_uri(&url).then_some(url)
}

const CPE_ESCAPABLE: &[u8] = b"\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~";

/// A CPE 2.3 formatted string or CPE 2.2 URI, as the CSAF schema's pattern allows.
fn is_cpe(text: &str) -> bool {
    is_cpe23(text) || is_cpe22(text)
}

fn is_cpe23(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("cpe:2.3:") else {
        return false;
    };
    // Components are separated by colons that are not escaped with a backslash.
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b':' => {
                parts.push(&bytes[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    parts.push(bytes.get(start..).unwrap_or_default());
    parts.len() == 11
        && matches!(parts[0], b"a" | b"h" | b"o" | b"*" | b"-")
        && parts[1..6].iter().all(|p| cpe_component(p))
        && cpe_language(parts[6])
        && parts[7..].iter().all(|p| cpe_component(p))
}

fn cpe_component(part: &[u8]) -> bool {
    if part == b"*" || part == b"-" {
        return true;
    }
    let mut i = 0;
    if part.first() == Some(&b'*') {
        i = 1;
    } else {
        while part.get(i) == Some(&b'?') {
            i += 1;
        }
    }
    let body_start = i;
    while let Some(&c) = part.get(i) {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_') {
            i += 1;
        } else if c == b'\\' && part.get(i + 1).is_some_and(|e| CPE_ESCAPABLE.contains(e)) {
            i += 2;
        } else {
            break;
        }
    }
    let tail = &part[i..];
    i > body_start && (tail == b"*" || tail.iter().all(|&c| c == b'?'))
}

fn cpe_language(part: &[u8]) -> bool {
    if part == b"*" || part == b"-" {
        return true;
    }
    let (language, region) = match part.iter().position(|&c| c == b'-') {
        Some(dash) => (&part[..dash], Some(&part[dash + 1..])),
        None => (part, None),
    };
    (2..=3).contains(&language.len())
        && language.iter().all(u8::is_ascii_alphabetic)
        && region.is_none_or(|r| {
            (r.len() == 2 && r.iter().all(u8::is_ascii_alphabetic))
                || (r.len() == 3 && r.iter().all(u8::is_ascii_digit))
        })
}

fn is_cpe22(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 5
        || b[0] != b'c'
        || !b[1].eq_ignore_ascii_case(&b'p')
        || !b[2].eq_ignore_ascii_case(&b'e')
        || &b[3..5] != b":/"
    {
        return false;
    }
    let mut rest = &b[5..];
    if rest.first().is_some_and(|c| b"AHOaho".contains(c)) {
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return true;
    }
    let Some(fields) = rest.strip_prefix(b":") else {
        return false;
    };
    let fields: Vec<&[u8]> = fields.split(|&c| c == b':').collect();
    fields.len() <= 6
        && fields.iter().all(|f| {
            f.iter()
                .all(|&c| c.is_ascii_alphanumeric() || b"._-~%".contains(&c))
        })
}

/// A package URL (`pkg:type/namespace/name@version?qualifiers#subpath`) that the CSAF schema
/// and common purl parsers (mandatory test 6.1.13) accept, including their rules for
/// particular package types.
fn is_purl(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("pkg:") else {
        return false;
    };
    if !is_uri(text) || percent_decode(text).is_none() {
        return false;
    }
    let rest = rest.split_once('#').map_or(rest, |(rest, _)| rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let Some((kind, remainder)) = path.split_once('/') else {
        return false;
    };
    let type_ok = kind.bytes().next().is_some_and(|c| !c.is_ascii_digit())
        && kind
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'));
    // A leading `@` is part of the name (npm scopes), not the start of a version.
    let (before_version, version) = match remainder.rfind('@') {
        Some(at) if at > 0 && remainder.as_bytes()[at - 1] != b'/' => {
            (&remainder[..at], Some(&remainder[at + 1..]))
        }
        _ => (remainder, None),
    };
    let (namespace, name) = match before_version.rsplit_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, before_version),
    };
    let qualifiers: Vec<(&str, &str)> = query
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| q.split_once('=').unwrap_or((q, "")))
        .collect();
    // Parsers decode qualifier values twice, so an encoded `%` could make the second fail.
    let qualifiers_ok = qualifiers.iter().all(|(key, value)| {
        key.bytes().next().is_some_and(|c| !c.is_ascii_digit())
            && key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            && !value.contains("%25")
    });
    let (Some(namespace), Some(name), Some(version)) = (
        namespace.map(percent_decode).unwrap_or(Some(String::new())),
        percent_decode(name),
        version.map(percent_decode).unwrap_or(Some(String::new())),
    ) else {
        return false;
    };
    let type_rules_ok = match kind.to_ascii_lowercase().as_str() {
        "maven" => !namespace.is_empty(),
        "swift" => !namespace.is_empty() && !version.is_empty(),
        "cran" => !version.is_empty(),
        "mlflow" | "oci" => namespace.is_empty(),
        "conan" if namespace.is_empty() => !qualifiers.iter().any(|(key, _)| *key == "channel"),
        "conan" => !qualifiers.is_empty(),
        "golang" => version.strip_prefix('v').is_none_or(is_plain_semver),
        "pub" => name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'),
        _ => true,
    };
    type_ok
        && !remainder.starts_with('/')
        && !before_version.ends_with('/')
        && !name.is_empty()
        && qualifiers_ok
        && type_rules_ok
}

/// `MAJOR.MINOR.PATCH` without leading zeros: the part of semantic versioning that purl
/// parsers check Go versions against (pre-release and build suffixes are refused here).
fn is_plain_semver(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (*p == "0" || !p.starts_with('0'))
        })
}

/// The text with its percent escapes decoded, if that gives valid UTF-8 (purl parsers
/// reject the rest).
fn percent_decode(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
pub(super) mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::alerts::model::{
        AdvisoryContent, Audience, Reference, RevisionNote, Severity, VersionRange,
    };

    const PROVIDER: Provider = Provider {
        name: "CareCERT",
        namespace: "https://carecert.example",
        contact: "cyber@carecert.example",
        base_url: "https://carecert.example",
    };

    fn bound(version: &str, inclusive: bool) -> Option<Bound> {
        Some(Bound {
            version: version.into(),
            inclusive,
        })
    }

    fn cve(id: &str, vector: Option<&str>, score: Option<f64>) -> Cve {
        Cve {
            id: id.into(),
            cvss_vector: vector.map(Into::into),
            cvss_score: score,
        }
    }

    /// A published TLP:CLEAR advisory about two Apache products, with the given CVEs.
    pub(in crate::alerts) fn advisory(reference: &str, cves: Vec<Cve>) -> PublishedAdvisory {
        PublishedAdvisory {
            id: Uuid::new_v4(),
            reference: reference.into(),
            content: AdvisoryContent {
                title: "Remote code execution in Log4j".into(),
                severity: Severity::Critical,
                severity_reason: "Attackers need no account.".into(),
                tlp: Tlp::Clear,
                summary: "Logging a crafted string runs the attacker's code.".into(),
                actively_exploited: true,
                in_kev: false,
                affected: vec![
                    AffectedProduct {
                        vendor: "Apache".into(),
                        product: "Log4j".into(),
                        versions: vec![VersionRange {
                            lower: bound("2.0.0", true),
                            upper: bound("2.17.1", false),
                        }],
                        cpe: Some("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".into()),
                        purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core".into()),
                    },
                    AffectedProduct {
                        vendor: "Apache".into(),
                        product: "Solr".into(),
                        versions: vec![],
                        cpe: None,
                        purl: None,
                    },
                ],
                cves,
                remediation: vec!["Upgrade to 2.17.1.".into(), "Restart.".into()],
                workarounds: vec!["Remove the JndiLookup class.".into()],
                references: vec![Reference {
                    url: "https://logging.apache.org/security.html".into(),
                    title: "Apache advice".into(),
                }],
                audience: Audience::All,
                ack_required: true,
                ack_hours: Some(48),
            },
            revisions: vec![
                RevisionNote {
                    number: 1,
                    date: datetime!(2026-01-10 08:30 UTC),
                    summary: "First issue.".into(),
                },
                RevisionNote {
                    number: 2,
                    date: datetime!(2026-01-12 09:00 UTC),
                    summary: "Added a CVE.".into(),
                },
            ],
            initial_release: datetime!(2026-01-10 08:30 UTC),
            current_release: datetime!(2026-01-12 09:00 UTC),
            withdrawn_reason: None,
        }
    }

    fn log4j() -> PublishedAdvisory {
        advisory(
            "CC-2026-0042",
            vec![
                cve(
                    "CVE-2021-44228",
                    Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
                    Some(10.0),
                ),
                cve(
                    "cve-2021-45046",
                    Some("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H"),
                    Some(9.0),
                ),
            ],
        )
    }

    /// Every string in the document, with its JSON pointer.
    fn strings(value: &Value, at: String, out: &mut Vec<(String, String)>) {
        match value {
            Value::String(s) => out.push((at, s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    strings(item, format!("{at}/{i}"), out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    strings(item, format!("{at}/{key}"), out);
                }
            }
            _ => {}
        }
    }

    /// Product IDs defined in the tree, and those referred to anywhere else.
    fn product_ids(doc: &Value) -> (Vec<String>, Vec<String>) {
        let mut all = Vec::new();
        strings(doc, String::new(), &mut all);
        let mut defined = Vec::new();
        let mut used = Vec::new();
        for (at, value) in all {
            if at.ends_with("/product_id") {
                defined.push(value);
            } else if ["/known_affected/", "/product_ids/", "/products/"]
                .iter()
                .any(|list| at.contains(list))
            {
                used.push(value);
            }
        }
        (defined, used)
    }

    #[test]
    fn filenames_follow_section_5_1() {
        assert_eq!(filename("CC-2026-0042"), "cc-2026-0042.json");
        assert_eq!(
            filename("Example Company - 2019-YH3234"),
            "example_company_-_2019-yh3234.json"
        );
        assert_eq!(filename("RHBA-2019:0024"), "rhba-2019_0024.json");
        assert_eq!(filename("a+b..c//d"), "a+b_c_d.json");
        assert_eq!(filename("Ünïcode ✓ id"), "_n_code_id.json");
        assert_eq!(filename("../../etc/passwd"), "_etc_passwd.json");
        assert_eq!(filename(""), ".json");
    }

    #[test]
    fn tlp_2_labels_map_to_csaf_2_0_labels() {
        let labels: Vec<&str> = Tlp::ALL.into_iter().map(tlp_label).collect();
        assert_eq!(labels, ["WHITE", "GREEN", "AMBER", "AMBER", "RED"]);
    }

    #[test]
    fn documents_live_under_their_tlp_label_and_release_year_in_utc() {
        let mut adv = log4j();
        assert_eq!(
            document_url("https://carecert.example/", &adv),
            "https://carecert.example/.well-known/csaf/white/2026/cc-2026-0042.json"
        );
        adv.content.tlp = Tlp::AmberStrict;
        adv.initial_release = datetime!(2025-12-31 23:30 -01:00);
        assert_eq!(
            document_url("https://carecert.example", &adv),
            "https://carecert.example/.well-known/csaf/amber/2026/cc-2026-0042.json"
        );
    }

    #[test]
    fn an_advisory_with_cves_and_products_is_a_security_advisory() {
        let doc = document(&log4j(), &PROVIDER);
        let d = &doc["document"];
        assert_eq!(d["category"], "csaf_security_advisory");
        assert_eq!(d["csaf_version"], "2.0");
        assert_eq!(d["lang"], "en-GB");
        assert_eq!(d["title"], "CC-2026-0042: Remote code execution in Log4j");
        assert_eq!(d["publisher"]["category"], "coordinator");
        assert_eq!(d["distribution"]["tlp"]["label"], "WHITE");
        assert_eq!(d["aggregate_severity"]["text"], "Critical");
        assert_eq!(d["tracking"]["id"], "CC-2026-0042");
        assert_eq!(d["tracking"]["version"], "2");
        assert_eq!(
            d["tracking"]["current_release_date"],
            "2026-01-12T09:00:00Z"
        );
        let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
        let ids: Vec<&Value> = vulns.iter().map(|v| &v["cve"]).collect();
        assert_eq!(ids, ["CVE-2021-44228", "CVE-2021-45046"]);
        let first = &vulns[0];
        assert_eq!(
            first["product_status"]["known_affected"],
            json!(["CCP-1", "CCP-2"])
        );
        assert_eq!(first["remediations"][0]["category"], "vendor_fix");
        assert_eq!(
            first["remediations"][0]["details"],
            "1. Upgrade to 2.17.1.\n2. Restart."
        );
        assert_eq!(first["remediations"][1]["category"], "workaround");
        assert_eq!(first["threats"][0]["category"], "exploit_status");
        assert!(
            first["notes"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains("crafted string"))
        );
        let self_links: Vec<&Value> = d["references"]
            .as_array()
            .expect("references")
            .iter()
            .filter(|r| r["category"] == "self")
            .map(|r| &r["url"])
            .collect();
        assert_eq!(
            self_links,
            [
                "https://carecert.example/alerts/CC-2026-0042",
                "https://carecert.example/.well-known/csaf/white/2026/cc-2026-0042.json"
            ]
        );
    }

    #[test]
    fn without_cves_or_products_it_is_informational_and_has_no_vulnerabilities() {
        let mut no_cves = log4j();
        no_cves.content.cves.clear();
        no_cves.content.references.clear();
        let doc = document(&no_cves, &PROVIDER);
        assert_eq!(doc["document"]["category"], "csaf_informational_advisory");
        assert!(doc.get("vulnerabilities").is_none());
        let notes = &doc["document"]["notes"];
        let titles: Vec<&Value> = notes
            .as_array()
            .expect("notes")
            .iter()
            .map(|n| &n["title"])
            .collect();
        assert_eq!(
            titles,
            ["Summary", "Severity", "Threat", "What to do", "Workarounds"]
        );
        let externals = doc["document"]["references"]
            .as_array()
            .expect("references")
            .iter()
            .filter(|r| r["category"] == "external")
            .count();
        assert_eq!(
            externals, 1,
            "the TLP definition keeps test 6.1.27.2 satisfied"
        );

        let mut no_products = log4j();
        no_products.content.affected.clear();
        let doc = document(&no_products, &PROVIDER);
        assert_eq!(doc["document"]["category"], "csaf_informational_advisory");
        assert!(doc.get("vulnerabilities").is_none());
        assert!(doc.get("product_tree").is_none());
        assert!(
            doc.to_string()
                .contains("This advisory concerns CVE-2021-44228, CVE-2021-45046.")
        );
    }

    #[test]
    fn products_become_a_tree_with_vers_ranges_and_unique_defined_ids() {
        let mut adv = log4j();
        adv.content.affected.push(AffectedProduct {
            vendor: "Apache".into(),
            product: "Log4j".into(),
            versions: vec![
                VersionRange {
                    lower: None,
                    upper: bound("1.2.17", true),
                },
                VersionRange {
                    lower: bound("2.3.2", true),
                    upper: bound("2.3.2", true),
                },
                VersionRange {
                    lower: bound("2.0.0", true),
                    upper: bound("2.17.1", false),
                },
                VersionRange {
                    lower: bound("3|4", false),
                    upper: None,
                },
            ],
            cpe: None,
            purl: None,
        });
        let doc = document(&adv, &PROVIDER);
        let apache = &doc["product_tree"]["branches"][0];
        assert_eq!(apache["category"], "vendor");
        let log4j = &apache["branches"][0];
        let ranges: Vec<&Value> = log4j["branches"]
            .as_array()
            .expect("ranges")
            .iter()
            .map(|b| &b["name"])
            .collect();
        assert_eq!(
            ranges,
            [
                "vers:generic/>=2.0.0|<2.17.1",
                "vers:generic/<=1.2.17",
                "vers:generic/2.3.2",
                "vers:generic/>3%7C4"
            ]
        );
        assert_eq!(
            log4j["branches"][0]["product"]["name"],
            "Apache Log4j versions >= 2.0.0 and < 2.17.1"
        );
        assert_eq!(
            log4j["branches"][2]["product"]["name"],
            "Apache Log4j version 2.3.2"
        );
        let solr = &apache["branches"][1];
        assert_eq!(solr["product"]["name"], "Apache Solr, every version");
        let (defined, used) = product_ids(&doc);
        assert_eq!(defined, ["CCP-1", "CCP-2", "CCP-3", "CCP-4", "CCP-5"]);
        assert!(used.iter().all(|id| defined.contains(id)));
        assert!(!used.is_empty());
    }

    #[test]
    fn a_range_without_bounds_means_every_version() {
        let mut adv = log4j();
        adv.content.affected[0].versions.push(VersionRange {
            lower: bound("  ", true),
            upper: None,
        });
        let doc = document(&adv, &PROVIDER);
        let log4j = &doc["product_tree"]["branches"][0]["branches"][0];
        assert_eq!(log4j["product"]["name"], "Apache Log4j, every version");
        assert!(log4j.get("branches").is_none());
    }

    #[test]
    fn only_well_formed_cpes_are_kept() {
        for good in [
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:x64:*",
            "cpe:2.3:a:vendor:prod\\:uct:1.0:-:*:en-gb:*:*:*:*",
            "cpe:2.3:a:*foo?:bar??:*:*:*:*:*:*:*:*",
            "cpe:/a:apache:solr:8.0",
            "cpe:/o",
        ] {
            assert!(is_cpe(good), "{good} should be accepted");
        }
        for bad in [
            "",
            "not a cpe",
            "cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:ap ache:log4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:lo*g4j:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:english:*:*:*:*",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:\\",
            "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:é",
            "cpe:/a:apache:solr:8.0:a:b:c:d",
            "cpe:/a:apache solr",
        ] {
            assert!(!is_cpe(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn only_well_formed_package_urls_are_kept() {
        for good in [
            "pkg:maven/org.apache.logging.log4j/log4j-core",
            "pkg:npm/%40angular/core@16.0.0",
            "pkg:npm/@angular/core",
            "pkg:pypi/django?arch=x86_64#sub/path",
            "pkg:generic/openssl@3.0.7",
            "pkg:golang/github.com/gorilla/context@v1.1.1",
            "pkg:conan/openssl@3.0.3",
            "pkg:conan/bincrafters/openssl@1.1.1?channel=stable",
            "pkg:pub/http_parser",
        ] {
            assert!(is_purl(good), "{good} should be accepted");
        }
        for bad in [
            "",
            "pkg:",
            "pkg:maven",
            "pkg:maven/log4j-core",
            "pkg:1npm/left-pad",
            "pkg:npm/",
            "pkg://npm/left-pad",
            "pkg:npm/left pad",
            "pkg:npm/left-pad?1key=x",
            "pkg:npm/%FF%FE",
            "pkg:npm/%zz",
            "pkg:oci/ns/image",
            "pkg:npm/x?a=%25zz",
            "pkg:golang/github.com/x/y@vbad",
            "pkg:golang/github.com/x/y@v01.2.3",
            "pkg:conan/bincrafters/openssl",
            "pkg:conan/openssl?channel=stable",
            "pkg:pub/Bad.Name",
            "https://example.org/x",
        ] {
            assert!(!is_purl(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn cvss_scores_carry_the_vector_version_and_severity_band() {
        let doc = document(&log4j(), &PROVIDER);
        let first = &doc["vulnerabilities"][0]["scores"][0];
        assert_eq!(first["cvss_v3"]["version"], "3.1");
        assert_eq!(first["cvss_v3"]["baseScore"], json!(10.0));
        assert_eq!(first["cvss_v3"]["baseSeverity"], "CRITICAL");
        assert_eq!(first["products"], json!(["CCP-1", "CCP-2"]));
        let second = &doc["vulnerabilities"][1]["scores"][0]["cvss_v3"];
        assert_eq!(second["version"], "3.0");
        assert_eq!(second["baseScore"], json!(9.0));
    }

    #[test]
    fn the_score_comes_from_the_vector_and_malformed_vectors_leave_it_out() {
        let vector = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N";
        let scored = |score| cvss_v3(&cve("CVE-2024-0001", Some(vector), score));
        for stored in [Some(9.8), None, Some(f64::NAN)] {
            let cvss = scored(stored).expect("a score");
            assert_eq!(cvss["baseScore"], json!(5.5), "stored {stored:?}");
            assert_eq!(cvss["baseSeverity"], "MEDIUM");
        }
        for bad in [
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "",
        ] {
            assert_eq!(
                cvss_v3(&cve("CVE-2024-0001", Some(bad), Some(9.8))),
                None,
                "{bad}"
            );
        }
        assert_eq!(cvss_v3(&cve("CVE-2024-0001", None, Some(9.8))), None);
    }

    #[test]
    fn malformed_and_repeated_cve_ids_are_dropped() {
        let adv = advisory(
            "CC-1",
            vec![
                cve(" cve-2021-44228 ", None, None),
                cve("CVE-2021-44228", None, None),
                cve("CVE-21-1", None, None),
                cve("CVE-2021-123", None, None),
                cve("CVE-2021-12345-1", None, None),
                cve("CVE-2021-1234", None, None),
            ],
        );
        let doc = document(&adv, &PROVIDER);
        let ids: Vec<&Value> = doc["vulnerabilities"]
            .as_array()
            .expect("vulnerabilities")
            .iter()
            .map(|v| &v["cve"])
            .collect();
        assert_eq!(ids, ["CVE-2021-44228", "CVE-2021-1234"]);
    }

    #[test]
    fn revisions_are_numbered_in_date_order_without_gaps() {
        let mut adv = log4j();
        adv.revisions = vec![
            RevisionNote {
                number: 7,
                date: datetime!(2026-01-12 09:00 UTC),
                summary: "Later.".into(),
            },
            RevisionNote {
                number: 7,
                date: datetime!(2026-01-10 08:30 UTC),
                summary: "  ".into(),
            },
            RevisionNote {
                number: 1,
                date: datetime!(2026-01-20 10:00 +02:00),
                summary: "Latest.".into(),
            },
        ];
        let doc = document(&adv, &PROVIDER);
        let tracking = &doc["document"]["tracking"];
        assert_eq!(
            tracking["revision_history"],
            json!([
                { "number": "1", "date": "2026-01-10T08:30:00Z", "summary": "Revised." },
                { "number": "2", "date": "2026-01-12T09:00:00Z", "summary": "Later." },
                { "number": "3", "date": "2026-01-20T08:00:00Z", "summary": "Latest." },
            ])
        );
        assert_eq!(tracking["version"], "3");
        assert_eq!(tracking["current_release_date"], "2026-01-20T08:00:00Z");

        adv.revisions.clear();
        let doc = document(&adv, &PROVIDER);
        let tracking = &doc["document"]["tracking"];
        assert_eq!(tracking["version"], "1");
        assert_eq!(
            tracking["revision_history"][0]["date"],
            "2026-01-10T08:30:00Z"
        );
    }

    #[test]
    fn a_withdrawn_advisory_says_so_in_a_new_revision_and_a_note() {
        let mut adv = log4j();
        adv.withdrawn_reason = Some("Issued in error.".into());
        adv.current_release = datetime!(2026-01-15 12:00 UTC);
        let doc = document(&adv, &PROVIDER);
        let tracking = &doc["document"]["tracking"];
        assert_eq!(tracking["status"], "final");
        assert_eq!(tracking["version"], "3");
        assert_eq!(
            tracking["revision_history"][2],
            json!({
                "number": "3",
                "date": "2026-01-15T12:00:00Z",
                "summary": "Withdrawn: Issued in error.",
            })
        );
        assert_eq!(
            doc["document"]["notes"][0],
            json!({
                "category": "general",
                "title": "Withdrawn",
                "text": "This advisory has been withdrawn. Reason: Issued in error.",
            })
        );

        // Storage may already have recorded the withdrawal as a revision.
        adv.revisions.push(RevisionNote {
            number: 3,
            date: datetime!(2026-01-15 12:00 UTC),
            summary: "Withdrawn: issued in error".into(),
        });
        let doc = document(&adv, &PROVIDER);
        assert_eq!(doc["document"]["tracking"]["version"], "3");
    }

    #[test]
    fn amber_strict_is_labelled_amber_with_the_restriction_spelled_out() {
        let mut adv = log4j();
        adv.content.tlp = Tlp::AmberStrict;
        let doc = document(&adv, &PROVIDER);
        let distribution = &doc["document"]["distribution"];
        assert_eq!(distribution["tlp"]["label"], "AMBER");
        assert_eq!(distribution["tlp"]["url"], TLP_DEFINITION_URL);
        let text = distribution["text"].as_str().unwrap_or_default();
        assert!(text.starts_with("TLP:AMBER+STRICT"));
        assert!(text.contains("only within the recipient organisation"));
    }

    #[test]
    fn hostile_text_never_yields_blank_or_malformed_fields() {
        let mut adv = advisory(
            "\u{feff} CC-2026\n0042 \u{2028}",
            vec![cve("CVE-2024-0001", Some("garbage"), Some(5.0))],
        );
        let content = &mut adv.content;
        content.title = " \t".into();
        content.summary = String::new();
        content.severity_reason = "\n".into();
        content.remediation = vec![" ".into()];
        content.workarounds = vec![String::new()];
        content.affected.push(AffectedProduct {
            vendor: " ".into(),
            product: String::new(),
            versions: vec![VersionRange {
                lower: bound("", true),
                upper: bound(" ", false),
            }],
            cpe: Some("cpe:2.3:a".into()),
            purl: Some("pkg:npm/%zz".into()),
        });
        content.references = vec![
            Reference {
                url: "javascript:alert(1)".into(),
                title: "x".into(),
            },
            Reference {
                url: "https://".into(),
                title: "x".into(),
            },
            Reference {
                url: "https://[::1/".into(),
                title: "x".into(),
            },
            Reference {
                url: " https://example.org/a b/ü?q=<x>#a#b ".into(),
                title: " ".into(),
            },
        ];
        adv.revisions = vec![RevisionNote {
            number: 1,
            date: adv.initial_release,
            summary: String::new(),
        }];
        let doc = document(&adv, &PROVIDER);

        let mut all = Vec::new();
        strings(&doc, String::new(), &mut all);
        for (at, value) in &all {
            assert!(!value.trim().is_empty(), "{at} is blank");
        }
        let d = &doc["document"];
        assert_eq!(d["tracking"]["id"], "CC-2026 0042");
        assert_eq!(d["title"], "CC-2026 0042");
        assert!(doc["vulnerabilities"][0].get("scores").is_none());
        assert!(doc["vulnerabilities"][0].get("remediations").is_none());
        let urls: Vec<&Value> = d["references"]
            .as_array()
            .expect("references")
            .iter()
            .map(|r| &r["url"])
            .collect();
        assert_eq!(
            urls,
            [
                "https://carecert.example/alerts/%EF%BB%BF%20CC-2026%0A0042",
                "https://carecert.example/.well-known/csaf/white/2026/cc-2026_0042.json",
                "https://example.org/a%20b/%C3%BC?q=%3Cx%3E#a%23b",
                TLP_DEFINITION_URL,
            ]
        );
        let unknown = &doc["product_tree"]["branches"][1];
        assert_eq!(unknown["name"], "Unknown vendor");
        assert_eq!(
            unknown["branches"][0]["product"]["name"],
            "Unknown vendor Unknown product, every version"
        );
        assert!(
            unknown["branches"][0]["product"]
                .get("product_identification_helper")
                .is_none()
        );
    }

    #[test]
    fn an_advisory_without_a_reference_is_tracked_by_its_uuid() {
        let adv = advisory(" \n ", vec![]);
        assert_eq!(tracking_id(&adv), adv.id.to_string());
        assert_eq!(
            document(&adv, &PROVIDER)["document"]["title"],
            format!("{}: Remote code execution in Log4j", adv.id)
        );
    }

    #[test]
    fn dates_outside_four_digit_years_are_clamped_not_fatal() {
        assert_eq!(
            rfc3339(datetime!(2026-03-01 12:00:30.5 +01:00)),
            "2026-03-01T11:00:30.5Z"
        );
        assert_eq!(
            rfc3339(datetime!(-0001-06-01 00:00 UTC)),
            "0000-01-01T00:00:00Z"
        );
        let far = datetime!(9999-12-31 23:59 -02:00);
        assert_eq!(rfc3339(far), "9999-12-31T23:59:59Z");
        let mut adv = log4j();
        adv.initial_release = far;
        assert!(document_url("https://c.example", &adv).contains("/white/9999/"));
    }

    #[test]
    fn uris_are_checked_like_the_schema_checks_them() {
        for good in [
            "https://carecert.example/alerts/CC-1",
            "http://user:pw@127.0.0.1:8080/a/b?c=d&e#f",
            "urn:carecert:advisory:CC-1",
            "pkg:npm/%40scope/name",
            "mailto:cyber@carecert.example",
        ] {
            assert!(is_uri(good), "{good} should be accepted");
        }
        for bad in [
            "",
            "no-scheme",
            "1http://x",
            "https://exa mple.org",
            "https://example.org:80a/",
            "https://example.org/%zz",
            "https://example.org/a#b#c",
            "https://example.org/ü",
            "https://[::1]/",
            "x:",
        ] {
            assert!(!is_uri(bad), "{bad} should be refused");
        }
    }
}
