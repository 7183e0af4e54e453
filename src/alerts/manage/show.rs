//! One advisory's page for the national team: its content and history, who wrote and
//! submitted it, how many organisations it likely affects, and a revision waiting for a
//! second analyst's approval.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::{load, manage_shell};
use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{
        access,
        model::{AdvisoryContent, AdvisoryStatus},
        publishing, rules,
        store::{advisories, review},
        views::AdvisoryView,
    },
    platform::{
        AppState,
        error::AppResult,
        ids::UserId,
        web::{
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

#[derive(Template)]
#[template(path = "alerts/manage_show.html")]
struct ShowPage {
    shell: Shell,
    id: Uuid,
    adv: AdvisoryView,
    status: AdvisoryStatus,
    /// Whether this person may publish it (they neither wrote, edited nor submitted it).
    can_publish: bool,
    author: String,
    submitter: Option<String>,
    /// Everyone who wrote or edited the draft (before publication).
    editors: String,
    pending: Option<PendingView>,
    likely_affected: usize,
    public: bool,
}

/// A revision waiting for a second analyst's approval, as the advisory's page shows it.
struct PendingView {
    summary: String,
    reasons: Vec<String>,
    editors: String,
    submitted_at: String,
    /// Whether this person may approve it (they neither submitted nor edited it).
    can_approve: bool,
    /// False when the advisory was revised after this was submitted.
    current: bool,
    adv: AdvisoryView,
}

async fn pending_view(
    state: &AppState,
    row: &advisories::AdvisoryRow,
    current: &AdvisoryContent,
    viewer: UserId,
) -> AppResult<Option<PendingView>> {
    let Some(pending) = review::pending(&state.db, row.id).await? else {
        return Ok(None);
    };
    let content = pending.content.clone();
    let editors = review::editor_names(&state.db, row.id, pending.number).await?;
    let mut authors: Vec<UserId> = editors.iter().map(|(id, _)| *id).collect();
    authors.push(pending.submitted_by);
    Ok(Some(PendingView {
        summary: pending.summary.clone(),
        reasons: rules::review::revision_review_reasons(current, &content)
            .into_iter()
            .map(|r| r.message())
            .collect(),
        editors: names(&editors),
        submitted_at: date_and_time(pending.submitted_at),
        can_approve: rules::review::may_approve(viewer, &authors),
        current: pending.number == row.revision + 1,
        adv: AdvisoryView::new(row, &content, &[]),
    }))
}

fn names(people: &[(UserId, String)]) -> String {
    people
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn name_of(state: &AppState, id: Option<UserId>) -> AppResult<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    let name: Option<String> = crate::with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(name)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    let content = row.content.clone();
    let revisions = advisories::revisions(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    let likely = publishing::find_matches(&mut tx, &content.affected, None)
        .await?
        .len();
    drop(tx);
    let draft_editors = review::editor_names(&state.db, id, row.revision + 1).await?;
    let mut authors: Vec<UserId> = draft_editors.iter().map(|(id, _)| *id).collect();
    authors.push(row.created_by);
    authors.extend(row.submitted_by);
    let page = ShowPage {
        shell: manage_shell(&viewer, &format!("{}: {}", row.label(), row.title)),
        id,
        adv: AdvisoryView::new(&row, &content, &revisions),
        status: row.status,
        can_publish: rules::review::may_approve(p.user_id, &authors),
        editors: names(&draft_editors),
        pending: pending_view(&state, &row, &content, p.user_id).await?,
        author: name_of(&state, Some(row.created_by))
            .await?
            .unwrap_or_default(),
        submitter: name_of(&state, row.submitted_by).await?,
        likely_affected: likely,
        public: access::is_public(&row),
    };
    Ok(render(&page)?.into_response())
}
