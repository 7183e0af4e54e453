//! Giving a section of an assessment to a colleague to answer, or taking it back. The
//! colleague then sees the assessment and may answer that section's requirements only.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    assure::{
        pages::{assessment_path, load},
        store::assessments as store,
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        error::{AppError, AppResult},
        tenancy::{Lead, OrgScope},
        web::{client::ClientIp, cookies::redirect_with_notice, routes::Route},
    },
};

pub fn routes() -> Vec<Route> {
    vec![Route::post(
        "/organisations/{org_id}/assessments/{assessment_id}/assignments",
        Rule::OrgLead,
        assign,
    )]
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    section: String,
    #[serde(default)]
    email: String,
}

/// `POST /organisations/{org_id}/assessments/{assessment_id}/assignments`
pub async fn assign(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(String, Uuid)>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = &scope.organisation;
    let loaded = load(&state, p, org.id, id).await?;
    let back = assessment_path(org.id, id);
    let secure = state.config.is_https();
    let section = loaded
        .framework
        .children("")
        .find(|s| s.id == form.section)
        .ok_or(AppError::NotFound)?;
    let anchor = format!("{back}#section-{}", section.id);
    if let Err(refused) = loaded.row.status.may_answer() {
        return Ok(redirect_with_notice(secure, &anchor, &refused.to_string()));
    }
    let email = form.email.trim().to_lowercase();
    let assignee = if email.is_empty() {
        None
    } else {
        match store::active_member_by_email(&state.db, org.id, &email).await? {
            Some(found) => Some(found),
            None => {
                return Ok(redirect_with_notice(
                    secure,
                    &anchor,
                    &format!(
                        "Nobody with the email address {email} is an active member of {}. Section {} was not given to anyone.",
                        org.name, section.id
                    ),
                ));
            }
        }
    };
    let mut tx = state.db.begin().await?;
    store::assign(
        &mut tx,
        id,
        &section.id,
        assignee.as_ref().map(|a| a.0),
        p.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.section_assigned",
            detail: serde_json::json!({
                "assessment": id,
                "section": section.id,
                "assignee": assignee.as_ref().map(|a| a.0),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let notice = match &assignee {
        Some((_, name)) => format!(
            "{name} now answers section {} {}",
            section.id, section.title
        ),
        None => format!("Section {} is no longer given to anyone", section.id),
    };
    Ok(redirect_with_notice(secure, &anchor, &notice))
}
