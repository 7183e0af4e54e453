//! Advisories for machines and the public: the public list and Atom feed of TLP:CLEAR
//! advisories, each organisation's private Atom feed (token in the URL, revocable), every
//! advisory as a CSAF 2.0 document, and the CSAF provider metadata and ROLIE feed at the
//! standard well-known locations so CSAF tooling can find and fetch them.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{
        access, csaf, feeds,
        model::{PublishedAdvisory, Tlp},
        store::{advisories, channels},
        views, withheld,
    },
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        tokens,
        web::{
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts/public", Rule::Public, list),
        Route::get("/alerts/feed.atom", Rule::Public, public_atom),
        Route::get("/alerts/feeds/{feed}", Rule::Public, private_atom),
        Route::get("/alerts/{reference}/csaf.json", Rule::Public, csaf_download),
        Route::get(
            feeds::PROVIDER_METADATA_PATH,
            Rule::Public,
            provider_metadata,
        ),
        Route::get(feeds::WHITE_FEED_PATH, Rule::Public, rolie),
        Route::get(
            "/.well-known/csaf/white/{year}/{file}",
            Rule::Public,
            white_document,
        ),
        Route::get("/.well-known/security.txt", Rule::Public, security_txt),
    ]
}

const PUBLISHER: &str = "CareCERT national team";

fn provider(state: &AppState) -> csaf::Provider<'_> {
    csaf::Provider {
        name: PUBLISHER,
        namespace: &state.config.public_url,
        contact: "Report a cyber incident or ask about an advisory through CareCERT React, or through your integrated care board.",
        base_url: &state.config.public_url,
    }
}

fn json(value: &serde_json::Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        value.to_string(),
    )
        .into_response()
}

fn atom_response(xml: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        xml,
    )
        .into_response()
}

async fn public_advisories(state: &AppState) -> AppResult<Vec<PublishedAdvisory>> {
    Ok(advisories::released(&state.db, &[Tlp::Clear]).await?)
}

struct PublicRow {
    reference: String,
    title: String,
    severity: &'static str,
    severity_tag: &'static str,
    published: String,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "alerts/public_list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<PublicRow>,
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let rows = public_advisories(&state)
        .await?
        .into_iter()
        .map(|a| PublicRow {
            severity: a.content.severity.label(),
            severity_tag: views::severity_tag(a.content.severity),
            published: date_and_time(a.initial_release),
            withdrawn: a.withdrawn_reason.is_some(),
            reference: a.reference,
            title: a.content.title,
        })
        .collect();
    let page = ListPage {
        shell: viewer.shell("Public advisories").crumb("Home", "/"),
        rows,
    };
    Ok(render(&page)?.into_response())
}

pub async fn public_atom(State(state): State<AppState>) -> AppResult<Response> {
    let base = &state.config.public_url;
    let all = public_advisories(&state).await?;
    let xml = feeds::atom(
        &format!("{base}/alerts/feed.atom"),
        "CareCERT public threat advisories",
        &format!("{base}/alerts/feed.atom"),
        base,
        &all,
        OffsetDateTime::UNIX_EPOCH,
    );
    Ok(atom_response(xml, "public, max-age=300"))
}

/// An organisation's private feed of every advisory addressed to it: whole, or for a
/// TLP:RED one a notice with a link to read it signed in (see [`withheld`]). The token in the URL is the only credential, so it is checked by its hash and
/// can be revoked; an unknown or revoked token gets 404 like any missing page.
pub async fn private_atom(
    State(state): State<AppState>,
    Path(feed): Path<String>,
) -> AppResult<Response> {
    let token = feed.strip_suffix(".atom").ok_or(AppError::NotFound)?;
    if !tokens::looks_valid(token) {
        return Err(AppError::NotFound);
    }
    let org = channels::feed_token_organisation(&state.db, &tokens::hash(token), now())
        .await?
        .ok_or(AppError::NotFound)?;
    let base = &state.config.public_url;
    let mut addressed = Vec::new();
    for row in advisories::addressed_to(&state.db, org).await? {
        if let Some(p) = advisories::published(&state.db, &row).await? {
            addressed.push(withheld::published(p, base));
        }
    }
    let xml = feeds::atom(
        &format!("urn:carecert:organisation:{org}:advisories"),
        "CareCERT advisories for your organisation",
        &format!("{base}/alerts/feeds/{feed}"),
        base,
        &addressed,
        OffsetDateTime::UNIX_EPOCH,
    );
    Ok(atom_response(xml, "private, no-store"))
}

pub async fn csaf_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let row = advisories::find_by_reference(&state.db, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if !access::can_read(&state.db, viewer.principal.as_ref(), &row).await? {
        return Err(match viewer.principal {
            None => AppError::SignIn {
                next: format!("/alerts/{reference}/csaf.json"),
            },
            Some(_) => AppError::NotFound,
        });
    }
    let adv = advisories::published(&state.db, &row)
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = csaf::document(&adv, &provider(&state));
    let name = csaf::filename(&csaf::tracking_id(&adv));
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        doc.to_string(),
    )
        .into_response())
}

pub async fn provider_metadata(State(state): State<AppState>) -> AppResult<Response> {
    let all = public_advisories(&state).await?;
    let updated = all
        .iter()
        .map(csaf::current_release)
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Ok(json(&feeds::provider_metadata(&provider(&state), updated)))
}

pub async fn rolie(State(state): State<AppState>) -> AppResult<Response> {
    let all = public_advisories(&state).await?;
    Ok(json(&feeds::rolie_feed(
        &provider(&state),
        &all,
        OffsetDateTime::UNIX_EPOCH,
    )))
}

/// A TLP:WHITE (CLEAR) document at its well-known address. The file name is the
/// lower-cased reference, so one advisory is looked up rather than every public one.
pub async fn white_document(
    State(state): State<AppState>,
    Path((year, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let reference = file.strip_suffix(".json").ok_or(AppError::NotFound)?;
    if reference.len() > 32 {
        return Err(AppError::NotFound);
    }
    let row = advisories::find_by_reference(&state.db, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if !access::is_public(&row) {
        return Err(AppError::NotFound);
    }
    let adv = advisories::published(&state.db, &row)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = &state.config.public_url;
    if csaf::document_url(base, &adv) != format!("{base}/.well-known/csaf/white/{year}/{file}") {
        return Err(AppError::NotFound);
    }
    Ok(json(&csaf::document(&adv, &provider(&state))))
}

/// RFC 9116 security.txt, with the CSAF provider metadata (CSAF 2.0 requirement 8).
pub async fn security_txt(State(state): State<AppState>) -> Response {
    let base = &state.config.public_url;
    let expires = (now() + time::Duration::days(180))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "Contact: {base}/\nExpires: {expires}\nCSAF: {base}{}\nPreferred-Languages: en\n",
            feeds::PROVIDER_METADATA_PATH
        ),
    )
        .into_response()
}
