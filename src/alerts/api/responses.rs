//! The API's response handlers: acknowledging an advisory and moving the organisation's
//! response on, recorded against the API token, with the workflow's refusals turned into
//! problem documents that name the field or the conflict.

use axum::{
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
};

use super::{
    advisories::{NOT_ADDRESSED, addressed, response_detail},
    state_change::{StateChange, to_action},
    token_details,
    types::AdvisoryResponse,
};
use crate::{
    alerts::{
        responding::{self, ApiToken, RespondError},
        rules::responses::{Action, MAX_TEXT_CHARS, ResponseError},
        store::responses,
    },
    platform::api::{ApiClient, ApiError, ApiJson, problem::FieldProblem, problem::Problem},
    platform::{AppState, db::now, web::client::ClientIp},
};

/// The request field a problem with what was written is about.
fn field_of(error: &ResponseError, action: &Action) -> &'static str {
    if matches!(error, ResponseError::UpdateDays(_)) {
        return "next_update_days";
    }
    match action {
        Action::Update { .. } | Action::CloseRemediated { .. } => "note",
        // The workflow checks the owner before the reason.
        Action::AcceptRisk { owner, .. } => {
            let owner = owner.trim();
            if owner.is_empty() || owner.chars().count() > MAX_TEXT_CHARS {
                "owner"
            } else {
                "reason"
            }
        }
        _ => "reason",
    }
}

/// The answer when a response could not be recorded.
fn respond_problem(error: RespondError, action: &Action) -> ApiError {
    match error {
        RespondError::NotAddressed => ApiError::not_found(NOT_ADDRESSED),
        RespondError::Db(e) => e.into(),
        RespondError::Rule(rule) => match rule {
            ResponseError::MissingReason(_)
            | ResponseError::TooLong { .. }
            | ResponseError::UpdateDays(_) => ApiError::validation(vec![FieldProblem::new(
                field_of(&rule, action),
                rule.to_string(),
            )]),
            ResponseError::AlreadyAcknowledged => ApiError::typed(
                StatusCode::CONFLICT,
                "already-acknowledged",
                "The advisory is already acknowledged",
                rule.to_string(),
            ),
            ResponseError::Withdrawn => ApiError::typed(
                StatusCode::CONFLICT,
                "advisory-withdrawn",
                "The advisory has been withdrawn",
                rule.to_string(),
            ),
            ResponseError::NotAcknowledged
            | ResponseError::AlreadyDecided
            | ResponseError::NotRemediating
            | ResponseError::Closed
            | ResponseError::NotClosed => ApiError::typed(
                StatusCode::CONFLICT,
                "response-state-conflict",
                "The response cannot make that change in its current state",
                rule.to_string(),
            ),
        },
    }
}

/// Records `action` for the token's organisation and returns the response as it now is.
async fn respond(
    state: &AppState,
    client: &ApiClient,
    ip: &str,
    reference: Result<Path<String>, PathRejection>,
    action: &Action,
) -> Result<ApiJson<AdvisoryResponse>, ApiError> {
    let org = client.organisation_id;
    let (advisory, _) = addressed(&state.db, org, reference).await?;
    let token = token_details(&state.db, client).await?;
    responding::record_for_token(
        &state.db,
        &state.secrets,
        ApiToken {
            name: &token.name,
            prefix: &token.prefix,
        },
        ip,
        advisory.id,
        org,
        action,
        now(),
    )
    .await
    .map_err(|e| respond_problem(e, action))?;
    let row = responses::find(&state.db, advisory.id, org)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_ADDRESSED))?;
    Ok(ApiJson(response_detail(&state.db, row).await?))
}

/// Acknowledges the advisory for the organisation. Send no body.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/advisories/{reference}/acknowledge",
    tag = "Alerts",
    operation_id = "acknowledge_advisory",
    params(("reference" = String, Path, description = "The advisory's reference", example = "CC-2026-0042")),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "Acknowledged; the response as it now is", body = AdvisoryResponse),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No advisory with that reference is addressed to the organisation",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged (`/api/v1/problems/already-acknowledged`) \
            or withdrawn (`/api/v1/problems/advisory-withdrawn`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn acknowledge(
    State(state): State<AppState>,
    client: ApiClient,
    ClientIp(ip): ClientIp,
    reference: Result<Path<String>, PathRejection>,
) -> Result<ApiJson<AdvisoryResponse>, ApiError> {
    respond(&state, &client, &ip, reference, &Action::Acknowledge).await
}

/// Moves the organisation's response on: the advisory applies or not, a progress update,
/// closing it as remediated or with the risk accepted, or reopening it.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/advisories/{reference}/state",
    tag = "Alerts",
    operation_id = "change_advisory_response",
    params(("reference" = String, Path, description = "The advisory's reference", example = "CC-2026-0042")),
    request_body(content = StateChange, content_type = "application/json"),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "Recorded; the response as it now is", body = AdvisoryResponse),
        (status = 400, description = "The body is not valid JSON",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No advisory with that reference is addressed to the organisation",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The response cannot make that change in its current state, \
            or the advisory has been withdrawn; `detail` says what to do instead",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as `application/json`",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or wrong; `errors` names each",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_state(
    State(state): State<AppState>,
    client: ApiClient,
    ClientIp(ip): ClientIp,
    reference: Result<Path<String>, PathRejection>,
    ApiJson(change): ApiJson<StateChange>,
) -> Result<ApiJson<AdvisoryResponse>, ApiError> {
    let action = to_action(&change).map_err(ApiError::validation)?;
    respond(&state, &client, &ip, reference, &action).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_problems_name_the_field_that_caused_them() {
        let missing = ResponseError::MissingReason("x");
        let risk = |owner: &str| Action::AcceptRisk {
            owner: owner.into(),
            reason: String::new(),
        };
        assert_eq!(field_of(&missing, &risk(" ")), "owner");
        assert_eq!(
            field_of(&missing, &risk(&"a".repeat(MAX_TEXT_CHARS + 1))),
            "owner"
        );
        assert_eq!(field_of(&missing, &risk("Jo")), "reason");
        let close = Action::CloseRemediated {
            note: String::new(),
        };
        assert_eq!(field_of(&missing, &close), "note");
        let update = Action::Update {
            note: "ok".into(),
            next_update_days: Some(90),
        };
        assert_eq!(
            field_of(&ResponseError::UpdateDays("no".into()), &update),
            "next_update_days"
        );
    }

    #[test]
    fn rule_failures_are_conflicts_and_text_failures_are_validation() {
        let ack = Action::Acknowledge;
        let status = |e: ResponseError| respond_problem(RespondError::Rule(e), &ack).status();
        assert_eq!(
            status(ResponseError::AlreadyAcknowledged),
            StatusCode::CONFLICT
        );
        assert_eq!(status(ResponseError::Withdrawn), StatusCode::CONFLICT);
        assert_eq!(status(ResponseError::Closed), StatusCode::CONFLICT);
        assert_eq!(
            status(ResponseError::MissingReason("A note")),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let e = respond_problem(RespondError::Rule(ResponseError::AlreadyAcknowledged), &ack);
        assert_eq!(
            e.problem().detail,
            "This advisory has already been acknowledged by your organisation"
        );
        assert_eq!(e.problem().kind, "/api/v1/problems/already-acknowledged");
        assert_eq!(
            respond_problem(RespondError::NotAddressed, &ack).status(),
            StatusCode::NOT_FOUND
        );
    }
}
