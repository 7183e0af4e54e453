//! Training coverage: an organisation's dashboard, its reminders, target and CSV, and the
//! national table, checked with a known mix of staff on both engines.

use std::time::Duration as StdDuration;

use carecert::{organisations::domain::OrgType, platform::authz::Role, with_db};
use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        TestApp,
        training::{deactivate, member, page_text, seed_pass, set_parent, target, user_id},
    },
};

fn days_ago(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::days(days)
}

/// The organisation's people, in the mix the dashboard tests count.
struct Mix {
    org: Uuid,
    other: Uuid,
    lead: crate::support::Person,
}

/// "Mix Trust" (RM1) with seven active staff: four trained (one expiring in about ten
/// days, one whose pass was earned at another organisation), one expired, one never
/// trained, one invited who has never signed in; and one deactivated member who is trained.
/// "Other Trust" (RM2) has staff of its own who must never show up.
async fn mix(app: &TestApp) -> Mix {
    let org = app.org("Mix Trust", "RM1", OrgType::NhsTrust).await;
    let other = app.org("Other Trust", "RM2", OrgType::NhsTrust).await;
    let lead = app
        .person(org, Role::SecurityLead, "lead@mix.example")
        .await;
    let lead_id = user_id(app, &lead).await;
    seed_pass(app, lead_id, org, days_ago(5)).await;

    let valid = member(
        app,
        org,
        "valid@mix.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    seed_pass(app, valid, org, days_ago(100)).await;
    let moved = member(
        app,
        org,
        "moved@mix.example",
        "admin",
        Some("Finance"),
        false,
    )
    .await;
    seed_pass(app, moved, other, days_ago(10)).await;
    let soon = member(
        app,
        org,
        "soon@mix.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    seed_pass(app, soon, org, days_ago(355)).await;
    let expired = member(
        app,
        org,
        "expired@mix.example",
        "admin",
        Some("Finance"),
        false,
    )
    .await;
    seed_pass(app, expired, org, days_ago(400)).await;
    member(
        app,
        org,
        "never@mix.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    member(app, org, "invited@mix.example", "it", None, true).await;
    let gone = member(
        app,
        org,
        "gone@mix.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    seed_pass(app, gone, org, days_ago(20)).await;
    deactivate(app, org, gone).await;

    let outsider = member(
        app,
        other,
        "outsider@other.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    seed_pass(app, outsider, other, days_ago(30)).await;
    member(
        app,
        other,
        "laggard@other.example",
        "clinical",
        Some("Wards"),
        false,
    )
    .await;
    Mix { org, other, lead }
}

on_both!(the_dashboard_counts_a_known_mix_of_staff, |app| {
    let Mix { org, lead, .. } = mix(&app).await;
    let c = app.signed_in(&lead).await;
    let page = c.get(&format!("/organisations/{org}/training")).await;
    page.assert_ok();
    let text = page_text(&page.text);

    // 4 of 7 active staff: the deactivated member is not counted, the invited one is.
    assert!(
        text.contains("Staff with valid training 57% 4 of 7 staff"),
        "{text}"
    );
    assert!(
        text.contains("Target: 95%. This is below the target."),
        "{text}"
    );
    assert!(
        text.contains("3 overdue, 1 expiring in the next 30 days"),
        "{text}"
    );

    for row in [
        "Staff group Clinical Trained 3 Staff 4 Coverage 75% Meets target No",
        "Staff group Administrative and clerical Trained 1 Staff 2 Coverage 50% Meets target No",
        "Staff group IT and digital Trained 0 Staff 1 Coverage 0% Meets target No",
        "Department Finance Trained 1 Staff 2 Coverage 50% Meets target No",
        "Department Wards Trained 2 Staff 3 Coverage 66% Meets target No",
        "Department No department recorded Trained 1 Staff 2 Coverage 50% Meets target No",
    ] {
        assert!(text.contains(row), "missing {row:?} in {text}");
    }

    // The trend ends with today's figures, and the chart is drawn on the page.
    assert!(
        text.contains("(so far) Trained 4 Staff 7 Coverage 57%"),
        "{text}"
    );
    page.assert_contains("<svg").assert_contains("role=\"img\"");

    // Overdue: never trained, expired, and the invited member; expiring: the one due soon.
    let overdue = section(&text, "Overdue: 3 people", "Expiring in the next 30 days");
    for who in [
        "never@mix.example",
        "expired@mix.example",
        "invited@mix.example",
    ] {
        assert!(overdue.contains(who), "{who} should be overdue: {overdue}");
    }
    assert!(overdue.contains("Never trained"));
    let expiring = section(
        &text,
        "Expiring in the next 30 days: 1 person",
        "Change the target",
    );
    assert!(expiring.contains("soon@mix.example"), "{expiring}");
    assert!(!expiring.contains("valid@mix.example"));

    // One reminder button for the two overdue people who can sign in.
    page.assert_contains("Send a reminder to all 2 overdue staff");
    assert!(text.contains("1 overdue person has not accepted their invitation yet"));

    // Nobody else's staff, and not the deactivated member.
    for absent in [
        "outsider@other.example",
        "laggard@other.example",
        "gone@mix.example",
    ] {
        assert!(!page.text.contains(absent), "{absent} must not appear");
    }
});

/// The text between two headings of the page.
fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {text}"));
    let end = text[start..].find(to).map_or(text.len(), |e| start + e);
    &text[start..end]
}

on_both!(the_csv_lists_every_active_member_safely, |app| {
    let Mix { org, other, lead } = mix(&app).await;
    // A name and department a spreadsheet would otherwise run as formulas.
    let sly = member(
        &app,
        org,
        "sly@mix.example",
        "board",
        Some("@SUM(1+1)"),
        false,
    )
    .await;
    with_db!(app.db(), |pool| sqlx::query(
        "UPDATE users SET name = $1 WHERE id = $2"
    )
    .bind("=HYPERLINK(\"http://evil.example\",\"Click\")")
    .bind(sly)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("rename");

    let c = app.signed_in(&lead).await;
    let csv = c.get(&format!("/organisations/{org}/training.csv")).await;
    csv.assert_ok();
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = csv.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"training-RM1-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );

    let body = csv.text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
            "Name",
            "Email",
            "Staff group",
            "Department",
            "Status",
            "Last passed",
            "Expires",
            "Course version"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 8, "seven of the mix plus one: {body}");
    let by_email = |email: &str| {
        rows.iter()
            .find(|r| &r[1] == email)
            .unwrap_or_else(|| panic!("no row for {email}: {body}"))
    };
    assert_eq!(&by_email("valid@mix.example")[4], "Completed");
    assert_eq!(&by_email("moved@mix.example")[4], "Completed");
    assert_eq!(&by_email("soon@mix.example")[4], "Expires soon");
    assert_eq!(&by_email("expired@mix.example")[4], "Expired");
    assert_eq!(&by_email("never@mix.example")[4], "Not started");
    assert_eq!(&by_email("invited@mix.example")[4], "Not started");
    let valid = by_email("valid@mix.example");
    assert_eq!(&valid[2], "Clinical");
    assert_eq!(&valid[3], "Wards");
    assert_eq!(valid[5].len(), 10, "a date: {:?}", &valid[5]);
    assert_eq!(valid[6].len(), 10);
    assert!(!valid[7].is_empty(), "the course version");
    assert_eq!(&by_email("never@mix.example")[5], "");

    let sly = by_email("sly@mix.example");
    assert_eq!(&sly[0], "'=HYPERLINK(\"http://evil.example\",\"Click\")");
    assert_eq!(&sly[3], "'@SUM(1+1)");
    assert_eq!(&sly[2], "Board");

    for absent in [
        "gone@mix.example",
        "outsider@other.example",
        "laggard@other.example",
    ] {
        assert!(!body.contains(absent), "{absent} must not be exported");
    }

    // The export is in the organisation's audit log; the other organisation's CSV is not
    // this lead's to take.
    let events: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE event = 'export' AND organisation_id = $1"
    )
    .bind(org)
    .fetch_all(pool)
    .await)
    .expect("audit");
    assert_eq!(events.len(), 1);
    assert!(events[0].contains("\"rows\":8"), "{}", events[0]);
    let theirs = c.get(&format!("/organisations/{other}/training.csv")).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
});

on_both!(
    remind_all_emails_each_overdue_member_who_can_sign_in_once,
    |app| {
        let Mix { org, lead, .. } = mix(&app).await;
        let c = app.signed_in(&lead).await;
        let sent = c
            .post(&format!("/organisations/{org}/training/remind"), &[])
            .await;
        sent.assert_redirect_to(&format!("/organisations/{org}/training"));
        c.get(&format!("/organisations/{org}/training"))
            .await
            .assert_ok()
            .assert_contains("Reminder sent to 2 overdue members of staff");

        for to in ["expired@mix.example", "never@mix.example"] {
            let email = app.smtp.wait_for(to, "Reminder: your").await;
            assert!(email.body().contains("Mix Trust"), "{}", email.body());
            assert!(email.body().contains("/sign-in"));
        }
        // Exactly one job per overdue member who can sign in, and nothing for anyone else.
        let subjects = reminder_jobs(&app).await;
        assert_eq!(subjects.len(), 2, "{subjects:?}");
        tokio::time::sleep(StdDuration::from_millis(500)).await;
        for to in [
            "lead@mix.example",
            "valid@mix.example",
            "moved@mix.example",
            "soon@mix.example",
            "invited@mix.example",
            "gone@mix.example",
            "laggard@other.example",
        ] {
            let reminders: Vec<_> = app
                .smtp
                .all_to(to)
                .await
                .into_iter()
                .filter(|m| m.subject().contains("Reminder"))
                .collect();
            assert!(reminders.is_empty(), "{to} must not be reminded");
        }
        let detail: String = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE event = 'training.reminders_sent' AND organisation_id = $1"
    )
    .bind(org)
    .fetch_one(pool)
    .await)
    .expect("audited");
        assert!(detail.contains("\"count\":2"), "{detail}");
    }
);

on_both!(
    a_second_remind_all_within_a_day_sends_nothing_and_says_when,
    |app| {
        let Mix { org, lead, .. } = mix(&app).await;
        let c = app.signed_in(&lead).await;
        let dashboard = format!("/organisations/{org}/training");
        let remind = format!("/organisations/{org}/training/remind");
        c.post(&remind, &[]).await.assert_redirect_to(&dashboard);
        assert_eq!(reminder_jobs(&app).await.len(), 2);

        // Pressed again (or by another lead, on another instance): nothing more is sent.
        let other_lead = app
            .person(org, Role::SecurityLead, "deputy@mix.example")
            .await;
        let second = app.second_instance().await;
        let again = second.signed_in(&other_lead).await;
        again
            .post(&remind, &[])
            .await
            .assert_redirect_to(&dashboard);
        let page = again.get(&dashboard).await;
        page.assert_ok();
        page.assert_contains(
            "Reminders were sent to overdue staff in the last 24 hours. You can send them again from ",
        );
        assert!(
            !page.text.contains("Send a reminder to all"),
            "no button while reminders must wait"
        );
        assert_eq!(reminder_jobs(&app).await.len(), 2, "no more emails queued");
        let audited: i64 = with_db!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'training.reminders_sent'"
        )
        .fetch_one(pool)
        .await)
        .expect("audit");
        assert_eq!(audited, 1);
    }
);

on_both!(
    a_person_is_reminded_at_most_once_a_week_whichever_organisation_asks,
    |app| {
        let Mix { org, other, lead } = mix(&app).await;
        // never@mix.example also works for Other Trust, where they are overdue too.
        member(&app, other, "never@mix.example", "clinical", None, false).await;
        let other_lead = app
            .person(other, Role::SecurityLead, "lead@other.example")
            .await;
        app.signed_in(&lead)
            .await
            .post(&format!("/organisations/{org}/training/remind"), &[])
            .await;
        let c = app.signed_in(&other_lead).await;
        c.post(&format!("/organisations/{other}/training/remind"), &[])
            .await
            .assert_redirect_to(&format!("/organisations/{other}/training"));
        c.get(&format!("/organisations/{other}/training"))
            .await
            .assert_contains("1 other had a reminder in the last 7 days, so was not sent another");

        let to = reminder_recipients(&app).await;
        let count = |who: &str| to.iter().filter(|t| t.as_str() == who).count();
        assert_eq!(count("never@mix.example"), 1, "{to:?}");
        assert_eq!(count("laggard@other.example"), 1, "{to:?}");
        assert_eq!(count("expired@mix.example"), 1, "{to:?}");
    }
);

/// The addresses of the reminder emails queued so far, one per email.
async fn reminder_recipients(app: &TestApp) -> Vec<String> {
    reminder_payloads(app)
        .await
        .into_iter()
        .filter_map(|p| p["to"].as_str().map(str::to_owned))
        .collect()
}

/// The subjects of the reminder emails queued so far.
async fn reminder_jobs(app: &TestApp) -> Vec<String> {
    reminder_payloads(app)
        .await
        .into_iter()
        .filter_map(|p| p["subject"].as_str().map(str::to_owned))
        .collect()
}

/// The payloads of the reminder email jobs queued so far.
async fn reminder_payloads(app: &TestApp) -> Vec<serde_json::Value> {
    let payloads: Vec<sqlx::types::Json<serde_json::Value>> = with_db!(app.db(), |pool| {
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'send_email'")
            .fetch_all(pool)
            .await
    })
    .expect("jobs");
    payloads
        .into_iter()
        .map(|p| p.0)
        .filter(|p| {
            p["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Reminder"))
        })
        .collect()
}

on_both!(the_target_is_validated_and_changes_are_audited, |app| {
    let Mix { org, lead, .. } = mix(&app).await;
    let c = app.signed_in(&lead).await;
    let path = format!("/organisations/{org}/training/target");
    for (value, message) in [
        ("0", "Target must be between 1 and 100"),
        ("101", "Target must be between 1 and 100"),
        ("abc", "Target must be a whole number, like 95"),
        ("", "Enter a target percentage"),
    ] {
        let page = c.post(&path, &[("target", value)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{value:?}");
        page.assert_contains(message)
            .assert_contains("There is a problem")
            .assert_contains("<title>Error: ");
        assert!(
            page.text.contains(&format!("value=\"{value}\"")),
            "keeps {value:?}"
        );
        assert_eq!(target(&app, org).await, 95, "{value:?} changed nothing");
    }
    let audited = |app: &TestApp| {
        let db = app.db().clone();
        async move {
            with_db!(&db, |pool| sqlx::query_scalar::<_, String>(
                "SELECT detail FROM audit_log WHERE event = 'training.target_changed'"
            )
            .fetch_all(pool)
            .await)
            .expect("audit")
        }
    };
    assert!(audited(&app).await.is_empty());

    c.post(&path, &[("target", "90")])
        .await
        .assert_redirect_to(&format!("/organisations/{org}/training"));
    assert_eq!(target(&app, org).await, 90);
    let details = audited(&app).await;
    assert_eq!(details.len(), 1);
    assert!(
        details[0].contains("\"from\":95") && details[0].contains("\"to\":90"),
        "{}",
        details[0]
    );
    let page = c.get(&format!("/organisations/{org}/training")).await;
    page.assert_ok()
        .assert_contains("The training target for Mix Trust is now 90%");
    assert!(page_text(&page.text).contains("Target: 90%."));
});

on_both!(who_may_see_and_change_training_coverage, |app| {
    let Mix { org, other, lead } = mix(&app).await;
    let team = app.national_team().await;
    let staff = app.person(org, Role::Staff, "staff@mix.example").await;
    let other_lead = app
        .person(other, Role::SecurityLead, "lead@other.example")
        .await;
    let analyst = app
        .person(team, Role::NationalAnalyst, "analyst@carecert.test")
        .await;
    let admin = app
        .person(team, Role::NationalAdmin, "admin@carecert.test")
        .await;
    let dashboard = format!("/organisations/{org}/training");

    let s = app.signed_in(&staff).await;
    for path in [
        dashboard.clone(),
        format!("{dashboard}.csv"),
        "/national/training".into(),
    ] {
        assert_eq!(s.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        s.post(&format!("{dashboard}/remind"), &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let o = app.signed_in(&other_lead).await;
    assert_eq!(o.get(&dashboard).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        o.post(&format!("{dashboard}/target"), &[("target", "50")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        o.get("/national/training").await.status,
        StatusCode::FORBIDDEN
    );
    o.get(&format!("/organisations/{other}/training"))
        .await
        .assert_ok();

    let a = app.signed_in(&analyst).await;
    a.get("/national/training").await.assert_ok();
    a.get("/national/training.csv").await.assert_ok();
    assert_eq!(
        a.post(&format!("{dashboard}/target"), &[("target", "50")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(target(&app, org).await, 95);
    assert_eq!(a.get(&dashboard).await.status, StatusCode::FORBIDDEN);

    let n = app.signed_in(&admin).await;
    n.get(&dashboard).await.assert_ok();
    n.get("/national/training").await.assert_ok();

    // The menu and the organisation page lead there.
    let l = app.signed_in(&lead).await;
    let home = l.get(&format!("/organisations/{org}")).await;
    home.assert_ok()
        .assert_contains(&format!("href=\"{dashboard}\">Training</a>"));
    let menu = l.get(&dashboard).await;
    menu.assert_contains(&format!(
        "href=\"{dashboard}\" aria-current=\"page\">Training</a>"
    ));
    a.get("/")
        .await
        .assert_contains("href=\"/national/training\">Training coverage</a>");
    a.get(&format!("/organisations/{org}"))
        .await
        .assert_contains("href=\"/national/training?q=RM1\"");
    assert!(!s.get("/").await.text.contains("/national/training"));
});

on_both!(the_national_table_sorts_filters_and_exports, |app| {
    let team = app.national_team().await;
    let analyst = app
        .person(team, Role::NationalAnalyst, "analyst@carecert.test")
        .await;
    let icb = app
        .org("North ICB", "QN1", OrgType::IntegratedCareBoard)
        .await;
    let alpha = app.org("Alpha Trust", "RA7", OrgType::NhsTrust).await;
    let beta = app
        .org("Beta Practice", "B12345", OrgType::GpPractice)
        .await;
    let gamma = app
        .org("Gamma Care", "GC1", OrgType::SocialCareProvider)
        .await;
    set_parent(&app, alpha, icb).await;
    set_parent(&app, beta, icb).await;
    // Alpha 4 of 4, Beta 1 of 4 (plus one deactivated and trained), Gamma 2 of 2, the ICB
    // none; a trained person in Alpha and Beta counts in both.
    let mut n = 0;
    let mut add = |org: Uuid, trained: bool| {
        n += 1;
        let email = format!("p{n}@example.org");
        let app = &app;
        async move {
            let id = member(app, org, &email, "clinical", None, false).await;
            if trained {
                seed_pass(app, id, org, days_ago(30)).await;
            }
            id
        }
    };
    let both = add(alpha, true).await;
    for _ in 0..3 {
        add(alpha, true).await;
    }
    for _ in 0..3 {
        add(beta, false).await;
    }
    let gone = add(beta, true).await;
    deactivate(&app, beta, gone).await;
    add(gamma, true).await;
    add(gamma, true).await;
    member_of_another(&app, beta, both).await;

    let a = app.signed_in(&analyst).await;
    let page = a.get("/national/training").await;
    page.assert_ok();
    let text = page_text(&page.text);
    assert!(!text.contains("CareCERT national team"), "{text}");
    assert!(
        text.contains("7 of 10 staff (70%) in 4 organisations have valid training. 2 organisations are below target."),
        "{text}"
    );
    assert!(text.contains(
        "Organisation Beta Practice ODS code B12345 Type GP practice Part of North ICB Staff 4 Trained 1 Coverage 25% Target 95% Below target Yes"
    ), "{text}");
    assert!(text.contains(
        "Organisation Alpha Trust ODS code RA7 Type NHS trust Part of North ICB Staff 4 Trained 4 Coverage 100% Target 95% Below target No"
    ), "{text}");
    assert_eq!(
        order(&page.text),
        ["Alpha Trust", "Beta Practice", "Gamma Care", "North ICB"]
    );
    assert_eq!(page.text.matches("aria-sort=").count(), 1);
    page.assert_contains("aria-sort=\"ascending\"><a href=\"/national/training?q=&#38;org_type=&#38;parent=&#38;below=&#38;sort=name&#38;dir=desc\">Organisation");
    page.assert_contains("<svg")
        .assert_contains("Coverage at the end of each month, all organisations");

    let sorted = a.get("/national/training?sort=percent&dir=asc").await;
    assert_eq!(
        order(&sorted.text),
        ["North ICB", "Beta Practice", "Alpha Trust", "Gamma Care"]
    );
    sorted.assert_contains("aria-sort=\"ascending\"><a href=\"/national/training?q=&#38;org_type=&#38;parent=&#38;below=&#38;sort=percent&#38;dir=desc\">Coverage");
    let by_staff = a.get("/national/training?sort=staff&dir=desc").await;
    by_staff.assert_contains("aria-sort=\"descending\"");
    assert_eq!(
        order(&by_staff.text),
        ["Alpha Trust", "Beta Practice", "Gamma Care", "North ICB"]
    );

    let filtered = |query: String| {
        let a = a.clone();
        async move { order(&a.get(&format!("/national/training?{query}")).await.text) }
    };
    assert_eq!(
        filtered("org_type=gp_practice".into()).await,
        ["Beta Practice"]
    );
    assert_eq!(
        filtered(format!("parent={icb}")).await,
        ["Alpha Trust", "Beta Practice"]
    );
    assert_eq!(
        filtered("below=yes".into()).await,
        ["Beta Practice", "North ICB"]
    );
    assert_eq!(filtered("q=alp".into()).await, ["Alpha Trust"]);
    assert_eq!(filtered("q=gc1".into()).await, ["Gamma Care"]);
    assert!(filtered("q=nobody".into()).await.is_empty());

    let csv = a
        .get("/national/training.csv?below=yes&sort=percent&dir=desc")
        .await;
    csv.assert_ok();
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .unwrap_or_default()
            .starts_with("attachment; filename=\"training-coverage-")
    );
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        [
            "Organisation,ODS code,Type,Part of,Staff,Trained,Coverage (%),Target (%),Below target",
            "Beta Practice,B12345,GP practice,North ICB,4,1,25,95,Yes",
            "North ICB,QN1,Integrated care board,,0,0,0,95,Yes",
        ]
    );
    let exports: i64 = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE event = 'export' AND organisation_id IS NULL"
    )
    .fetch_one(pool)
    .await)
    .expect("audit");
    assert_eq!(exports, 1);
});

/// Adds an existing person (by user id) to `org` as well, untrained there only in name:
/// their pass follows them.
async fn member_of_another(app: &TestApp, org: Uuid, user: Uuid) {
    let mut tx = app.db().begin().await.expect("begin");
    carecert::staff::store::add(
        &mut tx,
        &carecert::staff::store::NewMembership {
            organisation_id: org.into(),
            user_id: user.into(),
            role: Role::Staff,
            staff_group: "clinical",
            department: None,
        },
    )
    .await
    .expect("membership")
    .expect("new");
    tx.commit().await.expect("commit");
}

/// The organisations in the national table, in the order shown.
fn order(html: &str) -> Vec<String> {
    html.split("<a href=\"/organisations/")
        .skip(1)
        .filter_map(|s| {
            let name = s.split_once("\">")?.1.split_once("</a>")?.0;
            Some(name.replace("&#39;", "'").replace("&amp;", "&"))
        })
        .collect()
}
