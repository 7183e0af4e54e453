//! Outgoing email. Messages are queued as jobs in the same transaction as the change that
//! causes them, then sent by a worker through SMTP or, when no SMTP server is configured,
//! written as `.eml` files to the outbox folder.

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use serde::{Deserialize, Serialize};

use crate::platform::{config::Config, db::Tx, jobs};

pub const JOB_KIND: &str = "send_email";

/// One message to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `email` as part of the transaction `tx`.
pub async fn queue(tx: &mut Tx, email: &Email) -> Result<(), sqlx::Error> {
    jobs::enqueue(tx, JOB_KIND, email).await
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

    /// Sends the email held in a job's payload.
    pub async fn send_job(&self, payload: &serde_json::Value) -> anyhow::Result<()> {
        let email: Email = serde_json::from_value(payload.clone())?;
        self.send(&email).await
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
