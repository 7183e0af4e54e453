//! An organisation's side of the Alerts service: the inbox of advisories addressed to the
//! organisations a person responds for (or belongs to), and the advisory page where a
//! security lead records the response for one organisation or several at once.

use std::collections::HashSet;

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{
        access,
        model::{AdvisoryStatus, ResponseState},
        publishing::MatchedItem,
        responding::{self, Bulk, RespondError},
        rules::{
            deadlines,
            responses::{self as workflow, Action, MAX_TEXT_CHARS, ResponseError},
            stats::{self, InboxKey},
        },
        store::{
            advisories::{self, AdvisoryRow},
            notices::{self, NoticeRow},
            responses::{self as store, EventRow, InboxRow, ResponseRow},
        },
        views::{self, AdvisoryView},
    },
    platform::{
        AppState,
        authz::{Principal, Rule},
        db::{Db, now},
        error::{AppError, AppResult},
        ids::OrgId,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

mod page;
mod respond;
mod steps;

use self::{page::*, respond::*, steps::*};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts", Rule::SignedIn, inbox),
        Route::get("/alerts/{reference}", Rule::Public, advisory),
        Route::post("/alerts/{reference}/respond", Rule::SignedIn, respond),
    ]
}

/// Organisations with their names.
type Orgs = Vec<(OrgId, String)>;

/// The form prefix of the "respond for several organisations" form.
const BULK: &str = "bulk";
/// The checkbox value that stands for every organisation listed.
const ALL: &str = "all";
/// Most organisation names listed in one sentence of a notice; the rest are counted, so
/// the notice fits in its cookie.
const NAMES_LISTED: usize = 8;

// ---- What the pages show --------------------------------------------------------------

/// The deadline a response is working to now: acknowledgement while awaiting it, then the
/// next progress update. Nothing is due on a closed response or a withdrawn advisory.
fn next_deadline(r: &ResponseRow, live: bool) -> Option<OffsetDateTime> {
    if !live {
        return None;
    }
    match r.state {
        ResponseState::Awaiting => r.ack_due_at,
        ResponseState::Acknowledged | ResponseState::Remediating => r.next_update_due_at,
        _ => None,
    }
}

/// A deadline as shown: what is due, when, and how long until (or since).
struct Deadline {
    what: &'static str,
    when: String,
    countdown: String,
    overdue: bool,
}

fn deadline(r: &ResponseRow, live: bool, at: OffsetDateTime) -> Option<Deadline> {
    let due = next_deadline(r, live)?;
    Some(Deadline {
        what: if r.state == ResponseState::Awaiting {
            "Acknowledgement"
        } else {
            "Progress update"
        },
        when: date_and_time(due),
        countdown: deadlines::countdown(at, due),
        overdue: due <= at,
    })
}

fn state_label(r: &ResponseRow, live: bool) -> &'static str {
    if live {
        r.state.label()
    } else {
        "Withdrawn: no action needed"
    }
}

/// One advisory in the inbox, for one organisation.
struct InboxItem {
    reference: String,
    title: String,
    severity: &'static str,
    severity_tag: &'static str,
    organisation: String,
    state: &'static str,
    deadline: Option<Deadline>,
    likely_affected: bool,
    read_only: bool,
}

/// The inbox rows, most urgent first, split into open and closed.
fn inbox_items(
    rows: Vec<InboxRow>,
    read_only: &HashSet<OrgId>,
    at: OffsetDateTime,
) -> (Vec<InboxItem>, Vec<InboxItem>) {
    let mut keyed: Vec<(InboxKey, InboxItem)> = rows
        .into_iter()
        .map(|row| {
            let live = row.status == AdvisoryStatus::Published;
            let severity = row.severity;
            let r = &row.response;
            let key = InboxKey {
                closed: !live || r.state.is_closed(),
                severity,
                due: next_deadline(r, live),
                published_at: row.published_at,
            };
            let item = InboxItem {
                severity: severity.label(),
                severity_tag: views::severity_tag(severity),
                state: state_label(r, live),
                deadline: deadline(r, live, at),
                likely_affected: live && r.likely_affected && !r.state.is_closed(),
                read_only: read_only.contains(&r.organisation_id),
                reference: row.reference,
                title: row.title,
                organisation: row.org_name,
            };
            (key, item)
        })
        .collect();
    keyed.sort_by(|a, b| stats::urgency(&a.0, &b.0));
    let (closed, open): (Vec<_>, Vec<_>) = keyed.into_iter().partition(|(k, _)| k.closed);
    (
        open.into_iter().map(|(_, i)| i).collect(),
        closed.into_iter().map(|(_, i)| i).collect(),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    organisation: String,
}

#[derive(Template)]
#[template(path = "alerts/inbox.html")]
struct InboxPage {
    shell: Shell,
    errors: FormErrors,
    open: Vec<InboxItem>,
    closed: Vec<InboxItem>,
    /// The filter's choices, when there is more than one organisation to choose from.
    filter: Vec<(String, String)>,
    selected: String,
    show_organisation: bool,
    responds: bool,
    read_only_names: Vec<String>,
    national: bool,
    led: Vec<(OrgId, String)>,
}

/// The organisations whose advisories a person sees: those they respond for, then those
/// they are a member of without responding for (read only). National roles are left out;
/// advisories are never addressed to the national team.
async fn inbox_organisations(db: &Db, p: &Principal) -> Result<(Orgs, Orgs), sqlx::Error> {
    let responds = responding::responder_organisations(db, p).await?;
    let members = p
        .memberships
        .iter()
        .filter(|m| !m.role.is_national())
        .filter(|m| !responds.iter().any(|(id, _)| *id == m.organisation_id))
        .map(|m| (m.organisation_id, m.organisation_name.clone()))
        .collect();
    Ok((responds, members))
}

/// The rows whose advisory's TLP label lets `p` read it for that row's organisation: a
/// TLP:RED advisory is not listed for staff, nor a TLP:AMBER+STRICT one for the lead of a
/// parent organisation.
fn readable_rows(p: &Principal, rows: Vec<InboxRow>, responds: &Orgs) -> AppResult<Vec<InboxRow>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let ties = access::reader_for(p, row.response.organisation_id, responds);
        if access::any_allows(row.tlp, &ties) {
            out.push(row);
        }
    }
    Ok(out)
}

/// `GET /alerts`
pub async fn inbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<InboxQuery>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let (responds, members) = inbox_organisations(&state.db, p).await?;
    let visible: Vec<(OrgId, String)> = responds.iter().chain(&members).cloned().collect();
    let chosen = query
        .organisation
        .trim()
        .parse::<OrgId>()
        .ok()
        .filter(|id| visible.iter().any(|(v, _)| v == id));
    let ids: Vec<OrgId> = match chosen {
        Some(id) => vec![id],
        None => visible.iter().map(|(id, _)| *id).collect(),
    };
    let read_only: HashSet<OrgId> = members.iter().map(|(id, _)| *id).collect();
    let rows = readable_rows(p, store::inbox(&state.db, &ids).await?, &responds)?;
    let (open, closed) = inbox_items(rows, &read_only, now());
    let mut filter = Vec::new();
    if visible.len() > 1 {
        filter.push((String::new(), "All organisations".to_owned()));
        filter.extend(
            visible
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        );
    }
    let page = InboxPage {
        shell: viewer.shell("Alerts").crumb("Home", "/"),
        errors: FormErrors::new(),
        open,
        closed,
        show_organisation: visible.len() > 1,
        filter,
        selected: chosen.map(|id| id.to_string()).unwrap_or_default(),
        responds: !responds.is_empty(),
        read_only_names: members.into_iter().map(|(_, name)| name).collect(),
        national: p.is_national(),
        led: p
            .led_organisations()
            .map(|m| (m.organisation_id, m.organisation_name.clone()))
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use time::{Duration, macros::datetime};
    use uuid::Uuid;

    use super::*;
    use crate::alerts::model::{Severity, Tlp};

    const AT: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn submitted(action: &str, pairs: &[(&str, &str)]) -> Submitted {
        let mut fields = vec![("action".to_owned(), action.to_owned())];
        fields.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Submitted::from_fields(fields)
    }

    fn row(org: OrgId, state: ResponseState) -> ResponseRow {
        ResponseRow {
            advisory_id: Uuid::nil(),
            organisation_id: org,
            state,
            targeted_at: AT,
            ack_due_at: Some(AT + Duration::hours(48)),
            acknowledged_at: None,
            acknowledged_by: None,
            decided_at: None,
            reason: None,
            risk_owner: None,
            update_days: 3,
            next_update_due_at: None,
            closed_at: None,
            likely_affected: false,
            matches: "[]".to_owned(),
            updated_at: AT,
        }
    }

    fn inbox_row(reference: &str, severity: Severity, response: ResponseRow) -> InboxRow {
        InboxRow {
            response,
            reference: reference.to_owned(),
            title: format!("Advisory {reference}"),
            severity,
            tlp: Tlp::Amber,
            status: AdvisoryStatus::Published,
            published_at: AT,
            current_release_at: AT,
            org_name: "Riverside".to_owned(),
        }
    }

    #[test]
    fn the_form_offers_the_steps_the_workflow_allows() {
        use ResponseState as S;
        assert_eq!(allowed_steps(S::Awaiting, false), [Step::Acknowledge]);
        assert_eq!(
            allowed_steps(S::Acknowledged, false),
            [Step::Applies, Step::DoesNotApply, Step::AcceptRisk]
        );
        assert_eq!(
            allowed_steps(S::Remediating, false),
            [Step::Update, Step::CloseRemediated, Step::AcceptRisk]
        );
        for closed in [S::NotApplicable, S::Remediated, S::RiskAccepted] {
            assert_eq!(allowed_steps(closed, false), [Step::Reopen]);
        }
        for state in S::ALL {
            assert!(allowed_steps(state, true).is_empty(), "{state:?} withdrawn");
        }
    }

    #[test]
    fn step_values_round_trip_and_unknown_ones_are_refused() {
        for step in Step::ALL {
            assert_eq!(Step::parse(step.value()), Some(step));
        }
        for bad in ["", "ACKNOWLEDGE", "delete", "acknowledge; drop", "\u{0}"] {
            assert_eq!(Step::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn repeated_fields_keep_the_first_value_and_every_organisation() {
        let s = Submitted::from_fields(vec![
            ("organisation".into(), "a".into()),
            ("action".into(), "acknowledge".into()),
            ("organisation".into(), "b".into()),
            ("action".into(), "reopen".into()),
            ("unknown".into(), "x".into()),
        ]);
        assert_eq!(s.organisations, ["a", "b"]);
        assert_eq!(s.action, "acknowledge");
    }

    #[test]
    fn each_step_reads_only_its_own_fields() {
        let s = submitted(
            "applies",
            &[("reason", ""), ("note", ""), ("next_update_days", "7")],
        );
        assert_eq!(
            read_action(&s, "p"),
            Ok(Action::Applies {
                next_update_days: Some(7)
            })
        );
        let s = submitted("acknowledge", &[("next_update_days", "99")]);
        assert_eq!(read_action(&s, "p"), Ok(Action::Acknowledge));
        let s = submitted(
            "accept_risk",
            &[("owner", "  Jo Bloggs, SIRO "), ("reason", " Retiring ")],
        );
        assert_eq!(
            read_action(&s, "p"),
            Ok(Action::AcceptRisk {
                owner: "Jo Bloggs, SIRO".into(),
                reason: "Retiring".into()
            })
        );
    }

    #[test]
    fn missing_and_bad_fields_are_named_on_the_form() {
        let errors = read_action(&submitted("", &[]), "p").unwrap_err();
        assert_eq!(
            errors.get("p-action"),
            Some("Select what you want to record")
        );
        let errors =
            read_action(&submitted("does_not_apply", &[("reason", " \n ")]), "p").unwrap_err();
        assert_eq!(
            errors.get("p-reason"),
            Some("Enter why the advisory does not apply to your organisation")
        );
        let errors = read_action(&submitted("accept_risk", &[]), "bulk").unwrap_err();
        assert!(errors.has("bulk-owner") && errors.has("bulk-reason"));
        for (days, message) in [
            ("0", "0 days is not allowed"),
            ("99", "99 days is not allowed"),
            ("-3", "-3 days is not allowed"),
            ("seven", "whole number"),
            ("1.5", "whole number"),
            ("99999999999999999999999", "whole number"),
        ] {
            let s = submitted("update", &[("note", "Halfway"), ("next_update_days", days)]);
            let errors = read_action(&s, "p").unwrap_err();
            let got = errors.get("p-next_update_days").unwrap_or_default();
            assert!(got.contains(message), "{days}: {got}");
        }
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let errors =
            read_action(&submitted("close_remediated", &[("note", &long)]), "p").unwrap_err();
        assert_eq!(
            errors.get("p-note"),
            Some("The note must be 2000 characters or fewer")
        );
    }

    #[test]
    fn the_inbox_puts_the_most_urgent_first_and_closed_apart() {
        let org = OrgId::fresh();
        let mut overdue = row(org, ResponseState::Awaiting);
        overdue.ack_due_at = Some(AT - Duration::hours(1));
        let later = row(org, ResponseState::Awaiting);
        let mut closed = row(org, ResponseState::Remediated);
        closed.ack_due_at = Some(AT - Duration::hours(10));
        let mut withdrawn = inbox_row(
            "CC-2026-0004",
            Severity::Critical,
            row(org, ResponseState::Awaiting),
        );
        withdrawn.status = AdvisoryStatus::Withdrawn;
        let rows = vec![
            inbox_row("CC-2026-0001", Severity::Critical, later),
            inbox_row("CC-2026-0002", Severity::Low, closed),
            inbox_row("CC-2026-0003", Severity::Low, overdue),
            withdrawn,
        ];
        let (open, done) = inbox_items(rows, &HashSet::new(), AT);
        let refs: Vec<&str> = open.iter().map(|i| i.reference.as_str()).collect();
        assert_eq!(refs, ["CC-2026-0003", "CC-2026-0001"]);
        assert!(open[0].deadline.as_ref().is_some_and(|d| d.overdue));
        assert_eq!(
            open[0].deadline.as_ref().map(|d| d.countdown.as_str()),
            Some("Overdue by 1 hour")
        );
        assert!(!open[1].deadline.as_ref().is_some_and(|d| d.overdue));
        let refs: Vec<&str> = done.iter().map(|i| i.reference.as_str()).collect();
        assert_eq!(refs, ["CC-2026-0004", "CC-2026-0002"]);
        assert_eq!(done[0].state, "Withdrawn: no action needed");
        assert!(done[0].deadline.is_none());
        assert!(!open[0].read_only);
        let (open, _) = inbox_items(
            vec![inbox_row(
                "CC-2026-0005",
                Severity::High,
                row(org, ResponseState::Awaiting),
            )],
            &HashSet::from([org]),
            AT,
        );
        assert!(open[0].read_only);
    }

    #[test]
    fn the_deadline_follows_the_state() {
        let org = OrgId::fresh();
        let mut r = row(org, ResponseState::Remediating);
        r.next_update_due_at = Some(AT + Duration::days(3));
        assert_eq!(next_deadline(&r, true), r.next_update_due_at);
        assert_eq!(next_deadline(&r, false), None);
        r.state = ResponseState::Remediated;
        assert_eq!(next_deadline(&r, true), None);
        let awaiting = row(org, ResponseState::Awaiting);
        assert_eq!(next_deadline(&awaiting, true), awaiting.ack_due_at);
        let d = deadline(&awaiting, true, AT).expect("a deadline");
        assert_eq!(d.what, "Acknowledgement");
        assert_eq!(d.countdown, "Due in 2 days");
    }

    #[test]
    fn notices_list_names_and_group_the_skipped_by_reason() {
        let names = |n: usize| (1..=n).map(|i| format!("Org {i}")).collect::<Vec<_>>();
        assert_eq!(name_list(&names(1)), "Org 1");
        assert_eq!(name_list(&names(3)), "Org 1, Org 2 and Org 3");
        assert_eq!(
            name_list(&names(NAMES_LISTED + 4)),
            format!("{} and 4 more", names(NAMES_LISTED).join(", "))
        );
        let bulk = Bulk {
            done: names(2),
            skipped: vec![
                ("Org 3".into(), "Already done".into()),
                ("Org 4".into(), "Withdrawn".into()),
                ("Org 5".into(), "Already done".into()),
            ],
        };
        assert_eq!(
            bulk_notice("Acknowledged", &bulk),
            "Acknowledged for Org 1 and Org 2. Not done for Org 3 and Org 5: Already done. \
             Not done for Org 4: Withdrawn."
        );
        let many = Bulk {
            done: names(500),
            skipped: Vec::new(),
        };
        assert!(bulk_notice("Acknowledged", &many).len() < 200);
    }

    #[test]
    fn matched_items_read_the_stored_matches_and_survive_bad_json() {
        let raw = serde_json::to_string(&vec![MatchedItem {
            vendor: "Apache".into(),
            product: "log4j-core".into(),
            version: "2.14.1".into(),
            location: "Web servers".into(),
            count: 4,
            affects: "Apache Log4j".into(),
            reason: crate::alerts::rules::matching::MatchReason::Purl,
        }])
        .unwrap();
        assert_eq!(
            matched_items(&raw),
            [
                "Apache log4j-core version 2.14.1 at Web servers (4 installed): matches Apache Log4j by package URL"
            ]
        );
        assert!(matched_items("not json").is_empty());
        assert!(matched_items("[{\"vendor\": 1}]").is_empty());
    }

    #[test]
    fn forms_offer_radios_only_for_a_choice() {
        let errors = FormErrors::new();
        let single = response_form("p", &[Step::Acknowledge], None, Vec::new(), None, &errors);
        assert!(single.steps.is_empty());
        assert_eq!(single.only_step, Some("acknowledge"));
        assert!(single.fields.is_empty());
        assert_eq!(single.button, "Acknowledge");
        let steps = allowed_steps(ResponseState::Remediating, false);
        let mut errors = FormErrors::new();
        errors.add("p-note", "Enter a progress note");
        let shown = submitted("update", &[("note", "<b>")]);
        let form = response_form("p", &steps, None, Vec::new(), Some(&shown), &errors);
        assert_eq!(form.steps.len(), 3);
        assert_eq!(form.steps[0].id, "p-action");
        assert!(form.steps[0].checked && !form.steps[1].checked);
        let names: Vec<&str> = form.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["owner", "reason", "note", "next_update_days"]);
        let note = &form.fields[2];
        assert_eq!(note.value, "<b>");
        assert_eq!(note.error.as_deref(), Some("Enter a progress note"));
        assert_eq!(
            note.hint,
            "Needed for: Progress update, Close as remediated."
        );
    }
}
