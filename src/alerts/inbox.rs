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
use uuid::Uuid;

use crate::{
    alerts::{
        access,
        model::{AdvisoryStatus, ResponseState, Severity},
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

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts", Rule::SignedIn, inbox),
        Route::get("/alerts/{reference}", Rule::Public, advisory),
        Route::post("/alerts/{reference}/respond", Rule::SignedIn, respond),
    ]
}

/// Organisations with their names.
type Orgs = Vec<(Uuid, String)>;

/// The form prefix of the "respond for several organisations" form.
const BULK: &str = "bulk";
/// The checkbox value that stands for every organisation listed.
const ALL: &str = "all";
/// Most organisation names listed in one sentence of a notice; the rest are counted, so
/// the notice fits in its cookie.
const NAMES_LISTED: usize = 8;

// ---- The steps of a response, as the forms offer them -------------------------------

/// One step of the response workflow, as a choice on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Acknowledge,
    Applies,
    DoesNotApply,
    Update,
    CloseRemediated,
    AcceptRisk,
    Reopen,
}

/// Which of the optional fields a step reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Uses {
    reason: bool,
    note: bool,
    owner: bool,
    days: bool,
}

impl Step {
    const ALL: [Step; 7] = [
        Step::Acknowledge,
        Step::Applies,
        Step::DoesNotApply,
        Step::Update,
        Step::CloseRemediated,
        Step::AcceptRisk,
        Step::Reopen,
    ];

    fn value(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledge",
            Step::Applies => "applies",
            Step::DoesNotApply => "does_not_apply",
            Step::Update => "update",
            Step::CloseRemediated => "close_remediated",
            Step::AcceptRisk => "accept_risk",
            Step::Reopen => "reopen",
        }
    }

    fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|k| k.value() == s.trim())
    }

    fn label(self) -> &'static str {
        match self {
            Step::Acknowledge => "Acknowledge",
            Step::Applies => "It applies to us",
            Step::DoesNotApply => "It does not apply to us",
            Step::Update => "Progress update",
            Step::CloseRemediated => "Close as remediated",
            Step::AcceptRisk => "Accept the risk",
            Step::Reopen => "Reopen",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Step::Acknowledge => "You have received the advisory and are looking into it.",
            Step::Applies => {
                "You run an affected product. Remediation starts and progress updates become due."
            }
            Step::DoesNotApply => "You do not run an affected product. Give the reason.",
            Step::Update => "Record how remediation is going. Give a note.",
            Step::CloseRemediated => {
                "The fix or workaround is in place everywhere. Give a note of what was done."
            }
            Step::AcceptRisk => "You will not remediate. Give the risk owner and the reason.",
            Step::Reopen => "Something has changed since the response was closed. Give the reason.",
        }
    }

    fn uses(self) -> Uses {
        match self {
            Step::Acknowledge => Uses::default(),
            Step::Applies => Uses {
                days: true,
                ..Uses::default()
            },
            Step::DoesNotApply | Step::Reopen => Uses {
                reason: true,
                ..Uses::default()
            },
            Step::Update => Uses {
                note: true,
                days: true,
                ..Uses::default()
            },
            Step::CloseRemediated => Uses {
                note: true,
                ..Uses::default()
            },
            Step::AcceptRisk => Uses {
                reason: true,
                owner: true,
                ..Uses::default()
            },
        }
    }

    /// The action with the fields given.
    fn action(self, reason: String, note: String, owner: String, days: Option<i64>) -> Action {
        match self {
            Step::Acknowledge => Action::Acknowledge,
            Step::Applies => Action::Applies {
                next_update_days: days,
            },
            Step::DoesNotApply => Action::DoesNotApply { reason },
            Step::Update => Action::Update {
                note,
                next_update_days: days,
            },
            Step::CloseRemediated => Action::CloseRemediated { note },
            Step::AcceptRisk => Action::AcceptRisk { owner, reason },
            Step::Reopen => Action::Reopen { reason },
        }
    }

    /// Whether the workflow allows this step from `state`. Asked with placeholder text, so
    /// only the step itself is judged, not what someone might write.
    fn allowed(self, state: ResponseState, withdrawn: bool) -> bool {
        let filled = || "-".to_owned();
        let action = self.action(filled(), filled(), filled(), None);
        workflow::apply(state, withdrawn, &action).is_ok()
    }
}

/// The steps the workflow allows from `state`, in the order the form lists them.
fn allowed_steps(state: ResponseState, withdrawn: bool) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| s.allowed(state, withdrawn))
        .collect()
}

// ---- Reading a submitted response ----------------------------------------------------

/// A response form as submitted; kept to show it again when something is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Submitted {
    form: String,
    organisations: Vec<String>,
    action: String,
    reason: String,
    note: String,
    owner: String,
    next_update_days: String,
}

impl Submitted {
    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut s = Submitted::default();
        for (key, value) in fields {
            let slot = match key.as_str() {
                "organisation" => {
                    s.organisations.push(value);
                    continue;
                }
                "form" => &mut s.form,
                "action" => &mut s.action,
                "reason" => &mut s.reason,
                "note" => &mut s.note,
                "owner" => &mut s.owner,
                "next_update_days" => &mut s.next_update_days,
                _ => continue,
            };
            if slot.is_empty() {
                *slot = value;
            }
        }
        s
    }
}

fn field_id(prefix: &str, field: &str) -> String {
    format!("{prefix}-{field}")
}

/// A required text field: trimmed, present and not too long.
fn text(errors: &mut FormErrors, id: &str, value: &str, missing: &str, what: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(id, missing);
    } else if value.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            id,
            format!("{what} must be {MAX_TEXT_CHARS} characters or fewer"),
        );
    }
    value.to_owned()
}

/// The optional number of days before the next progress update.
fn days(errors: &mut FormErrors, id: &str, raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(d) => match deadlines::check_update_days(d) {
            Ok(d) => Some(d),
            Err(message) => {
                errors.add(id, message);
                None
            }
        },
        Err(_) => {
            errors.add(
                id,
                "Enter the number of days as a whole number from 1 to 30, like 7",
            );
            None
        }
    }
}

/// The action a form asks for, or what is wrong with it (keyed by the ids of the form
/// with `prefix`). Only the fields the chosen step uses are read.
fn read_action(s: &Submitted, prefix: &str) -> Result<Action, FormErrors> {
    let mut errors = FormErrors::new();
    let Some(step) = Step::parse(&s.action) else {
        errors.add(
            &field_id(prefix, "action"),
            "Select what you want to record",
        );
        return Err(errors);
    };
    let uses = step.uses();
    let owner = if uses.owner {
        text(
            &mut errors,
            &field_id(prefix, "owner"),
            &s.owner,
            "Enter the name of the person who owns the risk",
            "The risk owner",
        )
    } else {
        String::new()
    };
    let reason = if uses.reason {
        let missing = match step {
            Step::AcceptRisk => "Enter why the risk is accepted",
            Step::Reopen => "Enter why you are reopening the response",
            _ => "Enter why the advisory does not apply to your organisation",
        };
        text(
            &mut errors,
            &field_id(prefix, "reason"),
            &s.reason,
            missing,
            "The reason",
        )
    } else {
        String::new()
    };
    let note = if uses.note {
        let missing = match step {
            Step::CloseRemediated => "Enter a note of what was done to remediate it",
            _ => "Enter a progress note",
        };
        text(
            &mut errors,
            &field_id(prefix, "note"),
            &s.note,
            missing,
            "The note",
        )
    } else {
        String::new()
    };
    let next = if uses.days {
        days(
            &mut errors,
            &field_id(prefix, "next_update_days"),
            &s.next_update_days,
        )
    } else {
        None
    };
    errors.into_result()?;
    Ok(step.action(reason, note, owner, next))
}

// ---- What the pages show --------------------------------------------------------------

/// The deadline a response is working to now: acknowledgement while awaiting it, then the
/// next progress update. Nothing is due on a closed response or a withdrawn advisory.
fn next_deadline(r: &ResponseRow, live: bool) -> Option<OffsetDateTime> {
    if !live {
        return None;
    }
    match r.state() {
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
        what: if r.state() == ResponseState::Awaiting {
            "Acknowledgement"
        } else {
            "Progress update"
        },
        when: views::date_time(due),
        countdown: deadlines::countdown(at, due),
        overdue: due <= at,
    })
}

fn state_label(r: &ResponseRow, live: bool) -> &'static str {
    if live {
        r.state().label()
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
    read_only: &HashSet<Uuid>,
    at: OffsetDateTime,
) -> (Vec<InboxItem>, Vec<InboxItem>) {
    let mut keyed: Vec<(InboxKey, InboxItem)> = rows
        .into_iter()
        .map(|row| {
            let live = row.status == AdvisoryStatus::Published.as_str();
            let severity = Severity::parse(&row.severity).unwrap_or(Severity::Low);
            let r = &row.response;
            let key = InboxKey {
                closed: !live || r.state().is_closed(),
                severity,
                due: next_deadline(r, live),
                published_at: row.published_at,
            };
            let item = InboxItem {
                severity: severity.label(),
                severity_tag: views::severity_tag(severity),
                state: state_label(r, live),
                deadline: deadline(r, live, at),
                likely_affected: live && r.likely_affected && !r.state().is_closed(),
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
    led: Vec<(Uuid, String)>,
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

/// `GET /alerts`
pub async fn inbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<InboxQuery>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let (responds, members) = inbox_organisations(&state.db, p).await?;
    let visible: Vec<(Uuid, String)> = responds.iter().chain(&members).cloned().collect();
    let chosen = Uuid::parse_str(query.organisation.trim())
        .ok()
        .filter(|id| visible.iter().any(|(v, _)| v == id));
    let ids: Vec<Uuid> = match chosen {
        Some(id) => vec![id],
        None => visible.iter().map(|(id, _)| *id).collect(),
    };
    let read_only: HashSet<Uuid> = members.iter().map(|(id, _)| *id).collect();
    let rows = store::inbox(&state.db, &ids).await?;
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

// ---- The advisory page ----------------------------------------------------------------

/// A text field of a response form.
struct FormField {
    id: String,
    name: &'static str,
    label: &'static str,
    hint: String,
    value: String,
    error: Option<String>,
    multiline: bool,
    numeric: bool,
}

/// A step offered as a radio button.
struct StepChoice {
    id: String,
    value: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: bool,
}

/// An organisation offered as a checkbox on the form for several organisations.
struct OrgChoice {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

/// A response form: for one organisation (its id hidden) or for several (checkboxes).
struct ResponseForm {
    prefix: String,
    hidden_org: Option<Uuid>,
    orgs: Vec<OrgChoice>,
    orgs_error: Option<String>,
    /// Radio buttons, when there is more than one step to choose from.
    steps: Vec<StepChoice>,
    steps_error: Option<String>,
    /// The step, when it is the only one.
    only_step: Option<&'static str>,
    fields: Vec<FormField>,
    button: &'static str,
}

/// The steps that read a field, for its hint: "Needed for: Accept the risk, Reopen".
fn steps_using(steps: &[Step], uses: impl Fn(Uses) -> bool) -> Vec<&'static str> {
    steps
        .iter()
        .filter(|s| uses(s.uses()))
        .map(|s| s.label())
        .collect()
}

fn response_form(
    prefix: &str,
    steps: &[Step],
    hidden_org: Option<Uuid>,
    orgs: Vec<OrgChoice>,
    shown: Option<&Submitted>,
    errors: &FormErrors,
) -> ResponseForm {
    let value = |f: fn(&Submitted) -> &String| shown.map(|s| f(s).clone()).unwrap_or_default();
    let error = |field: &str| errors.get(&field_id(prefix, field)).map(str::to_owned);
    let many = steps.len() > 1;
    let hint = |lead: &str, word: &str, uses: fn(Uses) -> bool| {
        let list = steps_using(steps, uses);
        match (lead.is_empty(), many) {
            (_, true) => format!("{lead}{word}: {}.", list.join(", "))
                .trim_start()
                .to_owned(),
            (true, false) => String::new(),
            (false, false) => lead.trim_end().to_owned(),
        }
    };
    let mut fields = Vec::new();
    let any = |uses: fn(Uses) -> bool| steps.iter().any(|s| uses(s.uses()));
    if any(|u| u.owner) {
        fields.push(FormField {
            id: field_id(prefix, "owner"),
            name: "owner",
            label: "Risk owner",
            hint: hint(
                "The name and role of the person accountable for the risk, like Jo Bloggs, Senior Information Risk Owner. ",
                "Needed for",
                |u| u.owner,
            ),
            value: value(|s| &s.owner),
            error: error("owner"),
            multiline: false,
            numeric: false,
        });
    }
    if any(|u| u.reason) {
        fields.push(FormField {
            id: field_id(prefix, "reason"),
            name: "reason",
            label: "Reason",
            hint: hint("", "Needed for", |u| u.reason),
            value: value(|s| &s.reason),
            error: error("reason"),
            multiline: true,
            numeric: false,
        });
    }
    if any(|u| u.note) {
        fields.push(FormField {
            id: field_id(prefix, "note"),
            name: "note",
            label: "Note",
            hint: hint("", "Needed for", |u| u.note),
            value: value(|s| &s.note),
            error: error("note"),
            multiline: true,
            numeric: false,
        });
    }
    if any(|u| u.days) {
        fields.push(FormField {
            id: field_id(prefix, "next_update_days"),
            name: "next_update_days",
            label: "Days until the next progress update (optional)",
            hint: hint(
                "A whole number from 1 to 30. Leave it blank to keep the current interval. ",
                "Used for",
                |u| u.days,
            ),
            value: value(|s| &s.next_update_days),
            error: error("next_update_days"),
            multiline: false,
            numeric: true,
        });
    }
    let chosen = shown.and_then(|s| Step::parse(&s.action));
    ResponseForm {
        prefix: prefix.to_owned(),
        hidden_org,
        orgs,
        orgs_error: error("organisation"),
        steps: if many {
            steps
                .iter()
                .enumerate()
                .map(|(i, s)| StepChoice {
                    id: if i == 0 {
                        field_id(prefix, "action")
                    } else {
                        field_id(prefix, &format!("action-{}", s.value()))
                    },
                    value: s.value(),
                    label: s.label(),
                    hint: s.hint(),
                    checked: chosen == Some(*s),
                })
                .collect()
        } else {
            Vec::new()
        },
        steps_error: error("action"),
        only_step: if many {
            None
        } else {
            steps.first().map(|s| s.value())
        },
        fields,
        button: match steps {
            [only] => only.label(),
            _ => "Save response",
        },
    }
}

/// One entry of a response's timeline.
struct TimelineEntry {
    at: OffsetDateTime,
    when: String,
    what: String,
    by: String,
    note: String,
}

fn notice_label(n: &NoticeRow) -> String {
    let people = match n.recipients {
        1 => "1 person".to_owned(),
        count => format!("{count} people"),
    };
    match n.notice.as_str() {
        "new_advisory" => format!("Advisory sent ({people} emailed)"),
        "reminder" => format!("Reminder: acknowledgement due soon ({people} emailed)"),
        "overdue" => format!("Acknowledgement overdue ({people} emailed)"),
        "parent_overdue" => "Parent organisation told acknowledgement is overdue".to_owned(),
        "update_overdue" => format!("Progress update overdue ({people} emailed)"),
        "revision" => format!("Told about revision {} ({people} emailed)", n.cycle),
        "escalation" => format!("Chased by the national team ({people} emailed)"),
        _ => format!("Notice sent ({people} emailed)"),
    }
}

/// The response's own events and the notices sent about it, newest first.
fn timeline(events: &[EventRow], sent: &[NoticeRow]) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = events
        .iter()
        .map(|e| TimelineEntry {
            at: e.at,
            when: views::date_time(e.at),
            what: e.kind.clone(),
            by: e.by_name.clone().unwrap_or_else(|| "CareCERT".to_owned()),
            note: e.note.clone(),
        })
        .chain(sent.iter().map(|n| TimelineEntry {
            at: n.sent_at,
            when: views::date_time(n.sent_at),
            what: notice_label(n),
            by: "CareCERT".to_owned(),
            note: String::new(),
        }))
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    out
}

/// An inventory item that makes the organisation likely affected, in a sentence.
fn matched_text(m: &MatchedItem) -> String {
    let vendor = if m.vendor.is_empty() {
        String::new()
    } else {
        format!("{} ", m.vendor)
    };
    let version = if m.version.is_empty() {
        "version not given".to_owned()
    } else {
        format!("version {}", m.version)
    };
    let place = if m.location.is_empty() {
        String::new()
    } else {
        format!(" at {}", m.location)
    };
    format!(
        "{vendor}{} {version}{place} ({} installed): matches {} by {}",
        m.product,
        m.count,
        m.affects,
        m.reason.label()
    )
}

fn matched_items(raw: &str) -> Vec<String> {
    serde_json::from_str::<Vec<MatchedItem>>(raw)
        .unwrap_or_default()
        .iter()
        .map(matched_text)
        .collect()
}

/// One organisation's response as the page shows it.
struct Panel {
    prefix: String,
    org_name: String,
    state: &'static str,
    deadline: Option<Deadline>,
    acknowledged: Option<String>,
    reason: Option<String>,
    risk_owner: Option<String>,
    matches: Vec<String>,
    timeline: Vec<TimelineEntry>,
    form: Option<ResponseForm>,
}

/// An organisation the viewer belongs to but does not respond for.
struct ReadOnlyPanel {
    org_name: String,
    state: &'static str,
    deadline: Option<Deadline>,
}

#[derive(Template)]
#[template(path = "alerts/advisory.html")]
struct AdvisoryPage {
    shell: Shell,
    errors: FormErrors,
    adv: AdvisoryView,
    reference: String,
    bulk: Option<ResponseForm>,
    panels: Vec<Panel>,
    read_only: Vec<ReadOnlyPanel>,
    national: bool,
}

/// What went wrong with a submitted response, to show on the page again.
struct Failed {
    prefix: String,
    values: Submitted,
    errors: FormErrors,
    status: StatusCode,
}

fn panel_prefix(org: Uuid) -> String {
    format!("o{}", org.simple())
}

/// The addressed organisations `p` responds for, and those they only belong to.
async fn split_addressed(
    db: &Db,
    p: &Principal,
    adv: &AdvisoryRow,
) -> Result<(Orgs, Orgs), sqlx::Error> {
    let addressed = access::addressed_organisations(db, p, adv).await?;
    let responds: HashSet<Uuid> = responding::responder_organisations(db, p)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    Ok(addressed
        .into_iter()
        .partition(|(id, _)| responds.contains(id)))
}

/// The advisory, if the viewer may read it. A signed-out visitor is asked to sign in for
/// one that is not public; a signed-in person who may not read it is told there is no such
/// page, so nothing shows whether it was addressed to other organisations.
async fn readable(state: &AppState, viewer: &Viewer, reference: &str) -> AppResult<AdvisoryRow> {
    let adv = advisories::find_by_reference(&state.db, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if access::can_read(&state.db, viewer.principal.as_ref(), &adv).await? {
        return Ok(adv);
    }
    match viewer.principal {
        None => Err(AppError::SignIn {
            next: viewer.path.clone(),
        }),
        Some(_) => Err(AppError::NotFound),
    }
}

#[allow(clippy::too_many_arguments)]
async fn build_panel(
    db: &Db,
    adv: &AdvisoryRow,
    row: &ResponseRow,
    name: &str,
    live: bool,
    at: OffsetDateTime,
    failed: Option<&Failed>,
    errors: &FormErrors,
) -> Result<Panel, sqlx::Error> {
    let org = row.organisation_id;
    let prefix = panel_prefix(org);
    let events = store::events(db, adv.id, org).await?;
    let sent = notices::for_response(db, adv.id, org).await?;
    let ack_label = workflow::event_label(&Action::Acknowledge);
    let acknowledged = row.acknowledged_at.map(|t| {
        let by = events
            .iter()
            .rev()
            .find(|e| e.kind == ack_label)
            .and_then(|e| e.by_name.clone());
        match by {
            Some(by) => format!("{} by {by}", views::date_time(t)),
            None => views::date_time(t),
        }
    });
    let steps = allowed_steps(row.state(), !live);
    let shown = failed.filter(|f| f.prefix == prefix).map(|f| &f.values);
    Ok(Panel {
        org_name: name.to_owned(),
        state: state_label(row, live),
        deadline: deadline(row, live, at),
        acknowledged,
        reason: row.reason.clone(),
        risk_owner: row.risk_owner.clone(),
        matches: if row.likely_affected {
            matched_items(&row.matches)
        } else {
            Vec::new()
        },
        timeline: timeline(&events, &sent),
        form: (!steps.is_empty())
            .then(|| response_form(&prefix, &steps, Some(org), Vec::new(), shown, errors)),
        prefix,
    })
}

fn bulk_form(
    rows: &[(ResponseRow, String)],
    live: bool,
    failed: Option<&Failed>,
    errors: &FormErrors,
) -> Option<ResponseForm> {
    let steps: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| rows.iter().any(|(r, _)| s.allowed(r.state(), !live)))
        .collect();
    if steps.is_empty() {
        return None;
    }
    let shown = failed.filter(|f| f.prefix == BULK).map(|f| &f.values);
    let ticked = |value: &str| shown.is_some_and(|s| s.organisations.iter().any(|o| o == value));
    let mut orgs = vec![OrgChoice {
        id: field_id(BULK, "organisation"),
        value: ALL.to_owned(),
        label: format!("All {} organisations listed", rows.len()),
        checked: ticked(ALL),
    }];
    orgs.extend(rows.iter().enumerate().map(|(i, (r, name))| {
        let value = r.organisation_id.to_string();
        OrgChoice {
            id: field_id(BULK, &format!("organisation-{}", i + 1)),
            checked: ticked(&value),
            value,
            label: format!("{name} ({})", state_label(r, live)),
        }
    }));
    Some(response_form(BULK, &steps, None, orgs, shown, errors))
}

async fn advisory_page(
    state: &AppState,
    viewer: &Viewer,
    adv: &AdvisoryRow,
    failed: Option<Failed>,
) -> AppResult<Response> {
    let db = &state.db;
    let content = adv.content()?;
    let revisions = advisories::revisions(db, adv.id).await?;
    let view = AdvisoryView::new(adv, &content, &revisions);
    let live = adv.is_live();
    let at = now();
    let errors = failed
        .as_ref()
        .map(|f| f.errors.clone())
        .unwrap_or_default();
    let mut panels = Vec::new();
    let mut read_only = Vec::new();
    let mut bulk = None;
    if let Some(p) = &viewer.principal {
        let (responds, belongs) = split_addressed(db, p, adv).await?;
        let mut rows = Vec::new();
        for (org, name) in responds {
            if let Some(row) = store::find(db, adv.id, org).await? {
                panels.push(
                    build_panel(db, adv, &row, &name, live, at, failed.as_ref(), &errors).await?,
                );
                rows.push((row, name));
            }
        }
        if rows.len() > 1 {
            bulk = bulk_form(&rows, live, failed.as_ref(), &errors);
        }
        for (org, name) in belongs {
            if let Some(row) = store::find(db, adv.id, org).await? {
                read_only.push(ReadOnlyPanel {
                    org_name: name,
                    state: state_label(&row, live),
                    deadline: deadline(&row, live, at),
                });
            }
        }
    }
    let mut shell = viewer.shell(format!("{}: {}", adv.label(), content.title));
    shell = if viewer.principal.is_some() {
        shell.crumb("Home", "/").crumb("Alerts", "/alerts")
    } else {
        shell
            .crumb("Home", "/")
            .crumb("Public advisories", "/alerts/public")
    };
    let status = failed.as_ref().map_or(StatusCode::OK, |f| f.status);
    let page = AdvisoryPage {
        shell: shell.with_errors(!errors.is_empty()),
        errors,
        reference: adv.label().to_owned(),
        adv: view,
        bulk,
        panels,
        read_only,
        national: viewer
            .principal
            .as_ref()
            .is_some_and(Principal::is_national),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /alerts/{reference}`
pub async fn advisory(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let adv = readable(&state, &viewer, &reference).await?;
    advisory_page(&state, &viewer, &adv, None).await
}

// ---- Recording a response -------------------------------------------------------------

/// "A", "A and B", "A, B and C", or the first few and how many more.
fn name_list(names: &[String]) -> String {
    let shown: Vec<&str> = names
        .iter()
        .take(NAMES_LISTED)
        .map(String::as_str)
        .collect();
    let more = names.len().saturating_sub(NAMES_LISTED);
    match (shown.as_slice(), more) {
        ([], _) => String::new(),
        ([only], 0) => (*only).to_owned(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
}

/// The notice after acting for several organisations: what was done for whom, and why
/// the others were skipped.
fn bulk_notice(what: &str, bulk: &Bulk) -> String {
    let mut out = format!("{what} for {}.", name_list(&bulk.done));
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, why) in &bulk.skipped {
        match reasons.iter_mut().find(|(w, _)| w == why) {
            Some((_, names)) => names.push(name.clone()),
            None => reasons.push((why, vec![name.clone()])),
        }
    }
    for (why, names) in reasons {
        out.push_str(&format!(" Not done for {}: {why}.", name_list(&names)));
    }
    out
}

/// Whether a refusal is about what was written (422) rather than where the response
/// stands (409).
fn is_input_problem(e: &ResponseError) -> bool {
    matches!(
        e,
        ResponseError::MissingReason(_)
            | ResponseError::TooLong { .. }
            | ResponseError::UpdateDays(_)
    )
}

/// `POST /alerts/{reference}/respond`
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let adv = readable(&state, &viewer, &reference).await?;
    let submitted = Submitted::from_fields(fields);
    let (targets, _) = split_addressed(&state.db, p, &adv).await?;
    let chosen: Vec<(Uuid, String)> = if submitted.organisations.iter().any(|o| o == ALL) {
        targets.clone()
    } else {
        let mut chosen = Vec::new();
        for raw in &submitted.organisations {
            let id = Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)?;
            let found = targets
                .iter()
                .find(|(t, _)| *t == id)
                .ok_or(AppError::NotFound)?;
            if !chosen.iter().any(|(c, _): &(Uuid, String)| *c == id) {
                chosen.push(found.clone());
            }
        }
        chosen
    };
    if targets.is_empty() {
        return Err(AppError::NotFound);
    }
    let prefix = match chosen.as_slice() {
        [(org, _)] if submitted.form != BULK => panel_prefix(*org),
        _ => BULK.to_owned(),
    };
    let mut errors = FormErrors::new();
    if chosen.is_empty() {
        errors.add(
            &field_id(&prefix, "organisation"),
            "Select at least one organisation to respond for",
        );
    }
    let action = match read_action(&submitted, &prefix) {
        Ok(action) => Some(action),
        Err(found) => {
            for e in found.iter() {
                errors.add(&e.field, e.message.clone());
            }
            None
        }
    };
    let fail = |errors: FormErrors, status: StatusCode, values: Submitted| Failed {
        prefix: prefix.clone(),
        values,
        errors,
        status,
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        let failed = fail(errors, StatusCode::UNPROCESSABLE_ENTITY, submitted);
        return advisory_page(&state, &viewer, &adv, Some(failed)).await;
    };
    let what = workflow::event_label(&action);
    let at = now();
    let back = format!("/alerts/{}", adv.label());
    if let [(org, name)] = chosen.as_slice() {
        return match responding::record(&state.db, p, &ip, adv.id, *org, &action, at).await {
            Ok(next) => Ok(redirect_with_notice(
                state.config.is_https(),
                &back,
                &format!("{what} for {name}. Status: {}", next.label()),
            )),
            Err(RespondError::NotAddressed) => Err(AppError::NotFound),
            Err(RespondError::Db(e)) => Err(e.into()),
            Err(RespondError::Rule(e)) => {
                let status = if is_input_problem(&e) {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                let mut errors = FormErrors::new();
                errors.add(&prefix, format!("{name}: {e}"));
                let failed = fail(errors, status, submitted);
                advisory_page(&state, &viewer, &adv, Some(failed)).await
            }
        };
    }
    let bulk = responding::record_many(&state.db, p, &ip, adv.id, &chosen, &action, at).await?;
    if bulk.done.is_empty() {
        let mut errors = FormErrors::new();
        for (name, why) in &bulk.skipped {
            let index = targets.iter().position(|(_, n)| n == name).unwrap_or(0);
            errors.add(
                &field_id(BULK, &format!("organisation-{}", index + 1)),
                format!("{name}: {why}"),
            );
        }
        let failed = fail(errors, StatusCode::CONFLICT, submitted);
        return advisory_page(&state, &viewer, &adv, Some(failed)).await;
    }
    Ok(redirect_with_notice(
        state.config.is_https(),
        &back,
        &bulk_notice(what, &bulk),
    ))
}

#[cfg(test)]
mod tests {
    use time::{Duration, macros::datetime};

    use super::*;

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

    fn row(org: Uuid, state: ResponseState) -> ResponseRow {
        ResponseRow {
            advisory_id: Uuid::nil(),
            organisation_id: org,
            state: state.as_str().to_owned(),
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
            severity: severity.as_str().to_owned(),
            tlp: "AMBER".to_owned(),
            status: "published".to_owned(),
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
        let org = Uuid::new_v4();
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
        withdrawn.status = "withdrawn".to_owned();
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
        let org = Uuid::new_v4();
        let mut r = row(org, ResponseState::Remediating);
        r.next_update_due_at = Some(AT + Duration::days(3));
        assert_eq!(next_deadline(&r, true), r.next_update_due_at);
        assert_eq!(next_deadline(&r, false), None);
        r.state = ResponseState::Remediated.as_str().to_owned();
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
