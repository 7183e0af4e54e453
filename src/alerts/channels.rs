//! A security lead's machine channels for advisories: private Atom feed addresses (each holds
//! a secret token, shown once and stored only as a hash) and the signed webhook (its URL,
//! and a signing secret shown once when it is set).

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{store::channels as store, webhooks},
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        ids::OrgId,
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        tokens,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::{FormErrors, required_text},
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

const PATH: &str = "/organisations/{org_id}/alert-feeds";
/// The longest name of a feed.
const MAX_NAME_CHARS: usize = 100;
/// How much of a feed token is kept in clear, to tell tokens apart in the list.
const PREFIX_CHARS: usize = 8;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::OrgLead, show),
        Route::post(PATH, Rule::OrgLead, create_feed),
        Route::post(
            "/organisations/{org_id}/alert-feeds/{token_id}/revoke",
            Rule::OrgLead,
            revoke_feed,
        ),
        Route::post(
            "/organisations/{org_id}/alert-feeds/webhook",
            Rule::OrgLead,
            set_webhook,
        ),
        Route::post(
            "/organisations/{org_id}/alert-feeds/webhook/remove",
            Rule::OrgLead,
            remove_webhook,
        ),
    ]
}

fn channels_path(org: OrgId) -> String {
    format!("/organisations/{org}/alert-feeds")
}

/// The address of a private feed, for feed readers.
fn feed_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/alerts/feeds/{token}.atom",
        public_url.trim_end_matches('/')
    )
}

/// The part of a token kept in clear.
fn prefix_of(token: &str) -> String {
    token.chars().take(PREFIX_CHARS).collect()
}

/// The host an endpoint address names, for the audit log: the rest of an address can
/// carry a secret of the receiver's.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

struct FeedView {
    id: Uuid,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

impl From<store::FeedToken> for FeedView {
    fn from(t: store::FeedToken) -> Self {
        FeedView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: date_and_time(t.created_at),
            last_used: t.last_used_at.map(date_and_time),
            revoked: t.revoked_at.map(date_and_time),
        }
    }
}

/// A secret shown on the page once, straight after it was made.
struct Revealed {
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "alerts/channels.html")]
struct ChannelsPage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    feeds: Vec<FeedView>,
    active: usize,
    name: String,
    webhook: Option<(String, String)>,
    webhook_url: String,
    new_feed: Option<Revealed>,
    new_secret: Option<Revealed>,
}

/// What a rendering of the page adds to the stored state.
#[derive(Default)]
struct Extra {
    errors: FormErrors,
    name: String,
    webhook_url: String,
    new_feed: Option<Revealed>,
    new_secret: Option<Revealed>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    extra: Extra,
) -> AppResult<Response> {
    let feeds: Vec<FeedView> = store::feed_tokens(&state.db, org.id)
        .await?
        .into_iter()
        .map(FeedView::from)
        .collect();
    let webhook = store::webhook(&state.db, org.id)
        .await?
        .map(|w| (w.url, date_and_time(w.created_at)));
    let status = if extra.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let reveals = extra.new_feed.is_some() || extra.new_secret.is_some();
    let shell = viewer
        .shell("Alert feeds and webhook")
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Alerts", "/alerts")
        .with_errors(!extra.errors.is_empty());
    let view = ChannelsPage {
        shell,
        org,
        errors: extra.errors,
        active: feeds.iter().filter(|f| f.revoked.is_none()).count(),
        feeds,
        name: extra.name,
        webhook,
        webhook_url: extra.webhook_url,
        new_feed: extra.new_feed,
        new_secret: extra.new_secret,
    };
    let mut response = (status, render(&view)?).into_response();
    if reveals {
        // The page holds a secret: never keep it in any cache or the back-forward cache.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// `GET /organisations/{org_id}/alert-feeds`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    page(&state, &viewer, org, Extra::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    name: String,
}

/// `POST /organisations/{org_id}/alert-feeds`: creates a private feed and shows its
/// address, once.
pub async fn create_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<FeedForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let mut errors = FormErrors::new();
    let name = required_text(
        &mut errors,
        "name",
        &form.name,
        "a name for the feed",
        MAX_NAME_CHARS,
    );
    if !errors.is_empty() {
        let extra = Extra {
            errors,
            name: form.name,
            ..Extra::default()
        };
        return page(&state, &viewer, org, extra).await;
    }
    let token = tokens::generate();
    let prefix = prefix_of(&token);
    let mut tx = state.db.begin().await?;
    let id = store::create_feed_token(
        &mut tx,
        org_id,
        &name,
        &tokens::hash(&token),
        &prefix,
        p.user_id,
        now(),
    )
    .await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "alerts.feed_token_created",
            detail: serde_json::json!({ "token_id": id, "name": name, "prefix": prefix }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let extra = Extra {
        new_feed: Some(Revealed {
            value: feed_url(&state.config.public_url, &token),
            name,
        }),
        ..Extra::default()
    };
    page(&state, &viewer, org, extra).await
}

/// `POST /organisations/{org_id}/alert-feeds/{token_id}/revoke`
pub async fn revoke_feed(
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
    let feed = store::feed_tokens(&state.db, org_id)
        .await?
        .into_iter()
        .find(|t| t.id == token_id)
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let message = if store::revoke_feed_token(&mut tx, org_id, token_id, now()).await? {
        audit::record(
            &mut tx,
            &state.secrets,
            NewEvent {
                actor_user_id: Some(p.user_id),
                actor_label: &p.email,
                organisation_id: Some(org_id),
                event: "alerts.feed_token_revoked",
                detail: serde_json::json!({
                    "token_id": token_id,
                    "name": feed.name,
                    "prefix": feed.prefix,
                }),
                ip: Some(&ip),
            },
        )
        .await?;
        tx.commit().await?;
        format!("Feed ‘{}’ revoked. Its address no longer works", feed.name)
    } else {
        drop(tx);
        format!("Feed ‘{}’ had already been revoked", feed.name)
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &channels_path(org_id),
        &message,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
}

/// `POST /organisations/{org_id}/alert-feeds/webhook`: sets or replaces the webhook with a
/// new signing secret, and shows the secret once.
pub async fn set_webhook(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<WebhookForm>,
) -> AppResult<Response> {
    let org_id = org.id;
    let url = match webhooks::check_url(&form.url, state.config.webhook_allow_private) {
        Ok(url) => url,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("url", message);
            let extra = Extra {
                errors,
                webhook_url: form.url,
                ..Extra::default()
            };
            return page(&state, &viewer, org, extra).await;
        }
    };
    let secret = tokens::generate();
    let replaced = store::webhook(&state.db, org_id).await?.is_some();
    let mut tx = state.db.begin().await?;
    let sealed = state
        .secrets
        .seal(&crate::alerts::webhooks::secret_context(org_id), &secret);
    store::set_webhook(&mut tx, org_id, &url, &sealed, p.user_id, now()).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "alerts.webhook_set",
            detail: serde_json::json!({ "host": host_of(&url), "replaced": replaced }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let extra = Extra {
        new_secret: Some(Revealed {
            name: url,
            value: secret,
        }),
        ..Extra::default()
    };
    page(&state, &viewer, org, extra).await
}

/// `POST /organisations/{org_id}/alert-feeds/webhook/remove`
pub async fn remove_webhook(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org_id = org.id;
    let Some(hook) = store::webhook(&state.db, org_id).await? else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.db.begin().await?;
    if !store::remove_webhook(&mut tx, org_id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "alerts.webhook_removed",
            detail: serde_json::json!({ "host": host_of(&hook.url) }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &channels_path(org_id),
        "Webhook removed. CareCERT will no longer send advisories to it",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_addresses_hold_the_token_under_the_public_address() {
        let token = tokens::generate();
        assert_eq!(
            feed_url("https://carecert.example/", &token),
            format!("https://carecert.example/alerts/feeds/{token}.atom")
        );
        assert_eq!(
            feed_url("http://127.0.0.1:8080", "abc"),
            "http://127.0.0.1:8080/alerts/feeds/abc.atom"
        );
    }

    #[test]
    fn only_a_short_prefix_of_a_token_is_kept() {
        let token = tokens::generate();
        let prefix = prefix_of(&token);
        assert_eq!(prefix.len(), PREFIX_CHARS);
        assert!(token.starts_with(&prefix));
        assert_eq!(prefix_of("abc"), "abc");
        assert_eq!(prefix_of("ééééééééé").chars().count(), PREFIX_CHARS);
    }

    #[test]
    fn the_audit_log_gets_the_host_only() {
        assert_eq!(
            host_of("https://soc.example.org/hook?key=s3cret"),
            "soc.example.org"
        );
        assert_eq!(host_of("not a url"), "");
    }
}
