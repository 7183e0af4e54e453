//! Tenancy as a type: [`OrgScope`] is how a handler on an organisation's pages gets that
//! organisation, and the only way. Extracting it reads the organisation id from the path
//! exactly as the route guard does, applies the route's rule with [`authz::decide`], and
//! loads the organisation (page not found if there is none). A handler holding an
//! `OrgScope<Lead>` therefore holds proof that the signed-in person leads that organisation
//! or is a national administrator; it cannot be built any other way.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::platform::{
    AppState,
    authz::{self, CurrentUser, Decision, Principal, Role, Rule},
    db::Db,
    error::AppError,
    ids::OrgId,
    tenants::{self, Organisation},
};

/// The rule an [`OrgScope`] is checked against, as a type, so the check a handler relies
/// on is written in its signature.
pub trait OrgRule: Send + Sync + 'static {
    const RULE: Rule;
}

/// Members of the organisation, and the national team ([`Rule::OrgMember`]).
pub enum Member {}

/// The organisation's security leads, and national administrators ([`Rule::OrgLead`]).
pub enum Lead {}

/// National administrators only ([`Rule::NationalAdmin`]), acting on one organisation.
pub enum Admin {}

impl OrgRule for Member {
    const RULE: Rule = Rule::OrgMember;
}

impl OrgRule for Lead {
    const RULE: Rule = Rule::OrgLead;
}

impl OrgRule for Admin {
    const RULE: Rule = Rule::NationalAdmin;
}

/// The rule the route guard applied to this request (put in request extensions by the
/// guard), so an extractor can tell a route registered with a different rule from its own.
#[derive(Debug, Clone, Copy)]
pub struct GuardedBy(pub Rule);

/// The organisation named in the URL, with the person allowed to act on it.
pub struct OrgScope<R: OrgRule> {
    pub principal: Principal,
    pub organisation: Organisation,
    /// The person's role in this organisation, or their national role if they are not a
    /// member of it.
    pub role: Role,
    rule: PhantomData<R>,
}

impl<R: OrgRule> OrgScope<R> {
    pub fn id(&self) -> OrgId {
        self.organisation.id
    }
}

/// The organisation id in a route's path (the `org_id` parameter), if the route has one.
/// One that is not a UUID names no organisation: page not found.
pub fn org_in_path(params: &RawPathParams) -> Result<Option<OrgId>, AppError> {
    params
        .iter()
        .find(|(k, _)| *k == "org_id")
        .map(|(_, v)| v.parse::<OrgId>().map_err(|_| AppError::NotFound))
        .transpose()
}

/// What `rule` lets `principal` do in `organisation`: their role there, or why not.
pub fn admit(
    rule: Rule,
    principal: Option<&Principal>,
    organisation: OrgId,
    path: &str,
) -> Result<Role, AppError> {
    match authz::decide(rule, principal, Some(organisation)) {
        Decision::Allow => principal
            .and_then(|p| p.role_in(organisation).or_else(|| p.national_role()))
            .ok_or(AppError::Forbidden),
        Decision::SignIn => Err(AppError::SignIn {
            next: path.to_owned(),
        }),
        Decision::EnrolTwoStep | Decision::VerifyTwoStep | Decision::Deny => {
            Err(AppError::Forbidden)
        }
    }
}

/// Admits `principal` under `rule`, then loads the organisation. The check comes first so
/// that whether an organisation exists is told only to those who could see it.
async fn resolve<R: OrgRule>(
    db: &Db,
    principal: Option<Principal>,
    organisation: OrgId,
    path: &str,
) -> Result<OrgScope<R>, AppError> {
    let role = admit(R::RULE, principal.as_ref(), organisation, path)?;
    let principal = principal.ok_or(AppError::Forbidden)?;
    let organisation = tenants::by_id(db, organisation)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(OrgScope {
        principal,
        organisation,
        role,
        rule: PhantomData,
    })
}

impl<R: OrgRule> FromRequestParts<AppState> for OrgScope<R> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A handler asking for a different rule than its route was registered with is a
        // wiring mistake; refuse rather than let either rule win silently.
        let guarded = parts.extensions.get::<GuardedBy>().map(|g| g.0);
        if guarded != Some(R::RULE) {
            return Err(AppError::Internal(anyhow::anyhow!(
                "route guarded by {guarded:?} but its handler needs {:?}",
                R::RULE
            )));
        }
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let organisation = org_in_path(&params)?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("organisation page without an org_id"))
        })?;
        let principal = parts
            .extensions
            .get::<CurrentUser>()
            .and_then(|c| c.0.clone());
        resolve(&state.db, principal, organisation, parts.uri.path()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{authz::tests::person, scratch};

    async fn scope<R: OrgRule>(
        db: &Db,
        who: Option<&Principal>,
        org: OrgId,
    ) -> Result<OrgScope<R>, AppError> {
        resolve::<R>(db, who.cloned(), org, "/organisations/x").await
    }

    async fn add(db: &Db, name: &str, ods_code: &str) -> OrgId {
        scratch::add_organisation(db, name, ods_code).await.into()
    }

    #[tokio::test]
    async fn the_scope_admits_exactly_whom_the_rule_admits() {
        let (_dir, db) = scratch::sqlite().await;
        let own = add(&db, "Own trust", "RA1").await;
        let other = add(&db, "Other trust", "RB1").await;
        let team = add(&db, "National team", "X26").await;
        let staff = person(&[(own, Role::Staff)]);
        let lead = person(&[(own, Role::SecurityLead)]);
        let analyst = person(&[(team, Role::NationalAnalyst)]);
        let admin = person(&[(team, Role::NationalAdmin)]);

        let member = scope::<Member>(&db, Some(&staff), own).await.unwrap();
        assert_eq!((member.id(), member.role), (own, Role::Staff));
        assert_eq!(member.organisation.name, "Own trust");
        assert!(matches!(
            scope::<Lead>(&db, Some(&staff), own).await,
            Err(AppError::Forbidden)
        ));

        let led = scope::<Lead>(&db, Some(&lead), own).await.unwrap();
        assert_eq!(led.role, Role::SecurityLead);
        for result in [
            scope::<Lead>(&db, Some(&lead), other).await.map(|s| s.role),
            scope::<Member>(&db, Some(&lead), other)
                .await
                .map(|s| s.role),
            scope::<Admin>(&db, Some(&lead), own).await.map(|s| s.role),
        ] {
            assert!(matches!(result, Err(AppError::Forbidden)), "{result:?}");
        }

        let seen = scope::<Member>(&db, Some(&analyst), other).await.unwrap();
        assert_eq!(seen.role, Role::NationalAnalyst);
        assert!(matches!(
            scope::<Lead>(&db, Some(&analyst), other).await,
            Err(AppError::Forbidden)
        ));
        let managed = scope::<Lead>(&db, Some(&admin), other).await.unwrap();
        assert_eq!(managed.role, Role::NationalAdmin);
        assert_eq!(
            scope::<Admin>(&db, Some(&admin), other).await.unwrap().role,
            Role::NationalAdmin
        );

        assert!(matches!(
            scope::<Member>(&db, None, own).await,
            Err(AppError::SignIn { .. })
        ));
    }

    #[tokio::test]
    async fn an_unknown_organisation_is_not_found_only_for_those_who_could_see_it() {
        let (_dir, db) = scratch::sqlite().await;
        let own = add(&db, "Own trust", "RA1").await;
        let team = add(&db, "National team", "X26").await;
        let unknown = OrgId::fresh();
        let admin = person(&[(team, Role::NationalAdmin)]);
        let lead = person(&[(own, Role::SecurityLead)]);
        assert!(matches!(
            scope::<Lead>(&db, Some(&admin), unknown).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            scope::<Lead>(&db, Some(&lead), unknown).await,
            Err(AppError::Forbidden)
        ));
    }
}
