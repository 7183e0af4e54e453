//! The analyst's dashboard for one advisory: who it reached, who acknowledged (on time or
//! late), decided applicability, remediated, and who is overdue; time to acknowledge as a
//! chart and a table; the organisations still silent, likely affected first; one-click
//! escalation to them and their parent organisations; and a CSV export of every response.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::platform::web::{
    csv::{csv_response, safe_cell},
    format::date_and_time,
};
use crate::{
    alerts::{
        escalation::{self, Chased},
        model::{AdvisoryStatus, ResponseState},
        rules::{
            deadlines,
            stats::{self, AdvisoryFigures, ResponseFacts},
        },
        store::{
            advisories,
            responses::{self, OrgResponse},
        },
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(
            "/alerts/manage/{advisory_id}/dashboard",
            Rule::NationalStaff,
            dashboard,
        ),
        Route::get(
            "/alerts/manage/{advisory_id}/responses.csv",
            Rule::NationalStaff,
            responses_csv,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/escalate",
            Rule::NationalStaff,
            escalate,
        ),
    ]
}

fn facts(r: &OrgResponse, ack_required: bool) -> ResponseFacts {
    ResponseFacts {
        state: r.response.state,
        ack_required,
        published_at: r.response.targeted_at,
        ack_due_at: r.response.ack_due_at,
        acknowledged_at: r.response.acknowledged_at,
        next_update_due_at: r.response.next_update_due_at,
        likely_affected: r.response.likely_affected,
    }
}

/// The organisations to chase, in order: likely affected first, then the longest overdue,
/// then by name.
pub fn chase_order(rows: &mut [&OrgResponse]) {
    rows.sort_by(|a, b| {
        b.response
            .likely_affected
            .cmp(&a.response.likely_affected)
            .then(a.response.ack_due_at.cmp(&b.response.ack_due_at))
            .then(a.org_name.cmp(&b.org_name))
    });
}

struct SilentRow {
    name: String,
    ods: String,
    kind: &'static str,
    parent: String,
    likely: bool,
    due: String,
    overdue: bool,
}

struct ResponseRowView {
    name: String,
    ods: String,
    state: &'static str,
    acknowledged: String,
    likely: bool,
    next_update: String,
    update_overdue: bool,
}

struct Bar {
    label: &'static str,
    count: usize,
    y: usize,
    width: usize,
    text_x: usize,
}

#[derive(Template)]
#[template(path = "alerts/dashboard.html")]
struct DashboardPage {
    shell: Shell,
    id: Uuid,
    label: String,
    title: String,
    live: bool,
    ack_required: bool,
    f: AdvisoryFigures,
    cards: Vec<(&'static str, String, String)>,
    median: String,
    bars: Vec<Bar>,
    chart_height: usize,
    silent: Vec<SilentRow>,
    silent_total: usize,
    rows: Vec<ResponseRowView>,
    filter: String,
    filters: Vec<(&'static str, &'static str)>,
}

/// The headline figures, as (label, value, note) cards.
fn cards(f: &AdvisoryFigures) -> Vec<(&'static str, String, String)> {
    let pct = |part: usize| format!("{}%", stats::percent(part, f.targeted));
    vec![
        ("Organisations", f.targeted.to_string(), String::new()),
        (
            "Acknowledged",
            pct(f.acknowledged),
            format!(
                "{} of {}; {} on time, {} late",
                f.acknowledged, f.targeted, f.acknowledged_on_time, f.acknowledged_late
            ),
        ),
        (
            "Applicability decided",
            pct(f.decided),
            format!("{} organisations", f.decided),
        ),
        (
            "Remediated",
            pct(f.remediated),
            format!(
                "{} organisations; {} do not apply; {} accepted the risk",
                f.remediated, f.not_applicable, f.risk_accepted
            ),
        ),
    ]
}

/// "3 hours 20 minutes" for a number of minutes.
pub fn minutes_text(m: i64) -> String {
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let part = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (d, h, min) {
        (0, 0, m) => part(m, "minute"),
        (0, h, 0) => part(h, "hour"),
        (0, h, m) => format!("{} {}", part(h, "hour"), part(m, "minute")),
        (d, 0, _) => part(d, "day"),
        (d, h, _) => format!("{} {}", part(d, "day"), part(h, "hour")),
    }
}

fn bars(f: &AdvisoryFigures) -> Vec<Bar> {
    let max = f
        .ack_distribution
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1);
    f.ack_distribution
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let width = b.count * 400 / max;
            Bar {
                label: b.label,
                count: b.count,
                y: i * 36 + 4,
                width,
                text_x: 150 + width + 8,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct DashQuery {
    #[serde(default)]
    state: String,
}

fn matches_filter(r: &OrgResponse, filter: &str, at: OffsetDateTime) -> bool {
    let state = r.response.state;
    match filter {
        "" => true,
        "overdue" => {
            state == ResponseState::Awaiting && r.response.ack_due_at.is_some_and(|d| d <= at)
        }
        "likely" => r.response.likely_affected,
        other => state.as_str() == other,
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let row = advisories::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        row.status,
        AdvisoryStatus::Published | AdvisoryStatus::Withdrawn
    ) {
        return Err(AppError::Conflict(
            "This advisory has not been published yet.".into(),
        ));
    }
    let content = row.content.clone();
    let at = now();
    let all = responses::for_advisory(&state.db, id).await?;
    let facts: Vec<ResponseFacts> = all.iter().map(|r| facts(r, content.ack_required)).collect();
    let f = stats::figures(&facts, at);
    let mut silent: Vec<&OrgResponse> = all
        .iter()
        .filter(|r| r.response.state == ResponseState::Awaiting)
        .collect();
    chase_order(&mut silent);
    let silent_total = silent.len();
    let silent = silent
        .into_iter()
        .take(200)
        .map(|r| SilentRow {
            name: r.org_name.clone(),
            ods: r.ods_code.clone(),
            kind: r.org_type.label(),
            parent: r.parent_name.clone().unwrap_or_default(),
            likely: r.response.likely_affected,
            due: r
                .response
                .ack_due_at
                .map(|d| deadlines::countdown(at, d))
                .unwrap_or_else(|| "No deadline".into()),
            overdue: r.response.ack_due_at.is_some_and(|d| d <= at),
        })
        .collect();
    let filter = if ["", "overdue", "likely"].contains(&q.state.as_str())
        || q.state.parse::<ResponseState>().is_ok()
    {
        q.state.clone()
    } else {
        String::new()
    };
    let rows = all
        .iter()
        .filter(|r| matches_filter(r, &filter, at))
        .take(500)
        .map(|r| ResponseRowView {
            name: r.org_name.clone(),
            ods: r.ods_code.clone(),
            state: r.response.state.label(),
            acknowledged: r
                .response
                .acknowledged_at
                .map(date_and_time)
                .unwrap_or_default(),
            likely: r.response.likely_affected,
            next_update: r
                .response
                .next_update_due_at
                .map(date_and_time)
                .unwrap_or_default(),
            update_overdue: r.response.next_update_due_at.is_some_and(|d| d < at)
                && !r.response.state.is_closed(),
        })
        .collect();
    let median = f
        .median_ack_minutes
        .map(minutes_text)
        .unwrap_or_else(|| "No acknowledgements yet".into());
    let bars = bars(&f);
    let mut filters = vec![
        ("", "All"),
        ("overdue", "Overdue for acknowledgement"),
        ("likely", "Likely affected"),
    ];
    filters.extend(ResponseState::ALL.iter().map(|s| (s.as_str(), s.label())));
    let page = DashboardPage {
        shell: viewer
            .shell(format!("Responses to {}", row.label()))
            .crumb("Home", "/")
            .crumb("Advisories", "/alerts/manage")
            .crumb(row.label().to_owned(), format!("/alerts/manage/{id}")),
        id,
        label: row.label().to_owned(),
        title: content.title.clone(),
        live: row.status == AdvisoryStatus::Published,
        ack_required: content.ack_required,
        chart_height: bars.len() * 36 + 8,
        bars,
        median,
        cards: cards(&f),
        f,
        silent,
        silent_total,
        rows,
        filter,
        filters,
    };
    Ok(render(&page)?.into_response())
}

/// Every response as CSV, one row per organisation.
pub fn csv(rows: &[OrgResponse]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Organisation",
        "ODS code",
        "Type",
        "Parent",
        "State",
        "Acknowledgement due",
        "Acknowledged",
        "Likely affected",
        "Applicability decided",
        "Reason",
        "Risk owner",
        "Next update due",
        "Closed",
    ])?;
    let t = |t: Option<OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
    };
    for r in rows {
        let x = &r.response;
        w.write_record([
            safe_cell(&r.org_name),
            safe_cell(&r.ods_code),
            r.org_type.label().to_owned(),
            safe_cell(r.parent_name.as_deref().unwrap_or("")),
            x.state.label().to_owned(),
            t(x.ack_due_at),
            t(x.acknowledged_at),
            if x.likely_affected { "Yes" } else { "No" }.to_owned(),
            t(x.decided_at),
            safe_cell(x.reason.as_deref().unwrap_or("")),
            safe_cell(x.risk_owner.as_deref().unwrap_or("")),
            t(x.next_update_due_at),
            t(x.closed_at),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub async fn responses_csv(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let row = advisories::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = responses::for_advisory(&state.db, id).await?;
    let body = csv(&all).map_err(|e| AppError::Internal(e.into()))?;
    Ok(csv_response(
        &format!("{}-responses.csv", row.label().to_ascii_lowercase()),
        body,
    ))
}

pub async fn escalate(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = advisories::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != AdvisoryStatus::Published {
        return Err(AppError::Conflict(
            "Only a live advisory can be escalated.".into(),
        ));
    }
    let chased = escalation::chase_silent(&state.db, id, now(), &state.config.public_url).await?;
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: None,
            event: "alerts.escalated",
            detail: serde_json::json!({
                "advisory": row.reference,
                "organisations": chased.organisations,
                "emails": chased.emails,
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}/dashboard"),
        &chased_message(&chased),
    ))
}

/// What the dashboard says after chasing: who was chased, and who was left out because
/// they were chased recently and when they can be chased again.
pub fn chased_message(chased: &Chased) -> String {
    let mut message = if chased.organisations == 0 && chased.recently_chased > 0 {
        "No reminders were sent: every silent organisation was chased in the last 24 hours."
            .to_owned()
    } else {
        format!(
            "Reminders sent about {} silent organisations ({} emails, including their parent organisations).",
            chased.organisations, chased.emails
        )
    };
    if chased.organisations > 0 && chased.recently_chased > 0 {
        message.push_str(&format!(
            " {} chased in the last 24 hours {} left out.",
            chased.recently_chased,
            if chased.recently_chased == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    if let Some(again) = chased.again_from {
        message.push_str(&format!(
            " They can be chased again from {}.",
            date_and_time(again)
        ));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chasing_says_who_was_left_out_and_until_when() {
        let sent = Chased {
            organisations: 3,
            emails: 5,
            ..Chased::default()
        };
        assert_eq!(
            chased_message(&sent),
            "Reminders sent about 3 silent organisations (5 emails, including their parent organisations)."
        );
        let again = time::macros::datetime!(2026-12-04 09:05 UTC);
        let some_left_out = Chased {
            recently_chased: 1,
            again_from: Some(again),
            ..sent
        };
        assert_eq!(
            chased_message(&some_left_out),
            "Reminders sent about 3 silent organisations (5 emails, including their parent organisations). \
             1 chased in the last 24 hours was left out. They can be chased again from 4 December 2026 at 09:05 UTC."
        );
        let none = Chased {
            recently_chased: 2,
            again_from: Some(again),
            ..Chased::default()
        };
        assert_eq!(
            chased_message(&none),
            "No reminders were sent: every silent organisation was chased in the last 24 hours. \
             They can be chased again from 4 December 2026 at 09:05 UTC."
        );
    }

    #[test]
    fn minutes_read_as_people_say_them() {
        assert_eq!(minutes_text(0), "0 minutes");
        assert_eq!(minutes_text(1), "1 minute");
        assert_eq!(minutes_text(60), "1 hour");
        assert_eq!(minutes_text(200), "3 hours 20 minutes");
        assert_eq!(minutes_text(1440), "1 day");
        assert_eq!(minutes_text(1440 * 2 + 180 + 5), "2 days 3 hours");
    }
}
