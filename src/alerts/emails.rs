//! The emails the Alerts service sends: a new advisory, a revision, a withdrawal, and each
//! step of the escalation ladder. Plain text built from plain data, so each is unit-tested.

use time::OffsetDateTime;

use crate::platform::web::format::long_date;
use crate::{
    alerts::{
        access::{self, Reader},
        model::{AdvisoryContent, Tlp},
        withheld,
    },
    platform::email::Email,
};

/// What every advisory email needs to say.
#[derive(Debug, Clone)]
pub struct About<'a> {
    pub reference: &'a str,
    title: &'a str,
    pub severity: &'a str,
    tlp: Tlp,
    pub ack_due: Option<OffsetDateTime>,
    pub public_url: &'a str,
}

impl<'a> About<'a> {
    pub fn new(
        reference: &'a str,
        c: &'a AdvisoryContent,
        ack_due: Option<OffsetDateTime>,
        public_url: &'a str,
    ) -> Self {
        About {
            reference,
            title: &c.title,
            severity: c.severity.label(),
            tlp: c.tlp,
            ack_due,
            public_url,
        }
    }

    fn link(&self) -> String {
        withheld::link(self.public_url, self.reference)
    }

    fn label(&self) -> String {
        format!("TLP:{}", self.tlp.as_str())
    }

    /// The title as an email to the organisation's own security leads may carry it: never
    /// a TLP:RED one's (see [`withheld`]).
    fn title(&self) -> &str {
        if withheld::applies(self.tlp) {
            withheld::TITLE
        } else {
            self.title
        }
    }

    /// The title as an email to the leads of a parent organisation may carry it: only when
    /// the label lets them read the advisory.
    fn title_for_parent(&self) -> &str {
        if access::tlp_allows(self.tlp, Reader::ParentLead) {
            self.title()
        } else {
            "sign in to read it"
        }
    }

    /// Text the analyst wrote (what changed, why withdrawn), unless the advisory is withheld.
    fn text<'t>(&self, text: &'t str) -> &'t str {
        if withheld::applies(self.tlp) {
            "sign in to read it"
        } else {
            text
        }
    }

    fn due(&self) -> String {
        match self.ack_due {
            Some(at) => format!(
                "Acknowledge it by {} ({} UTC).",
                long_date(at),
                at.time().format(TIME).unwrap_or_default()
            ),
            None => "It does not need acknowledging, but check whether it applies to you.".into(),
        }
    }
}

const TIME: &[time::format_description::FormatItem<'_>] =
    time::macros::format_description!("[hour]:[minute]");

fn email(to: &str, subject: String, name: &str, body: String) -> Email {
    Email {
        to: to.to_owned(),
        subject,
        body: format!(
            "Dear {name},\n\n{body}\n\nYou receive this because you are a security lead. \
             Do not forward the advisory beyond what its TLP label allows.\n\nCareCERT national team"
        ),
    }
}

pub fn new_advisory(a: &About, org: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!(
            "[{}] {} severity advisory {}: {}",
            a.label(),
            a.severity,
            a.reference,
            a.title()
        ),
        name,
        format!(
            "The national team has published advisory {} for {org}: {}.\n\n{}\n\n\
             Read it and record your response here:\n{}",
            a.reference,
            a.title(),
            a.due(),
            a.link()
        ),
    )
}

pub fn revised(a: &About, org: &str, summary: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!(
            "[{}] Advisory {} updated: {}",
            a.label(),
            a.reference,
            a.title()
        ),
        name,
        format!(
            "Advisory {} for {org} has been revised.\n\nWhat changed: {}\n\n\
             Read the new version here:\n{}",
            a.reference,
            a.text(summary),
            a.link()
        ),
    )
}

pub fn withdrawn(a: &About, org: &str, reason: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!("Advisory {} withdrawn: {}", a.reference, a.title()),
        name,
        format!(
            "Advisory {} has been withdrawn. {org} does not need to respond to it any more.\n\n\
             Reason: {}\n\n{}",
            a.reference,
            a.text(reason),
            a.link()
        ),
    )
}

pub fn reminder(a: &About, org: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!(
            "Reminder: acknowledge advisory {} ({})",
            a.reference,
            a.title()
        ),
        name,
        format!(
            "{org} has not yet acknowledged advisory {}: {}.\n\n{}\n\nRespond here:\n{}",
            a.reference,
            a.title(),
            a.due(),
            a.link()
        ),
    )
}

pub fn overdue(a: &About, org: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!(
            "Overdue: advisory {} has not been acknowledged",
            a.reference
        ),
        name,
        format!(
            "The deadline to acknowledge advisory {} ({}) has passed and {org} has not responded. \
             The national team can see this, and your parent organisation has been told.\n\n\
             Respond now:\n{}",
            a.reference,
            a.title(),
            a.link()
        ),
    )
}

/// To the leads of a parent organisation (for example an integrated care board) about the
/// organisations under it that have not acknowledged.
pub fn parent_overdue(a: &About, parent: &str, silent: &[String], to: &str, name: &str) -> Email {
    let list: String = silent.iter().map(|o| format!("- {o}\n")).collect();
    email(
        to,
        format!(
            "Escalation: {} organisation{} under {parent} not responding to advisory {}",
            silent.len(),
            if silent.len() == 1 { "" } else { "s" },
            a.reference
        ),
        name,
        format!(
            "These organisations under {parent} have not acknowledged advisory {} ({}), and the \
             deadline has passed:\n\n{list}\nPlease follow this up with them. The advisory:\n{}",
            a.reference,
            a.title_for_parent(),
            a.link()
        ),
    )
}

pub fn update_overdue(a: &About, org: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!("Update due: remediation of advisory {}", a.reference),
        name,
        format!(
            "{org} is remediating advisory {} ({}) and its next progress update is overdue. \
             Record an update, or close the response if remediation is finished:\n{}",
            a.reference,
            a.title(),
            a.link()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About<'static> {
        About {
            reference: "CC-2026-0042",
            title: "Log4j remote code execution",
            severity: "Critical",
            tlp: Tlp::Clear,
            ack_due: Some(time::macros::datetime!(2026-03-02 09:30 UTC)),
            public_url: "https://carecert.example/",
        }
    }

    #[test]
    fn red_advisory_emails_carry_a_notice_and_a_link_not_the_text() {
        let red = About {
            tlp: Tlp::Red,
            ..about()
        };
        let summary = "Added the vendor's fix";
        let reason = "The vendor withdrew the report";
        let silent = vec!["Practice A".to_owned()];
        for e in [
            new_advisory(&red, "Org", "x@example.org", "X"),
            revised(&red, "Org", summary, "x@example.org", "X"),
            withdrawn(&red, "Org", reason, "x@example.org", "X"),
            reminder(&red, "Org", "x@example.org", "X"),
            overdue(&red, "Org", "x@example.org", "X"),
            update_overdue(&red, "Org", "x@example.org", "X"),
            parent_overdue(&red, "ICB", &silent, "x@example.org", "X"),
        ] {
            for text in [&e.subject, &e.body] {
                for secret in ["Log4j", summary, reason] {
                    assert!(!text.contains(secret), "{secret} in {text}");
                }
            }
            assert!(
                e.body
                    .contains("https://carecert.example/alerts/CC-2026-0042")
            );
        }
    }

    #[test]
    fn amber_strict_titles_stay_out_of_parent_escalations() {
        let strict = About {
            tlp: Tlp::AmberStrict,
            ..about()
        };
        let silent = vec!["Practice A".to_owned()];
        let e = parent_overdue(&strict, "ICB", &silent, "x@example.org", "X");
        assert!(!e.body.contains("Log4j"), "{}", e.body);
        let own = reminder(&strict, "Practice A", "x@example.org", "X");
        assert!(
            own.body.contains("Log4j"),
            "the organisation's own lead is told"
        );
    }

    #[test]
    fn new_advisory_email_names_the_deadline_and_links_to_the_response() {
        let e = new_advisory(&about(), "Northfield", "lead@example.org", "Sam");
        assert!(e.subject.contains("CC-2026-0042"));
        assert!(e.body.contains("2 March 2026"), "{}", e.body);
        assert!(e.body.contains("09:30 UTC"));
        assert!(
            e.body
                .contains("https://carecert.example/alerts/CC-2026-0042")
        );
        assert!(e.body.starts_with("Dear Sam"));
    }

    #[test]
    fn parent_escalation_lists_every_silent_organisation() {
        let silent = vec!["Practice A".to_owned(), "Practice B".to_owned()];
        let e = parent_overdue(&about(), "North ICB", &silent, "icb@example.org", "Jo");
        assert!(
            e.subject
                .starts_with("Escalation: 2 organisations under North ICB")
        );
        assert!(e.body.contains("- Practice A\n- Practice B\n"));
    }

    #[test]
    fn advisories_without_acknowledgement_say_so() {
        let mut a = about();
        a.ack_due = None;
        let e = reminder(&a, "Org", "x@example.org", "X");
        assert!(e.body.contains("does not need acknowledging"));
    }
}
