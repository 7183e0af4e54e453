//! The generator's SQL: multi-row INSERTs of up to [`ROWS_PER_STATEMENT`] rows, so a
//! million people take thousands of statements rather than millions. Each statement is
//! written once for both engines, like the rest of the store.

use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    exec_tx,
    platform::{
        db::{Db, Tx},
        ids::{OrgId, UserId},
    },
    with_db,
};

/// Rows in one INSERT. The widest row binds 10 values, so a statement binds at most
/// 10,004: well inside SQLite's limit of 32,766 and PostgreSQL's of 65,535.
pub const ROWS_PER_STATEMENT: usize = 1_000;

/// `INSERT … VALUES` with `rows` groups of `per_row` parameters numbered from `first`, each
/// group followed by `tail` (constants and parameters shared by every row). Built from
/// numbers and fixed text only, never from input.
fn insert_sql(head: &str, rows: usize, per_row: usize, first: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + rows * per_row * 7);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..per_row {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(first + r * per_row + c).to_string());
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// How many organisations the database has.
pub async fn organisation_count(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM organisations"
    )
    .fetch_one(pool)
    .await)
}

/// Every ODS code in use, so generated ones do not clash.
pub async fn ods_codes(db: &Db) -> Result<HashSet<String>, sqlx::Error> {
    let codes = with_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT ods_code FROM organisations"
    )
    .fetch_all(pool)
    .await)?;
    Ok(codes.into_iter().collect())
}

pub struct NewOrg {
    pub id: OrgId,
    pub name: String,
    pub ods_code: String,
    pub org_type: &'static str,
    pub parent_id: Option<OrgId>,
    pub target: i64,
    pub created_at: OffsetDateTime,
}

/// Inserts organisations. A parent must come before the organisations that name it.
pub async fn insert_organisations(tx: &mut Tx, rows: &[NewOrg]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(
            "INSERT INTO organisations (id, name, ods_code, org_type, parent_id, training_target, created_at)",
            chunk.len(),
            7,
            1,
            "",
        );
        exec_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for o in chunk {
                q = q
                    .bind(o.id)
                    .bind(&o.name)
                    .bind(&o.ods_code)
                    .bind(o.org_type)
                    .bind(o.parent_id)
                    .bind(o.target)
                    .bind(o.created_at);
            }
            q.execute(c).await
        })?;
    }
    Ok(())
}

/// A person without a password: they cannot sign in until invited.
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub created_at: OffsetDateTime,
}

pub async fn insert_users(tx: &mut Tx, rows: &[NewUser]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(
            "INSERT INTO users (id, email, name, created_at, updated_at)",
            chunk.len(),
            5,
            1,
            "",
        );
        exec_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q
                    .bind(u.id)
                    .bind(&u.email)
                    .bind(&u.name)
                    .bind(u.created_at)
                    .bind(u.created_at);
            }
            q.execute(c).await
        })?;
    }
    Ok(())
}

pub struct NewMember {
    pub id: Uuid,
    pub organisation_id: OrgId,
    pub user_id: UserId,
    pub staff_group: &'static str,
    pub department: Option<&'static str>,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

/// Inserts memberships with the role of staff.
pub async fn insert_memberships(tx: &mut Tx, rows: &[NewMember]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(
            "INSERT INTO memberships (id, organisation_id, user_id, staff_group, department, active, \
             created_at, updated_at, role)",
            chunk.len(),
            8,
            1,
            ", 'staff'",
        );
        exec_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q
                    .bind(m.id)
                    .bind(m.organisation_id)
                    .bind(m.user_id)
                    .bind(m.staff_group)
                    .bind(m.department)
                    .bind(m.active)
                    .bind(m.created_at)
                    .bind(m.created_at);
            }
            q.execute(c).await
        })?;
    }
    Ok(())
}

/// The course every generated pass is of.
pub struct PassedCourse {
    pub slug: String,
    pub version_id: Uuid,
    pub title: String,
    pub version: String,
}

/// A pass with no attempt behind it (the attempt is not generated).
pub struct NewPass {
    pub id: Uuid,
    pub user_id: UserId,
    pub organisation_id: OrgId,
    pub score_percent: i64,
    pub attempt_number: i64,
    pub passed_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub certificate_code: String,
    pub learner_name: String,
    pub organisation_name: String,
}

pub async fn insert_completions(
    tx: &mut Tx,
    course: &PassedCourse,
    rows: &[NewPass],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        // The course's four values are bound once, as $1 to $4, and shared by every row.
        let sql = insert_sql(
            "INSERT INTO completions (id, user_id, organisation_id, score_percent, attempt_number, \
             passed_at, expires_at, certificate_code, learner_name, organisation_name, \
             course_slug, course_version_id, course_title, course_version)",
            chunk.len(),
            10,
            5,
            ", $1, $2, $3, $4",
        );
        exec_tx!(tx, |c| {
            let mut q = sqlx::query(&sql)
                .bind(&course.slug)
                .bind(course.version_id)
                .bind(&course.title)
                .bind(&course.version);
            for p in chunk {
                q = q
                    .bind(p.id)
                    .bind(p.user_id)
                    .bind(p.organisation_id)
                    .bind(p.score_percent)
                    .bind(p.attempt_number)
                    .bind(p.passed_at)
                    .bind(p.expires_at)
                    .bind(&p.certificate_code)
                    .bind(&p.learner_name)
                    .bind(&p.organisation_name);
            }
            q.execute(c).await
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbered_in_order_with_the_shared_tail() {
        assert_eq!(
            insert_sql("INSERT INTO t (a, b, c)", 2, 2, 2, ", $1"),
            "INSERT INTO t (a, b, c) VALUES ($2, $3, $1), ($4, $5, $1)"
        );
        assert_eq!(
            insert_sql("INSERT INTO t (a)", 1, 1, 1, ""),
            "INSERT INTO t (a) VALUES ($1)"
        );
    }
}
