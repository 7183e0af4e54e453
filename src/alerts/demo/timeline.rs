//! The month of Alerts work the demo shows, as dated steps: each advisory's publication, every
//! organisation's response to it, the revision and the withdrawal, and the escalation scans
//! the job worker would have run at each reminder and deadline. Plain data, so the story can be
//! checked against the response rules without a database.

use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::alerts::{
    model::AdvisoryContent,
    rules::{deadlines, responses::Action},
};

use super::advisories;

pub const ANALYST: &str = "analyst@carecert.example";
pub const ADMIN: &str = "admin@carecert.example";
/// The integrated care board's lead, who also responds for its GP practice that has no lead.
const ICB_LEAD: &str = "lead@northfield-icb.example";

/// The security lead who responds for each demo organisation, by ODS code.
pub const RESPONDERS: [(&str, &str); 9] = [
    ("QZ1", ICB_LEAD),
    ("RZ1", "lead@northfield-hospitals.example"),
    ("RZ2", "lead@eastbrook-community.example"),
    ("RZ3", "lead@westmoor-ambulance.example"),
    ("RZ4", "lead@kingsbridge-hospitals.example"),
    ("XZ1", "lead@northfield-his.example"),
    ("Z99901", "lead@riverside-practice.example"),
    ("Z99902", ICB_LEAD),
    ("VZ001", "manager@oakwood-care.example"),
];

/// Dates relative to the moment the demo is loaded, so deadlines fall where the demo needs
/// them whenever it is started.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: OffsetDateTime,
}

impl Clock {
    /// `days` days before today at `hour:minute` UTC. Always in the past for one day or more.
    pub fn day(&self, days: i64, hour: u8, minute: u8) -> OffsetDateTime {
        let time = Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT);
        self.now
            .date()
            .saturating_sub(Duration::days(days))
            .with_time(time)
            .assume_utc()
    }

    pub fn hours_ago(&self, hours: i64) -> OffsetDateTime {
        self.now.saturating_sub(Duration::hours(hours))
    }
}

/// The published demo advisories.
#[derive(Debug, Clone, Copy)]
pub struct Advisories {
    pub openssl: Uuid,
    pub moveit: Uuid,
    pub log4j: Uuid,
    pub citrix: Uuid,
    pub phishing: Uuid,
    pub fortios: Uuid,
}

/// One thing that happens in the story.
#[derive(Debug, Clone)]
pub enum Step {
    Publish {
        advisory: Uuid,
        reviewer: &'static str,
    },
    Respond {
        advisory: Uuid,
        ods: &'static str,
        action: Action,
    },
    Revise {
        advisory: Uuid,
        content: Box<AdvisoryContent>,
        summary: String,
        by: &'static str,
    },
    Withdraw {
        advisory: Uuid,
        reason: String,
    },
    /// The job worker's escalation scan.
    Scan,
}

fn applies(days: i64) -> Action {
    Action::Applies {
        next_update_days: Some(days),
    }
}

fn not_applicable(reason: &str) -> Action {
    Action::DoesNotApply {
        reason: reason.to_owned(),
    }
}

fn update(note: &str, days: i64) -> Action {
    Action::Update {
        note: note.to_owned(),
        next_update_days: Some(days),
    }
}

fn remediated(note: &str) -> Action {
    Action::CloseRemediated {
        note: note.to_owned(),
    }
}

struct Story {
    clock: Clock,
    steps: Vec<(OffsetDateTime, Step)>,
}

impl Story {
    /// Publication, with the escalation scans at its reminder and deadline when those have
    /// passed.
    fn publish(
        &mut self,
        advisory: Uuid,
        reviewer: &'static str,
        at: OffsetDateTime,
        ack_hours: Option<u32>,
    ) {
        self.steps.push((at, Step::Publish { advisory, reviewer }));
        if let Some(hours) = ack_hours {
            let due = deadlines::ack_due(at, hours);
            for scan in [deadlines::reminder_at(at, due), due] {
                if scan < self.clock.now {
                    self.steps.push((scan, Step::Scan));
                }
            }
        }
    }

    fn respond(&mut self, advisory: Uuid, ods: &'static str, at: OffsetDateTime, action: Action) {
        self.steps.push((
            at,
            Step::Respond {
                advisory,
                ods,
                action,
            },
        ));
    }
}

/// What the story's later steps say, from the advisory files: the Log4j advisory's second
/// version and its note of what changed, and why the OpenSSL advisory is withdrawn.
#[derive(Debug, Clone)]
pub struct Changes {
    pub log4j_revision: AdvisoryContent,
    pub log4j_revision_note: String,
    pub openssl_withdrawn: String,
}

impl Changes {
    /// Read from the built-in advisory files.
    pub fn builtin() -> anyhow::Result<Self> {
        let second = advisories::builtin(advisories::REVISION)?;
        let openssl = advisories::builtin(advisories::WITHDRAWN)?;
        let missing = |field: &str, name: &str| {
            anyhow::anyhow!("The demo advisory file {name}.toml needs {field}")
        };
        Ok(Changes {
            log4j_revision_note: second
                .revision_note
                .ok_or_else(|| missing("revision_note", advisories::REVISION))?,
            log4j_revision: second.content,
            openssl_withdrawn: openssl
                .withdrawn_reason
                .ok_or_else(|| missing("withdrawn_reason", advisories::WITHDRAWN))?,
        })
    }
}

/// Every step in the order it happened.
pub fn steps(ids: &Advisories, clock: Clock, changes: Changes) -> Vec<(OffsetDateTime, Step)> {
    let mut s = Story {
        clock,
        steps: Vec::new(),
    };
    openssl(&mut s, ids.openssl, changes.openssl_withdrawn);
    moveit(&mut s, ids.moveit);
    log4j(
        &mut s,
        ids.log4j,
        changes.log4j_revision,
        changes.log4j_revision_note,
    );
    citrix(&mut s, ids.citrix);
    phishing(&mut s, ids.phishing);
    fortios(&mut s, ids.fortios);
    s.steps.sort_by_key(|(at, _)| *at);
    s.steps
}

/// Published ahead of an OpenSSL release; withdrawn a week later.
fn openssl(s: &mut Story, a: Uuid, reason: String) {
    let d = |days, h, m| s.clock.day(days, h, m);
    let (published, withdrawn) = (d(26, 10, 0), d(19, 14, 0));
    let steps = [
        ("RZ1", d(26, 11, 20), Action::Acknowledge),
        ("RZ1", d(26, 15, 5), applies(5)),
        ("RZ4", d(26, 12, 40), Action::Acknowledge),
        (
            "RZ4",
            d(26, 13, 0),
            not_applicable(
                "Our Linux servers run RHEL 8 with OpenSSL 1.1.1, and the suppliers of our \
                 appliances have confirmed none of them use OpenSSL 3.0.",
            ),
        ),
        ("QZ1", d(25, 9, 10), Action::Acknowledge),
        ("RZ2", d(25, 16, 0), Action::Acknowledge),
        ("RZ2", d(25, 16, 30), applies(7)),
        (
            "RZ1",
            d(21, 10, 0),
            update(
                "Found OpenSSL 3.0.2 on the nine Ubuntu 22.04 web servers, and Node.js 18 with \
                 its own copy on the patient portal servers. Ubuntu updates are staged to go \
                 out the day the release appears.",
                7,
            ),
        ),
    ];
    s.publish(a, ADMIN, published, Some(48));
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
    s.steps.push((
        withdrawn,
        Step::Withdraw {
            advisory: a,
            reason,
        },
    ));
}

/// Mostly closed: everyone who runs MOVEit patched it; the care home never answered.
fn moveit(s: &mut Story, a: Uuid) {
    let d = |days, h, m| s.clock.day(days, h, m);
    let published = d(20, 9, 30);
    let steps = [
        ("RZ1", d(20, 10, 5), Action::Acknowledge),
        ("RZ1", d(20, 10, 40), applies(1)),
        (
            "RZ1",
            d(19, 11, 0),
            update(
                "Web access to MOVEit Transfer blocked at the firewall since 10:50 yesterday; \
                 SFTP exchanges with the pathology partners carry on. Version 2023.0.1 passed \
                 testing this morning and goes live tonight.",
                1,
            ),
        ),
        (
            "RZ1",
            d(18, 16, 30),
            remediated(
                "Upgraded to 2023.0.1 and web access reopened. No human2.aspx or other \
                 unexpected files in wwwroot, no unknown accounts, and no unusual downloads in \
                 the last 90 days of logs. Service account passwords reset as a precaution.",
            ),
        ),
        ("RZ4", d(20, 11, 0), Action::Acknowledge),
        ("RZ4", d(20, 11, 30), applies(2)),
        (
            "RZ4",
            d(19, 17, 45),
            remediated(
                "Upgraded to 2023.0.1. Our incident response retainer reviewed the server: no \
                 web shell, no unknown accounts and no sign of files being taken.",
            ),
        ),
        ("XZ1", d(20, 12, 10), Action::Acknowledge),
        ("XZ1", d(20, 12, 30), applies(1)),
        (
            "XZ1",
            d(19, 9, 20),
            remediated(
                "The practice data extract server was upgraded to 2022.1.5 overnight, with web \
                 access blocked until then. Checks for web shells and unknown accounts found \
                 nothing.",
            ),
        ),
        ("RZ2", d(20, 13, 0), Action::Acknowledge),
        (
            "RZ2",
            d(20, 13, 5),
            not_applicable(
                "We do not use MOVEit. Files are exchanged with partners through NHSmail \
                 encryption ([secure] in the subject line).",
            ),
        ),
        ("QZ1", d(20, 14, 0), Action::Acknowledge),
        (
            "QZ1",
            d(20, 14, 10),
            not_applicable(
                "The ICB does not run MOVEit Transfer. The health informatics service runs one \
                 and is responding for it.",
            ),
        ),
        ("Z99901", d(19, 9, 0), Action::Acknowledge),
        (
            "Z99901",
            d(19, 9, 5),
            not_applicable("The practice does not use MOVEit."),
        ),
        ("Z99902", d(19, 10, 0), Action::Acknowledge),
        (
            "Z99902",
            d(19, 10, 5),
            not_applicable(
                "Recorded by the ICB for the practice: Millbrook Surgery does not use MOVEit, \
                 confirmed with the practice manager by phone.",
            ),
        ),
        ("RZ3", d(18, 14, 0), Action::Acknowledge),
        (
            "RZ3",
            d(18, 14, 30),
            not_applicable("No MOVEit products in use, checked against our asset register."),
        ),
    ];
    s.publish(a, ANALYST, published, Some(48));
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
}

/// Revised three days after publication, when the first fix proved incomplete.
fn log4j(s: &mut Story, a: Uuid, revision: AdvisoryContent, note: String) {
    let d = |days, h, m| s.clock.day(days, h, m);
    let (published, revised) = (d(12, 10, 30), d(9, 16, 0));
    let steps = [
        ("RZ3", d(12, 11, 0), Action::Acknowledge),
        ("RZ3", d(12, 11, 30), applies(3)),
        ("RZ4", d(12, 11, 10), Action::Acknowledge),
        ("RZ4", d(12, 11, 40), applies(3)),
        ("RZ1", d(12, 11, 45), Action::Acknowledge),
        ("RZ1", d(12, 15, 0), applies(3)),
        ("RZ2", d(12, 12, 0), Action::Acknowledge),
        ("RZ2", d(12, 12, 30), applies(3)),
        ("QZ1", d(12, 13, 0), Action::Acknowledge),
        (
            "QZ1",
            d(12, 13, 30),
            not_applicable(
                "No Java applications on ICB servers. The suppliers of our hosted services \
                 have confirmed they run fixed versions.",
            ),
        ),
        ("XZ1", d(12, 13, 20), Action::Acknowledge),
        ("XZ1", d(12, 14, 0), applies(5)),
        ("Z99901", d(12, 14, 0), Action::Acknowledge),
        (
            "Z99901",
            d(12, 14, 5),
            not_applicable(
                "Nothing at the practice runs Java. Our clinical system supplier has published \
                 its own response.",
            ),
        ),
        ("Z99902", d(11, 9, 0), Action::Acknowledge),
        (
            "Z99902",
            d(11, 9, 10),
            not_applicable(
                "Recorded by the ICB for the practice: no Java applications at Millbrook \
                 Surgery. Its desktops are managed by the health informatics service, which is \
                 responding for its own systems.",
            ),
        ),
        ("VZ001", d(9, 15, 0), Action::Acknowledge),
        (
            "VZ001",
            d(9, 15, 20),
            not_applicable(
                "Our care planning system is hosted by its supplier, who confirmed in writing \
                 that it is not affected. No Java software on our own laptops.",
            ),
        ),
        (
            "RZ1",
            d(9, 17, 30),
            update(
                "Revision 2 brings the theatre scheduling integration (2.16.0) into scope as \
                 well as the pathology results viewer (2.14.1). JndiLookup removed from both \
                 in the meantime; both suppliers asked for fixed releases.",
                5,
            ),
        ),
        (
            "RZ3",
            d(9, 17, 0),
            update(
                "The dispatch reporting module runs on Java 7 with log4j-core 2.12.2, which \
                 revision 2 brings back into scope. The supplier's build with 2.12.4 is in \
                 testing; the reporting servers cannot reach the internet.",
                7,
            ),
        ),
        (
            "RZ2",
            d(9, 18, 0),
            update(
                "The referral management service went to 2.16.0 yesterday; revision 2 means \
                 it needs 2.17.1, scheduled for tomorrow evening.",
                2,
            ),
        ),
        (
            "RZ4",
            d(8, 15, 0),
            remediated(
                "Electronic prescribing integration upgraded to 2.17.1 after revision 2; the \
                 bed management dashboard was already on 2.20.0. A scan of every server found \
                 no other copies.",
            ),
        ),
        (
            "RZ2",
            d(7, 16, 0),
            remediated(
                "Referral management service now on log4j-core 2.17.1; a scan of every server \
                 found no other copies.",
            ),
        ),
        (
            "XZ1",
            d(6, 12, 0),
            remediated(
                "The service desk system's supplier upgraded it to a release with log4j-core \
                 2.17.2; no other copies found.",
            ),
        ),
        (
            "RZ1",
            d(4, 10, 0),
            update(
                "The theatre scheduling supplier has a release with 2.17.1, in testing in the \
                 training environment. The pathology viewer supplier expects a fixed version \
                 next month; the server is blocked from the internet meanwhile.",
                3,
            ),
        ),
        (
            "RZ3",
            d(3, 10, 0),
            update(
                "The supplier's 2.12.4 build failed acceptance testing on report exports; a \
                 corrected build is due next week. JndiLookup removed in the meantime.",
                7,
            ),
        ),
        (
            "RZ1",
            d(1, 9, 30),
            update(
                "Theatre scheduling upgrade booked for the next maintenance window. Still \
                 waiting for the pathology viewer supplier; the interim measures were checked \
                 again today.",
                3,
            ),
        ),
    ];
    s.publish(a, ADMIN, published, Some(48));
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
    s.steps.push((
        revised,
        Step::Revise {
            advisory: a,
            content: Box::new(revision),
            summary: note,
            by: ANALYST,
        },
    ));
}

/// The main advisory: three days old with a 48-hour deadline, so those still silent are
/// overdue, and responses in every state.
fn citrix(s: &mut Story, a: Uuid) {
    let d = |days, h, m| s.clock.day(days, h, m);
    let published = d(3, 9, 0);
    let recent = s.clock.hours_ago(5);
    let steps = [
        ("RZ4", d(3, 9, 25), Action::Acknowledge),
        ("RZ4", d(3, 9, 50), applies(1)),
        (
            "RZ4",
            d(2, 8, 30),
            remediated(
                "Both Gateway appliances upgraded to 13.1-49.15 overnight, then every session \
                 ended with the kill commands and persistent sessions cleared. The Gateway logs \
                 show no session used from more than one address.",
            ),
        ),
        ("RZ2", d(3, 9, 40), Action::Acknowledge),
        ("RZ2", d(3, 10, 30), applies(1)),
        (
            "RZ2",
            d(2, 11, 0),
            update(
                "Gateway pair A upgraded to 14.1-8.50 and all its sessions ended. Pair B (13.1) \
                 needs sign-off from the clinical safety officer under the change freeze; \
                 booked for this evening.",
                1,
            ),
        ),
        (
            "RZ2",
            recent,
            update(
                "The pair B upgrade was rolled back: the new build broke single sign-on to the \
                 community records portal. Pair B is now closed to the internet and staff use \
                 pair A. Retrying with the supplier in the next maintenance window.",
                2,
            ),
        ),
        ("Z99901", d(3, 10, 15), Action::Acknowledge),
        (
            "Z99901",
            d(3, 10, 20),
            not_applicable(
                "We do not run NetScaler. Remote access to the practice's systems is through \
                 the health informatics service, which is responding for its own equipment.",
            ),
        ),
        ("RZ3", d(3, 11, 0), Action::Acknowledge),
        ("RZ3", d(3, 11, 30), applies(1)),
        (
            "RZ3",
            d(2, 10, 0),
            update(
                "The Gateway pair is on 13.0-91.13. The upgrade to 13.0-92.19 needs the \
                 dispatch system supplier to confirm their remote support still works; they \
                 have been asked to reply today.",
                1,
            ),
        ),
        ("XZ1", d(3, 12, 0), Action::Acknowledge),
        (
            "XZ1",
            d(2, 15, 0),
            Action::AcceptRisk {
                owner: "Dr Helen Ashworth, Director of Digital Services".to_owned(),
                reason: "The affected appliance is a NetScaler Gateway on release 12.1, which \
                    is end of life and will not be fixed. It serves only the legacy pathology \
                    results portal, which is switched off when its replacement goes live in \
                    ten days. Until then the Gateway accepts connections from HSCN addresses \
                    only, every session has been ended, and reuse of a session from a second \
                    address raises an alert."
                    .to_owned(),
            },
        ),
        ("QZ1", d(3, 14, 20), Action::Acknowledge),
    ];
    s.publish(a, ADMIN, published, Some(48));
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
}

/// Needs no acknowledgement: a few organisations still tell the national team what they did.
fn phishing(s: &mut Story, a: Uuid) {
    let d = |days, h, m| s.clock.day(days, h, m);
    let published = d(2, 8, 45);
    let steps = [
        ("QZ1", d(2, 9, 30), Action::Acknowledge),
        ("RZ2", d(2, 10, 0), Action::Acknowledge),
        ("RZ2", d(2, 10, 10), applies(1)),
        ("RZ4", d(2, 11, 0), Action::Acknowledge),
        ("Z99901", d(2, 12, 0), Action::Acknowledge),
        (
            "Z99901",
            d(2, 12, 5),
            not_applicable(
                "Warned all staff at the morning meeting; nobody at the practice received \
                 the email.",
            ),
        ),
        (
            "RZ2",
            d(1, 15, 30),
            remediated(
                "Three people in finance entered their details. Their passwords were reset and \
                 their sessions ended within the hour; one account had a new rule forwarding \
                 invoices to an outside address, now removed. Incident reported to CareCERT.",
            ),
        ),
    ];
    s.publish(a, ANALYST, published, None);
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
}

/// Published yesterday: acknowledgement is due within the day.
fn fortios(s: &mut Story, a: Uuid) {
    let h = |hours| s.clock.hours_ago(hours);
    let published = h(30);
    let steps = [
        ("RZ2", h(29), Action::Acknowledge),
        (
            "RZ2",
            h(28),
            not_applicable(
                "No Fortinet equipment: our firewalls are Palo Alto Networks, and remote access \
                 is through Citrix Gateway and GlobalProtect.",
            ),
        ),
        ("RZ4", h(27), Action::Acknowledge),
        ("RZ4", h(26), applies(2)),
        (
            "RZ4",
            h(6),
            update(
                "The test firewall took 7.2.7 without problems. The production pair is \
                 upgraded tonight; SSL VPN is off until then and staff are using Citrix \
                 Gateway.",
                1,
            ),
        ),
        ("XZ1", h(25), Action::Acknowledge),
        (
            "XZ1",
            h(24),
            not_applicable(
                "Every FortiGate we manage already runs a fixed release (6.4.15 in the data \
                 centre, 7.0.14 at the practices), checked against the device inventory.",
            ),
        ),
        ("QZ1", h(20), Action::Acknowledge),
    ];
    s.publish(a, ADMIN, published, Some(48));
    for (ods, at, action) in steps {
        s.respond(a, ods, at, action);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use time::macros::datetime;

    use super::*;
    use crate::alerts::{
        model::ResponseState,
        rules::responses::{self, ResponseError},
    };

    fn ids() -> Advisories {
        Advisories {
            openssl: Uuid::from_u128(1),
            moveit: Uuid::from_u128(2),
            log4j: Uuid::from_u128(3),
            citrix: Uuid::from_u128(4),
            phishing: Uuid::from_u128(5),
            fortios: Uuid::from_u128(6),
        }
    }

    /// Plays the story through the response rules, as the database would, for a demo loaded
    /// at `now`. Returns each response's final state.
    fn play(now: OffsetDateTime) -> HashMap<(Uuid, &'static str), ResponseState> {
        let clock = Clock { now };
        let steps = steps(&ids(), clock, Changes::builtin().unwrap());
        let mut published = HashSet::new();
        let mut withdrawn = HashSet::new();
        let mut states = HashMap::new();
        for (at, step) in &steps {
            assert!(*at < now, "{step:?} is in the future");
            match step {
                Step::Publish { advisory, .. } => {
                    published.insert(*advisory);
                    for (ods, _) in RESPONDERS {
                        states.insert((*advisory, ods), ResponseState::Awaiting);
                    }
                }
                Step::Respond {
                    advisory,
                    ods,
                    action,
                } => {
                    assert!(published.contains(advisory), "{step:?} before publication");
                    let state = states.get(&(*advisory, *ods)).copied().unwrap();
                    let next = responses::apply(state, withdrawn.contains(advisory), action)
                        .unwrap_or_else(|e: ResponseError| panic!("{step:?}: {e}"));
                    states.insert((*advisory, *ods), next);
                }
                Step::Withdraw { advisory, .. } | Step::Revise { advisory, .. } => {
                    assert!(published.contains(advisory));
                    if matches!(step, Step::Withdraw { .. }) {
                        withdrawn.insert(*advisory);
                    }
                }
                Step::Scan => {}
            }
        }
        states
    }

    #[test]
    fn every_step_is_allowed_by_the_rules_at_any_time_of_day() {
        for now in [
            datetime!(2026-11-29 14:35 UTC),
            datetime!(2026-11-29 00:05 UTC),
            datetime!(2027-01-02 23:55 UTC),
        ] {
            play(now);
        }
    }

    #[test]
    fn the_main_advisory_has_a_response_in_every_state() {
        let states = play(datetime!(2026-11-29 00:05 UTC));
        let citrix: HashSet<ResponseState> = states
            .iter()
            .filter(|((a, _), _)| *a == ids().citrix)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(citrix.len(), ResponseState::ALL.len(), "{citrix:?}");
        assert_eq!(
            states[&(ids().citrix, "RZ1")],
            ResponseState::Awaiting,
            "the demo lead's trust has not acknowledged it yet"
        );
    }

    #[test]
    fn the_main_advisory_is_overdue_and_the_newest_is_not_yet() {
        let now = datetime!(2026-11-29 00:05 UTC);
        let steps = steps(&ids(), Clock { now }, Changes::builtin().unwrap());
        let published = |id: Uuid| {
            steps
                .iter()
                .find(|(_, s)| matches!(s, Step::Publish { advisory, .. } if *advisory == id))
                .map(|(at, _)| *at)
                .unwrap()
        };
        assert!(deadlines::ack_due(published(ids().citrix), 48) < now);
        let due = deadlines::ack_due(published(ids().fortios), 48);
        assert!(due > now && due < now + Duration::days(1));
    }
}
