//! Shared test helpers: start the real server on a random port with a fresh database
//! (SQLite always; PostgreSQL when `CARECERT_TEST_POSTGRES_URL` is set), a real SMTP server
//! on loopback, HTTP clients with their own cookie jars, and quick ways to set up people.

pub mod advisories;
pub mod alerts;
pub mod audit;
pub mod cli;
pub mod course_archive;
pub mod demo;
pub mod process;
pub mod smtp;
pub mod training;

use std::{sync::Arc, time::Duration};

use carecert::{
    app::App,
    identity::{passwords, store as identity_store, two_step},
    organisations::{
        domain::OrgType,
        store::{self as org_store, NewOrganisation},
    },
    platform::{
        AppState,
        authz::Role,
        config::{Config, Hidden, LogFormat},
        db::{Db, now},
        secrets::{self, SecretBox},
    },
    staff::store::{self as staff_store, NewMembership},
    with_db, with_tx,
};
use reqwest::{StatusCode, cookie::CookieStore, header::HeaderMap};
use tokio::sync::oneshot;
use uuid::Uuid;

pub use smtp::SmtpServer;

pub const PASSWORD: &str = "tulip harbour seventeen";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a test body once on SQLite and once on PostgreSQL (skipped, and said, when no
/// PostgreSQL URL is configured).
#[macro_export]
macro_rules! on_both {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::start($crate::support::Engine::Sqlite)
                    .await
                    .expect("SQLite app starts");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::support::TestApp::start($crate::support::Engine::Postgres).await
                else {
                    eprintln!("SKIPPED on PostgreSQL: CARECERT_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
        }
    };
}

/// As `on_both!`, with the app's settings changed by `adjust` (a `fn(&mut Config)`).
#[macro_export]
macro_rules! on_both_with {
    ($name:ident, $adjust:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app =
                    $crate::support::TestApp::start_with($crate::support::Engine::Sqlite, $adjust)
                        .await
                        .expect("SQLite app starts");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::support::TestApp::start_with(
                    $crate::support::Engine::Postgres,
                    $adjust,
                )
                .await
                else {
                    eprintln!("SKIPPED on PostgreSQL: CARECERT_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub smtp: SmtpServer,
    pub engine: Engine,
    database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pg_database: Option<(String, String)>,
    dir: Arc<tempfile::TempDir>,
    secret_key: String,
    adjust: fn(&mut Config),
}

pub fn postgres_url() -> Option<String> {
    std::env::var("CARECERT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

async fn create_pg_database(admin_url: &str) -> (String, String) {
    let name = format!("carecert_test_{}", Uuid::new_v4().simple());
    let admin = Db::connect(admin_url).await.expect("connect to PostgreSQL");
    let sql = format!("CREATE DATABASE {name}");
    with_db!(&admin, |pool| sqlx::query(&sql)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect("create test database");
    admin.close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("PostgreSQL URL names a database");
    (format!("{base}/{name}"), name)
}

impl TestApp {
    /// Starts the app, or returns `None` for PostgreSQL when it is not configured.
    pub async fn start(engine: Engine) -> Option<Self> {
        Self::start_with(engine, |_| {}).await
    }

    /// As [`TestApp::start`], with settings changed by `adjust` (on every instance).
    pub async fn start_with(engine: Engine, adjust: fn(&mut Config)) -> Option<Self> {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let (database_url, pg_database) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Engine::Postgres => {
                let admin = postgres_url()?;
                let (url, name) = create_pg_database(&admin).await;
                (url, Some((admin, name)))
            }
        };
        let smtp = SmtpServer::start().await;
        let secret_key = secrets::new_key();
        Some(
            Self::launch(
                engine,
                database_url,
                pg_database,
                smtp,
                dir,
                secret_key,
                adjust,
            )
            .await,
        )
    }

    async fn launch(
        engine: Engine,
        database_url: String,
        pg_database: Option<(String, String)>,
        smtp: SmtpServer,
        dir: Arc<tempfile::TempDir>,
        secret_key: String,
        adjust: fn(&mut Config),
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let base = format!("http://{addr}");
        let mut config = Config {
            database_url: database_url.clone(),
            bind: addr,
            public_url: base.clone(),
            smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)),
            mail_from: "CareCERT <no-reply@carecert.test>".into(),
            outbox_dir: dir.path().join("outbox"),
            log_format: LogFormat::Text,
            trust_proxy: false,
            job_poll_ms: 50,
            session_idle_minutes: 30,
            session_max_hours: 12,
            alert_ack_hours: 48,
            webhook_allow_private: true,
            secret_key: Some(Hidden(secret_key.clone())),
            secret_key_file: None,
            metrics_token: None,
        };
        adjust(&mut config);
        let app = App::with_listener(config, listener)
            .await
            .expect("app builds");
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(async move {
            app.run(async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            base,
            state,
            smtp,
            engine,
            database_url,
            shutdown: Some(tx),
            server: Some(server),
            pg_database,
            dir,
            secret_key,
            adjust,
        }
    }

    /// A second instance of the server on the same database (as behind a load balancer).
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(self.adjust).await
    }

    /// A second instance with settings of its own, changed by `adjust`.
    pub async fn second_instance_with(&self, adjust: fn(&mut Config)) -> TestApp {
        Self::launch(
            self.engine,
            self.database_url.clone(),
            None,
            self.smtp.clone(),
            self.dir.clone(),
            self.secret_key.clone(),
            adjust,
        )
        .await
    }

    /// Every text value stored in the database (all text and JSON columns of all tables),
    /// to check what a copy of the database would show.
    pub async fn all_stored_text(&self) -> Vec<String> {
        let columns: Vec<(String, String)> = with_db!(self.db(), |pool| {
            let sql = match self.engine {
                Engine::Sqlite => {
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND (p.type IN ('TEXT', '') OR p.type LIKE '%CHAR%')"
                }
                Engine::Postgres => {
                    "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                     WHERE table_schema = 'public' \
                       AND data_type IN ('text', 'json', 'jsonb', 'character varying')"
                }
            };
            sqlx::query_as(sql).fetch_all(pool).await
        })
        .expect("list the columns");
        assert!(columns.len() > 20, "found the text columns: {columns:?}");
        let mut values = Vec::new();
        for (table, column) in columns {
            let sql = format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\"");
            let found: Vec<Option<String>> = with_db!(self.db(), |pool| sqlx::query_scalar(&sql)
                .fetch_all(pool)
                .await)
            .expect(&sql);
            values.extend(found.into_iter().flatten());
        }
        values
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The app's box for stored secrets (its key is this test's own).
    pub fn secrets(&self) -> &SecretBox {
        &self.state.secrets
    }

    /// Stops the server, waiting for requests and the job in hand to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    // ---- Setting up organisations and people directly, for tests about other things ----

    pub async fn org(&self, name: &str, ods: &str, kind: OrgType) -> Uuid {
        let mut tx = self.db().begin().await.expect("begin");
        let id = org_store::create(
            &mut tx,
            &NewOrganisation {
                name,
                ods_code: &ods.parse().expect("an ODS code"),
                org_type: kind,
                parent_id: None,
            },
        )
        .await
        .expect("create organisation");
        tx.commit().await.expect("commit");
        id.into()
    }

    pub async fn national_team(&self) -> Uuid {
        match org_store::national_team(self.db()).await.expect("query") {
            Some(t) => t.id.into(),
            None => {
                self.org("CareCERT national team", "CARECERT", OrgType::NationalTeam)
                    .await
            }
        }
    }

    /// A national administrator (admin@carecert.test), signed in.
    pub async fn national_admin(&self) -> Client {
        let team = self.national_team().await;
        let admin = self
            .person(team, Role::NationalAdmin, "admin@carecert.test")
            .await;
        self.signed_in(&admin).await
    }

    /// A person with a password (and two-step verification for roles that need it).
    pub async fn person(&self, org: Uuid, role: Role, email: &str) -> Person {
        let hash = passwords::hash(PASSWORD.into()).await.expect("hash");
        let secret = role.requires_two_step().then(two_step::new_secret);
        let mut tx = self.db().begin().await.expect("begin");
        let (user_id, _) = identity_store::ensure_user(&mut tx, email, &format!("Test {email}"))
            .await
            .expect("user");
        identity_store::set_password(&mut tx, user_id, &hash)
            .await
            .expect("password");
        if let Some(secret) = &secret {
            with_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_enabled_at = $2 WHERE id = $3"
            )
            .bind(
                self.secrets()
                    .seal(&two_step::secret_context(user_id), secret)
            )
            .bind(now())
            .bind(user_id)
            .execute(c)
            .await
            .map(|_| ()))
            .expect("two-step");
        }
        let membership_id = staff_store::add(
            &mut tx,
            &NewMembership {
                organisation_id: org.into(),
                user_id,
                role,
                staff_group: "clinical",
                department: None,
            },
        )
        .await
        .expect("membership")
        .expect("new membership");
        tx.commit().await.expect("commit");
        Person {
            email: email.to_owned(),
            membership_id,
            totp_secret: secret,
        }
    }

    /// A client signed in as `person`, through the real sign-in pages.
    pub async fn signed_in(&self, person: &Person) -> Client {
        let client = self.password_only(person).await;
        if let Some(secret) = &person.totp_secret {
            let code = self.two_step_code(&person.email, secret).await;
            let page = client
                .post("/sign-in/two-step", &[("code", &code), ("next", "/")])
                .await;
            assert_eq!(
                page.status,
                StatusCode::SEE_OTHER,
                "two-step failed: {}",
                page.text
            );
        }
        client
    }

    /// A client past the password page as `person`, not yet past two-step verification.
    pub async fn password_only(&self, person: &Person) -> Client {
        let client = self.client();
        let page = client
            .post(
                "/sign-in",
                &[
                    ("email", &person.email),
                    ("password", PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed for {}: {}",
            person.email,
            page.text
        );
        client
    }

    /// A two-step code the server has not yet accepted for this account, as the person's
    /// app would show it: each code signs in once, so a test that signs the same person in
    /// again uses the next one, waiting for it as a person would if it is not showing yet.
    pub async fn two_step_code(&self, email: &str, secret: &str) -> String {
        let last: Option<i64> = with_db!(self.db(), |pool| sqlx::query_scalar(
            "SELECT totp_last_step FROM users WHERE email = $1"
        )
        .bind(email)
        .fetch_one(pool)
        .await)
        .expect("the account exists");
        let t = now().unix_timestamp() as u64;
        let step = (t / 30).max(last.map_or(0, |l| l as u64 + 1));
        // The server takes one step either side of its own, so a code is usable from the
        // step before it.
        let usable_from = step.saturating_sub(1) * 30;
        if usable_from > t {
            tokio::time::sleep(Duration::from_secs(usable_from - t + 1)).await;
        }
        two_step::current_code(secret, step * 30).expect("code")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((admin, name)) = self.pg_database.take() {
            // Dropping needs async work; do it on a thread of its own so Drop can wait.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(db) = Db::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = with_db!(&db, |pool| sqlx::query(&sql)
                            .execute(pool)
                            .await
                            .map(|_| ()));
                        db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct Person {
    pub email: String,
    pub membership_id: Uuid,
    pub totp_secret: Option<String>,
}

pub fn current_code(secret: &str) -> String {
    let t = now().unix_timestamp() as u64;
    two_step::current_code(secret, t).expect("code")
}

/// One browser: its own cookies, never following redirects (tests look at them).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        self
    }
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.text.contains(needle),
            "page does not contain {needle:?}:\n{}",
            self.text
        );
        self
    }
    #[track_caller]
    pub fn assert_redirect_to(&self, prefix: &str) -> &Self {
        assert!(
            self.status.is_redirection(),
            "expected a redirect, got {}: {}",
            self.status,
            self.text
        );
        let location = self.location().unwrap_or_default();
        assert!(
            location.starts_with(prefix),
            "redirected to {location}, expected {prefix}"
        );
        self
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        Client {
            http,
            jar,
            base: base.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn page(response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut r = self.http.get(self.url(path));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Self::page(r.send().await.expect("GET")).await
    }

    /// This browser's CSRF token, fetching a page first if it has none yet.
    pub async fn csrf(&self) -> String {
        if let Some(t) = self.cookie("carecert_csrf") {
            return t;
        }
        self.get("/sign-in").await;
        self.cookie("carecert_csrf")
            .expect("the server sets a CSRF cookie")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().expect("base URL");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    /// Posts a form with this browser's CSRF token, as the page's form would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        Self::page(
            self.http
                .post(self.url(path))
                .form(fields)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Posts a file as multipart form data, CSRF token in the URL as the upload form does.
    pub async fn post_file(&self, path: &str, field: &str, filename: &str, bytes: Vec<u8>) -> Page {
        let token = self.csrf().await;
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str("text/csv")
            .expect("mime");
        let form = reqwest::multipart::Form::new().part(field.to_owned(), part);
        let url = format!("{}?csrf_token={token}", self.url(path));
        Self::page(
            self.http
                .post(url)
                .multipart(form)
                .send()
                .await
                .expect("POST file"),
        )
        .await
    }

    /// Posts text fields and, optionally, one file as multipart form data, CSRF token in the
    /// URL as the upload forms do.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Page {
        let token = self.csrf().await;
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        if let Some((filename, bytes)) = file {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(filename.to_owned())
                .mime_str("application/octet-stream")
                .expect("mime");
            form = form.part("file", part);
        }
        let url = format!("{}?csrf_token={token}", self.url(path));
        Self::page(
            self.http
                .post(url)
                .multipart(form)
                .send()
                .await
                .expect("POST multipart"),
        )
        .await
    }

    pub async fn api_get(&self, path: &str, token: Option<&str>) -> Page {
        let mut r = self.http.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        Self::page(r.send().await.expect("API GET")).await
    }

    /// Creates an API token for `organisation` on its token page, as its security lead would,
    /// and returns the token shown once.
    pub async fn new_api_token(&self, organisation: Uuid, name: &str) -> String {
        let created = self
            .post(
                &format!("/organisations/{organisation}/api-tokens"),
                &[("name", name)],
            )
            .await;
        input_value(&created.text, "token")
            .unwrap_or_else(|| panic!("the new token is shown once: {}", created.text))
    }
}

/// Pulls the value of an input (found by name or id) out of a page, whatever the order of
/// its attributes.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html
        .find(&format!(" name=\"{name}\""))
        .or_else(|| html.find(&format!(" id=\"{name}\"")))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let start = tag.find("value=\"")? + 7;
    Some(tag[start..].split('"').next()?.to_owned())
}
