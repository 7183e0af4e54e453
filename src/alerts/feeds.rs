//! Feeds of published advisories: the CSAF 2.0 provider metadata and ROLIE feed that security
//! tools use to discover and download CSAF documents, and an Atom feed for people's feed
//! readers.

use std::cmp::Reverse;
use std::fmt::Write as _;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::csaf::{self, Provider};
use super::model::{PublishedAdvisory, Tlp};

/// Where the provider metadata is served (CSAF 2.0 requirements 7 and 9).
pub const PROVIDER_METADATA_PATH: &str = "/.well-known/csaf/provider-metadata.json";

/// Where the ROLIE feed of public (TLP:CLEAR, CSAF TLP:WHITE) documents is served.
pub const WHITE_FEED_PATH: &str = "/.well-known/csaf/white/csaf-feed-tlp-white.json";

const CSAF_SCHEMA_URL: &str = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json";

/// The author named in the Atom feed.
const AUTHOR: &str = "CareCERT";

/// The CSAF 2.0 provider metadata (`provider-metadata.json`). Only public documents are listed:
/// one ROLIE feed for TLP:WHITE.
pub fn provider_metadata(provider: &Provider, last_updated: OffsetDateTime) -> Value {
    let base = provider.base_url.trim_end_matches('/');
    json!({
        "canonical_url": format!("{base}{PROVIDER_METADATA_PATH}"),
        "distributions": [{
            "rolie": {
                "feeds": [{
                    "summary": "Public advisories (TLP:CLEAR, which CSAF 2.0 calls TLP:WHITE)",
                    "tlp_label": "WHITE",
                    "url": format!("{base}{WHITE_FEED_PATH}"),
                }],
            },
        }],
        "last_updated": csaf::rfc3339(last_updated),
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "publisher": csaf::publisher(provider),
        "role": "csaf_provider",
    })
}

/// Newest first, and the latest release date (or `fallback` when there are none).
fn newest_first<'a>(
    advisories: impl Iterator<Item = &'a PublishedAdvisory>,
    fallback: OffsetDateTime,
) -> (Vec<(&'a PublishedAdvisory, OffsetDateTime)>, OffsetDateTime) {
    let mut dated: Vec<_> = advisories
        .map(|adv| (adv, csaf::current_release(adv)))
        .collect();
    dated.sort_by_key(|(adv, current)| (Reverse(*current), adv.reference.as_str()));
    let updated = dated.first().map_or(fallback, |(_, current)| *current);
    (dated, updated)
}

/// The ROLIE feed (RFC 8322, in the JSON form of CSAF 2.0 requirement 15) of the public
/// documents among `advisories`: any that are not TLP:CLEAR are left out, whatever the
/// caller passes. The feed is as recent as its newest entry, or `updated` when it is empty.
pub fn rolie_feed(
    provider: &Provider,
    advisories: &[PublishedAdvisory],
    updated: OffsetDateTime,
) -> Value {
    let base = provider.base_url.trim_end_matches('/');
    let public = advisories
        .iter()
        .filter(|adv| adv.content.tlp == Tlp::Clear);
    let (entries, updated) = newest_first(public, updated);
    let feed_url = format!("{base}{WHITE_FEED_PATH}");
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(adv, current)| {
            let url = csaf::document_url(base, adv);
            let mut entry = json!({
                "id": csaf::tracking_id(adv),
                "title": csaf::title(adv),
                "link": [{ "rel": "self", "href": url }],
                "published": csaf::rfc3339(adv.initial_release),
                "updated": csaf::rfc3339(current),
                "content": { "type": "application/json", "src": url },
                "format": { "schema": CSAF_SCHEMA_URL, "version": "2.0" },
            });
            if let Some(summary) = clean(&adv.content.summary) {
                entry["summary"] = json!({ "content": summary });
            }
            entry
        })
        .collect();
    json!({
        "feed": {
            "id": feed_url,
            "title": format!("{} CSAF advisories (TLP:WHITE)", provider.name.trim()),
            "link": [{ "rel": "self", "href": feed_url }],
            "category": [{
                "scheme": "urn:ietf:params:rolie:category:information-type",
                "term": "csaf",
            }],
            "updated": csaf::rfc3339(updated),
            "entry": entries,
        }
    })
}

/// An Atom feed (RFC 4287) of `advisories`, newest first, each linking to its page under
/// `html_base`. The caller passes only the advisories the feed's readers may see. The feed is
/// as recent as its newest entry, or `updated` when it is empty.
pub fn atom(
    feed_id: &str,
    title: &str,
    self_url: &str,
    html_base: &str,
    advisories: &[PublishedAdvisory],
    updated: OffsetDateTime,
) -> String {
    let html_base = html_base.trim_end_matches('/');
    let (entries, updated) = newest_first(advisories.iter(), updated);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut xml, "  ", "id", feed_id);
    element(&mut xml, "  ", "title", title);
    element(&mut xml, "  ", "updated", &csaf::rfc3339(updated));
    xml.push_str("  <author>\n");
    element(&mut xml, "    ", "name", AUTHOR);
    xml.push_str("  </author>\n");
    link(&mut xml, "  ", "self", "application/atom+xml", self_url);
    for (adv, current) in entries {
        let content = &adv.content;
        let reference = adv.reference.trim();
        let mut heading = format!("{reference} [{}]", content.severity.label());
        if let Some(title) = clean(&content.title) {
            heading.push(' ');
            heading.push_str(title);
        }
        if adv.withdrawn_reason.is_some() {
            heading.push_str(" (withdrawn)");
        }
        xml.push_str("  <entry>\n");
        let id = format!("urn:carecert:advisory:{}", csaf::encode_segment(reference));
        element(&mut xml, "    ", "id", &id);
        element(&mut xml, "    ", "title", &heading);
        element(&mut xml, "    ", "updated", &csaf::rfc3339(current));
        element(
            &mut xml,
            "    ",
            "published",
            &csaf::rfc3339(adv.initial_release),
        );
        link(
            &mut xml,
            "    ",
            "alternate",
            "text/html",
            &csaf::page_url(html_base, adv),
        );
        if let Some(summary) = clean(&content.summary) {
            element(&mut xml, "    ", "summary", summary);
        }
        category(
            &mut xml,
            content.severity.as_str(),
            &format!("Severity: {}", content.severity.label()),
        );
        let tlp = format!("TLP:{}", content.tlp.as_str());
        category(&mut xml, &tlp, &tlp);
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn clean(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

// Writing to a String cannot fail, so the results of `writeln!` below are ignored.

fn element(xml: &mut String, indent: &str, name: &str, text: &str) {
    let _ = writeln!(xml, "{indent}<{name}>{}</{name}>", escape(text));
}

fn link(xml: &mut String, indent: &str, rel: &str, kind: &str, href: &str) {
    let _ = writeln!(
        xml,
        "{indent}<link rel=\"{rel}\" type=\"{kind}\" href=\"{}\"/>",
        escape(href)
    );
}

fn category(xml: &mut String, term: &str, label: &str) {
    let _ = writeln!(
        xml,
        "    <category term=\"{}\" label=\"{}\"/>",
        escape(term),
        escape(label)
    );
}

/// Text safe inside an XML 1.0 element or quoted attribute: the five special characters
/// escaped, and characters XML 1.0 forbids (most control characters, U+FFFE, U+FFFF) dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t'
            | '\n'
            | '\r'
            | '\u{20}'..='\u{D7FF}'
            | '\u{E000}'..='\u{FFFD}'
            | '\u{10000}'.. => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::alerts::csaf::tests::advisory;

    const PROVIDER: Provider = Provider {
        name: "CareCERT",
        namespace: "https://carecert.example",
        contact: "cyber@carecert.example",
        base_url: "https://carecert.example/",
    };

    const NOW: OffsetDateTime = datetime!(2026-02-01 00:00 UTC);

    fn released(reference: &str, tlp: Tlp, current: OffsetDateTime) -> PublishedAdvisory {
        let mut adv = advisory(reference, vec![]);
        adv.content.tlp = tlp;
        adv.revisions.clear();
        adv.current_release = current;
        adv
    }

    /// Checks what an XML parser would: only XML 1.0 characters, every `<` starts a tag,
    /// every `&` starts one of the predefined entities, attribute values are quoted, and
    /// elements nest properly. Returns the element names in document order.
    fn well_formed(xml: &str) -> Vec<String> {
        fn check_text(text: &str) {
            assert!(!text.contains('<'), "raw < in {text:?}");
            for (i, _) in text.match_indices('&') {
                let rest = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                        .iter()
                        .any(|e| rest.starts_with(e)),
                    "bare & in {text:?}"
                );
            }
        }
        assert!(xml.chars().all(|c| matches!(c,
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)));
        let mut rest = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
            .expect("XML declaration");
        let mut open: Vec<&str> = Vec::new();
        let mut names = Vec::new();
        while let Some(lt) = rest.find('<') {
            check_text(&rest[..lt]);
            let gt = lt + rest[lt..].find('>').expect("unclosed tag");
            let tag = &rest[lt + 1..gt];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "mismatched </{name}>");
            } else {
                let empty = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
                while !attributes.trim().is_empty() {
                    let (_, after) = attributes.split_once("=\"").expect("quoted attribute");
                    let (value, after) = after.split_once('"').expect("closing quote");
                    check_text(value);
                    attributes = after;
                }
                names.push(name.to_owned());
                if !empty {
                    open.push(name);
                }
            }
            rest = &rest[gt + 1..];
        }
        assert!(
            rest.trim().is_empty() && open.is_empty(),
            "unclosed {open:?}"
        );
        names
    }

    #[test]
    fn provider_metadata_has_the_members_csaf_requires() {
        let meta = provider_metadata(&PROVIDER, NOW);
        for member in [
            "canonical_url",
            "last_updated",
            "list_on_CSAF_aggregators",
            "metadata_version",
            "mirror_on_CSAF_aggregators",
            "publisher",
            "role",
        ] {
            assert!(meta.get(member).is_some(), "missing {member}");
        }
        assert_eq!(
            meta["canonical_url"],
            "https://carecert.example/.well-known/csaf/provider-metadata.json"
        );
        assert_eq!(meta["last_updated"], "2026-02-01T00:00:00Z");
        assert_eq!(meta["metadata_version"], "2.0");
        assert_eq!(meta["role"], "csaf_provider");
        assert_eq!(meta["publisher"]["namespace"], "https://carecert.example");
        let feed = &meta["distributions"][0]["rolie"]["feeds"][0];
        assert_eq!(feed["tlp_label"], "WHITE");
        assert_eq!(
            feed["url"],
            "https://carecert.example/.well-known/csaf/white/csaf-feed-tlp-white.json"
        );
    }

    #[test]
    fn the_rolie_feed_lists_only_public_documents_newest_first() {
        let advisories = vec![
            released("CC-2026-0001", Tlp::Clear, datetime!(2026-01-05 10:00 UTC)),
            released("CC-2026-0002", Tlp::Green, datetime!(2026-01-30 10:00 UTC)),
            released("CC-2026-0003", Tlp::Clear, datetime!(2026-01-20 10:00 UTC)),
            released(
                "CC-2026-0004",
                Tlp::AmberStrict,
                datetime!(2026-01-31 10:00 UTC),
            ),
            released("CC-2026-0005", Tlp::Red, datetime!(2026-01-31 11:00 UTC)),
        ];
        let rolie = rolie_feed(&PROVIDER, &advisories, NOW);
        let feed = &rolie["feed"];
        assert_eq!(
            feed["link"][0],
            json!({
                "rel": "self",
                "href": "https://carecert.example/.well-known/csaf/white/csaf-feed-tlp-white.json",
            })
        );
        assert_eq!(
            feed["category"][0],
            json!({ "scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf" })
        );
        assert_eq!(feed["updated"], "2026-01-20T10:00:00Z");
        let entries = feed["entry"].as_array().expect("entries");
        let ids: Vec<&Value> = entries.iter().map(|e| &e["id"]).collect();
        assert_eq!(ids, ["CC-2026-0003", "CC-2026-0001"]);
        let entry = &entries[0];
        let url = "https://carecert.example/.well-known/csaf/white/2026/cc-2026-0003.json";
        assert_eq!(entry["link"][0], json!({ "rel": "self", "href": url }));
        assert_eq!(
            entry["content"],
            json!({ "type": "application/json", "src": url })
        );
        assert_eq!(entry["format"]["version"], "2.0");
        assert_eq!(
            entry["title"],
            "CC-2026-0003: Remote code execution in Log4j"
        );
        assert_eq!(entry["published"], "2026-01-10T08:30:00Z");
        assert_eq!(entry["updated"], "2026-01-20T10:00:00Z");
        assert!(
            entry["summary"]["content"]
                .as_str()
                .is_some_and(|s| s.contains("crafted"))
        );

        let empty = rolie_feed(&PROVIDER, &advisories[1..2], NOW);
        assert_eq!(empty["feed"]["updated"], "2026-02-01T00:00:00Z");
        assert_eq!(empty["feed"]["entry"], json!([]));
    }

    #[test]
    fn the_atom_feed_has_the_members_rfc_4287_requires_newest_first() {
        let mut withdrawn = released("CC-2026-0002", Tlp::Amber, datetime!(2026-01-25 10:00 UTC));
        withdrawn.withdrawn_reason = Some("Issued in error.".into());
        let advisories = vec![
            released("CC-2026-0001", Tlp::Clear, datetime!(2026-01-05 10:00 UTC)),
            withdrawn,
        ];
        let xml = atom(
            "urn:carecert:alerts",
            "CareCERT alerts",
            "https://carecert.example/alerts/feed.atom",
            "https://carecert.example",
            &advisories,
            NOW,
        );
        let names = well_formed(&xml);
        assert_eq!(&names[..4], ["feed", "id", "title", "updated"]);
        assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
        assert!(xml.contains("<author>\n    <name>CareCERT</name>\n  </author>"));
        assert!(xml.contains(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://carecert.example/alerts/feed.atom\"/>"
        ));
        assert!(xml.contains("  <updated>2026-01-25T10:00:00Z</updated>\n  <author>"));
        let newer = xml.find("CC-2026-0002").expect("second advisory");
        let older = xml.find("CC-2026-0001").expect("first advisory");
        assert!(newer < older, "newest first");
        for expected in [
            "<id>urn:carecert:advisory:CC-2026-0002</id>",
            "<title>CC-2026-0002 [Critical] Remote code execution in Log4j (withdrawn)</title>",
            "<updated>2026-01-25T10:00:00Z</updated>",
            "<published>2026-01-10T08:30:00Z</published>",
            "<link rel=\"alternate\" type=\"text/html\" href=\"https://carecert.example/alerts/CC-2026-0002\"/>",
            "<category term=\"critical\" label=\"Severity: Critical\"/>",
            "<category term=\"TLP:AMBER\" label=\"TLP:AMBER\"/>",
            "<title>CC-2026-0001 [Critical] Remote code execution in Log4j</title>",
        ] {
            assert!(xml.contains(expected), "missing {expected}\n{xml}");
        }
        assert_eq!(names.iter().filter(|n| *n == "entry").count(), 2);

        let empty = atom(
            "urn:x",
            "t",
            "https://x.example/f",
            "https://x.example",
            &[],
            NOW,
        );
        well_formed(&empty);
        assert!(empty.contains("<updated>2026-02-01T00:00:00Z</updated>"));
    }

    #[test]
    fn hostile_text_stays_well_formed_xml() {
        let mut adv = released("CC-<1>&\"'", Tlp::Clear, NOW);
        adv.content.title =
            "<script>alert('x')</script> & \"quotes\" \u{0}\u{1b}\u{b}\u{fffe}\tok".into();
        adv.content.summary = "]]> <![CDATA[ &amp; \u{7}bell".into();
        let xml = atom(
            "urn:a&b",
            "Feed \"<title>\"",
            "https://x.example/feed?a=1&b=<2>",
            "https://x.example",
            &[adv],
            NOW,
        );
        well_formed(&xml);
        assert!(xml.contains(
            "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;quotes&quot; \tok"
        ));
        assert!(xml.contains("<summary>]]&gt; &lt;![CDATA[ &amp;amp; bell</summary>"));
        assert!(xml.contains("<id>urn:carecert:advisory:CC-%3C1%3E%26%22%27</id>"));
        assert!(xml.contains("href=\"https://x.example/feed?a=1&amp;b=&lt;2&gt;\""));
    }
}
