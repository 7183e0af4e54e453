//! Storage for invitations to join an organisation, sent to people who already have a
//! CareCERT account. The invitation holds the address the organisation typed and the role
//! and staff group it offers; the person becomes a member only by accepting it.

use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    platform::{
        authz::Role,
        db::{Db, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    staff::groups::StaffGroup,
    with_db, with_tx,
};

/// Invitations per multi-row insert (8 parameters each, well inside both engines' limits).
const CHUNK: usize = 500;

/// An invitation as the inviting organisation sees it: the address it typed, nothing of
/// the account behind it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
}

impl Waiting {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }

    pub fn asked_on(&self) -> String {
        crate::platform::web::format::long_date(self.created_at)
    }
}

/// An invitation as the invited person sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    pub organisation_id: OrgId,
    pub organisation_name: String,
    pub role: Role,
    pub staff_group: StaffGroup,
    pub department: Option<String>,
}

impl Invitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

/// An invitation to write.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub organisation_id: OrgId,
    pub user_id: UserId,
    pub email: &'a str,
    pub role: Role,
    pub staff_group: &'a str,
    pub department: Option<&'a str>,
    pub invited_by: Option<UserId>,
}

/// Writes invitations, leaving alone anyone already invited to the same organisation.
/// Returns the people newly invited.
pub async fn ask(
    tx: &mut Tx,
    invitations: &[NewInvitation<'_>],
) -> Result<HashSet<UserId>, sqlx::Error> {
    let at = now();
    let mut asked = HashSet::with_capacity(invitations.len());
    with_tx!(tx, |c| {
        for chunk in invitations.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO membership_invitations (id, organisation_id, user_id, email, role, \
                 staff_group, department, invited_by, created_at) ",
            );
            q.push_values(chunk, |mut b, i| {
                b.push_bind(new_id())
                    .push_bind(i.organisation_id)
                    .push_bind(i.user_id)
                    .push_bind(i.email)
                    .push_bind(i.role.as_str())
                    .push_bind(i.staff_group)
                    .push_bind(i.department)
                    .push_bind(i.invited_by)
                    .push_bind(at);
            });
            q.push(" ON CONFLICT (organisation_id, user_id) DO NOTHING RETURNING user_id");
            let ids: Vec<(UserId,)> = q.build_query_as().fetch_all(&mut *c).await?;
            asked.extend(ids.into_iter().map(|(id,)| id));
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(asked)
}

/// The invitations an organisation has sent that are not yet answered, oldest first.
pub async fn waiting_in(db: &Db, org: OrgId) -> Result<Vec<Waiting>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Waiting>(
        "SELECT id, email, role, created_at FROM membership_invitations \
         WHERE organisation_id = $1 ORDER BY created_at, email"
    )
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// Removes organisation `org`'s invitation `id`, returning the address it was sent to; none
/// if it was answered already or is another organisation's.
pub async fn withdraw(tx: &mut Tx, org: OrgId, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    with_tx!(tx, |c| sqlx::query_scalar(
        "DELETE FROM membership_invitations WHERE id = $1 AND organisation_id = $2 \
         RETURNING email"
    )
    .bind(id)
    .bind(org)
    .fetch_optional(&mut *c)
    .await)
}

/// The invitations a person has not yet answered.
pub async fn for_person(db: &Db, user_id: UserId) -> Result<Vec<Invitation>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Invitation>(
        "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.role, i.staff_group, \
         i.department FROM membership_invitations i \
         JOIN organisations o ON o.id = i.organisation_id \
         WHERE i.user_id = $1 ORDER BY o.name"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// Removes invitation `id` if it is `user_id`'s, returning it: whether it is then accepted
/// or declined, it is answered once.
pub async fn take(
    tx: &mut Tx,
    id: Uuid,
    user_id: UserId,
) -> Result<Option<Invitation>, sqlx::Error> {
    with_tx!(tx, |c| {
        let found = sqlx::query_as::<_, Invitation>(
            "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.role, i.staff_group, \
             i.department FROM membership_invitations i \
             JOIN organisations o ON o.id = i.organisation_id \
             WHERE i.id = $1 AND i.user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await?;
        let removed =
            sqlx::query("DELETE FROM membership_invitations WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .execute(&mut *c)
                .await?
                .rows_affected();
        Ok(found.filter(|_| removed == 1))
    })
}

/// Invitations an organisation is still waiting on: people new to CareCERT who have not
/// set their password, and people with an account who have not answered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pending {
    pub organisation_id: OrgId,
    pub not_set_up: i64,
    pub not_answered: i64,
}

/// [`Pending`] for each of `orgs`, counted by the database (an organisation can have
/// 20,000 staff, so the people are never loaded).
pub async fn pending_in(db: &Db, orgs: &[OrgId]) -> Result<Vec<Pending>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, |pool| {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT o.id AS organisation_id, \
             (SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
              WHERE m.organisation_id = o.id AND m.active = TRUE AND u.password_hash IS NULL) \
              AS not_set_up, \
             (SELECT COUNT(*) FROM membership_invitations i WHERE i.organisation_id = o.id) \
              AS not_answered \
             FROM organisations o WHERE o.id IN (",
        );
        let mut sep = q.separated(", ");
        for id in orgs {
            sep.push_bind(*id);
        }
        q.push(")");
        q.build_query_as::<Pending>().fetch_all(pool).await
    })
}
