//! Knowledge benchmark (`cargo bench --bench knowledge`, or `scripts/bench`).
//!
//! Starts the real server in-process on a fresh database — SQLite, then PostgreSQL too when
//! `CARECERT_BENCH_POSTGRES_URL` is set (in a scratch database of its own, dropped at the
//! end) — and measures:
//! - the final assessment under load: 2,000 learners, each signed in with an open attempt
//!   of the mandatory course; 64 and then 256 concurrent clients save one answer per
//!   request for 10 s each (requests per second, p50 and p99 latency); then every learner
//!   submits all their answers, 64 at a time (submissions per second);
//! - a security lead's coverage dashboard and its CSV export for a trust of 20,000 staff
//!   with 5 years of training records (median of several runs);
//! - the national coverage table (first page, and sorted by coverage) over 7,000
//!   organisations and 1.3 million staff with 5 years of records. PostgreSQL only unless
//!   `--sqlite-national` is given: generating that much on SQLite takes long.
//!
//! Flags (after `--`): `--sqlite-national`, and `--no-sqlite` to measure PostgreSQL only.
//! Data is made with `carecert::knowledge::generate`, as `carecert generate` makes it.

use std::{
    collections::HashSet,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use carecert::{
    app::App,
    demo,
    identity::store as identity_store,
    knowledge::{
        content::model::Course,
        generate::{self, OrgPlan, plan::ods_code},
        rules::draw,
        store::{
            attempts::{self, NewAttempt},
            courses, learning,
        },
    },
    organisations::domain::OrgType,
    platform::{
        authz::Role,
        config::{Config, Hidden, LogFormat},
        db::Db,
        ids::{OrgId, UserId},
        secrets, tokens,
    },
    staff::store::{self as staff_store, MemberSearch, NewMembership},
};
use rand::{SeedableRng, rngs::StdRng};
use tokio::sync::oneshot;
use uuid::Uuid;

const LEARNERS: usize = 2_000;
const LOAD_FOR: Duration = Duration::from_secs(10);
const CONCURRENCY: [usize; 2] = [64, 256];
const SUBMIT_CONCURRENCY: usize = 64;
const DASHBOARD_STAFF: usize = 20_000;
const YEARS: u32 = 5;
const NATIONAL_ORGS: usize = 7_000;
const NATIONAL_STAFF: usize = 1_300_000;
/// Runs of each page after the first.
const PAGE_RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(flag("--sqlite-national"), flag("--no-sqlite")));
}

/// One line of the results.
enum Figure {
    /// Requests per second with latency percentiles.
    Load {
        rps: f64,
        p50_ms: f64,
        p99_ms: f64,
        errors: u64,
    },
    /// Seconds for one request: the first (untimed caches cold), then the median, fastest
    /// and slowest of the runs after it.
    Time {
        first: f64,
        median: f64,
        min: f64,
        max: f64,
        bytes: usize,
    },
}

struct Row {
    engine: &'static str,
    what: String,
    figure: Figure,
}

async fn run(sqlite_national: bool, no_sqlite: bool) {
    let postgres = std::env::var("CARECERT_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let mut rows = vec![];
    if !(no_sqlite && postgres.is_some()) {
        rows.extend(on_engine(None, sqlite_national).await);
    }
    if let Some(admin) = postgres {
        rows.extend(on_engine(Some(admin), true).await);
    }
    print_rows(&rows);
}

fn print_rows(rows: &[Row]) {
    println!();
    println!(
        "{:<11} {:<60} {:>10} {:>10} {:>10}",
        "engine", "measurement", "req/s", "p50 ms", "p99 ms"
    );
    for r in rows {
        if let Figure::Load {
            rps,
            p50_ms,
            p99_ms,
            errors,
        } = r.figure
        {
            let what = if errors > 0 {
                format!("{} ({errors} errors)", r.what)
            } else {
                r.what.clone()
            };
            println!(
                "{:<11} {:<60} {:>10.0} {:>10.1} {:>10.1}",
                r.engine, what, rps, p50_ms, p99_ms
            );
        }
    }
    println!();
    println!(
        "{:<11} {:<60} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "engine", "page", "first s", "median s", "min s", "max s", "KB"
    );
    for r in rows {
        if let Figure::Time {
            first,
            median,
            min,
            max,
            bytes,
        } = r.figure
        {
            println!(
                "{:<11} {:<60} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10}",
                r.engine,
                r.what,
                first,
                median,
                min,
                max,
                bytes / 1024
            );
        }
    }
}

/// The server under test, on a database of its own.
struct Server {
    base: String,
    db: Db,
    config: Arc<Config>,
    secrets: secrets::SecretBox,
    stop: Option<oneshot::Sender<()>>,
    serving: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start(database_url: String) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
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
        // The worker's reminder scan runs once at start (on an empty database), then not
        // again during the benchmark.
        job_poll_ms: 3_600_000,
        session_idle_minutes: 60,
        session_max_hours: 12,
        alert_ack_hours: 48,
        webhook_allow_private: true,
        secret_key: Some(Hidden(secrets::new_key())),
        secret_key_file: None,
        metrics_token: None,
    };
    let app = App::with_listener(config, listener).await.expect("app");
    let db = app.state().db.clone();
    let config = app.state().config.clone();
    let secrets = app.state().secrets.clone();
    let (stop, stopped) = oneshot::channel();
    let serving = tokio::spawn(async move {
        app.run(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    Server {
        base,
        db,
        config,
        secrets,
        stop: Some(stop),
        serving,
        http,
        _dir: dir,
    }
}

/// Every measurement on one engine: SQLite when `postgres_admin` is `None`.
async fn on_engine(postgres_admin: Option<String>, national: bool) -> Vec<Row> {
    let dir = tempfile::tempdir().expect("temp dir");
    let scratch =
        postgres_admin.map(|admin| (admin, format!("carecert_bench_{}", Uuid::new_v4().simple())));
    let (url, engine) = match &scratch {
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
    println!("== {engine} ==");
    let mut server = start(url.clone()).await;
    let mut rows = vec![];
    let row = |what: String, figure| Row {
        engine,
        what,
        figure,
    };

    for (what, figure) in quiz(&server).await {
        rows.push(row(what, figure));
    }
    let (figures, trust) = dashboard(&server, &url).await;
    for (what, figure) in figures {
        rows.push(row(what, figure));
    }
    if national {
        for (what, figure) in national_table(&server, &url, &trust).await {
            rows.push(row(what, figure));
        }
    }

    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
    }
    let _ = (&mut server.serving).await;
    server.db.close().await;
    if let Some((admin, name)) = scratch {
        run_sql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
    rows
}

async fn run_sql(url: &str, sql: &str) {
    let db = Db::connect(url).await.expect("connect");
    carecert::with_db!(&db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
    db.close().await;
}

/// After a bulk load PostgreSQL has neither statistics nor a visibility map yet (so plans
/// are guesses and index-only scans visit the table). Autovacuum soon makes both; doing it
/// now measures the queries as a live database would run them.
async fn analyze(url: &str) {
    if url.starts_with("postgres") {
        run_sql(url, "VACUUM ANALYZE").await;
    }
}

// ---- Set-up ----

/// A session cookie for `user` (and a CSRF cookie to match `csrf`), as after signing in.
async fn cookie_for(db: &Db, user: UserId, two_step_done: bool, csrf: &str) -> String {
    let token = identity_store::create_session(db, user, two_step_done, time::Duration::hours(12))
        .await
        .expect("session");
    format!("carecert_session={token}; carecert_csrf={csrf}")
}

/// Someone with a privileged `role` in `org`, two-step verification on and verified.
async fn privileged(server: &Server, org: OrgId, role: Role, email: &str) -> String {
    let mut tx = server.db.begin().await.expect("begin");
    let (user, _) = identity_store::ensure_user(&mut tx, email, "Benchmark Person")
        .await
        .expect("user");
    staff_store::add(
        &mut tx,
        &NewMembership {
            organisation_id: org,
            user_id: user,
            role,
            staff_group: "it",
            department: None,
        },
    )
    .await
    .expect("membership");
    identity_store::enable_totp(&mut tx, user, &[])
        .await
        .expect("two-step");
    tx.commit().await.expect("commit");
    cookie_for(&server.db, user, true, &tokens::generate()).await
}

/// One organisation of the benchmark's own, with `staff` generated people.
async fn bench_org(server: &Server, name: &str, code: usize, staff: usize, years: u32) -> OrgId {
    let plan = OrgPlan {
        name: format!("{name} (generated)"),
        ods_code: ods_code(OrgType::NhsTrust, code).expect("code"),
        org_type: OrgType::NhsTrust,
        parent: None,
        staff,
        coverage: 0.85,
        target: 95,
    };
    let done = generate::write(&server.db, &[plan], years, code as u64, &mut |_| {})
        .await
        .expect("generate");
    done.org_ids[0]
}

async fn mandatory(db: &Db) -> (String, Uuid, Arc<Course>) {
    let slug = courses::mandatory_slug(db)
        .await
        .expect("query")
        .expect("a mandatory course");
    let version = courses::current_by_slug(db, &slug)
        .await
        .expect("query")
        .expect("current version");
    let content = courses::content(db, version.id)
        .await
        .expect("query")
        .expect("content");
    (slug, version.id, content)
}

/// A signed-in learner with an open attempt.
struct Learner {
    cookie: String,
    csrf: String,
    attempt: String,
    /// Each drawn question with the options shown and the right ones.
    questions: Vec<(String, Vec<String>, Vec<String>)>,
}

async fn learners(server: &Server) -> (String, Vec<Learner>) {
    let org = bench_org(
        server,
        "Benchmark Learners NHS Trust",
        1_295,
        LEARNERS + 200,
        0,
    )
    .await;
    let (members, _) = staff_store::list(
        &server.db,
        org,
        &MemberSearch {
            text: "",
            limit: (LEARNERS + 200) as i64,
            offset: 0,
        },
    )
    .await
    .expect("members");
    let users: Vec<UserId> = members
        .iter()
        .filter(|m| m.active)
        .map(|m| m.user_id)
        .take(LEARNERS)
        .collect();
    assert_eq!(users.len(), LEARNERS, "enough active members");
    let (slug, version, course) = mandatory(&server.db).await;
    let per_task = users.len().div_ceil(16);
    let tasks: Vec<_> = users
        .chunks(per_task)
        .enumerate()
        .map(|(i, chunk)| {
            let (db, slug, course, chunk) = (
                server.db.clone(),
                slug.clone(),
                course.clone(),
                chunk.to_vec(),
            );
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let mut out = vec![];
                for user in chunk {
                    let csrf = tokens::generate();
                    let cookie = cookie_for(&db, user, false, &csrf).await;
                    let enrolment = learning::start(&db, user, &slug, version)
                        .await
                        .expect("enrol");
                    let drawn = draw::draw_assessment(&course, &HashSet::new(), &mut rng);
                    let attempt = attempts::start(
                        &db,
                        &NewAttempt {
                            enrolment: enrolment.id,
                            user,
                            organisation: Some(org),
                            version,
                            drawn: &drawn,
                        },
                    )
                    .await
                    .expect("attempt");
                    let questions = drawn
                        .iter()
                        .map(|d| {
                            let q = course.question(&d.question).expect("drawn question");
                            let right = q.correct_ids().map(str::to_owned).collect();
                            (d.question.clone(), d.options.clone(), right)
                        })
                        .collect();
                    out.push(Learner {
                        cookie,
                        csrf,
                        attempt: attempt.to_string(),
                        questions,
                    });
                }
                out
            })
        })
        .collect();
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await.expect("set-up task"));
    }
    (slug, all)
}

// ---- Measuring ----

struct Latencies {
    all: Vec<Duration>,
    errors: u64,
    elapsed: Duration,
}

impl Latencies {
    fn figure(mut self) -> Figure {
        self.all.sort();
        let pct = |p: f64| {
            self.all
                .get(((self.all.len() as f64 * p) as usize).min(self.all.len().saturating_sub(1)))
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0)
        };
        Figure::Load {
            rps: self.all.len() as f64 / self.elapsed.as_secs_f64(),
            p50_ms: pct(0.5),
            p99_ms: pct(0.99),
            errors: self.errors,
        }
    }
}

/// Runs `clients` workers; worker `i` calls `request(i, n)` for its `n`th request until it
/// returns `None` (no more work) or `stop` is set. Counts answers that are not `expect`.
async fn drive<F, Fut>(
    clients: usize,
    run_for: Option<Duration>,
    expect: reqwest::StatusCode,
    request: F,
) -> Latencies
where
    F: Fn(usize, usize) -> Option<Fut> + Send + Sync + 'static,
    Fut: Future<Output = reqwest::Result<reqwest::Response>> + Send,
{
    let request = Arc::new(request);
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let (request, stop, errors) = (request.clone(), stop.clone(), errors.clone());
            tokio::spawn(async move {
                let mut latencies = vec![];
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let Some(sent) = request(i, n) else { break };
                    n += 1;
                    let t = Instant::now();
                    match sent.await {
                        Ok(r) => {
                            let status = r.status();
                            let body = r.text().await.unwrap_or_default();
                            if status != expect {
                                if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                                    eprintln!(
                                        "unexpected answer {status}: {}",
                                        body.chars().take(300).collect::<String>()
                                    );
                                }
                                continue;
                            }
                        }
                        Err(e) => {
                            if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("request failed: {e}");
                            }
                            continue;
                        }
                    }
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    if let Some(d) = run_for {
        tokio::time::sleep(d).await;
        stop.store(true, Ordering::Relaxed);
    }
    let mut all = vec![];
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    Latencies {
        all,
        errors: errors.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    }
}

async fn quiz(server: &Server) -> Vec<(String, Figure)> {
    let started = Instant::now();
    let (slug, learners) = learners(server).await;
    println!(
        "{} learners with open attempts set up in {:.1} s",
        learners.len(),
        started.elapsed().as_secs_f64()
    );
    let learners = Arc::new(learners);
    let mut out = vec![];
    for clients in CONCURRENCY {
        let (http, learners) = (server.http.clone(), learners.clone());
        let url = format!("{}/training/{slug}/assessment/answer", server.base);
        // Worker i answers for learners i, i + clients, …, in turn: one person is never
        // answering in two places at once, as in life.
        let result = drive(
            clients,
            Some(LOAD_FOR),
            reqwest::StatusCode::OK,
            move |i, n| {
                let per_worker = learners.len().div_ceil(clients);
                let l = &learners[(i + (n % per_worker) * clients) % learners.len()];
                let (question, options, _) = &l.questions[n % l.questions.len()];
                let option = &options[(n / l.questions.len()) % options.len()];
                let field = format!("q.{question}");
                let form = [
                    ("csrf_token", l.csrf.as_str()),
                    ("attempt", l.attempt.as_str()),
                    (field.as_str(), option.as_str()),
                ];
                Some(
                    http.post(&url)
                        .header("cookie", &l.cookie)
                        .form(&form)
                        .send(),
                )
            },
        )
        .await;
        out.push((
            format!("assessment answer saves, {clients} clients"),
            result.figure(),
        ));
    }
    let (http, all) = (server.http.clone(), learners.clone());
    let url = format!("{}/training/{slug}/assessment/submit", server.base);
    let result = drive(
        SUBMIT_CONCURRENCY,
        None,
        reqwest::StatusCode::SEE_OTHER,
        move |i, n| {
            let l = all.get(i + n * SUBMIT_CONCURRENCY)?;
            let mut form = vec![
                ("csrf_token".to_owned(), l.csrf.clone()),
                ("attempt".to_owned(), l.attempt.clone()),
            ];
            for (question, _, right) in &l.questions {
                for r in right {
                    form.push((format!("q.{question}"), r.clone()));
                }
            }
            Some(
                http.post(&url)
                    .header("cookie", &l.cookie)
                    .form(&form)
                    .send(),
            )
        },
    )
    .await;
    out.push((
        format!(
            "assessment submissions, {SUBMIT_CONCURRENCY} clients ({} learners)",
            learners.len()
        ),
        result.figure(),
    ));
    out
}

/// Times GET `path` with `cookie`: a first run (whatever the server keeps is not yet
/// kept, such as the national trend), then [`PAGE_RUNS`] more.
async fn time_page(server: &Server, path: &str, cookie: &str) -> Figure {
    let url = format!("{}{path}", server.base);
    let mut times = vec![];
    let mut bytes = 0;
    for _ in 0..=PAGE_RUNS {
        let t = Instant::now();
        let r = server
            .http
            .get(&url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("request");
        let status = r.status();
        let body = r.bytes().await.expect("body");
        assert!(status.is_success(), "{path} answered {status}");
        times.push(t.elapsed().as_secs_f64());
        bytes = body.len();
    }
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    Figure::Time {
        first,
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        bytes,
    }
}

/// The trust whose dashboard is measured, and its security lead's cookie.
struct Trust {
    org: OrgId,
    lead: String,
}

/// The dashboard and its CSV for the trust, labelled with `label`.
async fn dashboard_pages(server: &Server, trust: &Trust, label: &str) -> Vec<(String, Figure)> {
    let org = trust.org;
    vec![
        (
            format!("dashboard, {label}"),
            time_page(
                server,
                &format!("/organisations/{org}/training"),
                &trust.lead,
            )
            .await,
        ),
        (
            format!("dashboard CSV export, {label}"),
            time_page(
                server,
                &format!("/organisations/{org}/training.csv"),
                &trust.lead,
            )
            .await,
        ),
    ]
}

async fn dashboard(server: &Server, url: &str) -> (Vec<(String, Figure)>, Trust) {
    let started = Instant::now();
    let org = bench_org(
        server,
        "Benchmark Hospitals NHS Foundation Trust",
        1_294,
        DASHBOARD_STAFF,
        YEARS,
    )
    .await;
    analyze(url).await;
    println!(
        "trust of {DASHBOARD_STAFF} staff with {YEARS} years of records generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let lead = privileged(server, org, Role::SecurityLead, "lead@bench.invalid").await;
    let trust = Trust { org, lead };
    let figures = dashboard_pages(server, &trust, &format!("{DASHBOARD_STAFF} staff")).await;
    (figures, trust)
}

/// The national table; then the trust's dashboard again, now that the database holds the
/// whole country (its queries must still touch only the trust's rows).
async fn national_table(server: &Server, url: &str, trust: &Trust) -> Vec<(String, Figure)> {
    let started = Instant::now();
    let mut next_report = 0;
    let options = generate::Options {
        organisations: NATIONAL_ORGS,
        staff: NATIONAL_STAFF,
        years: YEARS,
        seed: 1,
        force: true,
    };
    let done = generate::run(&server.db, &options, &mut |p| {
        if p.staff_written >= next_report {
            println!(
                "  generating: {} of {} staff, {} completions, {:.0} s",
                p.staff_written,
                p.staff_total,
                p.completions,
                p.elapsed.as_secs_f64()
            );
            next_report += p.staff_total / 10;
        }
    })
    .await
    .expect("generate");
    analyze(url).await;
    println!(
        "{NATIONAL_ORGS} organisations, {} staff, {} completions generated in {:.0} s",
        done.totals.staff_written,
        done.totals.completions,
        started.elapsed().as_secs_f64()
    );
    let admin = demo::create_national_admin(
        &server.db,
        &server.config,
        &server.secrets,
        "national@bench.invalid",
        "Benchmark Admin",
    )
    .await
    .expect("national administrator");
    drop(admin);
    let user = identity_store::user_by_email(&server.db, "national@bench.invalid")
        .await
        .expect("query")
        .expect("the administrator");
    let mut tx = server.db.begin().await.expect("begin");
    identity_store::enable_totp(&mut tx, user.id, &[])
        .await
        .expect("two-step");
    tx.commit().await.expect("commit");
    let cookie = cookie_for(&server.db, user.id, true, &tokens::generate()).await;
    let scale = format!(
        "{}k organisations, {:.1}m staff",
        NATIONAL_ORGS / 1_000,
        NATIONAL_STAFF as f64 / 1e6
    );
    let mut figures = vec![
        (
            format!("national table, first page ({scale})"),
            time_page(server, "/national/training", &cookie).await,
        ),
        (
            format!("national table, sorted by coverage ({scale})"),
            time_page(server, "/national/training?sort=percent&dir=asc", &cookie).await,
        ),
    ];
    let label = format!(
        "{DASHBOARD_STAFF} staff, among {:.1}m",
        NATIONAL_STAFF as f64 / 1e6
    );
    figures.extend(dashboard_pages(server, trust, &label).await);
    figures
}
