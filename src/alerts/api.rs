//! The Alerts service's JSON API, for an organisation's own systems (a security operations
//! centre, a ticketing tool): read the advisories addressed to the organisation, record its
//! response, and keep its software inventory current so matches stay right. Every handler
//! takes an [`ApiClient`] and reads and changes only that token's organisation; an advisory
//! not addressed to it is answered exactly as one that does not exist.

use axum::{
    body::Bytes,
    extract::{Path, State, rejection::BytesRejection, rejection::PathRejection},
    http::{HeaderMap, Method, StatusCode, header},
    routing::put,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{
    IntoParams, ToSchema,
    openapi::{
        RefOr, Schema,
        schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type},
    },
};
use uuid::Uuid;

use crate::{
    alerts::{
        inventory_files::{self, Format, MAX_BYTES},
        inventory_schema::{InventoryCsv, InventorySbom},
        model::{
            AdvisoryContent, AdvisoryStatus, InventoryItem, ResponseState, RevisionNote, Severity,
            Tlp,
        },
        publishing,
        responding::{self, ApiToken, RespondError},
        rules::{
            deadlines::{MAX_UPDATE_DAYS, MIN_UPDATE_DAYS},
            matching::MatchReason,
            responses::{Action, MAX_TEXT_CHARS, ResponseError},
            stats::{InboxKey, urgency},
        },
        store::{
            advisories::{self, AdvisoryRow},
            inventory,
            responses::{self, InboxRow, ResponseRow},
        },
        withheld,
    },
    api::{
        ApiClient, ApiError, ApiJson, ApiQuery, api_get, api_post, problem::FieldProblem,
        problem::Problem,
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        db::{Db, now},
        web::{client::ClientIp, routes::Route},
    },
    with_db,
};

/// Every route of the Alerts API.
pub fn routes() -> Vec<Route> {
    vec![
        api_get("/api/v1/alerts/advisories", Rule::ApiToken, list_advisories),
        api_get(
            "/api/v1/alerts/advisories/{reference}",
            Rule::ApiToken,
            read_advisory,
        ),
        api_post(
            "/api/v1/alerts/advisories/{reference}/acknowledge",
            Rule::ApiToken,
            acknowledge,
        ),
        api_post(
            "/api/v1/alerts/advisories/{reference}/state",
            Rule::ApiToken,
            change_state,
        ),
        api_get("/api/v1/alerts/inventory", Rule::ApiToken, read_inventory),
        // The GET route of this path already answers other methods with a problem, and a
        // path can have only one such answer, so this one adds none.
        Route {
            method: Method::PUT,
            path: "/api/v1/alerts/inventory",
            rule: Rule::ApiToken,
            handler: put(replace_inventory),
        },
    ]
}

// ---- What the API returns ----

/// The organisation's response to one advisory, in brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponseSummary {
    pub state: ResponseState,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// Whether the organisation's inventory has an affected version of a product the
    /// advisory names.
    pub likely_affected: bool,
    /// When the next progress update is due, while remediation is in progress.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update_due_at: Option<OffsetDateTime>,
}

/// One advisory addressed to the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisorySummary {
    #[schema(example = "CC-2026-0042")]
    pub reference: String,
    #[schema(example = "Log4j remote code execution")]
    pub title: String,
    pub severity: Severity,
    pub tlp: Tlp,
    /// `published`, or `withdrawn` when no response is needed any more.
    pub status: AdvisoryStatus,
    /// When the advisory was first published.
    #[serde(with = "time::serde::rfc3339")]
    pub published: OffsetDateTime,
    /// When its current revision was published.
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    /// Whether the organisation must acknowledge the advisory (by `ack_due_at`).
    pub ack_required: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ack_due_at: Option<OffsetDateTime>,
    pub response: ResponseSummary,
}

/// The advisories addressed to the organisation, most urgent first: open responses before
/// closed ones (and withdrawn advisories), then the earliest deadline, then the most
/// severe, then the newest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryList {
    pub data: Vec<AdvisorySummary>,
}

/// An inventory item that matched one of the advisory's affected products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchedInventoryItem {
    #[schema(example = "Apache")]
    pub vendor: String,
    #[schema(example = "log4j-core")]
    pub product: String,
    #[schema(example = "2.14.1")]
    pub version: String,
    #[schema(example = "Payroll servers")]
    pub location: String,
    pub count: i64,
    /// The affected product it matched.
    #[schema(example = "Apache Log4j")]
    pub affects: String,
    /// What the match rests on: package URL, CPE name, or vendor and product name.
    pub reason: MatchReason,
}

impl From<publishing::MatchedItem> for MatchedInventoryItem {
    fn from(m: publishing::MatchedItem) -> Self {
        MatchedInventoryItem {
            vendor: m.vendor,
            product: m.product,
            version: m.version,
            location: m.location,
            count: m.count,
            affects: m.affects,
            reason: m.reason,
        }
    }
}

/// One entry of the response's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What happened, e.g. "Acknowledged" or "Progress update".
    #[schema(example = "Progress update")]
    pub event: String,
    #[schema(example = "Patched 40 of 120 servers")]
    pub note: String,
    /// The person who recorded it; empty when an API token did (the note names it).
    pub by: Option<String>,
}

/// The organisation's whole response to an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryResponse {
    pub state: ResponseState,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ack_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// When the organisation decided whether the advisory applies.
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Why it does not apply, why the risk was accepted, or why it was reopened.
    pub reason: Option<String>,
    /// Who owns an accepted risk.
    pub risk_owner: Option<String>,
    /// Days between progress updates while remediating.
    pub update_days: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update_due_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub likely_affected: bool,
    /// The inventory items that make the organisation likely affected.
    pub matched_items: Vec<MatchedInventoryItem>,
    /// What has been recorded, newest first.
    pub timeline: Vec<TimelineEntry>,
}

/// A whole advisory with the organisation's response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdvisoryDetail {
    #[schema(example = "CC-2026-0042")]
    pub reference: String,
    pub status: AdvisoryStatus,
    /// The number of the current revision, from 1.
    pub revision: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub published: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_reason: Option<String>,
    pub content: AdvisoryContent,
    /// Every revision, oldest first; a withdrawal is the last entry.
    pub revisions: Vec<RevisionNote>,
    pub response: AdvisoryResponse,
}

/// The organisation's software inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InventoryList {
    /// The items in the order they were uploaded.
    pub data: Vec<InventoryItem>,
    /// When the inventory was last replaced; empty if it never has been.
    #[serde(with = "time::serde::rfc3339::option")]
    pub uploaded_at: Option<OffsetDateTime>,
}

/// What replacing the inventory did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InventoryReplaced {
    /// How many items the inventory now has.
    #[schema(example = 240)]
    pub items: u64,
    /// How many live advisories addressed to the organisation its inventory now matches.
    #[schema(example = 1)]
    pub likely_affected_advisories: u64,
    /// SBOM components not imported because they name no supplier, CPE or package URL, so
    /// no advisory could match them.
    #[schema(example = json!(["Component 1 ('debian')"]))]
    pub left_out: Vec<String>,
}

// ---- What the API reads ----

/// Which advisories to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryQuery {
    /// Only advisories whose response is in this state.
    #[param(value_type = Option<ResponseState>, example = "awaiting")]
    pub state: Option<String>,
}

/// A change to the organisation's response. `reason`, `note`, `owner` and
/// `next_update_days` are given with the actions that use them, and no others. Read
/// leniently (every field optional) so that a wrong request gets one message per field; the
/// OpenAPI document describes each action exactly (see [`state_change_schema`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    pub action: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub owner: Option<String>,
    /// A number rather than an integer, since JSON (and the OpenAPI document) counts `7.0`
    /// as the whole number 7.
    pub next_update_days: Option<serde_json::Number>,
}

/// What to do to the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAction {
    Applies,
    DoesNotApply,
    Update,
    CloseRemediated,
    AcceptRisk,
    Reopen,
}

impl StateAction {
    const ALL: [StateAction; 6] = [
        StateAction::Applies,
        StateAction::DoesNotApply,
        StateAction::Update,
        StateAction::CloseRemediated,
        StateAction::AcceptRisk,
        StateAction::Reopen,
    ];

    fn as_str(self) -> &'static str {
        match self {
            StateAction::Applies => "applies",
            StateAction::DoesNotApply => "does_not_apply",
            StateAction::Update => "update",
            StateAction::CloseRemediated => "close_remediated",
            StateAction::AcceptRisk => "accept_risk",
            StateAction::Reopen => "reopen",
        }
    }

    /// The fields the action reads.
    fn fields(self) -> &'static [&'static str] {
        match self {
            StateAction::Applies => &["next_update_days"],
            StateAction::DoesNotApply | StateAction::Reopen => &["reason"],
            StateAction::Update => &["note", "next_update_days"],
            StateAction::CloseRemediated => &["note"],
            StateAction::AcceptRisk => &["owner", "reason"],
        }
    }

    /// The fields the action cannot do without (the others it reads are optional).
    fn required(self) -> &'static [&'static str] {
        match self {
            StateAction::Applies => &[],
            StateAction::DoesNotApply | StateAction::Reopen => &["reason"],
            StateAction::Update | StateAction::CloseRemediated => &["note"],
            StateAction::AcceptRisk => &["owner", "reason"],
        }
    }

    fn description(self) -> &'static str {
        match self {
            StateAction::Applies => "The advisory applies; remediation starts.",
            StateAction::DoesNotApply => {
                "The advisory does not apply, because of `reason`; closes the response."
            }
            StateAction::Update => "A progress update while remediating.",
            StateAction::CloseRemediated => "Remediation is complete; closes the response.",
            StateAction::AcceptRisk => {
                "The risk is accepted by `owner`, because of `reason`; closes the response."
            }
            StateAction::Reopen => "Reopens a closed response, because of `reason`.",
        }
    }
}

/// The request body of a change of state, one variant per action with only the fields that
/// action reads, so that every body the document allows is one the server accepts (the
/// workflow may still refuse a step the response's state does not allow, with 409).
fn state_change_schema() -> RefOr<Schema> {
    // Text is trimmed before it is checked, so it must hold something other than spaces.
    let text = |description: &str, example: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_TEXT_CHARS))
            .pattern(Some(r"\S"))
            .description(Some(description))
            .examples([serde_json::json!(example)])
            .build()
    };
    let field = |name: &str| -> Schema {
        match name {
            "reason" => text("Why: the advisory does not apply, the risk is accepted, or the response is reopened.", "We do not run this product"),
            "note" => text("What was done.", "Patched 40 of 120 servers"),
            "owner" => text("The person accountable for the accepted risk.", "Jo Bloggs, SIRO"),
            _ => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(MIN_UPDATE_DAYS))
                .maximum(Some(MAX_UPDATE_DAYS))
                .description(Some("Days until the next progress update."))
                .examples([serde_json::json!(7)])
                .build(),
        }
        .into()
    };
    let variants = StateAction::ALL.into_iter().map(|action| {
        let mut object = ObjectBuilder::new()
            .title(Some(action.as_str()))
            .description(Some(action.description()))
            .property(
                "action",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([action.as_str()])),
            )
            .required("action")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for name in action.fields() {
            object = object.property(*name, field(name));
        }
        for name in action.required() {
            object = object.required(*name);
        }
        object.build()
    });
    let choice = variants
        .fold(OneOfBuilder::new(), OneOfBuilder::item)
        .description(Some(
            "A change to the organisation's response: one action, with only the fields it reads.",
        ))
        .build();
    RefOr::T(Schema::OneOf(choice))
}

impl utoipa::PartialSchema for StateChange {
    fn schema() -> RefOr<Schema> {
        state_change_schema()
    }
}

impl ToSchema for StateChange {}

// ---- Pure rules of the API ----

fn one_of<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

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

/// Turns a requested change into a workflow action. Text the action needs but that is
/// missing is passed on empty, so the workflow says first whether the step is possible at
/// all and only then what to write.
fn to_action(change: &StateChange) -> Result<Action, Vec<FieldProblem>> {
    let Some(kind) = StateAction::ALL
        .into_iter()
        .find(|a| a.as_str() == change.action)
    else {
        return Err(vec![FieldProblem::new(
            "action",
            format!(
                "action must be one of {}. To acknowledge, POST to the advisory's \
                 /acknowledge address",
                one_of(StateAction::ALL.iter().map(|a| a.as_str()))
            ),
        )]);
    };
    let given = [
        ("reason", change.reason.is_some()),
        ("note", change.note.is_some()),
        ("owner", change.owner.is_some()),
        ("next_update_days", change.next_update_days.is_some()),
    ];
    let unused: Vec<FieldProblem> = given
        .into_iter()
        .filter(|(field, present)| *present && !kind.fields().contains(field))
        .map(|(field, _)| {
            FieldProblem::new(
                field,
                format!(
                    "{field} is not used with the action {}; leave it out",
                    kind.as_str()
                ),
            )
        })
        .collect();
    if !unused.is_empty() {
        return Err(unused);
    }
    let next_update_days = match change.next_update_days.as_ref().map(whole_days) {
        None => None,
        Some(Ok(days)) => Some(days),
        Some(Err(problem)) => return Err(vec![problem]),
    };
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    Ok(match kind {
        StateAction::Applies => Action::Applies { next_update_days },
        StateAction::DoesNotApply => Action::DoesNotApply {
            reason: text(&change.reason),
        },
        StateAction::Update => Action::Update {
            note: text(&change.note),
            next_update_days,
        },
        StateAction::CloseRemediated => Action::CloseRemediated {
            note: text(&change.note),
        },
        StateAction::AcceptRisk => Action::AcceptRisk {
            owner: text(&change.owner),
            reason: text(&change.reason),
        },
        StateAction::Reopen => Action::Reopen {
            reason: text(&change.reason),
        },
    })
}

/// Reads a number of days given as JSON: `7` or `7.0`, but not `7.5`.
fn whole_days(number: &serde_json::Number) -> Result<i64, FieldProblem> {
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() <= 1e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| {
            FieldProblem::new(
                "next_update_days",
                "next_update_days must be a whole number of days, from 1 to 30",
            )
        })
}

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

const NOT_ADDRESSED: &str = "There is no advisory with that reference addressed to your \
organisation. The advisories addressed to it are listed at /api/v1/alerts/advisories.";

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

// ---- Reading and shaping ----

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
async fn addressed(
    db: &Db,
    org: Uuid,
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

async fn response_detail(db: &Db, row: ResponseRow) -> Result<AdvisoryResponse, ApiError> {
    let matched: Vec<publishing::MatchedItem> = serde_json::from_str(&row.matches)
        .map_err(|e| ApiError::internal(&format!("stored matches are unreadable: {e}")))?;
    let timeline = responses::events(db, row.advisory_id, row.organisation_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry {
            at: e.at,
            event: e.kind,
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

/// What the API needs to know about the token a request came with.
#[derive(Debug, sqlx::FromRow)]
struct TokenDetails {
    name: String,
    prefix: String,
    /// The security lead who made the token: the person an inventory sent with it is
    /// recorded against, since the record must name a person.
    created_by: Uuid,
}

async fn token_details(db: &Db, client: &ApiClient) -> Result<TokenDetails, ApiError> {
    with_db!(db, |pool| sqlx::query_as::<_, TokenDetails>(
        "SELECT name, prefix, created_by FROM api_tokens \
         WHERE id = $1 AND organisation_id = $2 AND revoked_at IS NULL"
    )
    .bind(client.token_id)
    .bind(client.organisation_id)
    .fetch_optional(pool)
    .await)?
    .ok_or_else(|| ApiError::invalid_token("This API token has just been revoked."))
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

// ---- Handlers ----

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
    let format = match declared {
        Format::Csv => "csv",
        Format::CycloneDx => "cyclonedx",
    };
    inventory::replace(
        &mut tx,
        org,
        &format!("Sent with the API token \"{}\"", token.name),
        format,
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
                "format": format,
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
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    fn change(action: &str) -> StateChange {
        StateChange {
            action: action.into(),
            ..StateChange::default()
        }
    }

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

    #[test]
    fn changes_become_workflow_actions() {
        let mut c = change("accept_risk");
        c.owner = Some("Jo Bloggs".into());
        c.reason = Some("Retiring next month".into());
        assert_eq!(
            to_action(&c),
            Ok(Action::AcceptRisk {
                owner: "Jo Bloggs".into(),
                reason: "Retiring next month".into()
            })
        );
        let mut c = change("update");
        c.note = Some("Half done".into());
        // JSON's 5.0 is the whole number 5; 5.5 days is not a number of days.
        for (given, read) in [
            (json!(5), Ok(Some(5))),
            (json!(5.0), Ok(Some(5))),
            (json!(5.5), Err(())),
        ] {
            c.next_update_days = serde_json::from_value(given).ok();
            assert_eq!(
                to_action(&c).map_err(|e| assert_eq!(e[0].field, "next_update_days")),
                read.map(|next_update_days| Action::Update {
                    note: "Half done".into(),
                    next_update_days
                })
            );
        }
        assert_eq!(
            to_action(&change("applies")),
            Ok(Action::Applies {
                next_update_days: None
            })
        );
        // Missing text is left for the workflow to ask for, after it checks the step.
        assert_eq!(
            to_action(&change("does_not_apply")),
            Ok(Action::DoesNotApply {
                reason: String::new()
            })
        );
    }

    #[test]
    fn unknown_actions_and_unused_fields_are_named() {
        for bad in ["acknowledge", "", "APPLIES", "close"] {
            let errors = to_action(&change(bad)).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "action");
            assert!(errors[0].message.contains("does_not_apply"), "{bad:?}");
        }
        let mut c = change("applies");
        c.owner = Some("Jo".into());
        c.note = Some("x".into());
        let errors = to_action(&c).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["note", "owner"]);
        assert_eq!(
            errors[1].message,
            "owner is not used with the action applies; leave it out"
        );
    }

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

    #[test]
    fn the_openapi_document_describes_the_alerts_endpoints() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
        let paths = &doc["paths"];
        for (path, method) in [
            ("/api/v1/alerts/advisories", "get"),
            ("/api/v1/alerts/advisories/{reference}", "get"),
            ("/api/v1/alerts/advisories/{reference}/acknowledge", "post"),
            ("/api/v1/alerts/advisories/{reference}/state", "post"),
            ("/api/v1/alerts/inventory", "get"),
            ("/api/v1/alerts/inventory", "put"),
        ] {
            assert!(paths[path][method].is_object(), "{method} {path}");
        }
        let body = &paths["/api/v1/alerts/inventory"]["put"]["requestBody"]["content"];
        assert!(body["text/csv"].is_object());
        assert!(body["application/vnd.cyclonedx+json"].is_object());
        let schemas = &doc["components"]["schemas"];
        for schema in [
            "AdvisoryList",
            "AdvisoryDetail",
            "AdvisoryContent",
            "AdvisoryResponse",
            "MatchedInventoryItem",
            "StateChange",
            "InventoryItem",
            "InventoryReplaced",
            "ResponseState",
        ] {
            assert!(schemas[schema].is_object(), "{schema}");
        }
        let actions = schemas["StateChange"]["oneOf"].as_array().unwrap();
        assert_eq!(actions.len(), StateAction::ALL.len());
    }
}
