//! A person's answer to an invitation to join an organisation: accepting makes them a
//! member from that moment (the day their new organisation's view of their training
//! starts from); declining removes the invitation. Either answers it once. Until then the
//! organisation may withdraw it (a mistyped address asks the wrong person).

use axum::{
    extract::{Path, State},
    response::Response,
};
use uuid::Uuid;

use crate::{
    audit::{self, NewEvent},
    platform::{
        AppState,
        error::{AppError, AppResult},
        tenancy::{Lead, OrgScope},
        web::{client::ClientIp, cookies::redirect_with_notice, shell::Viewer},
    },
    staff::{
        joining_store,
        store::{self, NewMembership},
    },
};

pub async fn accept(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    answer(&state, &viewer, &ip, id, Answer::Accept).await
}

pub async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    answer(&state, &viewer, &ip, id, Answer::Decline).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    Decline,
}

/// Answers the signed-in person's invitation `id` (only their own: anyone else's is not
/// found), in one transaction with its audit event.
async fn answer(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: Uuid,
    answer: Answer,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let mut tx = state.db.begin().await?;
    let invitation = joining_store::take(&mut tx, id, p.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (event, detail, notice) = match answer {
        Answer::Accept => {
            store::add(
                &mut tx,
                &NewMembership {
                    organisation_id: invitation.organisation_id,
                    user_id: p.user_id,
                    role: invitation.role,
                    staff_group: invitation.staff_group.as_str(),
                    department: invitation.department.as_deref(),
                },
            )
            .await?;
            (
                "membership.accepted",
                serde_json::json!({ "user": p.email, "role": invitation.role.as_str() }),
                format!(
                    "You have joined {} as {}",
                    invitation.organisation_name,
                    invitation.role.label().to_lowercase()
                ),
            )
        }
        Answer::Decline => (
            "membership.declined",
            serde_json::json!({ "user": p.email }),
            format!(
                "You declined the invitation to join {}",
                invitation.organisation_name
            ),
        ),
    };
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, event, ip)
            .with_detail(detail)
            .in_organisation(invitation.organisation_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        "/account",
        &notice,
    ))
}

pub async fn withdraw(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (p, org_id) = (&scope.principal, scope.id());
    let mut tx = state.db.begin().await?;
    let email = joining_store::withdraw(&mut tx, org_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(
            Some(p.user_id),
            &p.email,
            "membership.invitation_withdrawn",
            &ip,
        )
        .with_detail(serde_json::json!({ "user": email }))
        .in_organisation(org_id),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/staff"),
        &format!("You withdrew the invitation to {email}"),
    ))
}
