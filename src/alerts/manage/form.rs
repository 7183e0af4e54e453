//! The advisory form: what an analyst typed, kept whole so a page with errors shows it
//! back, and reading it into advisory content with a message for every field that is wrong.
//! Reading is pure ([`FormValues::to_content`]); the one thing it needs from the database,
//! which organisations an audience list's ODS codes name, is looked up first
//! ([`FormValues::content`]).

use std::collections::HashMap;

use uuid::Uuid;

use crate::{
    alerts::{
        model::{AdvisoryContent, Audience, Severity, Tlp},
        rules::{content, deadlines},
    },
    organisations::{domain::OrgType, store as org_store},
    platform::{AppState, error::AppResult, web::forms::FormErrors},
};

/// At most this many ODS codes of an audience list are read; the rest are ignored.
const MAX_LISTED_CODES: usize = 2000;
/// The longest summary of what changed in a revision.
const MAX_CHANGE_SUMMARY_CHARS: usize = 500;

/// The organisations that may be sent an advisory, by upper-case ODS code, as far as an
/// audience list names them.
pub type Directory = HashMap<String, Uuid>;

/// The advisory form as typed, kept whole so a page with errors shows it back.
/// The advisory form as typed, kept whole so a page with errors shows it back.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub title: String,
    pub severity: String,
    pub severity_reason: String,
    pub tlp: String,
    pub summary: String,
    pub actively_exploited: bool,
    pub in_kev: bool,
    pub affected: String,
    pub cves: String,
    pub remediation: String,
    pub workarounds: String,
    pub references: String,
    pub audience: String,
    pub audience_types: Vec<String>,
    pub audience_orgs: String,
    pub ack_required: bool,
    pub ack_hours: String,
    /// For revisions: what changed, and whether to tell organisations.
    pub change_summary: String,
    pub notify: bool,
}

impl FormValues {
    /// Reads the submitted fields. Line endings become `\n`, so text shown back and stored
    /// is the same whichever browser sent it.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.replace("\r\n", "\n"))
                .unwrap_or_default()
        };
        FormValues {
            title: one("title").trim().to_owned(),
            severity: one("severity"),
            severity_reason: one("severity_reason").trim().to_owned(),
            tlp: one("tlp"),
            summary: one("summary").trim().to_owned(),
            actively_exploited: one("actively_exploited") == "yes",
            in_kev: one("in_kev") == "yes",
            affected: one("affected"),
            cves: one("cves"),
            remediation: one("remediation"),
            workarounds: one("workarounds"),
            references: one("references"),
            audience: one("audience"),
            audience_types: fields
                .iter()
                .filter(|(k, _)| k == "audience_types")
                .map(|(_, v)| v.clone())
                .collect(),
            audience_orgs: one("audience_orgs"),
            ack_required: one("ack_required") == "yes",
            ack_hours: one("ack_hours").trim().to_owned(),
            change_summary: one("change_summary").trim().to_owned(),
            notify: one("notify") == "yes",
        }
    }

    /// A blank form with the defaults for a new advisory.
    pub fn blank() -> Self {
        FormValues {
            severity: Severity::High.as_str().into(),
            tlp: Tlp::Clear.as_str().into(),
            audience: "all".into(),
            ack_required: true,
            ..FormValues::default()
        }
    }

    pub async fn of(state: &AppState, c: &AdvisoryContent) -> AppResult<Self> {
        let (audience, types, orgs) = match &c.audience {
            Audience::All => ("all", vec![], String::new()),
            Audience::Types(t) => (
                "types",
                t.iter().map(|t| t.as_str().to_owned()).collect(),
                String::new(),
            ),
            Audience::Organisations(ids) => {
                let mut codes = Vec::new();
                for id in ids {
                    if let Some(o) = org_store::by_id(&state.db, (*id).into()).await? {
                        codes.push(String::from(o.ods_code));
                    }
                }
                ("list", vec![], codes.join("\n"))
            }
        };
        Ok(FormValues {
            title: c.title.clone(),
            severity: c.severity.as_str().into(),
            severity_reason: c.severity_reason.clone(),
            tlp: c.tlp.as_str().into(),
            summary: c.summary.clone(),
            actively_exploited: c.actively_exploited,
            in_kev: c.in_kev,
            affected: content::format_affected(&c.affected),
            cves: content::format_cves(&c.cves),
            remediation: content::format_steps(&c.remediation),
            workarounds: content::format_steps(&c.workarounds),
            references: content::format_references(&c.references),
            audience: audience.into(),
            audience_types: types,
            audience_orgs: orgs,
            ack_required: c.ack_required,
            ack_hours: c.ack_hours.map(|h| h.to_string()).unwrap_or_default(),
            change_summary: String::new(),
            notify: false,
        })
    }

    /// The ODS codes an audience list names, as typed (separated by lines, commas or
    /// spaces).
    fn listed_codes(&self) -> impl Iterator<Item = &str> {
        self.audience_orgs
            .split(|c: char| c == '\n' || c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .take(MAX_LISTED_CODES)
    }

    /// Looks up the organisations the audience list names; the national team is not one an
    /// advisory can be sent to, so it is left out as if unknown.
    async fn directory(&self, state: &AppState) -> AppResult<Directory> {
        let mut found = Directory::new();
        if self.audience != "list" {
            return Ok(found);
        }
        for code in self.listed_codes() {
            let code = code.to_ascii_uppercase();
            if found.contains_key(&code) {
                continue;
            }
            if let Some(o) = org_store::by_ods_code(&state.db, &code).await?
                && !o.is_national_team()
            {
                found.insert(code, o.id.as_uuid());
            }
        }
        Ok(found)
    }

    /// The content the form describes, or every problem with it.
    pub async fn content(
        &self,
        state: &AppState,
    ) -> AppResult<Result<AdvisoryContent, FormErrors>> {
        let directory = self.directory(state).await?;
        Ok(self.to_content(&directory, state.config.alert_ack_hours))
    }

    /// The content the form describes, or every problem with it, given the organisations
    /// its audience list names and the configured hours to acknowledge a critical or high
    /// advisory (the default when the form leaves them blank).
    pub fn to_content(
        &self,
        directory: &Directory,
        configured_ack_hours: u32,
    ) -> Result<AdvisoryContent, FormErrors> {
        let mut errors = FormErrors::new();
        let severity = self.severity.parse::<Severity>().ok();
        if severity.is_none() {
            errors.add("severity", "Choose a severity");
        }
        let tlp = self.tlp.parse::<Tlp>().ok();
        if tlp.is_none() {
            errors.add("tlp", "Choose a TLP label");
        }
        let line_errors =
            |field: &str, list: Vec<content::LineError>, errors: &mut FormErrors, what: &str| {
                for e in list.into_iter().take(5) {
                    errors.add(field, format!("{what}, {e}"));
                }
            };
        let affected = content::parse_affected(&self.affected).unwrap_or_else(|e| {
            line_errors("affected", e, &mut errors, "Affected products");
            vec![]
        });
        let cves = content::parse_cves(&self.cves).unwrap_or_else(|e| {
            line_errors("cves", e, &mut errors, "Vulnerabilities");
            vec![]
        });
        let references = content::parse_references(&self.references).unwrap_or_else(|e| {
            line_errors("references", e, &mut errors, "References");
            vec![]
        });
        let audience = match self.audience.as_str() {
            "all" => Audience::All,
            "types" => {
                let types: Vec<OrgType> = self
                    .audience_types
                    .iter()
                    .filter_map(|t| t.parse::<OrgType>().ok())
                    .filter(|t| OrgType::REGISTRABLE.contains(t))
                    .collect();
                if types.is_empty() {
                    errors.add("audience_types", "Choose at least one type of organisation");
                }
                Audience::Types(types)
            }
            "list" => {
                let mut ids = Vec::new();
                let mut unknown = Vec::new();
                for code in self.listed_codes() {
                    match directory.get(&code.to_ascii_uppercase()) {
                        Some(id) => {
                            if !ids.contains(id) {
                                ids.push(*id);
                            }
                        }
                        None => unknown.push(code.to_owned()),
                    }
                }
                if !unknown.is_empty() {
                    errors.add(
                        "audience_orgs",
                        format!(
                            "No organisation has the ODS code{} {}",
                            if unknown.len() == 1 { "" } else { "s" },
                            unknown.join(", ")
                        ),
                    );
                } else if ids.is_empty() {
                    errors.add(
                        "audience_orgs",
                        "Enter the ODS code of at least one organisation",
                    );
                }
                Audience::Organisations(ids)
            }
            _ => {
                errors.add("audience", "Choose who the advisory is for");
                Audience::All
            }
        };
        let ack_hours = if self.ack_required && self.ack_hours.is_empty() {
            Some(default_hours(
                severity.unwrap_or(Severity::High),
                configured_ack_hours,
            ))
        } else if self.ack_required {
            match self.ack_hours.parse::<u32>() {
                Ok(h) => Some(h),
                Err(_) => {
                    errors.add(
                        "ack_hours",
                        "Enter the hours allowed to acknowledge as a whole number, like 48",
                    );
                    None
                }
            }
        } else {
            None
        };
        let c = AdvisoryContent {
            title: self.title.clone(),
            severity: severity.unwrap_or(Severity::High),
            severity_reason: self.severity_reason.clone(),
            tlp: tlp.unwrap_or(Tlp::Clear),
            summary: self.summary.clone(),
            actively_exploited: self.actively_exploited,
            in_kev: self.in_kev,
            affected,
            cves,
            remediation: content::parse_steps(&self.remediation),
            workarounds: content::parse_steps(&self.workarounds),
            references,
            audience,
            ack_required: self.ack_required,
            ack_hours,
        };
        for (field, message) in content::check(&c) {
            if !errors.has(field) {
                errors.add(field, message);
            }
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }

    /// Adds a revision's own rule to what reading the content found: it must say what
    /// changed, so organisations and the record can tell.
    pub fn check_change_summary(
        &self,
        read: Result<AdvisoryContent, FormErrors>,
    ) -> Result<AdvisoryContent, FormErrors> {
        let summarised = !self.change_summary.is_empty()
            && self.change_summary.chars().count() <= MAX_CHANGE_SUMMARY_CHARS;
        if summarised {
            return read;
        }
        let message = "Say what changed in this revision, in 500 characters or fewer";
        let mut errors = read.err().unwrap_or_default();
        errors.add("change_summary", message);
        Err(errors)
    }
}

/// Default acknowledgement hours for a severity, given the configured hours for critical
/// and high (shown as the form's hint).
pub fn default_hours(severity: Severity, configured: u32) -> u32 {
    let policy = deadlines::AckPolicy {
        critical_hours: configured,
        high_hours: configured,
        ..deadlines::AckPolicy::default()
    };
    policy.default_hours(severity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::Reference;

    /// The configured hours for critical and high advisories in these tests, unlike the
    /// built-in default of 48, so a test can tell the configuration was used.
    const CONFIGURED_HOURS: u32 = 24;

    /// A complete, valid advisory as a browser sends the form (Windows line endings and all).
    fn typed() -> Vec<(String, String)> {
        [
            ("title", "  Log4j remote code execution  "),
            ("severity", "critical"),
            ("severity_reason", "Exploited widely and trivially."),
            ("tlp", "AMBER"),
            ("summary", "A flaw in Log4j lets attackers run code."),
            ("actively_exploited", "yes"),
            ("affected", "Apache | Log4j | >= 2.0.0, < 2.17.1"),
            ("cves", "CVE-2021-44228"),
            ("remediation", "Upgrade to 2.17.1.\r\nRestart the service."),
            ("workarounds", ""),
            (
                "references",
                "https://logging.apache.org/log4j/2.x/security.html Apache notice",
            ),
            ("audience", "all"),
            ("ack_required", "yes"),
            ("ack_hours", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The form as typed, with `name` set to `value` instead (added if it was not typed).
    fn with(name: &str, value: &str) -> FormValues {
        let mut fields: Vec<(String, String)> =
            typed().into_iter().filter(|(k, _)| k != name).collect();
        fields.push((name.to_owned(), value.to_owned()));
        FormValues::from_fields(&fields)
    }

    fn read(form: &FormValues) -> Result<AdvisoryContent, FormErrors> {
        form.to_content(&Directory::new(), CONFIGURED_HOURS)
    }

    fn fields_with_errors(errors: &FormErrors) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_complete_form_becomes_the_advisory_it_describes() {
        let c = read(&FormValues::from_fields(&typed())).expect("valid");
        assert_eq!(c.title, "Log4j remote code execution");
        assert_eq!(c.severity, Severity::Critical);
        assert_eq!(c.severity_reason, "Exploited widely and trivially.");
        assert_eq!(c.tlp, Tlp::Amber);
        assert!(c.actively_exploited);
        assert!(!c.in_kev);
        assert_eq!(
            c.affected
                .iter()
                .map(|a| (a.vendor.as_str(), a.product.as_str()))
                .collect::<Vec<_>>(),
            [("Apache", "Log4j")]
        );
        assert_eq!(c.cves.len(), 1);
        assert_eq!(c.cves[0].id, "CVE-2021-44228");
        assert_eq!(
            c.remediation,
            ["Upgrade to 2.17.1.", "Restart the service."]
        );
        assert!(c.workarounds.is_empty());
        assert_eq!(
            c.references,
            [Reference {
                url: "https://logging.apache.org/log4j/2.x/security.html".into(),
                title: "Apache notice".into(),
            }]
        );
        assert_eq!(c.audience, Audience::All);
        assert!(c.ack_required);
        // Left blank, the hours to acknowledge a critical advisory are the configured ones.
        assert_eq!(c.ack_hours, Some(CONFIGURED_HOURS));
    }

    #[test]
    fn hours_to_acknowledge_are_as_typed_the_default_or_none() {
        assert_eq!(
            read(&with("ack_hours", " 72 ")).unwrap().ack_hours,
            Some(72)
        );
        let medium = with("severity", "medium");
        assert_eq!(read(&medium).unwrap().ack_hours, Some(168));
        let unchecked = FormValues {
            ack_required: false,
            ack_hours: "72".into(),
            ..FormValues::from_fields(&typed())
        };
        let c = read(&unchecked).unwrap();
        assert!(!c.ack_required);
        assert_eq!(c.ack_hours, None);
    }

    #[test]
    fn each_wrong_field_gets_its_own_message() {
        let cases = [
            ("severity", "urgent", "severity", "Choose a severity"),
            ("tlp", "PURPLE", "tlp", "Choose a TLP label"),
            (
                "audience",
                "everyone",
                "audience",
                "Choose who the advisory is for",
            ),
            (
                "ack_hours",
                "two days",
                "ack_hours",
                "Enter the hours allowed to acknowledge as a whole number, like 48",
            ),
            (
                "ack_hours",
                "0",
                "ack_hours",
                "Give the hours allowed for acknowledgement, from 1 to 720.",
            ),
            ("summary", " ", "summary", "Enter a summary of the threat."),
            (
                "severity_reason",
                "",
                "severity_reason",
                "Say why this severity was chosen.",
            ),
            (
                "remediation",
                "\r\n",
                "remediation",
                "Give at least one remediation step or workaround.",
            ),
        ];
        for (name, value, field, message) in cases {
            let errors = read(&with(name, value)).expect_err(name);
            assert_eq!(fields_with_errors(&errors), [field], "{name}={value:?}");
            assert_eq!(errors.get(field), Some(message), "{name}={value:?}");
        }
    }

    #[test]
    fn an_audience_with_nobody_in_it_is_refused_beside_the_choice_left_empty() {
        let cases = [
            (
                "types",
                "audience_types",
                "Choose at least one type of organisation",
            ),
            (
                "list",
                "audience_orgs",
                "Enter the ODS code of at least one organisation",
            ),
        ];
        for (audience, field, message) in cases {
            let errors = read(&with("audience", audience)).expect_err(audience);
            // The whole-advisory check also marks the audience question itself.
            assert_eq!(
                fields_with_errors(&errors),
                [field, "audience"],
                "{audience}"
            );
            assert_eq!(errors.get(field), Some(message), "{audience}");
        }
    }

    #[test]
    fn wrong_lines_are_named_with_the_list_they_are_in() {
        let cases = [
            (
                "affected",
                "Apache | Log4j | >= 2.17.1, < 2.0.0",
                "Affected products, ",
            ),
            ("cves", "CVE-21-44228", "Vulnerabilities, "),
            ("references", "ftp://example.org/x Notes", "References, "),
        ];
        for (field, value, start) in cases {
            let errors = read(&with(field, value)).expect_err(field);
            assert_eq!(fields_with_errors(&errors), [field]);
            let message = errors.get(field).unwrap_or_default();
            assert!(message.starts_with(start), "{field}: {message}");
            assert!(message.contains("line 1"), "{field}: {message}");
        }
        let errors = read(&with("title", "")).expect_err("no title");
        assert!(
            errors
                .get("title")
                .unwrap_or_default()
                .starts_with("Enter a title")
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut fields = typed();
        for (k, v) in &mut fields {
            match k.as_str() {
                "severity" => *v = String::new(),
                "tlp" => *v = "none".into(),
                "cves" => *v = "CVE-1".into(),
                "ack_hours" => *v = "-1".into(),
                _ => {}
            }
        }
        let errors = read(&FormValues::from_fields(&fields)).expect_err("four problems");
        assert_eq!(
            fields_with_errors(&errors),
            ["severity", "tlp", "cves", "ack_hours"]
        );
    }

    #[test]
    fn an_audience_list_names_organisations_by_ods_code_in_any_case() {
        let (rx1, ry2) = (Uuid::new_v4(), Uuid::new_v4());
        let directory = Directory::from([("RX1".to_owned(), rx1), ("RY2".to_owned(), ry2)]);
        let mut form = with("audience", "list");
        form.audience_orgs = "rx1\nRY2, RX1".into();
        let c = form.to_content(&directory, CONFIGURED_HOURS).unwrap();
        assert_eq!(c.audience, Audience::Organisations(vec![rx1, ry2]));

        form.audience_orgs = "RX1 zz9\nQQ8".into();
        let errors = form.to_content(&directory, CONFIGURED_HOURS).unwrap_err();
        assert_eq!(
            errors.get("audience_orgs"),
            Some("No organisation has the ODS codes zz9, QQ8")
        );
        form.audience_orgs = "RX1 zz9".into();
        let errors = form.to_content(&directory, CONFIGURED_HOURS).unwrap_err();
        assert_eq!(
            errors.get("audience_orgs"),
            Some("No organisation has the ODS code zz9")
        );
    }

    #[test]
    fn an_audience_of_types_keeps_only_types_that_can_register() {
        let mut fields = typed();
        fields.retain(|(k, _)| k != "audience");
        for (k, v) in [
            ("audience", "types"),
            ("audience_types", "nhs_trust"),
            ("audience_types", "national_team"),
            ("audience_types", "nonsense"),
        ] {
            fields.push((k.to_owned(), v.to_owned()));
        }
        let c = read(&FormValues::from_fields(&fields)).unwrap();
        assert_eq!(c.audience, Audience::Types(vec![OrgType::NhsTrust]));
    }

    #[test]
    fn what_was_typed_is_kept_whole_to_be_shown_back() {
        let mut fields = typed();
        fields.extend(
            [
                ("audience_types", "nhs_trust"),
                ("audience_types", "gp_practice"),
                ("audience_orgs", "RX1\r\nRY2"),
                ("change_summary", "  Added the 2.12 fix  "),
                ("notify", "yes"),
                ("in_kev", "no"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        let form = FormValues::from_fields(&fields);
        assert_eq!(form.title, "Log4j remote code execution");
        assert_eq!(form.severity, "critical");
        assert_eq!(form.tlp, "AMBER");
        assert_eq!(form.affected, "Apache | Log4j | >= 2.0.0, < 2.17.1");
        assert_eq!(form.remediation, "Upgrade to 2.17.1.\nRestart the service.");
        assert_eq!(form.audience_types, ["nhs_trust", "gp_practice"]);
        assert_eq!(form.audience_orgs, "RX1\nRY2");
        assert_eq!(form.change_summary, "Added the 2.12 fix");
        assert!(form.actively_exploited && form.ack_required && form.notify);
        // Only "yes" ticks a box.
        assert!(!form.in_kev);
        // Reading it, right or wrong, changes nothing that would be shown back.
        let wrong = FormValues {
            cves: "CVE-21-44228".into(),
            ..form.clone()
        };
        assert!(read(&wrong).is_err());
        assert_eq!(wrong.cves, "CVE-21-44228");
        assert_eq!(wrong.title, form.title);
    }

    #[test]
    fn a_field_not_sent_reads_as_empty() {
        let form = FormValues::from_fields(&[]);
        assert_eq!(form.title, "");
        assert!(!form.ack_required && !form.notify && form.audience_types.is_empty());
        let errors = read(&form).unwrap_err();
        for field in ["severity", "tlp", "audience", "title"] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn a_revision_must_say_what_changed() {
        let valid = || read(&FormValues::from_fields(&typed()));
        let summarised = with("change_summary", "Added the fix for the 2.12 branch");
        assert!(summarised.check_change_summary(valid()).is_ok());
        let message = "Say what changed in this revision, in 500 characters or fewer";
        for summary in ["", "   ", &"x".repeat(501)] {
            let form = with("change_summary", summary);
            let errors = form.check_change_summary(valid()).unwrap_err();
            assert_eq!(errors.get("change_summary"), Some(message), "{summary:?}");
        }
        assert!(
            with("change_summary", &"é".repeat(500))
                .check_change_summary(valid())
                .is_ok()
        );
        // Joined to the content's problems, not in place of them.
        let form = with("change_summary", "");
        let errors = form
            .check_change_summary(read(&with("tlp", "")))
            .unwrap_err();
        assert_eq!(fields_with_errors(&errors), ["tlp", "change_summary"]);
    }

    #[test]
    fn content_read_back_into_the_form_reads_the_same() {
        let c = read(&FormValues::from_fields(&typed())).unwrap();
        let form = FormValues {
            affected: content::format_affected(&c.affected),
            cves: content::format_cves(&c.cves),
            remediation: content::format_steps(&c.remediation),
            references: content::format_references(&c.references),
            ack_hours: c.ack_hours.map(|h| h.to_string()).unwrap_or_default(),
            ..FormValues::from_fields(&typed())
        };
        assert_eq!(read(&form), Ok(c));
    }
}
