//! Tests of the CSAF documents as a whole: their shape, their tracking, and that hostile
//! advisory text never yields a field the schema or the mandatory tests would reject.

use time::macros::datetime;
use uuid::Uuid;

use serde_json::{Value, json};

use super::identifiers::{is_cpe, is_purl};
use super::uri::is_uri;
use super::vulnerabilities::cvss_v3;
use super::*;
use crate::alerts::model::{
    AdvisoryContent, AffectedProduct, Audience, Bound, Cve, Reference, RevisionNote, Severity,
    VersionRange,
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
