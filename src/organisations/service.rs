//! Organisations as the platform composes them: the register the national team keeps,
//! and each organisation's own page in its security leads' menu.

use crate::platform::{
    authz::Principal,
    service::{NavLink, Service},
};

pub fn service() -> Service {
    Service::new("organisations")
        .routes(super::routes())
        .nav(nav)
}

fn nav(p: &Principal) -> Vec<NavLink> {
    let mut links = vec![];
    if p.is_national() {
        links.push(NavLink::new("Organisations", "/admin/organisations", 30));
    }
    links.extend(NavLink::per_led_organisation(
        p,
        0,
        |m, only_one| match only_one {
            true => "Your organisation".to_owned(),
            false => m.organisation_name.clone(),
        },
        |m| format!("/organisations/{}", m.organisation_id),
    ));
    links
}
