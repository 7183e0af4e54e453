//! Scratch databases for the crate's own database tests: a fresh SQLite file always, and a
//! fresh PostgreSQL database when `CARECERT_TEST_POSTGRES_URL` names a server where tests
//! may create one (dropped again with [`drop_postgres`]).

use uuid::Uuid;

use crate::{
    platform::db::{Db, new_id, now},
    with_db,
};

pub async fn sqlite() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("scratch.db").display());
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (dir, db)
}

/// A new, migrated PostgreSQL database: the admin URL, its name and a pool on it.
pub async fn postgres() -> Option<(String, String, Db)> {
    let admin_url = std::env::var("CARECERT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("carecert_unit_{}", Uuid::new_v4().simple());
    run_on(&admin_url, &format!("CREATE DATABASE {name}")).await;
    let (base, _) = admin_url.rsplit_once('/').expect("URL names a database");
    let db = Db::connect(&format!("{base}/{name}"))
        .await
        .expect("connect to scratch");
    db.migrate().await.expect("migrate");
    Some((admin_url, name, db))
}

pub async fn drop_postgres(admin_url: &str, name: &str, db: Db) {
    db.close().await;
    run_on(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}

async fn run_on(url: &str, sql: &str) {
    let admin = Db::connect(url).await.expect("connect to PostgreSQL");
    with_db!(&admin, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect(sql);
    admin.close().await;
}

/// Registers a bare NHS trust for tests that need an organisation to hang data on.
pub async fn add_organisation(db: &Db, name: &str, ods_code: &str) -> Uuid {
    let id = new_id();
    with_db!(db, |pool| sqlx::query(
        "INSERT INTO organisations (id, name, ods_code, org_type, created_at) \
         VALUES ($1, $2, $3, 'nhs_trust', $4)"
    )
    .bind(id)
    .bind(name)
    .bind(ods_code)
    .bind(now())
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("organisation");
    id
}
