//! "Remind all" on an organisation's training dashboard: one email to each overdue member of
//! staff who can sign in, within the limits of
//! [`reminder_limits`](crate::knowledge::rules::reminder_limits): once a day per
//! organisation, and at most once a week per person whichever organisation asks. The limits
//! are claimed in the transaction that queues the emails, so a refused or empty request
//! changes nothing and two clicks on two instances send once.

use axum::{extract::State, response::Response};

use crate::platform::web::format::date_and_time;
use crate::{
    audit::{self, NewEvent},
    knowledge::{
        dashboard::{mandatory_course, reminder_email, with_coverage},
        rules::reminder_limits::{ORGANISATION_EVERY, PERSON_EVERY},
        store::{reminder_limits as limits, reports},
    },
    platform::{
        AppState,
        db::now,
        email,
        error::{AppError, AppResult},
        ids::UserId,
        limits::{Allowance, allowance, cutoff},
        tenancy::{Lead, OrgScope},
        web::{client::ClientIp, cookies::redirect_with_notice},
    },
};

/// What the dashboard says while the organisation must wait: when it may send again.
pub fn wait_message(again_from: time::OffsetDateTime) -> String {
    format!(
        "Reminders were sent to overdue staff in the last 24 hours. You can send them again from {}.",
        date_and_time(again_from)
    )
}

/// What a sent reminder says: how many were sent, and how many were left out because they
/// had one recently.
pub fn sent_message(sent: usize, recently_reminded: usize) -> String {
    let mut message = format!(
        "Reminder sent to {sent} overdue member{} of staff",
        if sent == 1 { "" } else { "s" }
    );
    if recently_reminded > 0 {
        message.push_str(&format!(
            ". {recently_reminded} other{} had a reminder in the last 7 days, so {} not sent another",
            if recently_reminded == 1 { "" } else { "s" },
            if recently_reminded == 1 { "was" } else { "were" },
        ));
    }
    message
}

pub async fn remind(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org = with_coverage(org)?;
    let org_id = org.id;
    let Some((slug, title)) = mandatory_course(&state).await? else {
        return Err(AppError::Conflict(
            "There is no mandatory course yet, so there is no training to remind staff about."
                .into(),
        ));
    };
    let back = format!("/organisations/{org_id}/training");
    let notice = |message: &str| redirect_with_notice(state.config.is_https(), &back, message);
    let at = now();
    let mut tx = state.db.begin().await?;
    if !limits::claim_organisation(&mut tx, org_id, at, cutoff(at, ORGANISATION_EVERY)).await? {
        drop(tx);
        let last = limits::organisation_last_sent(&state.db, org_id).await?;
        let message = match allowance(last, at, ORGANISATION_EVERY) {
            Allowance::NotUntil(again) => wait_message(again),
            // Another request has just sent them: the 24 hours start now.
            Allowance::Allowed => wait_message(at + ORGANISATION_EVERY),
        };
        return Ok(notice(&message));
    }
    let recipients = reports::overdue_recipients(&mut tx, org_id, &slug, at).await?;
    if recipients.is_empty() {
        drop(tx);
        return Ok(notice(
            "Nobody needed a reminder: everyone who can sign in is trained",
        ));
    }
    let ids: Vec<UserId> = recipients.iter().map(|r| r.user_id).collect();
    let claimed = limits::claim_people(&mut tx, &ids, at, cutoff(at, PERSON_EVERY)).await?;
    let (to_send, recent): (Vec<_>, Vec<_>) = recipients
        .iter()
        .partition(|r| claimed.contains(&r.user_id));
    if to_send.is_empty() {
        drop(tx);
        return Ok(notice(
            "Everyone overdue had a reminder in the last 7 days, so no reminder was sent",
        ));
    }
    for r in &to_send {
        let message = reminder_email(
            &state.config.public_url,
            &org.name,
            &title,
            &r.name,
            &r.email,
        );
        email::queue(&mut tx, &message).await?;
    }
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "training.reminders_sent",
            detail: serde_json::json!({
                "count": to_send.len(),
                "recently_reminded": recent.len(),
                "course": slug,
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(notice(&sent_message(to_send.len(), recent.len())))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn messages_say_how_many_and_when() {
        assert_eq!(
            sent_message(1, 0),
            "Reminder sent to 1 overdue member of staff"
        );
        assert_eq!(
            sent_message(2, 1),
            "Reminder sent to 2 overdue members of staff. 1 other had a reminder in the last 7 days, so was not sent another"
        );
        assert_eq!(
            wait_message(datetime!(2026-12-04 09:05 UTC)),
            "Reminders were sent to overdue staff in the last 24 hours. You can send them again from 4 December 2026 at 09:05 UTC."
        );
    }
}
