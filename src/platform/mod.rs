//! The shared platform every service stands on.

pub mod address;
pub mod api;
pub mod authz;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod evidence;
pub mod ids;
pub mod jobs;
pub mod limits;
pub mod ods;
pub mod ops;
pub mod provenance;
#[cfg(test)]
pub mod scratch;
pub mod secrets;
pub mod service;
pub mod snapshots;
#[cfg(test)]
pub mod stored_text;
pub mod tenancy;
pub mod tenants;
pub mod text;
pub mod tokens;
pub mod web;

use std::sync::Arc;

use self::{config::Config, db::Db, secrets::SecretBox, service::Services};

/// What every request handler can reach. Holds no per-user state: any instance can serve
/// any request because everything that persists lives in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Opens and seals the secrets stored in the database.
    pub secrets: SecretBox,
    /// The services the application is composed of.
    pub services: Arc<Services>,
}

/// The platform's own part of the application: health and metrics endpoints, the OpenAPI
/// document, sending queued email and clearing finished jobs.
pub fn service() -> service::Service {
    use self::{
        api::{api_get, openapi},
        authz::Rule,
        service::{BoxFuture, HOUSEKEEPING_EVERY, JobContext, Service},
        web::routes::Route,
    };

    fn send_email(job: JobContext<'_>) -> BoxFuture<'_, anyhow::Result<Option<serde_json::Value>>> {
        Box::pin(async move {
            job.mailer
                .send_job(&job.state.secrets, job.id, job.payload)
                .await?;
            // An email's body never stays in the database once sent.
            Ok(Some(email::sent_record(job.payload)))
        })
    }

    fn remove_finished_jobs(
        state: &AppState,
        at: time::OffsetDateTime,
    ) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move { Ok(jobs::remove_finished(&state.db, at).await?) })
    }

    Service::new("platform")
        .routes(vec![
            Route::get("/healthz", Rule::Public, ops::healthz),
            Route::get("/readyz", Rule::Public, ops::readyz),
            Route::get("/metrics", Rule::Public, ops::metrics),
            api_get("/api/v1/openapi.json", Rule::Public, openapi::serve),
        ])
        .routes(provenance::page::routes())
        .job(email::JOB_KIND, send_email)
        .scan(
            "removing finished jobs",
            HOUSEKEEPING_EVERY,
            remove_finished_jobs,
        )
}
