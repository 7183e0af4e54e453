//! The API's advisory handlers: the list of advisories addressed to the token's
//! organisation, most urgent first, and one advisory in full with the organisation's
//! response; also finding an addressed advisory and shaping a stored response, which the
//! response handlers share.

use axum::extract::{Path, State, rejection::PathRejection};

use super::{
    one_of,
    types::{
        AdvisoryDetail, AdvisoryList, AdvisoryQuery, AdvisoryResponse, AdvisorySummary,
        ResponseSummary, TimelineEntry,
    },
};
use crate::{
    alerts::{
        model::{AdvisoryStatus, ResponseState},
        publishing,
        rules::stats::{InboxKey, urgency},
        store::{
            advisories::{self, AdvisoryRow},
            responses::{self, InboxRow, ResponseRow},
        },
        withheld,
    },
    platform::api::{ApiClient, ApiError, ApiJson, ApiQuery, problem::Problem},
    platform::{AppState, db::Db, ids::OrgId},
};

pub(super) const NOT_ADDRESSED: &str = "There is no advisory with that reference addressed to your \
organisation. The advisories addressed to it are listed at /api/v1/alerts/advisories.";

/// Reads the `state` filter.
fn parse_state_filter(raw: Option<&str>) -> Result<Option<ResponseState>, String> {
    match raw {
        None => Ok(None),
        Some(s) => s.parse::<ResponseState>().map(Some).map_err(|_| {
            format!(
                "state must be one of {}",
                one_of(ResponseState::ALL.iter().map(|s| s.as_str()))
            )
        }),
    }
}

/// Where an advisory sits among the organisation's: a withdrawn advisory needs nothing
/// more, so it ranks with the closed responses.
fn urgency_key(a: &AdvisorySummary) -> InboxKey {
    let closed = a.status == AdvisoryStatus::Withdrawn || a.response.state.is_closed();
    let due = match a.response.state {
        _ if closed => None,
        ResponseState::Awaiting => a.ack_due_at,
        _ => a.response.next_update_due_at,
    };
    InboxKey {
        closed,
        severity: a.severity,
        due,
        published_at: a.published,
    }
}

fn summary(row: InboxRow) -> Result<AdvisorySummary, ApiError> {
    let (severity, tlp, status) = (row.severity, row.tlp, row.status);
    let r = &row.response;
    Ok(AdvisorySummary {
        title: if withheld::applies(tlp) {
            withheld::TITLE.to_owned()
        } else {
            row.title.clone()
        },
        severity,
        tlp,
        status,
        published: row.published_at,
        updated: row.current_release_at,
        ack_required: r.ack_due_at.is_some(),
        ack_due_at: r.ack_due_at,
        response: ResponseSummary {
            state: r.state,
            acknowledged_at: r.acknowledged_at,
            likely_affected: r.likely_affected,
            next_update_due_at: r.next_update_due_at,
        },
        reference: row.reference,
    })
}

/// The advisory with `reference` and the organisation's response to it, if it was
/// addressed to the organisation.
pub(super) async fn addressed(
    db: &Db,
    org: OrgId,
    reference: Result<Path<String>, PathRejection>,
) -> Result<(AdvisoryRow, ResponseRow), ApiError> {
    let not_found = || ApiError::not_found(NOT_ADDRESSED);
    let Ok(Path(reference)) = reference else {
        return Err(not_found());
    };
    // References are short (CC-2026-0042); anything long is not one, and is not looked up.
    if reference.is_empty() || reference.len() > 32 {
        return Err(not_found());
    }
    let advisory = advisories::find_by_reference(db, &reference)
        .await?
        .filter(|a| {
            matches!(
                a.status,
                AdvisoryStatus::Published | AdvisoryStatus::Withdrawn
            )
        })
        .ok_or_else(not_found)?;
    let response = responses::find(db, advisory.id, org)
        .await?
        .ok_or_else(not_found)?;
    Ok((advisory, response))
}

pub(super) async fn response_detail(
    db: &Db,
    row: ResponseRow,
) -> Result<AdvisoryResponse, ApiError> {
    let matched: Vec<publishing::MatchedItem> = serde_json::from_str(&row.matches)
        .map_err(|e| ApiError::internal(&format!("stored matches are unreadable: {e}")))?;
    let timeline = responses::events(db, row.advisory_id, row.organisation_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry {
            at: e.at,
            event: e.kind.label().to_owned(),
            note: e.note,
            by: e.by_name,
        })
        .collect();
    Ok(AdvisoryResponse {
        state: row.state,
        ack_due_at: row.ack_due_at,
        acknowledged_at: row.acknowledged_at,
        decided_at: row.decided_at,
        reason: row.reason,
        risk_owner: row.risk_owner,
        update_days: row.update_days,
        next_update_due_at: row.next_update_due_at,
        closed_at: row.closed_at,
        likely_affected: row.likely_affected,
        matched_items: matched.into_iter().map(Into::into).collect(),
        timeline,
    })
}

/// The advisories addressed to the organisation, published and withdrawn, most urgent
/// first. TLP:RED ones are listed with a notice in place of their title.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/advisories",
    tag = "Alerts",
    operation_id = "list_advisories",
    params(AdvisoryQuery),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "The advisories addressed to the organisation", body = AdvisoryList),
        (status = 400, description = "`state` is not a response state; `detail` lists them",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_advisories(
    State(state): State<AppState>,
    client: ApiClient,
    ApiQuery(query): ApiQuery<AdvisoryQuery>,
) -> Result<ApiJson<AdvisoryList>, ApiError> {
    let wanted = parse_state_filter(query.state.as_deref()).map_err(ApiError::bad_request)?;
    let mut data = responses::inbox(&state.db, &[client.organisation_id])
        .await?
        .into_iter()
        .map(summary)
        .collect::<Result<Vec<_>, _>>()?;
    data.retain(|a| wanted.is_none_or(|w| a.response.state == w));
    data.sort_by(|a, b| urgency(&urgency_key(a), &urgency_key(b)));
    Ok(ApiJson(AdvisoryList { data }))
}

/// One advisory addressed to the organisation: its whole content and history, and the
/// organisation's response with the inventory items it matched and the timeline. A
/// TLP:RED advisory is for named people signed in, so its content here is a notice with
/// the link to read it (title, CVEs, products, remediation and change notes withheld).
#[utoipa::path(
    get,
    path = "/api/v1/alerts/advisories/{reference}",
    tag = "Alerts",
    operation_id = "get_advisory",
    params(("reference" = String, Path, description = "The advisory's reference", example = "CC-2026-0042")),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "The advisory and the organisation's response", body = AdvisoryDetail),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No advisory with that reference is addressed to the organisation",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn read_advisory(
    State(state): State<AppState>,
    client: ApiClient,
    reference: Result<Path<String>, PathRejection>,
) -> Result<ApiJson<AdvisoryDetail>, ApiError> {
    let (advisory, response) = addressed(&state.db, client.organisation_id, reference).await?;
    let published = advisories::published(&state.db, &advisory)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_ADDRESSED))?;
    // A token stands for a system, not a named person: TLP:RED text stays behind sign-in.
    let published = withheld::published(published, &state.config.public_url);
    Ok(ApiJson(AdvisoryDetail {
        reference: published.reference,
        status: advisory.status,
        revision: advisory.revision,
        published: published.initial_release,
        updated: advisory
            .current_release_at
            .unwrap_or(published.initial_release),
        withdrawn_at: advisory.withdrawn_at,
        withdrawn_reason: published.withdrawn_reason,
        content: published.content,
        revisions: published.revisions,
        response: response_detail(&state.db, response).await?,
    }))
}

#[cfg(test)]
mod tests {
    use time::{OffsetDateTime, macros::datetime};

    use super::*;
    use crate::alerts::model::{Severity, Tlp};

    #[test]
    fn the_state_filter_accepts_only_response_states() {
        assert_eq!(parse_state_filter(None), Ok(None));
        assert_eq!(
            parse_state_filter(Some("risk_accepted")),
            Ok(Some(ResponseState::RiskAccepted))
        );
        for bad in ["", "Awaiting", "closed", "awaiting ", "'; DROP TABLE x"] {
            let message = parse_state_filter(Some(bad)).unwrap_err();
            assert_eq!(
                message,
                "state must be one of awaiting, acknowledged, remediating, not_applicable, \
                 remediated, risk_accepted",
                "{bad:?}"
            );
        }
    }

    fn advisory(
        reference: &str,
        severity: Severity,
        state: ResponseState,
        due: Option<OffsetDateTime>,
    ) -> AdvisorySummary {
        AdvisorySummary {
            reference: reference.into(),
            title: "Title".into(),
            severity,
            tlp: Tlp::Amber,
            status: AdvisoryStatus::Published,
            published: datetime!(2026-03-01 09:00 UTC),
            updated: datetime!(2026-03-01 09:00 UTC),
            ack_required: due.is_some(),
            ack_due_at: due,
            response: ResponseSummary {
                state,
                acknowledged_at: None,
                likely_affected: false,
                next_update_due_at: None,
            },
        }
    }

    #[test]
    fn the_most_urgent_advisories_come_first() {
        let soon = Some(datetime!(2026-03-02 09:00 UTC));
        let later = Some(datetime!(2026-03-03 09:00 UTC));
        let mut withdrawn = advisory("W", Severity::Critical, ResponseState::Awaiting, soon);
        withdrawn.status = AdvisoryStatus::Withdrawn;
        let mut remediating = advisory("R", Severity::Low, ResponseState::Remediating, None);
        remediating.response.next_update_due_at = Some(datetime!(2026-03-01 12:00 UTC));
        let mut list = [
            withdrawn,
            advisory("C", Severity::Low, ResponseState::Remediated, None),
            advisory("L", Severity::High, ResponseState::Awaiting, later),
            advisory("S", Severity::Medium, ResponseState::Awaiting, soon),
            remediating,
            advisory("N", Severity::Critical, ResponseState::Acknowledged, None),
        ];
        list.sort_by(|a, b| urgency(&urgency_key(a), &urgency_key(b)));
        let order: Vec<&str> = list.iter().map(|a| a.reference.as_str()).collect();
        assert_eq!(order, ["R", "S", "L", "N", "W", "C"]);
    }

    #[test]
    fn documents_serialise_dates_as_rfc_3339() {
        let a = advisory(
            "CC-2026-0001",
            Severity::High,
            ResponseState::Awaiting,
            Some(datetime!(2026-03-03 09:00 UTC)),
        );
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["published"], "2026-03-01T09:00:00Z");
        assert_eq!(json["ack_due_at"], "2026-03-03T09:00:00Z");
        assert_eq!(json["severity"], "high");
        assert_eq!(json["tlp"], "AMBER");
        assert_eq!(json["response"]["state"], "awaiting");
        assert!(json["response"]["acknowledged_at"].is_null());
    }
}
