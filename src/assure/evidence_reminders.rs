//! Reminding each piece of evidence's owner by email, 30 days before it expires, so the
//! assessment is not left relying on an expired certificate or policy. Claiming the reminder
//! and queueing its email happen in one transaction, so with several instances scanning,
//! each owner is emailed once per expiry date.

use time::{Duration, OffsetDateTime};

use crate::{
    assure::{
        pages::evidence::evidence_path,
        rules::evidence::{REMINDER_DAYS, reminder_due},
        store::evidence::{self as store, Expiring},
    },
    platform::{
        db::Db,
        email::{self, Email},
        web::format::long_date,
    },
};

fn message(e: &Expiring, public_url: &str, today: time::Date) -> Email {
    let when = long_date(e.expires_on);
    let link = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        evidence_path(e.organisation_id, e.id)
    );
    let (subject, lead) = if e.expires_on < today {
        (
            format!("Evidence has expired: {}", e.title),
            format!("The evidence “{}” expired on {when}.", e.title),
        )
    } else {
        (
            format!("Evidence expires on {when}: {}", e.title),
            format!("The evidence “{}” expires on {when}.", e.title),
        )
    };
    Email {
        to: e.owner_email.clone(),
        subject,
        body: format!(
            "Dear {},\n\n{lead} Assessments that rely on it will show it as expired.\n\n\
             Upload a current version, or record a new expiry date, here:\n{link}\n\nCareCERT",
            e.owner_name
        ),
    }
}

/// Queues the reminders due at `at`; returns how many.
pub async fn scan(db: &Db, public_url: &str, at: OffsetDateTime) -> anyhow::Result<usize> {
    let today = at.date();
    let mut sent = 0;
    for e in store::expiring_by(db, today + Duration::days(REMINDER_DAYS)).await? {
        let reminded_on = e.reminded_at.map(|t| t.date());
        if !reminder_due(Some(e.expires_on), reminded_on, today) {
            continue;
        }
        let mut tx = db.begin().await?;
        if store::claim_reminder(&mut tx, e.id, e.reminded_at, at).await? {
            email::queue(&mut tx, &message(&e, public_url, today)).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}
