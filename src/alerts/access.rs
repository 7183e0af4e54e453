//! Who may read an advisory. Drafts and advisories in review are for the national team.
//! A published or withdrawn advisory is for the organisations it was addressed to (their
//! members, and whoever responds for them) and the national team; a TLP:CLEAR one is also
//! public. Every page, download and feed of an advisory asks here.

use uuid::Uuid;

use crate::{
    alerts::{
        model::{AdvisoryStatus, Tlp},
        responding,
        store::{advisories::AdvisoryRow, responses},
    },
    platform::{authz::Principal, db::Db},
};

/// Whether the advisory is public (TLP:CLEAR and released).
pub fn is_public(adv: &AdvisoryRow) -> bool {
    released(adv) && adv.tlp == Tlp::Clear.as_str()
}

fn released(adv: &AdvisoryRow) -> bool {
    matches!(
        adv.status(),
        AdvisoryStatus::Published | AdvisoryStatus::Withdrawn
    )
}

/// The organisations, among those `p` belongs to or responds for, the advisory was
/// addressed to, with names.
pub async fn addressed_organisations(
    db: &Db,
    p: &Principal,
    adv: &AdvisoryRow,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    if !released(adv) {
        return Ok(Vec::new());
    }
    let mut mine: Vec<(Uuid, String)> = responding::responder_organisations(db, p).await?;
    for m in &p.memberships {
        if !mine.iter().any(|(id, _)| *id == m.organisation_id) {
            mine.push((m.organisation_id, m.organisation_name.clone()));
        }
    }
    let mut out = Vec::new();
    for (org, name) in mine {
        if responses::find(db, adv.id, org).await?.is_some() {
            out.push((org, name));
        }
    }
    Ok(out)
}

/// Whether `p` (or an anonymous visitor) may read the advisory.
pub async fn can_read(
    db: &Db,
    p: Option<&Principal>,
    adv: &AdvisoryRow,
) -> Result<bool, sqlx::Error> {
    if p.is_some_and(Principal::is_national) {
        return Ok(true);
    }
    if is_public(adv) {
        return Ok(true);
    }
    match p {
        Some(p) => Ok(!addressed_organisations(db, p, adv).await?.is_empty()),
        None => Ok(false),
    }
}
