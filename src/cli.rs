//! The `carecert` command line: serve, migrate, create the first administrator, verify
//! the audit log, import course content and the CISA KEV catalogue, generate test data.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::{
    alerts::{kev, kev_import},
    app::{App, shutdown_signal},
    audit, demo,
    identity::store as identity_store,
    knowledge::{content::load, generate, store::courses},
    platform::{
        config::{Config, LogFormat, ServerArgs},
        db::Db,
        secrets::SecretBox,
    },
};

#[derive(Parser)]
#[command(
    name = "carecert",
    version,
    about = "CareCERT: cyber security for health and care organisations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (and its background worker).
    Serve {
        #[command(flatten)]
        server: ServerArgs,
        /// Load demonstration organisations and accounts into an empty database.
        #[arg(long, env = "CARECERT_DEMO")]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Manage national administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check and import course content.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// The standards Assure assesses organisations against.
    Framework {
        #[command(subcommand)]
        command: FrameworkCommand,
    },
    /// Threat advisories.
    Kev {
        #[command(subcommand)]
        command: KevCommand,
    },
    /// Fill a database with generated organisations, staff and training records, for load
    /// tests and benchmarks. Generated people cannot sign in (they have no password) and
    /// have email addresses at generated.invalid.
    Generate {
        #[command(flatten)]
        server: Box<ServerArgs>,
        /// How many organisations (a mix of types, like England's).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200_000))]
        organisations: u32,
        /// How many members of staff, shared among the organisations.
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=20_000_000))]
        staff: u32,
        /// How many years of training records each person has (at most).
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=20))]
        years: u32,
        /// Seed for the random choices: the same seed gives the same shape of data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Add to a database that already has organisations.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Check every content file in a content folder: courses, the public quiz, advisories.
    /// Exit status 1 on problems; sources checked more than 12 months ago, or past their
    /// review date, are warnings (failures with --strict).
    Check {
        /// Treat warnings as failures (for release builds).
        #[arg(long)]
        strict: bool,
        /// The content folder (holding courses/, quiz/ and advisories/).
        #[arg(default_value = "content")]
        path: PathBuf,
    },
    /// Import a new version of one course from its folder or a .zip of it; it becomes the
    /// current version (learners part-way through the old one finish that).
    Import {
        #[command(flatten)]
        server: Box<ServerArgs>,
        /// The course folder or .zip archive.
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum FrameworkCommand {
    /// Import an OSCAL 1.x JSON catalog (groups, nested controls, parameters; withdrawn
    /// controls are left out) as a new version of a framework, which becomes current.
    /// Nothing is stored if the catalog has any problem.
    Import {
        #[command(flatten)]
        server: ServerArgs,
        /// The OSCAL catalog (JSON).
        path: PathBuf,
        /// The framework's id: lower-case letters, digits and hyphens (e.g. nist-800-53-low).
        #[arg(long)]
        id: String,
        /// Who publishes the standard (e.g. NIST).
        #[arg(long)]
        publisher: String,
        /// Where the catalog was published (an https address), recorded as its source.
        #[arg(long)]
        source: String,
    },
}

#[derive(Subcommand)]
enum KevCommand {
    /// Read the CISA Known Exploited Vulnerabilities catalogue (its JSON file) and make a
    /// draft advisory of each entry added since a date that is not already an advisory.
    Import {
        #[command(flatten)]
        server: Box<ServerArgs>,
        /// known_exploited_vulnerabilities.json
        file: PathBuf,
        /// The national analyst the drafts are written by (their email address); by default
        /// the first national administrator.
        #[arg(long)]
        by: Option<String>,
        /// Only entries added on or after this date (YYYY-MM-DD); by default the 30 days
        /// before the newest entry.
        #[arg(long)]
        since: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a national administrator and print a one-time link to set their password.
    Create {
        #[command(flatten)]
        server: ServerArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no audit entry has been changed, removed or rewritten, and that none of
    /// the newest has been deleted since the head was last recorded (exit status 1 if so).
    /// Needs the server's secret key. Records the head it checked.
    Verify {
        #[command(flatten)]
        server: ServerArgs,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("CARECERT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The server's secret key, which seals the audit log: commands that write to or check
/// the log need the same key as the server.
fn secrets(config: &Config) -> anyhow::Result<SecretBox> {
    Ok(SecretBox::from_config(config)?)
}

async fn connect(server: &ServerArgs) -> anyhow::Result<(Config, Db)> {
    let config = Config::resolve(server)?;
    init_logging(config.log_format);
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok((config, db))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            server,
            demo: load_demo,
        } => {
            let config = Config::resolve(&server)?;
            init_logging(config.log_format);
            let app = App::build(config).await?;
            let state = app.state().clone();
            let url = state.config.public_url.clone();
            if load_demo {
                match demo::load(&state.db, &state.secrets, &url).await? {
                    Some(accounts) => demo::print(&accounts, &url),
                    None => {
                        println!("Demo data not loaded: the database already has organisations.")
                    }
                }
            } else if !demo::has_admin(&state.db).await? {
                println!(
                    "CareCERT has no national administrator yet. Create the first one with:\n  \
                     carecert admin create --email you@example.org --name \"Your Name\" --database-url {}",
                    state.config.database_url
                );
            }
            println!(
                "CareCERT is running at {url} (database: {}, email: {})",
                state.db.engine(),
                app.mailer().describe()
            );
            tracing::info!(address = %app.local_addr()?, "listening");
            app.run(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { server } => {
            let (config, db) = connect(&server).await?;
            println!("Database is up to date ({}).", redact(&config.database_url));
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    server,
                    email,
                    name,
                },
        } => {
            let (config, db) = connect(&server).await?;
            let secrets = secrets(&config)?;
            let link = demo::create_national_admin(&db, &config, &secrets, &email, &name).await?;
            println!(
                "Created national administrator {email}.\nOpen this link within 7 days to set the password:\n  {link}"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { server },
        } => {
            let (config, db) = connect(&server).await?;
            let report = audit::verify(&db, &secrets(&config)?).await?;
            if report.problems.is_empty() {
                println!("Audit log intact: {} entries checked.", report.entries);
                if report.unkeyed > 0 {
                    println!(
                        "{} of them were written before the log was sealed with the secret key; \
                         the sealed entries after them vouch for them.",
                        report.unkeyed
                    );
                }
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "Audit log has been tampered with ({} entries checked):",
                    report.entries
                );
                for p in &report.problems {
                    println!("  - {p}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Content {
            command: ContentCommand::Check { strict, path },
        } => Ok(content_check(&path, strict)),
        Command::Content {
            command: ContentCommand::Import { server, path },
        } => content_import(&server, &path).await,
        Command::Framework {
            command:
                FrameworkCommand::Import {
                    server,
                    path,
                    id,
                    publisher,
                    source,
                },
        } => {
            let said = crate::assure::framework::import::Described {
                id: &id,
                publisher: &publisher,
                source_url: &source,
            };
            framework_import(&server, &path, &said).await
        }
        Command::Kev {
            command:
                KevCommand::Import {
                    server,
                    file,
                    by,
                    since,
                },
        } => kev_import(&server, &file, by.as_deref(), since.as_deref()).await,
        Command::Generate {
            server,
            organisations,
            staff,
            years,
            seed,
            force,
        } => {
            let options = generate::Options {
                organisations: organisations as usize,
                staff: staff as usize,
                years,
                seed,
                force,
            };
            generate_data(&server, &options).await
        }
    }
}

async fn generate_data(
    server: &ServerArgs,
    options: &generate::Options,
) -> anyhow::Result<ExitCode> {
    let (config, db) = connect(server).await?;
    let secrets = secrets(&config)?;
    crate::knowledge::prepare(&db).await?;
    println!(
        "Generating {} organisations, {} staff and up to {} years of training records…",
        options.organisations, options.staff, options.years
    );
    // A line every 5% (and at the end), not one per transaction.
    let mut shown = 0;
    let mut report = |p: &generate::Progress| {
        let step = (p.staff_total / 20).max(1);
        if p.staff_written / step > shown || p.staff_written == p.staff_total {
            shown = p.staff_written / step;
            println!(
                "  {:>9} of {} staff, {:>10} completions ({:.0} s)",
                p.staff_written,
                p.staff_total,
                p.completions,
                p.elapsed.as_secs_f64()
            );
        }
    };
    let done = match generate::run(&db, options, &mut report).await {
        Ok(done) => done,
        Err(e @ generate::GenerateError::NotEmpty(_)) => {
            println!("Not generated: {e}.");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let t = &done.totals;
    let mut tx = db.begin().await?;
    let mut event = audit::NewEvent::by(None, "command line", "data.generated", "").with_detail(
        serde_json::json!({
            "organisations": t.organisations,
            "staff": t.staff_written,
            "completions": t.completions,
            "years": options.years,
            "seed": options.seed,
        }),
    );
    event.ip = None;
    audit::record(&mut tx, &secrets, event).await?;
    tx.commit().await?;
    println!(
        "Generated {} organisations, {} staff and {} completions in {:.0} s.",
        t.organisations,
        t.staff_written,
        t.completions,
        t.elapsed.as_secs_f64()
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn content_check(path: &std::path::Path, strict: bool) -> ExitCode {
    let (services, _) = crate::app::compose();
    let report = services.content_report(path);
    let warnings = report.warnings(time::OffsetDateTime::now_utc().date());
    for line in &report.passed {
        println!("ok  {line}");
    }
    if !warnings.is_empty() {
        println!("{} source(s) need reading again:", warnings.len());
        for w in &warnings {
            println!("  - {w}");
        }
    }
    if !report.problems.is_empty() {
        println!("Content has {} problem(s):", report.problems.len());
        for p in &report.problems {
            println!("  - {p}");
        }
        return ExitCode::FAILURE;
    }
    if strict && !warnings.is_empty() {
        println!("Failed: --strict treats sources that need reading again as failures.");
        return ExitCode::FAILURE;
    }
    println!(
        "Content is valid: {} item(s), {} source(s) cited.",
        report.passed.len(),
        report.sources.len()
    );
    ExitCode::SUCCESS
}

async fn framework_import(
    server: &ServerArgs,
    path: &std::path::Path,
    said: &crate::assure::framework::import::Described<'_>,
) -> anyhow::Result<ExitCode> {
    use crate::assure::{framework::import, store::frameworks};
    let refuse = |problems: Vec<String>| {
        println!("Not imported. The catalog has problems:");
        for p in problems {
            println!("  - {p}");
        }
        Ok(ExitCode::FAILURE)
    };
    let json = match std::fs::read_to_string(path) {
        Ok(json) => json,
        Err(e) => return refuse(vec![format!("{} cannot be read: {e}", path.display())]),
    };
    let imported = match import::from_oscal(&json, said, time::OffsetDateTime::now_utc().date()) {
        Ok(imported) => imported,
        Err(problems) => return refuse(problems),
    };
    let f = &imported.framework;
    let (config, db) = connect(server).await?;
    let secrets = secrets(&config)?;
    let mut tx = db.begin().await?;
    match frameworks::import(&mut tx, f, frameworks::Origin::Imported, None).await {
        Ok(_) => {
            let assessable = f.assessable().count();
            let mut event = audit::NewEvent::by(None, "command line", "framework.imported", "")
                .with_detail(serde_json::json!({
                    "framework": f.about.id,
                    "version": f.about.version,
                    "requirements": f.requirements.len(),
                }));
            event.ip = None;
            audit::record(&mut tx, &secrets, event).await?;
            tx.commit().await?;
            println!(
                "Imported {} version {} as {}: {} requirements ({} headings, {assessable} assessable); {} withdrawn controls left out. It is now the current version.",
                f.about.title,
                f.about.version,
                f.about.id,
                f.requirements.len(),
                f.requirements.len() - assessable,
                imported.withdrawn
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ frameworks::ImportError::AlreadyImported { .. }) => {
            println!("Not imported: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(frameworks::ImportError::Db(e)) => Err(e.into()),
    }
}

async fn content_import(server: &ServerArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let course = match load::course_from_path(path) {
        Ok(c) => c,
        Err(e) => {
            println!("Not imported. The course has problems:");
            for p in e.problems() {
                println!("  - {p}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let (config, db) = connect(server).await?;
    let secrets = secrets(&config)?;
    let mut tx = db.begin().await?;
    match courses::import(&mut tx, &course, courses::Origin::Imported, None).await {
        Ok(_) => {
            let mut event = audit::NewEvent::by(None, "command line", "course.imported", "")
                .with_detail(serde_json::json!({"course": course.slug, "version": course.version}));
            event.ip = None;
            audit::record(&mut tx, &secrets, event).await?;
            tx.commit().await?;
            println!(
                "Imported {} version {}; it is now the current version.",
                course.slug, course.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(courses::ImportError::AlreadyImported { slug, version }) => {
            println!(
                "Not imported: version {version} of {slug} is already in the database. Change `version` in course.toml."
            );
            Ok(ExitCode::FAILURE)
        }
        Err(courses::ImportError::Db(e)) => Err(e.into()),
    }
}

async fn kev_import(
    server: &ServerArgs,
    file: &std::path::Path,
    by: Option<&str>,
    since: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("could not read {}: {e}", file.display()))?;
    let catalogue = match kev::parse(&bytes) {
        Ok(c) => c,
        Err(e) => {
            println!("Not imported:\n{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let since = match since {
        Some(s) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            match time::Date::parse(s, format) {
                Ok(d) => Some(d),
                Err(_) => {
                    println!("Not imported: --since must be a date like 2026-11-01");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        None => kev_import::default_since(&catalogue),
    };
    let (config, db) = connect(server).await?;
    let secrets = secrets(&config)?;
    let analyst = match by {
        Some(by) => {
            let Some(user) = identity_store::user_by_email(&db, by).await? else {
                println!("Not imported: there is no user {by}");
                return Ok(ExitCode::FAILURE);
            };
            let national = identity_store::memberships_of(&db, user.id)
                .await?
                .iter()
                .any(|m| m.role.is_national());
            if !national {
                println!("Not imported: {by} is not a national analyst or administrator");
                return Ok(ExitCode::FAILURE);
            }
            user.id
        }
        None => match demo::first_national_admin(&db).await? {
            Some(id) => id,
            None => {
                println!(
                    "Not imported: there is no national administrator yet (create one with `carecert admin create`)"
                );
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    let done = kev_import::import(&db, &catalogue, since, analyst).await?;
    let mut event = audit::NewEvent::by(Some(analyst), "command line", "alerts.kev_imported", "")
        .with_detail(serde_json::json!({
            "catalogue_version": catalogue.version,
            "created": done.created,
            "already": done.already,
            "older": done.older,
        }));
    event.ip = None;
    audit::record_now(&db, &secrets, event).await?;
    println!(
        "Catalogue {}: {} draft advisories created, {} already imported, {} older entries left out.",
        catalogue.version, done.created, done.already, done.older
    );
    Ok(ExitCode::SUCCESS)
}

/// A database URL with any password removed, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            redact("postgres://app:secret@db/carecert"),
            "postgres://app:***@db/carecert"
        );
        assert_eq!(redact("sqlite://carecert.db"), "sqlite://carecert.db");
    }
}
