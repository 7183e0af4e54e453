//! The emails the Alerts service sends: a new advisory, a revision, a withdrawal, and each
//! step of the escalation ladder. Plain text built from plain data, so each is unit-tested.

use time::OffsetDateTime;

use crate::{knowledge::learner::long_date, platform::email::Email};

/// What every advisory email needs to say.
#[derive(Debug, Clone)]
pub struct About<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub severity: &'a str,
    pub tlp: &'a str,
    pub ack_due: Option<OffsetDateTime>,
    pub public_url: &'a str,
}

impl About<'_> {
    fn link(&self) -> String {
        format!(
            "{}/alerts/{}",
            self.public_url.trim_end_matches('/'),
            self.reference
        )
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
            a.tlp, a.severity, a.reference, a.title
        ),
        name,
        format!(
            "The national team has published advisory {} for {org}: {}.\n\n{}\n\n\
             Read it and record your response here:\n{}",
            a.reference,
            a.title,
            a.due(),
            a.link()
        ),
    )
}

pub fn revised(a: &About, org: &str, summary: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!("[{}] Advisory {} updated: {}", a.tlp, a.reference, a.title),
        name,
        format!(
            "Advisory {} for {org} has been revised.\n\nWhat changed: {summary}\n\n\
             Read the new version here:\n{}",
            a.reference,
            a.link()
        ),
    )
}

pub fn withdrawn(a: &About, org: &str, reason: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!("Advisory {} withdrawn: {}", a.reference, a.title),
        name,
        format!(
            "Advisory {} has been withdrawn. {org} does not need to respond to it any more.\n\n\
             Reason: {reason}\n\n{}",
            a.reference,
            a.link()
        ),
    )
}

pub fn reminder(a: &About, org: &str, to: &str, name: &str) -> Email {
    email(
        to,
        format!(
            "Reminder: acknowledge advisory {} ({})",
            a.reference, a.title
        ),
        name,
        format!(
            "{org} has not yet acknowledged advisory {}: {}.\n\n{}\n\nRespond here:\n{}",
            a.reference,
            a.title,
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
            a.title,
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
            a.title,
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
            a.title,
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
            tlp: "TLP:CLEAR",
            ack_due: Some(time::macros::datetime!(2026-03-02 09:30 UTC)),
            public_url: "https://carecert.example/",
        }
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
