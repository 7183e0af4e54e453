//! The advisory page: the advisory, and for each organisation the viewer responds for, its
//! response with deadline, inventory matches, timeline and the steps allowed now.

use super::*;
use crate::alerts::rules::{deadlines::Notice, responses::EventKind};
use crate::platform::web::format::date_and_time;

// ---- The advisory page ----------------------------------------------------------------

/// A text field of a response form.
pub(super) struct FormField {
    pub(super) id: String,
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) hint: String,
    pub(super) value: String,
    pub(super) error: Option<String>,
    pub(super) multiline: bool,
    pub(super) numeric: bool,
}

/// A step offered as a radio button.
pub(super) struct StepChoice {
    pub(super) id: String,
    pub(super) value: &'static str,
    pub(super) label: &'static str,
    pub(super) hint: &'static str,
    pub(super) checked: bool,
}

/// An organisation offered as a checkbox on the form for several organisations.
pub(super) struct OrgChoice {
    pub(super) id: String,
    pub(super) value: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

/// A response form: for one organisation (its id hidden) or for several (checkboxes).
pub(super) struct ResponseForm {
    pub(super) prefix: String,
    pub(super) hidden_org: Option<OrgId>,
    pub(super) orgs: Vec<OrgChoice>,
    pub(super) orgs_error: Option<String>,
    /// Radio buttons, when there is more than one step to choose from.
    pub(super) steps: Vec<StepChoice>,
    pub(super) steps_error: Option<String>,
    /// The step, when it is the only one.
    pub(super) only_step: Option<&'static str>,
    pub(super) fields: Vec<FormField>,
    pub(super) button: &'static str,
}

/// The steps that read a field, for its hint: "Needed for: Accept the risk, Reopen".
pub(super) fn steps_using(steps: &[Step], uses: impl Fn(Uses) -> bool) -> Vec<&'static str> {
    steps
        .iter()
        .filter(|s| uses(s.uses()))
        .map(|s| s.label())
        .collect()
}

pub(super) fn response_form(
    prefix: &str,
    steps: &[Step],
    hidden_org: Option<OrgId>,
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
pub(super) struct TimelineEntry {
    pub(super) at: OffsetDateTime,
    pub(super) when: String,
    pub(super) what: String,
    pub(super) by: String,
    pub(super) note: String,
}

pub(super) fn notice_label(n: &NoticeRow) -> String {
    let people = match n.recipients {
        1 => "1 person".to_owned(),
        count => format!("{count} people"),
    };
    match n.notice {
        Notice::NewAdvisory => format!("Advisory sent ({people} emailed)"),
        Notice::Reminder => format!("Reminder: acknowledgement due soon ({people} emailed)"),
        Notice::Overdue => format!("Acknowledgement overdue ({people} emailed)"),
        Notice::ParentOverdue => "Parent organisation told acknowledgement is overdue".to_owned(),
        Notice::UpdateOverdue => format!("Progress update overdue ({people} emailed)"),
        Notice::Revision => format!("Told about revision {} ({people} emailed)", n.cycle),
        Notice::Escalation => format!("Chased by the national team ({people} emailed)"),
    }
}

/// The response's own events and the notices sent about it, newest first.
pub(super) fn timeline(events: &[EventRow], sent: &[NoticeRow]) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = events
        .iter()
        .map(|e| TimelineEntry {
            at: e.at,
            when: date_and_time(e.at),
            what: e.kind.label().to_owned(),
            by: e.by_name.clone().unwrap_or_else(|| "CareCERT".to_owned()),
            note: e.note.clone(),
        })
        .chain(sent.iter().map(|n| TimelineEntry {
            at: n.sent_at,
            when: date_and_time(n.sent_at),
            what: notice_label(n),
            by: "CareCERT".to_owned(),
            note: String::new(),
        }))
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    out
}

/// An inventory item that makes the organisation likely affected, in a sentence.
pub(super) fn matched_text(m: &MatchedItem) -> String {
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

pub(super) fn matched_items(raw: &str) -> Vec<String> {
    serde_json::from_str::<Vec<MatchedItem>>(raw)
        .unwrap_or_default()
        .iter()
        .map(matched_text)
        .collect()
}

/// One organisation's response as the page shows it.
pub(super) struct Panel {
    pub(super) prefix: String,
    pub(super) org_name: String,
    pub(super) state: &'static str,
    pub(super) deadline: Option<Deadline>,
    pub(super) acknowledged: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) risk_owner: Option<String>,
    pub(super) matches: Vec<String>,
    pub(super) timeline: Vec<TimelineEntry>,
    pub(super) form: Option<ResponseForm>,
}

/// An organisation the viewer belongs to but does not respond for.
pub(super) struct ReadOnlyPanel {
    pub(super) org_name: String,
    pub(super) state: &'static str,
    pub(super) deadline: Option<Deadline>,
}

#[derive(Template)]
#[template(path = "alerts/advisory.html")]
pub(super) struct AdvisoryPage {
    pub(super) shell: Shell,
    pub(super) errors: FormErrors,
    pub(super) adv: AdvisoryView,
    pub(super) reference: String,
    pub(super) bulk: Option<ResponseForm>,
    pub(super) panels: Vec<Panel>,
    pub(super) read_only: Vec<ReadOnlyPanel>,
    pub(super) national: bool,
}

/// What went wrong with a submitted response, to show on the page again.
pub(super) struct Failed {
    pub(super) prefix: String,
    pub(super) values: Submitted,
    pub(super) errors: FormErrors,
    pub(super) status: StatusCode,
}

pub(super) fn panel_prefix(org: OrgId) -> String {
    format!("o{}", org.as_uuid().simple())
}

/// The addressed organisations `p` responds for, and those they only belong to.
pub(super) async fn split_addressed(
    db: &Db,
    p: &Principal,
    adv: &AdvisoryRow,
) -> Result<(Orgs, Orgs), sqlx::Error> {
    let addressed = access::addressed_organisations(db, p, adv).await?;
    let responds: HashSet<OrgId> = responding::responder_organisations(db, p)
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
pub(super) async fn readable(
    state: &AppState,
    viewer: &Viewer,
    reference: &str,
) -> AppResult<AdvisoryRow> {
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
pub(super) async fn build_panel(
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
    let acknowledged = row.acknowledged_at.map(|t| {
        let by = events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Acknowledged)
            .and_then(|e| e.by_name.clone());
        match by {
            Some(by) => format!("{} by {by}", date_and_time(t)),
            None => date_and_time(t),
        }
    });
    let steps = allowed_steps(row.state, !live);
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

pub(super) fn bulk_form(
    rows: &[(ResponseRow, String)],
    live: bool,
    failed: Option<&Failed>,
    errors: &FormErrors,
) -> Option<ResponseForm> {
    let steps: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| rows.iter().any(|(r, _)| s.allowed(r.state, !live)))
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

pub(super) async fn advisory_page(
    state: &AppState,
    viewer: &Viewer,
    adv: &AdvisoryRow,
    failed: Option<Failed>,
) -> AppResult<Response> {
    let db = &state.db;
    let content = adv.content.clone();
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
