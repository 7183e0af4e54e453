//! Staff's panel on the home page: for a security lead, the invitations each organisation
//! they lead is still waiting on, with a link to its staff page where they can be sent
//! again or withdrawn.

use crate::{
    platform::{
        AppState,
        authz::Principal,
        error::AppResult,
        web::home::{self, HomeItem, HomePanel, Link, Tag, Tone, order},
    },
    staff::joining_store::{self, Pending},
};

pub async fn panels(state: &AppState, p: &Principal) -> AppResult<Vec<HomePanel>> {
    let led: Vec<_> = p.led_organisations().collect();
    if led.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<_> = led.iter().map(|m| m.organisation_id).collect();
    let pending = joining_store::pending_in(&state.db, &ids).await?;
    Ok(led
        .iter()
        .map(|m| {
            let counts = pending
                .iter()
                .find(|c| c.organisation_id == m.organisation_id);
            invitations_panel(
                home::for_organisation("Staff invitations", &m.organisation_name, led.len()),
                &m.organisation_name,
                &format!("/organisations/{}/staff", m.organisation_id),
                counts,
            )
        })
        .collect())
}

fn invitations_panel(
    title: String,
    org_name: &str,
    staff_page: &str,
    counts: Option<&Pending>,
) -> HomePanel {
    let n = |v: i64| v.max(0) as u64;
    let (not_set_up, not_answered) = counts
        .map(|c| (n(c.not_set_up), n(c.not_answered)))
        .unwrap_or_default();
    let mut items = Vec::new();
    if not_set_up > 0 {
        items.push(HomeItem::new(
            format!(
                "{} invited to CareCERT who {} not set up an account yet",
                home::count(not_set_up, "person", "people"),
                if not_set_up == 1 { "has" } else { "have" }
            ),
            staff_page,
            Some(Tag::new("Invited", Tone::Info)),
        ));
    }
    if not_answered > 0 {
        items.push(HomeItem::new(
            format!(
                "{} to join {org_name} not yet accepted",
                home::count(not_answered, "invitation", "invitations")
            ),
            staff_page,
            Some(Tag::new("Not accepted", Tone::Info)),
        ));
    }
    let summary = (!items.is_empty()).then(|| {
        format!(
            "{} pending.",
            home::count(not_set_up + not_answered, "invitation", "invitations")
        )
    });
    HomePanel {
        title,
        summary,
        items,
        see_all: Link::new(format!("Go to staff at {org_name}"), staff_page),
        order: order::ORGANISATION,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use crate::platform::ids::OrgId;

    use super::*;

    #[test]
    fn both_kinds_of_invitation_are_counted() {
        let counts = Pending {
            organisation_id: OrgId::from(Uuid::nil()),
            not_set_up: 1,
            not_answered: 2,
        };
        let panel = invitations_panel("Staff invitations".into(), "Riverside", "/s", Some(&counts));
        let texts: Vec<&str> = panel.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1 person invited to CareCERT who has not set up an account yet",
                "2 invitations to join Riverside not yet accepted"
            ]
        );
        assert_eq!(panel.summary.as_deref(), Some("3 invitations pending."));
    }

    #[test]
    fn no_invitations_leave_the_panel_empty() {
        let panel = invitations_panel("Staff invitations".into(), "Riverside", "/s", None);
        assert!(panel.items.is_empty() && panel.summary.is_none());
    }
}
