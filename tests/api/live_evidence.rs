//! Live evidence for self-assessment, gathered from every service through the running
//! application's registry: each organisation's figures come from its own staff, responses
//! and inventory, and nothing of another organisation's shows in them.

use carecert::{
    organisations::domain::OrgType,
    platform::{
        authz::Role,
        db::now,
        evidence::{EvidenceTopic, LiveEvidence, Suggestion, Threat},
        ids::OrgId,
    },
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        TestApp,
        advisories::org_with_lead,
        alerts::{publish, sample_content},
        training::{member, seed_pass, user_id},
    },
};

/// Every service's evidence about `org` at `at`.
async fn evidence(app: &TestApp, org: Uuid, at: OffsetDateTime) -> Vec<LiveEvidence> {
    app.state
        .services
        .live_evidence(&app.state, OrgId::from(org), at)
        .await
        .expect("live evidence")
}

fn on(all: &[LiveEvidence], topic: EvidenceTopic) -> &LiveEvidence {
    let mut found = all.iter().filter(|e| e.topic == topic);
    let one = found
        .next()
        .unwrap_or_else(|| panic!("no {topic:?} evidence"));
    assert!(found.next().is_none(), "one piece of {topic:?} evidence");
    one
}

fn figure<'a>(e: &'a LiveEvidence, label: &str) -> &'a str {
    e.figures
        .iter()
        .find(|f| f.label == label)
        .map(|f| f.value.as_str())
        .unwrap_or_else(|| panic!("no figure {label:?} in {:?}", e.figures))
}

on_both!(each_organisation_sees_only_its_own_evidence, |app| {
    let (a, lead_a) = org_with_lead(
        &app,
        "Riverside NHS Trust",
        "RR1",
        OrgType::NhsTrust,
        "lead@rr1.example",
    )
    .await;
    let b = app
        .org("Hillside NHS Trust", "RH2", OrgType::NhsTrust)
        .await;
    let lead_b = app.person(b, Role::SecurityLead, "lead@rh2.example").await;

    // Riverside: its lead and four staff, four of the five trained (80%). Hillside: its
    // lead and two staff, all three trained, so a leak would change Riverside's figures.
    let yesterday = now() - Duration::days(1);
    for n in 0..4 {
        let user = member(
            &app,
            a,
            &format!("staff{n}@rr1.example"),
            "clinical",
            None,
            false,
        )
        .await;
        seed_pass(&app, user, a, yesterday).await;
    }
    for n in 0..2 {
        let user = member(
            &app,
            b,
            &format!("staff{n}@rh2.example"),
            "admin",
            None,
            false,
        )
        .await;
        seed_pass(&app, user, b, yesterday).await;
    }
    seed_pass(&app, user_id(&app, &lead_b).await, b, yesterday).await;

    // Only Riverside runs the affected Log4j; both are sent the advisory, and only
    // Riverside acknowledges it.
    let csv = "vendor,product,version,count,location,cpe,purl\n\
               Apache,log4j-core,2.14.1,4,Web servers,,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\n";
    lead_a
        .post_file(
            &format!("/organisations/{a}/inventory"),
            "file",
            "inventory.csv",
            csv.as_bytes().to_vec(),
        )
        .await
        .assert_redirect_to(&format!("/organisations/{a}/inventory"));
    let (_, reference) = publish(&app, sample_content()).await;
    let org_a = a.to_string();
    lead_a
        .post(
            &format!("/alerts/{reference}/respond"),
            &[("organisation", &org_a), ("action", "acknowledge")],
        )
        .await;

    // Just past the 48-hour acknowledgement deadline, within the 14 days for the fix.
    let soon = now() + Duration::hours(49);
    let ours = evidence(&app, a, soon).await;
    assert_eq!(ours.len(), 3, "{ours:?}");

    let training = on(&ours, EvidenceTopic::Training);
    assert!(
        training
            .summary
            .starts_with("4 of 5 active staff (80%) hold valid "),
        "{}",
        training.summary
    );
    assert_eq!(training.suggests, Suggestion::Partly);
    assert_eq!(training.href, format!("/organisations/{a}/training"));

    let alerts = on(&ours, EvidenceTopic::Alerts);
    assert_eq!(
        (
            figure(alerts, "Acknowledged on time"),
            figure(alerts, "Acknowledgements overdue now")
        ),
        ("1", "0")
    );
    assert_eq!(alerts.suggests, Suggestion::Meets);

    let patching = on(&ours, EvidenceTopic::Patching);
    assert_eq!(patching.suggests, Suggestion::Meets);
    assert_eq!(
        patching.threats,
        [Threat {
            reference: reference.clone(),
            title: sample_content().title,
            known_exploited: true,
            href: format!("/alerts/{reference}"),
        }]
    );
    assert_eq!(patching.href, format!("/organisations/{a}/inventory"));

    // Hillside: its own staff, an overdue acknowledgement, and no inventory to match.
    let theirs = evidence(&app, b, soon).await;
    let training = on(&theirs, EvidenceTopic::Training);
    assert!(
        training.summary.starts_with("3 of 3 active staff (100%)"),
        "{}",
        training.summary
    );
    assert_eq!(training.suggests, Suggestion::Meets);
    let alerts = on(&theirs, EvidenceTopic::Alerts);
    assert_eq!(figure(alerts, "Acknowledgements overdue now"), "1");
    assert_eq!(alerts.suggests, Suggestion::DoesNotMeet);
    let patching = on(&theirs, EvidenceTopic::Patching);
    assert_eq!(patching.suggests, Suggestion::NoData);
    assert!(patching.threats.is_empty());

    // Past the 14 days, Riverside's known-exploited match is a gap.
    let later = now() + Duration::days(15);
    let patching = evidence(&app, a, later).await;
    let patching = on(&patching, EvidenceTopic::Patching);
    assert_eq!(patching.suggests, Suggestion::DoesNotMeet);
    assert_eq!(figure(patching, "Past the 14-day window"), "1");
});

on_both!(
    an_organisation_with_nothing_yet_gets_no_suggestions,
    |app| {
        let a = app.org("Lonely Practice", "Y01", OrgType::GpPractice).await;
        let all = evidence(&app, a, now()).await;
        let topics: Vec<_> = all.iter().map(|e| (e.topic, e.suggests)).collect();
        assert_eq!(
            topics,
            [
                (EvidenceTopic::Training, Suggestion::NoData),
                (EvidenceTopic::Alerts, Suggestion::NoData),
                (EvidenceTopic::Patching, Suggestion::NoData),
            ]
        );
        // The national team is assessed by none of it, and an unknown organisation has none.
        let team = app.national_team().await;
        assert!(evidence(&app, team, now()).await.is_empty());
        assert!(evidence(&app, Uuid::new_v4(), now()).await.is_empty());
    }
);
