//! Operations: liveness, readiness and Prometheus metrics.

use std::{net::SocketAddr, sync::OnceLock, time::Instant};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::platform::{AppState, jobs, tokens};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide metrics recorder (once, however many apps a process starts).
pub fn metrics_handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .expect("bucket list is not empty")
            .install_recorder()
            .expect("metrics recorder installs once")
    })
}

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers too.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// Who may read `/metrics`.
#[derive(Debug, PartialEq, Eq)]
pub enum MetricsAccess {
    Allowed,
    /// A token is configured and the request did not carry it.
    NeedsToken,
    /// No token is configured and the request is not straight from this machine.
    LocalOnly,
}

/// With a token configured, whoever presents it (`Authorization: Bearer …`); without one,
/// only a direct connection from this machine (a local agent), never through a proxy,
/// since a proxy on the same machine would make every visitor look local.
pub fn metrics_access(
    token: Option<&str>,
    authorization: Option<&str>,
    direct_from_loopback: bool,
) -> MetricsAccess {
    match token {
        Some(token) => {
            let given = authorization
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or_default();
            if tokens::equal(given, token) {
                MetricsAccess::Allowed
            } else {
                MetricsAccess::NeedsToken
            }
        }
        None if direct_from_loopback => MetricsAccess::Allowed,
        None => MetricsAccess::LocalOnly,
    }
}

pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers();
    let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    let direct_from_loopback = !proxied
        && request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|p| p.0.ip().is_loopback());
    let access = metrics_access(
        state.config.metrics_token.as_ref().map(|t| t.0.as_str()),
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        direct_from_loopback,
    );
    match access {
        MetricsAccess::Allowed => {}
        MetricsAccess::NeedsToken => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                "Send the metrics token as Authorization: Bearer <token>.\n",
            )
                .into_response();
        }
        MetricsAccess::LocalOnly => {
            return (
                StatusCode::FORBIDDEN,
                "Metrics are served only to this machine. Set CARECERT_METRICS_TOKEN to let a \
                 monitoring system elsewhere read them with that bearer token.\n",
            )
                .into_response();
        }
    }
    let handle = metrics_handle();
    match jobs::queue_depth(&state.db).await {
        Ok(depth) => metrics::gauge!("job_queue_depth").set(depth as f64),
        Err(e) => tracing::warn!(error = %e, "could not read the job queue depth"),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// The route template a request matched, such as `/invitations/{token}`: what metrics and
/// logs name a request by. Never the raw path, which holds identifiers and the secret
/// tokens of invitation and reset links.
pub fn route_of(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned())
}

/// Counts requests and their latency by route template.
pub async fn track(request: Request, next: Next) -> Response {
    let route = route_of(request.extensions());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_token_only_direct_local_requests_read_metrics() {
        assert_eq!(metrics_access(None, None, true), MetricsAccess::Allowed);
        assert_eq!(metrics_access(None, None, false), MetricsAccess::LocalOnly);
        assert_eq!(
            metrics_access(None, Some("Bearer anything"), false),
            MetricsAccess::LocalOnly
        );
    }

    #[test]
    fn with_a_token_it_is_needed_from_everywhere() {
        let token = Some("s3cret-token");
        assert_eq!(
            metrics_access(token, Some("Bearer s3cret-token"), false),
            MetricsAccess::Allowed
        );
        for wrong in [
            None,
            Some("Bearer s3cret"),
            Some("Basic s3cret-token"),
            Some("Bearer "),
        ] {
            assert_eq!(
                metrics_access(token, wrong, true),
                MetricsAccess::NeedsToken
            );
        }
    }
}
