//! Storage for organisations.

use crate::{
    exec_tx,
    platform::{
        db::{Db, Tx, escape_like, is_unique_violation, now},
        ids::OrgId,
        ods::OdsCode,
        tenants::OrgType,
    },
    with_db,
};

// Finding one organisation is the platform's (every service scopes by tenant); these names
// stay here for the callers that still reach them through this module.
pub use crate::platform::tenants::{Organisation as OrgRow, by_id, by_ods_code, national_team};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgListRow {
    pub id: OrgId,
    pub name: String,
    pub ods_code: OdsCode,
    pub org_type: OrgType,
    pub parent_name: Option<String>,
    pub active_members: i64,
}

impl OrgListRow {
    pub fn type_label(&self) -> &'static str {
        self.org_type.label()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an organisation with this ODS code is already registered")]
    DuplicateOdsCode,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct NewOrganisation<'a> {
    pub name: &'a str,
    pub ods_code: &'a OdsCode,
    pub org_type: OrgType,
    pub parent_id: Option<OrgId>,
}

pub async fn create(tx: &mut Tx, org: &NewOrganisation<'_>) -> Result<OrgId, CreateError> {
    let id = OrgId::fresh();
    let result = exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO organisations (id, name, ods_code, org_type, parent_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(id)
    .bind(org.name)
    .bind(org.ods_code)
    .bind(org.org_type)
    .bind(org.parent_id)
    .bind(now())
    .execute(c)
    .await);
    match result {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(CreateError::DuplicateOdsCode),
        Err(e) => Err(e.into()),
    }
}

/// Search by name (any part, any case) or exact ODS code, optionally by type.
pub struct Search<'a> {
    pub text: &'a str,
    pub org_type: Option<OrgType>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn search(db: &Db, s: &Search<'_>) -> Result<(Vec<OrgListRow>, i64), sqlx::Error> {
    let text = s.text.trim();
    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
    let code = text.to_ascii_uppercase();
    let org_type = s.org_type.map(|t| t.as_str()).unwrap_or("");
    macro_rules! filter {
        () => {
            " WHERE ($1 = '' OR lower(o.name) LIKE $2 ESCAPE '\\' OR o.ods_code = $3) \
              AND ($4 = '' OR o.org_type = $4)"
        };
    }
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, OrgListRow>(concat!(
        "SELECT o.id, o.name, o.ods_code, o.org_type, p.name AS parent_name, \
         (SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = o.id AND m.active = TRUE) AS active_members \
         FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id",
        filter!(),
        " ORDER BY o.name LIMIT $5 OFFSET $6"
    ))
    .bind(text)
    .bind(&pattern)
    .bind(&code)
    .bind(org_type)
    .bind(s.limit)
    .bind(s.offset)
    .fetch_all(pool)
    .await
    })?;
    let total = with_db!(db, |pool| sqlx::query_scalar::<_, i64>(concat!(
        "SELECT COUNT(*) FROM organisations o",
        filter!()
    ))
    .bind(text)
    .bind(&pattern)
    .bind(&code)
    .bind(org_type)
    .fetch_one(pool)
    .await)?;
    Ok((rows, total))
}

/// Organisations for the parent picker: every one except the national team.
pub async fn all_for_parent_choice(db: &Db) -> Result<Vec<(OrgId, String, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT id, name, ods_code FROM organisations WHERE org_type <> $1 ORDER BY name LIMIT 2000"
    )
    .bind(OrgType::NationalTeam.as_str())
    .fetch_all(pool)
    .await)
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};
    use uuid::Uuid;

    use super::*;

    async fn read_row(org_type: &str) -> Result<OrgRow, sqlx::Error> {
        let mut db = SqliteConnection::connect("sqlite::memory:").await?;
        sqlx::query_as(
            "SELECT $1 AS id, 'St Elsewhere' AS name, 'RJ1' AS ods_code, $2 AS org_type, \
             NULL AS parent_id, NULL AS parent_name, $3 AS created_at",
        )
        .bind(Uuid::nil())
        .bind(org_type)
        .bind(now())
        .fetch_one(&mut db)
        .await
    }

    #[tokio::test]
    async fn an_unknown_type_is_an_error_not_unknown() {
        let row = read_row("gp_practice").await.unwrap();
        assert_eq!(row.org_type, OrgType::GpPractice);
        assert_eq!(row.ods_code.as_str(), "RJ1");
        assert!(read_row("hospital").await.is_err());
        assert!(read_row("GP practice").await.is_err());
    }
}
