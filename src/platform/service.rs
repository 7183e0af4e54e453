//! The one shape every service takes, and the registry that composes them.
//!
//! A service (Knowledge, Alerts, and the ones that support them such as identity and
//! staff) describes itself with one [`Service`] value: its routes with their rules, the job
//! kinds it handles, the scans it runs on a schedule, its part of the OpenAPI document, its
//! navigation entries, its home-page panels, its demonstration data, its startup work and
//! the live evidence it gives about an organisation for self-assessment.
//! `app.rs` lists the services; [`Services`] merges them for the router, the job worker,
//! the OpenAPI document, the page layout and the command line. The platform dispatches
//! through the registry and never names a service.

use std::{future::Future, path::Path, pin::Pin, sync::Arc};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::platform::{
    AppState,
    api::openapi,
    authz::{Membership, Principal},
    db::Db,
    email::Mailer,
    error::AppResult,
    evidence::LiveEvidence,
    ids::OrgId,
    provenance::{ContentReport, page::CitedSource},
    secrets::SecretBox,
    web::{
        home::{self, HomePanel},
        routes::Route,
        shell::NavItem,
    },
};

/// A boxed future borrowing from its arguments (what an async function pointer returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a job handler gets: the application, the mailer, and the job.
pub struct JobContext<'a> {
    pub state: &'a AppState,
    pub mailer: &'a Mailer,
    pub id: Uuid,
    pub payload: &'a serde_json::Value,
}

/// Runs one job. On success it returns what of the payload may be kept once done (`None`
/// keeps the payload as it is).
pub type JobFn =
    for<'a> fn(JobContext<'a>) -> BoxFuture<'a, anyhow::Result<Option<serde_json::Value>>>;

/// A kind of background job and its handler.
#[derive(Clone, Copy)]
pub struct JobKind {
    pub kind: &'static str,
    pub run: JobFn,
}

/// Runs a scheduled scan as of a moment in time.
pub type ScanFn = for<'a> fn(&'a AppState, OffsetDateTime) -> BoxFuture<'a, anyhow::Result<()>>;

/// A scan every instance runs on a schedule, between jobs; it must be safe to run on
/// several instances at once (each claims its work in the database).
#[derive(Clone, Copy)]
pub struct Scan {
    pub name: &'static str,
    /// How often it runs, in polls of the job worker (a second each by default).
    pub every_polls: u32,
    pub run: ScanFn,
}

/// How often most scans run: every 20 polls, 20 seconds by default.
pub const SCAN_EVERY: u32 = 20;
/// How often clearing-up runs: every 600 polls, 10 minutes by default.
pub const HOUSEKEEPING_EVERY: u32 = 600;

/// One entry of the main navigation, placed by `order` among every service's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub label: String,
    pub href: String,
    pub order: u32,
}

impl NavLink {
    pub fn new(label: impl Into<String>, href: impl Into<String>, order: u32) -> Self {
        NavLink {
            label: label.into(),
            href: href.into(),
            order,
        }
    }

    /// One entry for each organisation `p` leads, after the general entries, each
    /// organisation's entries together (`slot` orders a service's entry among them).
    /// `label` is told whether the person leads only this one organisation, when the menu
    /// can say "Your organisation" rather than its name.
    pub fn per_led_organisation(
        p: &Principal,
        slot: u32,
        label: impl Fn(&Membership, bool) -> String,
        href: impl Fn(&Membership) -> String,
    ) -> Vec<NavLink> {
        let led: Vec<_> = p.led_organisations().collect();
        let only_one = led.len() == 1;
        led.iter()
            .zip(0u32..800)
            .map(|(m, i)| NavLink::new(label(m, only_one), href(m), 1000 + 10 * i + slot))
            .collect()
    }
}

/// The place of the person's own account, last in the menu.
pub const ACCOUNT_ORDER: u32 = 9000;

/// A service's navigation entries for a signed-in person.
pub type NavFn = fn(&Principal) -> Vec<NavLink>;

/// A service's home-page panels for a signed-in person: only what they may see.
pub type HomeFn =
    for<'a> fn(&'a AppState, &'a Principal) -> BoxFuture<'a, AppResult<Vec<HomePanel>>>;

/// What loading demonstration data needs.
pub struct DemoContext<'a> {
    pub db: &'a Db,
    pub secrets: &'a SecretBox,
    pub public_url: &'a str,
}

/// Loads a service's demonstration data (after the organisations and people exist).
pub type DemoFn = for<'a> fn(&'a DemoContext<'a>) -> BoxFuture<'a, anyhow::Result<()>>;

/// Work a service does when an instance starts, before it serves: sealing secrets stored
/// in plain text by an older version, syncing built-in content. Must be idempotent and safe
/// for instances starting together.
pub type PrepareFn = for<'a> fn(&'a Db, &'a SecretBox) -> BoxFuture<'a, anyhow::Result<()>>;

/// Checks a service's content files (courses, question banks, advisories, frameworks) in a
/// content folder laid out as `content/` is: what passed, each problem, and every source
/// declared (the platform applies the date rules of [`crate::platform::provenance`]).
pub type ContentCheckFn = fn(&Path) -> ContentReport;

/// The sources a service's live content cites, with what relies on each, for the national
/// content page.
pub type SourcesFn = for<'a> fn(&'a AppState) -> BoxFuture<'a, anyhow::Result<Vec<CitedSource>>>;

/// What a service knows about an organisation as of a moment that bears on a framework's
/// requirements (staff training, responding to alerts, patching), with a suggested answer.
/// Reads only that organisation's records; an empty list when the service has nothing to
/// say about it.
pub type EvidenceFn = for<'a> fn(
    &'a AppState,
    OrgId,
    OffsetDateTime,
) -> BoxFuture<'a, anyhow::Result<Vec<LiveEvidence>>>;

/// Everything a service tells the platform about itself.
pub struct Service {
    pub name: &'static str,
    pub routes: Vec<Route>,
    pub jobs: Vec<JobKind>,
    pub scans: Vec<Scan>,
    pub openapi: Option<fn() -> utoipa::openapi::OpenApi>,
    pub nav: Option<NavFn>,
    pub home: Option<HomeFn>,
    pub demo: Option<DemoFn>,
    pub prepare: Option<PrepareFn>,
    pub content_check: Option<ContentCheckFn>,
    pub sources: Option<SourcesFn>,
    pub evidence: Option<EvidenceFn>,
}

impl Service {
    /// A service with nothing registered yet.
    pub fn new(name: &'static str) -> Self {
        Service {
            name,
            routes: vec![],
            jobs: vec![],
            scans: vec![],
            openapi: None,
            nav: None,
            home: None,
            demo: None,
            prepare: None,
            content_check: None,
            sources: None,
            evidence: None,
        }
    }

    pub fn routes(mut self, routes: Vec<Route>) -> Self {
        self.routes.extend(routes);
        self
    }

    pub fn job(mut self, kind: &'static str, run: JobFn) -> Self {
        self.jobs.push(JobKind { kind, run });
        self
    }

    pub fn scan(mut self, name: &'static str, every_polls: u32, run: ScanFn) -> Self {
        self.scans.push(Scan {
            name,
            every_polls,
            run,
        });
        self
    }

    pub fn openapi(mut self, document: fn() -> utoipa::openapi::OpenApi) -> Self {
        self.openapi = Some(document);
        self
    }

    pub fn nav(mut self, nav: NavFn) -> Self {
        self.nav = Some(nav);
        self
    }

    pub fn home(mut self, home: HomeFn) -> Self {
        self.home = Some(home);
        self
    }

    pub fn demo(mut self, demo: DemoFn) -> Self {
        self.demo = Some(demo);
        self
    }

    pub fn prepare(mut self, prepare: PrepareFn) -> Self {
        self.prepare = Some(prepare);
        self
    }

    pub fn content_check(mut self, check: ContentCheckFn) -> Self {
        self.content_check = Some(check);
        self
    }

    pub fn sources(mut self, sources: SourcesFn) -> Self {
        self.sources = Some(sources);
        self
    }

    pub fn evidence(mut self, evidence: EvidenceFn) -> Self {
        self.evidence = Some(evidence);
        self
    }
}

/// A service's registrations without its routes: what the running application keeps
/// after the router is built (routes are moved into the router).
#[derive(Clone, Copy)]
pub struct Registration {
    pub name: &'static str,
    pub nav: Option<NavFn>,
    pub home: Option<HomeFn>,
    pub demo: Option<DemoFn>,
    pub prepare: Option<PrepareFn>,
    pub content_check: Option<ContentCheckFn>,
    pub sources: Option<SourcesFn>,
    pub evidence: Option<EvidenceFn>,
}

/// The composed services, in the order `app.rs` lists them.
#[derive(Clone, Default)]
pub struct Services {
    registrations: Vec<Registration>,
    jobs: Vec<JobKind>,
    scans: Vec<Scan>,
    openapi: Vec<fn() -> utoipa::openapi::OpenApi>,
    /// The merged OpenAPI document, serialised once.
    openapi_json: Arc<str>,
}

impl Services {
    /// Composes `services`, returning the registry and every route. Panics at startup if
    /// two services claim the same job kind, since jobs of that kind could not be routed.
    pub fn compose(services: Vec<Service>) -> (Services, Vec<(&'static str, Route)>) {
        let mut registry = Services::default();
        let mut routes = vec![];
        for s in services {
            for job in &s.jobs {
                assert!(
                    registry.job(job.kind).is_none(),
                    "job kind {:?} is registered twice",
                    job.kind
                );
            }
            registry.jobs.extend(s.jobs);
            registry.scans.extend(s.scans);
            registry.openapi.extend(s.openapi);
            routes.extend(s.routes.into_iter().map(|r| (s.name, r)));
            registry.registrations.push(Registration {
                name: s.name,
                nav: s.nav,
                home: s.home,
                demo: s.demo,
                prepare: s.prepare,
                content_check: s.content_check,
                sources: s.sources,
                evidence: s.evidence,
            });
        }
        registry.openapi_json = match registry.openapi_document().to_pretty_json() {
            Ok(json) => json.into(),
            Err(e) => panic!("the OpenAPI document does not serialise: {e}"),
        };
        (registry, routes)
    }

    pub fn registrations(&self) -> &[Registration] {
        &self.registrations
    }

    /// The handler for a job kind.
    pub fn job(&self, kind: &str) -> Option<&JobKind> {
        self.jobs.iter().find(|j| j.kind == kind)
    }

    pub fn jobs(&self) -> &[JobKind] {
        &self.jobs
    }

    pub fn scans(&self) -> &[Scan] {
        &self.scans
    }

    /// The OpenAPI document: the platform's part (title, security scheme, problem details)
    /// with every service's paths, schemas and tags merged in.
    pub fn openapi_document(&self) -> utoipa::openapi::OpenApi {
        let mut document = openapi::base();
        for part in &self.openapi {
            document.merge(part());
        }
        document
    }

    /// [`Services::openapi_document`] as JSON.
    pub fn openapi_json(&self) -> &str {
        &self.openapi_json
    }

    /// The main navigation for a person, from every service's entries, in order.
    pub fn navigation(&self, p: &Principal) -> Vec<NavLink> {
        let mut links: Vec<NavLink> = self
            .registrations
            .iter()
            .filter_map(|r| r.nav)
            .flat_map(|nav| nav(p))
            .collect();
        // A stable sort keeps services' own order for entries with the same place.
        links.sort_by_key(|l| l.order);
        links
    }

    /// Every service's home-page panels for a person, in page order.
    pub async fn home_panels(&self, state: &AppState, p: &Principal) -> AppResult<Vec<HomePanel>> {
        let mut panels = vec![];
        for home in self.registrations.iter().filter_map(|r| r.home) {
            panels.extend(home(state, p).await?);
        }
        Ok(home::arrange(panels))
    }

    /// Runs every service's startup work, in order.
    pub async fn prepare(&self, db: &Db, secrets: &SecretBox) -> anyhow::Result<()> {
        for prepare in self.registrations.iter().filter_map(|r| r.prepare) {
            prepare(db, secrets).await?;
        }
        Ok(())
    }

    /// Loads every service's demonstration data, in order.
    pub async fn load_demo(&self, context: &DemoContext<'_>) -> anyhow::Result<()> {
        for demo in self.registrations.iter().filter_map(|r| r.demo) {
            demo(context).await?;
        }
        Ok(())
    }

    /// Every service's check of the content folder at `root`, in service order.
    pub fn content_report(&self, root: &Path) -> ContentReport {
        let mut report = ContentReport::default();
        for check in self.registrations.iter().filter_map(|r| r.content_check) {
            report.extend(check(root));
        }
        report
    }

    /// Every source the live content of every service cites.
    pub async fn cited_sources(&self, state: &AppState) -> anyhow::Result<Vec<CitedSource>> {
        let mut all = vec![];
        for sources in self.registrations.iter().filter_map(|r| r.sources) {
            all.extend(sources(state).await?);
        }
        Ok(all)
    }

    /// Every service's live evidence about organisation `org` as of `at`, in service order.
    pub async fn live_evidence(
        &self,
        state: &AppState,
        org: OrgId,
        at: OffsetDateTime,
    ) -> anyhow::Result<Vec<LiveEvidence>> {
        let mut all = vec![];
        for evidence in self.registrations.iter().filter_map(|r| r.evidence) {
            all.extend(evidence(state, org, at).await?);
        }
        Ok(all)
    }
}

/// Marks the current item of a navigation: only the most specific section that contains
/// `current_path` (on an organisation's training page that is "Training", not also "Your
/// organisation").
pub fn mark_current(links: Vec<NavLink>, current_path: &str) -> Vec<NavItem> {
    let within = |href: &str| {
        current_path == href || (href != "/" && current_path.starts_with(&format!("{href}/")))
    };
    let best = links
        .iter()
        .filter(|l| within(&l.href))
        .map(|l| l.href.len())
        .max();
    links
        .into_iter()
        .map(|l| NavItem {
            current: within(&l.href) && Some(l.href.len()) == best,
            label: l.label,
            href: l.href,
        })
        .collect()
}
