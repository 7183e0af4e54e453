//! Running the `carecert` command as an operator would, against a test database.

use std::process::{Command, Output};

/// Runs `carecert` with `args` against the database at `db`, with no settings file (so the
/// SQLite key file beside the database is the key).
pub fn carecert(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecert"))
        .args(args)
        .env("CARECERT_DATABASE_URL", db)
        .env_remove("CARECERT_CONFIG")
        .env_remove("CARECERT_SECRET_KEY")
        .env_remove("CARECERT_SECRET_KEY_FILE")
        .output()
        .expect("run carecert")
}

/// What the command printed, on either stream.
pub fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
