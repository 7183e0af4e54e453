//! Expiry reminders: emails 30 and 7 days before training expires and on the day it does.
//! Each worker scans for reminders due; recording the reminder and queueing its email
//! happen in one transaction guarded by a unique key, so with several instances each
//! reminder is still sent once.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::platform::web::format::long_date;
use crate::{
    exec_tx,
    knowledge::rules::expiry::Reminder,
    platform::{
        db::{Db, now},
        email::{self, Email},
    },
    with_db,
};

/// Most reminders handled in one scan; the next scan picks up the rest.
const BATCH: i64 = 500;

#[derive(Debug, sqlx::FromRow)]
struct Due {
    id: Uuid,
    course_slug: String,
    course_title: String,
    expires_at: OffsetDateTime,
    email: String,
    name: String,
}

/// The window of expiry times in which `kind` is the reminder due at `at`.
fn window(kind: Reminder, at: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    match kind {
        Reminder::ThirtyDays => (at + Duration::days(7), at + Duration::days(30)),
        Reminder::SevenDays => (at, at + Duration::days(7)),
        Reminder::Expired => (at - Duration::days(30), at),
    }
}

fn message(kind: Reminder, d: &Due, public_url: &str) -> Email {
    let when = long_date(d.expires_at);
    let link = format!(
        "{}/training/{}",
        public_url.trim_end_matches('/'),
        d.course_slug
    );
    let (subject, lead) = match kind {
        Reminder::ThirtyDays => (
            format!("Your {} training expires on {when}", d.course_title),
            format!(
                "Your {} training expires on {when}, in about a month.",
                d.course_title
            ),
        ),
        Reminder::SevenDays => (
            format!("Your {} training expires in a week", d.course_title),
            format!(
                "Your {} training expires on {when}, in a week or less.",
                d.course_title
            ),
        ),
        Reminder::Expired => (
            format!("Your {} training has expired", d.course_title),
            format!("Your {} training expired on {when}.", d.course_title),
        ),
    };
    Email {
        to: d.email.clone(),
        subject,
        body: format!(
            "Dear {},\n\n{lead}\n\nTo keep it up to date, take the course again here:\n{link}\n\n\
             It takes about an hour. If you have already done it, you can ignore this email.\n\nCareCERT",
            d.name
        ),
    }
}

/// Sends the reminders due at `at`. Returns how many were queued.
pub async fn scan(db: &Db, public_url: &str, at: OffsetDateTime) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for kind in [Reminder::Expired, Reminder::SevenDays, Reminder::ThirtyDays] {
        let (from, to) = window(kind, at);
        // Only the newest pass of each course counts (a renewed pass silences the old one),
        // only people with an active membership get email, and only if not already sent.
        let due = with_db!(db, |pool| {
            sqlx::query_as::<_, Due>(
            "SELECT c.id, c.course_slug, c.course_title, c.expires_at, u.email, u.name \
             FROM completions c JOIN users u ON u.id = c.user_id \
             WHERE c.expires_at > $1 AND c.expires_at <= $2 \
             AND NOT EXISTS (SELECT 1 FROM training_reminders r WHERE r.completion_id = c.id AND r.kind = $3) \
             AND NOT EXISTS (SELECT 1 FROM completions n WHERE n.user_id = c.user_id \
                 AND n.course_slug = c.course_slug AND n.expires_at > c.expires_at) \
             AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = c.user_id AND m.active) \
             AND u.password_hash IS NOT NULL \
             ORDER BY c.expires_at LIMIT $4"
        )
        .bind(from)
        .bind(to)
        .bind(kind.as_str())
        .bind(BATCH)
        .fetch_all(pool)
        .await
        })?;
        for d in due {
            let mut tx = db.begin().await?;
            let fresh = exec_tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO training_reminders (completion_id, kind, sent_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (completion_id, kind) DO NOTHING"
            )
            .bind(d.id)
            .bind(kind.as_str())
            .bind(now())
            .execute(c)
            .await
            })?;
            if fresh == 1 {
                email::queue(&mut tx, &message(kind, &d, public_url)).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::knowledge::rules::expiry::due_reminder;

    #[test]
    fn the_scan_windows_agree_with_the_reminder_rule() {
        let at = datetime!(2026-06-01 12:00 UTC);
        for hours in (-30 * 24 + 1..=30 * 24).step_by(7) {
            let expires = at + Duration::hours(hours);
            let kind = due_reminder(expires, at).expect("inside the 60-day window");
            let (from, to) = window(kind, at);
            assert!(from < expires && expires <= to, "{hours}h: {kind:?}");
        }
    }
}
