//! The API's inventory handlers: reading the organisation's software inventory, and
//! replacing it whole with a CSV file or CycloneDX SBOM sent as the request body, after
//! which the organisation's matches with live advisories are worked out again.

use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
};

use super::{
    token_details,
    types::{InventoryList, InventoryReplaced},
};
use crate::{
    alerts::{
        inventory_files::{self, Format, MAX_BYTES},
        inventory_schema::{InventoryCsv, InventorySbom},
        publishing, responding,
        store::inventory,
    },
    audit::{self, NewEvent},
    platform::api::{ApiClient, ApiError, ApiJson, problem::FieldProblem, problem::Problem},
    platform::{AppState, db::now, web::client::ClientIp},
};

/// The inventory format a request body declares with its `Content-Type`.
fn declared_format(content_type: Option<&str>) -> Option<Format> {
    let media = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        "text/csv" => Some(Format::Csv),
        "application/vnd.cyclonedx+json" | "application/json" => Some(Format::CycloneDx),
        _ => None,
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "CSV",
        Format::CycloneDx => "CycloneDX JSON",
    }
}

/// The organisation's software inventory, in the order it was uploaded.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/inventory",
    tag = "Alerts",
    operation_id = "get_inventory",
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "The organisation's inventory", body = InventoryList),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn read_inventory(
    State(state): State<AppState>,
    client: ApiClient,
) -> Result<ApiJson<InventoryList>, ApiError> {
    let org = client.organisation_id;
    let data = inventory::items(&state.db, org).await?;
    let uploaded_at = inventory::upload(&state.db, org)
        .await?
        .map(|u| u.uploaded_at);
    Ok(ApiJson(InventoryList { data, uploaded_at }))
}

/// Replaces the organisation's whole software inventory, then works out again which live
/// advisories it is likely affected by. The upload is all or nothing: if any row is wrong,
/// nothing changes and every problem is listed.
#[utoipa::path(
    put,
    path = "/api/v1/alerts/inventory",
    tag = "Alerts",
    operation_id = "replace_inventory",
    request_body(
        description = "The whole inventory: a CSV file with the headings vendor, product, \
            version, count and location (and optionally cpe and purl), or a CycloneDX 1.4 to \
            1.7 SBOM in JSON. At most 5 MB.",
        content(
            (InventoryCsv = "text/csv"),
            (InventorySbom = "application/vnd.cyclonedx+json"),
            (InventorySbom = "application/json"),
        )
    ),
    security(("bearer_token" = [])),
    responses(
        (status = 200, description = "Replaced", body = InventoryReplaced),
        (status = 401, description = "No token, or a token that is unknown or revoked",
            body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 5 MB",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as CSV or CycloneDX JSON",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The inventory has problems; `errors` lists every one and \
            nothing was changed",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Something went wrong on our side",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_inventory(
    State(state): State<AppState>,
    client: ApiClient,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ApiJson<InventoryReplaced>, ApiError> {
    let too_large = || {
        ApiError::from_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The inventory is larger than {} MB, the most CareCERT accepts. Leave out \
                 what advisories cannot concern (such as documents and media), or send a \
                 CycloneDX SBOM, which is usually smaller",
                MAX_BYTES / (1024 * 1024)
            ),
        )
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(declared) = declared_format(content_type) else {
        return Err(ApiError::from_status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the inventory as CSV with `Content-Type: text/csv`, or as a CycloneDX SBOM \
             with `Content-Type: application/vnd.cyclonedx+json`.",
        ));
    };
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request("The request body could not be read. Try sending it again.")
        }
    })?;
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    let filename = match declared {
        Format::Csv => "inventory.csv",
        Format::CycloneDx => "inventory.cdx.json",
    };
    let problems = |problems: Vec<String>| {
        ApiError::validation(
            problems
                .into_iter()
                .map(|p| FieldProblem::new("body", p))
                .collect(),
        )
    };
    let found = inventory_files::detect(filename, &bytes).map_err(|e| problems(e.problems))?;
    if found != declared {
        return Err(problems(vec![format!(
            "The body is sent as {} but it reads as {}. Send it with the Content-Type that \
             matches it",
            format_name(declared),
            format_name(found)
        )]));
    }
    let inventory_files::Parsed { items, left_out } =
        inventory_files::parse(filename, &bytes).map_err(|e| problems(e.problems))?;
    let token = token_details(&state.db, &client).await?;
    let org = client.organisation_id;
    let mut tx = state.db.begin().await?;
    inventory::replace(
        &mut tx,
        org,
        &format!("Sent with the API token \"{}\"", token.name),
        declared,
        &items,
        token.created_by,
        now(),
    )
    .await?;
    let matched = publishing::rematch_organisation(&mut tx, org).await?;
    let label = responding::token_actor_label(&token.prefix);
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: None,
            actor_label: &label,
            organisation_id: Some(org),
            event: "alerts.inventory_replaced",
            detail: serde_json::json!({
                "api_token_name": token.name,
                "format": declared.as_str(),
                "items": items.len(),
                "left_out": left_out.len(),
                "likely_affected_advisories": matched,
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(InventoryReplaced {
        items: u64::try_from(items.len()).unwrap_or(u64::MAX),
        likely_affected_advisories: u64::try_from(matched).unwrap_or(u64::MAX),
        left_out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_say_which_format_is_sent() {
        assert_eq!(declared_format(Some("text/csv")), Some(Format::Csv));
        assert_eq!(
            declared_format(Some("Text/CSV; charset=utf-8")),
            Some(Format::Csv)
        );
        assert_eq!(
            declared_format(Some("application/vnd.cyclonedx+json; version=1.5")),
            Some(Format::CycloneDx)
        );
        assert_eq!(
            declared_format(Some("application/json")),
            Some(Format::CycloneDx)
        );
        for other in ["", "text/plain", "application/xml", "multipart/form-data"] {
            assert_eq!(declared_format(Some(other)), None, "{other:?}");
        }
        assert_eq!(declared_format(None), None);
    }
}
