//! Platform benchmark (`cargo bench --bench platform`, or `scripts/bench`).
//!
//! Starts the real server in-process on a fresh database (SQLite, or PostgreSQL when
//! `CARECERT_BENCH_POSTGRES_URL` is set), then reports:
//! - requests per second and latency for `/healthz` and for an authenticated page
//!   (`/account`), measured the same way in one run;
//! - the time to import 20,000 staff from a CSV file through the upload page, and to
//!   import the same file again (the idempotent re-upload).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use carecert::{
    app::App,
    demo,
    identity::two_step,
    platform::{
        config::{Config, Hidden, LogFormat},
        db::now,
        secrets,
    },
};

const CONCURRENCY: usize = 16;
const RUN_FOR: Duration = Duration::from_secs(5);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    // On PostgreSQL the benchmark works in a database of its own, created here and dropped
    // at the end, so the server named by the URL is left as it was.
    let scratch = match std::env::var("CARECERT_BENCH_POSTGRES_URL") {
        Ok(admin) => Some((
            admin.clone(),
            format!("carecert_bench_{}", uuid::Uuid::new_v4().simple()),
        )),
        Err(_) => None,
    };
    let (database_url, engine) = match &scratch {
        Some((admin, name)) => {
            run_sql(admin, &format!("CREATE DATABASE {name}")).await;
            let (base, _) = admin.rsplit_once('/').expect("URL names a database");
            (format!("{base}/{name}"), "PostgreSQL")
        }
        None => (
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            "SQLite",
        ),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let config = Config {
        database_url,
        bind: addr,
        public_url: base.clone(),
        smtp_url: None,
        mail_from: "CareCERT <bench@carecert.invalid>".into(),
        outbox_dir: dir.path().join("outbox"),
        log_format: LogFormat::Text,
        trust_proxy: false,
        job_poll_ms: 60_000,
        session_idle_minutes: 30,
        session_max_hours: 12,
        alert_ack_hours: 48,
        webhook_allow_private: true,
        secret_key: Some(Hidden(secrets::new_key())),
        secret_key_file: None,
        metrics_token: None,
    };
    let app = App::with_listener(config, listener).await.expect("app");
    let db = app.state().db.clone();
    demo::load(&db, &app.state().secrets, &base)
        .await
        .expect("demo data")
        .expect("empty database");
    tokio::spawn(app.run(std::future::pending()));

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");
    sign_in(&client, &base).await;

    println!(
        "CareCERT platform benchmark on {engine}, {CONCURRENCY} concurrent clients, {} s per endpoint",
        RUN_FOR.as_secs()
    );
    let health = load(&client, &format!("{base}/healthz")).await;
    let account = load(&client, &format!("{base}/account")).await;
    println!(
        "{:<32} {:>10} {:>10} {:>10}",
        "endpoint", "req/s", "p50 ms", "p99 ms"
    );
    for (name, r) in [("/healthz", &health), ("/account (signed in)", &account)] {
        println!(
            "{:<32} {:>10.0} {:>10.2} {:>10.2}",
            name, r.rps, r.p50_ms, r.p99_ms
        );
    }

    let org = org_of_lead(&client, &base).await;
    let csv = carecert::staff::import_sample::sample_csv(20_000, 7);
    for label in ["first upload", "same file again"] {
        let started = Instant::now();
        let status = upload(&client, &base, &org, csv.clone()).await;
        println!(
            "CSV import of 20,000 staff ({label}): {:.2} s (HTTP {status})",
            started.elapsed().as_secs_f64()
        );
    }
    db.close().await;
    if let Some((admin, name)) = scratch {
        run_sql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
}

async fn run_sql(url: &str, sql: &str) {
    let db = carecert::platform::db::Db::connect(url)
        .await
        .expect("connect to PostgreSQL");
    carecert::with_db!(&db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
    db.close().await;
}

struct LoadResult {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn load(client: &reqwest::Client, url: &str) -> LoadResult {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, stop) = (client.clone(), url.to_owned(), stop.clone());
            tokio::spawn(async move {
                let mut latencies = vec![];
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let r = client.get(&url).send().await.expect("request");
                    assert!(r.status().is_success(), "{url} answered {}", r.status());
                    let _ = r.bytes().await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(RUN_FOR).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = vec![];
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    LoadResult {
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    }
}

fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

async fn csrf(client: &reqwest::Client, base: &str, path: &str) -> String {
    let page = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    hidden_field(&page, "csrf_token").expect("form has a CSRF token")
}

async fn sign_in(client: &reqwest::Client, base: &str) {
    let token = csrf(client, base, "/sign-in").await;
    let r = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "lead@northfield-hospitals.example"),
            ("password", demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_redirection());
    let token = csrf(client, base, "/sign-in/two-step").await;
    let code = two_step::current_code(demo::DEMO_TOTP_SECRET, now().unix_timestamp() as u64)
        .expect("code");
    let r = client
        .post(format!("{base}/sign-in/two-step"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("code", code.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("two-step");
    assert!(r.status().is_redirection(), "two-step accepted");
}

async fn org_of_lead(client: &reqwest::Client, base: &str) -> String {
    let home = client
        .get(format!("{base}/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("text");
    let start = home
        .find("href=\"/organisations/")
        .expect("a link to the lead's organisation")
        + 21;
    home[start..start + 36].to_owned()
}

async fn upload(client: &reqwest::Client, base: &str, org: &str, csv: String) -> u16 {
    let path = format!("/organisations/{org}/staff/import");
    let token = csrf(client, base, &path).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes())
            .file_name("staff.csv")
            .mime_str("text/csv")
            .expect("mime"),
    );
    client
        .post(format!("{base}{path}?csrf_token={token}"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .status()
        .as_u16()
}
