//! Deciding whether an item in an organisation's software inventory is one of the products an
//! advisory affects: by package URL, by CPE name, or by vendor and product name, and then by
//! version. Also the keys storage indexes so a database can pre-select candidate items.

use serde::{Deserialize, Serialize};

use crate::alerts::model::{AffectedProduct, InventoryItem};
use crate::software::{Cpe, CpeError, Purl, PurlError};

use super::versions;

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

/// Why a product identifier cannot be used for matching.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Cpe(#[from] CpeError),
    #[error(transparent)]
    Purl(#[from] PurlError),
    #[error(
        "In '{input}', the part after the CPE version must be 'a' (application), \
         'o' (operating system) or 'h' (hardware)."
    )]
    CpePart { input: String },
    #[error("'{input}' does not name a vendor and a product.")]
    CpeNames { input: String },
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

/// Reads a CPE name for matching, ignoring white space around it. Matching compares the
/// kind of thing, vendor and product, so a name that leaves any of them open is refused.
pub fn parse_cpe(s: &str) -> Result<Cpe, MatchError> {
    let input = s.trim();
    let cpe: Cpe = input.parse()?;
    if cpe.part().is_none() {
        return Err(MatchError::CpePart {
            input: input.to_owned(),
        });
    }
    if cpe.vendor().is_none() || cpe.product().is_none() {
        return Err(MatchError::CpeNames {
            input: input.to_owned(),
        });
    }
    Ok(cpe)
}

/// The normalised vendor and product of a CPE name, as compared with inventory names.
pub fn cpe_key(c: &Cpe) -> (String, String) {
    (
        normalise(c.vendor().unwrap_or_default()),
        normalise(c.product().unwrap_or_default()),
    )
}

/// Reads a package URL for matching, ignoring white space around it.
pub fn parse_purl(s: &str) -> Result<Purl, MatchError> {
    Ok(s.trim().parse()?)
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
            purl_key: purl.as_ref().map(Purl::match_key),
        },
        has_cpe: cpe.is_some(),
        cpe_version: cpe.as_ref().and_then(Cpe::version).map(str::to_owned),
        purl_version: purl.as_ref().and_then(Purl::version).map(str::to_owned),
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
    use crate::software::Part;

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
        assert_eq!(c.part(), Some(Part::Application));
        assert_eq!(c.vendor(), Some("apache"));
        assert_eq!(c.product(), Some("log4j"));
        assert_eq!(c.version(), Some("2.14.1"));
        let any = parse_cpe("cpe:2.3:o:Microsoft:Windows_10:*:*:*:*:*:*:*:*").unwrap();
        assert_eq!(any.vendor(), Some("microsoft"));
        assert_eq!(any.product(), Some("windows_10"));
        assert_eq!(any.version(), None);
        assert_eq!(
            parse_cpe("cpe:2.3:a:x:y:-:*:*:*:*:*:*:*")
                .unwrap()
                .version(),
            None
        );
        let escaped = parse_cpe(r"cpe:2.3:a:acme:web\:server:1.0\:beta:*:*:*:*:*:*:*").unwrap();
        assert_eq!(escaped.product(), Some("web:server"));
        assert_eq!(escaped.version(), Some("1.0:beta"));
        assert_eq!(
            cpe_key(&any),
            ("microsoft".to_string(), "windows 10".to_string())
        );
    }

    #[test]
    fn parses_cpe_uri_form() {
        let c = parse_cpe("cpe:/a:apache:http_server:2.4.49").unwrap();
        assert_eq!(
            (c.vendor(), c.product()),
            (Some("apache"), Some("http_server"))
        );
        assert_eq!(c.version(), Some("2.4.49"));
        assert_eq!(
            parse_cpe("cpe:/o:linux:linux_kernel").unwrap().version(),
            None
        );
        assert_eq!(
            parse_cpe("cpe:/a:acme:a%2fb").unwrap().product(),
            Some("a/b")
        );
    }

    #[test]
    fn rejects_bad_cpes() {
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:2.14.1"),
            Err(MatchError::Cpe(CpeError::Parts { found: 6, .. }))
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*"),
            Err(MatchError::Cpe(CpeError::Parts { found: 14, .. }))
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:x:apache:log4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::Cpe(CpeError::Part { .. }))
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:*:log4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::CpeNames { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log4j:1\\"),
            Err(MatchError::Cpe(CpeError::BadCharacter { .. }))
        ));
        assert!(matches!(
            parse_cpe("cpe:2.3:a:apache:log 4j:*:*:*:*:*:*:*:*"),
            Err(MatchError::Cpe(CpeError::BadCharacter { .. }))
        ));
        assert!(matches!(
            parse_cpe("log4j"),
            Err(MatchError::Cpe(CpeError::NotCpe { .. }))
        ));
        assert!(matches!(
            parse_cpe("cpe:/"),
            Err(MatchError::CpePart { .. })
        ));
        assert!(matches!(
            parse_cpe("cpe:/a:x:y:%zz"),
            Err(MatchError::Cpe(CpeError::BadPercent { .. }))
        ));
        assert!(matches!(
            parse_cpe(&format!("cpe:2.3:a:{}", "x".repeat(2000))),
            Err(MatchError::Cpe(CpeError::TooLong))
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
        assert_eq!(p.package_type(), "maven");
        assert_eq!(p.namespace(), Some("org.apache.logging.log4j"));
        assert_eq!(p.name(), "log4j-core");
        assert_eq!(p.version(), Some("2.14.1"));
        let npm = parse_purl("pkg:NPM/%40angular/core@12.0.0").unwrap();
        assert_eq!(npm.package_type(), "npm");
        assert_eq!(npm.namespace(), Some("@angular"));
        assert_eq!(npm.name(), "core");
        let loose = parse_purl("pkg:npm/@angular/core").unwrap();
        assert_eq!(loose.namespace(), Some("@angular"));
        assert_eq!(loose.version(), None);
        let plain = parse_purl("pkg://cargo/rand@0.7.2").unwrap();
        assert_eq!((plain.namespace(), plain.name()), (None, "rand"));
        assert_eq!(
            parse_purl("pkg:deb/debian/attr@1:2.4.47-2%2Bb1")
                .unwrap()
                .version(),
            Some("1:2.4.47-2+b1")
        );
    }

    #[test]
    fn rejects_bad_package_urls() {
        assert!(matches!(
            parse_purl("maven/org/x"),
            Err(MatchError::Purl(PurlError::NotPurl { .. }))
        ));
        assert!(matches!(
            parse_purl("http://x/y"),
            Err(MatchError::Purl(PurlError::NotPurl { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:"),
            Err(MatchError::Purl(PurlError::Type { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:/x"),
            Err(MatchError::Purl(PurlError::Name { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:1x/y"),
            Err(MatchError::Purl(PurlError::Type { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm"),
            Err(MatchError::Purl(PurlError::Name { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm/"),
            Err(MatchError::Purl(PurlError::Name { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%2"),
            Err(MatchError::Purl(PurlError::BadPercent { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%ff"),
            Err(MatchError::Purl(PurlError::BadPercent { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a%e2%82"),
            Err(MatchError::Purl(PurlError::BadPercent { .. }))
        ));
        assert!(matches!(
            parse_purl("pkg:npm/a b"),
            Err(MatchError::Purl(PurlError::BadCharacter { .. }))
        ));
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
