//! Static files served under `/assets`, all embedded in the binary.
//!
//! Two sources:
//!
//! - The NHS.UK frontend (CSS, JavaScript, icons and web manifest), which
//!   `build.rs` copies from `node_modules/nhsuk-frontend` into
//!   `$OUT_DIR/nhsuk` after checking the version pinned in `package.json`.
//! - CareCERT's own small files from `static/` in the repository root.
//!
//! Caching:
//!
//! - The frontend CSS and JavaScript have the package version in their URL
//!   (`/assets/nhsuk-frontend-<version>.min.css`), so browsers may keep them
//!   for a year: a new version gets a new URL.
//! - The frontend stylesheet refers to its icons by fixed URLs
//!   (`/assets/images/...`), and browsers ask for the favicon and manifest by
//!   fixed URLs too, so those are cached for one day only.
//! - Our own files are served at `/assets/app/<hash>/<path>`, where `<hash>`
//!   is the start of the file's SHA-256. Any change to a file changes its URL,
//!   so they can be cached for a year as well. A request with an old hash
//!   (a page rendered just before a deploy) still gets the current file, but
//!   with `no-cache`, so nothing stale is kept under that URL.
//!
//! Everything else under `/assets` is a 404.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::{EmbeddedFile, RustEmbed};

/// The pinned `nhsuk-frontend` version, set by `build.rs` from `package.json`.
pub const NHSUK_FRONTEND_VERSION: &str = env!("NHSUK_FRONTEND_VERSION");

const CSS_URL: &str = concat!(
    "/assets/nhsuk-frontend-",
    env!("NHSUK_FRONTEND_VERSION"),
    ".min.css"
);
const JS_URL: &str = concat!(
    "/assets/nhsuk-frontend-",
    env!("NHSUK_FRONTEND_VERSION"),
    ".min.js"
);

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";
const CACHE_ONE_DAY: &str = "public, max-age=86400";
const CACHE_REVALIDATE: &str = "no-cache";

/// NHS.UK frontend files prepared by `build.rs`.
#[derive(RustEmbed)]
#[folder = "$OUT_DIR/nhsuk"]
struct NhsukFiles;

/// CareCERT's own files from `static/`.
#[derive(RustEmbed)]
#[folder = "static"]
struct AppFiles;

static APP_JS_URL: LazyLock<String> = LazyLock::new(|| app_url("js/app.mjs"));
static APP_CSS_URL: LazyLock<String> = LazyLock::new(|| app_url("css/app.css"));

/// URL of the NHS.UK frontend stylesheet, for `<link rel="stylesheet">`.
pub fn css_url() -> &'static str {
    CSS_URL
}

/// URL of the NHS.UK frontend ES module. Pages do not load it directly:
/// [`app_js_url`] imports it.
pub fn js_url() -> &'static str {
    JS_URL
}

/// URL of our own script, for `<script type="module" src="...">`.
pub fn app_js_url() -> &'static str {
    &APP_JS_URL
}

/// URL of our own stylesheet, to load after [`css_url`].
pub fn app_css_url() -> &'static str {
    &APP_CSS_URL
}

/// Routes for everything under `/assets`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>) -> Response {
    find(&path).unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// Looks up `path` (the part after `/assets/`).
fn find(path: &str) -> Option<Response> {
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == ".." || part.contains('\\'))
    {
        return None;
    }
    if let Some(rest) = path.strip_prefix("app/") {
        let (hash, name) = rest.split_once('/')?;
        let file = AppFiles::get(name)?;
        let cache = if hash == short_hash(&file) {
            CACHE_FOREVER
        } else {
            CACHE_REVALIDATE
        };
        return Some(respond(name, file, cache));
    }
    let url = format!("/assets/{path}");
    let versioned = if url == CSS_URL {
        Some("nhsuk-frontend.min.css")
    } else if url == JS_URL {
        Some("nhsuk-frontend.min.js")
    } else {
        None
    };
    if let Some(name) = versioned {
        return Some(respond(name, NhsukFiles::get(name)?, CACHE_FOREVER));
    }
    if path.starts_with("images/") || path == "manifest.json" {
        return Some(respond(path, NhsukFiles::get(path)?, CACHE_ONE_DAY));
    }
    None
}

fn respond(name: &str, file: EmbeddedFile, cache: &'static str) -> Response {
    let content_type = match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js" | "mjs") => "text/javascript".to_owned(),
        Some("css") => "text/css".to_owned(),
        _ if name == "manifest.json" => "application/manifest+json".to_owned(),
        _ => file.metadata.mimetype().to_owned(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        file.data,
    )
        .into_response()
}

/// First 12 hex digits of the file's SHA-256: plenty to tell versions apart.
fn short_hash(file: &EmbeddedFile) -> String {
    hex::encode(&file.metadata.sha256_hash()[..6])
}

fn app_url(name: &str) -> String {
    let file = AppFiles::get(name).unwrap_or_else(|| panic!("static/{name} is not embedded"));
    format!("/assets/app/{}/{name}", short_hash(&file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn fetch(url: &str) -> (StatusCode, Option<String>, Option<String>, Vec<u8>) {
        let response = router::<()>()
            .oneshot(Request::get(url).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &header::HeaderValue| value.to_str().unwrap().to_owned())
        };
        let content_type = header(header::CONTENT_TYPE);
        let cache = header(header::CACHE_CONTROL);
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, content_type, cache, body.to_vec())
    }

    #[test]
    fn frontend_css_and_js_are_embedded() {
        for name in ["nhsuk-frontend.min.css", "nhsuk-frontend.min.js"] {
            let file = NhsukFiles::get(name).expect(name);
            assert!(file.data.len() > 10_000, "{name} looks too small");
            let text = std::str::from_utf8(&file.data).unwrap();
            assert!(!text.contains("sourceMappingURL"), "{name}");
        }
    }

    #[test]
    fn version_matches_package_json() {
        let package: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/package.json"
        )))
        .unwrap();
        assert_eq!(
            package["dependencies"]["nhsuk-frontend"].as_str(),
            Some(NHSUK_FRONTEND_VERSION)
        );
        let js = NhsukFiles::get("nhsuk-frontend.min.js").unwrap();
        let js = std::str::from_utf8(&js.data).unwrap();
        assert!(js.contains(&format!("\"{NHSUK_FRONTEND_VERSION}\"")));
    }

    #[test]
    fn app_script_imports_the_versioned_frontend_module() {
        let script = AppFiles::get("js/app.mjs").unwrap();
        let script = std::str::from_utf8(&script.data).unwrap();
        assert!(
            script.contains(&format!("from '{}'", js_url())),
            "static/js/app.mjs must import {}",
            js_url()
        );
        let js = NhsukFiles::get("nhsuk-frontend.min.js").unwrap();
        assert!(std::str::from_utf8(&js.data).unwrap().contains("initAll"));
    }

    #[tokio::test]
    async fn versioned_frontend_files_are_cached_forever() {
        let (status, content_type, cache, body) = fetch(css_url()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("text/css"));
        assert_eq!(cache.as_deref(), Some(CACHE_FOREVER));
        assert!(!body.is_empty());

        let (status, content_type, cache, _) = fetch(js_url()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("text/javascript"));
        assert_eq!(cache.as_deref(), Some(CACHE_FOREVER));
    }

    #[tokio::test]
    async fn every_image_the_stylesheet_uses_is_served() {
        let css = NhsukFiles::get("nhsuk-frontend.min.css").unwrap();
        let css = std::str::from_utf8(&css.data).unwrap().to_owned();
        let urls: Vec<&str> = css
            .split("url(")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .map(|url| url.trim_matches(['"', '\'']))
            .filter(|url| url.starts_with("/assets/"))
            .collect();
        assert!(!urls.is_empty());
        for url in urls {
            let (status, content_type, cache, _) = fetch(url).await;
            assert_eq!(status, StatusCode::OK, "{url}");
            assert_eq!(content_type.as_deref(), Some("image/svg+xml"), "{url}");
            assert_eq!(cache.as_deref(), Some(CACHE_ONE_DAY), "{url}");
        }
        let (status, content_type, _, _) = fetch("/assets/images/favicon.ico").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.is_some());
        let (status, content_type, _, _) = fetch("/assets/manifest.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("application/manifest+json"));
    }

    #[tokio::test]
    async fn own_files_are_versioned_by_content() {
        let (status, content_type, cache, body) = fetch(app_js_url()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("text/javascript"));
        assert_eq!(cache.as_deref(), Some(CACHE_FOREVER));
        assert!(String::from_utf8(body).unwrap().contains("initAll"));

        let (status, content_type, cache, _) = fetch(app_css_url()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("text/css"));
        assert_eq!(cache.as_deref(), Some(CACHE_FOREVER));

        let (status, _, cache, _) = fetch("/assets/app/000000000000/js/app.mjs").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(cache.as_deref(), Some(CACHE_REVALIDATE));
    }

    #[tokio::test]
    async fn anything_else_is_not_found() {
        for url in [
            "/assets/nhsuk-frontend.min.css",
            "/assets/nhsuk-frontend-0.0.1.min.js",
            "/assets/images/no-such-icon.svg",
            "/assets/images/../nhsuk-frontend.min.css",
            "/assets/images/%2e%2e/nhsuk-frontend.min.css",
            "/assets/app/js/app.mjs",
            "/assets/app/000000000000/js/missing.mjs",
            "/assets/app/000000000000/../../Cargo.toml",
            "/assets/blocked_passwords.txt",
            "/assets/nope",
        ] {
            let (status, _, _, _) = fetch(url).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        }
    }
}
