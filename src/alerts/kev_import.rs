//! Importing the CISA Known Exploited Vulnerabilities catalogue: each entry added since a
//! chosen date that is not already an advisory becomes a draft for an analyst to review,
//! narrow (affected versions, audience) and send for publication. Used by the web page and
//! by `carecert kev import`.

use askama::Template;
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use time::{Date, Duration};

use crate::platform::web::format::long_date;
use crate::{
    alerts::{
        kev::{self, KevCatalogue},
        store::advisories,
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        db::{Db, is_unique_violation},
        error::AppResult,
        ids::UserId,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
            upload,
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts/manage/kev", Rule::NationalStaff, page),
        Route::post("/alerts/manage/kev", Rule::NationalStaff, upload_catalogue),
    ]
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub already: usize,
    pub older: usize,
}

/// The default cut-off: entries added in the 30 days before the newest one in the file.
pub fn default_since(c: &KevCatalogue) -> Option<Date> {
    c.entries
        .iter()
        .map(|e| e.date_added)
        .max()
        .map(|d| d - Duration::days(30))
}

/// Creates a draft for every entry added on or after `since` that has no advisory yet, in
/// one transaction.
pub async fn import(
    db: &Db,
    catalogue: &KevCatalogue,
    since: Option<Date>,
    by: UserId,
) -> Result<Imported, sqlx::Error> {
    let existing: Vec<String> = crate::with_db!(db, |pool| sqlx::query_scalar(
        "SELECT kev_cve FROM alert_advisories WHERE kev_cve IS NOT NULL"
    )
    .fetch_all(pool)
    .await)?;
    let mut out = Imported::default();
    let mut tx = db.begin().await?;
    for entry in &catalogue.entries {
        if since.is_some_and(|s| entry.date_added < s) {
            out.older += 1;
            continue;
        }
        if existing.contains(&entry.cve_id) {
            out.already += 1;
            continue;
        }
        advisories::create_draft(&mut tx, &kev::to_draft(entry), Some(&entry.cve_id), by).await?;
        out.created += 1;
    }
    tx.commit().await?;
    Ok(out)
}

#[derive(Template)]
#[template(path = "alerts/kev_import.html")]
struct KevPage {
    shell: Shell,
    problems: Vec<String>,
    max_mb: usize,
}

async fn show(viewer: &Viewer, problems: Vec<String>, status: StatusCode) -> AppResult<Response> {
    let page = KevPage {
        shell: viewer
            .shell("Import from the CISA KEV catalogue")
            .crumb("Home", "/")
            .crumb("Advisories", "/alerts/manage")
            .with_errors(!problems.is_empty()),
        problems,
        max_mb: kev::MAX_BYTES / (1024 * 1024),
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn page(viewer: Viewer) -> AppResult<Response> {
    show(&viewer, vec![], StatusCode::OK).await
}

const WHAT: &str = "the catalogue's JSON file";

pub async fn upload_catalogue(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let file = match multipart {
        Ok(m) => upload::read_file(m, "catalogue", kev::MAX_BYTES, WHAT).await,
        Err(_) => Err(format!("Choose {WHAT}")),
    };
    let file = match file {
        Ok(f) => f,
        Err(problem) => {
            return show(&viewer, vec![problem], StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let catalogue = match kev::parse(&file.bytes) {
        Ok(c) => c,
        Err(e) => {
            let problems = e.to_string().lines().map(str::to_owned).collect();
            return show(&viewer, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let since = default_since(&catalogue);
    let done = match import(&state.db, &catalogue, since, p.user_id).await {
        Ok(done) => done,
        Err(e) if is_unique_violation(&e) => {
            return show(
                &viewer,
                vec!["Someone imported the catalogue at the same moment. Check the drafts, then try again if you need to.".into()],
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent::by(Some(p.user_id), &p.email, "alerts.kev_imported", &ip).with_detail(
            serde_json::json!({
                "catalogue_version": catalogue.version,
                "created": done.created,
                "already": done.already,
                "older": done.older,
            }),
        ),
    )
    .await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        "/alerts/manage",
        &format!(
            "Catalogue {} read: {} new draft advisories to review; {} already imported; {} added before {} left out.",
            catalogue.version,
            done.created,
            done.already,
            done.older,
            since.map(long_date).unwrap_or_default()
        ),
    ))
}
