//! Deciding whether an item in an organisation's software inventory is one of the products an
//! advisory affects: by package URL, by CPE name, or by vendor and product name, and then by
//! version. Also the keys storage indexes so a database can pre-select candidate items.

use serde::{Deserialize, Serialize};

use crate::alerts::model::{AffectedProduct, InventoryItem};

use super::versions;

/// Longest identifier accepted; real CPE names and package URLs are well under this.
const MAX_IDENTIFIER_CHARS: usize = 1000;

/// Words dropped from names because companies are written with and without them.
const CORPORATE_WORDS: [&str; 10] = [
    "inc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "llc",
    "plc",
    "gmbh",
    "co",
    "the",
];

/// Package types whose namespace and name the package URL specification declares not case
/// sensitive. Others (Maven, Cargo, NuGet, gems and the rest) are compared exactly.
const CASE_INSENSITIVE_TYPES: [&str; 11] = [
    "alpm",
    "apk",
    "bitbucket",
    "composer",
    "deb",
    "github",
    "golang",
    "hex",
    "luarocks",
    "npm",
    "pypi",
];

/// Why a product identifier could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    #[error("The identifier is longer than {MAX_IDENTIFIER_CHARS} characters.")]
    TooLong,
    #[error("'{input}' is not a CPE name: it should start with 'cpe:2.3:' or 'cpe:/'.")]
    NotCpe { input: String },
    #[error(
        "'{input}' is not a complete CPE 2.3 name: it has {found} parts separated by colons \
         where 13 are needed, like 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'."
    )]
    CpeParts { input: String, found: usize },
    #[error(
        "In '{input}', the part after the CPE version must be 'a' (application), \
         'o' (operating system) or 'h' (hardware)."
    )]
    CpePart { input: String },
    #[error("'{input}' does not name a vendor and a product.")]
    CpeNames { input: String },
    #[error(
        "'{input}' contains a character that is not allowed in an identifier, or a stray '\\'."
    )]
    BadCharacter { input: String },
    #[error("'{input}' is not a package URL: it should start with 'pkg:', like 'pkg:npm/lodash'.")]
    NotPurl { input: String },
    #[error("'{input}' does not give a valid package type, like 'maven' or 'npm', after 'pkg:'.")]
    PurlType { input: String },
    #[error("'{input}' does not give a package name.")]
    PurlName { input: String },
    #[error("'{input}' has a '%' that is not followed by two hexadecimal digits of valid text.")]
    BadPercent { input: String },
}

/// Lowercases, turns punctuation, underscores and runs of spaces into single spaces, and
/// drops corporate suffixes, so "Microsoft Corporation" and "microsoft" compare equal. A
/// name made only of such words ("The Co") is kept whole rather than emptied.
pub fn normalise(name: &str) -> String {
    let lower = name.to_lowercase();
    let spaced: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !CORPORATE_WORDS.contains(w))
        .collect();
    if kept.is_empty() {
        words.join(" ")
    } else {
        kept.join(" ")
    }
}

/// The parts of a CPE name that identify a product. Vendor and product are lowercase with
/// escapes removed; a version of `*` (any) or `-` (not applicable) is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    pub part: String,
    pub vendor: String,
    pub product: String,
    pub version: Option<String>,
}

fn check_identifier(s: &str) -> Result<&str, MatchError> {
    let input = s.trim();
    if input.chars().count() > MAX_IDENTIFIER_CHARS {
        return Err(MatchError::TooLong);
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(MatchError::BadCharacter {
            input: input.to_string(),
        });
    }
    Ok(input)
}

/// Splits a CPE 2.3 formatted string on the colons that are not escaped with `\`, removing
/// the escapes.
fn split_formatted(input: &str) -> Result<Vec<String>, MatchError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => current.push(escaped),
                None => {
                    return Err(MatchError::BadCharacter {
                        input: input.to_string(),
                    });
                }
            },
            ':' => parts.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    parts.push(current);
    Ok(parts)
}

fn percent_decode(input: &str, text: &str) -> Result<String, MatchError> {
    let bad = || MatchError::BadPercent {
        input: input.to_string(),
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

fn cpe_version(value: &str) -> Option<String> {
    match value {
        "" | "*" | "-" => None,
        v => Some(v.to_string()),
    }
}

fn build_cpe(input: &str, parts: &[String]) -> Result<Cpe, MatchError> {
    let field = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
    let part = field(0).to_lowercase();
    if !matches!(part.as_str(), "a" | "o" | "h") {
        return Err(MatchError::CpePart {
            input: input.to_string(),
        });
    }
    let (vendor, product) = (field(1).to_lowercase(), field(2).to_lowercase());
    let specific = |v: &str| !matches!(v, "" | "*" | "-");
    if !specific(&vendor) || !specific(&product) {
        return Err(MatchError::CpeNames {
            input: input.to_string(),
        });
    }
    Ok(Cpe {
        part,
        vendor,
        product,
        version: cpe_version(field(3)),
    })
}

/// Reads a CPE 2.3 formatted string (`cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*`, all 13
/// parts) or the older URI form (`cpe:/a:apache:log4j:2.14.1`).
pub fn parse_cpe(s: &str) -> Result<Cpe, MatchError> {
    let input = check_identifier(s)?;
    let lower = input.to_lowercase();
    if lower.starts_with("cpe:2.3:") {
        let parts = split_formatted(input)?;
        if parts.len() != 13 {
            return Err(MatchError::CpeParts {
                input: input.to_string(),
                found: parts.len(),
            });
        }
        build_cpe(input, &parts[2..])
    } else if let Some(rest) = input.get(5..).filter(|_| lower.starts_with("cpe:/")) {
        let parts = rest
            .split(':')
            .map(|p| percent_decode(input, p))
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() > 7 {
            return Err(MatchError::CpeParts {
                input: input.to_string(),
                found: parts.len(),
            });
        }
        build_cpe(input, &parts)
    } else {
        Err(MatchError::NotCpe {
            input: input.to_string(),
        })
    }
}

/// The normalised vendor and product of a CPE name, as compared with inventory names.
pub fn cpe_key(c: &Cpe) -> (String, String) {
    (normalise(&c.vendor), normalise(&c.product))
}

/// The parts of a package URL that identify a package. Qualifiers and subpath are read past
/// but not kept: they do not change which package it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub ptype: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

fn valid_type(t: &str) -> bool {
    t.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
        && t.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// Reads a package URL, `pkg:type/namespace/name@version?qualifiers#subpath`, decoding
/// percent escapes. An unescaped `@` inside the path (`pkg:npm/@angular/core`) is taken as
/// part of the namespace, as people commonly write it that way.
pub fn parse_purl(s: &str) -> Result<Purl, MatchError> {
    let input = check_identifier(s)?;
    let without_subpath = input.split('#').next().unwrap_or("");
    let without_qualifiers = without_subpath.split('?').next().unwrap_or("");
    let rest = match without_qualifiers.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("pkg") => rest.trim_start_matches('/'),
        _ => {
            return Err(MatchError::NotPurl {
                input: input.to_string(),
            });
        }
    };
    let (ptype, path) = rest.split_once('/').unwrap_or((rest, ""));
    let ptype = ptype.to_ascii_lowercase();
    if !valid_type(&ptype) {
        return Err(MatchError::PurlType {
            input: input.to_string(),
        });
    }
    let (path, version) = match path.rsplit_once('@') {
        Some((p, v)) if !v.contains('/') => (p, Some(percent_decode(input, v)?)),
        _ => (path, None),
    };
    let segments = path
        .split('/')
        .filter(|seg| !seg.is_empty())
        .map(|seg| percent_decode(input, seg))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((name, namespace)) = segments.split_last() else {
        return Err(MatchError::PurlName {
            input: input.to_string(),
        });
    };
    if name.trim().is_empty() {
        return Err(MatchError::PurlName {
            input: input.to_string(),
        });
    }
    Ok(Purl {
        ptype,
        namespace: (!namespace.is_empty()).then(|| namespace.join("/")),
        name: name.clone(),
        version: version.filter(|v| !v.is_empty()),
    })
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The package URL without version, qualifiers or subpath, in one spelling, so equal
/// packages give equal keys: `pkg:type/namespace/name` with each part percent-encoded the
/// same way. Namespace and name are lowercased for the package types the specification
/// declares not case sensitive, and Python package names also treat `_` as `-`.
pub fn purl_key(p: &Purl) -> String {
    let fold = CASE_INSENSITIVE_TYPES.contains(&p.ptype.as_str());
    let tidy = |s: &str| {
        if fold {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let mut name = tidy(&p.name);
    if p.ptype == "pypi" {
        name = name.replace('_', "-");
    }
    let mut key = format!("pkg:{}/", p.ptype);
    if let Some(ns) = &p.namespace {
        for seg in ns.split('/') {
            key.push_str(&percent_encode(&tidy(seg)));
            key.push('/');
        }
    }
    key.push_str(&percent_encode(&name));
    key
}

/// How an inventory item was matched to an affected product, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    Purl,
    Cpe,
    Name,
}

impl MatchReason {
    pub fn label(self) -> &'static str {
        match self {
            MatchReason::Cpe => "CPE",
            MatchReason::Purl => "package URL",
            MatchReason::Name => "vendor and product name",
        }
    }
}

/// What storage indexes for an item or product so candidates can be found without reading
/// every row. Two things can only match if their purl keys are equal or their normalised
/// product names are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemKeys {
    pub norm_vendor: String,
    pub norm_product: String,
    pub purl_key: Option<String>,
}

/// Everything matching needs about one side, worked out once.
struct Identity {
    keys: ItemKeys,
    has_cpe: bool,
    cpe_version: Option<String>,
    purl_version: Option<String>,
}

/// A valid CPE name is the more reliable identity, so when one is given its vendor and
/// product replace the free-text names.
fn identity(vendor: &str, product: &str, cpe: Option<&str>, purl: Option<&str>) -> Identity {
    let cpe = cpe.and_then(|c| parse_cpe(c).ok());
    let purl = purl.and_then(|p| parse_purl(p).ok());
    let (norm_vendor, norm_product) = match &cpe {
        Some(c) => cpe_key(c),
        None => (normalise(vendor), normalise(product)),
    };
    Identity {
        keys: ItemKeys {
            norm_vendor,
            norm_product,
            purl_key: purl.as_ref().map(purl_key),
        },
        has_cpe: cpe.is_some(),
        cpe_version: cpe.and_then(|c| c.version),
        purl_version: purl.and_then(|p| p.version),
    }
}

fn item_identity(item: &InventoryItem) -> Identity {
    identity(
        &item.vendor,
        &item.product,
        item.cpe.as_deref(),
        item.purl.as_deref(),
    )
}

fn product_identity(p: &AffectedProduct) -> Identity {
    identity(&p.vendor, &p.product, p.cpe.as_deref(), p.purl.as_deref())
}

/// The keys storage indexes for an inventory item.
pub fn item_keys(item: &InventoryItem) -> ItemKeys {
    item_identity(item).keys
}

/// The keys storage indexes for an affected product.
pub fn product_keys(p: &AffectedProduct) -> ItemKeys {
    product_identity(p).keys
}

fn reason(item: &Identity, product: &Identity) -> Option<MatchReason> {
    let (a, b) = (&item.keys, &product.keys);
    if a.purl_key.is_some() && a.purl_key == b.purl_key {
        return Some(MatchReason::Purl);
    }
    let same_product = !a.norm_product.is_empty() && a.norm_product == b.norm_product;
    let same_vendor = a.norm_vendor == b.norm_vendor;
    if item.has_cpe && product.has_cpe && same_product && same_vendor {
        return Some(MatchReason::Cpe);
    }
    let vendor_ok = same_vendor || a.norm_vendor.is_empty() || b.norm_vendor.is_empty();
    (same_product && vendor_ok).then_some(MatchReason::Name)
}

/// The installed version: the item's own field, else the version in its CPE name, else in
/// its package URL.
fn installed_version<'a>(item: &'a InventoryItem, id: &'a Identity) -> &'a str {
    let own = item.version.trim();
    if !own.is_empty() {
        return own;
    }
    id.cpe_version
        .as_deref()
        .or(id.purl_version.as_deref())
        .unwrap_or("")
}

fn decide(
    item: &InventoryItem,
    item_id: &Identity,
    product: &AffectedProduct,
    product_id: &Identity,
) -> Option<MatchReason> {
    let why = reason(item_id, product_id)?;
    versions::any_contains(&product.versions, installed_version(item, item_id)).then_some(why)
}

/// Whether the item is an affected installation of the product, and on what grounds. An
/// item whose version is unknown matches only a product affected in every version.
pub fn match_item(item: &InventoryItem, product: &AffectedProduct) -> Option<MatchReason> {
    decide(
        item,
        &item_identity(item),
        product,
        &product_identity(product),
    )
}

/// One affected inventory item: indexes into the slices given to [`match_inventory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub item: usize,
    pub product: usize,
    pub reason: MatchReason,
}

/// Every pairing of an inventory item with an affected product it is an installation of,
/// in item order then product order.
pub fn match_inventory(items: &[InventoryItem], products: &[AffectedProduct]) -> Vec<Match> {
    let product_ids: Vec<Identity> = products.iter().map(product_identity).collect();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_id = item_identity(item);
        for (p, (product, product_id)) in products.iter().zip(&product_ids).enumerate() {
            if let Some(reason) = decide(item, &item_id, product, product_id) {
                out.push(Match {
                    item: i,
                    product: p,
                    reason,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::rules::versions::parse_ranges;

    fn item(vendor: &str, product: &str, version: &str) -> InventoryItem {
        InventoryItem {
            vendor: vendor.into(),
            product: product.into(),
            version: version.into(),
            count: 1,
            location: "Data centre".into(),
            cpe: None,
            purl: None,
        }
    }

    fn product(vendor: &str, name: &str, ranges: &str) -> AffectedProduct {
        AffectedProduct {
            vendor: vendor.into(),
            product: name.into(),
            versions: parse_ranges(ranges).unwrap(),
            cpe: None,
            purl: None,
        }
    }

    #[test]
    fn normalise_folds_case_punctuation_and_suffixes() {
        assert_eq!(normalise("Microsoft Corporation"), "microsoft");
        assert_eq!(normalise("  microsoft  "), "microsoft");
        assert_eq!(
            normalise("Apache_Software Foundation"),
            "apache software foundation"
        );
        assert_eq!(normalise("Cisco Systems, Inc."), "cisco systems");
        assert_eq!(normalise("The Document Foundation"), "document foundation");
        assert_eq!(normalise("Node.js"), "node js");
        assert_eq!(normalise("Costco"), "costco");
        assert_eq!(normalise("The Co"), "the co");
        assert_eq!(normalise(" -_- "), "");
    }

    #[test]
    fn parses_cpe_formatted_strings() {
        let c = parse_cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.part, "a");
        assert_eq!(c.vendor, "apache");
        assert_eq!(c.product, "log4j");
        assert_eq!(c.version.as_deref(), Some("2.14.1"));
        let any = parse_cpe("cpe:2.3:o:Microsoft:Windows_10:*:*:*:*:*:*:*:*").unwrap();
        assert_eq!(any.vendor, "microsoft");
        assert_eq!(any.product, "windows_10");
        assert_eq!(any.version, None);
        assert_eq!(
            parse_cpe("cpe:2.3:a:x:y:-:*:*:*:*:*:*:*").unwrap().version,
            None
        );
        let escaped = parse_cpe(r"cpe:2.3:a:acme:web\:server:1.0\:beta:*:*:*:*:*:*:*").unwrap();
        assert_eq!(escaped.product, "web:server");
        assert_eq!(escaped.version.as_deref(), Some("1.0:beta"));
        assert_eq!(
            cpe_key(&any),
            ("microsoft".to_string(), "windows 10".to_string())
        );
    }

    #[test]
    fn parses_cpe_uri_form() {
        let c = parse_cpe("cpe:/a:apache:http_server:2.4.49").unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str()),
            ("apache", "http_server")
        );
        assert_eq!(c.version.as_deref(), Some("2.4.49"));
        assert_eq!(
            parse_cpe("cpe:/o:linux:linux_kernel").unwrap().version,
            None
        );
        assert_eq!(parse_cpe("cpe:/a:acme:a%2fb").unwrap().product, "a/b");
    }

    #[test]
    fn rejects_bad_cpes() {
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:2.14.1"),
            Err(MatchError::CpeParts { found: 6, .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*"),
            Err(MatchError::CpeParts { found: 14, .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::CpePart { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:*:log4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::CpeNames { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:1\\"),
            Err(MatchError::BadCharacter { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log 4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::BadCharacter { .. })
        ));
        assert!(matches!(parse_cpe("log4j"), Err(MatchError::NotCpe { .. })));
        assert!(matches!(
            parse_cpe("cpe:/"),
            Err(MatchError::CpePart { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:/a:x:y:%zz"),
            Err(MatchError::BadPercent { .. })
        ));
        assert!(matches!(
            parse_cpe(&format!("cpe:2.3:a:{}", "x".repeat(2000))),
            Err(MatchError::TooLong)
        ));
        assert!(
            parse_cpe("cpe:2.3:a:apache:log4j")
                .unwrap_err()
                .to_string()
                .contains("'cpe:2.3:a:apache:log4j'")
        );
    }

    #[test]
    fn parses_package_urls() {
        let p =
            parse_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar#src/main")
                .unwrap();
        assert_eq!(p.ptype, "maven");
        assert_eq!(p.namespace.as_deref(), Some("org.apache.logging.log4j"));
        assert_eq!(p.name, "log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        let npm = parse_purl("pkg:NPM/%40angular/core@12.0.0").unwrap();
        assert_eq!(npm.ptype, "npm");
        assert_eq!(npm.namespace.as_deref(), Some("@angular"));
        assert_eq!(npm.name, "core");
        let loose = parse_purl("pkg:npm/@angular/core").unwrap();
        assert_eq!(loose.namespace.as_deref(), Some("@angular"));
        assert_eq!(loose.version, None);
        let plain = parse_purl("pkg://cargo/rand@0.7.2").unwrap();
        assert_eq!((plain.namespace, plain.name.as_str()), (None, "rand"));
        assert_eq!(
            parse_purl("pkg:deb/debian/attr@1:2.4.47-2%2Bb1")
                .unwrap()
                .version
                .as_deref(),
            Some("1:2.4.47-2+b1")
        );
    }

    #[test]
    fn rejects_bad_package_urls() {
        assert!(matches!(
            parse_purl("maven/org/x"),
            Err(MatchError::NotPurl { .. })
        ));
        assert!(matches!(
            parse_purl("http://x/y"),
            Err(MatchError::NotPurl { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:"),
            Err(MatchError::PurlType { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:/x"),
            Err(MatchError::PurlName { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:1x/y"),
            Err(MatchError::PurlType { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm"),
            Err(MatchError::PurlName { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm/"),
            Err(MatchError::PurlName { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%2"),
            Err(MatchError::BadPercent { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%ff"),
            Err(MatchError::BadPercent { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%e2%82"),
            Err(MatchError::BadPercent { .. })
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a b"),
            Err(MatchError::BadCharacter { .. })
        ));
    }

    #[test]
    fn purl_keys_are_one_spelling() {
        let key = |s: &str| purl_key(&parse_purl(s).unwrap());
        assert_eq!(
            key("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            "pkg:maven/org.apache.logging.log4j/log4j-core"
        );
        assert_eq!(key("pkg:npm/@angular/core"), "pkg:npm/%40angular/core");
        assert_eq!(
            key("pkg:npm/%40Angular/Core@1"),
            key("pkg:npm/@angular/core")
        );
        assert_eq!(key("pkg:pypi/Django_Rest"), "pkg:pypi/django-rest");
        assert_ne!(key("pkg:maven/Org/X"), key("pkg:maven/org/x"));
        assert_eq!(
            key("pkg:github/Package-URL/purl-spec@v1"),
            "pkg:github/package-url/purl-spec"
        );
    }

    #[test]
    fn reason_labels() {
        assert_eq!(MatchReason::Cpe.label(), "CPE");
        assert_eq!(MatchReason::Purl.label(), "package URL");
        assert_eq!(MatchReason::Name.label(), "vendor and product name");
        assert_eq!(
            serde_json::to_string(&MatchReason::Purl).unwrap(),
            "\"purl\""
        );
    }

    #[test]
    fn keys_prefer_the_cpe_names() {
        let mut it = item("Apache Software Foundation", "Log4j 2", "2.14.1");
        assert_eq!(it.vendor, "Apache Software Foundation");
        assert_eq!(item_keys(&it).norm_vendor, "apache software foundation");
        it.cpe = Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into());
        it.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into());
        let keys = item_keys(&it);
        assert_eq!(
            (keys.norm_vendor.as_str(), keys.norm_product.as_str()),
            ("apache", "log4j")
        );
        assert_eq!(
            keys.purl_key.as_deref(),
            Some("pkg:maven/org.apache.logging.log4j/log4j-core")
        );
        it.cpe = Some("not a cpe".into());
        assert_eq!(item_keys(&it).norm_product, "log4j 2");
        let mut p = product("Apache", "Log4j", "all");
        p.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core".into());
        assert_eq!(product_keys(&p).purl_key, keys.purl_key);
        assert_eq!(product_keys(&p).norm_vendor, "apache");
    }

    #[test]
    fn matches_by_name_and_version() {
        let p = product("Apache", "Log4j", ">= 2.0.0, < 2.17.1");
        assert_eq!(
            match_item(&item("Apache Ltd", "log4j", "2.14.1"), &p),
            Some(MatchReason::Name)
        );
        assert_eq!(match_item(&item("Apache", "Log4j", "2.17.1"), &p), None);
        assert_eq!(match_item(&item("Apache", "Log4j", "1.2.17"), &p), None);
        assert_eq!(match_item(&item("Apache", "Log4net", "2.14.1"), &p), None);
        assert_eq!(match_item(&item("Oracle", "Log4j", "2.14.1"), &p), None);
        assert_eq!(
            match_item(&item("", "Log4j", "2.14.1"), &p),
            Some(MatchReason::Name)
        );
        let no_vendor = product("", "Log4j", "all");
        assert_eq!(
            match_item(&item("Apache", "log4j", "9"), &no_vendor),
            Some(MatchReason::Name)
        );
        assert_eq!(match_item(&item("", "", ""), &product("", "", "all")), None);
    }

    #[test]
    fn unknown_versions_match_only_every_version() {
        let bounded = product("Apache", "Log4j", ">= 2.0.0, < 2.17.1");
        let every = product("Apache", "Log4j", "all");
        let unknown = item("Apache", "Log4j", "  ");
        assert_eq!(match_item(&unknown, &bounded), None);
        assert_eq!(match_item(&unknown, &every), Some(MatchReason::Name));
    }

    #[test]
    fn version_falls_back_to_identifiers() {
        let p = product("Apache", "Log4j", ">= 2.0.0, < 2.17.1");
        let mut it = item("Apache", "Log4j", "");
        it.cpe = Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into());
        assert_eq!(match_item(&it, &p), Some(MatchReason::Name));
        it.cpe = Some("cpe:2.3:a:apache:log4j:2.17.2:*:*:*:*:*:*:*".into());
        assert_eq!(match_item(&it, &p), None);
        it.cpe = None;
        it.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0".into());
        assert_eq!(match_item(&it, &p), Some(MatchReason::Name));
        it.version = "2.17.1".into();
        assert_eq!(match_item(&it, &p), None, "the version field wins");
    }

    #[test]
    fn strongest_reason_wins() {
        let mut p = product("Apache", "Log4j", "< 2.17.1");
        p.cpe = Some("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".into());
        p.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core".into());
        let mut it = item("ASF", "Log4j core", "2.14.1");
        it.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into());
        assert_eq!(match_item(&it, &p), Some(MatchReason::Purl));
        it.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-api".into());
        assert_eq!(match_item(&it, &p), None);
        it.cpe = Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into());
        assert_eq!(match_item(&it, &p), Some(MatchReason::Cpe));
        p.cpe = None;
        assert_eq!(match_item(&it, &p), Some(MatchReason::Name));
    }

    #[test]
    fn matches_a_whole_inventory() {
        let items = vec![
            item("Apache", "Log4j", "2.14.1"),
            item("Microsoft Corporation", "Exchange Server", "15.2"),
            item("Apache", "Log4j", "2.17.1"),
            item("Microsoft", "Exchange Server", ""),
        ];
        let products = vec![
            product("Microsoft", "Exchange Server", "all"),
            product("Apache", "Log4j", ">= 2.0.0, < 2.17.1"),
        ];
        let found = match_inventory(&items, &products);
        let pairs: Vec<(usize, usize)> = found.iter().map(|m| (m.item, m.product)).collect();
        assert_eq!(pairs, vec![(0, 1), (1, 0), (3, 0)]);
        assert!(found.iter().all(|m| m.reason == MatchReason::Name));
        assert!(match_inventory(&[], &products).is_empty());
        assert!(match_inventory(&items, &[]).is_empty());
    }
}
