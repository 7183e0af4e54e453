//! The Alerts API: an organisation's own systems read the advisories addressed to it (and
//! only those), record its response through the same workflow people follow, replace its
//! software inventory, and receive signed webhooks that are retried when they fail.

use std::{collections::HashMap, time::Duration};

use carecert::{
    alerts::{publishing, store::channels, webhooks},
    organisations::domain::OrgType,
    platform::db::now,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        Client, Page, TestApp,
        advisories::{self, Analysts, analysts, log4shell_form, org_with_lead, with},
        input_value,
    },
};

/// A machine client holding one organisation's API token.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(app: &TestApp, token: &str) -> Self {
        Api {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            base: app.base.clone(),
            token: token.to_owned(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("API request");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap_or_default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.http.get(self.url(path)).bearer_auth(&self.token))
            .await
    }

    async fn post(&self, path: &str, body: Option<Value>) -> Page {
        let request = self.http.post(self.url(path)).bearer_auth(&self.token);
        self.send(match body {
            Some(body) => request.json(&body),
            None => request,
        })
        .await
    }

    async fn post_raw(&self, path: &str, content_type: Option<&str>, body: &str) -> Page {
        let mut request = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .body(body.to_owned());
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        self.send(request).await
    }

    async fn put(&self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        self.send(
            self.http
                .put(self.url(path))
                .bearer_auth(&self.token)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

#[track_caller]
fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", page.status, page.text))
}

/// The problem document of a refused request, checking it is one.
#[track_caller]
fn problem(page: &Page, status: StatusCode) -> Value {
    assert_eq!(page.status, status, "{}", page.text);
    assert_eq!(
        page.header("content-type"),
        Some("application/problem+json"),
        "{}",
        page.text
    );
    let p = json_of(page);
    assert_eq!(p["status"], status.as_u16());
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    p
}

/// A token made by the organisation's security lead on the tokens page.
async fn api_token(lead: &Client, org: Uuid, name: &str) -> String {
    let created = lead
        .post(
            &format!("/organisations/{org}/api-tokens"),
            &[("name", name)],
        )
        .await;
    created.assert_ok();
    input_value(&created.text, "token").expect("the new token is shown")
}

/// Publishes the Log4Shell advisory with `title`, to the organisations with the ODS codes
/// given, or to everyone.
async fn publish(a: &Analysts, title: &str, only: Option<&str>) -> (Uuid, String) {
    let mut form = with(log4shell_form(), "title", title);
    if let Some(ods) = only {
        form = with(with(form, "audience", "list"), "audience_orgs", ods);
    }
    advisories::publish(a, &form).await
}

fn references(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["reference"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    carecert::with_db!(app.db(), |pool| sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(pool)
    .await)
    .expect("user")
}

on_both!(
    alerts_api_shows_each_organisation_only_its_advisories,
    |app| {
        let a = analysts(&app).await;
        let (birch, birch_lead) = org_with_lead(
            &app,
            "Birch Trust",
            "RB1",
            OrgType::NhsTrust,
            "lead@birch.example",
        )
        .await;
        let (rowan, rowan_lead) = org_with_lead(
            &app,
            "Rowan Trust",
            "RR1",
            OrgType::NhsTrust,
            "lead@rowan.example",
        )
        .await;
        let birch_api = Api::new(&app, &api_token(&birch_lead, birch, "SOC").await);
        let rowan_api = Api::new(&app, &api_token(&rowan_lead, rowan, "SOC").await);
        let (_, only_birch) =
            publish(&a, "Log4j flaw in Birch's payroll system", Some("RB1")).await;
        let (_, everyone) = publish(&a, "Log4j flaw for every organisation", None).await;

        let list = birch_api.get("/api/v1/alerts/advisories").await;
        list.assert_ok();
        assert_eq!(list.header("cache-control"), Some("no-store"));
        let list = json_of(&list);
        let mut refs = references(&list);
        refs.sort();
        let mut both = vec![only_birch.clone(), everyone.clone()];
        both.sort();
        assert_eq!(refs, both);
        let first = &list["data"][0];
        assert_eq!(first["severity"], "critical");
        assert_eq!(first["tlp"], "CLEAR");
        assert_eq!(first["status"], "published");
        assert_eq!(first["ack_required"], true);
        assert!(first["ack_due_at"].is_string() && first["published"].is_string());
        assert_eq!(first["response"]["state"], "awaiting");
        assert_eq!(first["response"]["likely_affected"], false);

        let rowan_list = json_of(&rowan_api.get("/api/v1/alerts/advisories").await);
        assert_eq!(references(&rowan_list), [everyone.as_str()]);

        // Another organisation's advisory reads exactly as one that does not exist.
        let hidden = problem(
            &rowan_api
                .get(&format!("/api/v1/alerts/advisories/{only_birch}"))
                .await,
            StatusCode::NOT_FOUND,
        );
        let missing = problem(
            &rowan_api
                .get("/api/v1/alerts/advisories/CC-2099-9999")
                .await,
            StatusCode::NOT_FOUND,
        );
        assert_eq!(hidden, missing);
        problem(
            &rowan_api
                .post(
                    &format!("/api/v1/alerts/advisories/{only_birch}/acknowledge"),
                    None,
                )
                .await,
            StatusCode::NOT_FOUND,
        );
        problem(
            &rowan_api
                .get(&format!("/api/v1/alerts/advisories/{}", "X".repeat(5000)))
                .await,
            StatusCode::NOT_FOUND,
        );

        // The whole advisory, with its history and Birch's response.
        let detail = birch_api
            .get(&format!(
                "/api/v1/alerts/advisories/{}",
                only_birch.to_lowercase()
            ))
            .await;
        detail.assert_ok();
        let detail = json_of(&detail);
        assert_eq!(detail["reference"], only_birch.as_str());
        assert_eq!(
            detail["content"]["title"],
            "Log4j flaw in Birch's payroll system"
        );
        assert_eq!(detail["content"]["cves"][0]["id"], "CVE-2021-44228");
        assert_eq!(detail["content"]["audience"]["kind"], "organisations");
        assert_eq!(detail["revisions"][0]["number"], 1);
        assert_eq!(detail["revision"], 1);
        assert_eq!(detail["response"]["state"], "awaiting");
        assert_eq!(detail["response"]["matched_items"], json!([]));
        assert_eq!(detail["response"]["timeline"], json!([]));

        // Filtering by the response's state, and refusing states that do not exist.
        birch_api
            .post(
                &format!("/api/v1/alerts/advisories/{only_birch}/acknowledge"),
                None,
            )
            .await
            .assert_ok();
        let awaiting = json_of(
            &birch_api
                .get("/api/v1/alerts/advisories?state=awaiting")
                .await,
        );
        assert_eq!(references(&awaiting), [everyone.as_str()]);
        let acknowledged = json_of(
            &birch_api
                .get("/api/v1/alerts/advisories?state=acknowledged")
                .await,
        );
        assert_eq!(references(&acknowledged), [only_birch.as_str()]);
        // The advisory still awaiting acknowledgement has a deadline, so it comes first.
        let all = json_of(&birch_api.get("/api/v1/alerts/advisories").await);
        assert_eq!(references(&all), [everyone.as_str(), only_birch.as_str()]);
        let bad = problem(
            &birch_api
                .get("/api/v1/alerts/advisories?state=closed")
                .await,
            StatusCode::BAD_REQUEST,
        );
        let detail = bad["detail"].as_str().unwrap_or_default();
        for state in ["awaiting", "remediating", "not_applicable", "risk_accepted"] {
            assert!(detail.contains(state), "{detail}");
        }

        // No token, a malformed one and a revoked one are all refused.
        let anonymous = reqwest::get(format!("{}/api/v1/alerts/advisories", app.base))
            .await
            .expect("GET");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        problem(
            &Api::new(&app, "cc_not-a-token")
                .get("/api/v1/alerts/advisories")
                .await,
            StatusCode::UNAUTHORIZED,
        );
        let tokens = carecert::api::tokens::list(app.db(), rowan.into())
            .await
            .expect("tokens");
        let mut tx = app.db().begin().await.expect("begin");
        carecert::api::tokens::revoke(&mut tx, rowan.into(), tokens[0].id)
            .await
            .expect("revoke");
        tx.commit().await.expect("commit");
        let revoked = problem(
            &rowan_api.get("/api/v1/alerts/advisories").await,
            StatusCode::UNAUTHORIZED,
        );
        assert_eq!(revoked["type"], "/api/v1/problems/invalid-token");
        problem(
            &rowan_api
                .post(
                    &format!("/api/v1/alerts/advisories/{everyone}/acknowledge"),
                    None,
                )
                .await,
            StatusCode::UNAUTHORIZED,
        );
    }
);

on_both!(alerts_api_records_the_response_workflow, |app| {
    let a = analysts(&app).await;
    let (birch, lead) = org_with_lead(
        &app,
        "Birch Trust",
        "RB1",
        OrgType::NhsTrust,
        "lead@birch.example",
    )
    .await;
    let api = Api::new(&app, &api_token(&lead, birch, "Birch SOC").await);
    let (_, reference) = publish(&a, "Log4j flaw in Birch's payroll system", Some("RB1")).await;
    let path = format!("/api/v1/alerts/advisories/{reference}");
    let state = |body: Value| {
        let api = &api;
        let path = format!("{path}/state");
        async move { api.post(&path, Some(body)).await }
    };

    // Nothing can be decided before the advisory is acknowledged.
    let early = problem(
        &state(json!({ "action": "applies" })).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(early["type"], "/api/v1/problems/response-state-conflict");
    assert_eq!(
        early["detail"],
        "Acknowledge the advisory before deciding whether it applies"
    );

    let acked = api.post(&format!("{path}/acknowledge"), None).await;
    acked.assert_ok();
    let acked = json_of(&acked);
    assert_eq!(acked["state"], "acknowledged");
    assert!(acked["acknowledged_at"].is_string());
    let entry = &acked["timeline"][0];
    assert_eq!(entry["event"], "Acknowledged");
    assert!(entry["by"].is_null());
    assert!(
        entry["note"]
            .as_str()
            .unwrap_or_default()
            .contains("Birch SOC"),
        "the timeline names the token: {entry}"
    );

    // Acknowledging twice is refused with the workflow's words, and changes nothing.
    let twice = problem(
        &api.post(&format!("{path}/acknowledge"), None).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(twice["type"], "/api/v1/problems/already-acknowledged");
    assert_eq!(
        twice["detail"],
        "This advisory has already been acknowledged by your organisation"
    );
    let now_shown = json_of(&api.get(&path).await);
    assert_eq!(now_shown["response"]["state"], "acknowledged");
    assert_eq!(
        now_shown["response"]["timeline"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        now_shown["response"]["acknowledged_at"],
        acked["acknowledged_at"]
    );

    // Bad requests name the field; the state stays as it was.
    let no_reason = problem(
        &state(json!({ "action": "does_not_apply" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(no_reason["type"], "/api/v1/problems/validation-error");
    assert_eq!(no_reason["errors"][0]["field"], "reason");
    assert_eq!(
        no_reason["errors"][0]["message"],
        "The reason the advisory does not apply is required"
    );
    let blank_owner = problem(
        &state(json!({ "action": "accept_risk", "owner": " ", "reason": "Retiring" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(blank_owner["errors"][0]["field"], "owner");
    let unknown = problem(
        &state(json!({ "action": "fixed" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(unknown["errors"][0]["field"], "action");
    let unused = problem(
        &state(json!({ "action": "applies", "owner": "Jo" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(unused["errors"][0]["field"], "owner");
    let days = problem(
        &state(json!({ "action": "applies", "next_update_days": 90 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(days["errors"][0]["field"], "next_update_days");
    let typo = problem(
        &state(json!({ "action": "applies", "nxt_update_days": 3 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(typo["type"], "/api/v1/problems/invalid-body");
    problem(
        &api.post_raw(
            &format!("{path}/state"),
            Some("application/json"),
            "{\"action\":",
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    problem(
        &api.post_raw(&format!("{path}/state"), None, "{\"action\":\"applies\"}")
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    let update_first = problem(
        &state(json!({ "action": "update", "note": "Halfway" })).await,
        StatusCode::CONFLICT,
    );
    assert!(
        update_first["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Confirm the advisory applies")
    );
    assert_eq!(
        json_of(&api.get(&path).await)["response"]["state"],
        "acknowledged"
    );

    // Through the workflow: applies, progress, remediated, reopened, risk accepted.
    let applies = state(json!({ "action": "applies", "next_update_days": 7 })).await;
    applies.assert_ok();
    let applies = json_of(&applies);
    assert_eq!(applies["state"], "remediating");
    assert_eq!(applies["update_days"], 7);
    assert!(applies["next_update_due_at"].is_string());
    let updated = state(json!({ "action": "update", "note": "Patched 40 of 120 servers" })).await;
    updated.assert_ok();
    let updated = json_of(&updated);
    assert_eq!(updated["state"], "remediating");
    assert!(
        updated["timeline"][0]["note"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Patched 40 of 120 servers")
    );
    let closed =
        json_of(&state(json!({ "action": "close_remediated", "note": "All patched" })).await);
    assert_eq!(closed["state"], "remediated");
    assert!(closed["closed_at"].is_string() && closed["next_update_due_at"].is_null());
    let no_reason = problem(
        &state(json!({ "action": "reopen" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(no_reason["errors"][0]["field"], "reason");
    let reopened =
        json_of(&state(json!({ "action": "reopen", "reason": "Found another server" })).await);
    assert_eq!(reopened["state"], "remediating");
    let accepted = json_of(
        &state(json!({ "action": "accept_risk", "owner": "Jo Bloggs, SIRO", "reason": "Retiring next month" }))
            .await,
    );
    assert_eq!(accepted["state"], "risk_accepted");
    assert_eq!(accepted["risk_owner"], "Jo Bloggs, SIRO");
    assert_eq!(accepted["timeline"].as_array().map(Vec::len), Some(6));

    // Every step is in the audit log under the token, not a person.
    let actors: Vec<(String, Option<Uuid>)> = carecert::with_db!(app.db(), |pool| {
        sqlx::query_as(
            "SELECT actor_label, actor_user_id FROM audit_log \
             WHERE event = 'alerts.response' AND organisation_id = $1",
        )
        .bind(birch)
        .fetch_all(pool)
        .await
    })
    .expect("audit");
    assert_eq!(actors.len(), 6);
    assert!(
        actors
            .iter()
            .all(|(label, user)| label.starts_with("api-token:") && user.is_none()),
        "{actors:?}"
    );

    // A withdrawn advisory needs no response: every action is refused, and it stays listed.
    let (second, withdrawn) = publish(&a, "Log4j flaw, withdrawn later", Some("RB1")).await;
    let by =
        crate::support::alerts::test_actor(&app, crate::support::alerts::national_user(&app).await);
    publishing::withdraw(app.db(), second, "Issued in error", &by, now(), &app.base)
        .await
        .expect("withdraw");
    let refused = problem(
        &api.post(
            &format!("/api/v1/alerts/advisories/{withdrawn}/acknowledge"),
            None,
        )
        .await,
        StatusCode::CONFLICT,
    );
    assert_eq!(refused["type"], "/api/v1/problems/advisory-withdrawn");
    let shown = json_of(
        &api.get(&format!("/api/v1/alerts/advisories/{withdrawn}"))
            .await,
    );
    assert_eq!(shown["status"], "withdrawn");
    assert_eq!(shown["withdrawn_reason"], "Issued in error");
    assert_eq!(shown["response"]["state"], "awaiting");
    let list = json_of(&api.get("/api/v1/alerts/advisories").await);
    // Both are closed to the organisation, so the newer comes first.
    assert_eq!(references(&list), [withdrawn.as_str(), reference.as_str()]);
    assert_eq!(list["data"][0]["status"], "withdrawn");
});

const INVENTORY_CSV: &str = "vendor,product,version,count,location,cpe,purl\n\
    Apache,log4j-core,2.14.1,12,Payroll servers,,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\n\
    Mozilla,Firefox,128.0,300,Desktops,,\n";

on_both!(alerts_api_replaces_the_inventory_all_or_nothing, |app| {
    let a = analysts(&app).await;
    let (birch, lead) = org_with_lead(
        &app,
        "Birch Trust",
        "RB1",
        OrgType::NhsTrust,
        "lead@birch.example",
    )
    .await;
    let api = Api::new(&app, &api_token(&lead, birch, "CMDB sync").await);
    let (_, reference) = publish(&a, "Remote code execution in Apache Log4j", None).await;
    let advisory = format!("/api/v1/alerts/advisories/{reference}");

    let empty = json_of(&api.get("/api/v1/alerts/inventory").await);
    assert_eq!(empty["data"], json!([]));
    assert!(empty["uploaded_at"].is_null());

    let put = api
        .put(
            "/api/v1/alerts/inventory",
            "text/csv; charset=utf-8",
            INVENTORY_CSV.into(),
        )
        .await;
    put.assert_ok();
    assert_eq!(
        json_of(&put),
        json!({ "items": 2, "likely_affected_advisories": 1, "left_out": [] })
    );
    let shown = json_of(&api.get(&advisory).await);
    assert_eq!(shown["response"]["likely_affected"], true);
    let matched = &shown["response"]["matched_items"][0];
    assert_eq!(matched["product"], "log4j-core");
    assert_eq!(matched["version"], "2.14.1");
    assert_eq!(matched["location"], "Payroll servers");
    assert_eq!(matched["reason"], "purl");
    let list = json_of(&api.get("/api/v1/alerts/advisories").await);
    assert_eq!(list["data"][0]["response"]["likely_affected"], true);
    let inventory = json_of(&api.get("/api/v1/alerts/inventory").await);
    assert_eq!(inventory["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(inventory["data"][1]["product"], "Firefox");
    assert!(inventory["uploaded_at"].is_string());

    // A file with mistakes changes nothing, and every mistake is listed.
    let bad = "vendor,product,version,count,location\n\
               Apache,,2.14.1,12,Servers\n\
               Apache,log4j-core,2.15.0,many,Servers\n";
    let refused = problem(
        &api.put("/api/v1/alerts/inventory", "text/csv", bad.into())
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let errors = refused["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{refused}");
    assert!(errors.iter().all(|e| e["field"] == "body"));
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Row 2")
    );
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Row 3")
    );
    let too_large = problem(
        &api.put(
            "/api/v1/alerts/inventory",
            "text/csv",
            vec![b'a'; 5 * 1024 * 1024 + 1],
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    assert!(
        too_large["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("5 MB")
    );
    problem(
        &api.put(
            "/api/v1/alerts/inventory",
            "text/plain",
            INVENTORY_CSV.into(),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    let mislabelled = problem(
        &api.put(
            "/api/v1/alerts/inventory",
            "application/vnd.cyclonedx+json",
            INVENTORY_CSV.into(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert!(
        mislabelled["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("reads as CSV")
    );
    assert_eq!(
        json_of(&api.get("/api/v1/alerts/inventory").await)["data"],
        inventory["data"]
    );
    assert_eq!(
        json_of(&api.get(&advisory).await)["response"]["likely_affected"],
        true
    );

    // A CycloneDX SBOM with the fixed version replaces it, and the match goes.
    let sbom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": { "component": { "name": "Payroll" } },
        "components": [{
            "group": "org.apache.logging.log4j",
            "name": "log4j-core",
            "version": "2.17.1",
            "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
        }, {
            "type": "file",
            "name": "payroll.jar"
        }]
    });
    let put = api
        .put(
            "/api/v1/alerts/inventory",
            "application/vnd.cyclonedx+json",
            sbom.to_string().into_bytes(),
        )
        .await;
    put.assert_ok();
    assert_eq!(
        json_of(&put),
        json!({
            "items": 1,
            "likely_affected_advisories": 0,
            "left_out": ["Component 2 ('payroll.jar')"]
        })
    );
    let shown = json_of(&api.get(&advisory).await);
    assert_eq!(shown["response"]["likely_affected"], false);
    assert_eq!(shown["response"]["matched_items"], json!([]));
    let inventory = json_of(&api.get("/api/v1/alerts/inventory").await);
    assert_eq!(inventory["data"][0]["location"], "Payroll");
});

/// One request a webhook endpoint received.
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A webhook endpoint on loopback answering every request with `status`.
async fn receiver(status: u16) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Some(request) = read_request(&mut socket).await {
                    let _ = tx.send(request);
                }
                let reply = format!(
                    "HTTP/1.1 {status} Test\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, rx)
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        headers,
        body: buf[head_end..head_end + length].to_vec(),
    })
}

async fn set_webhook(app: &TestApp, org: Uuid, url: &str, secret: &str, by: Uuid) {
    let mut tx = app.db().begin().await.expect("begin");
    let sealed = app
        .secrets()
        .seal(&webhooks::secret_context(org.into()), secret);
    channels::set_webhook(&mut tx, org.into(), url, &sealed, by.into(), now())
        .await
        .expect("webhook");
    tx.commit().await.expect("commit");
}

on_both!(alerts_webhooks_are_signed_and_failures_retried, |app| {
    let a = analysts(&app).await;
    let (birch, _) = org_with_lead(
        &app,
        "Birch Trust",
        "RB1",
        OrgType::NhsTrust,
        "lead@birch.example",
    )
    .await;
    let lead = user_id(&app, "lead@birch.example").await;
    let secret = "whsec-test-3b8f0c2e9d";
    let (url, mut requests) = receiver(200).await;
    set_webhook(&app, birch, &url, secret, lead).await;

    let (_, reference) = publish(&a, "Log4j flaw for Birch", Some("RB1")).await;
    let got = tokio::time::timeout(Duration::from_secs(15), requests.recv())
        .await
        .expect("the webhook arrives within 15 seconds")
        .expect("a request");
    assert_eq!(
        got.headers.get("x-carecert-event").map(String::as_str),
        Some("advisory.published")
    );
    let timestamp: i64 = got
        .headers
        .get("x-carecert-timestamp")
        .and_then(|t| t.parse().ok())
        .expect("a timestamp header");
    assert!((now().unix_timestamp() - timestamp).abs() < 60);
    assert_eq!(
        got.headers.get("x-carecert-signature"),
        Some(&webhooks::signature(secret, timestamp, &got.body))
    );
    assert_ne!(
        got.headers.get("x-carecert-signature"),
        Some(&webhooks::signature("another secret", timestamp, &got.body))
    );
    let body: Value = serde_json::from_slice(&got.body).expect("JSON body");
    assert_eq!(body["advisory"]["reference"], reference.as_str());
    assert_eq!(body["organisation_id"], birch.to_string());
    assert!(
        body["advisory"]["api_url"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/api/v1/alerts/advisories/{reference}"))
    );

    // An endpoint that fails is tried again later: the job keeps its error and waits.
    let (failing, mut failures) = receiver(500).await;
    set_webhook(&app, birch, &failing, secret, lead).await;
    publish(&a, "Another Log4j flaw for Birch", Some("RB1")).await;
    tokio::time::timeout(Duration::from_secs(15), failures.recv())
        .await
        .expect("the failing endpoint is called")
        .expect("a request");
    let mut pending: Option<(i64, Option<String>, time::OffsetDateTime)> = None;
    for _ in 0..150 {
        pending = carecert::with_db!(app.db(), |pool| sqlx::query_as(
            "SELECT attempts, last_error, run_at FROM jobs \
             WHERE kind = $1 AND done_at IS NULL AND last_error IS NOT NULL"
        )
        .bind(webhooks::JOB_KIND)
        .fetch_optional(pool)
        .await)
        .expect("jobs");
        if pending.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (attempts, error, run_at) = pending.expect("the failed delivery is kept for a retry");
    assert_eq!(attempts, 1);
    assert!(error.unwrap_or_default().contains("500"));
    assert!(
        run_at > now() + time::Duration::seconds(10),
        "the retry waits: {run_at}"
    );
});

on_both!(tlp_red_reaches_the_api_and_webhooks_as_a_notice, |app| {
    let a = analysts(&app).await;
    let (birch, lead_client) = org_with_lead(
        &app,
        "Birch Trust",
        "RB1",
        OrgType::NhsTrust,
        "lead@birch.example",
    )
    .await;
    let lead = user_id(&app, "lead@birch.example").await;
    let (url, mut requests) = receiver(200).await;
    set_webhook(&app, birch, &url, "whsec-test-red", lead).await;
    let form = with(
        with(log4shell_form(), "tlp", "RED"),
        "title",
        "Zero-day in the Birch PAS",
    );
    let form = with(with(form, "audience", "list"), "audience_orgs", "RB1");
    let (_, red) = advisories::publish(&a, &form).await;

    let got = tokio::time::timeout(Duration::from_secs(15), requests.recv())
        .await
        .expect("the webhook arrives within 15 seconds")
        .expect("a request");
    let body = String::from_utf8_lossy(&got.body).to_string();
    assert!(
        !body.contains("Zero-day") && !body.contains("CVE-2021-44228"),
        "{body}"
    );
    assert!(body.contains(&format!("/alerts/{red}")), "{body}");

    // The token stands for a system, not a named person: a notice and the link.
    let api = Api::new(&app, &api_token(&lead_client, birch, "SOC").await);
    let list = api.get("/api/v1/alerts/advisories").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(references(&json_of(&list)).contains(&red));
    assert!(!list.text.contains("Zero-day"), "{}", list.text);
    let one = api.get(&format!("/api/v1/alerts/advisories/{red}")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    for secret in ["Zero-day", "JndiLookup", "CVE-2021-44228", "Log4j"] {
        assert!(!one.text.contains(secret), "{secret}: {}", one.text);
    }
    assert!(one.text.contains(&format!("/alerts/{red}")), "{}", one.text);
    // Signed in, the lead reads it whole.
    lead_client
        .get(&format!("/alerts/{red}"))
        .await
        .assert_contains("Zero-day in the Birch PAS");
});
