//! Which organisations a person may respond for: those they lead and those directly under
//! them.

use crate::{
    platform::{db::Db, ids::OrgId},
    with_db,
};

/// `orgs` and their direct children, with names, ordered by name.
pub async fn with_children(db: &Db, orgs: &[OrgId]) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, |pool| {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT id, name FROM organisations WHERE org_type <> 'national_team' AND (id IN (",
        );
        let mut sep = q.separated(", ");
        for id in orgs {
            sep.push_bind(*id);
        }
        q.push(") OR parent_id IN (");
        let mut sep = q.separated(", ");
        for id in orgs {
            sep.push_bind(*id);
        }
        q.push(")) ORDER BY name");
        q.build_query_as::<(OrgId, String)>().fetch_all(pool).await
    })
}
