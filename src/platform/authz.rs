//! Authorisation, decided in one place.
//!
//! Every route is registered with a [`Rule`]; [`decide`] is the only function that turns a
//! rule, the signed-in person and the organisation named in the URL into a yes or no. It is
//! pure, so the whole policy is unit-tested here and walked route by route in the black-box
//! suite.

use serde::{Deserialize, Serialize};

use crate::platform::ids::{OrgId, UserId};

/// What a person may do within one organisation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Staff,
    SecurityLead,
    NationalAnalyst,
    NationalAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Staff,
        Role::SecurityLead,
        Role::NationalAnalyst,
        Role::NationalAdmin,
    ];

    /// The stored value, also used in forms and the API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Staff => "Staff",
            Role::SecurityLead => "Security lead",
            Role::NationalAnalyst => "National analyst",
            Role::NationalAdmin => "National administrator",
        }
    }

    /// Roles that can see or change other people's data must use two-step verification.
    pub fn requires_two_step(self) -> bool {
        self != Role::Staff
    }

    pub fn is_national(self) -> bool {
        matches!(self, Role::NationalAnalyst | Role::NationalAdmin)
    }
}

/// One active membership of the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: OrgId,
    pub organisation_name: String,
    pub role: Role,
}

/// The signed-in person, as loaded for each request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub memberships: Vec<Membership>,
    pub two_step_enrolled: bool,
    /// Whether this session has passed the two-step check.
    pub two_step_verified: bool,
}

impl Principal {
    pub fn role_in(&self, organisation_id: OrgId) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.organisation_id == organisation_id)
            .map(|m| m.role)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    pub fn is_national_admin(&self) -> bool {
        self.has_role(Role::NationalAdmin)
    }

    pub fn is_national(&self) -> bool {
        self.memberships.iter().any(|m| m.role.is_national())
    }

    /// The most powerful national role this person holds, if any.
    pub fn national_role(&self) -> Option<Role> {
        if self.is_national_admin() {
            Some(Role::NationalAdmin)
        } else if self.has_role(Role::NationalAnalyst) {
            Some(Role::NationalAnalyst)
        } else {
            None
        }
    }

    pub fn needs_two_step(&self) -> bool {
        self.memberships.iter().any(|m| m.role.requires_two_step())
    }

    /// Whether this session counts as signed in: the password was enough for this person's
    /// roles, or they have also given a two-step code. Anything less is a password that may
    /// have been phished, so it is treated as nobody outside the two-step pages.
    pub fn passed_two_step(&self) -> bool {
        !self.needs_two_step() || (self.two_step_enrolled && self.two_step_verified)
    }

    /// Organisations this person leads (for navigation).
    pub fn led_organisations(&self) -> impl Iterator<Item = &Membership> {
        self.memberships
            .iter()
            .filter(|m| m.role == Role::SecurityLead)
    }
}

/// The signed-in person for this request, if any (put in request extensions by the session
/// layer). A person still owing a two-step code is not here, except on the routes whose rule
/// is [`Rule::PasswordOnly`] (see [`PasswordOnly`]).
#[derive(Debug, Clone, Default)]
pub struct CurrentUser(pub Option<Principal>);

/// A person past the password but not yet past two-step verification (not set up, or no
/// code given in this session). The session layer keeps them out of [`CurrentUser`]; only
/// the route guard hands them on, and only to [`Rule::PasswordOnly`] routes.
#[derive(Debug, Clone)]
pub struct PasswordOnly(pub Principal);

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Signed in with a password; two-step verification may still be pending. Only for the
    /// pages that set up or check two-step verification, and for signing out.
    PasswordOnly,
    /// Anyone fully signed in.
    SignedIn,
    /// National analysts and administrators.
    NationalStaff,
    /// National administrators.
    NationalAdmin,
    /// Members of the organisation in the URL, and the national team.
    OrgMember,
    /// The security leads of the organisation in the URL, and national administrators.
    OrgLead,
    /// Machine clients with an organisation's API token (checked by the API layer).
    ApiToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in: send to the sign-in page.
    SignIn,
    /// Signed in, but the role requires two-step verification which is not set up yet.
    EnrolTwoStep,
    /// Signed in with a password; the two-step code has not been given yet.
    VerifyTwoStep,
    Deny,
}

/// Decides whether `principal` may use a route with `rule`, where `organisation` is the
/// organisation named in the URL, if any.
pub fn decide(rule: Rule, principal: Option<&Principal>, organisation: Option<OrgId>) -> Decision {
    if matches!(rule, Rule::Public | Rule::ApiToken) {
        return Decision::Allow;
    }
    let Some(p) = principal else {
        return Decision::SignIn;
    };
    if rule == Rule::PasswordOnly {
        return Decision::Allow;
    }
    if p.needs_two_step() {
        if !p.two_step_enrolled {
            return Decision::EnrolTwoStep;
        }
        if !p.two_step_verified {
            return Decision::VerifyTwoStep;
        }
    }
    let allowed = match rule {
        Rule::Public | Rule::ApiToken | Rule::PasswordOnly | Rule::SignedIn => true,
        Rule::NationalStaff => p.is_national(),
        Rule::NationalAdmin => p.is_national_admin(),
        Rule::OrgMember => {
            p.is_national() || organisation.is_some_and(|org| p.role_in(org).is_some())
        }
        Rule::OrgLead => {
            p.is_national_admin()
                || organisation.is_some_and(|org| p.role_in(org) == Some(Role::SecurityLead))
        }
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// Which roles `actor` may give to someone in `organisation`. Security leads manage staff and
/// leads of their own organisation; national administrators may do that anywhere and are
/// the only ones who appoint national roles, which exist only in the national team.
pub fn assignable_roles(
    actor: &Principal,
    organisation: OrgId,
    is_national_team: bool,
) -> Vec<Role> {
    if is_national_team {
        if actor.is_national_admin() {
            return vec![Role::NationalAnalyst, Role::NationalAdmin];
        }
        return vec![];
    }
    if actor.is_national_admin() || actor.role_in(organisation) == Some(Role::SecurityLead) {
        vec![Role::Staff, Role::SecurityLead]
    } else {
        vec![]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use uuid::Uuid;

    fn new_org() -> OrgId {
        Uuid::new_v4().into()
    }

    pub(crate) fn person(memberships: &[(OrgId, Role)]) -> Principal {
        Principal {
            user_id: Uuid::nil().into(),
            name: "A".into(),
            email: "a@example.org".into(),
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
    fn anonymous_people_only_reach_public_routes() {
        assert_eq!(decide(Rule::Public, None, None), Decision::Allow);
        for rule in [
            Rule::SignedIn,
            Rule::OrgLead,
            Rule::NationalAdmin,
            Rule::PasswordOnly,
        ] {
            assert_eq!(decide(rule, None, None), Decision::SignIn);
        }
    }

    #[test]
    fn leads_manage_their_own_organisation_only() {
        let (own, other) = (new_org(), new_org());
        let lead = person(&[(own, Role::SecurityLead)]);
        assert_eq!(
            decide(Rule::OrgLead, Some(&lead), Some(own)),
            Decision::Allow
        );
        assert_eq!(
            decide(Rule::OrgLead, Some(&lead), Some(other)),
            Decision::Deny
        );
        assert_eq!(
            decide(Rule::OrgMember, Some(&lead), Some(other)),
            Decision::Deny
        );
        assert_eq!(
            decide(Rule::NationalStaff, Some(&lead), None),
            Decision::Deny
        );
    }

    #[test]
    fn staff_are_members_but_not_leads() {
        let own = new_org();
        let staff = person(&[(own, Role::Staff)]);
        assert_eq!(
            decide(Rule::OrgMember, Some(&staff), Some(own)),
            Decision::Allow
        );
        assert_eq!(
            decide(Rule::OrgLead, Some(&staff), Some(own)),
            Decision::Deny
        );
    }

    #[test]
    fn national_roles_reach_every_organisation_as_the_rules_say() {
        let (team, any) = (new_org(), new_org());
        let analyst = person(&[(team, Role::NationalAnalyst)]);
        let admin = person(&[(team, Role::NationalAdmin)]);
        assert_eq!(
            decide(Rule::OrgMember, Some(&analyst), Some(any)),
            Decision::Allow
        );
        assert_eq!(
            decide(Rule::OrgLead, Some(&analyst), Some(any)),
            Decision::Deny
        );
        assert_eq!(
            decide(Rule::NationalAdmin, Some(&analyst), None),
            Decision::Deny
        );
        assert_eq!(
            decide(Rule::OrgLead, Some(&admin), Some(any)),
            Decision::Allow
        );
        assert_eq!(
            decide(Rule::NationalAdmin, Some(&admin), None),
            Decision::Allow
        );
    }

    #[test]
    fn privileged_roles_need_two_step_verification() {
        let own = new_org();
        let mut lead = person(&[(own, Role::SecurityLead)]);
        lead.two_step_enrolled = false;
        lead.two_step_verified = false;
        assert_eq!(
            decide(Rule::SignedIn, Some(&lead), None),
            Decision::EnrolTwoStep
        );
        assert_eq!(
            decide(Rule::PasswordOnly, Some(&lead), None),
            Decision::Allow
        );
        lead.two_step_enrolled = true;
        assert_eq!(
            decide(Rule::OrgLead, Some(&lead), Some(own)),
            Decision::VerifyTwoStep
        );
        let mut staff = person(&[(own, Role::Staff)]);
        staff.two_step_enrolled = false;
        staff.two_step_verified = false;
        assert_eq!(decide(Rule::SignedIn, Some(&staff), None), Decision::Allow);
    }

    #[test]
    fn a_password_alone_is_not_signed_in_for_privileged_roles() {
        let own = new_org();
        for role in [
            Role::SecurityLead,
            Role::NationalAnalyst,
            Role::NationalAdmin,
        ] {
            let mut p = person(&[(own, role)]);
            assert!(p.passed_two_step());
            p.two_step_verified = false;
            assert!(!p.passed_two_step(), "{role:?} enrolled, no code given");
            p.two_step_enrolled = false;
            assert!(!p.passed_two_step(), "{role:?} not enrolled");
        }
        let mut staff = person(&[(own, Role::Staff)]);
        staff.two_step_enrolled = false;
        staff.two_step_verified = false;
        assert!(staff.passed_two_step());
    }

    #[test]
    fn roles_are_given_within_the_rules() {
        let (org, team) = (new_org(), new_org());
        let lead = person(&[(org, Role::SecurityLead)]);
        assert_eq!(
            assignable_roles(&lead, org, false),
            vec![Role::Staff, Role::SecurityLead]
        );
        assert!(assignable_roles(&lead, team, true).is_empty());
        assert!(assignable_roles(&lead, new_org(), false).is_empty());
        let admin = person(&[(team, Role::NationalAdmin)]);
        assert_eq!(
            assignable_roles(&admin, team, true),
            vec![Role::NationalAnalyst, Role::NationalAdmin]
        );
    }
}
