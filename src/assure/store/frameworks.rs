//! Storage of framework versions. Each version is kept whole (as JSON) and never changed, so
//! an assessment can always be read against the version it was answered against; one
//! version of each framework is current.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, RwLock},
};

use uuid::Uuid;

use crate::{
    assure::framework::model::Framework,
    exec_tx,
    platform::{
        db::{Db, Tx, new_id, now},
        ids::UserId,
    },
    with_db, with_tx,
};

/// Where a stored version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Origin {
    /// Shipped with the application.
    Builtin,
    /// Imported from a file by an operator or a national administrator.
    Imported,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "Version {version} of {framework} has already been imported. Give the new version another version number."
    )]
    AlreadyImported { framework: String, version: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A stored version, without its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: Uuid,
    pub framework: String,
    pub version: String,
    pub title: String,
    pub is_current: bool,
    pub origin: Origin,
}

/// Stores a new version of a framework and makes it current.
pub async fn import(
    tx: &mut Tx,
    framework: &Framework,
    origin: Origin,
    by: Option<UserId>,
) -> Result<Uuid, ImportError> {
    let about = &framework.about;
    let exists = with_tx!(tx, |c| sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM framework_versions WHERE framework = $1 AND version = $2"
    )
    .bind(&about.id)
    .bind(&about.version)
    .fetch_optional(c)
    .await)?;
    if exists.is_some() {
        return Err(ImportError::AlreadyImported {
            framework: about.id.clone(),
            version: about.version.clone(),
        });
    }
    let json = serde_json::to_string(framework).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE framework_versions SET is_current = FALSE WHERE framework = $1 AND is_current"
    )
    .bind(&about.id)
    .execute(c)
    .await)?;
    let id = new_id();
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO framework_versions \
         (id, framework, version, title, content, is_current, origin, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8)"
    )
    .bind(id)
    .bind(&about.id)
    .bind(&about.version)
    .bind(&about.title)
    .bind(json)
    .bind(origin)
    .bind(by)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// Stores each built-in framework version not stored yet. It becomes current unless
/// someone has imported a version of that framework (their choice stands). Safe to run
/// from several instances at once.
pub async fn sync_builtin(db: &Db, frameworks: &[Framework]) -> Result<(), sqlx::Error> {
    for framework in frameworks {
        let about = &framework.about;
        let mut tx = db.begin().await?;
        let (present, imported_current) = with_tx!(&mut tx, |c| sqlx::query_as::<_, (i64, i64)>(
            "SELECT \
               (SELECT COUNT(*) FROM framework_versions WHERE framework = $1 AND version = $2), \
               (SELECT COUNT(*) FROM framework_versions \
                WHERE framework = $1 AND is_current AND origin <> 'builtin')"
        )
        .bind(&about.id)
        .bind(&about.version)
        .fetch_one(c)
        .await)?;
        if present > 0 || imported_current > 0 {
            continue;
        }
        match import(&mut tx, framework, Origin::Builtin, None).await {
            Ok(_) => tx.commit().await?,
            // Another instance stored it first.
            Err(ImportError::AlreadyImported { .. }) => {}
            Err(ImportError::Db(e)) if crate::platform::db::is_unique_violation(&e) => {}
            Err(ImportError::Db(e)) => return Err(e),
        }
    }
    Ok(())
}

/// The current version of every framework, in id order.
pub async fn current(db: &Db) -> anyhow::Result<Vec<Framework>> {
    let rows: Vec<(String, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT framework, content FROM framework_versions WHERE is_current ORDER BY framework"
    )
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|(id, json)| {
            serde_json::from_str(&json)
                .map_err(|e| anyhow::anyhow!("the stored framework {id} does not read: {e}"))
        })
        .collect()
}

/// Every stored version, current first within each framework.
pub async fn all_versions(db: &Db) -> Result<Vec<Listed>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Listed>(
        "SELECT id, framework, version, title, is_current, origin FROM framework_versions \
         ORDER BY framework, is_current DESC, imported_at DESC"
    )
    .fetch_all(pool)
    .await)
}

/// One stored version, by its id. A stored version never changes, so once read it is kept
/// in memory for the life of the process: every instance reads the same row to the same
/// value, and an assessment page does not parse the framework again on each request.
pub async fn by_version_id(db: &Db, id: Uuid) -> anyhow::Result<Option<Arc<Framework>>> {
    static READ: OnceLock<RwLock<HashMap<Uuid, Arc<Framework>>>> = OnceLock::new();
    let cache = READ.get_or_init(Default::default);
    if let Some(f) = cache.read().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(Some(f));
    }
    let json: Option<String> = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT content FROM framework_versions WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    let Some(json) = json else { return Ok(None) };
    let framework: Arc<Framework> =
        Arc::new(serde_json::from_str(&json).map_err(|e| {
            anyhow::anyhow!("the stored framework version {id} does not read: {e}")
        })?);
    if let Ok(mut m) = cache.write() {
        m.insert(id, framework.clone());
    }
    Ok(Some(framework))
}

/// The id of the current version of each framework, by framework id.
pub async fn current_ids(db: &Db) -> Result<Vec<(String, Uuid)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (String, Uuid)>(
        "SELECT framework, id FROM framework_versions WHERE is_current ORDER BY framework"
    )
    .fetch_all(pool)
    .await)
}
