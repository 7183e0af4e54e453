//! Secrets the service must read back (two-step verification secrets, webhook signing
//! secrets) are kept in the database encrypted, so a copy of the database alone (a
//! backup, a replica, a leaked dump) does not let anyone make sign-in codes or forge
//! webhook signatures.
//!
//! AES-256-GCM with a random nonce per value. Each value is bound to where it belongs
//! (its "context", such as the user it is for) as associated data, so a sealed value
//! copied onto another row does not open. The key comes from `CARECERT_SECRET_KEY`, or a
//! key file: on the embedded SQLite default the file is made on first start; with
//! PostgreSQL every instance must be given the same key, so none is made.
//!
//! Other purposes (sealing the audit chain) get keys of their own derived from it
//! ([`SecretBox::derive_key`]), never the encryption key itself.

use std::path::Path;

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::{RngCore, rngs::OsRng};
use sha2::Sha256;
use uuid::Uuid;

use super::{config::Config, db::Db};
use crate::{exec_db, with_db};

const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the secret key must be {KEY_LEN} random bytes in base64 (make one with `openssl rand -base64 32`)"
    )]
    BadKey,
    #[error("could not read or create the secret key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "with PostgreSQL, give every instance the same secret key in CARECERT_SECRET_KEY or CARECERT_SECRET_KEY_FILE (make one with `openssl rand -base64 32`)"
    )]
    NoSharedKey,
    #[error(
        "a secret stored in the database cannot be opened with this key: is CARECERT_SECRET_KEY the key this database was set up with?"
    )]
    CannotOpen,
}

/// Seals and opens stored secrets with the service's key, and signs values the server hands
/// out to browsers. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
    /// HMAC-SHA256 keyed with the secret key, for deriving keys for other purposes.
    derive: Hmac<Sha256>,
    /// The key that signs values handed to browsers, derived so that signing and sealing
    /// never share a key.
    mac_key: [u8; KEY_LEN],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// The box for a key given as base64 text.
    pub fn from_base64(key: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| SecretError::BadKey)?;
        if bytes.len() != KEY_LEN {
            return Err(SecretError::BadKey);
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        let derive =
            <Hmac<Sha256> as Mac>::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        let mut secrets = SecretBox {
            cipher,
            derive,
            mac_key: [0; KEY_LEN],
        };
        secrets.mac_key = secrets.derive_key("carecert signing key v1");
        Ok(secrets)
    }

    /// A 32-byte key for the purpose named by `label`: HMAC-SHA256 of the label under the
    /// secret key. The secret key is uniformly random, so this is HKDF's expand step with a
    /// single block: keys for different labels are unrelated, and none reveals the secret
    /// key or the encryption done with it.
    pub fn derive_key(&self, label: &str) -> [u8; KEY_LEN] {
        let mut mac = self.derive.clone();
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A box with a new random key, for the crate's own tests.
    #[cfg(test)]
    pub fn random() -> Self {
        Self::from_base64(&new_key()).expect("a new key is valid")
    }

    /// The box for the configured key: the key itself, else the key file, made on first
    /// start only when the database is the embedded SQLite one.
    pub fn from_config(config: &Config) -> Result<Self, SecretError> {
        if let Some(key) = &config.secret_key {
            return Self::from_base64(&key.0);
        }
        let path = &config.secret_key_path();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !config.database_url.starts_with("sqlite:") {
                    return Err(SecretError::NoSharedKey);
                }
                let key = new_key();
                write_key_file(path, &key).map_err(|source| SecretError::KeyFile {
                    path: path.display().to_string(),
                    source,
                })?;
                tracing::info!(path = %path.display(), "made a new secret key; back it up with the database");
                Self::from_base64(&key)
            }
            Err(source) => Err(SecretError::KeyFile {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Encrypts `plain` for the place named by `context`.
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption fails only for messages of many gigabytes; secrets are a few bytes.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// Decrypts a value sealed for `context`.
    pub fn open(&self, context: &str, stored: &str) -> Result<String, SecretError> {
        let raw = stored
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|raw| raw.len() > NONCE_LEN)
            .ok_or(SecretError::CannotOpen)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let payload = Payload {
            msg: sealed,
            aad: context.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SecretError::CannotOpen)?;
        String::from_utf8(plain).map_err(|_| SecretError::CannotOpen)
    }

    /// An HMAC-SHA256 tag (hex) over `message` for the purpose named by `context`: lets the
    /// server recognise a value it handed out (the device cookie) without storing it.
    pub fn tag(&self, context: &str, message: &str) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key) else {
            return String::new();
        };
        mac.update(context.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `tag` is the tag of `message` for `context`, compared in constant time.
    pub fn tag_matches(&self, context: &str, message: &str, tag: &str) -> bool {
        let expected = self.tag(context, message);
        !expected.is_empty() && super::tokens::equal(&expected, tag)
    }

    /// Whether a stored value is sealed already (values written before sealing are not).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

/// Seals the values stored before sealing began. `select` finds them as (row id, value)
/// pairs; `update` stores `$1` (sealed) on row `$2` if it still holds `$3` (the plain value),
/// so instances starting together seal each value once. Returns how many were sealed.
/// `context` takes the row id as whatever id type its table's key is (read as a UUID).
pub async fn seal_plain<I: From<Uuid>>(
    db: &Db,
    secrets: &SecretBox,
    select: &str,
    update: &str,
    context: fn(I) -> String,
) -> Result<usize, sqlx::Error> {
    let plain: Vec<(Uuid, String)> =
        with_db!(db, |pool| sqlx::query_as(select).fetch_all(pool).await)?;
    for (id, value) in &plain {
        let sealed = secrets.seal(&context(I::from(*id)), value);
        exec_db!(db, |pool| sqlx::query(update)
            .bind(&sealed)
            .bind(id)
            .bind(value)
            .execute(pool)
            .await)?;
    }
    Ok(plain.len())
}

/// Checks that a sealed value `select` finds, as (row id, value), opens with this key, so
/// an instance given the wrong key refuses to start rather than fail people at sign-in.
pub async fn check_key<I: From<Uuid>>(
    db: &Db,
    secrets: &SecretBox,
    select: &str,
    context: fn(I) -> String,
) -> anyhow::Result<()> {
    let sample: Option<(Uuid, String)> =
        with_db!(db, |pool| sqlx::query_as(select).fetch_optional(pool).await)?;
    if let Some((id, value)) = sample {
        secrets.open(&context(I::from(id)), &value)?;
    }
    Ok(())
}

/// A new random key, base64-encoded.
pub fn new_key() -> String {
    let mut key = [0u8; KEY_LEN];
    OsRng.fill_bytes(&mut key);
    STANDARD.encode(key)
}

fn write_key_file(path: &Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{key}\n").as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_own_place_only() {
        let b = SecretBox::random();
        let sealed = b.seal("totp:1", "JBSWY3DPEHPK3PXP");
        assert!(SecretBox::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(b.open("totp:1", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(matches!(
            b.open("totp:2", &sealed),
            Err(SecretError::CannotOpen)
        ));
    }

    #[test]
    fn sealing_twice_gives_different_text() {
        let b = SecretBox::random();
        assert_ne!(b.seal("x", "same"), b.seal("x", "same"));
    }

    #[test]
    fn another_key_or_tampering_cannot_open() {
        let sealed = SecretBox::random().seal("x", "secret");
        assert!(SecretBox::random().open("x", &sealed).is_err());
        let b = SecretBox::random();
        let sealed = b.seal("x", "secret");
        let mut bytes = STANDARD.decode(&sealed[PREFIX.len()..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{PREFIX}{}", STANDARD.encode(bytes));
        assert!(b.open("x", &tampered).is_err());
        assert!(b.open("x", "plain text").is_err());
        assert!(b.open("x", "enc:v1:AAAA").is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(SecretBox::from_base64("not base64!").is_err());
        assert!(SecretBox::from_base64(&STANDARD.encode([0u8; 16])).is_err());
        assert!(SecretBox::from_base64(&format!("{}\n", new_key())).is_ok());
    }

    fn config(database_url: &str, key_file: &Path) -> Config {
        let args = crate::platform::config::ServerArgs {
            database_url: Some(database_url.into()),
            secret_key_file: Some(key_file.to_owned()),
            ..Default::default()
        };
        Config::resolve(&args).unwrap()
    }

    #[test]
    fn on_sqlite_a_key_file_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carecert.key");
        let config = config("sqlite://carecert.db", &path);
        let sealed = SecretBox::from_config(&config).unwrap().seal("x", "secret");
        let again = SecretBox::from_config(&config).unwrap();
        assert_eq!(again.open("x", &sealed).unwrap(), "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn on_postgres_no_key_is_made_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carecert.key");
        let config = config("postgres://db/carecert", &path);
        assert!(matches!(
            SecretBox::from_config(&config),
            Err(SecretError::NoSharedKey)
        ));
        assert!(!path.exists());
        std::fs::write(&path, new_key()).unwrap();
        assert!(SecretBox::from_config(&config).is_ok());
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_by_secret_key() {
        let key = new_key();
        let a = SecretBox::from_base64(&key).unwrap();
        let again = SecretBox::from_base64(&key).unwrap();
        assert_eq!(a.derive_key("audit"), again.derive_key("audit"));
        assert_ne!(a.derive_key("audit"), a.derive_key("other"));
        assert_ne!(
            a.derive_key("audit"),
            SecretBox::random().derive_key("audit")
        );
        assert_ne!(
            &a.derive_key("audit")[..],
            &STANDARD.decode(&key).unwrap()[..]
        );
    }

    #[test]
    fn the_debug_form_hides_the_key() {
        assert_eq!(format!("{:?}", SecretBox::random()), "SecretBox(..)");
    }
}
