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
    alerts, api, audit, identity, knowledge, organisations, pages,
    platform::{
        AppState,
        authz::Rule,
        config::Config,
        db::Db,
        email::Mailer,
        error::AppError,
        jobs, ops,
        secrets::SecretBox,
        web::{
            assets, cookies, csrf, headers,
            page::render_error_page,
            routes::{self, Route, RouteSpec},
            shell::Shell,
        },
    },
    staff,
};

/// The largest request body accepted (CSV imports are the largest legitimate uploads).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// Every route of the application with its rule.
pub fn all_routes() -> Vec<Route> {
    let mut all = vec![
        Route::get("/healthz", Rule::Public, ops::healthz),
        Route::get("/readyz", Rule::Public, ops::readyz),
        Route::get("/metrics", Rule::Public, ops::metrics),
    ];
    all.extend(pages::routes());
    all.extend(knowledge::routes());
    all.extend(knowledge::quiz::routes());
    all.extend(knowledge::needs::routes());
    all.extend(knowledge::dashboard::routes());
    all.extend(knowledge::national::routes());
    all.extend(knowledge::admin::routes());
    all.extend(alerts::routes());
    all.extend(identity::routes());
    all.extend(organisations::routes());
    all.extend(staff::routes());
    all.extend(audit::routes());
    all.extend(api::routes());
    all
}

/// The route table without handlers, for the authorisation walk in the test suite.
pub fn route_specs() -> Vec<RouteSpec> {
    routes::specs(&all_routes())
}

pub fn router(state: AppState) -> Router {
    let https = state.config.is_https();
    routes::build(&state, all_routes())
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
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
        return api::not_found(request.uri().clone()).await.into_response();
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

/// Seals secrets a database holds from before they were encrypted (idempotent; instances
/// starting together seal each value once), then checks the key opens those stored.
async fn prepare_secrets(db: &Db, secrets: &SecretBox) -> anyhow::Result<()> {
    use crate::{alerts::store::channels, identity::store as people};
    let sealed_people = people::seal_plain_totp_secrets(db, secrets).await?;
    let sealed_hooks = channels::seal_plain_webhook_secrets(db, secrets).await?;
    if sealed_people + sealed_hooks > 0 {
        tracing::info!(
            sealed_people,
            sealed_hooks,
            "sealed secrets stored in plain text"
        );
    }
    people::check_totp_key(db, secrets).await?;
    channels::check_webhook_key(db, secrets).await
}

/// A built application, listening but not yet serving.
pub struct App {
    listener: TcpListener,
    state: AppState,
    mailer: Mailer,
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
        prepare_secrets(&db, &secrets).await?;
        crate::knowledge::prepare(&db).await?;
        let mailer = Mailer::from_config(&config)?;
        ops::metrics_handle();
        Ok(App {
            listener,
            state: AppState {
                db,
                config: Arc::new(config),
                secrets,
            },
            mailer,
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
        let app = router(self.state.clone());
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
