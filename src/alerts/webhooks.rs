//! Signed webhooks: when an advisory reaches an organisation (or is revised or withdrawn),
//! a job posts a JSON event to the organisation's endpoint. Each delivery is signed with
//! HMAC-SHA256 over the timestamp and body, so the receiver can check it came from us and
//! is fresh; failed deliveries are retried by the job queue with back-off.

use std::net::{IpAddr, SocketAddr};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    alerts::{
        rules::addresses,
        store::{advisories, channels},
        withheld,
    },
    platform::{AppState, db::Tx, ids::OrgId, jobs},
};

pub const JOB_KIND: &str = "alerts.webhook";

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub organisation_id: OrgId,
    pub advisory_id: Uuid,
    pub event: String,
}

/// Queues a delivery to each of `orgs` that has a webhook. Returns how many.
pub async fn enqueue(
    tx: &mut Tx,
    advisory: Uuid,
    orgs: &[OrgId],
    event: &str,
) -> Result<usize, sqlx::Error> {
    let with_hook = channels::webhook_organisations(tx, orgs).await?;
    let payloads: Vec<serde_json::Value> = with_hook
        .iter()
        .filter_map(|org| {
            serde_json::to_value(Delivery {
                organisation_id: *org,
                advisory_id: advisory,
                event: event.to_owned(),
            })
            .ok()
        })
        .collect();
    jobs::enqueue_many(tx, JOB_KIND, &payloads).await?;
    Ok(payloads.len())
}

/// Where an organisation's signing secret belongs, for sealing it in the database.
pub fn secret_context(org: OrgId) -> String {
    format!("webhook:{org}")
}

/// The signature header value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks an endpoint URL an organisation gives. Unless `allow_private`, it must be https
/// and must not name an address outside the public internet (see [`addresses`]), so a
/// webhook cannot be pointed at the service's own network.
pub fn check_url(raw: &str, allow_private: bool) -> Result<String, String> {
    let raw = raw.trim();
    let url = reqwest::Url::parse(raw).map_err(|_| {
        "Enter the full address of your endpoint, like https://soc.example.nhs.uk/carecert"
            .to_owned()
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("The endpoint address must start with https://".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Do not put a user name or password in the address; we sign each request instead"
                .into(),
        );
    }
    let host = url.host_str().unwrap_or("");
    if host.is_empty() {
        return Err("The endpoint address has no host name".into());
    }
    if !allow_private {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let private = match bare.parse::<IpAddr>() {
            Ok(ip) => !addresses::is_global(ip),
            Err(_) => host == "localhost" || host.ends_with(".localhost"),
        };
        if private {
            return Err(
                "The endpoint must be reachable on the internet, not a private or local address"
                    .into(),
            );
        }
    }
    if raw.len() > 500 {
        return Err("The endpoint address must be 500 characters or fewer".into());
    }
    Ok(url.to_string())
}

/// Resolves the endpoint's host once and checks every address, so a name that points into
/// a private network is refused at delivery too; the request then goes to the address
/// checked, not to whatever a second lookup returns.
async fn resolve_public(url: &reqwest::Url) -> anyhow::Result<Option<(String, SocketAddr)>> {
    let Some(host) = url.host_str() else {
        anyhow::bail!("the endpoint has no host");
    };
    if host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok()
    {
        return Ok(None);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    if addrs.is_empty() || addrs.iter().any(|a| !addresses::is_global(a.ip())) {
        anyhow::bail!("the endpoint's host name {host} does not resolve to public addresses only");
    }
    Ok(addrs.first().map(|a| (host.to_owned(), *a)))
}

/// The HTTP client deliveries use. It ignores proxy settings in the environment
/// (`HTTPS_PROXY` and the like): a proxy would make the connection itself, to whatever the
/// name resolves to then, undoing the check of the address the request is pinned to. It
/// follows no redirects, for the same reason.
fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
}

/// Runs one delivery job.
pub async fn deliver(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let d: Delivery = serde_json::from_value(payload.clone())?;
    let Some(hook) = channels::webhook(&state.db, d.organisation_id).await? else {
        return Ok(());
    };
    let secret = state
        .secrets
        .open(&secret_context(hook.organisation_id), &hook.secret)?;
    let Some(row) = advisories::find(&state.db, d.advisory_id).await? else {
        return Ok(());
    };
    let reference = row.reference.clone().unwrap_or_default();
    let base = state.config.public_url.trim_end_matches('/');
    // The endpoint is a system, not a named person: a TLP:RED advisory goes as a notice.
    let content = match row.content.clone() {
        c if withheld::applies(c.tlp) => withheld::notice(&c, &withheld::link(base, &reference)),
        c => c,
    };
    let body = serde_json::to_vec(&serde_json::json!({
        "event": d.event,
        "organisation_id": d.organisation_id,
        "advisory": {
            "id": row.id,
            "reference": reference,
            "title": content.title,
            "severity": content.severity,
            "tlp": content.tlp.as_str(),
            "status": row.status,
            "revision": row.revision,
            "cves": content.cves.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            "ack_required": content.ack_required,
            "url": format!("{base}/alerts/{reference}"),
            "api_url": format!("{base}/api/v1/alerts/advisories/{reference}"),
        },
    }))?;
    let timestamp = crate::platform::db::now().unix_timestamp();
    let mut builder = client_builder();
    if !state.config.webhook_allow_private {
        let url = reqwest::Url::parse(&hook.url)?;
        if let Some((host, addr)) = resolve_public(&url).await? {
            builder = builder.resolve(&host, addr);
        }
    }
    let client = builder.build()?;
    let response = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-carecert-event", &d.event)
        .header("x-carecert-timestamp", timestamp.to_string())
        .header("x-carecert-signature", signature(&secret, timestamp, &body))
        .body(body)
        .send()
        .await
        // The error is logged and kept with the job: the endpoint address can carry the
        // receiver's own secret (many webhook services put one in the path), so drop it.
        .map_err(reqwest::Error::without_url)?;
    if !response.status().is_success() {
        anyhow::bail!("endpoint answered {}", response.status());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_changes_with_secret_time_and_body() {
        let a = signature("s3cret", 1_700_000_000, b"{}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64);
        assert_ne!(a, signature("other", 1_700_000_000, b"{}"));
        assert_ne!(a, signature("s3cret", 1_700_000_001, b"{}"));
        assert_ne!(a, signature("s3cret", 1_700_000_000, b"{ }"));
        assert_eq!(a, signature("s3cret", 1_700_000_000, b"{}"));
    }

    /// Run by [`proxy_settings_in_the_environment_are_ignored`] in a child process whose
    /// environment names a proxy: a request from the delivery client must reach the endpoint
    /// directly.
    #[tokio::test]
    #[ignore = "run by proxy_settings_in_the_environment_are_ignored"]
    async fn delivery_client_connects_directly() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let endpoint = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", endpoint.local_addr().unwrap());
        let answer = tokio::spawn(async move {
            let (mut conn, _) = endpoint.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf).await;
            conn.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .await
                .unwrap();
        });
        let client = client_builder()
            .timeout(std::time::Duration::from_secs(3))
            .build()
            .unwrap();
        let response = client.post(&url).body("{}").send().await.unwrap();
        assert_eq!(response.status(), 204);
        answer.await.unwrap();
    }

    #[test]
    fn proxy_settings_in_the_environment_are_ignored() {
        let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        proxy.set_nonblocking(true).unwrap();
        let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "alerts::webhooks::tests::delivery_client_connects_directly",
            ])
            .env("HTTP_PROXY", &proxy_url)
            .env("http_proxy", &proxy_url)
            .env("HTTPS_PROXY", &proxy_url)
            .env("ALL_PROXY", &proxy_url)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .status()
            .unwrap();
        assert!(status.success(), "the request went to the endpoint");
        assert!(
            proxy.accept().is_err(),
            "the proxy named in the environment received nothing"
        );
    }

    #[test]
    fn endpoints_must_be_public_https_unless_allowed() {
        assert!(check_url("https://soc.example.org/hook", false).is_ok());
        for bad in [
            "http://soc.example.org/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest",
            "https://localhost:8080/",
            "https://[::1]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[2002:a9fe:a9fe::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://0.0.0.0/",
            "https://198.18.0.1/",
            "https://240.0.0.1/",
            "https://224.0.0.1/",
            "https://user:pw@soc.example.org/",
            "ftp://soc.example.org/",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} should be refused");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
    }
}
