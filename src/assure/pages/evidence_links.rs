//! Adding a piece of the organisation's evidence to a requirement's answer, and taking it
//! off again. Whoever may answer the requirement may do either; the evidence and the
//! assessment must both be the organisation's.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    assure::{
        pages::{load, requirement_path, section_of},
        store::evidence as store,
    },
    platform::{
        AppState,
        authz::Rule,
        error::{AppError, AppResult},
        tenancy::{Member, OrgScope},
        web::{cookies::redirect_with_notice, routes::Route},
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::post(
            "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}/evidence",
            Rule::OrgMember,
            link,
        ),
        Route::post(
            "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}/evidence/{evidence_id}/remove",
            Rule::OrgMember,
            unlink,
        ),
    ]
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    evidence: String,
}

/// Finds the requirement and checks the person may answer it now.
async fn answerable(
    state: &AppState,
    scope: &OrgScope<Member>,
    id: Uuid,
    requirement: &str,
) -> AppResult<(String, Result<(), String>)> {
    let loaded = load(state, &scope.principal, scope.id(), id).await?;
    let r = loaded
        .framework
        .requirement(requirement)
        .filter(|r| r.assessable)
        .ok_or(AppError::NotFound)?;
    if !loaded.access.may_answer(section_of(&loaded.framework, r)) {
        return Err(AppError::Forbidden);
    }
    Ok((
        r.id.clone(),
        loaded.row.status.may_answer().map_err(|e| e.to_string()),
    ))
}

/// `POST …/requirements/{requirement}/evidence`
pub async fn link(
    State(state): State<AppState>,
    scope: OrgScope<Member>,
    Path((_, id, requirement)): Path<(String, Uuid, String)>,
    Form(form): Form<LinkForm>,
) -> AppResult<Response> {
    let (requirement, open) = answerable(&state, &scope, id, &requirement).await?;
    let back = format!(
        "{}#evidence",
        requirement_path(scope.id(), id, &requirement)
    );
    let secure = state.config.is_https();
    if let Err(why) = open {
        return Ok(redirect_with_notice(secure, &back, &why));
    }
    let Ok(evidence) = form.evidence.parse::<Uuid>() else {
        return Ok(redirect_with_notice(
            secure,
            &back,
            "Select the evidence to add",
        ));
    };
    let found = store::find(&state.db, scope.id(), evidence)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let added = store::link(
        &mut tx,
        scope.id(),
        evidence,
        id,
        &requirement,
        scope.principal.user_id,
    )
    .await?;
    tx.commit().await?;
    let notice = if added {
        format!("“{}” now supports {requirement}", found.title)
    } else {
        format!("“{}” already supports {requirement}", found.title)
    };
    Ok(redirect_with_notice(secure, &back, &notice))
}

/// `POST …/requirements/{requirement}/evidence/{evidence_id}/remove`
pub async fn unlink(
    State(state): State<AppState>,
    scope: OrgScope<Member>,
    Path((_, id, requirement, evidence)): Path<(String, Uuid, String, Uuid)>,
) -> AppResult<Response> {
    let (requirement, open) = answerable(&state, &scope, id, &requirement).await?;
    let back = format!(
        "{}#evidence",
        requirement_path(scope.id(), id, &requirement)
    );
    let secure = state.config.is_https();
    if let Err(why) = open {
        return Ok(redirect_with_notice(secure, &back, &why));
    }
    let mut tx = state.db.begin().await?;
    let removed = store::unlink(&mut tx, scope.id(), evidence, id, &requirement).await?;
    tx.commit().await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice(
        secure,
        &back,
        &format!("Evidence taken off {requirement}"),
    ))
}
