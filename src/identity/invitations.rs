//! Invitations: a person new to CareCERT, added to an organisation, gets an email with a
//! one-time link to set their password; someone who already has an account gets an
//! invitation to join, which they accept after signing in. Each email is written in the
//! same transaction as the membership or invitation, so there is never one without the other. Emails with
//! a link in them are queued sealed (see [`email::queue_sealed`]): the link is a key to the
//! account, so it must never sit readable in the database.

use time::Duration;

use crate::{
    identity::store::{self, LinkPurpose},
    platform::{
        AppState,
        db::Tx,
        email::{self, Email},
        ids::UserId,
    },
};

pub const INVITATION_VALID_FOR: Duration = Duration::days(7);
pub const RESET_VALID_FOR: Duration = Duration::hours(1);

/// Sends someone new to CareCERT, just added to `organisation_name`, a link to set their
/// password.
pub async fn invite(
    tx: &mut Tx,
    state: &AppState,
    user_id: UserId,
    email_address: &str,
    name: &str,
    organisation_name: &str,
) -> Result<(), sqlx::Error> {
    let token =
        store::issue_link(tx, LinkPurpose::Invitation, user_id, INVITATION_VALID_FOR).await?;
    let message = invitation_email(
        &state.config.public_url,
        email_address,
        name,
        organisation_name,
        &token,
    );
    email::queue_sealed(tx, &state.secrets, &message).await
}

/// The text of an invitation for someone new, with the link to set a password. The only
/// place this text is written: the staff import builds its emails here too, in bulk.
pub fn invitation_email(
    public_url: &str,
    email_address: &str,
    name: &str,
    organisation_name: &str,
    link_token: &str,
) -> Email {
    Email {
        to: email_address.to_owned(),
        subject: format!("You have been invited to CareCERT by {organisation_name}"),
        body: format!(
            "Dear {name},\n\n{organisation_name} has invited you to CareCERT, where you will \
             take your cyber security training and see security information for your organisation.\n\n\
             Set your password using this link within 7 days:\n{public_url}/invitations/{link_token}\n\n\
             The link works once. If it has expired, ask your security lead to send a new invitation.\n\n\
             If you did not expect this email, you can ignore it.\n"
        ),
    }
}

/// The text of an invitation to join an organisation, for someone who already has an
/// account. It greets no one by name: the name an organisation typed is not theirs to give
/// an existing account. Accepting needs signing in, so the email carries no secret.
pub fn join_email(
    public_url: &str,
    email_address: &str,
    organisation_name: &str,
    role_label: &str,
) -> Email {
    Email {
        to: email_address.to_owned(),
        subject: format!("{organisation_name} has asked you to join them on CareCERT"),
        body: format!(
            "Hello,\n\n{organisation_name} has asked you to join them on CareCERT, as \
             {role}.\n\nYou are not a member until you accept. Sign in to your CareCERT account \
             to accept or decline:\n{public_url}/account\n\n\
             If you do not know {organisation_name}, decline, and tell your own security lead.\n",
            role = role_label.to_lowercase()
        ),
    }
}

/// Sends a password reset link.
pub async fn send_reset(
    tx: &mut Tx,
    state: &AppState,
    user_id: UserId,
    email_address: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    let token = store::issue_link(tx, LinkPurpose::PasswordReset, user_id, RESET_VALID_FOR).await?;
    email::queue_sealed(
        tx,
        &state.secrets,
        &Email {
            to: email_address.to_owned(),
            subject: "Reset your CareCERT password".to_owned(),
            body: format!(
                "Dear {name},\n\nSomeone asked to reset the password of your CareCERT account. \
                 If it was you, choose a new password using this link within 1 hour:\n\
                 {}/password-reset/{token}\n\nIf it was not you, ignore this email: your \
                 password has not changed.\n",
                state.config.public_url
            ),
        },
    )
    .await
}
