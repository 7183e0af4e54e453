//! Knowledge: the e-learning service. Staff take cyber-security courses (lessons, knowledge
//! checks, a final assessment), earn certificates that expire and are refreshed, and
//! organisations see and evidence who is trained. Also the public quiz.
//!
//! - `content`: the course file format, its checks and loading.
//! - `rules`: drawing and grading assessments, expiry, reminders, coverage (pure).

pub mod content;
pub mod quiz;
pub mod rules;
pub mod service;
pub mod store;

use crate::platform::{authz::Rule, db::Db, web::routes::Route};

pub use service::service;

/// The learner's pages and the public certificate check.
fn routes() -> Vec<Route> {
    vec![
        Route::get("/training", Rule::SignedIn, learner::my_training),
        Route::get("/training/{slug}", Rule::SignedIn, learner::course),
        Route::post("/training/{slug}/start", Rule::SignedIn, learner::start),
        Route::get(
            "/training/{slug}/lessons/{lesson_id}",
            Rule::SignedIn,
            learner::lesson,
        ),
        Route::post(
            "/training/{slug}/lessons/{lesson_id}/check",
            Rule::SignedIn,
            learner::check,
        ),
        Route::get(
            "/training/{slug}/assessment",
            Rule::SignedIn,
            assessment::show,
        ),
        Route::post(
            "/training/{slug}/assessment/start",
            Rule::SignedIn,
            assessment::start,
        ),
        Route::post(
            "/training/{slug}/assessment/save",
            Rule::SignedIn,
            assessment::save,
        ),
        Route::post(
            "/training/{slug}/assessment/answer",
            Rule::SignedIn,
            assessment::save_one,
        ),
        Route::post(
            "/training/{slug}/assessment/submit",
            Rule::SignedIn,
            assessment::submit,
        ),
        Route::get(
            "/training/attempts/{attempt_id}",
            Rule::SignedIn,
            assessment::result,
        ),
        Route::get(
            "/training/certificates/{code}",
            Rule::SignedIn,
            assessment::certificate,
        ),
        Route::get("/verify/{code}", Rule::Public, assessment::verify),
        Route::get("/training/record.json", Rule::SignedIn, api::my_record),
        crate::platform::api::api_get(
            "/api/v1/training/completions",
            Rule::ApiToken,
            api::completions,
        ),
    ]
}

/// Brings the stored curriculum up to date with the built-in content (at start-up).
pub async fn prepare(db: &Db) -> anyhow::Result<()> {
    let (courses, _) = content::load::builtin()
        .map_err(|e| anyhow::anyhow!("the built-in course content has problems:\n{e}"))?;
    store::courses::sync_builtin(db, &courses).await?;
    Ok(())
}
pub mod admin;
pub mod api;
pub mod assessment;
pub mod certificate;
pub mod chart;
pub mod dashboard;
pub mod demo;
pub mod generate;
pub mod home;
pub mod learner;
pub mod live_evidence;
pub mod national;
pub mod needs;
pub mod remind;
pub mod reminders;
pub mod views;
