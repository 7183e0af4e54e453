//! Advisories for machines: the public Atom feed carries only TLP:CLEAR advisories; an
//! organisation's private feed carries everything addressed to it and stops working when
//! revoked; CSAF documents and the well-known provider files follow who may read what.

use carecert::organisations::domain::OrgType;
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{
        advisories::{self, analysts, log4shell_form, org_with_lead, with},
        input_value,
    },
};

on_both!(
    public_and_private_feeds_show_what_each_reader_may_see,
    |app| {
        let a = analysts(&app).await;
        let (org, lead) = org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (_, other_lead) = org_with_lead(
            &app,
            "Hillside Hospitals",
            "RX2",
            OrgType::NhsTrust,
            "lead@hillside.example",
        )
        .await;
        let (_, clear) = advisories::publish(&a, &log4shell_form()).await;
        let amber_form = with(
            with(with(log4shell_form(), "tlp", "AMBER"), "audience", "list"),
            "audience_orgs",
            "RX1",
        );
        let (_, amber) = advisories::publish(
            &a,
            &with(
                amber_form,
                "title",
                "Targeted phishing of Northfield finance staff",
            ),
        )
        .await;

        let public = app.client().get("/alerts/feed.atom").await;
        public.assert_ok();
        assert!(
            public
                .header("content-type")
                .unwrap_or_default()
                .starts_with("application/atom+xml")
        );
        assert!(
            public.text.contains(&clear) && !public.text.contains(&amber),
            "{}",
            public.text
        );

        // A private feed for Northfield lists both.
        let created = lead
            .post(
                &format!("/organisations/{org}/alert-feeds"),
                &[("name", "SOC")],
            )
            .await;
        let url = input_value(&created.text, "feed-url").expect("feed address");
        let path = url
            .strip_prefix(&app.base)
            .expect("on this server")
            .to_owned();
        let private = app.client().get(&path).await;
        private.assert_ok();
        assert!(private.text.contains(&clear) && private.text.contains(&amber));
        assert!(
            private
                .text
                .contains("Targeted phishing of Northfield finance staff")
        );

        // The AMBER advisory is Northfield's alone: not to another organisation, not public.
        assert_eq!(
            other_lead.get(&format!("/alerts/{amber}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other_lead
                .get(&format!("/alerts/{amber}/csaf.json"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        app.client()
            .get(&format!("/alerts/{amber}/csaf.json"))
            .await
            .assert_redirect_to("/sign-in");
        let doc = lead.get(&format!("/alerts/{amber}/csaf.json")).await;
        doc.assert_ok();
        let json: serde_json::Value = serde_json::from_str(&doc.text).expect("CSAF JSON");
        assert_eq!(json["document"]["distribution"]["tlp"]["label"], "AMBER");
        assert_eq!(json["document"]["tracking"]["id"], amber.as_str());

        // Revoked: the address stops working at once.
        let id = carecert::alerts::store::channels::feed_tokens(app.db(), org.into())
            .await
            .unwrap()[0]
            .id;
        lead.post(
            &format!("/organisations/{org}/alert-feeds/{id}/revoke"),
            &[],
        )
        .await;
        assert_eq!(app.client().get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.client()
                .get("/alerts/feeds/not-a-token.atom")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both!(
    csaf_tools_find_public_documents_from_the_well_known_files,
    |app| {
        let a = analysts(&app).await;
        org_with_lead(
            &app,
            "Northfield Hospitals",
            "RX1",
            OrgType::NhsTrust,
            "lead@northfield.example",
        )
        .await;
        let (_, clear) = advisories::publish(&a, &log4shell_form()).await;
        let (_, green) = advisories::publish(
            &a,
            &with(
                with(log4shell_form(), "tlp", "GREEN"),
                "title",
                "Community only",
            ),
        )
        .await;
        let client = app.client();
        let txt = client.get("/.well-known/security.txt").await;
        txt.assert_ok()
            .assert_contains("CSAF: ")
            .assert_contains("/.well-known/csaf/provider-metadata.json");
        let meta: serde_json::Value = serde_json::from_str(
            &client
                .get("/.well-known/csaf/provider-metadata.json")
                .await
                .text,
        )
        .unwrap();
        assert_eq!(meta["role"], "csaf_provider");
        let feed_url = meta["distributions"][0]["rolie"]["feeds"][0]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        let feed: serde_json::Value = serde_json::from_str(
            &client
                .get(feed_url.strip_prefix(&app.base).unwrap())
                .await
                .text,
        )
        .unwrap();
        let entries = feed["feed"]["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "only TLP:CLEAR documents are public");
        assert_eq!(entries[0]["id"], clear.as_str());
        let doc_url = entries[0]["content"]["src"].as_str().unwrap().to_owned();
        assert!(
            doc_url.ends_with(&format!("/{}.json", clear.to_lowercase())),
            "{doc_url}"
        );
        let doc: serde_json::Value = serde_json::from_str(
            &client
                .get(doc_url.strip_prefix(&app.base).unwrap())
                .await
                .text,
        )
        .unwrap();
        assert_eq!(doc["document"]["category"], "csaf_security_advisory");
        assert_eq!(doc["document"]["distribution"]["tlp"]["label"], "WHITE");
        assert_eq!(doc["vulnerabilities"][0]["cve"], "CVE-2021-44228");
        assert_eq!(
            doc["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"],
            10.0
        );
        // The GREEN one is not at a public address.
        let year = &green[3..7];
        let guessed = format!(
            "/.well-known/csaf/white/{year}/{}.json",
            green.to_lowercase()
        );
        assert_eq!(client.get(&guessed).await.status, StatusCode::NOT_FOUND);
        let guessed = format!(
            "/.well-known/csaf/green/{year}/{}.json",
            green.to_lowercase()
        );
        assert_eq!(client.get(&guessed).await.status, StatusCode::NOT_FOUND);
    }
);
