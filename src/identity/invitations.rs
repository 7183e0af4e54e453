//! Invitations: a person added to an organisation gets an email with a one-time link to set
//! their password. The link and its email are written in the same transaction as the
//! membership, so there is never a member without an invitation or the reverse. Emails with
//! a link in them are queued sealed (see [`email::queue_sealed`]): the link is a key to the
//! account, so it must never sit readable in the database.

use time::Duration;
use uuid::Uuid;

use crate::{
    identity::store::{self, LinkPurpose},
    platform::{
        AppState,
        db::Tx,
        email::{self, Email},
    },
};

pub const INVITATION_VALID_FOR: Duration = Duration::days(7);
pub const RESET_VALID_FOR: Duration = Duration::hours(1);

/// Sends an invitation (or, for someone who already has a password, a notice that they
/// were added) to join `organisation_name`.
pub async fn invite(
    tx: &mut Tx,
    state: &AppState,
    user_id: Uuid,
    email_address: &str,
    name: &str,
    has_password: bool,
    organisation_name: &str,
) -> Result<(), sqlx::Error> {
    let token = if has_password {
        None
    } else {
        Some(store::issue_link(tx, LinkPurpose::Invitation, user_id, INVITATION_VALID_FOR).await?)
    };
    let message = invitation_email(
        &state.config.public_url,
        email_address,
        name,
        organisation_name,
        token.as_deref(),
    );
    email::queue_sealed(tx, &state.secrets, &message).await
}

/// The text of an invitation. With `link_token` (someone without a password yet), it
/// carries the link to set a password; without, it tells someone who already has an
/// account that they were added. The only place this text is written: the staff import
/// builds its emails here too, in bulk.
pub fn invitation_email(
    public_url: &str,
    email_address: &str,
    name: &str,
    organisation_name: &str,
    link_token: Option<&str>,
) -> Email {
    let body = match link_token {
        None => format!(
            "Dear {name},\n\nYou have been added to {organisation_name} on CareCERT.\n\n\
             Sign in with your existing email address and password:\n{public_url}/sign-in\n\n\
             If you did not expect this, tell your organisation's security lead.\n"
        ),
        Some(token) => format!(
            "Dear {name},\n\n{organisation_name} has invited you to CareCERT, where you will \
             take your cyber security training and see security information for your organisation.\n\n\
             Set your password using this link within 7 days:\n{public_url}/invitations/{token}\n\n\
             The link works once. If it has expired, ask your security lead to send a new invitation.\n\n\
             If you did not expect this email, you can ignore it.\n"
        ),
    };
    Email {
        to: email_address.to_owned(),
        subject: format!("You have been invited to CareCERT by {organisation_name}"),
        body,
    }
}

/// Sends a password reset link.
pub async fn send_reset(
    tx: &mut Tx,
    state: &AppState,
    user_id: Uuid,
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
