//! Outgoing email. Messages are queued as jobs in the same transaction as the change that
//! causes them, then sent by a worker through SMTP or, when no SMTP server is configured,
//! written as `.eml` files to the outbox folder.
//!
//! A message that carries a secret link (an invitation or a password reset) is queued with
//! its body sealed by the server's key, bound to its job, so a copy of the database is never
//! enough to use the link; once sent, every message's body is dropped from its job, which
//! stays only as a record of who was sent what subject.

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::platform::{
    config::Config,
    db::{Tx, new_id},
    jobs,
    secrets::SecretBox,
};

pub const JOB_KIND: &str = "send_email";

/// One message to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What an email job holds. Untagged, so jobs queued as a plain [`Email`] still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    /// A message whose body carries a secret, sealed for its own job.
    Sealed {
        to: String,
        subject: String,
        sealed_body: String,
    },
    Plain(Email),
    /// A message already sent: its body is gone.
    Sent {
        to: String,
        subject: String,
    },
}

/// Queues `email` as part of the transaction `tx`. For a message with a secret link in it,
/// use [`queue_sealed`].
pub async fn queue(tx: &mut Tx, email: &Email) -> Result<(), sqlx::Error> {
    jobs::enqueue(tx, JOB_KIND, email).await
}

/// Queues `email`, whose body holds a secret (a one-time link), with the body sealed.
pub async fn queue_sealed(
    tx: &mut Tx,
    secrets: &SecretBox,
    email: &Email,
) -> Result<(), sqlx::Error> {
    let id = new_id();
    jobs::enqueue_as(tx, id, JOB_KIND, &sealed_payload(secrets, id, email)).await
}

/// The payload of job `job_id` sending `email` with its body sealed, for callers that
/// write jobs in bulk.
pub fn sealed_payload(secrets: &SecretBox, job_id: Uuid, email: &Email) -> serde_json::Value {
    let stored = Stored::Sealed {
        to: email.to.clone(),
        subject: email.subject.clone(),
        sealed_body: secrets.seal(&body_context(job_id), &email.body),
    };
    serde_json::to_value(stored).unwrap_or_default()
}

/// Binds a sealed body to its job, so a sealed body copied into another job does not open.
fn body_context(job_id: Uuid) -> String {
    format!("email:{job_id}")
}

/// The email held in the payload of job `job_id`, its body opened if sealed.
pub fn read_job(
    secrets: &SecretBox,
    job_id: Uuid,
    payload: &serde_json::Value,
) -> anyhow::Result<Email> {
    Ok(match serde_json::from_value::<Stored>(payload.clone())? {
        Stored::Plain(email) => email,
        Stored::Sealed {
            to,
            subject,
            sealed_body,
        } => Email {
            to,
            subject,
            body: secrets.open(&body_context(job_id), &sealed_body)?,
        },
        Stored::Sent { .. } => anyhow::bail!("this email was sent already: its body is gone"),
    })
}

/// What an email job keeps once sent: who it went to and its subject, never the body.
pub fn sent_record(payload: &serde_json::Value) -> serde_json::Value {
    let (to, subject) = match serde_json::from_value::<Stored>(payload.clone()) {
        Ok(Stored::Sealed { to, subject, .. } | Stored::Sent { to, subject }) => (to, subject),
        Ok(Stored::Plain(e)) => (e.to, e.subject),
        Err(_) => (String::new(), String::new()),
    };
    serde_json::to_value(Stored::Sent { to, subject }).unwrap_or_default()
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!("mail_from {:?} is not an address: {e}", config.mail_from)
        })?;
        Ok(match &config.smtp_url {
            Some(url) => Mailer::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build(),
                from,
            },
            None => {
                std::fs::create_dir_all(&config.outbox_dir)?;
                Mailer::Outbox {
                    transport: AsyncFileTransport::new(&config.outbox_dir),
                    from,
                }
            }
        })
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Mailer::Smtp { .. } => "SMTP",
            Mailer::Outbox { .. } => "outbox folder",
        }
    }

    /// Sends the email held in the payload of job `job_id`.
    pub async fn send_job(
        &self,
        secrets: &SecretBox,
        job_id: Uuid,
        payload: &serde_json::Value,
    ) -> anyhow::Result<()> {
        self.send(&read_job(secrets, job_id, payload)?).await
    }

    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(email.to.parse()?)
            .subject(&email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Mailer::Outbox { transport, .. } => {
                transport.send(message).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation() -> Email {
        Email {
            to: "ann@nhs.net".into(),
            subject: "You have been invited".into(),
            body: "Set your password: https://carecert.test/invitations/SECRET-LINK".into(),
        }
    }

    #[test]
    fn a_sealed_body_is_not_readable_and_opens_only_for_its_job() {
        let secrets = SecretBox::random();
        let job = new_id();
        let payload = sealed_payload(&secrets, job, &invitation());
        assert!(!payload.to_string().contains("SECRET-LINK"));
        assert_eq!(
            read_job(&secrets, job, &payload).unwrap().body,
            invitation().body
        );
        assert!(read_job(&secrets, new_id(), &payload).is_err());
        assert!(read_job(&SecretBox::random(), job, &payload).is_err());
    }

    #[test]
    fn a_sent_record_keeps_the_address_and_subject_only() {
        let secrets = SecretBox::random();
        for payload in [
            sealed_payload(&secrets, new_id(), &invitation()),
            serde_json::to_value(invitation()).unwrap(),
        ] {
            let record = sent_record(&payload);
            assert_eq!(
                record,
                serde_json::json!({"to": "ann@nhs.net", "subject": "You have been invited"})
            );
        }
    }
}
