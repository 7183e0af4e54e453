//! The escalation ladder, run by every instance's job worker: a reminder to the
//! organisation's security leads before the acknowledgement deadline, then at the deadline
//! an overdue notice to them and an escalation to the leads of the parent organisation,
//! and a notice whenever a remediation update is overdue. The national team's overdue list
//! is the analyst dashboard. Each notice is claimed and its emails queued in one
//! transaction, so each is sent once however many instances scan. Analysts can also chase
//! every silent organisation at once from the dashboard.

use std::collections::{BTreeMap, HashMap};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    alerts::{
        emails::{self, About},
        model::{AdvisoryContent, AdvisoryStatus, ResponseState},
        rules::deadlines::{self, Cycle, Notice, ResponseClock},
        store::{
            advisories::{self, AdvisoryRow},
            notices,
            responses::{self, ResponseRow},
        },
    },
    platform::{
        db::Db,
        email::{self, Email},
        ids::OrgId,
        limits::{Allowance, allowance, cutoff},
    },
};

/// Most responses looked at in one scan; the next scan picks up the rest.
const BATCH: i64 = 1000;

/// How far ahead of a deadline a reminder can fall: a quarter of the longest window allowed.
const HORIZON: Duration = Duration::hours(180);

/// Sends every notice due at `at`. Returns how many emails were queued.
pub async fn scan(db: &Db, public_url: &str, at: OffsetDateTime) -> Result<usize, sqlx::Error> {
    let due = responses::due_for_scan(db, at, at + HORIZON, BATCH).await?;
    let mut cache: HashMap<Uuid, Option<AdvisoryRow>> = HashMap::new();
    let mut sent = 0;
    for r in due {
        if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(r.advisory_id) {
            slot.insert(advisories::find(db, r.advisory_id).await?);
        }
        let Some(Some(adv)) = cache.get(&r.advisory_id) else {
            continue;
        };
        let content = &adv.content;
        let clock = ResponseClock {
            state: r.state,
            ack_required: content.ack_required,
            published_at: r.targeted_at,
            ack_due_at: r.ack_due_at,
            next_update_due_at: r.next_update_due_at,
            withdrawn: adv.status != AdvisoryStatus::Published,
        };
        for notice in deadlines::notices_due(&clock, at) {
            sent += send(db, adv, content, &r, notice, at, public_url).await?;
        }
    }
    Ok(sent)
}

/// Claims one notice and queues its emails, in one transaction.
async fn send(
    db: &Db,
    adv: &AdvisoryRow,
    content: &AdvisoryContent,
    r: &ResponseRow,
    notice: Notice,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<usize, sqlx::Error> {
    let org = r.organisation_id;
    let cycle = match (notice, r.next_update_due_at) {
        (Notice::UpdateOverdue, Some(d)) => deadlines::update_cycle_key(d),
        _ => Cycle::Number(1),
    };
    let mut tx = db.begin().await?;
    let names = notices::organisation_names(&mut tx, &[org]).await?;
    let org_name = names.get(&org).cloned().unwrap_or_default();
    let about = About::new(adv.label(), content, r.ack_due_at, public_url);
    let mails: Vec<Email> = match notice {
        Notice::ParentOverdue => {
            let parents = notices::parents(&mut tx, &[org]).await?;
            match parents.first() {
                Some((_, parent, parent_name)) => notices::contacts(&mut tx, &[*parent])
                    .await?
                    .iter()
                    .map(|c| {
                        emails::parent_overdue(
                            &about,
                            parent_name,
                            std::slice::from_ref(&org_name),
                            &c.email,
                            &c.name,
                        )
                    })
                    .collect(),
                None => Vec::new(),
            }
        }
        _ => notices::contacts(&mut tx, &[org])
            .await?
            .iter()
            .map(|c| match notice {
                Notice::Reminder => emails::reminder(&about, &org_name, &c.email, &c.name),
                Notice::UpdateOverdue => {
                    emails::update_overdue(&about, &org_name, &c.email, &c.name)
                }
                _ => emails::overdue(&about, &org_name, &c.email, &c.name),
            })
            .collect(),
    };
    if !notices::claim(&mut tx, adv.id, org, notice, cycle, mails.len() as i64, at).await? {
        return Ok(0);
    }
    for m in &mails {
        email::queue(&mut tx, m).await?;
    }
    tx.commit().await?;
    Ok(mails.len())
}

/// What a dashboard escalation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chased {
    pub organisations: usize,
    pub emails: usize,
    /// Silent organisations left out because they were chased in the last
    /// [`CHASE_EVERY`](deadlines::CHASE_EVERY).
    pub recently_chased: usize,
    /// When the first of those may be chased again.
    pub again_from: Option<OffsetDateTime>,
}

/// Chases every organisation that has not acknowledged a live advisory and was not chased
/// about it in the last [`CHASE_EVERY`](deadlines::CHASE_EVERY): a reminder to its security
/// leads, and one email to each parent organisation's leads listing its silent
/// organisations. One transaction, holding the advisory's row so that two chases at once
/// (on two instances) cannot both send; the notices are recorded under this moment's cycle.
pub async fn chase_silent(
    db: &Db,
    advisory: Uuid,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<Chased, sqlx::Error> {
    let Some(adv) = advisories::find(db, advisory).await? else {
        return Ok(Chased::default());
    };
    let content = &adv.content;
    if adv.status != AdvisoryStatus::Published {
        return Ok(Chased::default());
    }
    let silent: Vec<ResponseRow> = responses::for_advisory(db, advisory)
        .await?
        .into_iter()
        .map(|o| o.response)
        .filter(|r| r.state == ResponseState::Awaiting)
        .collect();
    let due = silent.first().and_then(|r| r.ack_due_at);
    let about = About::new(adv.label(), content, due, public_url);
    let mut tx = db.begin().await?;
    advisories::lock(&mut tx, advisory).await?;
    let recent =
        notices::chased_since(&mut tx, advisory, cutoff(at, deadlines::CHASE_EVERY)).await?;
    let (orgs, waiting): (Vec<OrgId>, Vec<OrgId>) = silent
        .iter()
        .map(|r| r.organisation_id)
        .partition(|org| !recent.contains_key(org));
    let again_from = waiting
        .iter()
        .filter_map(
            |org| match allowance(recent.get(org).copied(), at, deadlines::CHASE_EVERY) {
                Allowance::NotUntil(again) => Some(again),
                Allowance::Allowed => None,
            },
        )
        .min();
    if orgs.is_empty() {
        return Ok(Chased {
            recently_chased: waiting.len(),
            again_from,
            ..Chased::default()
        });
    }
    let names = notices::organisation_names(&mut tx, &orgs).await?;
    let mut mails = Vec::new();
    let mut per_org: BTreeMap<OrgId, i64> = BTreeMap::new();
    for c in notices::contacts(&mut tx, &orgs).await? {
        let name = names
            .get(&c.organisation_id)
            .map(String::as_str)
            .unwrap_or("");
        mails.push(emails::reminder(&about, name, &c.email, &c.name));
        *per_org.entry(c.organisation_id).or_default() += 1;
    }
    let mut by_parent: BTreeMap<(OrgId, String), Vec<String>> = BTreeMap::new();
    for (child, parent, parent_name) in notices::parents(&mut tx, &orgs).await? {
        let name = names.get(&child).cloned().unwrap_or_default();
        by_parent
            .entry((parent, parent_name))
            .or_default()
            .push(name);
    }
    let parent_ids: Vec<OrgId> = by_parent.keys().map(|(id, _)| *id).collect();
    let parent_contacts = notices::contacts(&mut tx, &parent_ids).await?;
    for ((parent, parent_name), children) in &by_parent {
        for c in parent_contacts
            .iter()
            .filter(|c| c.organisation_id == *parent)
        {
            mails.push(emails::parent_overdue(
                &about,
                parent_name,
                children,
                &c.email,
                &c.name,
            ));
        }
    }
    let cycle = Cycle::Manual(at.unix_timestamp());
    let recorded: Vec<(OrgId, i64)> = orgs
        .iter()
        .map(|o| (*o, per_org.get(o).copied().unwrap_or(0)))
        .collect();
    notices::record_many(&mut tx, advisory, Notice::Escalation, cycle, &recorded, at).await?;
    for m in &mails {
        email::queue(&mut tx, m).await?;
    }
    tx.commit().await?;
    Ok(Chased {
        organisations: orgs.len(),
        emails: mails.len(),
        recently_chased: waiting.len(),
        again_from,
    })
}
