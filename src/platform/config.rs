//! Server configuration: one set of settings, read from command-line flags, environment
//! variables and an optional TOML file.
//!
//! Precedence, highest first: flag, environment variable (`CARECERT_…`), TOML file
//! (`--config`), built-in default. Flags and variables are handled by clap; the file only
//! fills what neither gave, so every setting has exactly one documented source order.

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use serde::Deserialize;

/// Settings given on the command line or in the environment. Every field is optional so
/// that the TOML file can fill what they leave out.
#[derive(Debug, Clone, Default, Args)]
pub struct ServerArgs {
    /// Optional TOML configuration file (keys as in the README's configuration table).
    #[arg(long, env = "CARECERT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database: `sqlite://FILE` (created if missing) or `postgres://…`.
    #[arg(long, env = "CARECERT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Address and port to listen on.
    #[arg(long, env = "CARECERT_BIND")]
    pub bind: Option<SocketAddr>,
    /// The address people use to reach the service, used in emailed links.
    #[arg(long, env = "CARECERT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// SMTP server for outgoing email, e.g. `smtp://127.0.0.1:25` or `smtps://user:pass@host`.
    /// Without it, messages are written as `.eml` files to the outbox folder.
    #[arg(long, env = "CARECERT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender address of outgoing email.
    #[arg(long, env = "CARECERT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Folder for `.eml` files when no SMTP server is configured.
    #[arg(long, env = "CARECERT_OUTBOX_DIR")]
    pub outbox_dir: Option<PathBuf>,
    /// Log format: `text` or `json`.
    #[arg(long, env = "CARECERT_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you control).
    #[arg(long, env = "CARECERT_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// How often each instance looks for background jobs, in milliseconds.
    #[arg(long, env = "CARECERT_JOB_POLL_MS")]
    pub job_poll_ms: Option<u64>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "CARECERT_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<i64>,
    /// Hours after sign-in after which a session ends however active it is.
    #[arg(long, env = "CARECERT_SESSION_MAX_HOURS")]
    pub session_max_hours: Option<i64>,
    /// Default hours to acknowledge a critical or high severity advisory (analysts can
    /// change it per advisory).
    #[arg(long, env = "CARECERT_ALERT_ACK_HOURS")]
    pub alert_ack_hours: Option<u32>,
    /// Allow organisations' webhooks to reach private, loopback and link-local addresses
    /// and plain http (only for testing or a closed network).
    #[arg(long, env = "CARECERT_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: Option<bool>,

    /// The key that encrypts stored secrets: 32 random bytes in base64. The same on every
    /// instance.
    #[arg(long, env = "CARECERT_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Hidden>,

    /// A bearer token that lets a monitoring system on another machine read `/metrics`.
    #[arg(long, env = "CARECERT_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Hidden>,

    /// A file holding the secret key, read when `CARECERT_SECRET_KEY` is not set.
    #[arg(long, env = "CARECERT_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
}

/// The same settings as read from a TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<SocketAddr>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    outbox_dir: Option<PathBuf>,
    log_format: Option<LogFormat>,
    trust_proxy: Option<bool>,
    job_poll_ms: Option<u64>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    alert_ack_hours: Option<u32>,
    webhook_allow_private: Option<bool>,
    secret_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    /// Base URL without a trailing slash.
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub outbox_dir: PathBuf,
    pub log_format: LogFormat,
    pub trust_proxy: bool,
    pub job_poll_ms: u64,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub alert_ack_hours: u32,
    pub webhook_allow_private: bool,
    /// The key for stored secrets, if given directly (see [`super::secrets`]).
    pub secret_key: Option<Hidden>,
    /// Where the key is kept otherwise (by default beside the SQLite database).
    pub secret_key_file: Option<PathBuf>,
    /// The bearer token for `/metrics`; without one, only this machine may read them.
    pub metrics_token: Option<Hidden>,
}

/// A setting whose value must never reach a log: `Debug` prints a placeholder.
#[derive(Clone)]
pub struct Hidden(pub String);

impl From<String> for Hidden {
    fn from(value: String) -> Self {
        Hidden(value)
    }
}

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[hidden]")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://carecert.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const SECRET_KEY_FILE_NAME: &str = "carecert.key";

impl Config {
    /// Merges flags and environment (already combined by clap) with the optional file.
    pub fn resolve(args: &ServerArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
            }
            None => FileConfig::default(),
        };
        Self::merge(args.clone(), file)
    }

    fn merge(args: ServerArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let bind = args
            .bind
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.parse().expect("default address is valid"));
        let public_url = args
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(format!(
                "public URL must start with http:// or https://, not {public_url:?}"
            )));
        }
        let config = Config {
            database_url: args
                .database_url
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind,
            public_url,
            smtp_url: args.smtp_url.or(file.smtp_url),
            mail_from: args
                .mail_from
                .or(file.mail_from)
                .unwrap_or_else(|| "CareCERT <no-reply@carecert.invalid>".to_owned()),
            outbox_dir: args
                .outbox_dir
                .or(file.outbox_dir)
                .unwrap_or_else(|| PathBuf::from("outbox")),
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            trust_proxy: args.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            job_poll_ms: args.job_poll_ms.or(file.job_poll_ms).unwrap_or(1000),
            session_idle_minutes: args
                .session_idle_minutes
                .or(file.session_idle_minutes)
                .unwrap_or(30),
            session_max_hours: args
                .session_max_hours
                .or(file.session_max_hours)
                .unwrap_or(12),
            alert_ack_hours: args.alert_ack_hours.or(file.alert_ack_hours).unwrap_or(48),
            webhook_allow_private: args
                .webhook_allow_private
                .or(file.webhook_allow_private)
                .unwrap_or(false),
            secret_key: args.secret_key.filter(|k| !k.0.is_empty()),
            secret_key_file: args.secret_key_file.or(file.secret_key_file),
            metrics_token: args.metrics_token.filter(|t| !t.0.is_empty()),
        };
        if !(1..=720).contains(&config.alert_ack_hours) {
            return Err(ConfigError::Invalid(
                "alert acknowledgement hours must be between 1 and 720".into(),
            ));
        }
        if config.session_idle_minutes < 1 || config.session_max_hours < 1 {
            return Err(ConfigError::Invalid(
                "session lifetimes must be at least one minute and one hour".into(),
            ));
        }
        Ok(config)
    }

    /// The file that holds the secret key: as configured, else `carecert.key` beside the
    /// SQLite database (so the two travel together whatever the working directory), else
    /// in the working directory.
    pub fn secret_key_path(&self) -> PathBuf {
        if let Some(path) = &self.secret_key_file {
            return path.clone();
        }
        let sqlite_file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or_default());
        match sqlite_file.and_then(|f| std::path::Path::new(f).parent()) {
            Some(dir) => dir.join(SECRET_KEY_FILE_NAME),
            None => PathBuf::from(SECRET_KEY_FILE_NAME),
        }
    }

    /// Whether people reach the service over HTTPS, which decides `Secure` cookies and HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let args = ServerArgs {
            bind: Some("127.0.0.1:9000".parse().unwrap()),
            ..Default::default()
        };
        let file: FileConfig = toml::from_str(
            "bind = \"0.0.0.0:7000\"\ndatabase_url = \"postgres://db/x\"\njob_poll_ms = 250",
        )
        .unwrap();
        let config = Config::merge(args, file).unwrap();
        assert_eq!(config.bind.port(), 9000);
        assert_eq!(config.database_url, "postgres://db/x");
        assert_eq!(config.job_poll_ms, 250);
        assert_eq!(config.session_idle_minutes, 30);
        assert_eq!(config.public_url, "http://127.0.0.1:9000");
    }

    #[test]
    fn the_secret_key_never_shows_in_debug_output() {
        let args = ServerArgs {
            secret_key: Some(Hidden(
                "c2VjcmV0IGtleSBieXRlcyBoZXJlIDEyMzQ1Njc4OTA=".into(),
            )),
            ..Default::default()
        };
        let config = Config::merge(args.clone(), FileConfig::default()).unwrap();
        assert!(config.secret_key.is_some());
        assert!(!format!("{config:?}").contains("c2VjcmV0"));
        assert!(!format!("{args:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn the_key_file_sits_beside_the_sqlite_database() {
        let at = |url: &str| {
            let args = ServerArgs {
                database_url: Some(url.into()),
                ..Default::default()
            };
            Config::merge(args, FileConfig::default())
                .unwrap()
                .secret_key_path()
        };
        assert_eq!(at("sqlite://carecert.db"), PathBuf::from("carecert.key"));
        assert_eq!(
            at("sqlite:///var/lib/carecert/live.db?mode=rwc"),
            PathBuf::from("/var/lib/carecert/carecert.key")
        );
        assert_eq!(at("sqlite:data/cc.db"), PathBuf::from("data/carecert.key"));
        assert_eq!(at("postgres://db/carecert"), PathBuf::from("carecert.key"));
        let args = ServerArgs {
            secret_key_file: Some("/run/secrets/key".into()),
            ..Default::default()
        };
        let config = Config::merge(args, FileConfig::default()).unwrap();
        assert_eq!(config.secret_key_path(), PathBuf::from("/run/secrets/key"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_rejected() {
        assert!(toml::from_str::<FileConfig>("databse_url = \"x\"").is_err());
    }

    #[test]
    fn https_public_url_turns_on_secure_behaviour() {
        let args = ServerArgs {
            public_url: Some("https://carecert.example/".into()),
            ..Default::default()
        };
        let config = Config::merge(args, FileConfig::default()).unwrap();
        assert!(config.is_https());
        assert_eq!(config.public_url, "https://carecert.example");
    }
}
