//! Knowledge: the e-learning service. Staff take cyber-security courses (lessons, knowledge
//! checks, a final assessment), earn certificates that expire and are refreshed, and
//! organisations see and evidence who is trained. Also the public quiz.
//!
//! - `content`: the course file format, its checks and loading.
//! - `rules`: drawing and grading assessments, expiry, reminders, coverage (pure).

pub mod content;
pub mod rules;
pub mod store;

use crate::platform::db::Db;

/// Brings the stored curriculum up to date with the built-in content (at start-up).
pub async fn prepare(db: &Db) -> anyhow::Result<()> {
    let (courses, _) = content::load::builtin()
        .map_err(|e| anyhow::anyhow!("the built-in course content has problems:\n{e}"))?;
    store::courses::sync_builtin(db, &courses).await?;
    Ok(())
}
