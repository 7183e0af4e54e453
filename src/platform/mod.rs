//! The shared platform every service stands on.

pub mod address;
pub mod authz;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod jobs;
pub mod limits;
pub mod ops;
#[cfg(test)]
pub mod scratch;
pub mod secrets;
pub mod snapshots;
#[cfg(test)]
pub mod stored_text;
pub mod text;
pub mod tokens;
pub mod web;

use std::sync::Arc;

use self::{config::Config, db::Db, secrets::SecretBox};

/// What every request handler can reach. Holds no per-user state: any instance can serve
/// any request because everything that persists lives in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Opens and seals the secrets stored in the database.
    pub secrets: SecretBox,
}
