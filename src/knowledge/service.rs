//! Knowledge as the platform composes it: its pages, the training reminder scan, its part
//! of the API, its menu entries, demonstration data, start-up content sync and the check
//! of its built-in courses and quiz, and its training coverage as live evidence.

use time::OffsetDateTime;
use utoipa::OpenApi;

use crate::{
    knowledge::{
        admin, api, content, dashboard, demo, home, live_evidence, national, needs, quiz,
        reminders, store::courses,
    },
    platform::{
        AppState,
        authz::Principal,
        db::Db,
        error::AppResult,
        evidence::LiveEvidence,
        ids::OrgId,
        provenance::page::CitedSource,
        secrets::SecretBox,
        service::{BoxFuture, DemoContext, NavLink, SCAN_EVERY, Service},
        web::home::HomePanel,
    },
};

pub fn service() -> Service {
    Service::new("knowledge")
        .routes(super::routes())
        .routes(quiz::routes())
        .routes(needs::routes())
        .routes(dashboard::routes())
        .routes(national::routes())
        .routes(admin::routes())
        .scan("training reminders", SCAN_EVERY, remind)
        .openapi(TrainingApi::openapi)
        .nav(nav)
        .home(home_panels)
        .demo(load_demo)
        .prepare(prepare)
        .content_check(content::provenance::check_folder)
        .sources(cited_sources)
        .evidence(evidence)
}

/// Knowledge's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::completions),
    components(schemas(api::Completion, api::CompletionPage)),
    tags((name = "Training", description = "Training completions of the organisation's staff"))
)]
struct TrainingApi;

fn remind(state: &AppState, at: OffsetDateTime) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move {
        reminders::scan(&state.db, &state.config.public_url, at).await?;
        Ok(())
    })
}

/// Everyone is a learner; the national team sees coverage, administrators the courses,
/// and a security lead their organisation's training beside the organisation itself.
fn nav(p: &Principal) -> Vec<NavLink> {
    let mut links = vec![NavLink::new("My training", "/training", 10)];
    if p.is_national() {
        links.push(NavLink::new("Training coverage", "/national/training", 40));
    }
    if p.is_national_admin() {
        links.push(NavLink::new("Courses", "/admin/courses", 50));
    }
    links.extend(NavLink::per_led_organisation(
        p,
        1,
        |m, only_one| match only_one {
            true => "Training".to_owned(),
            false => format!("Training: {}", m.organisation_name),
        },
        |m| format!("/organisations/{}/training", m.organisation_id),
    ));
    links
}

fn load_demo<'a>(demo: &'a DemoContext<'a>) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(demo::load(demo.db))
}

fn prepare<'a>(db: &'a Db, _: &'a SecretBox) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(super::prepare(db))
}

/// The sources of the current version of every course, and of the public quiz.
fn cited_sources(state: &AppState) -> BoxFuture<'_, anyhow::Result<Vec<CitedSource>>> {
    Box::pin(async move {
        let mut cited = vec![];
        for version in courses::current(&state.db).await? {
            if let Some(course) = courses::content(&state.db, version.id).await? {
                cited.extend(content::provenance::cited_by_course(&course));
            }
        }
        cited.extend(content::provenance::cited_by_quiz(quiz::bank()?));
        Ok(cited)
    })
}

fn home_panels<'a>(
    state: &'a AppState,
    p: &'a Principal,
) -> BoxFuture<'a, AppResult<Vec<HomePanel>>> {
    Box::pin(home::panels(state, p))
}

fn evidence(
    state: &AppState,
    org: OrgId,
    at: OffsetDateTime,
) -> BoxFuture<'_, anyhow::Result<Vec<LiveEvidence>>> {
    Box::pin(live_evidence::evidence(state, org, at))
}
