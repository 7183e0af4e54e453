//! Publishing an advisory to the organisations it is addressed to, revising it and
//! withdrawing it. Publication is one transaction: the reference, the first revision, one
//! response per organisation with its deadline and inventory matches, the notices, the
//! emails and the webhooks all exist, or none do.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::{
        emails::{self, About},
        model::{AdvisoryContent, AdvisoryStatus, AffectedProduct, InventoryItem},
        rules::{
            content, deadlines, matching, reference,
            review::{self, ReviewReason},
        },
        store::{
            advisories::{self, AdvisoryRow},
            inventory, notices, responses, review as store_review,
        },
        webhooks,
    },
    audit::{self, NewEvent},
    platform::{
        db::{Db, Tx},
        email::{self, Email},
        ids::{OrgId, UserId},
        jobs,
        secrets::SecretBox,
    },
};

/// Why a publication step was refused.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("There is no such advisory")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("The advisory is not complete: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// An inventory item that matched an advisory, as kept with the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedItem {
    pub vendor: String,
    pub product: String,
    pub version: String,
    pub location: String,
    pub count: i64,
    /// The affected product it matched, e.g. "Apache Log4j".
    pub affects: String,
    pub reason: matching::MatchReason,
}

/// Groups candidate inventory items by organisation and keeps those that match.
pub fn match_candidates(
    candidates: Vec<(OrgId, InventoryItem)>,
    products: &[AffectedProduct],
) -> HashMap<OrgId, Vec<MatchedItem>> {
    let mut by_org: BTreeMap<OrgId, Vec<InventoryItem>> = BTreeMap::new();
    for (org, item) in candidates {
        by_org.entry(org).or_default().push(item);
    }
    let mut out = HashMap::new();
    for (org, items) in by_org {
        let found: Vec<MatchedItem> = matching::match_inventory(&items, products)
            .into_iter()
            .filter_map(|m| {
                let item = items.get(m.item)?;
                let product = products.get(m.product)?;
                Some(MatchedItem {
                    vendor: item.vendor.clone(),
                    product: item.product.clone(),
                    version: item.version.clone(),
                    location: item.location.clone(),
                    count: item.count,
                    affects: format!("{} {}", product.vendor, product.product),
                    reason: m.reason,
                })
            })
            .collect();
        if !found.is_empty() {
            out.insert(org, found);
        }
    }
    out
}

/// The keys that pre-select inventory items for an advisory's products.
fn keys(products: &[AffectedProduct]) -> (Vec<String>, Vec<String>) {
    let mut names = HashSet::new();
    let mut purls = HashSet::new();
    for p in products {
        let k = matching::product_keys(p);
        names.insert(k.norm_product);
        if let Some(purl) = k.purl_key {
            purls.insert(purl);
        }
    }
    (names.into_iter().collect(), purls.into_iter().collect())
}

/// Matches every inventory (or one organisation's) against an advisory's products.
pub async fn find_matches(
    tx: &mut Tx,
    products: &[AffectedProduct],
    only_org: Option<OrgId>,
) -> Result<HashMap<OrgId, Vec<MatchedItem>>, sqlx::Error> {
    let (names, purls) = keys(products);
    let candidates = inventory::candidates(tx, &names, &purls, only_org).await?;
    Ok(match_candidates(candidates, products))
}

fn matches_json(found: Option<&Vec<MatchedItem>>) -> String {
    found
        .and_then(|m| serde_json::to_string(m).ok())
        .unwrap_or_else(|| "[]".into())
}

/// What publication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub reference: String,
    pub organisations: usize,
    pub likely_affected: usize,
    pub emails: usize,
    pub webhooks: usize,
}

/// Checks the content is complete enough to publish.
pub fn check_publishable(c: &AdvisoryContent) -> Result<(), PublishError> {
    let problems = content::check(c);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PublishError::Invalid(
            problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; "),
        ))
    }
}

/// What reaching organisations needs to know about the advisory.
#[derive(Clone, Copy)]
struct Reach<'a> {
    advisory: Uuid,
    reference: &'a str,
    content: &'a AdvisoryContent,
    at: OffsetDateTime,
    public_url: &'a str,
}

/// Reaches `orgs` with an advisory: responses with deadlines and matches, new-advisory
/// emails to their security leads (when acknowledgement is required) and webhooks.
async fn reach(
    tx: &mut Tx,
    r: &Reach<'_>,
    orgs: &[OrgId],
    out: &mut Outcome,
) -> Result<(), sqlx::Error> {
    let Reach {
        advisory,
        reference,
        content,
        at,
        public_url,
    } = *r;
    let due = content
        .ack_required
        .then(|| deadlines::ack_due(at, content.ack_hours.unwrap_or(48)));
    let found = find_matches(tx, &content.affected, None).await?;
    let rows: Vec<responses::NewResponse> = orgs
        .iter()
        .map(|org| responses::NewResponse {
            organisation_id: *org,
            ack_due_at: due,
            likely_affected: found.contains_key(org),
            matches: matches_json(found.get(org)),
        })
        .collect();
    out.likely_affected += rows.iter().filter(|r| r.likely_affected).count();
    out.organisations += rows.len();
    responses::insert_many(tx, advisory, at, deadlines::DEFAULT_UPDATE_DAYS, &rows).await?;

    if content.ack_required {
        let about = About::new(reference, content, due, public_url);
        let (mails, per_org) = mail_leads(tx, orgs, |org, c| {
            emails::new_advisory(&about, org, &c.email, &c.name)
        })
        .await?;
        let recorded: Vec<(OrgId, i64)> = orgs
            .iter()
            .map(|o| (*o, per_org.get(o).copied().unwrap_or(0)))
            .collect();
        notices::record_many(
            tx,
            advisory,
            deadlines::Notice::NewAdvisory,
            deadlines::Cycle::Number(1),
            &recorded,
            at,
        )
        .await?;
        out.emails += mails.len();
        jobs::enqueue_many(tx, email::JOB_KIND, &mails).await?;
    }
    out.webhooks += webhooks::enqueue(tx, advisory, orgs, "advisory.published").await?;
    Ok(())
}

/// One email to each security lead of `orgs`, built by `write` from the organisation's name
/// and the lead; with how many each organisation was sent.
async fn mail_leads(
    tx: &mut Tx,
    orgs: &[OrgId],
    write: impl Fn(&str, &notices::Contact) -> Email,
) -> Result<(Vec<serde_json::Value>, HashMap<OrgId, i64>), sqlx::Error> {
    let contacts = notices::contacts(tx, orgs).await?;
    let names = notices::organisation_names(tx, orgs).await?;
    let mut per_org: HashMap<OrgId, i64> = HashMap::new();
    let mut mails = Vec::with_capacity(contacts.len());
    for c in &contacts {
        let org = names
            .get(&c.organisation_id)
            .map(String::as_str)
            .unwrap_or("");
        *per_org.entry(c.organisation_id).or_default() += 1;
        mails.push(json(&write(org, c)));
    }
    Ok((mails, per_org))
}

/// Locks an advisory for a change that needs it in `status`.
async fn lock_in(
    tx: &mut Tx,
    id: Uuid,
    status: AdvisoryStatus,
    refusal: &str,
) -> Result<AdvisoryRow, PublishError> {
    let row = advisories::lock(tx, id)
        .await?
        .ok_or(PublishError::NotFound)?;
    if row.status != status {
        return Err(PublishError::Refused(refusal.to_owned()));
    }
    Ok(row)
}

fn json(e: &Email) -> serde_json::Value {
    serde_json::to_value(e).unwrap_or_default()
}

/// Who makes a change, for the audit log (recorded in the change's own transaction).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: UserId,
    pub label: &'a str,
    pub ip: Option<&'a str>,
    /// Seals the audit entry.
    pub secrets: &'a SecretBox,
}

impl Actor<'_> {
    async fn audit(
        &self,
        tx: &mut Tx,
        event: &str,
        detail: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        audit::record(
            tx,
            self.secrets,
            NewEvent {
                actor_user_id: Some(self.user_id),
                actor_label: self.label,
                organisation_id: None,
                event,
                detail,
                ip: self.ip,
            },
        )
        .await
    }
}

/// Moves a draft into review (`submit`) or an advisory in review back to draft.
pub async fn change_review(
    db: &Db,
    id: Uuid,
    submit: bool,
    by: &Actor<'_>,
) -> Result<(), PublishError> {
    let mut tx = db.begin().await?;
    if submit {
        let row = lock_in(
            &mut tx,
            id,
            AdvisoryStatus::Draft,
            "Only a draft can be submitted for review",
        )
        .await?;
        check_publishable(&row.content)?;
        advisories::set_review(&mut tx, id, Some(by.user_id)).await?;
        by.audit(
            &mut tx,
            "alerts.submitted",
            serde_json::json!({"advisory": id}),
        )
        .await?;
    } else {
        lock_in(
            &mut tx,
            id,
            AdvisoryStatus::InReview,
            "Only an advisory in review can be returned to draft",
        )
        .await?;
        advisories::set_review(&mut tx, id, None).await?;
        by.audit(
            &mut tx,
            "alerts.returned_to_draft",
            serde_json::json!({"advisory": id}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Publishes an advisory that a second analyst has reviewed.
pub async fn publish(
    db: &Db,
    id: Uuid,
    by: &Actor<'_>,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<Outcome, PublishError> {
    let reviewer = by.user_id;
    let mut tx = db.begin().await?;
    let row = lock_in(
        &mut tx,
        id,
        AdvisoryStatus::InReview,
        "Only an advisory submitted for review can be published",
    )
    .await?;
    let mut authors = store_review::editors(&mut tx, id, row.revision + 1).await?;
    authors.push(row.created_by);
    authors.extend(row.submitted_by);
    if !review::may_approve(reviewer, &authors) {
        return Err(PublishError::Refused(
            "A second analyst must review and publish this advisory: you wrote, edited or submitted it"
                .into(),
        ));
    }
    let content = row.content.clone();
    check_publishable(&content)?;
    let number = advisories::allocate_reference(&mut tx, at.year()).await?;
    let reference = reference::format(at.year(), number);
    advisories::mark_published(&mut tx, id, &reference, reviewer, at).await?;
    let published = AdvisoryRow {
        status: AdvisoryStatus::Published,
        ..row
    };
    advisories::add_revision(
        &mut tx,
        &published,
        &content,
        "First published",
        true,
        reviewer,
        at,
    )
    .await?;
    let orgs = advisories::audience_organisations(&mut tx, &content.audience).await?;
    let mut out = Outcome {
        reference: reference.clone(),
        ..Outcome::default()
    };
    let target = Reach {
        advisory: id,
        reference: &reference,
        content: &content,
        at,
        public_url,
    };
    reach(&mut tx, &target, &orgs, &mut out).await?;
    by.audit(
        &mut tx,
        "alerts.published",
        serde_json::json!({
            "advisory": id,
            "reference": out.reference,
            "organisations": out.organisations,
            "likely_affected": out.likely_affected,
            "emails": out.emails,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// A revision to publish: its text, what changed, and whether to tell organisations.
#[derive(Debug, Clone, Copy)]
pub struct Revision<'a> {
    pub content: &'a AdvisoryContent,
    pub summary: &'a str,
    pub notify: bool,
}

/// What became of a revision an analyst asked to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revised {
    /// Published at once.
    Published(Outcome),
    /// Waiting for a second analyst's approval, for these reasons.
    AwaitingReview(Vec<ReviewReason>),
}

/// Publishes a revision of a live advisory, or, when the change is one a second analyst
/// must check ([`review::revision_review_reasons`]), puts it up for approval instead.
pub async fn revise(
    db: &Db,
    id: Uuid,
    revision: &Revision<'_>,
    actor: &Actor<'_>,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<Revised, PublishError> {
    check_publishable(revision.content)?;
    let mut tx = db.begin().await?;
    let row = lock_in(
        &mut tx,
        id,
        AdvisoryStatus::Published,
        "Only a published advisory can be revised",
    )
    .await?;
    let number = row.revision + 1;
    store_review::add_editor(&mut tx, id, number, actor.user_id, at).await?;
    let reasons = review::revision_review_reasons(&row.content, revision.content);
    if !reasons.is_empty() {
        let pending = store_review::NewPending {
            number,
            content: revision.content,
            summary: revision.summary,
            notify: revision.notify,
            by: actor.user_id,
            at,
        };
        store_review::set_pending(&mut tx, id, &pending).await?;
        let why: Vec<String> = reasons.iter().map(|r| r.message()).collect();
        actor
            .audit(
                &mut tx,
                "alerts.revision_submitted",
                serde_json::json!({"advisory": id, "revision": number, "summary": revision.summary, "reasons": why}),
            )
            .await?;
        tx.commit().await?;
        return Ok(Revised::AwaitingReview(reasons));
    }
    let out = apply_revision(&mut tx, &row, revision, actor.user_id, at, public_url).await?;
    actor
        .audit(
            &mut tx,
            "alerts.revised",
            serde_json::json!({"advisory": id, "revision": number, "summary": revision.summary, "notified": revision.notify}),
        )
        .await?;
    tx.commit().await?;
    Ok(Revised::Published(out))
}

/// Publishes the revision waiting for approval. The approver must have had no hand in it:
/// neither submitted nor edited it.
pub async fn approve_revision(
    db: &Db,
    id: Uuid,
    actor: &Actor<'_>,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<Outcome, PublishError> {
    let mut tx = db.begin().await?;
    let row = lock_in(
        &mut tx,
        id,
        AdvisoryStatus::Published,
        "Only a revision of a published advisory can be approved",
    )
    .await?;
    let pending = store_review::pending_in(&mut tx, id)
        .await?
        .ok_or_else(|| PublishError::Refused("No revision is waiting for approval".into()))?;
    if pending.number != row.revision + 1 {
        return Err(PublishError::Refused(
            "The advisory was revised after this revision was submitted: discard it and submit it again"
                .into(),
        ));
    }
    let mut authors = store_review::editors(&mut tx, id, pending.number).await?;
    authors.push(pending.submitted_by);
    if !review::may_approve(actor.user_id, &authors) {
        return Err(PublishError::Refused(
            "A second analyst must approve this revision: you wrote or edited it".into(),
        ));
    }
    let content = pending.content.clone();
    check_publishable(&content)?;
    let revision = Revision {
        content: &content,
        summary: &pending.summary,
        notify: pending.notify,
    };
    let out = apply_revision(
        &mut tx,
        &row,
        &revision,
        pending.submitted_by,
        at,
        public_url,
    )
    .await?;
    store_review::clear_pending(&mut tx, id).await?;
    actor
        .audit(
            &mut tx,
            "alerts.revision_approved",
            serde_json::json!({"advisory": id, "revision": pending.number, "submitted_by": pending.submitted_by, "summary": pending.summary, "notified": pending.notify}),
        )
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// Discards the revision waiting for approval, leaving the advisory as published.
pub async fn discard_revision(db: &Db, id: Uuid, actor: &Actor<'_>) -> Result<(), PublishError> {
    let mut tx = db.begin().await?;
    advisories::lock(&mut tx, id)
        .await?
        .ok_or(PublishError::NotFound)?;
    if !store_review::clear_pending(&mut tx, id).await? {
        return Err(PublishError::Refused(
            "No revision is waiting for approval".into(),
        ));
    }
    actor
        .audit(
            &mut tx,
            "alerts.revision_discarded",
            serde_json::json!({"advisory": id}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a revision of a live advisory written by `author`. Organisations newly in the
/// audience are reached as on publication; everyone's inventory matches are worked out
/// again; and when the revision says so, every organisation already reached is told what
/// changed.
async fn apply_revision(
    tx: &mut Tx,
    row: &AdvisoryRow,
    revision: &Revision<'_>,
    author: UserId,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<Outcome, PublishError> {
    let Revision {
        content,
        summary,
        notify,
    } = *revision;
    let id = row.id;
    let reference = row.reference.clone().unwrap_or_default();
    let number = advisories::add_revision(tx, row, content, summary, notify, author, at).await?;
    let already = responses::targeted(tx, id).await?;
    let known: HashSet<OrgId> = already.iter().copied().collect();
    let audience = advisories::audience_organisations(tx, &content.audience).await?;
    let new: Vec<OrgId> = audience
        .into_iter()
        .filter(|o| !known.contains(o))
        .collect();
    let found = find_matches(tx, &content.affected, None).await?;
    let mut out = Outcome {
        reference: reference.clone(),
        ..Outcome::default()
    };
    for org in &already {
        let m = found.get(org);
        responses::set_matches(tx, id, *org, m.is_some(), &matches_json(m)).await?;
    }
    out.likely_affected += already.iter().filter(|o| found.contains_key(o)).count();
    if notify && !already.is_empty() {
        let about = About::new(&reference, content, None, public_url);
        let (mails, _) = mail_leads(tx, &already, |org, c| {
            emails::revised(&about, org, summary, &c.email, &c.name)
        })
        .await?;
        let recorded: Vec<(OrgId, i64)> = already.iter().map(|o| (*o, 0)).collect();
        notices::record_many(
            tx,
            id,
            deadlines::Notice::Revision,
            deadlines::Cycle::Number(number),
            &recorded,
            at,
        )
        .await?;
        out.emails += mails.len();
        jobs::enqueue_many(tx, email::JOB_KIND, &mails).await?;
        out.webhooks += webhooks::enqueue(tx, id, &already, "advisory.revised").await?;
    }
    let target = Reach {
        advisory: id,
        reference: &reference,
        content,
        at,
        public_url,
    };
    reach(tx, &target, &new, &mut out).await?;
    Ok(out)
}

/// Withdraws a live advisory; organisations still responding are told they need not.
pub async fn withdraw(
    db: &Db,
    id: Uuid,
    reason: &str,
    by: &Actor<'_>,
    at: OffsetDateTime,
    public_url: &str,
) -> Result<usize, PublishError> {
    let mut tx = db.begin().await?;
    let row = lock_in(
        &mut tx,
        id,
        AdvisoryStatus::Published,
        "Only a published advisory can be withdrawn",
    )
    .await?;
    advisories::mark_withdrawn(&mut tx, id, reason, at).await?;
    let content = row.content.clone();
    let reference = row.reference.clone().unwrap_or_default();
    let open: Vec<OrgId> = responses_open(&mut tx, id).await?;
    let about = About::new(&reference, &content, None, public_url);
    let (mails, _) = mail_leads(&mut tx, &open, |org, c| {
        emails::withdrawn(&about, org, reason, &c.email, &c.name)
    })
    .await?;
    jobs::enqueue_many(&mut tx, email::JOB_KIND, &mails).await?;
    webhooks::enqueue(&mut tx, id, &open, "advisory.withdrawn").await?;
    by.audit(
        &mut tx,
        "alerts.withdrawn",
        serde_json::json!({"advisory": id, "reason": reason, "emails": mails.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(mails.len())
}

async fn responses_open(tx: &mut Tx, advisory: Uuid) -> Result<Vec<OrgId>, sqlx::Error> {
    crate::with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT organisation_id FROM alert_responses WHERE advisory_id = $1 \
         AND state NOT IN ('not_applicable', 'remediated', 'risk_accepted')"
    )
    .bind(advisory)
    .fetch_all(c)
    .await)
}

/// Works out again which live advisories an organisation is likely affected by, after its
/// inventory changed. Returns how many it now matches.
pub async fn rematch_organisation(tx: &mut Tx, org: OrgId) -> Result<usize, sqlx::Error> {
    let live = advisories::live_for(tx, org).await?;
    let mut matched = 0;
    for adv in live {
        let found = find_matches(tx, &adv.content.affected, Some(org)).await?;
        let m = found.get(&org);
        matched += usize::from(m.is_some());
        responses::set_matches(tx, adv.id, org, m.is_some(), &matches_json(m)).await?;
    }
    Ok(matched)
}
