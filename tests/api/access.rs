//! Authorisation walked route by route: every route, for every role, against the person's
//! own organisation and another one. The expected access below is written out by hand, and
//! the route table must match it exactly, so a new route fails here until someone decides
//! who may use it.

use std::collections::BTreeSet;

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, Page, Person, TestApp, alerts},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Anyone,
    /// Signed in, even before two-step verification.
    PasswordStep,
    SignedIn,
    National,
    NationalAdmin,
    OrgMember,
    OrgLead,
    ApiToken,
}

const EXPECTED: &[(&str, &str, Access)] = &[
    ("GET", "/", Access::Anyone),
    ("GET", "/accessibility", Access::Anyone),
    ("GET", "/privacy", Access::Anyone),
    ("GET", "/quiz", Access::Anyone),
    ("GET", "/quiz/start", Access::Anyone),
    ("POST", "/quiz/answers", Access::Anyone),
    ("GET", "/quiz/result/{result}", Access::Anyone),
    ("GET", "/verify/{code}", Access::Anyone),
    ("GET", "/training/record.json", Access::SignedIn),
    ("GET", "/api/v1/training/completions", Access::ApiToken),
    ("GET", "/training", Access::SignedIn),
    ("GET", "/training/{slug}", Access::SignedIn),
    ("POST", "/training/{slug}/start", Access::SignedIn),
    (
        "GET",
        "/training/{slug}/lessons/{lesson_id}",
        Access::SignedIn,
    ),
    (
        "POST",
        "/training/{slug}/lessons/{lesson_id}/check",
        Access::SignedIn,
    ),
    ("GET", "/training/{slug}/assessment", Access::SignedIn),
    (
        "POST",
        "/training/{slug}/assessment/start",
        Access::SignedIn,
    ),
    ("POST", "/training/{slug}/assessment/save", Access::SignedIn),
    (
        "POST",
        "/training/{slug}/assessment/answer",
        Access::SignedIn,
    ),
    (
        "POST",
        "/training/{slug}/assessment/submit",
        Access::SignedIn,
    ),
    ("GET", "/training/attempts/{attempt_id}", Access::SignedIn),
    ("GET", "/training/certificates/{code}", Access::SignedIn),
    ("GET", "/alerts", Access::SignedIn),
    ("GET", "/alerts/public", Access::Anyone),
    ("GET", "/alerts/feed.atom", Access::Anyone),
    ("GET", "/alerts/feeds/{feed}", Access::Anyone),
    ("GET", "/alerts/{reference}", Access::Anyone),
    ("GET", "/alerts/{reference}/csaf.json", Access::Anyone),
    ("POST", "/alerts/{reference}/respond", Access::SignedIn),
    (
        "GET",
        "/.well-known/csaf/provider-metadata.json",
        Access::Anyone,
    ),
    (
        "GET",
        "/.well-known/csaf/white/csaf-feed-tlp-white.json",
        Access::Anyone,
    ),
    (
        "GET",
        "/.well-known/csaf/white/{year}/{file}",
        Access::Anyone,
    ),
    ("GET", "/.well-known/security.txt", Access::Anyone),
    ("GET", "/alerts/manage", Access::National),
    ("GET", "/alerts/manage/new", Access::National),
    ("POST", "/alerts/manage/new", Access::National),
    ("GET", "/alerts/manage/kev", Access::National),
    ("POST", "/alerts/manage/kev", Access::National),
    ("GET", "/alerts/manage/{advisory_id}", Access::National),
    ("GET", "/alerts/manage/{advisory_id}/edit", Access::National),
    (
        "POST",
        "/alerts/manage/{advisory_id}/edit",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/submit",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/return",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/publish",
        Access::National,
    ),
    (
        "GET",
        "/alerts/manage/{advisory_id}/revise",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/revise",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/revision/approve",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/revision/discard",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/withdraw",
        Access::National,
    ),
    (
        "GET",
        "/alerts/manage/{advisory_id}/dashboard",
        Access::National,
    ),
    (
        "GET",
        "/alerts/manage/{advisory_id}/responses.csv",
        Access::National,
    ),
    (
        "POST",
        "/alerts/manage/{advisory_id}/escalate",
        Access::National,
    ),
    ("GET", "/organisations/{org_id}/inventory", Access::OrgLead),
    ("POST", "/organisations/{org_id}/inventory", Access::OrgLead),
    (
        "GET",
        "/organisations/{org_id}/inventory.csv",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/alert-feeds",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/alert-feeds",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/alert-feeds/{token_id}/revoke",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/alert-feeds/webhook",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/alert-feeds/webhook/remove",
        Access::OrgLead,
    ),
    ("GET", "/api/v1/alerts/advisories", Access::ApiToken),
    (
        "GET",
        "/api/v1/alerts/advisories/{reference}",
        Access::ApiToken,
    ),
    (
        "POST",
        "/api/v1/alerts/advisories/{reference}/acknowledge",
        Access::ApiToken,
    ),
    (
        "POST",
        "/api/v1/alerts/advisories/{reference}/state",
        Access::ApiToken,
    ),
    ("GET", "/api/v1/alerts/inventory", Access::ApiToken),
    ("PUT", "/api/v1/alerts/inventory", Access::ApiToken),
    ("GET", "/healthz", Access::Anyone),
    ("GET", "/readyz", Access::Anyone),
    ("GET", "/metrics", Access::Anyone),
    ("GET", "/sign-in", Access::Anyone),
    ("POST", "/sign-in", Access::Anyone),
    ("POST", "/sign-out", Access::PasswordStep),
    ("GET", "/sign-in/two-step", Access::PasswordStep),
    ("POST", "/sign-in/two-step", Access::PasswordStep),
    ("GET", "/account/two-step/set-up", Access::PasswordStep),
    ("POST", "/account/two-step/set-up", Access::PasswordStep),
    ("GET", "/account", Access::SignedIn),
    ("GET", "/account/password", Access::SignedIn),
    ("POST", "/account/password", Access::SignedIn),
    (
        "POST",
        "/account/invitations/{invitation_id}/accept",
        Access::SignedIn,
    ),
    (
        "POST",
        "/account/invitations/{invitation_id}/decline",
        Access::SignedIn,
    ),
    ("GET", "/password-reset", Access::Anyone),
    ("POST", "/password-reset", Access::Anyone),
    ("GET", "/password-reset/{token}", Access::Anyone),
    ("POST", "/password-reset/{token}", Access::Anyone),
    ("GET", "/invitations/{token}", Access::Anyone),
    ("POST", "/invitations/{token}", Access::Anyone),
    ("GET", "/admin/organisations", Access::National),
    ("GET", "/admin/organisations/new", Access::NationalAdmin),
    ("POST", "/admin/organisations/new", Access::NationalAdmin),
    ("GET", "/organisations/{org_id}", Access::OrgMember),
    (
        "POST",
        "/organisations/{org_id}/security-leads",
        Access::NationalAdmin,
    ),
    ("GET", "/organisations/{org_id}/staff", Access::OrgLead),
    ("GET", "/organisations/{org_id}/staff/new", Access::OrgLead),
    ("POST", "/organisations/{org_id}/staff/new", Access::OrgLead),
    (
        "POST",
        "/organisations/{org_id}/staff/{membership_id}/deactivate",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/staff/{membership_id}/reactivate",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/staff/{membership_id}/role",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/staff/{membership_id}/two-step/unlock",
        Access::NationalAdmin,
    ),
    (
        "POST",
        "/organisations/{org_id}/staff/invitations/{invitation_id}/withdraw",
        Access::OrgLead,
    ),
    ("GET", "/admin/audit", Access::NationalAdmin),
    ("GET", "/organisations/{org_id}/audit", Access::OrgLead),
    (
        "GET",
        "/organisations/{org_id}/staff/import",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/staff/import",
        Access::OrgLead,
    ),
    ("GET", "/organisations/{org_id}/api-tokens", Access::OrgLead),
    (
        "POST",
        "/organisations/{org_id}/api-tokens",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/api-tokens/{token_id}/revoke",
        Access::OrgLead,
    ),
    ("GET", "/api/v1/openapi.json", Access::Anyone),
    ("GET", "/api/v1/organisation", Access::ApiToken),
    ("GET", "/api/v1/staff", Access::ApiToken),
    (
        "GET",
        "/organisations/{org_id}/training/needs",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/training/needs",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/training/assignments",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/training/assignments",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/training/assignments/{assignment_id}/delete",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/training/evidence",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/training/evidence.csv",
        Access::OrgLead,
    ),
    ("GET", "/organisations/{org_id}/training", Access::OrgLead),
    (
        "GET",
        "/organisations/{org_id}/training.csv",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/training/target",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/training/remind",
        Access::OrgLead,
    ),
    ("GET", "/national/training", Access::National),
    ("GET", "/national/training.csv", Access::National),
    ("GET", "/admin/courses", Access::NationalAdmin),
    ("POST", "/admin/courses", Access::NationalAdmin),
    ("GET", "/admin/content", Access::NationalAdmin),
    (
        "GET",
        "/organisations/{org_id}/assessments",
        Access::OrgMember,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/assessments/{assessment_id}",
        Access::OrgMember,
    ),
    (
        "GET",
        "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}",
        Access::OrgMember,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}",
        Access::OrgMember,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/assignments",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/submit",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/publish",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}/evidence",
        Access::OrgMember,
    ),
    (
        "POST",
        "/organisations/{org_id}/assessments/{assessment_id}/requirements/{requirement}/evidence/{evidence_id}/remove",
        Access::OrgMember,
    ),
    ("GET", "/organisations/{org_id}/evidence", Access::OrgLead),
    ("POST", "/organisations/{org_id}/evidence", Access::OrgLead),
    (
        "GET",
        "/organisations/{org_id}/evidence/{evidence_id}",
        Access::OrgLead,
    ),
    (
        "POST",
        "/organisations/{org_id}/evidence/{evidence_id}/revisions",
        Access::OrgLead,
    ),
    (
        "GET",
        "/organisations/{org_id}/evidence/{evidence_id}/revisions/{revision}",
        Access::OrgLead,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Staff,
    Lead,
    Analyst,
    Admin,
}

/// The rules, restated independently of the application's own policy code.
fn may(access: Access, who: Who, own_org: bool) -> Option<bool> {
    use Who::*;
    Some(match access {
        Access::Anyone => true,
        Access::ApiToken => return None,
        _ if who == Anonymous => false,
        Access::PasswordStep | Access::SignedIn => true,
        Access::National => matches!(who, Analyst | Admin),
        Access::NationalAdmin => who == Admin,
        Access::OrgMember => {
            matches!(who, Analyst | Admin) || (own_org && matches!(who, Staff | Lead))
        }
        Access::OrgLead => who == Admin || (own_org && who == Lead),
    })
}

fn concrete(path: &str, org: Uuid) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{org_id}" => org.to_string(),
            "{token}" => "not-a-real-token".to_owned(),
            s if s.starts_with('{') => Uuid::new_v4().to_string(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn check(page: &Page, allowed: bool, who: Who, method: &str, path: &str) {
    let to_sign_in = page.status.is_redirection()
        && page
            .location()
            .unwrap_or_default()
            .starts_with("/sign-in?next=");
    if allowed {
        assert!(
            page.status != StatusCode::FORBIDDEN
                && page.status != StatusCode::UNAUTHORIZED
                && !to_sign_in,
            "{who:?} should reach {method} {path} but got {} {:?}",
            page.status,
            page.location()
        );
        // Reaching a route is not enough: a server error there is a failure too.
        assert!(
            !page.status.is_server_error(),
            "{who:?} reached {method} {path} but it failed with {}: {}",
            page.status,
            page.text
        );
    } else if who == Who::Anonymous {
        let sent_away = if method == "GET" {
            to_sign_in
        } else {
            page.status == StatusCode::UNAUTHORIZED
        };
        assert!(
            sent_away,
            "anonymous {method} {path} should be asked to sign in, got {}",
            page.status
        );
    } else {
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{who:?} must not reach {method} {path}"
        );
    }
}

on_both!(every_route_is_guarded_for_every_role, |app| {
    let routes: BTreeSet<(String, String)> = carecert::app::route_specs()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        routes, expected,
        "every route needs an entry in EXPECTED saying who may use it"
    );

    let team = app.national_team().await;
    let own = app.org("Own Trust", "RO1", OrgType::NhsTrust).await;
    let other = app.org("Other Trust", "RO2", OrgType::NhsTrust).await;
    let people = [
        (
            Who::Staff,
            app.person(own, Role::Staff, "staff@own.example").await,
        ),
        (
            Who::Lead,
            app.person(own, Role::SecurityLead, "lead@own.example")
                .await,
        ),
        (
            Who::Analyst,
            app.person(team, Role::NationalAnalyst, "analyst@carecert.test")
                .await,
        ),
        (
            Who::Admin,
            app.person(team, Role::NationalAdmin, "admin@carecert.test")
                .await,
        ),
    ];
    let mut clients: Vec<(Who, Client)> = vec![(Who::Anonymous, app.client())];
    for (who, person) in &people {
        clients.push((*who, app.signed_in(person).await));
    }
    // Signing out ends the session, so it is walked last.
    let mut ordered: Vec<_> = EXPECTED.to_vec();
    ordered.sort_by_key(|(_, p, _)| *p == "/sign-out");
    for (method, path, access) in ordered {
        let orgs: &[(Uuid, bool)] = if path.contains("{org_id}") {
            &[(own, true), (other, false)]
        } else {
            &[(own, true)]
        };
        for (org, is_own) in orgs {
            for (who, client) in &clients {
                let Some(allowed) = may(access, *who, *is_own) else {
                    continue;
                };
                let url = concrete(path, *org);
                let page = if method == "GET" {
                    client.get(&url).await
                } else {
                    client.post(&url, &[]).await
                };
                check(&page, allowed, *who, method, &url);
            }
        }
    }
});

/// Whether a page sends its visitor off to sign in: a redirect to the sign-in page (or, for
/// someone past the password, to the two-step pages), or a refused form.
fn sent_to_sign_in(page: &Page) -> bool {
    let location = page.location().unwrap_or_default();
    page.status == StatusCode::UNAUTHORIZED
        || (page.status.is_redirection()
            && (location.starts_with("/sign-in?next=")
                || location.starts_with("/sign-in/two-step")
                || location.starts_with("/account/two-step/set-up")))
}

/// A privileged person who has a password but has never set up two-step verification.
async fn not_enrolled(app: &TestApp, org: Uuid, role: Role, email: &str) -> Person {
    let mut person = app.person(org, role, email).await;
    carecert::with_db!(app.db(), |pool| sqlx::query(
        "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE email = $1"
    )
    .bind(email)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("no two-step");
    person.totp_secret = None;
    person
}

// A phished password must give nothing a visitor could not already see: every route, for a
// password-only session of each role that needs two-step verification (set up and not),
// answers as it does anonymous, including the pages of advisories not marked TLP:CLEAR.
on_both!(a_password_alone_is_treated_as_anonymous, |app| {
    use carecert::alerts::model::Tlp;
    let team = app.national_team().await;
    let own = app.org("Own Trust", "RO1", OrgType::NhsTrust).await;
    let mut references = vec![];
    for tlp in [Tlp::Amber, Tlp::Red] {
        let mut content = alerts::sample_content();
        content.tlp = tlp;
        references.push(alerts::publish(&app, content).await.1);
    }
    let people = [
        app.person(own, Role::SecurityLead, "lead@own.example")
            .await,
        app.person(team, Role::NationalAnalyst, "analyst@carecert.test")
            .await,
        app.person(team, Role::NationalAdmin, "admin@carecert.test")
            .await,
        not_enrolled(&app, own, Role::SecurityLead, "new-lead@own.example").await,
        not_enrolled(
            &app,
            team,
            Role::NationalAnalyst,
            "new-analyst@carecert.test",
        )
        .await,
        not_enrolled(&app, team, Role::NationalAdmin, "new-admin@carecert.test").await,
    ];
    let anonymous = app.client();
    let mut clients = vec![];
    for person in &people {
        clients.push((person.email.clone(), app.password_only(person).await));
    }
    for (method, path, access) in EXPECTED {
        if *access == Access::PasswordStep {
            continue;
        }
        let urls: Vec<String> = if path.contains("{reference}") {
            references
                .iter()
                .map(|r| concrete(&path.replace("{reference}", r), own))
                .collect()
        } else {
            vec![concrete(path, own)]
        };
        for url in urls {
            let fetch = |client: &Client| {
                let (client, url) = (client.clone(), url.clone());
                async move {
                    if *method == "GET" {
                        client.get(&url).await
                    } else {
                        client.post(&url, &[]).await
                    }
                }
            };
            let expected = fetch(&anonymous).await;
            for (email, client) in &clients {
                let page = fetch(client).await;
                if sent_to_sign_in(&expected) {
                    assert!(
                        sent_to_sign_in(&page),
                        "{email} with only a password reached {method} {url}: {} {:?}",
                        page.status,
                        page.location()
                    );
                    continue;
                }
                assert_eq!(
                    (page.status, page.location()),
                    (expected.status, expected.location()),
                    "{email} with only a password must get what anonymous gets at {method} {url}"
                );
                assert!(
                    !page.text.contains(&format!("Test {email}")),
                    "{method} {url} names {email}, who has given only a password"
                );
            }
        }
    }
});

/// Two instances behind a load balancer: sign in through one, carry on through the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_work_across_instances_on_postgres() {
    let Some(first) = TestApp::start(crate::support::Engine::Postgres).await else {
        eprintln!("SKIPPED on PostgreSQL: CARECERT_TEST_POSTGRES_URL is not set");
        return;
    };
    let second = first.second_instance().await;
    let org = first.org("Shared Trust", "RX9", OrgType::NhsTrust).await;
    let lead = first
        .person(org, Role::SecurityLead, "lead@shared.example")
        .await;
    let on_first = first.signed_in(&lead).await;
    let session = on_first.cookie("carecert_session").expect("session");
    let csrf = on_first.csrf().await;
    let on_second = Client::new(&second.base);
    let cookie = format!("carecert_session={session}; carecert_csrf={csrf}");
    on_second
        .get_with(
            &format!("/organisations/{org}/staff"),
            &[("cookie", &cookie)],
        )
        .await
        .assert_ok();
    on_second
        .get_with("/account", &[("cookie", &cookie)])
        .await
        .assert_ok()
        .assert_contains("lead@shared.example");
    // Signing out through the second ends the session on the first.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let out = http
        .post(format!("{}/sign-out", second.base))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("sign out");
    assert!(out.status().is_redirection());
    on_first
        .get("/account")
        .await
        .assert_redirect_to("/sign-in");
    second.stop().await;
}
