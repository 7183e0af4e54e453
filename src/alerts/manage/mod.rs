//! The national team's advisory pages: the list of advisories with a national overview,
//! writing and editing drafts, submitting for review, publication by a second analyst,
//! revisions (each with what changed, re-notifying only when asked; those that loosen the
//! TLP label, widen the audience or change remediation wait for a second analyst's
//! approval) and withdrawal.
//!
//! - `list`: the list of advisories with the national overview;
//! - `form`: the advisory form and reading it into content (pure, tested);
//! - `drafts`: the form's pages, writing and editing drafts;
//! - `show`: one advisory's page, with any revision waiting for approval;
//! - `review`: the two-person rule: submitting, returning, publishing, and approving or
//!   discarding a revision;
//! - `revisions`: revising and withdrawing a published advisory.

mod drafts;
mod form;
mod list;
mod review;
mod revisions;
mod show;

use uuid::Uuid;

use crate::{
    alerts::{
        publishing::{self, PublishError},
        store::advisories,
    },
    platform::{
        AppState,
        authz::{Principal, Rule},
        error::{AppError, AppResult},
        web::{
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

use self::{
    drafts::{create, edit_form, new_form, save},
    list::list,
    review::{approve_revision, discard_revision, publish, send_back, submit},
    revisions::{revise, revise_form, withdraw},
    show::show,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts/manage", Rule::NationalStaff, list),
        Route::get("/alerts/manage/new", Rule::NationalStaff, new_form),
        Route::post("/alerts/manage/new", Rule::NationalStaff, create),
        Route::get("/alerts/manage/{advisory_id}", Rule::NationalStaff, show),
        Route::get(
            "/alerts/manage/{advisory_id}/edit",
            Rule::NationalStaff,
            edit_form,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/edit",
            Rule::NationalStaff,
            save,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/submit",
            Rule::NationalStaff,
            submit,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/return",
            Rule::NationalStaff,
            send_back,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/publish",
            Rule::NationalStaff,
            publish,
        ),
        Route::get(
            "/alerts/manage/{advisory_id}/revise",
            Rule::NationalStaff,
            revise_form,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revise",
            Rule::NationalStaff,
            revise,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revision/approve",
            Rule::NationalStaff,
            approve_revision,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revision/discard",
            Rule::NationalStaff,
            discard_revision,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/withdraw",
            Rule::NationalStaff,
            withdraw,
        ),
    ]
}

/// The frame of every advisory page, with the way back to the list.
fn manage_shell(viewer: &Viewer, title: &str) -> Shell {
    viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb("Advisories", "/alerts/manage")
}

/// The analyst acting, as the publishing work records them.
fn actor<'a>(state: &'a AppState, p: &'a Principal, ip: &'a str) -> publishing::Actor<'a> {
    publishing::Actor {
        user_id: p.user_id,
        label: &p.email,
        ip: Some(ip),
        secrets: &state.secrets,
    }
}

/// The advisory with `id`, at whatever stage it is.
async fn load(state: &AppState, id: Uuid) -> AppResult<advisories::AdvisoryRow> {
    advisories::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A refusal by the publishing work as the pages answer it: a step the advisory's stage or
/// the two-person rule does not allow is a conflict, with the reason.
fn refused(e: PublishError) -> AppError {
    match e {
        PublishError::NotFound => AppError::NotFound,
        PublishError::Refused(m) | PublishError::Invalid(m) => AppError::Conflict(m),
        PublishError::Db(e) => e.into(),
    }
}
