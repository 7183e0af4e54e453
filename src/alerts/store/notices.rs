//! The record of notices sent (new advisory, reminders, escalations), each written in the
//! transaction that queues its emails. The primary key makes a notice happen once however
//! many instances try at the same moment.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::rules::deadlines::{Cycle, Notice},
    exec_tx,
    platform::{
        db::{Db, Tx},
        ids::OrgId,
    },
    with_db, with_tx,
};

/// Claims a notice. Returns false if it was already sent (by this or another instance).
pub async fn claim(
    tx: &mut Tx,
    advisory: Uuid,
    org: OrgId,
    notice: Notice,
    cycle: Cycle,
    recipients: i64,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO alert_notices (advisory_id, organisation_id, notice, cycle, sent_at, recipients) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    )
    .bind(advisory)
    .bind(org)
    .bind(notice)
    .bind(cycle)
    .bind(at)
    .bind(recipients)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Records many notices at once (publication, where none can exist yet).
pub async fn record_many(
    tx: &mut Tx,
    advisory: Uuid,
    notice: Notice,
    cycle: Cycle,
    orgs: &[(OrgId, i64)],
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    for chunk in orgs.chunks(1000) {
        exec_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO alert_notices (advisory_id, organisation_id, notice, cycle, sent_at, recipients) ",
            );
            q.push_values(chunk, |mut b, (org, n)| {
                b.push_bind(advisory)
                    .push_bind(*org)
                    .push_bind(notice)
                    .push_bind(cycle)
                    .push_bind(at)
                    .push_bind(*n);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(c).await
        })?;
    }
    Ok(())
}

/// The organisations chased about `advisory` from the dashboard after `since`, with when
/// each was last chased.
pub async fn chased_since(
    tx: &mut Tx,
    advisory: Uuid,
    since: OffsetDateTime,
) -> Result<HashMap<OrgId, OffsetDateTime>, sqlx::Error> {
    let rows = with_tx!(tx, |c| sqlx::query_as::<_, (OrgId, OffsetDateTime)>(
        "SELECT organisation_id, sent_at FROM alert_notices \
         WHERE advisory_id = $1 AND notice = $2 AND cycle LIKE $3 AND sent_at > $4"
    )
    .bind(advisory)
    .bind(Notice::Escalation)
    .bind(format!("{}%", Cycle::MANUAL_PREFIX))
    .bind(since)
    .fetch_all(c)
    .await)?;
    let mut last: HashMap<OrgId, OffsetDateTime> = HashMap::new();
    for (org, at) in rows {
        let entry = last.entry(org).or_insert(at);
        *entry = (*entry).max(at);
    }
    Ok(last)
}

/// A notice as recorded, for the response timeline and the dashboard.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub organisation_id: OrgId,
    pub notice: Notice,
    pub cycle: Cycle,
    pub sent_at: OffsetDateTime,
    pub recipients: i64,
}

pub async fn for_response(
    db: &Db,
    advisory: Uuid,
    org: OrgId,
) -> Result<Vec<NoticeRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, NoticeRow>(
        "SELECT organisation_id, notice, cycle, sent_at, recipients FROM alert_notices \
         WHERE advisory_id = $1 AND organisation_id = $2 ORDER BY sent_at"
    )
    .bind(advisory)
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// A person to email about an organisation's advisories.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub organisation_id: OrgId,
    pub name: String,
    pub email: String,
}

/// The active security leads of every organisation (the alert contacts), by organisation.
pub async fn contacts(tx: &mut Tx, orgs: &[OrgId]) -> Result<Vec<Contact>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in orgs.chunks(500) {
        with_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT m.organisation_id, u.name, u.email FROM memberships m \
                 JOIN users u ON u.id = m.user_id \
                 WHERE m.role = 'security_lead' AND m.active = ",
            );
            q.push_bind(true).push(" AND m.organisation_id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(") ORDER BY u.email");
            out.extend(q.build_query_as::<Contact>().fetch_all(&mut *c).await?);
        });
    }
    Ok(out)
}

/// Each organisation's parent, if it has one.
pub async fn parents(
    tx: &mut Tx,
    orgs: &[OrgId],
) -> Result<Vec<(OrgId, OrgId, String)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in orgs.chunks(500) {
        with_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT o.id, p.id, p.name FROM organisations o JOIN organisations p ON p.id = o.parent_id \
                 WHERE o.id IN (",
            );
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(")");
            out.extend(
                q.build_query_as::<(OrgId, OrgId, String)>()
                    .fetch_all(&mut *c)
                    .await?,
            );
        });
    }
    Ok(out)
}

/// The names of `orgs`.
pub async fn organisation_names(
    tx: &mut Tx,
    orgs: &[OrgId],
) -> Result<std::collections::HashMap<OrgId, String>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    for chunk in orgs.chunks(500) {
        with_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new("SELECT id, name FROM organisations WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(")");
            out.extend(
                q.build_query_as::<(OrgId, String)>()
                    .fetch_all(&mut *c)
                    .await?,
            );
        });
    }
    Ok(out)
}
