//! An organisation's alerts: the inbox, the advisory page, and recording a response through
//! the workflow (acknowledge, decide, update, close), alone or for several organisations at
//! once; who may read and respond, and what is refused.

use carecert::{
    alerts::{
        model::{Audience, ResponseState, Severity, Tlp},
        store::responses,
    },
    organisations::domain::OrgType,
    platform::authz::Role,
    with_db,
};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        Client, TestApp,
        alerts::{publish, sample_content, withdraw},
        training::set_parent,
    },
};

/// Form fields as posted.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// An organisation with a signed-in security lead.
async fn org_with_lead(app: &TestApp, name: &str, ods: &str, kind: OrgType) -> (Uuid, Client) {
    let org = app.org(name, ods, kind).await;
    let lead = app
        .person(
            org,
            Role::SecurityLead,
            &format!("lead@{}.example", ods.to_lowercase()),
        )
        .await;
    (org, app.signed_in(&lead).await)
}

async fn state_of(app: &TestApp, advisory: Uuid, org: Uuid) -> ResponseState {
    responses::find(app.db(), advisory, org.into())
        .await
        .expect("query")
        .expect("the advisory is addressed to the organisation")
        .state
}

async fn timeline_len(app: &TestApp, advisory: Uuid, org: Uuid) -> usize {
    responses::events(app.db(), advisory, org.into())
        .await
        .expect("query")
        .len()
}

async fn audited(app: &TestApp, event: &str, org: Uuid) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1 AND organisation_id = $2"
    )
    .bind(event)
    .bind(org)
    .fetch_one(pool)
    .await)
    .expect("audit count")
}

fn respond_path(reference: &str) -> String {
    format!("/alerts/{reference}/respond")
}

/// Posts a response for one organisation, as its panel's form does.
async fn respond(
    client: &Client,
    reference: &str,
    org: Uuid,
    fields: &[(&str, &str)],
) -> crate::support::Page {
    let org = org.to_string();
    let mut all: Vec<(&str, &str)> = vec![("organisation", &org)];
    all.extend_from_slice(fields);
    client.post(&respond_path(reference), &all).await
}

/// The text of a page section starting at `from` and ending at `to` (or the end).
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in page"));
    let rest = &html[start..];
    match rest.find(to) {
        Some(end) => &rest[..end],
        None => rest,
    }
}

on_both!(the_inbox_lists_advisories_most_urgent_first, |app| {
    let (org, lead) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
    let mut slow = sample_content();
    slow.title = "Slow burner in a medium product".into();
    slow.severity = Severity::Medium;
    slow.ack_hours = Some(72);
    let (_, slow_ref) = publish(&app, slow).await;
    let mut urgent = sample_content();
    urgent.title = "Urgent flaw in a critical product".into();
    urgent.severity = Severity::Critical;
    urgent.ack_hours = Some(12);
    let (urgent_id, urgent_ref) = publish(&app, urgent).await;

    let page = lead.get("/alerts").await;
    page.assert_ok()
        .assert_contains("<h1>Alerts</h1>")
        .assert_contains("href=\"/alerts/public\"")
        .assert_contains(&format!("href=\"/organisations/{org}/inventory\""))
        .assert_contains(&format!("href=\"/organisations/{org}/alert-feeds\""))
        .assert_contains("No advisories are closed yet.");
    let open = between(&page.text, "<h2>Open</h2>", "<h2>Closed</h2>");
    let (u, s) = (
        open.find(&urgent_ref).expect("urgent listed"),
        open.find(&slow_ref).expect("slow listed"),
    );
    assert!(u < s, "the earlier deadline comes first");
    assert!(open.contains("Urgent flaw in a critical product"));
    assert!(open.contains("nhsuk-tag--red\">Critical</strong>"));
    assert!(
        open.contains("Acknowledgement: Due in 11 hours")
            || open.contains("Acknowledgement: Due in 12 hours")
    );
    assert!(open.contains("Awaiting acknowledgement"));
    assert!(!open.contains("Read only"));
    // One organisation: no filter and no organisation column.
    assert!(!page.text.contains("Show advisories for"));
    assert!(!open.contains(">Organisation</th>"));

    // Once acknowledged, nothing is due on the urgent one, so the other leads.
    respond(&lead, &urgent_ref, org, &[("action", "acknowledge")])
        .await
        .assert_redirect_to(&format!("/alerts/{urgent_ref}"));
    assert_eq!(
        state_of(&app, urgent_id, org).await,
        ResponseState::Acknowledged
    );
    let page = lead.get("/alerts").await;
    let open = between(&page.text, "<h2>Open</h2>", "<h2>Closed</h2>");
    assert!(open.find(&slow_ref) < open.find(&urgent_ref));
});

on_both!(a_member_of_staff_reads_but_cannot_respond, |app| {
    let (org, _lead) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
    let nurse = app.person(org, Role::Staff, "nurse@rr1.example").await;
    let nurse = app.signed_in(&nurse).await;
    let (id, reference) = publish(&app, sample_content()).await;

    let inbox = nurse.get("/alerts").await;
    inbox
        .assert_ok()
        .assert_contains(&reference)
        .assert_contains("Read only: your security lead responds")
        .assert_contains("Your security lead records the response");
    assert!(!inbox.text.contains("/inventory\""));

    let page = nurse.get(&format!("/alerts/{reference}")).await;
    page.assert_ok()
        .assert_contains("Apache Log4j remote code execution (Log4Shell)")
        .assert_contains("Awaiting acknowledgement")
        .assert_contains("The security lead of Riverside NHS Trust records its response.");
    assert!(!page.text.contains(&respond_path(&reference)), "no forms");

    let refused = respond(&nurse, &reference, org, &[("action", "acknowledge")]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(state_of(&app, id, org).await, ResponseState::Awaiting);
    assert_eq!(timeline_len(&app, id, org).await, 0);

    // The national team reads every advisory and follows responses on its own pages.
    let team = app.national_team().await;
    let analyst = app
        .person(team, Role::NationalAnalyst, "watcher@carecert.test")
        .await;
    let analyst = app.signed_in(&analyst).await;
    analyst
        .get("/alerts")
        .await
        .assert_ok()
        .assert_contains("href=\"/alerts/manage\"")
        .assert_contains("There are no open advisories");
    let page = analyst.get(&format!("/alerts/{reference}")).await;
    page.assert_ok().assert_contains("href=\"/alerts/manage\"");
    assert!(!page.text.contains(&respond_path(&reference)), "no forms");
    let refused = respond(&analyst, &reference, org, &[("action", "acknowledge")]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
});

on_both!(the_whole_workflow_shows_on_the_timeline, |app| {
    let (org, lead) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
    let (id, reference) = publish(&app, sample_content()).await;
    let path = format!("/alerts/{reference}");
    let prefix = format!("o{}", org.simple());

    let page = lead.get(&path).await;
    page.assert_ok()
        .assert_contains(&format!("action=\"{}\"", respond_path(&reference)))
        .assert_contains(&format!("id=\"{prefix}-action\">Acknowledge</button>"))
        .assert_contains(&format!("href=\"/alerts/{reference}/csaf.json\""))
        .assert_contains("Advisory sent (1 person emailed)");

    let steps: [(Fields, ResponseState, &str); 4] = [
        (
            &[("action", "acknowledge")],
            ResponseState::Acknowledged,
            "Acknowledged",
        ),
        (
            &[("action", "applies"), ("next_update_days", "7")],
            ResponseState::Remediating,
            "Confirmed the advisory applies",
        ),
        (
            &[("action", "update"), ("note", "Patched 3 of 5 web servers")],
            ResponseState::Remediating,
            "Progress update",
        ),
        (
            &[
                ("action", "close_remediated"),
                ("note", "All 5 servers on 2.17.1"),
            ],
            ResponseState::Remediated,
            "Closed: remediated",
        ),
    ];
    for (n, (fields, state, what)) in steps.iter().enumerate() {
        let done = respond(&lead, &reference, org, fields).await;
        done.assert_redirect_to(&path);
        assert_eq!(state_of(&app, id, org).await, *state, "{what}");
        assert_eq!(timeline_len(&app, id, org).await, n + 1);
        let page = lead.get(&path).await;
        page.assert_ok().assert_contains(&format!(
            "{what} for Riverside NHS Trust. Status: {}",
            state.label()
        ));
        let panel = between(&page.text, &format!("id=\"{prefix}\""), "</section>");
        assert!(
            panel.contains(&format!(">{what}</td>")),
            "{what} on the timeline"
        );
        assert!(panel.contains(state.label()));
        if n == 1 {
            assert!(
                panel.contains("Progress update: Due in 6 days 23 hours")
                    || panel.contains("Progress update: Due in 7 days"),
                "the chosen interval sets the next update"
            );
        }
    }
    let page = lead.get(&path).await;
    let panel = between(&page.text, &format!("id=\"{prefix}\""), "</section>");
    assert!(panel.contains("Patched 3 of 5 web servers"));
    assert!(panel.contains("All 5 servers on 2.17.1"));
    assert!(
        panel.contains("by Test lead@rr1.example"),
        "who acknowledged"
    );
    // Closed: only reopening is offered.
    assert!(panel.contains(&format!("id=\"{prefix}-action\">Reopen</button>")));
    assert!(!panel.contains("value=\"update\""));
    assert_eq!(audited(&app, "alerts.response", org).await, 4);

    let inbox = lead.get("/alerts").await;
    let closed = between(&inbox.text, "<h2>Closed</h2>", "</table>");
    assert!(closed.contains(&reference) && closed.contains("Closed: remediated"));
});

on_both!(
    acknowledging_twice_is_a_conflict_and_changes_nothing,
    |app| {
        let (org, lead) =
            org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
        let (id, reference) = publish(&app, sample_content()).await;
        respond(&lead, &reference, org, &[("action", "acknowledge")])
            .await
            .assert_redirect_to(&format!("/alerts/{reference}"));
        let again = respond(&lead, &reference, org, &[("action", "acknowledge")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
        again
        .assert_contains("There is a problem")
        .assert_contains("Riverside NHS Trust: This advisory has already been acknowledged by your organisation")
        .assert_contains(&format!("href=\"#o{}\"", org.simple()));
        assert_eq!(state_of(&app, id, org).await, ResponseState::Acknowledged);
        assert_eq!(timeline_len(&app, id, org).await, 1);
        assert_eq!(audited(&app, "alerts.response", org).await, 1);
    }
);

on_both!(
    other_organisations_cannot_see_an_amber_advisory_but_anyone_reads_a_clear_one,
    |app| {
        let (ours, _) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
        let (theirs, other_lead) =
            org_with_lead(&app, "Hillside NHS Trust", "HH1", OrgType::NhsTrust).await;
        let mut amber = sample_content();
        amber.tlp = Tlp::Amber;
        amber.audience = Audience::Organisations(vec![ours]);
        let (amber_id, amber_ref) = publish(&app, amber).await;

        let seen = other_lead.get(&format!("/alerts/{amber_ref}")).await;
        assert_eq!(seen.status, StatusCode::NOT_FOUND);
        assert!(!seen.text.contains("Log4Shell"));
        for org in [theirs, ours] {
            let refused = respond(&other_lead, &amber_ref, org, &[("action", "acknowledge")]).await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND);
        }
        assert_eq!(
            state_of(&app, amber_id, ours).await,
            ResponseState::Awaiting
        );
        let inbox = other_lead.get("/alerts").await;
        assert!(!inbox.text.contains(&amber_ref));
        let nothing = other_lead.get("/alerts/CC-1999-9999").await;
        assert_eq!(nothing.status, StatusCode::NOT_FOUND);

        let anonymous = app.client();
        anonymous
            .get(&format!("/alerts/{amber_ref}"))
            .await
            .assert_redirect_to("/sign-in?next=");
        assert_eq!(
            anonymous.get("/alerts/CC-1999-9999").await.status,
            StatusCode::NOT_FOUND
        );

        let mut clear = sample_content();
        clear.title = "Public advice about Log4j".into();
        clear.tlp = Tlp::Clear;
        let (_, clear_ref) = publish(&app, clear).await;
        let public = anonymous.get(&format!("/alerts/{clear_ref}")).await;
        public
            .assert_ok()
            .assert_contains("Public advice about Log4j")
            .assert_contains("TLP:CLEAR")
            .assert_contains("href=\"/alerts/public\"");
        assert!(!public.text.contains(&respond_path(&clear_ref)));
        assert!(!public.text.contains("Your response"));
    }
);

on_both!(a_withdrawn_advisory_takes_no_response, |app| {
    let (org, lead) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
    let (id, reference) = publish(&app, sample_content()).await;
    withdraw(&app, id).await;
    let page = lead.get(&format!("/alerts/{reference}")).await;
    page.assert_ok()
        .assert_contains("This advisory has been withdrawn")
        .assert_contains("Withdrawn: no action needed");
    assert!(!page.text.contains(&respond_path(&reference)), "no forms");
    let refused = respond(&lead, &reference, org, &[("action", "acknowledge")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("This advisory has been withdrawn; no response is needed");
    assert_eq!(state_of(&app, id, org).await, ResponseState::Awaiting);
    assert_eq!(timeline_len(&app, id, org).await, 0);
    let inbox = lead.get("/alerts").await;
    let closed = between(&inbox.text, "<h2>Closed</h2>", "</table>");
    assert!(closed.contains(&reference));
});

on_both!(an_icb_lead_acknowledges_for_its_practices_at_once, |app| {
    let (icb, lead) = org_with_lead(&app, "North ICB", "QN1", OrgType::IntegratedCareBoard).await;
    let first = app
        .org("Abbey Surgery", "A10001", OrgType::GpPractice)
        .await;
    let second = app
        .org("Brook Surgery", "B10002", OrgType::GpPractice)
        .await;
    set_parent(&app, first, icb).await;
    set_parent(&app, second, icb).await;
    let mut content = sample_content();
    content.audience = Audience::Types(vec![OrgType::GpPractice]);
    let (id, reference) = publish(&app, content).await;
    let path = format!("/alerts/{reference}");

    let inbox = lead.get("/alerts").await;
    inbox
        .assert_ok()
        .assert_contains("Show advisories for")
        .assert_contains(">Organisation</th>")
        .assert_contains("Abbey Surgery")
        .assert_contains("Brook Surgery");
    let filtered = lead.get(&format!("/alerts?organisation={first}")).await;
    let open = between(&filtered.text, "<h2>Open</h2>", "<h2>Closed</h2>");
    assert!(open.contains("Abbey Surgery") && !open.contains("Brook Surgery"));

    let page = lead.get(&path).await;
    page.assert_ok()
        .assert_contains("Respond for several organisations at once")
        .assert_contains("All 2 organisations listed")
        .assert_contains(&format!("value=\"{first}\""))
        .assert_contains(&format!("value=\"{second}\""));

    let (a, b) = (first.to_string(), second.to_string());
    let none = lead
        .post(
            &respond_path(&reference),
            &[("form", "bulk"), ("action", "acknowledge")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.assert_contains("Select at least one organisation to respond for")
        .assert_contains("href=\"#bulk-organisation\"");

    let done = lead
        .post(
            &respond_path(&reference),
            &[
                ("form", "bulk"),
                ("organisation", &a),
                ("organisation", &b),
                ("action", "acknowledge"),
            ],
        )
        .await;
    done.assert_redirect_to(&path);
    assert_eq!(state_of(&app, id, first).await, ResponseState::Acknowledged);
    assert_eq!(
        state_of(&app, id, second).await,
        ResponseState::Acknowledged
    );
    let page = lead.get(&path).await;
    page.assert_contains("Acknowledged for Abbey Surgery and Brook Surgery.");
    for org in [first, second] {
        let panel = between(
            &page.text,
            &format!("id=\"o{}\"", org.simple()),
            "</section>",
        );
        assert!(panel.contains("<dd class=\"nhsuk-summary-list__value\">Acknowledged</dd>"));
        assert!(panel.contains(">Acknowledged</td>"));
    }

    // Everything again: both are skipped, so nothing is done and each is named.
    let again = lead
        .post(
            &respond_path(&reference),
            &[
                ("form", "bulk"),
                ("organisation", "all"),
                ("action", "acknowledge"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    again
        .assert_contains("Abbey Surgery: This advisory has already been acknowledged")
        .assert_contains("Brook Surgery: This advisory has already been acknowledged");
    assert_eq!(timeline_len(&app, id, first).await, 1);
    assert_eq!(timeline_len(&app, id, second).await, 1);

    // Not every organisation can take every step: those that can are done, the rest named.
    respond(&lead, &reference, first, &[("action", "applies")])
        .await
        .assert_redirect_to(&path);
    lead.post(
        &respond_path(&reference),
        &[
            ("form", "bulk"),
            ("organisation", "all"),
            ("action", "update"),
            ("note", "Halfway"),
        ],
    )
    .await
    .assert_redirect_to(&path);
    let page = lead.get(&path).await;
    page.assert_contains("Progress update for Abbey Surgery. Not done for Brook Surgery:");
    assert_eq!(
        state_of(&app, id, second).await,
        ResponseState::Acknowledged
    );
});

on_both!(invalid_responses_are_refused_and_nothing_is_saved, |app| {
    let (org, lead) = org_with_lead(&app, "Riverside NHS Trust", "RR1", OrgType::NhsTrust).await;
    let (id, reference) = publish(&app, sample_content()).await;
    respond(&lead, &reference, org, &[("action", "acknowledge")])
        .await
        .assert_redirect_to(&format!("/alerts/{reference}"));
    let prefix = format!("o{}", org.simple());
    let cases: [(Fields, &str, &str); 6] = [
        (
            &[("action", "does_not_apply"), ("reason", "   ")],
            "reason",
            "Enter why the advisory does not apply to your organisation",
        ),
        (
            &[("action", "applies"), ("next_update_days", "0")],
            "next_update_days",
            "0 days is not allowed",
        ),
        (
            &[("action", "applies"), ("next_update_days", "99")],
            "next_update_days",
            "99 days is not allowed",
        ),
        (
            &[("action", "applies"), ("next_update_days", "soon")],
            "next_update_days",
            "Enter the number of days as a whole number",
        ),
        (
            &[("action", "accept_risk"), ("reason", "Retiring it")],
            "owner",
            "Enter the name of the person who owns the risk",
        ),
        (
            &[("reason", "no step chosen")],
            "action",
            "Select what you want to record",
        ),
    ];
    for (fields, field, message) in cases {
        let page = respond(&lead, &reference, org, fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        page.assert_contains("<title>Error: ")
            .assert_contains(&format!("<a href=\"#{prefix}-{field}\">"))
            .assert_contains(message)
            .assert_contains(&format!("id=\"{prefix}-{field}-error\""));
    }
    // What was written is kept on the form.
    let kept = respond(
        &lead,
        &reference,
        org,
        &[
            ("action", "accept_risk"),
            ("reason", "System retires in May"),
        ],
    )
    .await;
    kept.assert_contains("System retires in May</textarea>");
    assert_eq!(state_of(&app, id, org).await, ResponseState::Acknowledged);
    assert_eq!(timeline_len(&app, id, org).await, 1);
});
