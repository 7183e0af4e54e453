//! Who may read an advisory. Drafts and advisories in review are for the national team.
//! A published or withdrawn advisory is for the national team and the organisations it was
//! addressed to, as far as its TLP 2.0 label allows ([`tlp_allows`]); a TLP:CLEAR one is
//! also public. Every page, download and feed of an advisory asks here.
//!
//! TLP:RED is for named recipients: the security leads of the addressed organisations and
//! the national team. Other staff of those organisations see nothing of it (not even that
//! it exists: their security lead is the person who tells them what they need to know).
//! TLP:AMBER+STRICT stays within the addressed organisation, so the lead of a parent
//! organisation (an integrated care board, a shared IT service) who responds for it on
//! other advisories does not see it.

use crate::{
    alerts::{
        model::{AdvisoryStatus, Tlp},
        responding,
        store::{advisories::AdvisoryRow, responses},
    },
    platform::{
        authz::{Principal, Role},
        db::Db,
        ids::OrgId,
    },
};

/// How someone stands to an advisory, as far as its TLP label is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// A signed-out visitor, or someone signed in with no tie to the advisory.
    Anyone,
    /// A national analyst or administrator.
    National,
    /// The security lead of an organisation the advisory was addressed to.
    AddressedLead,
    /// Other staff of an organisation the advisory was addressed to.
    AddressedStaff,
    /// The security lead of the parent of an organisation the advisory was addressed to.
    ParentLead,
}

impl Reader {
    pub const ALL: [Reader; 5] = [
        Reader::Anyone,
        Reader::National,
        Reader::AddressedLead,
        Reader::AddressedStaff,
        Reader::ParentLead,
    ];
}

/// Whether TLP 2.0 lets `reader` read an advisory labelled `tlp`. GREEN, though TLP lets it
/// travel the whole community, is kept to the organisations addressed, as AMBER is: their
/// leads decide who else needs it.
pub fn tlp_allows(tlp: Tlp, reader: Reader) -> bool {
    use Reader::*;
    match tlp {
        Tlp::Clear => true,
        Tlp::Green | Tlp::Amber => reader != Anyone,
        Tlp::AmberStrict => matches!(reader, National | AddressedLead | AddressedStaff),
        Tlp::Red => matches!(reader, National | AddressedLead),
    }
}

/// Whether the advisory is public (TLP:CLEAR and released).
pub fn is_public(adv: &AdvisoryRow) -> bool {
    released(adv) && adv.tlp == Tlp::Clear
}

fn released(adv: &AdvisoryRow) -> bool {
    matches!(
        adv.status,
        AdvisoryStatus::Published | AdvisoryStatus::Withdrawn
    )
}

/// How `p` stands to organisation `org`, given the organisations `p` responds for (those
/// they lead and those directly under them).
pub fn reader_for(p: &Principal, org: OrgId, responds: &[(OrgId, String)]) -> Vec<Reader> {
    let mut out = Vec::new();
    match p.role_in(org) {
        Some(Role::SecurityLead) => out.push(Reader::AddressedLead),
        Some(Role::Staff) => out.push(Reader::AddressedStaff),
        _ => {}
    }
    if p.role_in(org) != Some(Role::SecurityLead) && responds.iter().any(|(id, _)| *id == org) {
        out.push(Reader::ParentLead);
    }
    out
}

/// Whether `p`, with the ties in `readers`, may read an advisory labelled `tlp`.
pub fn any_allows(tlp: Tlp, readers: &[Reader]) -> bool {
    readers.iter().any(|r| tlp_allows(tlp, *r))
}

/// The organisations, among those `p` belongs to or responds for, the advisory was
/// addressed to and whose share of it `p` may read under its TLP label, with names.
pub async fn addressed_organisations(
    db: &Db,
    p: &Principal,
    adv: &AdvisoryRow,
) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    if !released(adv) {
        return Ok(Vec::new());
    }
    let tlp = adv.tlp;
    let responds: Vec<(OrgId, String)> = responding::responder_organisations(db, p).await?;
    let mut mine = responds.clone();
    for m in &p.memberships {
        if !mine.iter().any(|(id, _)| *id == m.organisation_id) {
            mine.push((m.organisation_id, m.organisation_name.clone()));
        }
    }
    let mut out = Vec::new();
    for (org, name) in mine {
        if any_allows(tlp, &reader_for(p, org, &responds))
            && responses::find(db, adv.id, org).await?.is_some()
        {
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

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::platform::authz::Membership;

    #[test]
    fn every_label_reaches_exactly_whom_tlp_2_allows() {
        use Reader::*;
        let expected: [(Tlp, &[Reader]); 5] = [
            (
                Tlp::Clear,
                &[Anyone, National, AddressedLead, AddressedStaff, ParentLead],
            ),
            (
                Tlp::Green,
                &[National, AddressedLead, AddressedStaff, ParentLead],
            ),
            (
                Tlp::Amber,
                &[National, AddressedLead, AddressedStaff, ParentLead],
            ),
            (Tlp::AmberStrict, &[National, AddressedLead, AddressedStaff]),
            (Tlp::Red, &[National, AddressedLead]),
        ];
        for (tlp, allowed) in expected {
            for reader in Reader::ALL {
                assert_eq!(
                    tlp_allows(tlp, reader),
                    allowed.contains(&reader),
                    "{tlp:?} for {reader:?}"
                );
            }
        }
    }

    fn person(memberships: &[(OrgId, Role)]) -> Principal {
        Principal {
            user_id: (Uuid::from_u128(99)).into(),
            name: "Sam".into(),
            email: "sam@example.org".into(),
            memberships: memberships
                .iter()
                .map(|(org, role)| Membership {
                    organisation_id: *org,
                    organisation_name: "Org".into(),
                    role: *role,
                })
                .collect(),
            two_step_enrolled: true,
            two_step_verified: true,
        }
    }

    #[test]
    fn ties_to_an_organisation_are_its_role_or_leading_its_parent() {
        let (practice, icb, other) = (
            OrgId::from(Uuid::from_u128(1)),
            OrgId::from(Uuid::from_u128(2)),
            OrgId::from(Uuid::from_u128(3)),
        );
        let responds = vec![(icb, "ICB".to_owned()), (practice, "Practice".to_owned())];
        let icb_lead = person(&[(icb, Role::SecurityLead)]);
        assert_eq!(
            reader_for(&icb_lead, practice, &responds),
            [Reader::ParentLead]
        );
        assert_eq!(
            reader_for(&icb_lead, icb, &responds),
            [Reader::AddressedLead]
        );
        assert!(reader_for(&icb_lead, other, &responds).is_empty());
        let staff = person(&[(practice, Role::Staff)]);
        assert_eq!(reader_for(&staff, practice, &[]), [Reader::AddressedStaff]);
        let lead = person(&[(practice, Role::SecurityLead)]);
        let own = vec![(practice, "Practice".to_owned())];
        assert_eq!(reader_for(&lead, practice, &own), [Reader::AddressedLead]);
        // A member of staff of a practice who also leads its ICB reads as either.
        let both = person(&[(practice, Role::Staff), (icb, Role::SecurityLead)]);
        let ties = reader_for(&both, practice, &responds);
        assert!(any_allows(Tlp::Amber, &ties));
        assert!(any_allows(Tlp::AmberStrict, &ties));
        assert!(!any_allows(Tlp::Red, &ties));
    }
}
