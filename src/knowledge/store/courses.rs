//! Storage of course versions. Each imported version is kept whole (as JSON) so learners who
//! started it can finish it; one version per course is current. Parsed versions are cached
//! in memory by id: a version never changes once stored, so every instance's cache agrees.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, RwLock},
};

use uuid::Uuid;

use crate::{
    exec_tx,
    knowledge::content::model::Course,
    platform::{
        db::{Db, Tx, new_id, now},
        ids::UserId,
    },
    with_db, with_tx,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub id: Uuid,
    pub slug: String,
    pub version: String,
    pub title: String,
    pub mandatory: bool,
    pub is_current: bool,
    pub imported_by: Option<UserId>,
    pub imported_at: time::OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "Version {version} of {slug} has already been imported. Give the new content a new version in course.toml."
    )]
    AlreadyImported { slug: String, version: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

static CACHE: LazyLock<RwLock<HashMap<Uuid, Arc<Course>>>> = LazyLock::new(Default::default);

const COLUMNS: &str = "id, slug, version, title, mandatory, is_current, imported_by, imported_at";

/// The current version of every course, mandatory first, then by title.
pub async fn current(db: &Db) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM course_versions WHERE is_current ORDER BY mandatory DESC, title"
    );
    with_db!(db, |pool| sqlx::query_as::<_, VersionRow>(&sql)
        .fetch_all(pool)
        .await)
}

/// One stored version as the course administration page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedVersion {
    pub slug: String,
    pub version: String,
    pub title: String,
    pub is_current: bool,
    pub origin: Origin,
    pub imported_at: time::OffsetDateTime,
    /// The national administrator who uploaded it; none for built-in and command-line
    /// imports.
    pub imported_by_name: Option<String>,
}

/// Every version ever imported, newest first within each course.
pub async fn all_versions(db: &Db) -> Result<Vec<ListedVersion>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, ListedVersion>(
        "SELECT cv.slug, cv.version, cv.title, cv.is_current, cv.origin, cv.imported_at, \
         u.name AS imported_by_name \
         FROM course_versions cv LEFT JOIN users u ON u.id = cv.imported_by \
         ORDER BY cv.slug, cv.imported_at DESC"
    )
    .fetch_all(pool)
    .await)
}

pub async fn current_by_slug(db: &Db, slug: &str) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM course_versions WHERE slug = $1 AND is_current");
    with_db!(db, |pool| sqlx::query_as::<_, VersionRow>(&sql)
        .bind(slug)
        .fetch_optional(pool)
        .await)
}

/// The slug of the course that counts for coverage, if any.
pub async fn mandatory_slug(db: &Db) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT slug FROM course_versions WHERE is_current AND mandatory ORDER BY slug LIMIT 1"
    )
    .fetch_optional(pool)
    .await)
}

/// One stored version's full content.
pub async fn content(db: &Db, id: Uuid) -> Result<Option<Arc<Course>>, sqlx::Error> {
    if let Some(c) = CACHE.read().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(Some(c));
    }
    let json = with_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT content FROM course_versions WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    let Some(json) = json else { return Ok(None) };
    let course: Course =
        serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let course = Arc::new(course);
    if let Ok(mut m) = CACHE.write() {
        m.insert(id, course.clone());
    }
    Ok(Some(course))
}

/// Where a stored version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Origin {
    /// Shipped with the application.
    Builtin,
    /// Imported by a national administrator (web) or an operator (command line).
    Imported,
}

/// Stores a new version of a course and makes it current. Learners part-way through an
/// older version keep it. `by` is the national administrator who uploaded it, if any.
pub async fn import(
    tx: &mut Tx,
    course: &Course,
    origin: Origin,
    by: Option<UserId>,
) -> Result<Uuid, ImportError> {
    let exists = with_tx!(tx, |c| sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM course_versions WHERE slug = $1 AND version = $2"
    )
    .bind(&course.slug)
    .bind(&course.version)
    .fetch_optional(c)
    .await)?;
    if exists.is_some() {
        return Err(ImportError::AlreadyImported {
            slug: course.slug.clone(),
            version: course.version.clone(),
        });
    }
    let json = serde_json::to_string(course).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE course_versions SET is_current = FALSE WHERE slug = $1 AND is_current"
    )
    .bind(&course.slug)
    .execute(c)
    .await)?;
    if course.mandatory {
        // Only one course counts for coverage: a newly mandatory course takes over.
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE course_versions SET mandatory = FALSE WHERE slug <> $1 AND mandatory"
        )
        .bind(&course.slug)
        .execute(c)
        .await)?;
    }
    let id = new_id();
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO course_versions (id, slug, version, title, mandatory, content, is_current, origin, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $9)"
    )
    .bind(id)
    .bind(&course.slug)
    .bind(&course.version)
    .bind(&course.title)
    .bind(course.mandatory)
    .bind(json)
    .bind(origin)
    .bind(by)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Loads the built-in curriculum: a built-in version not yet stored is added, and becomes
/// current unless someone has imported a version of that course (their choice stands). Safe to run from several instances at once.
pub async fn sync_builtin(db: &Db, courses: &[Course]) -> Result<(), sqlx::Error> {
    for course in courses {
        let mut tx = db.begin().await?;
        let present = with_tx!(&mut tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM course_versions WHERE slug = $1 AND version = $2"
        )
        .bind(&course.slug)
        .bind(&course.version)
        .fetch_one(c)
        .await)?;
        if present > 0 {
            continue;
        }
        let admin_current = with_tx!(&mut tx, |c| {
            sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM course_versions WHERE slug = $1 AND is_current AND origin <> 'builtin'"
        )
        .bind(&course.slug)
        .fetch_one(c)
        .await
        })?;
        if admin_current > 0 {
            continue;
        }
        match import(&mut tx, course, Origin::Builtin, None).await {
            Ok(_) => tx.commit().await?,
            // Another instance stored it first.
            Err(ImportError::AlreadyImported { .. }) => {}
            Err(ImportError::Db(e)) if crate::platform::db::is_unique_violation(&e) => {}
            Err(ImportError::Db(e)) => return Err(e),
        }
    }
    Ok(())
}
