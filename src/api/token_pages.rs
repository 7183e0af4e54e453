//! Pages for an organisation's security leads to create and revoke its API tokens.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::{
    OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem, macros::format_description,
};
use uuid::Uuid;

use crate::{
    api::tokens::{self, CreateError, MAX_ACTIVE_TOKENS, TokenRow},
    audit::{self, NewEvent},
    platform::{
        AppState,
        error::{AppError, AppResult},
        ids::OrgId,
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::FormErrors,
            page::render,
            shell::{Shell, Viewer},
        },
    },
};

/// Times as shown, e.g. "9 Mar 2026, 14:03 UTC".
const SHOWN_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");

/// Times for `<time datetime>`.
const MACHINE_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// A time, for people and for machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub shown: String,
    pub machine: String,
}

impl When {
    pub fn of(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(UtcOffset::UTC);
        When {
            shown: utc.format(SHOWN_TIME).unwrap_or_default(),
            machine: utc.format(MACHINE_TIME).unwrap_or_default(),
        }
    }
}

/// One token as listed.
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub starts_with: String,
    pub created_by: String,
    pub created: When,
    pub last_used: Option<When>,
    pub revoked: Option<When>,
}

impl From<TokenRow> for TokenView {
    fn from(row: TokenRow) -> Self {
        TokenView {
            starts_with: row.display_prefix(),
            id: row.id,
            name: row.name,
            created_by: row.created_by_name,
            created: When::of(row.created_at),
            last_used: row.last_used_at.map(When::of),
            revoked: row.revoked_at.map(When::of),
        }
    }
}

#[derive(Template)]
#[template(path = "api/tokens.html")]
struct TokensPage {
    shell: Shell,
    org: Organisation,
    tokens: Vec<TokenView>,
    active: usize,
    max_active: i64,
    errors: FormErrors,
    name: String,
}

#[derive(Template)]
#[template(path = "api/token_created.html")]
struct CreatedPage {
    shell: Shell,
    org: Organisation,
    name: String,
    secret: String,
    starts_with: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
}

fn shell(viewer: &Viewer, org: &Organisation, title: &str, with_tokens_crumb: bool) -> Shell {
    let shell = viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id));
    if with_tokens_crumb {
        shell.crumb("API tokens", tokens_path(org.id))
    } else {
        shell
    }
}

fn tokens_path(org_id: OrgId) -> String {
    format!("/organisations/{org_id}/api-tokens")
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    errors: FormErrors,
    name: String,
) -> AppResult<Response> {
    let rows = tokens::list(&state.db, org.id).await?;
    let active = rows.iter().filter(|t| t.is_active()).count();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TokensPage {
        shell: shell(viewer, &org, "API tokens", false).with_errors(!errors.is_empty()),
        org,
        tokens: rows.into_iter().map(TokenView::from).collect(),
        active,
        max_active: MAX_ACTIVE_TOKENS,
        errors,
        name,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /organisations/{org_id}/api-tokens`
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    list_page(&state, &viewer, org, FormErrors::new(), String::new()).await
}

/// `POST /organisations/{org_id}/api-tokens`: creates a token and shows it, once.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let mut errors = FormErrors::new();
    let name = match tokens::validate_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            errors.add("name", message);
            return list_page(&state, &viewer, org, errors, form.name).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let created = match tokens::create(&mut tx, org_id, &name, p.user_id).await {
        Ok(created) => created,
        Err(CreateError::Db(e)) => return Err(e.into()),
        Err(CreateError::DuplicateName) => {
            drop(tx);
            errors.add(
                "name",
                format!(
                    "{} already has an active token called {name}. Choose a different name",
                    org.name
                ),
            );
            return list_page(&state, &viewer, org, errors, form.name).await;
        }
        Err(CreateError::TooMany) => {
            drop(tx);
            errors.add(
                "name",
                format!(
                    "{} already has {MAX_ACTIVE_TOKENS} active tokens, the most allowed. Revoke a token that is no longer used, then try again",
                    org.name
                ),
            );
            return list_page(&state, &viewer, org, errors, form.name).await;
        }
    };
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "api_token.created",
            detail: serde_json::json!({
                "token_id": created.id,
                "name": created.name,
                "starts_with": tokens::display_prefix(&created.prefix),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let page = CreatedPage {
        shell: shell(&viewer, &org, "API token created", true),
        org,
        starts_with: tokens::display_prefix(&created.prefix),
        name: created.name,
        secret: created.secret,
    };
    let mut response = render(&page)?.into_response();
    // The page holds a secret: never keep it in any cache or the back-forward cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /organisations/{org_id}/api-tokens/{token_id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Path((_, token_id)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let token_id = Uuid::parse_str(&token_id).map_err(|_| AppError::NotFound)?;
    let org_id = org.id;
    let mut tx = state.db.begin().await?;
    let revoked = tokens::revoke(&mut tx, org_id, token_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let message = if revoked.already {
        drop(tx);
        format!("API token ‘{}’ had already been revoked", revoked.name)
    } else {
        audit::record(
            &mut tx,
            &state.secrets,
            NewEvent {
                actor_user_id: Some(p.user_id),
                actor_label: &p.email,
                organisation_id: Some(org_id),
                event: "api_token.revoked",
                detail: serde_json::json!({
                    "token_id": token_id,
                    "name": revoked.name,
                    "starts_with": tokens::display_prefix(&revoked.prefix),
                }),
                ip: Some(&ip),
            },
        )
        .await?;
        tx.commit().await?;
        format!(
            "API token ‘{}’ revoked. Systems using it can no longer use the API",
            revoked.name
        )
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &tokens_path(org_id),
        &message,
    ))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn times_are_shown_in_utc_for_people_and_machines() {
        let w = When::of(datetime!(2026-03-09 15:03:07 +01:00));
        assert_eq!(w.shown, "9 Mar 2026, 14:03 UTC");
        assert_eq!(w.machine, "2026-03-09T14:03:07Z");
    }
}
