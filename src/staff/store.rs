//! Storage for the people in an organisation (memberships). Every query is scoped by the
//! organisation's id, so one organisation can never read or change another's staff.

use uuid::Uuid;

use crate::{
    exec_tx,
    platform::{
        authz::Role,
        db::{Db, Tx, escape_like, is_unique_violation, new_id, now},
        ids::{OrgId, UserId},
    },
    staff::groups::StaffGroup,
    with_db, with_tx,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub membership_id: Uuid,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub staff_group: StaffGroup,
    pub department: Option<String>,
    pub active: bool,
    pub has_password: bool,
    /// Too many wrong two-step codes in a row: only a recovery code or a national
    /// administrator's unlock lets them in.
    pub two_step_locked: bool,
}

impl MemberRow {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
    pub fn group_label(&self) -> &'static str {
        self.staff_group.label()
    }
    pub fn status(&self) -> &'static str {
        match (self.active, self.has_password) {
            (false, _) => "Deactivated",
            (true, false) => "Invited",
            (true, true) => "Active",
        }
    }
}

macro_rules! select_members {
    ($rest:literal) => {
        concat!(
            "SELECT m.id AS membership_id, u.id AS user_id, u.name, u.email, m.role, m.staff_group, \
             m.department, m.active, (u.password_hash IS NOT NULL) AS has_password, \
             (u.two_step_locked_at IS NOT NULL) AS two_step_locked \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organisation_id = $1 ",
            $rest
        )
    };
}

pub struct MemberSearch<'a> {
    pub text: &'a str,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(
    db: &Db,
    org: OrgId,
    s: &MemberSearch<'_>,
) -> Result<(Vec<MemberRow>, i64), sqlx::Error> {
    let text = s.text.trim().to_lowercase();
    let pattern = format!("%{}%", escape_like(&text));
    let rows = with_db!(db, |pool| sqlx::query_as::<_, MemberRow>(select_members!(
        "AND ($2 = '' OR lower(u.name) LIKE $3 ESCAPE '\\' OR u.email LIKE $3 ESCAPE '\\') \
         ORDER BY m.active DESC, lower(u.name) LIMIT $4 OFFSET $5"
    ))
    .bind(org)
    .bind(&text)
    .bind(&pattern)
    .bind(s.limit)
    .bind(s.offset)
    .fetch_all(pool)
    .await)?;
    let total = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organisation_id = $1 \
         AND ($2 = '' OR lower(u.name) LIKE $3 ESCAPE '\\' OR u.email LIKE $3 ESCAPE '\\')"
    )
    .bind(org)
    .bind(&text)
    .bind(&pattern)
    .fetch_one(pool)
    .await
    })?;
    Ok((rows, total))
}

pub async fn member(
    db: &Db,
    org: OrgId,
    membership_id: Uuid,
) -> Result<Option<MemberRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, MemberRow>(select_members!(
        "AND m.id = $2"
    ))
    .bind(org)
    .bind(membership_id)
    .fetch_optional(pool)
    .await)
}

/// The organisation's security leads (active ones first).
pub async fn leads(db: &Db, org: OrgId) -> Result<Vec<MemberRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, MemberRow>(select_members!(
        "AND m.role = $2 ORDER BY m.active DESC, lower(u.name)"
    ))
    .bind(org)
    .bind(Role::SecurityLead.as_str())
    .fetch_all(pool)
    .await)
}

pub struct NewMembership<'a> {
    pub organisation_id: OrgId,
    pub user_id: UserId,
    pub role: Role,
    pub staff_group: &'a str,
    pub department: Option<&'a str>,
}

/// Adds a person to an organisation. Returns `Ok(None)` if they are already a member.
pub async fn add(tx: &mut Tx, m: &NewMembership<'_>) -> Result<Option<Uuid>, sqlx::Error> {
    let id = new_id();
    let at = now();
    let result = exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO memberships (id, organisation_id, user_id, role, staff_group, department, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    )
    .bind(id)
    .bind(m.organisation_id)
    .bind(m.user_id)
    .bind(m.role.as_str())
    .bind(m.staff_group)
    .bind(m.department)
    .bind(true)
    .bind(at)
    .execute(c)
    .await
    });
    match result {
        Ok(_) => Ok(Some(id)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The membership of a person in an organisation, if any.
pub async fn membership_of(
    tx: &mut Tx,
    org: OrgId,
    user_id: UserId,
) -> Result<Option<(Uuid, String, bool)>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, role, active FROM memberships WHERE organisation_id = $1 AND user_id = $2"
    )
    .bind(org)
    .bind(user_id)
    .fetch_optional(c)
    .await)
}

pub async fn set_role(
    tx: &mut Tx,
    org: OrgId,
    membership_id: Uuid,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let done = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE memberships SET role = $1, updated_at = $2 WHERE organisation_id = $3 AND id = $4"
    )
    .bind(role.as_str())
    .bind(now())
    .bind(org)
    .bind(membership_id)
    .execute(c)
    .await
    })?;
    Ok(done == 1)
}

pub async fn set_active(
    tx: &mut Tx,
    org: OrgId,
    membership_id: Uuid,
    active: bool,
) -> Result<bool, sqlx::Error> {
    let done = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE memberships SET active = $1, updated_at = $2 WHERE organisation_id = $3 AND id = $4"
    )
    .bind(active)
    .bind(now())
    .bind(org)
    .bind(membership_id)
    .execute(c)
    .await
    })?;
    Ok(done == 1)
}

/// Ends the sessions of someone who no longer has any active membership.
pub async fn end_sessions_if_inactive(tx: &mut Tx, user_id: UserId) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM memberships WHERE user_id = $1 AND active = TRUE)"
    )
    .bind(user_id)
    .execute(c)
    .await)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::platform::stored_text::{decode, encode};

    use super::*;

    #[tokio::test]
    async fn roles_and_groups_are_stored_as_before_and_read_strictly() {
        for (role, name) in Role::ALL.into_iter().zip([
            "staff",
            "security_lead",
            "national_analyst",
            "national_admin",
        ]) {
            assert_eq!(encode(role).await.unwrap(), name);
            assert_eq!(decode::<Role>(name).await.unwrap(), role);
        }
        for group in StaffGroup::ALL {
            assert_eq!(encode(group).await.unwrap(), group.as_str());
            assert_eq!(decode::<StaffGroup>(group.as_str()).await.unwrap(), group);
        }
        assert_eq!(StaffGroup::Temporary.as_str(), "temporary");
        assert!(decode::<Role>("admin").await.is_err());
        // People may write "Admin and clerical"; the database holds only the stored value.
        assert!(decode::<StaffGroup>("Admin and clerical").await.is_err());
        assert!(decode::<StaffGroup>("bogus").await.is_err());
    }
}
