//! The list of advisories, by stage, with the national overview of how organisations are
//! responding to the published ones.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::manage_shell;
use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{
        model::AdvisoryStatus,
        rules::stats,
        store::{advisories, responses},
        views,
    },
    platform::{
        AppState,
        db::now,
        error::AppResult,
        web::{
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

struct LiveRow {
    id: Uuid,
    reference: String,
    title: String,
    severity: &'static str,
    severity_tag: &'static str,
    published: String,
    targeted: i64,
    acknowledged_percent: u32,
    overdue: i64,
    likely_silent: i64,
}

struct OtherRow {
    id: Uuid,
    label: String,
    title: String,
    severity: &'static str,
    when: String,
}

#[derive(Template)]
#[template(path = "alerts/manage_list.html")]
struct ListPage {
    shell: Shell,
    live: Vec<LiveRow>,
    review: Vec<OtherRow>,
    drafts: Vec<OtherRow>,
    withdrawn: Vec<OtherRow>,
    total_targeted: i64,
    total_acknowledged_percent: u32,
    total_overdue: i64,
}

impl ListPage {
    fn sections(&self) -> [(&'static str, &Vec<OtherRow>, &'static str); 3] {
        [
            (
                "Awaiting review",
                &self.review,
                "Nothing is waiting for review.",
            ),
            ("Drafts", &self.drafts, "There are no drafts."),
            ("Withdrawn", &self.withdrawn, "Nothing has been withdrawn."),
        ]
    }
}

fn other_row(a: &advisories::AdvisoryRow) -> OtherRow {
    OtherRow {
        id: a.id,
        label: a.label().to_owned(),
        title: a.title.clone(),
        severity: a.severity.label(),
        when: date_and_time(a.updated_at),
    }
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = advisories::list(
        &state.db,
        &[
            AdvisoryStatus::Draft,
            AdvisoryStatus::InReview,
            AdvisoryStatus::Published,
            AdvisoryStatus::Withdrawn,
        ],
    )
    .await?;
    let summaries = responses::summary_by_advisory(&state.db, now()).await?;
    let mut page = ListPage {
        shell: manage_shell(&viewer, "Advisories"),
        live: vec![],
        review: vec![],
        drafts: vec![],
        withdrawn: vec![],
        total_targeted: 0,
        total_acknowledged_percent: 0,
        total_overdue: 0,
    };
    let mut total_ack = 0;
    for a in &all {
        match a.status {
            AdvisoryStatus::Draft => page.drafts.push(other_row(a)),
            AdvisoryStatus::InReview => page.review.push(other_row(a)),
            AdvisoryStatus::Withdrawn => page.withdrawn.push(other_row(a)),
            AdvisoryStatus::Published => {
                let s = summaries.iter().find(|s| s.advisory_id == a.id);
                let (targeted, acked, overdue, likely_silent) = s
                    .map(|s| (s.targeted, s.acknowledged, s.overdue, s.likely_silent))
                    .unwrap_or_default();
                page.total_targeted += targeted;
                total_ack += acked;
                page.total_overdue += overdue;
                let severity = a.severity;
                page.live.push(LiveRow {
                    id: a.id,
                    reference: a.label().to_owned(),
                    title: a.title.clone(),
                    severity: severity.label(),
                    severity_tag: views::severity_tag(severity),
                    published: a.published_at.map(date_and_time).unwrap_or_default(),
                    targeted,
                    acknowledged_percent: stats::percent(acked as usize, targeted as usize),
                    overdue,
                    likely_silent,
                });
            }
        }
    }
    page.total_acknowledged_percent =
        stats::percent(total_ack as usize, page.total_targeted as usize);
    Ok(render(&page)?.into_response())
}
