//! Reading and writing the few cookies the service uses. All are HttpOnly and SameSite;
//! over HTTPS they are `Secure` and carry the `__Host-` prefix, which pins them to this host.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

/// The names of our cookies, which depend on whether we are served over HTTPS.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    pub secure: bool,
}

impl CookieNames {
    pub fn session(self) -> &'static str {
        if self.secure {
            "__Host-carecert_session"
        } else {
            "carecert_session"
        }
    }
    pub fn csrf(self) -> &'static str {
        if self.secure {
            "__Host-carecert_csrf"
        } else {
            "carecert_csrf"
        }
    }
    pub fn device(self) -> &'static str {
        if self.secure {
            "__Host-carecert_device"
        } else {
            "carecert_device"
        }
    }
    pub fn notice(self) -> &'static str {
        if self.secure {
            "__Host-carecert_notice"
        } else {
            "carecert_notice"
        }
    }
}

/// The value of cookie `name` in a request, if present.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse_encoded(v.to_owned()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` header value. `max_age` of `None` makes a browser-session cookie;
/// `Some(0)` deletes it.
pub fn build(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax);
    if let Some(seconds) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(seconds));
    }
    HeaderValue::from_str(&c.build().encoded().to_string())
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A one-off message for the next page ("Invitation sent"), carried in a short-lived cookie
/// so it survives the redirect after a form.
#[derive(Debug, Clone)]
pub struct Notice(pub String);

/// Reads the notice cookie into the request and deletes it once a page has shown it.
///
/// Only an HTML page consumes the notice: a page's script may still be saving in the
/// background (JSON) while the browser follows the redirect that carries the notice, and
/// that reply must not delete it before the page it was meant for is drawn.
pub async fn carry_notice(
    axum::extract::State(state): axum::extract::State<crate::platform::AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let names = CookieNames {
        secure: state.config.is_https(),
    };
    let notice = read(request.headers(), names.notice()).filter(|n| !n.is_empty());
    if let Some(text) = &notice {
        request.extensions_mut().insert(Notice(text.clone()));
    }
    let mut response = next.run(request).await;
    if notice.is_some() && response.status().is_success() && is_html(&response) {
        response.headers_mut().append(
            header::SET_COOKIE,
            build(names.notice(), "", names.secure, Some(0)),
        );
    }
    response
}

fn is_html(response: &axum::response::Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// A redirect that shows `message` on the page it leads to.
pub fn redirect_with_notice(secure: bool, to: &str, message: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let names = CookieNames { secure };
    let mut response = axum::response::Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        build(names.notice(), message, secure, Some(120)),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_and_host_bound_over_https() {
        let names = CookieNames { secure: true };
        assert_eq!(names.session(), "__Host-carecert_session");
        let c = build(names.session(), "abc", true, None);
        let c = c.to_str().unwrap();
        assert!(
            c.contains("Secure")
                && c.contains("HttpOnly")
                && c.contains("SameSite=Lax")
                && c.contains("Path=/"),
            "{c}"
        );
        let plain = build(
            CookieNames { secure: false }.session(),
            "abc",
            false,
            Some(0),
        );
        let plain = plain.to_str().unwrap();
        assert!(
            !plain.contains("Secure") && plain.contains("Max-Age=0"),
            "{plain}"
        );
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; carecert_csrf=xyz; b=2"),
        );
        assert_eq!(read(&headers, "carecert_csrf").as_deref(), Some("xyz"));
        assert_eq!(read(&headers, "missing"), None);
    }
}
