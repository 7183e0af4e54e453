//! The API and the token pages against a real database: SQLite always, and PostgreSQL when
//! `CARECERT_TEST_POSTGRES_URL` names a server where a scratch database may be created.

use std::sync::Arc;

use axum::{
    Extension, Router,
    body::{Body, to_bytes},
    http::{Method, Request, StatusCode, header},
    response::Response,
};
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

use crate::platform::scratch::{drop_postgres, postgres, sqlite};

use crate::{
    api::tokens,
    organisations::{
        domain::OrgType,
        store::{self as org_store, NewOrganisation},
    },
    platform::{
        AppState,
        authz::{CurrentUser, Membership, Principal, Role},
        config::{Config, ServerArgs},
        db::{Db, new_id, now},
        web::routes,
    },
    platform::{api::client::authenticate, ids::OrgId},
    staff::store::{self as staff_store, NewMembership},
    with_db,
};

async fn add_user(db: &Db, email: &str, name: &str, signed_up: bool) -> Uuid {
    let id = new_id();
    let at = now();
    with_db!(db, |pool| sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)"
    )
    .bind(id)
    .bind(email)
    .bind(name)
    .bind(signed_up.then_some("$argon2id$not-a-real-hash"))
    .bind(at)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("add user");
    id
}

struct World {
    org: OrgId,
    other_org: OrgId,
    lead: Principal,
    admin: Principal,
    members: Vec<Uuid>,
}

async fn world(db: &Db) -> World {
    let mut tx = db.begin().await.unwrap();
    let mut org_ids = vec![];
    for (name, code) in [
        ("Example Trust", "RX1"),
        ("Other Trust", "RX2"),
        ("National team", "X26"),
    ] {
        let id = org_store::create(
            &mut tx,
            &NewOrganisation {
                name,
                ods_code: &code.parse().unwrap(),
                org_type: if code == "X26" {
                    OrgType::NationalTeam
                } else {
                    OrgType::NhsTrust
                },
                parent_id: None,
            },
        )
        .await
        .unwrap();
        org_ids.push(id);
    }
    tx.commit().await.unwrap();
    let (org, other_org, team) = (org_ids[0], org_ids[1], org_ids[2]);
    let people = [
        ("lead@nhs.net", "Lee Lead", true, org, Role::SecurityLead),
        ("new@nhs.net", "Nia New", false, org, Role::Staff),
        ("old@nhs.net", "Ola Old", true, org, Role::Staff),
        (
            "elsewhere@nhs.net",
            "Eve Elsewhere",
            true,
            other_org,
            Role::Staff,
        ),
        (
            "admin@nhs.net",
            "Ada Admin",
            true,
            team,
            Role::NationalAdmin,
        ),
    ];
    let mut ids = vec![];
    for (email, name, signed_up, organisation_id, role) in people {
        let user_id = add_user(db, email, name, signed_up).await;
        let mut tx = db.begin().await.unwrap();
        let membership = staff_store::add(
            &mut tx,
            &NewMembership {
                organisation_id,
                user_id: user_id.into(),
                role,
                staff_group: "it",
                department: Some("Digital"),
            },
        )
        .await
        .unwrap()
        .unwrap();
        if email == "old@nhs.net" {
            staff_store::set_active(&mut tx, org, membership, false)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        ids.push((user_id, membership));
    }
    let principal = |user_id, name: &str, email: &str, organisation_id, role| Principal {
        user_id,
        name: name.into(),
        email: email.into(),
        memberships: vec![Membership {
            organisation_id,
            organisation_name: "Org".into(),
            role,
        }],
        two_step_enrolled: true,
        two_step_verified: true,
    };
    World {
        org,
        other_org,
        lead: principal(
            ids[0].0.into(),
            "Lee Lead",
            "lead@nhs.net",
            org,
            Role::SecurityLead,
        ),
        admin: principal(
            ids[4].0.into(),
            "Ada Admin",
            "admin@nhs.net",
            team,
            Role::NationalAdmin,
        ),
        members: ids[..3].iter().map(|(_, m)| *m).collect(),
    }
}

fn state(db: &Db) -> AppState {
    AppState {
        db: db.clone(),
        config: Arc::new(Config::resolve(&ServerArgs::default()).expect("default config")),
        secrets: crate::platform::secrets::SecretBox::random(),
        services: Arc::new(crate::app::compose().0),
    }
}

/// The API's routes (and the token pages, seen by `viewer`), as the app builds them.
fn app(db: &Db, viewer: Option<&Principal>) -> Router {
    let state = state(db);
    // The API's own routes and the platform's (which serve the OpenAPI document).
    let routes = crate::app::compose()
        .1
        .into_iter()
        .filter(|(service, _)| ["api", "platform"].contains(service))
        .map(|(_, route)| route)
        .collect();
    routes::build(&state, routes)
        .fallback(crate::platform::api::not_found)
        .layer(Extension(CurrentUser(viewer.cloned())))
        .with_state(state)
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    form: Option<&str>,
) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match form {
        Some(form) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(form.to_owned())
        }
        None => Body::empty(),
    };
    app.clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap()
}

async fn text(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

async fn json(response: Response) -> Value {
    serde_json::from_str(&text(response).await).unwrap()
}

async fn audit_count(db: &Db, event: &str, org: OrgId) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1 AND organisation_id = $2"
    )
    .bind(event)
    .bind(org)
    .fetch_one(pool)
    .await)
    .unwrap()
}

/// The token shown on the "created" page.
fn shown_secret(html: &str) -> String {
    let start = html.find("value=\"cc_").expect("token shown") + "value=\"".len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

async fn token_store_rules(db: &Db) {
    let w = world(db).await;
    let mut tx = db.begin().await.unwrap();
    let created = tokens::create(&mut tx, w.org, "Nightly sync", w.lead.user_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(crate::platform::api::client::looks_like_api_token(
        &created.secret
    ));

    let client = authenticate(db, &created.secret).await.unwrap().unwrap();
    assert_eq!(
        (client.token_id, client.organisation_id),
        (created.id, w.org)
    );
    let listed = tokens::list(db, w.org).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].created_by_name, "Lee Lead");
    assert_eq!(listed[0].prefix, created.prefix);
    let first_use = listed[0].last_used_at.expect("last use noted");
    authenticate(db, &created.secret).await.unwrap().unwrap();
    let again = tokens::list(db, w.org).await.unwrap();
    assert_eq!(
        again[0].last_used_at,
        Some(first_use),
        "written at most once a minute"
    );
    assert!(tokens::list(db, w.other_org).await.unwrap().is_empty());

    // Names are unique among active tokens, whatever their case.
    let mut tx = db.begin().await.unwrap();
    let duplicate = tokens::create(&mut tx, w.org, "NIGHTLY SYNC", w.lead.user_id).await;
    assert!(matches!(duplicate, Err(tokens::CreateError::DuplicateName)));
    drop(tx);

    // Another organisation cannot revoke the token; its own can, once.
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        tokens::revoke(&mut tx, w.other_org, created.id)
            .await
            .unwrap(),
        None
    );
    let revoked = tokens::revoke(&mut tx, w.org, created.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!revoked.already);
    let twice = tokens::revoke(&mut tx, w.org, created.id)
        .await
        .unwrap()
        .unwrap();
    assert!(twice.already);
    tx.commit().await.unwrap();
    assert_eq!(authenticate(db, &created.secret).await.unwrap(), None);
    assert_eq!(
        authenticate(db, &tokens::issue_secret().secret)
            .await
            .unwrap(),
        None
    );
    assert_eq!(authenticate(db, "cc_short").await.unwrap(), None);

    // A revoked token's name may be used again.
    let mut tx = db.begin().await.unwrap();
    tokens::create(&mut tx, w.org, "Nightly sync", w.lead.user_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn api_end_to_end(db: &Db) {
    let w = world(db).await;
    let lead_pages = app(db, Some(&w.lead));

    // A security lead creates a token; it is shown once, and the creation is audited.
    let page = send(
        &lead_pages,
        Method::GET,
        &format!("/organisations/{}/api-tokens", w.org),
        None,
        None,
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(page).await;
    assert!(html.contains("has no API tokens yet"));
    assert!(
        html.contains(&format!("href=\"/organisations/{}\"", w.org)),
        "breadcrumb to the organisation"
    );

    let blank = send(
        &lead_pages,
        Method::POST,
        &format!("/organisations/{}/api-tokens", w.org),
        None,
        Some("name=++&csrf_token=x"),
    )
    .await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(blank).await;
    assert!(html.contains("nhsuk-error-summary") && html.contains("href=\"#name\""));
    assert!(html.contains("<title>Error: "));

    let created = send(
        &lead_pages,
        Method::POST,
        &format!("/organisations/{}/api-tokens", w.org),
        None,
        Some("name=HR+system&csrf_token=x"),
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(created.headers()[header::CACHE_CONTROL], "no-store");
    let html = text(created).await;
    assert!(html.contains("nhsuk-warning-callout"));
    let secret = shown_secret(&html);
    assert!(crate::platform::api::client::looks_like_api_token(&secret));
    assert_eq!(audit_count(db, "api_token.created", w.org).await, 1);
    let listing = text(
        send(
            &lead_pages,
            Method::GET,
            &format!("/organisations/{}/api-tokens", w.org),
            None,
            None,
        )
        .await,
    )
    .await;
    assert!(listing.contains("HR system") && listing.contains(&secret[..11]));
    assert!(
        !listing.contains(&secret),
        "the secret is never shown again"
    );

    // The token reads its own organisation only.
    let api = app(db, None);
    let response = send(
        &api,
        Method::GET,
        "/api/v1/organisation",
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let org = json(response).await;
    assert_eq!(org["id"], w.org.to_string());
    assert_eq!(
        (
            org["name"].as_str(),
            org["ods_code"].as_str(),
            org["type"].as_str()
        ),
        (Some("Example Trust"), Some("RX1"), Some("nhs_trust"))
    );

    let staff = json(send(&api, Method::GET, "/api/v1/staff", Some(&secret), None).await).await;
    assert_eq!(staff["total"], 3);
    assert_eq!(staff["total_pages"], 1);
    let ids: Vec<_> = staff["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<_> = w.members.iter().map(Uuid::to_string).collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "members of this organisation only, in id order"
    );
    let by_email = |email: &str| {
        staff["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap()
            .clone()
    };
    let lead = by_email("lead@nhs.net");
    assert_eq!(
        (
            lead["role"].as_str(),
            lead["status"].as_str(),
            lead["active"].as_bool()
        ),
        (Some("security_lead"), Some("active"), Some(true))
    );
    assert_eq!(
        (lead["staff_group"].as_str(), lead["department"].as_str()),
        (Some("it"), Some("Digital"))
    );
    assert_eq!(by_email("new@nhs.net")["status"], "invited");
    assert_eq!(by_email("old@nhs.net")["status"], "deactivated");
    assert_eq!(by_email("old@nhs.net")["active"], false);

    let second = json(
        send(
            &api,
            Method::GET,
            "/api/v1/staff?per_page=2&page=2",
            Some(&secret),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            second["page"].as_u64(),
            second["per_page"].as_u64(),
            second["total_pages"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"][0]["id"], expected[2]);

    let bad = send(
        &api,
        Method::GET,
        "/api/v1/staff?per_page=501&page=0",
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem = json(bad).await;
    assert_eq!(problem["type"], "/api/v1/problems/validation-error");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);

    // Missing, wrong and revoked tokens are refused with a problem and a challenge.
    let missing = send(&api, Method::GET, "/api/v1/staff", None, None).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(
        missing.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(
        json(missing).await["type"],
        "/api/v1/problems/missing-token"
    );
    let wrong = send(
        &api,
        Method::GET,
        "/api/v1/staff",
        Some(&tokens::issue_secret().secret),
        None,
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(wrong).await["type"], "/api/v1/problems/invalid-token");

    // Unknown paths and methods are problems too; the OpenAPI document is public.
    let unknown = send(
        &api,
        Method::GET,
        "/api/v1/nothing-here",
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let post = send(&api, Method::POST, "/api/v1/staff", Some(&secret), None).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        post.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    assert_eq!(
        post.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let doc = send(&api, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status(), StatusCode::OK);
    assert_eq!(json(doc).await["info"]["title"], "CareCERT API");

    // Revoking goes through the token's own organisation only.
    let token_id = tokens::list(db, w.org).await.unwrap()[0].id;
    let admin_pages = app(db, Some(&w.admin));
    let elsewhere = send(
        &admin_pages,
        Method::POST,
        &format!(
            "/organisations/{}/api-tokens/{token_id}/revoke",
            w.other_org
        ),
        None,
        Some("csrf_token=x"),
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    let nonsense = send(
        &lead_pages,
        Method::POST,
        &format!("/organisations/{}/api-tokens/not-a-uuid/revoke", w.org),
        None,
        Some("csrf_token=x"),
    )
    .await;
    assert_eq!(nonsense.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        send(
            &api,
            Method::GET,
            "/api/v1/organisation",
            Some(&secret),
            None
        )
        .await
        .status(),
        StatusCode::OK
    );
    let revoked = send(
        &lead_pages,
        Method::POST,
        &format!("/organisations/{}/api-tokens/{token_id}/revoke", w.org),
        None,
        Some("csrf_token=x"),
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        revoked.headers()[header::LOCATION],
        format!("/organisations/{}/api-tokens", w.org)
    );
    assert_eq!(audit_count(db, "api_token.revoked", w.org).await, 1);
    let refused = send(
        &api,
        Method::GET,
        "/api/v1/organisation",
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json(refused).await["type"],
        "/api/v1/problems/invalid-token"
    );

    // Other people cannot reach the pages.
    let other_lead = Principal {
        memberships: vec![Membership {
            organisation_id: w.other_org,
            organisation_name: "Other Trust".into(),
            role: Role::SecurityLead,
        }],
        ..w.lead.clone()
    };
    let outsider = app(db, Some(&other_lead));
    let denied = send(
        &outsider,
        Method::GET,
        &format!("/organisations/{}/api-tokens", w.org),
        None,
        None,
    )
    .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let missing_org = send(
        &admin_pages,
        Method::GET,
        &format!("/organisations/{}/api-tokens", Uuid::new_v4()),
        None,
        None,
    )
    .await;
    assert_eq!(missing_org.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sqlite_token_store_rules() {
    let (_dir, db) = sqlite().await;
    token_store_rules(&db).await;
}

#[tokio::test]
async fn sqlite_api_end_to_end() {
    let (_dir, db) = sqlite().await;
    api_end_to_end(&db).await;
}

#[tokio::test]
async fn postgres_token_store_rules() {
    let Some((admin, name, db)) = postgres().await else {
        return;
    };
    token_store_rules(&db).await;
    drop_postgres(&admin, &name, db).await;
}

#[tokio::test]
async fn postgres_api_end_to_end() {
    let Some((admin, name, db)) = postgres().await else {
        return;
    };
    api_end_to_end(&db).await;
    drop_postgres(&admin, &name, db).await;
}
