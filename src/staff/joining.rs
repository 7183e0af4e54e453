//! Adding a person to an organisation, the one way every form and import does it.
//!
//! Someone new to CareCERT becomes a member at once and is emailed a link to set a
//! password. Someone who already has an account, whatever organisation they are in (the
//! national team included), is only asked: they become a member when they sign in and
//! accept. Until then the inviting organisation sees only the address it typed, none of
//! the account's details or training, and can change nothing about them; and an
//! organisation never renames an existing account.

use crate::{
    identity::{invitations, store as identity_store},
    platform::{
        AppState,
        authz::Role,
        db::Tx,
        email,
        ids::{OrgId, UserId},
    },
    staff::{
        joining_store::{self, NewInvitation},
        store::{self, NewMembership},
    },
};

/// Someone an organisation wants to add.
#[derive(Debug, Clone)]
pub struct Newcomer<'a> {
    pub organisation_id: OrgId,
    pub organisation_name: &'a str,
    /// Lower-cased already.
    pub email: &'a str,
    /// The name the organisation typed: used only if the account is new.
    pub name: &'a str,
    pub role: Role,
    pub staff_group: &'a str,
    pub department: Option<&'a str>,
    pub invited_by: Option<UserId>,
}

/// What adding someone did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new account and membership; a link to set a password is on its way.
    Added,
    /// The address has an account: it was asked to join.
    Asked,
    AlreadyMember,
    AlreadyAsked,
}

/// Adds `n` to their organisation, or asks them to join if they already have an account.
pub async fn add_or_ask(
    tx: &mut Tx,
    state: &AppState,
    n: &Newcomer<'_>,
) -> Result<Outcome, sqlx::Error> {
    if let Some(user_id) = identity_store::create_if_new(tx, n.email, n.name).await? {
        store::add(
            tx,
            &NewMembership {
                organisation_id: n.organisation_id,
                user_id,
                role: n.role,
                staff_group: n.staff_group,
                department: n.department,
            },
        )
        .await?;
        invitations::invite(tx, state, user_id, n.email, n.name, n.organisation_name).await?;
        return Ok(Outcome::Added);
    }
    let Some(user_id) = identity_store::user_id_by_email(tx, n.email).await? else {
        return Err(sqlx::Error::RowNotFound);
    };
    if store::membership_of(tx, n.organisation_id, user_id)
        .await?
        .is_some()
    {
        return Ok(Outcome::AlreadyMember);
    }
    let asked = joining_store::ask(
        tx,
        &[NewInvitation {
            organisation_id: n.organisation_id,
            user_id,
            email: n.email,
            role: n.role,
            staff_group: n.staff_group,
            department: n.department,
            invited_by: n.invited_by,
        }],
    )
    .await?;
    if asked.is_empty() {
        return Ok(Outcome::AlreadyAsked);
    }
    let message = invitations::join_email(
        &state.config.public_url,
        n.email,
        n.organisation_name,
        n.role.label(),
    );
    email::queue(tx, &message).await?;
    Ok(Outcome::Asked)
}
