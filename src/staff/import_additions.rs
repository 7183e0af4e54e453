//! Adding a staff import's new people, inside the import's transaction: accounts and
//! memberships for people new to CareCERT, invitations to join for people who already
//! have an account, and the emails that tell each of them. Chunked multi-row statements
//! keep tens of thousands of rows to a few hundred statements on either engine.

use std::collections::HashMap;

use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    import::StaffRow,
    import_store::{CHUNK, ImportRequest, NEW_MEMBER_ROLE},
    joining_store::{self, NewInvitation},
};
use crate::{
    identity::invitations::{INVITATION_VALID_FOR, invitation_email, join_email},
    platform::{
        db::{Tx, new_id},
        email, tokens,
    },
    with_tx,
};

/// Someone new to CareCERT who has just become a member.
#[derive(Debug, Clone)]
pub(super) struct Added {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
}

/// What adding the file's new people did.
#[derive(Debug, Default)]
pub(super) struct Additions {
    pub added: Vec<Added>,
    /// Addresses that already had an account, now asked to join.
    pub asked: Vec<String>,
}

/// Adds each row who is not yet a member. People new to CareCERT get an account (with the
/// file's name) and a membership with the staff role; people who already have an account
/// are asked to join instead (see [`crate::staff::joining`]), and their account is left
/// as it is.
pub(super) async fn add_members(
    tx: &mut Tx,
    request: &ImportRequest<'_>,
    rows: &[StaffRow],
    at: OffsetDateTime,
) -> Result<Additions, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Additions::default());
    }
    // Only the accounts this statement creates are new: an address that already has one
    // (or gets one from another request meanwhile) is not returned.
    let mut created: HashMap<String, Uuid> = HashMap::with_capacity(rows.len());
    with_tx!(tx, |c| {
        for chunk in rows.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO users (id, email, name, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, row| {
                b.push_bind(new_id())
                    .push_bind(row.email.as_str())
                    .push_bind(row.name.as_str())
                    .push_bind(at)
                    .push_bind(at);
            });
            q.push(" ON CONFLICT (email) DO NOTHING RETURNING id, email");
            let ids: Vec<(Uuid, String)> = q.build_query_as().fetch_all(&mut *c).await?;
            created.extend(ids.into_iter().map(|(id, email)| (email, id)));
        }
        Ok::<_, sqlx::Error>(())
    })?;
    let (new, known): (Vec<&StaffRow>, Vec<&StaffRow>) = rows
        .iter()
        .partition(|r| created.contains_key(r.email.as_str()));

    with_tx!(tx, |c| {
        for chunk in new.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO memberships \
                 (id, organisation_id, user_id, role, staff_group, department, active, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, row| {
                b.push_bind(new_id())
                    .push_bind(request.organisation_id)
                    .push_bind(created[row.email.as_str()])
                    .push_bind(NEW_MEMBER_ROLE.as_str())
                    .push_bind(row.staff_group.as_str())
                    .push_bind(row.department.as_deref())
                    .push_bind(true)
                    .push_bind(at)
                    .push_bind(at);
            });
            q.build().execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    let added = new
        .iter()
        .map(|row| Added {
            user_id: created[row.email.as_str()],
            email: row.email.to_string(),
            name: row.name.clone(),
        })
        .collect();

    let mut accounts: HashMap<String, Uuid> = HashMap::with_capacity(known.len());
    with_tx!(tx, |c| {
        for chunk in known.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new("SELECT id, email FROM users WHERE email IN (");
            let mut list = q.separated(", ");
            for row in chunk {
                list.push_bind(row.email.as_str());
            }
            q.push(")");
            let found: Vec<(Uuid, String)> = q.build_query_as().fetch_all(&mut *c).await?;
            accounts.extend(found.into_iter().map(|(id, email)| (email, id)));
        }
        Ok::<_, sqlx::Error>(())
    })?;
    let invitations: Vec<NewInvitation> = known
        .iter()
        .filter_map(|row| {
            Some(NewInvitation {
                organisation_id: request.organisation_id,
                user_id: crate::platform::ids::UserId::from(*accounts.get(row.email.as_str())?),
                email: row.email.as_str(),
                role: NEW_MEMBER_ROLE,
                staff_group: row.staff_group.as_str(),
                department: row.department.as_deref(),
                invited_by: request.actor_user_id,
            })
        })
        .collect();
    let asked_ids = joining_store::ask(tx, &invitations).await?;
    let asked = invitations
        .iter()
        .filter(|i| asked_ids.contains(&i.user_id))
        .map(|i| i.email.to_owned())
        .collect();
    Ok(Additions { added, asked })
}

/// Queues the emails: for each person added, an invitation with a one-time link to set a
/// password (sealed, as it opens the account); for each person asked to join, an
/// invitation to accept after signing in.
pub(super) async fn queue_emails(
    tx: &mut Tx,
    request: &ImportRequest<'_>,
    additions: &Additions,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let links: HashMap<Uuid, String> = additions
        .added
        .iter()
        .map(|a| (a.user_id, tokens::generate()))
        .collect();
    let expires_at = at + INVITATION_VALID_FOR;
    let needing_links: Vec<Uuid> = additions.added.iter().map(|a| a.user_id).collect();
    with_tx!(tx, |c| {
        for chunk in needing_links.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at) ",
            );
            q.push_values(chunk, |mut b, id| {
                b.push_bind(tokens::hash(&links[id]))
                    .push_bind("invitation")
                    .push_bind(*id)
                    .push_bind(at)
                    .push_bind(expires_at);
            });
            q.build().execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;

    let role = NEW_MEMBER_ROLE.label();
    let invitations = additions.added.iter().map(|a| {
        let message = invitation_email(
            request.public_url,
            &a.email,
            &a.name,
            request.organisation_name,
            &links[&a.user_id],
        );
        let id = new_id();
        (
            id,
            Json(email::sealed_payload(request.secrets, id, &message)),
        )
    });
    let asked = additions.asked.iter().map(|address| {
        let message = join_email(request.public_url, address, request.organisation_name, role);
        (
            new_id(),
            Json(serde_json::to_value(&message).unwrap_or_default()),
        )
    });
    let jobs: Vec<(Uuid, Json<serde_json::Value>)> = invitations.chain(asked).collect();
    with_tx!(tx, |c| {
        for chunk in jobs.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, created_at) ",
            );
            q.push_values(chunk, |mut b, (id, payload)| {
                b.push_bind(*id)
                    .push_bind(email::JOB_KIND)
                    .push_bind(payload)
                    .push_bind(at)
                    .push_bind(0i64)
                    .push_bind(crate::platform::jobs::DEFAULT_MAX_ATTEMPTS)
                    .push_bind(at);
            });
            q.build().execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}
