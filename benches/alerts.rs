//! Alerts benchmark (`cargo bench --bench alerts`, or `scripts/bench alerts`).
//!
//! Starts the real server in-process on a fresh database — SQLite, then PostgreSQL too when
//! `CARECERT_BENCH_POSTGRES_URL` is set (in a scratch database of its own, dropped at the
//! end) — fills it with a country's worth of organisations, and measures:
//! - publishing one critical advisory that must be acknowledged to 10,000 organisations, as
//!   a national analyst does it: `POST /alerts/manage/{id}/publish`, signed in with a
//!   password and two-step verification. In one transaction publication matches 2 million
//!   inventory items, creates 10,000 responses and queues 30,000 emails. Each of its steps
//!   is then run again on its own, in a transaction that is rolled back, to show where the
//!   time goes;
//! - once 30% of organisations have responded: the analyst's dashboard for the advisory,
//!   the national list of advisories and the CSV export of every response (a first view,
//!   then the median of several).
//!
//! The data is made before measuring, and how long that took is printed. Organisations of
//! every type are planned and written as `carecert generate` does it, trusts and GP
//! practices under integrated care boards; each has three security leads, written in bulk,
//! and an inventory of 200 items drawn from about 300 products, written with
//! `store::inventory::replace` as an upload is. One organisation in 20 runs a Log4j 2
//! version the advisory affects; more run patched or 1.x versions, which publication must
//! rule out. Responses are recorded with `responding::record`, as a security lead's form
//! records them, dated over the three days since publication: once published, the
//! advisory's dates are moved three days back, so that some organisations are overdue.
//!
//! The worker polls for jobs hourly here, so no email is sent while anything is measured.
//! Flags (after `--`): `--no-sqlite` to measure PostgreSQL only.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use carecert::{
    alerts::{
        emails::{self, About},
        inventory_files::Format,
        model::{AdvisoryContent, Audience, InventoryItem, Severity, Tlp},
        publishing, responding,
        rules::{content, deadlines, matching, responses::Action},
        store::{advisories, inventory, notices, responses},
    },
    app::App,
    exec_tx,
    identity::{passwords, store as identity_store, two_step},
    knowledge::generate::{self, OrgPlan, plan},
    organisations::{
        domain::OrgType,
        store::{self as org_store, NewOrganisation},
    },
    platform::{
        authz::{Membership, Principal, Role},
        config::{Config, Hidden, LogFormat},
        db::{Db, Tx, new_id, now},
        email,
        ids::{OrgId, UserId},
        jobs, secrets,
    },
    staff::store::{self as staff_store, NewMembership},
    with_db,
};
use rand::{
    Rng, SeedableRng,
    rngs::StdRng,
    seq::{SliceRandom, index},
};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use uuid::Uuid;

const ORGANISATIONS: usize = 10_000;
const LEADS_PER_ORG: usize = 3;
const ITEMS_PER_ORG: usize = 200;
/// One organisation in this many runs a Log4j version the advisory affects.
const AFFECTED_ONE_IN: usize = 20;
/// The share of organisations that have responded when the pages are measured.
const RESPONDING_PERCENT: usize = 30;
/// Runs of each page after the first.
const PAGE_RUNS: usize = 5;
/// Inventories written per transaction.
const INVENTORIES_PER_TX: usize = 50;
/// Security leads written per transaction.
const LEADS_PER_TX: usize = 3_000;
const SEED: u64 = 20_211_210;
/// How long before the pages are measured the advisory counts as published.
const DAYS_SINCE_PUBLICATION: i64 = 3;
const ACK_HOURS: u32 = 48;
const ANALYST_PASSWORD: &str = "benchmark analyst passphrase";

fn main() {
    let no_sqlite = std::env::args().any(|a| a == "--no-sqlite");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(no_sqlite));
}

/// One line of the results.
enum Figure {
    /// Making the data: not a measurement, shown so that slow set-up is seen.
    SetUp { seconds: f64, detail: String },
    /// Publication, or one of its steps.
    Step { seconds: f64, detail: String },
    /// Seconds for one request: the first, then the median, fastest and slowest of the runs
    /// after it.
    Page {
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

async fn run(no_sqlite: bool) {
    let postgres = std::env::var("CARECERT_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let mut rows = vec![];
    if !(no_sqlite && postgres.is_some()) {
        rows.extend(on_engine(None).await);
    }
    if let Some(admin) = postgres {
        rows.extend(on_engine(Some(admin)).await);
    }
    print_rows(&rows);
}

fn print_rows(rows: &[Row]) {
    let steps = |heading: &str, set_up: bool| {
        println!();
        println!("{:<11} {:<52} {:>9}  detail", "engine", heading, "seconds");
        for r in rows {
            let (seconds, detail) = match &r.figure {
                Figure::SetUp { seconds, detail } if set_up => (seconds, detail),
                Figure::Step { seconds, detail } if !set_up => (seconds, detail),
                _ => continue,
            };
            println!(
                "{:<11} {:<52} {:>9.2}  {}",
                r.engine, r.what, seconds, detail
            );
        }
    };
    steps("set-up (not measured)", true);
    steps("publication", false);
    println!();
    println!(
        "{:<11} {:<52} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "engine", "page", "first s", "median s", "min s", "max s", "KB"
    );
    for r in rows {
        if let Figure::Page {
            first,
            median,
            min,
            max,
            bytes,
        } = r.figure
        {
            println!(
                "{:<11} {:<52} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>7}",
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
    secrets: secrets::SecretBox,
    public_url: String,
    stop: Option<oneshot::Sender<()>>,
    serving: tokio::task::JoinHandle<()>,
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
        // The worker runs its scans once at start, on an empty database, and then sleeps
        // for the rest of the benchmark: the 30,000 queued emails stay queued, and the
        // escalation ladder does not act on the advisory.
        job_poll_ms: 3_600_000,
        // Set-up on SQLite can take a while between signing in and the last page.
        session_idle_minutes: 240,
        session_max_hours: 12,
        alert_ack_hours: ACK_HOURS,
        webhook_allow_private: true,
        secret_key: Some(Hidden(secrets::new_key())),
        secret_key_file: None,
        metrics_token: None,
    };
    let app = App::with_listener(config, listener).await.expect("app");
    let db = app.state().db.clone();
    let public_url = app.state().config.public_url.clone();
    let secrets = app.state().secrets.clone();
    let (stop, stopped) = oneshot::channel();
    let serving = tokio::spawn(async move {
        app.run(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    Server {
        base,
        db,
        secrets,
        public_url,
        stop: Some(stop),
        serving,
        _dir: dir,
    }
}

/// Every measurement on one engine: SQLite when `postgres_admin` is `None`.
async fn on_engine(postgres_admin: Option<String>) -> Vec<Row> {
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
    let mut figures = vec![];

    let analysts = analysts(&server.db).await;
    let (country, made) = populate(&server.db).await;
    figures.extend(made);
    analyze(&url).await;
    let (advisory, advisory_content) = draft(&server.db, analysts.author).await;
    let analyst = sign_in(&server.base, &analysts).await;
    let (preview, page) = time_page(
        &analyst,
        &server.base,
        &format!("/alerts/manage/{advisory}"),
    )
    .await;
    figures.push((
        "advisory page before publication (matches inventories)".to_owned(),
        preview,
    ));
    figures.push(publish(&server, &analyst, advisory, &country, &page).await);
    figures.extend(publication_steps(&server, &advisory_content, &country, analysts.author).await);
    figures.push(respond(&server.db, &server.secrets, &country, advisory).await);
    analyze(&url).await;
    for (what, path) in [
        (
            "advisory dashboard",
            format!("/alerts/manage/{advisory}/dashboard"),
        ),
        ("national list of advisories", "/alerts/manage".to_owned()),
        (
            "CSV export of every response",
            format!("/alerts/manage/{advisory}/responses.csv"),
        ),
    ] {
        let (figure, _) = time_page(&analyst, &server.base, &path).await;
        figures.push((
            format!("{what} ({}k organisations)", ORGANISATIONS / 1_000),
            figure,
        ));
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
    figures
        .into_iter()
        .map(|(what, figure)| Row {
            engine,
            what,
            figure,
        })
        .collect()
}

async fn run_sql(url: &str, sql: &str) {
    let db = Db::connect(url).await.expect("connect");
    with_db!(&db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
    db.close().await;
}

/// After a bulk load PostgreSQL has neither statistics nor a visibility map yet; autovacuum
/// soon makes both, and doing it now measures the queries as a live database runs them.
/// SQLite is left as the service leaves it.
async fn analyze(url: &str) {
    if url.starts_with("postgres") {
        run_sql(url, "VACUUM ANALYZE").await;
    }
}

fn seconds_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

// ---- The national team ----

/// Two national analysts: one writes and submits the advisory, the other publishes it.
struct Analysts {
    author: UserId,
    publisher_email: &'static str,
    totp_secret: String,
}

async fn analysts(db: &Db) -> Analysts {
    let hash = passwords::hash(ANALYST_PASSWORD.to_owned())
        .await
        .expect("hash");
    let existing = org_store::national_team(db).await.expect("query");
    let mut tx = db.begin().await.expect("begin");
    let team = match existing {
        Some(t) => t.id,
        None => org_store::create(
            &mut tx,
            &NewOrganisation {
                name: "CareCERT national team",
                ods_code: &"CARECERT".parse().expect("an ODS code"),
                org_type: OrgType::NationalTeam,
                parent_id: None,
            },
        )
        .await
        .expect("national team"),
    };
    let mut people = vec![];
    for (email, name) in [
        ("author@bench.invalid", "Ada Author"),
        ("publisher@bench.invalid", "Pat Publisher"),
    ] {
        let (user, _) = identity_store::ensure_user(&mut tx, email, name)
            .await
            .expect("user");
        identity_store::set_password(&mut tx, user, &hash)
            .await
            .expect("password");
        staff_store::add(
            &mut tx,
            &NewMembership {
                organisation_id: team,
                user_id: user,
                role: Role::NationalAnalyst,
                staff_group: "it",
                department: None,
            },
        )
        .await
        .expect("membership");
        people.push(user);
    }
    tx.commit().await.expect("commit");
    let totp_secret = two_step::new_secret();
    for user in &people {
        identity_store::set_pending_totp_secret(db, *user, &totp_secret)
            .await
            .expect("secret");
        let mut tx = db.begin().await.expect("begin");
        identity_store::enable_totp(&mut tx, *user, &[])
            .await
            .expect("two-step");
        tx.commit().await.expect("commit");
    }
    Analysts {
        author: people[0],
        publisher_email: "publisher@bench.invalid",
        totp_secret,
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

/// The publishing analyst, signed in through the sign-in pages with a password and a
/// two-step code, as a browser keeping cookies.
async fn sign_in(base: &str, analysts: &Analysts) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3_600))
        .build()
        .expect("client");
    let token = csrf(&client, base, "/sign-in").await;
    let r = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", analysts.publisher_email),
            ("password", ANALYST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_redirection(), "password accepted");
    let token = csrf(&client, base, "/sign-in/two-step").await;
    let code =
        two_step::current_code(&analysts.totp_secret, now().unix_timestamp() as u64).expect("code");
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
    assert!(r.status().is_redirection(), "two-step code accepted");
    client
}

// ---- The country ----

struct Lead {
    id: UserId,
    name: String,
    email: String,
}

/// One generated organisation.
struct Org {
    id: OrgId,
    name: String,
    leads: Vec<Lead>,
    /// Runs a Log4j version the advisory affects.
    affected: bool,
}

struct Country {
    orgs: Vec<Org>,
    affected: usize,
}

/// Organisations, their security leads and their inventories, with a line per stage.
async fn populate(db: &Db) -> (Country, Vec<(String, Figure)>) {
    let mut figures = vec![];
    let t = Instant::now();
    let planned = organisations(db).await;
    let under_board = planned.iter().filter(|(_, p)| p.parent.is_some()).count();
    let mix: Vec<String> = plan::type_counts(ORGANISATIONS)
        .into_iter()
        .map(|(kind, n)| format!("{n} {}", kind.label()))
        .collect();
    figures.push((
        format!("{ORGANISATIONS} organisations"),
        Figure::SetUp {
            seconds: seconds_since(t),
            detail: format!(
                "{}; {under_board} under an integrated care board",
                mix.join(", ")
            ),
        },
    ));
    println!("{ORGANISATIONS} organisations written");

    let t = Instant::now();
    let leads = leads(db, &planned).await;
    figures.push((
        format!("{} security leads", ORGANISATIONS * LEADS_PER_ORG),
        Figure::SetUp {
            seconds: seconds_since(t),
            detail: format!("{LEADS_PER_ORG} per organisation, multi-row INSERTs"),
        },
    ));
    println!("{} security leads written", ORGANISATIONS * LEADS_PER_ORG);

    let mut rng = StdRng::seed_from_u64(SEED);
    let affected: HashSet<usize> =
        index::sample(&mut rng, planned.len(), planned.len() / AFFECTED_ONE_IN)
            .into_iter()
            .collect();
    let orgs: Vec<Org> = planned
        .into_iter()
        .zip(leads)
        .enumerate()
        .map(|(i, ((id, p), leads))| Org {
            id,
            name: p.name,
            leads,
            affected: affected.contains(&i),
        })
        .collect();
    let country = Country {
        affected: affected.len(),
        orgs,
    };

    let t = Instant::now();
    let (items, products) = inventories(db, &country).await;
    figures.push((
        format!("{items} inventory items"),
        Figure::SetUp {
            seconds: seconds_since(t),
            detail: format!(
                "{ITEMS_PER_ORG} per organisation through store::inventory::replace; \
                 {products} distinct products; {} organisations run an affected Log4j",
                country.affected
            ),
        },
    ));
    (country, figures)
}

/// Organisations of every type, planned and written by the generator (with no staff).
async fn organisations(db: &Db) -> Vec<(OrgId, OrgPlan)> {
    let taken: HashSet<String> = with_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT ods_code FROM organisations"
    )
    .fetch_all(pool)
    .await)
    .expect("codes")
    .into_iter()
    .collect();
    let mut rng = StdRng::seed_from_u64(SEED);
    let plans = plan::organisations(ORGANISATIONS, 0, &taken, &mut rng).expect("plan");
    let done = generate::write(db, &plans, 0, SEED, &mut |_| {})
        .await
        .expect("organisations");
    done.org_ids.into_iter().zip(plans).collect()
}

const FIRST_NAMES: [&str; 16] = [
    "Amira", "Ben", "Chloe", "Dev", "Ellen", "Farid", "Grace", "Hugh", "Isla", "Jamal", "Kate",
    "Liam", "Maya", "Noah", "Olu", "Priya",
];
const LAST_NAMES: [&str; 16] = [
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
    "Khan", "Lewis", "Morgan", "Nolan", "Owen", "Patel",
];

/// Three security leads for each organisation, without passwords: nobody signs in as them.
async fn leads(db: &Db, orgs: &[(OrgId, OrgPlan)]) -> Vec<Vec<Lead>> {
    let mut n = 0;
    let all: Vec<Vec<Lead>> = orgs
        .iter()
        .map(|(_, plan)| {
            (0..LEADS_PER_ORG)
                .map(|k| {
                    let (first, last) = (FIRST_NAMES[n % 16], LAST_NAMES[(n / 16) % 16]);
                    n += 1;
                    Lead {
                        id: UserId::fresh(),
                        name: format!("{first} {last}"),
                        email: format!("{first}.{last}.{k}@{}.generated.invalid", plan.ods_code)
                            .to_lowercase(),
                    }
                })
                .collect()
        })
        .collect();
    let at = now();
    let people: Vec<(OrgId, &Lead)> = orgs
        .iter()
        .zip(&all)
        .flat_map(|((org, _), leads)| leads.iter().map(move |l| (*org, l)))
        .collect();
    for part in people.chunks(LEADS_PER_TX) {
        let mut tx = db.begin().await.expect("begin");
        insert_leads(&mut tx, part, at).await.expect("leads");
        tx.commit().await.expect("commit");
    }
    all
}

async fn insert_leads(
    tx: &mut Tx,
    people: &[(OrgId, &Lead)],
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    for chunk in people.chunks(1_000) {
        exec_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO users (id, email, name, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, (_, l)| {
                b.push_bind(l.id)
                    .push_bind(&l.email)
                    .push_bind(&l.name)
                    .push_bind(at)
                    .push_bind(at);
            });
            q.build().execute(c).await
        })?;
        exec_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO memberships (id, organisation_id, user_id, role, staff_group, \
                 department, active, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, (org, l)| {
                b.push_bind(new_id())
                    .push_bind(*org)
                    .push_bind(l.id)
                    .push_bind(Role::SecurityLead.as_str())
                    .push_bind("it")
                    .push_bind(None::<String>)
                    .push_bind(true)
                    .push_bind(at)
                    .push_bind(at);
            });
            q.build().execute(c).await
        })?;
    }
    Ok(())
}

// ---- Inventories ----

/// A product found in inventories.
struct Product {
    vendor: String,
    product: String,
    versions: Vec<String>,
    /// A package URL without version, for libraries found by composition analysis.
    purl: Option<String>,
    /// Whether inventory tools sometimes give it a CPE name.
    cpe: bool,
    /// How likely an organisation is to run it, relative to the others.
    weight: f64,
}

/// Software found across a health service's estate: vendor, product, versions.
const SOFTWARE: &[(&str, &str, &[&str])] = &[
    (
        "Microsoft",
        "Windows 10 Enterprise",
        &["22H2", "21H2", "1809"],
    ),
    ("Microsoft", "Windows 11 Enterprise", &["23H2", "22H2"]),
    ("Microsoft", "Windows Server", &["2016", "2019", "2022"]),
    ("Microsoft", "Microsoft 365 Apps", &["2402", "2308"]),
    ("Microsoft", "Edge", &["122.0.2365.92", "121.0.2277.128"]),
    ("Google", "Chrome", &["122.0.6261.129", "121.0.6167.185"]),
    (
        "Adobe",
        "Acrobat Reader DC",
        &["23.008.20533", "24.001.20604"],
    ),
    (
        "Microsoft",
        "Teams",
        &["24033.811.2738.2546", "1.6.00.4472"],
    ),
    ("Microsoft", ".NET Framework", &["4.8", "4.8.1"]),
    (
        "Microsoft",
        "Visual C++ Redistributable",
        &["14.38.33130", "14.29.30139"],
    ),
    (
        "Microsoft",
        "Defender for Endpoint",
        &["10.8760", "10.8560"],
    ),
    ("Mozilla", "Firefox ESR", &["115.8.0", "115.9.1"]),
    (
        "Oracle",
        "Java SE Runtime Environment",
        &["8u401", "8u381", "17.0.10"],
    ),
    ("Citrix", "Workspace app", &["2402", "2311"]),
    ("Cisco", "Secure Client", &["5.1.2.42", "4.10.08025"]),
    ("Zoom", "Zoom Workplace", &["5.17.11", "6.0.2"]),
    ("Igor Pavlov", "7-Zip", &["23.01", "19.00"]),
    ("Notepad++", "Notepad++", &["8.6.4", "8.5.8"]),
    ("VideoLAN", "VLC media player", &["3.0.20", "3.0.18"]),
    (
        "Microsoft",
        "SQL Server",
        &["2016 SP3", "2019 CU25", "2022 CU12"],
    ),
    ("Microsoft", "Exchange Server", &["2016 CU23", "2019 CU14"]),
    ("Microsoft", "SharePoint Server", &["2016", "2019"]),
    ("Microsoft", "Internet Information Services", &["10.0"]),
    ("VMware", "ESXi", &["7.0 U3", "8.0 U2"]),
    ("VMware", "vCenter Server", &["7.0.3", "8.0.2"]),
    ("VMware", "Horizon Client", &["2312", "2309"]),
    ("Citrix", "NetScaler ADC", &["13.1-51.15", "14.1-12.35"]),
    ("Fortinet", "FortiOS", &["7.2.7", "7.4.3"]),
    ("Fortinet", "FortiClient", &["7.2.3", "7.0.12"]),
    ("Cisco", "IOS XE", &["17.9.4a", "17.6.5"]),
    ("Palo Alto Networks", "PAN-OS", &["10.2.9", "11.1.2"]),
    ("Ivanti", "Connect Secure", &["22.6R2", "22.7R1"]),
    ("SolarWinds", "Orion Platform", &["2023.4", "2020.2.6"]),
    ("Veeam", "Backup & Replication", &["12.1", "11a"]),
    ("Sophos", "Endpoint Protection", &["2023.2", "2024.1"]),
    ("CrowdStrike", "Falcon Sensor", &["7.11", "7.10"]),
    ("Simon Tatham", "PuTTY", &["0.80", "0.78"]),
    ("WinSCP", "WinSCP", &["6.3.1", "5.21.8"]),
    ("Apache", "HTTP Server", &["2.4.58", "2.4.54"]),
    ("Apache", "Tomcat", &["9.0.86", "10.1.19", "8.5.99"]),
    ("F5", "NGINX", &["1.24.0", "1.25.4"]),
    ("OpenSSL", "OpenSSL", &["3.0.13", "1.1.1w", "3.2.1"]),
    ("OpenBSD", "OpenSSH", &["9.6p1", "8.9p1"]),
    ("PostgreSQL", "PostgreSQL", &["15.6", "14.11", "16.2"]),
    ("Oracle", "MySQL Server", &["8.0.36", "5.7.44"]),
    ("Oracle", "Database Server", &["19c", "21c"]),
    (
        "Python Software Foundation",
        "Python",
        &["3.11.8", "3.12.2", "3.8.10"],
    ),
    ("OpenJS Foundation", "Node.js", &["20.11.1", "18.19.1"]),
    ("Git", "Git for Windows", &["2.44.0", "2.39.2"]),
    ("TeamViewer", "TeamViewer", &["15.51.5", "15.40.8"]),
    ("Dell", "Command Update", &["5.2.0", "4.9.0"]),
    ("HP", "Support Assistant", &["9.27.41.0"]),
    ("Lenovo", "Vantage", &["10.2402.29.0"]),
    ("Canon", "imageRUNNER Driver", &["3.30", "3.20"]),
    ("Ricoh", "PCL6 Driver", &["4.36"]),
    ("Atlassian", "Confluence Data Center", &["8.5.6", "7.19.19"]),
    ("Atlassian", "Jira Software", &["9.12.4"]),
    ("Jenkins", "Jenkins", &["2.440.1", "2.426.3"]),
    ("GitLab", "GitLab Community Edition", &["16.9.2"]),
    ("Progress", "MOVEit Transfer", &["2023.1.4", "2023.0.7"]),
    ("ManageEngine", "ServiceDesk Plus", &["14.6", "14.3"]),
    ("Wireshark", "Wireshark", &["4.2.3"]),
    ("KeePass", "KeePass Password Safe", &["2.56"]),
    ("Cisco", "Webex", &["43.12"]),
    ("Docker", "Docker Desktop", &["4.28.0"]),
    ("Red Hat", "Enterprise Linux", &["8.9", "9.3"]),
    ("Canonical", "Ubuntu Server", &["22.04", "20.04"]),
    ("Juniper Networks", "Junos OS", &["22.4R3"]),
    ("Check Point", "Quantum Security Gateway", &["R81.20"]),
    ("Trellix", "Endpoint Security", &["10.7.0"]),
    ("Oracle", "VirtualBox", &["7.0.14"]),
    ("Microsoft", "Office Professional Plus", &["2016", "2019"]),
];

/// Libraries found by software composition analysis: package URL, versions.
const LIBRARIES: &[(&str, &[&str])] = &[
    (
        "pkg:maven/org.springframework/spring-core",
        &["5.3.31", "6.1.4"],
    ),
    (
        "pkg:maven/org.springframework/spring-web",
        &["5.3.31", "6.1.4"],
    ),
    (
        "pkg:maven/org.springframework/spring-webmvc",
        &["5.3.31", "6.1.4"],
    ),
    (
        "pkg:maven/org.springframework.boot/spring-boot",
        &["2.7.18", "3.2.3"],
    ),
    (
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind",
        &["2.15.3", "2.16.1"],
    ),
    (
        "pkg:maven/com.fasterxml.jackson.core/jackson-core",
        &["2.15.3", "2.16.1"],
    ),
    (
        "pkg:maven/org.apache.commons/commons-text",
        &["1.10.0", "1.9"],
    ),
    (
        "pkg:maven/commons-collections/commons-collections",
        &["3.2.2"],
    ),
    ("pkg:maven/commons-io/commons-io", &["2.15.1", "2.11.0"]),
    (
        "pkg:maven/org.apache.logging.log4j/log4j-api",
        &["2.17.1", "2.20.0"],
    ),
    ("pkg:maven/org.slf4j/slf4j-api", &["1.7.36", "2.0.12"]),
    (
        "pkg:maven/ch.qos.logback/logback-classic",
        &["1.2.13", "1.4.14"],
    ),
    (
        "pkg:maven/org.apache.struts/struts2-core",
        &["6.3.0.2", "2.5.33"],
    ),
    (
        "pkg:maven/org.hibernate.orm/hibernate-core",
        &["6.4.4.Final"],
    ),
    (
        "pkg:maven/com.google.guava/guava",
        &["33.0.0-jre", "31.1-jre"],
    ),
    ("pkg:maven/org.yaml/snakeyaml", &["2.2", "1.33"]),
    (
        "pkg:maven/org.apache.httpcomponents/httpclient",
        &["4.5.14"],
    ),
    ("pkg:maven/io.netty/netty-handler", &["4.1.107.Final"]),
    ("pkg:maven/org.bouncycastle/bcprov-jdk18on", &["1.77"]),
    ("pkg:maven/com.h2database/h2", &["2.2.224"]),
    ("pkg:maven/org.postgresql/postgresql", &["42.7.2"]),
    (
        "pkg:maven/com.microsoft.sqlserver/mssql-jdbc",
        &["12.6.1.jre11"],
    ),
    (
        "pkg:maven/org.apache.tomcat.embed/tomcat-embed-core",
        &["10.1.19", "9.0.86"],
    ),
    ("pkg:maven/com.thoughtworks.xstream/xstream", &["1.4.20"]),
    ("pkg:maven/org.apache.poi/poi", &["5.2.5"]),
    ("pkg:npm/lodash", &["4.17.21", "4.17.15"]),
    ("pkg:npm/express", &["4.18.3", "4.17.1"]),
    ("pkg:npm/axios", &["1.6.7", "0.21.1"]),
    ("pkg:npm/moment", &["2.30.1", "2.29.1"]),
    ("pkg:npm/jquery", &["3.7.1", "3.4.1"]),
    ("pkg:npm/react", &["18.2.0", "17.0.2"]),
    ("pkg:npm/%40angular/core", &["17.2.4", "12.2.16"]),
    ("pkg:npm/minimist", &["1.2.8"]),
    ("pkg:npm/node-fetch", &["2.7.0"]),
    ("pkg:npm/jsonwebtoken", &["9.0.2", "8.5.1"]),
    ("pkg:npm/ws", &["8.16.0"]),
    ("pkg:npm/semver", &["7.6.0"]),
    ("pkg:npm/follow-redirects", &["1.15.6"]),
    ("pkg:npm/tough-cookie", &["4.1.3"]),
    ("pkg:npm/xml2js", &["0.6.2"]),
    ("pkg:npm/qs", &["6.11.2"]),
    ("pkg:npm/body-parser", &["1.20.2"]),
    ("pkg:npm/ua-parser-js", &["1.0.37"]),
    ("pkg:npm/handlebars", &["4.7.8"]),
    ("pkg:npm/bootstrap", &["5.3.3", "3.4.1"]),
    ("pkg:pypi/django", &["4.2.11", "3.2.25"]),
    ("pkg:pypi/flask", &["3.0.2"]),
    ("pkg:pypi/requests", &["2.31.0", "2.25.1"]),
    ("pkg:pypi/urllib3", &["2.2.1", "1.26.18"]),
    ("pkg:pypi/cryptography", &["42.0.5", "3.4.8"]),
    ("pkg:pypi/pyyaml", &["6.0.1"]),
    ("pkg:pypi/jinja2", &["3.1.3"]),
    ("pkg:pypi/numpy", &["1.26.4"]),
    ("pkg:pypi/pandas", &["2.2.1"]),
    ("pkg:pypi/pillow", &["10.2.0", "9.0.1"]),
    ("pkg:pypi/sqlalchemy", &["2.0.28"]),
    ("pkg:pypi/werkzeug", &["3.0.1"]),
    ("pkg:pypi/certifi", &["2024.2.2"]),
    ("pkg:pypi/paramiko", &["3.4.0"]),
    ("pkg:pypi/lxml", &["5.1.0"]),
];

/// Suppliers of clinical and business systems, and the modules each sells: every pairing is
/// a product of its own.
const SUPPLIERS: [&str; 15] = [
    "Medway",
    "Northgate",
    "Ashdown",
    "Carebridge",
    "Fenwick",
    "Harbour",
    "Kestrel",
    "Linden",
    "Meridian",
    "Oakfield",
    "Pennine",
    "Quayside",
    "Redwood",
    "Severn",
    "Thornbury",
];
const MODULES: [&str; 12] = [
    "Patient Administration",
    "Electronic Patient Record",
    "Pathology Results",
    "Radiology Information",
    "Pharmacy Stock",
    "Theatre Scheduling",
    "Maternity Record",
    "Appointment Booking",
    "Rostering",
    "Document Scanning",
    "Clinical Coding",
    "Bed Management",
];

const LOCATIONS: [&str; 8] = [
    "Main site",
    "Data centre",
    "Community sites",
    "Cloud tenancy",
    "Branch surgery",
    "Head office",
    "Remote workers",
    "Clinical engineering",
];

/// About 300 products, the common ones first: the weight of each falls with its place.
fn catalogue() -> Vec<Product> {
    let mut all: Vec<Product> = SOFTWARE
        .iter()
        .map(|(vendor, product, versions)| Product {
            vendor: (*vendor).to_owned(),
            product: (*product).to_owned(),
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
            purl: None,
            cpe: true,
            weight: 0.0,
        })
        .collect();
    all.extend(LIBRARIES.iter().map(|(purl, versions)| {
        let path = purl.split_once('/').map_or("", |(_, p)| p);
        let (vendor, name) = path.rsplit_once('/').unwrap_or((path, path));
        Product {
            vendor: vendor.replace("%40", "@"),
            product: name.to_owned(),
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
            purl: Some((*purl).to_owned()),
            cpe: false,
            weight: 0.0,
        }
    }));
    for (s, supplier) in SUPPLIERS.iter().enumerate() {
        for (m, module) in MODULES.iter().enumerate() {
            all.push(Product {
                vendor: format!("{supplier} Health Systems"),
                product: format!("{supplier} {module}"),
                versions: (0..3)
                    .map(|k| format!("{}.{}.{}", 2 + (s + k) % 7, (m * 3 + k) % 10, k * 4))
                    .collect(),
                purl: None,
                cpe: false,
                weight: 0.0,
            });
        }
    }
    for (i, p) in all.iter_mut().enumerate() {
        p.weight = 1.0 / (1.0 + i as f64).powf(0.7);
    }
    all
}

/// A CPE name component: lower case, with anything CPE would need escaped replaced.
fn cpe_part(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn installed(p: &Product, rng: &mut StdRng) -> InventoryItem {
    let version = p.versions[rng.gen_range(0..p.versions.len())].clone();
    let cpe = (p.cpe && rng.gen_bool(0.3)).then(|| {
        format!(
            "cpe:2.3:a:{}:{}:{}:*:*:*:*:*:*:*",
            cpe_part(&p.vendor),
            cpe_part(&p.product),
            cpe_part(&version)
        )
    });
    InventoryItem {
        vendor: p.vendor.clone(),
        product: p.product.clone(),
        purl: p.purl.as_ref().map(|base| format!("{base}@{version}")),
        version,
        count: (2.0_f64.powf(rng.gen_range(0.0..11.0))) as i64,
        location: LOCATIONS[rng.gen_range(0..LOCATIONS.len())].to_owned(),
        cpe,
    }
}

const LOG4J_PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core";

/// A Log4j 2 item: found by composition analysis (with a package URL) or listed by name.
fn log4j(version: &str, rng: &mut StdRng) -> InventoryItem {
    let by_purl = rng.gen_bool(0.6);
    InventoryItem {
        vendor: if by_purl {
            "Apache Software Foundation"
        } else {
            "Apache"
        }
        .to_owned(),
        product: if by_purl { "log4j-core" } else { "Log4j" }.to_owned(),
        version: version.to_owned(),
        count: rng.gen_range(1..40),
        location: LOCATIONS[rng.gen_range(0..LOCATIONS.len())].to_owned(),
        cpe: None,
        purl: by_purl.then(|| format!("{LOG4J_PURL}@{version}")),
    }
}

/// The inventory of the `i`th organisation: the same for the same `i` on every run.
fn org_inventory(catalogue: &[Product], i: usize, affected: bool) -> Vec<InventoryItem> {
    let mut rng = StdRng::seed_from_u64(SEED ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let extra = if affected {
        let v = ["2.14.1", "2.14.1", "2.11.2", "2.16.0", "2.15.0"][rng.gen_range(0..5)];
        Some(log4j(v, &mut rng))
    } else {
        match rng.gen_range(0..100) {
            // Patched: a candidate for the advisory that must not match.
            0..35 => {
                let v = ["2.17.1", "2.20.0", "2.23.1"][rng.gen_range(0..3)];
                Some(log4j(v, &mut rng))
            }
            // Log4j 1, named like the advisory's product but outside its range.
            35..40 => Some(InventoryItem {
                vendor: "Apache".into(),
                product: "Log4j".into(),
                version: "1.2.17".into(),
                count: 2,
                location: "Data centre".into(),
                cpe: None,
                purl: None,
            }),
            _ => None,
        }
    };
    let wanted = ITEMS_PER_ORG - usize::from(extra.is_some());
    let picked: Vec<&Product> = catalogue
        .choose_multiple_weighted(&mut rng, wanted, |p| p.weight)
        .expect("weights")
        .collect();
    let mut items: Vec<InventoryItem> =
        picked.into_iter().map(|p| installed(p, &mut rng)).collect();
    if let Some(item) = extra {
        let at = rng.gen_range(0..=items.len());
        items.insert(at, item);
    }
    items
}

/// Writes every organisation's inventory with `inventory::replace`, a few dozen
/// organisations a transaction, by two writers at once on PostgreSQL. Returns the number of
/// items and of distinct products.
async fn inventories(db: &Db, country: &Country) -> (usize, usize) {
    let catalogue = Arc::new(catalogue());
    let products = catalogue.len() + 1;
    let writers = if matches!(db, Db::Postgres(_)) { 2 } else { 1 };
    let work: Vec<(usize, OrgId, UserId, bool)> = country
        .orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (i, o.id, o.leads[0].id, o.affected))
        .collect();
    let written = Arc::new(AtomicUsize::new(0));
    let items = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = work
        .chunks(work.len().div_ceil(writers))
        .map(|part| {
            let (part, db, catalogue, written, items) = (
                part.to_vec(),
                db.clone(),
                catalogue.clone(),
                written.clone(),
                items.clone(),
            );
            tokio::spawn(async move {
                let at = now();
                for group in part.chunks(INVENTORIES_PER_TX) {
                    let mut tx = db.begin().await.expect("begin");
                    for (i, org, lead, affected) in group {
                        let list = org_inventory(&catalogue, *i, *affected);
                        inventory::replace(
                            &mut tx,
                            *org,
                            "inventory.csv",
                            Format::Csv,
                            &list,
                            *lead,
                            at,
                        )
                        .await
                        .expect("inventory");
                        items.fetch_add(list.len(), Ordering::Relaxed);
                    }
                    tx.commit().await.expect("commit");
                    let done = written.fetch_add(group.len(), Ordering::Relaxed) + group.len();
                    if done % 2_000 < group.len() {
                        println!(
                            "  inventories: {done} of {ORGANISATIONS} organisations, {:.0} s",
                            seconds_since(started)
                        );
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("inventory writer");
    }
    (items.load(Ordering::Relaxed), products)
}

// ---- Publication ----

fn advisory_content() -> AdvisoryContent {
    AdvisoryContent {
        title: "Apache Log4j 2 remote code execution (Log4Shell)".into(),
        severity: Severity::Critical,
        severity_reason: "Exploited widely with no authentication; one crafted string in any \
                          logged field runs the attacker's code."
            .into(),
        tlp: Tlp::Clear,
        summary: "Log4j 2 before 2.17.1 lets a remote attacker run code on servers that log \
                  text they control."
            .into(),
        actively_exploited: true,
        in_kev: true,
        affected: content::parse_affected(&format!(
            "Apache | Log4j | >= 2.0.0, < 2.17.1 | {LOG4J_PURL}"
        ))
        .expect("affected products"),
        cves: content::parse_cves("CVE-2021-44228 | CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
            .expect("CVE"),
        remediation: vec![
            "Upgrade Log4j to 2.17.1 or later on every system.".into(),
            "Ask suppliers of systems that include Log4j for their fixed versions.".into(),
        ],
        workarounds: vec!["Remove the JndiLookup class from the classpath.".into()],
        references: content::parse_references(
            "https://logging.apache.org/log4j/2.x/security.html Apache Log4j security",
        )
        .expect("references"),
        audience: Audience::All,
        ack_required: true,
        ack_hours: Some(ACK_HOURS),
    }
}

/// The advisory, written and submitted for review by the first analyst.
async fn draft(db: &Db, author: UserId) -> (Uuid, AdvisoryContent) {
    let c = advisory_content();
    let mut tx = db.begin().await.expect("begin");
    let id = advisories::create_draft(&mut tx, &c, None, author)
        .await
        .expect("draft");
    advisories::set_review(&mut tx, id, Some(author))
        .await
        .expect("review");
    tx.commit().await.expect("commit");
    (id, c)
}

async fn count(db: &Db, sql: &str, id: Option<Uuid>) -> i64 {
    with_db!(db, |pool| {
        let mut q = sqlx::query_scalar::<_, i64>(sql);
        if let Some(id) = id {
            q = q.bind(id);
        }
        q.fetch_one(pool).await
    })
    .expect(sql)
}

const EMAIL_JOBS: &str = "SELECT COUNT(*) FROM jobs WHERE kind = 'send_email'";

/// The second analyst presses Publish on the advisory's page.
async fn publish(
    server: &Server,
    analyst: &reqwest::Client,
    advisory: Uuid,
    country: &Country,
    page: &str,
) -> (String, Figure) {
    let token = hidden_field(page, "csrf_token").expect("the page has a form");
    let db = &server.db;
    let emails_before = count(db, EMAIL_JOBS, None).await;
    let t = Instant::now();
    let r = analyst
        .post(format!("{}/alerts/manage/{advisory}/publish", server.base))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("publish");
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    let seconds = seconds_since(t);
    assert!(
        status.is_redirection(),
        "publication answered {status}: {}",
        body.chars().take(500).collect::<String>()
    );
    let emails = count(db, EMAIL_JOBS, None).await - emails_before;
    let targeted = count(
        db,
        "SELECT COUNT(*) FROM alert_responses WHERE advisory_id = $1",
        Some(advisory),
    )
    .await;
    let likely = count(
        db,
        "SELECT COUNT(*) FROM alert_responses WHERE advisory_id = $1 AND likely_affected = TRUE",
        Some(advisory),
    )
    .await;
    assert_eq!(
        targeted as usize, ORGANISATIONS,
        "every organisation reached"
    );
    assert_eq!(
        likely as usize, country.affected,
        "exactly the organisations running an affected Log4j are likely affected"
    );
    assert_eq!(
        emails as usize,
        ORGANISATIONS * LEADS_PER_ORG,
        "one email per security lead"
    );
    println!("published in {seconds:.1} s");
    (
        "publish (POST /alerts/manage/{id}/publish)".to_owned(),
        Figure::Step {
            seconds,
            detail: format!(
                "{targeted} organisations targeted, {likely} likely affected, \
                 {emails} send_email jobs queued"
            ),
        },
    )
}

fn step(what: &str, t: Instant, detail: String) -> (String, Figure) {
    (
        format!("  {what}"),
        Figure::Step {
            seconds: seconds_since(t),
            detail,
        },
    )
}

/// The steps of publication, each timed on its own, in one transaction that is rolled
/// back. They run after the real publication, so the database's caches are warm.
async fn publication_steps(
    server: &Server,
    c: &AdvisoryContent,
    country: &Country,
    author: UserId,
) -> Vec<(String, Figure)> {
    let mut out = vec![];
    let started = Instant::now();
    let mut tx = server.db.begin().await.expect("begin");
    let at = now();

    let t = Instant::now();
    let orgs = advisories::audience_organisations(&mut tx, &c.audience)
        .await
        .expect("audience");
    out.push(step(
        "audience: the organisations addressed",
        t,
        format!("{} organisations", orgs.len()),
    ));

    let keys: Vec<matching::ItemKeys> = c.affected.iter().map(matching::product_keys).collect();
    let products: Vec<String> = keys.iter().map(|k| k.norm_product.clone()).collect();
    let purls: Vec<String> = keys.iter().filter_map(|k| k.purl_key.clone()).collect();
    let t = Instant::now();
    let candidates = inventory::candidates(&mut tx, &products, &purls, None)
        .await
        .expect("candidates");
    out.push(step(
        "inventory candidates (by product name or purl)",
        t,
        format!(
            "{} items of {}",
            candidates.len(),
            ORGANISATIONS * ITEMS_PER_ORG
        ),
    ));

    let t = Instant::now();
    let found = publishing::match_candidates(candidates, &c.affected);
    out.push(step(
        "matching versions (in Rust)",
        t,
        format!("{} organisations likely affected", found.len()),
    ));

    let throwaway = advisories::create_draft(&mut tx, c, None, author)
        .await
        .expect("draft");
    let due = deadlines::ack_due(at, ACK_HOURS);
    let t = Instant::now();
    let rows: Vec<responses::NewResponse> = orgs
        .iter()
        .map(|org| responses::NewResponse {
            organisation_id: *org,
            ack_due_at: Some(due),
            likely_affected: found.contains_key(org),
            matches: found
                .get(org)
                .and_then(|m| serde_json::to_string(m).ok())
                .unwrap_or_else(|| "[]".into()),
        })
        .collect();
    responses::insert_many(
        &mut tx,
        throwaway,
        at,
        deadlines::DEFAULT_UPDATE_DAYS,
        &rows,
    )
    .await
    .expect("responses");
    out.push(step(
        "responses inserted",
        t,
        format!("{} rows", rows.len()),
    ));

    let t = Instant::now();
    let contacts = notices::contacts(&mut tx, &orgs).await.expect("contacts");
    out.push(step(
        "security leads to email",
        t,
        format!("{} people", contacts.len()),
    ));

    let t = Instant::now();
    let names: HashMap<OrgId, &str> = country
        .orgs
        .iter()
        .map(|o| (o.id, o.name.as_str()))
        .collect();
    let about = About::new("CC-2021-0001", c, Some(due), &server.public_url);
    let mails: Vec<serde_json::Value> = contacts
        .iter()
        .map(|p| {
            let org = names.get(&p.organisation_id).copied().unwrap_or("");
            serde_json::to_value(emails::new_advisory(&about, org, &p.email, &p.name))
                .expect("email")
        })
        .collect();
    out.push(step(
        "emails written (in Rust)",
        t,
        format!("{} emails", mails.len()),
    ));

    let t = Instant::now();
    let recorded: Vec<(OrgId, i64)> = orgs.iter().map(|o| (*o, LEADS_PER_ORG as i64)).collect();
    notices::record_many(
        &mut tx,
        throwaway,
        deadlines::Notice::NewAdvisory,
        deadlines::Cycle::Number(1),
        &recorded,
        at,
    )
    .await
    .expect("notices");
    out.push(step(
        "notices recorded",
        t,
        format!("{} rows", recorded.len()),
    ));

    let t = Instant::now();
    jobs::enqueue_many(&mut tx, email::JOB_KIND, &mails)
        .await
        .expect("jobs");
    out.push(step(
        "emails queued (jobs inserted)",
        t,
        format!("{} rows", mails.len()),
    ));
    drop(tx);

    let sum: f64 = out
        .iter()
        .map(|(_, f)| match f {
            Figure::Step { seconds, .. } => *seconds,
            _ => 0.0,
        })
        .sum();
    out.push((
        "  sum of the steps above".to_owned(),
        Figure::Step {
            seconds: sum,
            detail: format!(
                "each step again in a rolled-back transaction ({:.1} s in all)",
                seconds_since(started)
            ),
        },
    ));
    out
}

// ---- Responses ----

/// What one organisation does about the advisory, in order, with when.
fn responses_of(
    affected: bool,
    published: OffsetDateTime,
    until: OffsetDateTime,
    rng: &mut StdRng,
) -> Vec<(Action, OffsetDateTime)> {
    let minutes = |from: OffsetDateTime, rng: &mut StdRng| {
        let room = (until - from).whole_minutes().max(2);
        from + time::Duration::minutes(rng.gen_range(1..room))
    };
    // Most acknowledge within the deadline, sooner more often than later; some are late.
    let ack = if rng.gen_bool(0.85) {
        let within = f64::from(ACK_HOURS * 60) * rng.r#gen::<f64>().powi(2);
        published + time::Duration::minutes(within as i64 + 5)
    } else {
        let late = published + time::Duration::hours(i64::from(ACK_HOURS));
        minutes(late, rng)
    };
    let mut out = vec![(Action::Acknowledge, ack)];
    let applies = Action::Applies {
        next_update_days: None,
    };
    let remediated = Action::CloseRemediated {
        note: "Upgraded Log4j to 2.17.1 on every affected server.".into(),
    };
    let roll = rng.gen_range(0..100);
    let decided = minutes(ack, rng);
    match (affected, roll) {
        (true, 0..50) | (false, 0..35) => out.push((applies, decided)),
        (true, 50..80) | (false, 35..45) => {
            out.push((applies, decided));
            out.push((remediated, minutes(decided, rng)));
        }
        (false, 45..75) => out.push((
            Action::DoesNotApply {
                reason: "No system here runs Log4j 2: checked the inventory and suppliers.".into(),
            },
            decided,
        )),
        (false, 75..80) => out.push((
            Action::AcceptRisk {
                owner: "Director of Digital".into(),
                reason: "The supplier's fix is due next month; the system has no internet access."
                    .into(),
            },
            decided,
        )),
        _ => {}
    }
    out
}

/// 30% of organisations respond, through `responding::record` as their security lead, after
/// the advisory's dates are moved three days back.
async fn respond(
    db: &Db,
    secrets: &secrets::SecretBox,
    country: &Country,
    advisory: Uuid,
) -> (String, Figure) {
    let started = Instant::now();
    let published = advisories::find(db, advisory)
        .await
        .expect("query")
        .and_then(|a| a.published_at)
        .expect("published");
    let back = published - time::Duration::days(DAYS_SINCE_PUBLICATION);
    let due = deadlines::ack_due(back, ACK_HOURS);
    let mut tx = db.begin().await.expect("begin");
    exec_tx!(&mut tx, |c| sqlx::query(
        "UPDATE alert_responses SET targeted_at = $1, ack_due_at = $2, updated_at = $1 \
         WHERE advisory_id = $3"
    )
    .bind(back)
    .bind(due)
    .bind(advisory)
    .execute(c)
    .await)
    .expect("responses moved back");
    for sql in [
        "UPDATE alert_advisories SET published_at = $1, current_release_at = $1, \
         updated_at = $1 WHERE id = $2",
        "UPDATE alert_revisions SET created_at = $1 WHERE advisory_id = $2",
        "UPDATE alert_notices SET sent_at = $1 WHERE advisory_id = $2",
    ] {
        exec_tx!(&mut tx, |c| sqlx::query(sql)
            .bind(back)
            .bind(advisory)
            .execute(c)
            .await)
        .expect(sql);
    }
    tx.commit().await.expect("commit");

    let until = now();
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let chosen = index::sample(
        &mut rng,
        country.orgs.len(),
        country.orgs.len() * RESPONDING_PERCENT / 100,
    );
    let work: Vec<_> = chosen
        .into_iter()
        .map(|i| {
            let org = &country.orgs[i];
            let lead = &org.leads[0];
            let who = Principal {
                user_id: lead.id,
                name: lead.name.clone(),
                email: lead.email.clone(),
                memberships: vec![Membership {
                    organisation_id: org.id,
                    organisation_name: org.name.clone(),
                    role: Role::SecurityLead,
                }],
                two_step_enrolled: true,
                two_step_verified: true,
            };
            (
                who,
                org.id,
                responses_of(org.affected, back, until, &mut rng),
            )
        })
        .collect();
    let responding = work.len();
    let actions: usize = work.iter().map(|(_, _, a)| a.len()).sum();
    // One writer: every response to an advisory first locks the advisory's row, and every
    // audited change appends to one chain, so more writers would only wait on each other.
    for (who, org, steps) in &work {
        for (action, at) in steps {
            responding::record(db, secrets, who, "127.0.0.1", advisory, *org, action, *at)
                .await
                .expect("response recorded");
        }
    }
    let states: Vec<(String, i64)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT state, COUNT(*) FROM alert_responses WHERE advisory_id = $1 \
         GROUP BY state ORDER BY state"
    )
    .bind(advisory)
    .fetch_all(pool)
    .await)
    .expect("states");
    let states: Vec<String> = states.iter().map(|(s, n)| format!("{n} {s}")).collect();
    (
        format!("{responding} organisations respond ({RESPONDING_PERCENT}%)"),
        Figure::SetUp {
            seconds: seconds_since(started),
            detail: format!(
                "{actions} actions through responding::record; now {}",
                states.join(", ")
            ),
        },
    )
}

// ---- Pages ----

/// Times GET `path`: a first run, then [`PAGE_RUNS`] more. Returns the last body too.
async fn time_page(client: &reqwest::Client, base: &str, path: &str) -> (Figure, String) {
    let url = format!("{base}{path}");
    let mut times = vec![];
    let mut body = String::new();
    for _ in 0..=PAGE_RUNS {
        let t = Instant::now();
        let r = client.get(&url).send().await.expect("request");
        let status = r.status();
        body = r.text().await.expect("body");
        times.push(seconds_since(t));
        assert!(status.is_success(), "{path} answered {status}");
    }
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    (
        Figure::Page {
            first,
            median: times[times.len() / 2],
            min: times[0],
            max: times[times.len() - 1],
            bytes: body.len(),
        },
        body,
    )
}
