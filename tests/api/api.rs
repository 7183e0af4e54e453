//! The JSON API: tokens made and revoked by a security lead, data scoped to the token's
//! organisation, errors as problem+json, and the OpenAPI document.

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use reqwest::StatusCode;

use crate::{on_both, support::input_value};

on_both!(
    api_tokens_give_machines_their_own_organisations_data_only,
    |app| {
        let trust = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
        let other = app.org("Rowan Trust", "RR1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@birch.example")
            .await;
        app.person(trust, Role::Staff, "amy@birch.example").await;
        app.person(other, Role::Staff, "zed@rowan.example").await;
        let c = app.signed_in(&lead).await;

        let bad = c
            .post(
                &format!("/organisations/{trust}/api-tokens"),
                &[("name", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("nhsuk-error-summary");
        let created = c
            .post(
                &format!("/organisations/{trust}/api-tokens"),
                &[("name", "HR system")],
            )
            .await;
        created.assert_ok();
        let token = input_value(&created.text, "token")
            .unwrap_or_else(|| panic!("the token is shown once: {}", created.text));
        let list = c.get(&format!("/organisations/{trust}/api-tokens")).await;
        list.assert_contains("HR system");
        assert!(
            !list.text.contains(&token),
            "the whole token is never shown again"
        );

        let org = c.api_get("/api/v1/organisation", Some(&token)).await;
        org.assert_ok();
        let json: serde_json::Value = serde_json::from_str(&org.text).expect("JSON");
        assert_eq!(json["ods_code"], "RB1");
        let staff = c.api_get("/api/v1/staff", Some(&token)).await;
        staff.assert_ok().assert_contains("amy@birch.example");
        assert!(
            !staff.text.contains("zed@rowan.example"),
            "never another organisation's staff"
        );

        let paging = c
            .api_get("/api/v1/staff?per_page=100000", Some(&token))
            .await;
        assert_eq!(paging.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            paging.header("content-type"),
            Some("application/problem+json")
        );

        for t in [None, Some("cc_not-a-real-token")] {
            let refused = c.api_get("/api/v1/organisation", t).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
            assert_eq!(
                refused.header("content-type"),
                Some("application/problem+json")
            );
            let problem: serde_json::Value =
                serde_json::from_str(&refused.text).expect("problem JSON");
            assert_eq!(problem["status"], 401);
            assert!(problem["title"].is_string() && problem["detail"].is_string());
        }
        let missing = c.api_get("/api/v1/nothing-here", Some(&token)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            missing.header("content-type"),
            Some("application/problem+json")
        );

        // Revoking works at once, and only within the lead's own organisation.
        let token_id = list
            .text
            .split("/api-tokens/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("a revoke form")
            .to_owned();
        let outsider = app
            .person(other, Role::SecurityLead, "lead@rowan.example")
            .await;
        let oc = app.signed_in(&outsider).await;
        let cross = oc
            .post(
                &format!("/organisations/{other}/api-tokens/{token_id}/revoke"),
                &[],
            )
            .await;
        assert_eq!(cross.status, StatusCode::NOT_FOUND);
        c.api_get("/api/v1/organisation", Some(&token))
            .await
            .assert_ok();
        c.post(
            &format!("/organisations/{trust}/api-tokens/{token_id}/revoke"),
            &[],
        )
        .await
        .assert_redirect_to(&format!("/organisations/{trust}/api-tokens"));
        assert_eq!(
            c.api_get("/api/v1/organisation", Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

on_both!(the_openapi_document_describes_the_api, |app| {
    let doc = app.client().get("/api/v1/openapi.json").await;
    doc.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&doc.text).expect("JSON");
    assert!(
        json["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    assert!(json["paths"]["/api/v1/organisation"].is_object());
    assert!(json["paths"]["/api/v1/staff"].is_object());
    assert!(json["components"]["securitySchemes"].is_object());
});

on_both!(
    a_query_parameter_given_twice_gets_a_status_the_document_lists,
    |app| {
        let trust = app.org("Birch Trust", "RB1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@birch.example")
            .await;
        let c = app.signed_in(&lead).await;
        let token = c.new_api_token(trust, "HR system").await;
        let doc: serde_json::Value =
            serde_json::from_str(&app.client().get("/api/v1/openapi.json").await.text)
                .expect("JSON");
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let Some(get) = item.get("get") else { continue };
            let queries = get["parameters"].as_array().into_iter().flatten();
            for param in queries.filter(|p| p["in"] == "query") {
                let name = param["name"].as_str().expect("name");
                let url = format!("{path}?{name}=1&{name}=2");
                let response = c.api_get(&url, Some(&token)).await;
                let status = response.status.as_u16().to_string();
                assert!(
                    get["responses"].get(&status).is_some(),
                    "GET {url} answered {status}, which the document does not list"
                );
                assert_eq!(
                    response.headers["content-type"], "application/problem+json",
                    "GET {url}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 3, "every list endpoint's parameters were tried");
    }
);
