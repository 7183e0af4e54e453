//! Assembles the application: database, routes, middleware and the background worker, and
//! serves it until asked to stop. The binary and the black-box tests both start the server
//! through [`App::build`], so they exercise the same code.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
};
use tokio::{net::TcpListener, sync::watch};
use tower_http::{catch_panic::CatchPanicLayer, trace::TraceLayer};

use crate::{
    alerts, api, assure, audit, identity, knowledge, organisations, pages,
    platform::{
        self, AppState,
        config::Config,
        db::Db,
        email::Mailer,
        error::AppError,
        jobs, ops,
        secrets::SecretBox,
        service::{Service, Services},
        web::{
            assets, cookies, csrf, headers,
            page::render_error_page,
            routes::{self, Route, RouteSpec},
            shell::Shell,
        },
    },
    staff,
};

/// The services the application is made of, in the order their menu entries, home panels,
/// start-up work and demonstration data come. Adding a service is adding it here.
pub fn services() -> Vec<Service> {
    vec![
        platform::service(),
        pages::service(),
        identity::service(),
        organisations::service(),
        staff::service(),
        audit::service(),
        api::service(),
        knowledge::service(),
        alerts::service(),
        assure::service(),
    ]
}

/// The composed services, and every route with the name of the service that registered it.
pub fn compose() -> (Services, Vec<(&'static str, Route)>) {
    Services::compose(services())
}

/// The route table without handlers, for the authorisation walk in the test suite.
pub fn route_specs() -> Vec<RouteSpec> {
    let (_, routes) = compose();
    let routes: Vec<Route> = routes.into_iter().map(|(_, r)| r).collect();
    routes::specs(&routes)
}

/// The application's router: every service's routes behind the shared layers.
pub fn router(state: AppState, routes: Vec<Route>) -> Router {
    let https = state.config.is_https();
    routes::build(&state, routes)
        .merge(assets::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::session::load,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cookies::carry_notice,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(middleware::from_fn(ops::track))
        .layer(DefaultBodyLimit::max(platform::web::upload::MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(move |_| panic_response(https)))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The log span of a request: its method and route template. Never the URI: paths and
/// query strings carry secrets (invitation and reset links, private feed tokens).
fn request_span(request: &Request) -> tracing::Span {
    let route = ops::route_of(request.extensions());
    tracing::debug_span!("request", method = %request.method(), %route)
}

async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return platform::api::not_found(request.uri().clone())
            .await
            .into_response();
    }
    AppError::NotFound.into_response()
}

fn panic_response(_https: bool) -> Response {
    tracing::error!("a request handler panicked");
    let html = render_error_page(
        Shell::bare("Sorry, there is a problem with the service"),
        "Sorry, something went wrong on our side. Try again later.",
    );
    (StatusCode::INTERNAL_SERVER_ERROR, html).into_response()
}

/// A built application, listening but not yet serving.
pub struct App {
    listener: TcpListener,
    state: AppState,
    mailer: Mailer,
    routes: Vec<Route>,
}

impl App {
    /// Connects to and migrates the database, and binds the listening socket.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        Self::with_listener(config, listener).await
    }

    /// As [`App::build`], on a socket the caller has already bound (tests bind port 0 first
    /// so the public URL in emails can name the real port).
    pub async fn with_listener(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let secrets = SecretBox::from_config(&config)?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let (services, routes) = compose();
        services.prepare(&db, &secrets).await?;
        let mailer = Mailer::from_config(&config)?;
        ops::metrics_handle();
        Ok(App {
            listener,
            state: AppState {
                db,
                config: Arc::new(config),
                secrets,
                services: Arc::new(services),
            },
            mailer,
            routes: routes.into_iter().map(|(_, r)| r).collect(),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Serves requests and runs background jobs until `shutdown` completes, then finishes
    /// the requests and the job in hand before returning.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = tokio::spawn(jobs::run_worker(
            self.state.clone(),
            self.mailer.clone(),
            stop_rx,
        ));
        let app = router(self.state.clone(), self.routes);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        let _ = stop_tx.send(true);
        let _ = worker.await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in progress");
}

#[cfg(test)]
mod tests {
    //! The shape of the application: the services, what they register, and the rule that
    //! the platform never names a service.

    use std::{collections::BTreeSet, fs, path::Path};

    use uuid::Uuid;

    use super::*;
    use crate::platform::{
        api::openapi::SECURITY_SCHEME,
        authz::{Membership, Principal, Role},
        service::mark_current,
    };

    fn person(role: Role) -> Principal {
        Principal {
            user_id: Uuid::nil().into(),
            name: "Ann".into(),
            email: "ann@example.org".into(),
            memberships: vec![Membership {
                organisation_id: Uuid::nil().into(),
                organisation_name: "Trust".into(),
                role,
            }],
            two_step_enrolled: true,
            two_step_verified: true,
        }
    }

    fn navigation(p: &Principal, path: &str) -> Vec<crate::platform::web::shell::NavItem> {
        mark_current(compose().0.navigation(p), path)
    }

    fn labels(role: Role) -> Vec<String> {
        navigation(&person(role), "/")
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn the_menu_fits_the_role() {
        assert_eq!(
            labels(Role::Staff),
            ["Home", "My training", "Alerts", "Your account"]
        );
        assert_eq!(
            labels(Role::SecurityLead),
            [
                "Home",
                "My training",
                "Alerts",
                "Your organisation",
                "Training",
                "Assessments",
                "Your account"
            ]
        );
        assert_eq!(
            labels(Role::NationalAnalyst),
            [
                "Home",
                "My training",
                "Advisories",
                "Organisations",
                "Training coverage",
                "Your account"
            ]
        );
        assert_eq!(
            labels(Role::NationalAdmin),
            [
                "Home",
                "My training",
                "Advisories",
                "Organisations",
                "Training coverage",
                "Courses",
                "Audit log",
                "Your account"
            ]
        );
    }

    #[test]
    fn a_lead_of_two_organisations_sees_each_with_its_training() {
        let mut p = person(Role::SecurityLead);
        let other = Uuid::from_u128(7);
        p.memberships.push(Membership {
            organisation_id: other.into(),
            organisation_name: "Practice".into(),
            role: Role::SecurityLead,
        });
        let nav = navigation(&p, "/");
        let labels: Vec<_> = nav.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Home",
                "My training",
                "Alerts",
                "Trust",
                "Training: Trust",
                "Assessments: Trust",
                "Practice",
                "Training: Practice",
                "Assessments: Practice",
                "Your account"
            ]
        );
        assert_eq!(nav[6].href, format!("/organisations/{other}"));
    }

    #[test]
    fn only_the_most_specific_section_is_current() {
        let path = format!("/organisations/{}/training", Uuid::nil());
        let nav = navigation(&person(Role::SecurityLead), &path);
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Training"]);
        let staff = format!("/organisations/{}/staff", Uuid::nil());
        let nav = navigation(&person(Role::SecurityLead), &staff);
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Your organisation"]);
    }

    #[test]
    fn the_current_section_is_marked() {
        let nav = navigation(&person(Role::NationalAdmin), "/admin/organisations/new");
        let current: Vec<_> = nav.iter().filter(|i| i.current).map(|i| &i.label).collect();
        assert_eq!(current, ["Organisations"]);
    }

    #[test]
    fn the_openapi_document_describes_the_endpoints_and_bearer_auth() {
        let (services, _) = compose();
        let doc: serde_json::Value = serde_json::from_str(services.openapi_json()).unwrap();
        assert_eq!(doc["info"]["title"], "CareCERT API");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["paths"]["/api/v1/organisation"]["get"].is_object());
        let staff = &doc["paths"]["/api/v1/staff"]["get"];
        assert!(staff.is_object());
        let params: Vec<_> = staff["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, ["page", "per_page"]);
        assert_eq!(staff["security"][0][SECURITY_SCHEME], serde_json::json!([]));
        let scheme = &doc["components"]["securitySchemes"][SECURITY_SCHEME];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
        for schema in [
            "Organisation",
            "StaffMember",
            "StaffPage",
            "Problem",
            "Role",
            "StaffGroup",
            "OrgType",
        ] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
        let problem = &staff["responses"]["422"]["content"]["application/problem+json"];
        assert!(problem.is_object());
    }

    #[test]
    fn the_openapi_document_has_every_services_part() {
        let (services, _) = compose();
        let doc: serde_json::Value = serde_json::from_str(services.openapi_json()).unwrap();
        for path in [
            "/api/v1/organisation",
            "/api/v1/staff",
            "/api/v1/training/completions",
            "/api/v1/alerts/advisories",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        let tags: Vec<_> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(tags, ["Organisation", "Staff", "Training", "Alerts"]);
    }

    /// Every `.rs` file under `dir`, with its path relative to `src/`.
    fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).unwrap().display().to_string();
                out.push((relative, fs::read_to_string(&path).unwrap()));
            }
        }
    }

    /// The top-level modules of the crate other than the platform: the services, and what
    /// composes them.
    fn other_modules() -> BTreeSet<String> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
        lib.lines()
            .filter_map(|l| l.trim().strip_prefix("pub mod "))
            .map(|m| m.trim_end_matches(';').to_owned())
            .filter(|m| m != "platform")
            .collect()
    }

    /// The first segment of every path a file names from the crate root: in `crate::a::b`
    /// and in each item of `crate::{a, b::c, …}` groups (the same in `carecert::`).
    fn crate_paths_named(text: &str) -> Vec<(usize, String)> {
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let line_of = |at: usize| code[..at].matches('\n').count() + 1;
        let mut named = vec![];
        for root in ["crate::", "carecert::"] {
            for (at, _) in code.match_indices(root) {
                let rest = &code[at + root.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let (mut depth, mut item) = (0, String::new());
                    for ch in group.chars() {
                        match ch {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                named.push((line_of(at), std::mem::take(&mut item)));
                                continue;
                            }
                            _ => {}
                        }
                        item.push(ch);
                    }
                    named.push((line_of(at), item));
                } else {
                    named.push((line_of(at), rest.to_owned()));
                }
            }
        }
        named
            .into_iter()
            .filter_map(|(line, path)| {
                let first: String = path
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                (!first.is_empty()).then_some((line, first))
            })
            .collect()
    }

    #[test]
    fn the_platform_never_names_a_service() {
        let modules = other_modules();
        assert!(modules.contains("knowledge") && modules.contains("alerts"));
        let mut files = vec![];
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/platform"),
            &mut files,
        );
        assert!(files.len() > 10);
        let mut found = vec![];
        for (file, text) in &files {
            for (line, module) in crate_paths_named(text) {
                if modules.contains(&module) {
                    found.push(format!("src/{file}:{line} names `{module}`"));
                }
            }
        }
        assert!(
            found.is_empty(),
            "the platform must not name a service; register through `Service` instead:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn naming_a_service_from_the_platform_is_noticed() {
        let text = "use crate::{\n    platform::db,\n    knowledge::quiz,\n};\nfn f() { crate::alerts::x(); }\n// crate::staff::y\n";
        let named: Vec<_> = crate_paths_named(text);
        assert_eq!(
            named,
            [
                (1, "platform".to_owned()),
                (1, "knowledge".to_owned()),
                (5, "alerts".to_owned())
            ]
        );
    }

    #[test]
    fn every_route_comes_from_a_service_once() {
        let listed: BTreeSet<_> = services().iter().map(|s| s.name).collect();
        assert_eq!(listed.len(), services().len(), "service names are unique");
        let (_, routes) = compose();
        let mut seen = BTreeSet::new();
        for (service, route) in &routes {
            assert!(listed.contains(service));
            assert!(
                seen.insert((route.method.to_string(), route.path)),
                "{} {} is registered twice",
                route.method,
                route.path
            );
        }
        assert_eq!(route_specs().len(), routes.len());
    }

    #[test]
    fn every_job_kind_and_scan_is_registered_through_a_service() {
        let (services, _) = compose();
        let mut files = vec![];
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        // Every job kind the code can enqueue is a `…JOB_KIND` constant; each must have a
        // handler, or its jobs would fail forever.
        let mut kinds = vec![];
        for (file, text) in &files {
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("pub const ")
                    && rest.contains("JOB_KIND: &str = \"")
                {
                    let kind = rest.split('"').nth(1).unwrap().to_owned();
                    kinds.push((file.clone(), kind));
                }
                let enqueues = ["enqueue(", "enqueue_as(", "enqueue_many("]
                    .iter()
                    .any(|c| line.contains(&format!("jobs::{c}")));
                assert!(
                    !enqueues || line.contains("JOB_KIND"),
                    "{file}: jobs are enqueued by a registered JOB_KIND constant: {line}"
                );
            }
        }
        assert!(kinds.len() >= 2);
        for (file, kind) in &kinds {
            assert!(
                services.job(kind).is_some(),
                "{file}: job kind {kind:?} has no handler registered by a service"
            );
        }
        assert_eq!(services.jobs().len(), kinds.len());
        let names: BTreeSet<_> = services.scans().iter().map(|s| s.name).collect();
        assert_eq!(names.len(), services.scans().len(), "scan names are unique");
        for expected in [
            "training reminders",
            "advisory escalation",
            "recording the audit log head",
        ] {
            assert!(names.contains(expected), "{expected}");
        }
    }

    #[test]
    fn the_built_in_content_of_every_service_is_valid() {
        let (services, _) = compose();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let report = services.content_report(&root);
        assert_eq!(report.problems, vec![]);
        assert!(report.passed.len() > 1, "{:?}", report.passed);
    }
}
