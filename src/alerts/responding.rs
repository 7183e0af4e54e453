//! Recording an organisation's response to an advisory: acknowledge, decide applicability,
//! remediate with progress updates, close. One person may respond for several
//! organisations: those they are security lead of, and the organisations under them (an
//! integrated care board for its GP practices, a shared IT service for its clients).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::{
        access,
        model::{AdvisoryStatus, ResponseState},
        rules::{
            deadlines,
            responses::{self, Action, ResponseError},
        },
        store::{advisories, responses as store, scope},
    },
    audit::{self, NewEvent},
    platform::{
        authz::Principal,
        db::Db,
        ids::{OrgId, UserId},
        secrets::SecretBox,
    },
};

/// Why a response could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    /// The advisory is not addressed to that organisation, or the person cannot respond for
    /// it. Reported as "not found" so nothing leaks about other organisations.
    #[error("That advisory is not addressed to your organisation")]
    NotAddressed,
    #[error(transparent)]
    Rule(#[from] ResponseError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The organisations `p` can respond for, with their names, ordered by name.
pub async fn responder_organisations(
    db: &Db,
    p: &Principal,
) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    let led: Vec<OrgId> = p.led_organisations().map(|m| m.organisation_id).collect();
    scope::with_children(db, &led).await
}

/// Whether `p` can respond for `org`.
pub async fn can_respond(db: &Db, p: &Principal, org: OrgId) -> Result<bool, sqlx::Error> {
    Ok(responder_organisations(db, p)
        .await?
        .iter()
        .any(|(id, _)| *id == org))
}

/// Records `action` for `org`, checking the rules, in one transaction with its timeline
/// entry and audit event. Returns the new state.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    secrets: &SecretBox,
    who: &Principal,
    ip: &str,
    advisory: Uuid,
    org: OrgId,
    action: &Action,
    at: OffsetDateTime,
) -> Result<ResponseState, RespondError> {
    if !can_respond(db, who, org).await? {
        return Err(RespondError::NotAddressed);
    }
    // Responding shows the advisory, so its TLP label decides too: the lead of a parent
    // organisation does not respond to a TLP:AMBER+STRICT or TLP:RED one for a child.
    let adv = advisories::find(db, advisory)
        .await?
        .ok_or(RespondError::NotAddressed)?;
    if !access::addressed_organisations(db, who, &adv)
        .await?
        .iter()
        .any(|(id, _)| *id == org)
    {
        return Err(RespondError::NotAddressed);
    }
    let actor = Actor {
        user_id: Some(who.user_id),
        label: &who.email,
        token_name: None,
    };
    save_action(db, secrets, &actor, ip, advisory, org, action, at).await
}

/// One of an organisation's API tokens, as it is named on the timeline and in the audit log.
#[derive(Debug, Clone, Copy)]
pub struct ApiToken<'a> {
    /// The name a security lead gave the token, e.g. "SOC integration".
    pub name: &'a str,
    /// The characters of the secret kept in clear to tell tokens apart.
    pub prefix: &'a str,
}

/// Records `action` for `org` on behalf of one of `org`'s own API tokens. The token speaks
/// for its organisation, so there is no person to check; otherwise as [`record`]: the same
/// rules, and one transaction with the timeline entry (no person; the note names the token)
/// and the audit event (the actor is the token).
#[allow(clippy::too_many_arguments)]
pub async fn record_for_token(
    db: &Db,
    secrets: &SecretBox,
    token: ApiToken<'_>,
    ip: &str,
    advisory: Uuid,
    org: OrgId,
    action: &Action,
    at: OffsetDateTime,
) -> Result<ResponseState, RespondError> {
    let label = token_actor_label(token.prefix);
    let actor = Actor {
        user_id: None,
        label: &label,
        token_name: Some(token.name),
    };
    save_action(db, secrets, &actor, ip, advisory, org, action, at).await
}

/// How an API token appears as the actor of an audit event.
pub fn token_actor_label(prefix: &str) -> String {
    format!("api-token:{prefix}")
}

/// The timeline note of an action recorded through an API token: people reading the
/// timeline see which system acted, since no person did.
fn token_note(note: &str, token_name: &str) -> String {
    if note.is_empty() {
        format!("Recorded through the API token \"{token_name}\"")
    } else {
        format!("{note} (recorded through the API token \"{token_name}\")")
    }
}

/// Who is recording a response.
struct Actor<'a> {
    /// The person, when a person acts.
    user_id: Option<UserId>,
    label: &'a str,
    /// The API token's name, when a token acts.
    token_name: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
async fn save_action(
    db: &Db,
    secrets: &SecretBox,
    actor: &Actor<'_>,
    ip: &str,
    advisory: Uuid,
    org: OrgId,
    action: &Action,
    at: OffsetDateTime,
) -> Result<ResponseState, RespondError> {
    let mut tx = db.begin().await?;
    let adv = advisories::lock_shared(&mut tx, advisory)
        .await?
        .ok_or(RespondError::NotAddressed)?;
    let mut row = store::lock(&mut tx, advisory, org)
        .await?
        .ok_or(RespondError::NotAddressed)?;
    let withdrawn = adv.status == AdvisoryStatus::Withdrawn;
    let next = responses::apply(row.state, withdrawn, action)?;
    let mut note = apply_fields(&mut row, actor.user_id, action, at)?;
    if let Some(name) = actor.token_name {
        note = token_note(&note, name);
    }
    row.state = next;
    row.updated_at = at;
    store::save(&mut tx, &row).await?;
    store::add_event(
        &mut tx,
        advisory,
        org,
        actor.user_id,
        responses::EventKind::of(action),
        &note,
        at,
    )
    .await?;
    audit::record(
        &mut tx,
        secrets,
        NewEvent {
            actor_user_id: actor.user_id,
            actor_label: actor.label,
            organisation_id: Some(org),
            event: "alerts.response",
            detail: serde_json::json!({
                "advisory": adv.reference,
                "action": responses::event_label(action),
                "state": next.as_str(),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// Sets the dated fields an action changes; returns the note for the timeline.
fn apply_fields(
    row: &mut store::ResponseRow,
    by: Option<UserId>,
    action: &Action,
    at: OffsetDateTime,
) -> Result<String, ResponseError> {
    let days = |d: &Option<i64>| -> Result<i64, ResponseError> {
        match d {
            Some(d) => deadlines::check_update_days(*d).map_err(ResponseError::UpdateDays),
            None => Ok(row_days(row)),
        }
    };
    Ok(match action {
        Action::Acknowledge => {
            row.acknowledged_at = Some(at);
            row.acknowledged_by = by;
            String::new()
        }
        Action::Applies { next_update_days } => {
            let d = days(next_update_days)?;
            row.update_days = d;
            row.decided_at = Some(at);
            row.reason = None;
            row.next_update_due_at = Some(deadlines::next_update_due(at, Some(d)));
            format!(
                "Next update due in {d} day{}",
                if d == 1 { "" } else { "s" }
            )
        }
        Action::DoesNotApply { reason } => {
            row.decided_at = Some(at);
            row.reason = Some(reason.trim().to_owned());
            row.closed_at = Some(at);
            row.next_update_due_at = None;
            reason.trim().to_owned()
        }
        Action::Update {
            note,
            next_update_days,
        } => {
            let d = days(next_update_days)?;
            row.update_days = d;
            row.next_update_due_at = Some(deadlines::next_update_due(at, Some(d)));
            note.trim().to_owned()
        }
        Action::CloseRemediated { note } => {
            row.closed_at = Some(at);
            row.next_update_due_at = None;
            note.trim().to_owned()
        }
        Action::AcceptRisk { owner, reason } => {
            row.decided_at = row.decided_at.or(Some(at));
            row.closed_at = Some(at);
            row.risk_owner = Some(owner.trim().to_owned());
            row.reason = Some(reason.trim().to_owned());
            row.next_update_due_at = None;
            format!("Risk owner: {}. {}", owner.trim(), reason.trim())
        }
        Action::Reopen { reason } => {
            row.closed_at = None;
            if row.state != ResponseState::NotApplicable {
                row.next_update_due_at = Some(deadlines::next_update_due(at, Some(row_days(row))));
            }
            reason.trim().to_owned()
        }
    })
}

fn row_days(row: &store::ResponseRow) -> i64 {
    if row.update_days > 0 {
        row.update_days
    } else {
        deadlines::DEFAULT_UPDATE_DAYS
    }
}

/// The result of acting for several organisations at once.
#[derive(Debug, Default)]
pub struct Bulk {
    pub done: Vec<String>,
    /// Organisation name and why it was not done.
    pub skipped: Vec<(String, String)>,
}

/// Records the same action for several organisations. Each is its own transaction, so one
/// organisation that has already responded does not stop the others.
#[allow(clippy::too_many_arguments)]
pub async fn record_many(
    db: &Db,
    secrets: &SecretBox,
    who: &Principal,
    ip: &str,
    advisory: Uuid,
    orgs: &[(OrgId, String)],
    action: &Action,
    at: OffsetDateTime,
) -> Result<Bulk, sqlx::Error> {
    let mut out = Bulk::default();
    for (org, name) in orgs {
        match record(db, secrets, who, ip, advisory, *org, action, at).await {
            Ok(_) => out.done.push(name.clone()),
            Err(RespondError::Db(e)) => return Err(e),
            Err(e) => out.skipped.push((name.clone(), e.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_actions_name_the_token_on_the_timeline() {
        assert_eq!(
            token_note("", "SOC integration"),
            "Recorded through the API token \"SOC integration\""
        );
        assert_eq!(
            token_note("We do not run Log4j", "SOC integration"),
            "We do not run Log4j (recorded through the API token \"SOC integration\")"
        );
        assert_eq!(token_actor_label("AbCd1234"), "api-token:AbCd1234");
    }
}
