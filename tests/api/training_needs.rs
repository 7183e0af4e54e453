//! The training needs analysis, course assignments and the DSPT evidence pack: defaults from
//! course audiences, saving and refusing changes, assignment rules, what a learner is
//! required to take, the evidence numbers for known completions and attempts, and who may
//! see all of it.

use std::sync::Arc;

use carecert::{
    exec_db,
    knowledge::{
        content::model::Course,
        store::{
            courses,
            needs::{REASON_ASSIGNED, REASON_GROUP, required_for},
        },
    },
    organisations::domain::OrgType,
    platform::{
        authz::Role,
        db::{new_id, now},
        ids::{OrgId, UserId},
    },
    with_db,
};
use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    on_both,
    support::{Client, Person, TestApp},
};

const DSA: &str = "data-security-awareness";
const PHISHING: &str = "spotting-phishing";
const IT: &str = "it-hygiene";
const BOARD: &str = "board-leaders";

fn needs_path(org: Uuid) -> String {
    format!("/organisations/{org}/training/needs")
}

fn assignments_path(org: Uuid) -> String {
    format!("/organisations/{org}/training/assignments")
}

/// Text as the page escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Whether the page's "needed" checkbox for `group:slug` is ticked.
#[track_caller]
fn ticked(html: &str, group: &str, slug: &str) -> bool {
    let at = html
        .find(&format!("value=\"{group}:{slug}\""))
        .unwrap_or_else(|| panic!("no checkbox for {group}:{slug}"));
    let end = at + html[at..].find('>').expect("tag ends");
    html[at..end].contains(" checked")
}

/// The values of every ticked box on the page, as a form would send them.
fn ticked_values(html: &str) -> Vec<String> {
    html.split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            if !tag.contains("name=\"need\"") || !tag.contains(" checked") {
                return None;
            }
            let v = tag.split("value=\"").nth(1)?.split('"').next()?;
            Some(v.to_owned())
        })
        .collect()
}

fn fields<'a>(ticks: &'a [String], notes: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = ticks.iter().map(|t| ("need", t.as_str())).collect();
    f.push(("notes", notes));
    f
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, UserId>(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(pool)
    .await)
    .expect("user")
}

async fn set_group(app: &TestApp, person: &Person, group: &str) {
    exec_db!(app.db(), |pool| sqlx::query(
        "UPDATE memberships SET staff_group = $1 WHERE id = $2"
    )
    .bind(group)
    .bind(person.membership_id)
    .execute(pool)
    .await)
    .expect("set group");
}

async fn count(app: &TestApp, sql: &str, org: Uuid) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(org)
        .fetch_one(pool)
        .await)
    .expect("count")
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

async fn current(app: &TestApp, slug: &str) -> (Uuid, Arc<Course>) {
    let v = courses::current_by_slug(app.db(), slug)
        .await
        .expect("query")
        .expect("course is current");
    let content = courses::content(app.db(), v.id)
        .await
        .expect("query")
        .expect("content");
    (v.id, content)
}

/// A trust with a signed-in security lead (in the board group).
async fn trust_with_lead(app: &TestApp, ods: &str) -> (Uuid, Person, Client) {
    let org = app
        .org(&format!("Trust {ods}"), ods, OrgType::NhsTrust)
        .await;
    let lead = app
        .person(
            org,
            Role::SecurityLead,
            &format!("lead@{}.example", ods.to_lowercase()),
        )
        .await;
    set_group(app, &lead, "board").await;
    let client = app.signed_in(&lead).await;
    (org, lead, client)
}

on_both!(the_default_analysis_follows_course_audiences, |app| {
    let (org, _, lead) = trust_with_lead(&app, "RN1").await;
    let page = lead.get(&needs_path(org)).await;
    page.assert_ok()
        .assert_contains("has not been reviewed yet")
        .assert_contains("Temporary, bank and agency")
        .assert_contains("Volunteers");
    let html = &page.text;
    // The mandatory course for everyone; the others as their audiences say.
    for g in [
        "clinical",
        "admin",
        "it",
        "board",
        "temporary",
        "student",
        "volunteer",
        "other",
    ] {
        assert!(ticked(html, g, DSA), "{g} needs the mandatory course");
    }
    assert!(ticked(html, "student", PHISHING));
    assert!(!ticked(html, "volunteer", PHISHING));
    assert!(ticked(html, "it", IT));
    assert!(!ticked(html, "clinical", IT));
    assert!(ticked(html, "board", BOARD));
    assert!(!ticked(html, "admin", BOARD));

    // What learners are required to take follows the same default.
    let nurse = app.person(org, Role::Staff, "nurse@rn1.example").await;
    let techie = app.person(org, Role::Staff, "techie@rn1.example").await;
    set_group(&app, &techie, "it").await;
    let nurse_needs = required_for(app.db(), user_id(&app, &nurse.email).await)
        .await
        .unwrap();
    let slugs: Vec<&str> = nurse_needs.iter().map(|r| r.course_slug.as_str()).collect();
    assert_eq!(slugs, [DSA, PHISHING]);
    assert!(nurse_needs.iter().all(|r| r.reason == REASON_GROUP
        && r.due_on.is_none()
        && r.organisation_id == OrgId::from(org)
        && r.organisation_name == "Trust RN1"));
    let techie_needs = required_for(app.db(), user_id(&app, &techie.email).await)
        .await
        .unwrap();
    assert!(techie_needs.iter().any(|r| r.course_slug == IT));
});

on_both!(a_changed_analysis_is_saved_and_shown, |app| {
    let (org, _, lead) = trust_with_lead(&app, "RN2").await;
    let nurse = app.person(org, Role::Staff, "nurse@rn2.example").await;
    let page = lead.get(&needs_path(org)).await;
    let mut ticks = ticked_values(&page.text);
    ticks.retain(|t| t != &format!("board:{PHISHING}"));
    ticks.push(format!("clinical:{IT}"));
    let saved = lead
        .post(
            &needs_path(org),
            &fields(&ticks, "  Clinical staff use the ward PCs.  "),
        )
        .await;
    saved.assert_redirect_to(&needs_path(org));

    let page = lead.get(&needs_path(org)).await;
    page.assert_ok()
        .assert_contains("Training needs analysis saved")
        .assert_contains("Last reviewed")
        .assert_contains("by Test lead@rn2.example")
        .assert_contains(">Clinical staff use the ward PCs.</textarea>");
    assert!(!page.text.contains("has not been reviewed yet"));
    assert!(ticked(&page.text, "clinical", IT));
    assert!(!ticked(&page.text, "board", PHISHING));
    assert!(ticked(&page.text, "board", DSA));
    assert_eq!(audited(&app, "training.needs_reviewed", org).await, 1);

    let needs = required_for(app.db(), user_id(&app, &nurse.email).await)
        .await
        .unwrap();
    assert!(
        needs
            .iter()
            .any(|r| r.course_slug == IT && r.reason == REASON_GROUP)
    );
});

on_both!(
    the_mandatory_course_cannot_be_unticked_and_long_notes_are_refused,
    |app| {
        let (org, _, lead) = trust_with_lead(&app, "RN3").await;
        let page = lead.get(&needs_path(org)).await;
        let all = ticked_values(&page.text);
        let (_, dsa) = current(&app, DSA).await;

        let mut without = all.clone();
        without.retain(|t| t != &format!("volunteer:{DSA}"));
        let refused = lead.post(&needs_path(org), &fields(&without, "")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused
            .assert_contains(&esc(&format!(
                "{} is mandatory, so every staff group needs it. Tick it for: Volunteers",
                dsa.title
            )))
            .assert_contains(&format!("href=\"#need-volunteer-{DSA}\""));
        // The form keeps what was sent.
        assert!(!ticked(&refused.text, "volunteer", DSA));

        let long = "a".repeat(2001);
        let refused = lead.post(&needs_path(org), &fields(&all, &long)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused
            .assert_contains("Notes must be 2,000 characters or fewer")
            .assert_contains("href=\"#notes\"");

        // Nothing was saved.
        let saved = "SELECT COUNT(*) FROM training_needs_reviews WHERE organisation_id = $1";
        assert_eq!(count(&app, saved, org).await, 0);
        let rows = "SELECT COUNT(*) FROM training_needs WHERE organisation_id = $1";
        assert_eq!(count(&app, rows, org).await, 0);
        assert_eq!(audited(&app, "training.needs_reviewed", org).await, 0);
        lead.get(&needs_path(org))
            .await
            .assert_contains("has not been reviewed yet");

        // A value for a course that does not exist is refused outright.
        let forged = lead
            .post(&needs_path(org), &[("need", "clinical:no-such-course")])
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert_eq!(count(&app, saved, org).await, 0);
    }
);

fn assignment<'a>(
    course: &'a str,
    to: &'a str,
    who: &'a str,
    date: (&'a str, &'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("course", course), ("assign_to", to)];
    f.push(if to == "group" {
        ("staff_group", who)
    } else {
        ("email", who)
    });
    f.extend([
        ("due-day", date.0),
        ("due-month", date.1),
        ("due-year", date.2),
    ]);
    f
}

on_both!(
    assignments_are_validated_listed_required_and_deleted,
    |app| {
        let (org, _, lead) = trust_with_lead(&app, "RN4").await;
        let other = app.org("Other Trust", "RN5", OrgType::NhsTrust).await;
        let nurse = app.person(org, Role::Staff, "nurse@rn4.example").await;
        app.person(other, Role::Staff, "stranger@rn5.example").await;
        let path = assignments_path(org);
        let assignments = "SELECT COUNT(*) FROM course_assignments WHERE organisation_id = $1";
        lead.get(&path)
            .await
            .assert_ok()
            .assert_contains("has not assigned any courses");

        let next_year = (now().year() + 1).to_string();
        let last_year = (now().year() - 1).to_string();
        let cases: [(Vec<(&str, &str)>, &str); 6] = [
            (
                assignment(BOARD, "group", "volunteer", ("31", "2", &next_year)),
                "Due date must be a real date",
            ),
            (
                assignment(BOARD, "group", "volunteer", ("1", "1", &last_year)),
                "Due date must be today or in the future",
            ),
            (
                assignment(BOARD, "group", "volunteer", ("", "", "")),
                "Enter the due date",
            ),
            (
                assignment(
                    BOARD,
                    "person",
                    "nobody@rn4.example",
                    ("1", "1", &next_year),
                ),
                "nobody@rn4.example is not an active member of Trust RN4",
            ),
            (
                assignment(
                    BOARD,
                    "person",
                    "stranger@rn5.example",
                    ("1", "1", &next_year),
                ),
                "stranger@rn5.example is not an active member of Trust RN4",
            ),
            (
                assignment(
                    "no-such-course",
                    "group",
                    "volunteer",
                    ("1", "1", &next_year),
                ),
                "Select a course",
            ),
        ];
        for (form, message) in cases {
            let refused = lead.post(&path, &form).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{message}"
            );
            refused.assert_contains(message);
            assert_eq!(count(&app, assignments, org).await, 0, "{message}");
        }

        // One to a group, one to a person.
        lead.post(
            &path,
            &assignment(BOARD, "group", "volunteer", ("1", "6", &next_year)),
        )
        .await
        .assert_redirect_to(&path);
        lead.post(
            &path,
            &assignment(IT, "person", " Nurse@RN4.example ", ("2", "6", &next_year)),
        )
        .await
        .assert_redirect_to(&path);
        // The same again is refused.
        let again = lead
            .post(
                &path,
                &assignment(IT, "person", "nurse@rn4.example", ("3", "6", &next_year)),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        again.assert_contains("is already assigned to");
        assert_eq!(count(&app, assignments, org).await, 2);
        assert_eq!(audited(&app, "training.assigned", org).await, 2);

        let (_, board) = current(&app, BOARD).await;
        let (_, it) = current(&app, IT).await;
        let list = lead.get(&path).await;
        list.assert_ok()
            .assert_contains(&esc(&board.title))
            .assert_contains("Staff group: Volunteers")
            .assert_contains(&format!("1 June {next_year}"))
            .assert_contains("Test nurse@rn4.example (nurse@rn4.example)")
            .assert_contains(&format!("2 June {next_year}"));

        // The nurse must now take the IT course, by the date set.
        let needs = required_for(app.db(), user_id(&app, &nurse.email).await)
            .await
            .unwrap();
        let it_need = needs
            .iter()
            .find(|r| r.course_slug == IT)
            .expect("the assigned course is required");
        assert_eq!(it_need.reason, REASON_ASSIGNED);
        assert_eq!(
            it_need.due_on.map(|d| d.to_string()),
            Some(format!("{next_year}-06-02"))
        );
        assert!(
            !needs.iter().any(|r| r.course_slug == BOARD),
            "not a volunteer"
        );
        assert!(it.title.len() > 1);

        // Deleting is scoped by organisation: another organisation's path finds nothing.
        let id: Uuid = with_db!(app.db(), |pool| {
            sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM course_assignments WHERE organisation_id = $1 AND user_id IS NOT NULL"
    )
    .bind(org)
    .fetch_one(pool)
    .await
        })
        .unwrap();
        let (_, admin) = {
            let team = app.national_team().await;
            (
                team,
                app.person(team, Role::NationalAdmin, "admin@carecert.test")
                    .await,
            )
        };
        let admin = app.signed_in(&admin).await;
        let elsewhere = admin
            .post(&format!("{}/{id}/delete", assignments_path(other)), &[])
            .await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
        lead.post(&format!("{path}/{id}/delete"), &[])
            .await
            .assert_redirect_to(&path);
        assert_eq!(count(&app, assignments, org).await, 1);
        assert_eq!(audited(&app, "training.assignment_deleted", org).await, 1);
        let needs = required_for(app.db(), user_id(&app, &nurse.email).await)
            .await
            .unwrap();
        assert!(!needs.iter().any(|r| r.course_slug == IT));
    }
);

// ---- Seeding completions and attempts ------------------------------------------------

async fn seed_completion(
    app: &TestApp,
    user: UserId,
    org: Uuid,
    slug: &str,
    passed_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) {
    let (version, course) = current(app, slug).await;
    let code = new_id().simple().to_string();
    exec_db!(app.db(), |pool| sqlx::query(
        "INSERT INTO completions (id, user_id, organisation_id, course_slug, course_version_id, \
         course_title, course_version, attempt_id, score_percent, attempt_number, passed_at, \
         expires_at, certificate_code, learner_name, organisation_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 90, 1, $8, $9, $10, 'Learner', 'Trust')"
    )
    .bind(new_id())
    .bind(user)
    .bind(org)
    .bind(slug)
    .bind(version)
    .bind(&course.title)
    .bind(&course.version)
    .bind(passed_at)
    .bind(expires_at)
    .bind(code)
    .execute(pool)
    .await)
    .expect("completion");
}

/// A submitted attempt at the mandatory course, with the given answers (question id, right).
#[allow(clippy::too_many_arguments)]
async fn seed_attempt(
    app: &TestApp,
    user: UserId,
    org: Uuid,
    number: i64,
    passed: bool,
    score: i64,
    submitted_at: OffsetDateTime,
    answers: &[(&str, bool)],
) {
    let (version, _) = current(app, DSA).await;
    let enrolment = new_id();
    let attempt = new_id();
    let started = submitted_at - Duration::minutes(20);
    exec_db!(app.db(), |pool| sqlx::query(
        "INSERT INTO enrolments (id, user_id, course_slug, course_version_id, started_at, completed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(enrolment)
    .bind(user)
    .bind(DSA)
    .bind(version)
    .bind(started)
    .bind(submitted_at)
    .execute(pool)
    .await)
    .expect("enrolment");
    exec_db!(app.db(), |pool| sqlx::query(
        "INSERT INTO attempts (id, enrolment_id, user_id, organisation_id, course_version_id, number, \
         drawn, started_at, submitted_at, correct_count, total, score_percent, passed) \
         VALUES ($1, $2, $3, $4, $5, $6, '[]', $7, $8, 0, $9, $10, $11)"
    )
    .bind(attempt)
    .bind(enrolment)
    .bind(user)
    .bind(org)
    .bind(version)
    .bind(number)
    .bind(started)
    .bind(submitted_at)
    .bind(answers.len() as i64)
    .bind(score)
    .bind(passed)
    .execute(pool)
    .await)
    .expect("attempt");
    for (question, correct) in answers {
        exec_db!(app.db(), |pool| sqlx::query(
            "INSERT INTO attempt_answers (attempt_id, question_id, chosen, correct, saved_at) \
             VALUES ($1, $2, '[]', $3, $4)"
        )
        .bind(attempt)
        .bind(*question)
        .bind(*correct)
        .bind(submitted_at)
        .execute(pool)
        .await)
        .expect("answer");
    }
}

on_both!(
    the_evidence_pack_counts_delivery_and_evaluates_year_on_year,
    |app| {
        let (org, _, lead) = trust_with_lead(&app, "RN6").await;
        let other = app.org("Elsewhere Trust", "RN7", OrgType::NhsTrust).await;
        let a = app.person(org, Role::Staff, "a@rn6.example").await;
        let b = app.person(org, Role::Staff, "b@rn6.example").await;
        let c = app.person(org, Role::Staff, "c@rn6.example").await;
        set_group(&app, &c, "admin").await;
        let (ua, ub, uc) = (
            user_id(&app, &a.email).await,
            user_id(&app, &b.email).await,
            user_id(&app, &c.email).await,
        );
        let t = now();
        let year = Duration::days(365);
        // Delivery: A and C hold valid training, B's has expired; A also passed phishing.
        seed_completion(&app, ua, org, DSA, t - Duration::days(30), t + year).await;
        seed_completion(&app, ub, org, DSA, t - 2 * year, t - year).await;
        seed_completion(&app, uc, other, DSA, t - Duration::days(5), t + year).await;
        seed_completion(&app, ua, org, PHISHING, t - Duration::days(30), t + year).await;

        // Evaluation: three attempts in the last year, one the year before, and one taken in
        // another organisation (which must not count here).
        let (_, dsa) = current(&app, DSA).await;
        let bank: Vec<_> = dsa.assessment_bank().collect();
        let (q1, q2) = (bank[0], bank[1]);
        let recent = t - Duration::days(10);
        seed_attempt(
            &app,
            ua,
            org,
            1,
            false,
            60,
            recent,
            &[(&q1.id, false), (&q2.id, true)],
        )
        .await;
        seed_attempt(
            &app,
            ua,
            org,
            2,
            true,
            90,
            recent + Duration::hours(1),
            &[(&q1.id, false)],
        )
        .await;
        seed_attempt(
            &app,
            uc,
            org,
            1,
            true,
            80,
            recent,
            &[(&q1.id, true), (&q2.id, false)],
        )
        .await;
        seed_attempt(
            &app,
            ub,
            org,
            1,
            false,
            40,
            t - Duration::days(400),
            &[(&q1.id, false), (&q2.id, false)],
        )
        .await;
        seed_attempt(&app, ub, other, 1, true, 100, recent, &[(&q2.id, false)]).await;

        let page = lead
            .get(&format!("/organisations/{org}/training/evidence"))
            .await;
        page.assert_ok()
            .assert_contains("Training evidence pack")
            .assert_contains("Not reviewed yet")
            .assert_contains("Download the evidence pack (CSV)")
            // Pass rate 2 of 3, first-attempt average (60 + 80) / 2, and year on year.
            .assert_contains("66%")
            .assert_contains("70%")
            .assert_contains("+66 percentage points")
            .assert_contains("+30 percentage points")
            .assert_contains(&esc(&q1.prompt))
            .assert_contains("2 of 3 (66%)")
            .assert_contains("1 of 1");
        if let Some(lesson) = q1.lesson.as_deref().and_then(|l| dsa.lesson(l)) {
            page.assert_contains(&esc(&lesson.title));
        }

        let csv = lead
            .get(&format!("/organisations/{org}/training/evidence.csv"))
            .await;
        csv.assert_ok();
        assert!(
            csv.header("content-type")
                .unwrap_or_default()
                .starts_with("text/csv")
        );
        assert!(
            csv.header("content-disposition")
                .unwrap_or_default()
                .contains("training-evidence-RN6-")
        );
        let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
            .collect();
        let find = |part: &str, group: &str, course: &str, measure: &str| -> Vec<String> {
            rows.iter()
                .find(|r| r[0] == part && r[1] == group && r[2] == course && r[5] == measure)
                .unwrap_or_else(|| {
                    panic!("no row {part} {group} {course} {measure} in\n{}", csv.text)
                })
                .clone()
        };
        let value = |part: &str, group: &str, course: &str, measure: &str| {
            find(part, group, course, measure)[6].clone()
        };
        // Clinical: the lead is in the board group, so A and B.
        assert_eq!(value("delivery", "Clinical", &dsa.title, "staff"), "2");
        assert_eq!(value("delivery", "Clinical", &dsa.title, "trained"), "1");
        assert_eq!(
            value("delivery", "Clinical", &dsa.title, "percent_trained"),
            "50"
        );
        // C passed while elsewhere: the record follows the person.
        assert_eq!(
            value(
                "delivery",
                "Administrative and clerical",
                &dsa.title,
                "trained"
            ),
            "1"
        );
        assert_eq!(value("delivery", "Board", &dsa.title, "staff"), "1");
        assert_eq!(value("delivery", "Board", &dsa.title, "trained"), "0");
        let (_, phishing) = current(&app, PHISHING).await;
        assert_eq!(
            value("delivery", "Clinical", &phishing.title, "trained"),
            "1"
        );
        assert_eq!(
            value("needs_analysis", "Volunteers", &dsa.title, "needed"),
            "yes"
        );

        let eval = |measure: &str| find("evaluation", "", "", measure)[6..9].to_vec();
        assert_eq!(eval("attempts_submitted"), ["3", "1", "2"]);
        assert_eq!(eval("pass_rate_percent"), ["66", "0", "66"]);
        assert_eq!(
            eval("average_first_attempt_score_percent"),
            ["70", "40", "30"]
        );
        assert_eq!(eval("learners"), ["2", "1", "1"]);

        let missed: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| r[0] == "most_missed" && r[5] == "times_missed")
            .collect();
        assert_eq!(missed.len(), 2, "{}", csv.text);
        assert_eq!(missed[0][4], q1.prompt);
        assert_eq!(missed[0][2], dsa.title);
        assert_eq!(missed[0][6..9], ["2", "1", "1"]);
        assert_eq!(missed[1][4], q2.prompt);
        assert_eq!(missed[1][6..9], ["1", "1", "0"]);
        assert_eq!(audited(&app, "export", org).await, 1);
    }
);

on_both!(other_leads_and_staff_may_not_see_training_pages, |app| {
    let (org, _, _) = trust_with_lead(&app, "RN8").await;
    let (_, _, other_lead) = trust_with_lead(&app, "RN9").await;
    let staff = app.person(org, Role::Staff, "staff@rn8.example").await;
    let staff = app.signed_in(&staff).await;
    let base = format!("/organisations/{org}/training");
    for client in [&other_lead, &staff] {
        for path in ["needs", "assignments", "evidence", "evidence.csv"] {
            let page = client.get(&format!("{base}/{path}")).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        }
        let ticks = [format!("clinical:{DSA}")];
        let page = client
            .post(&format!("{base}/needs"), &fields(&ticks, ""))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = client
            .post(
                &format!("{base}/assignments"),
                &assignment(IT, "group", "it", ("1", "1", "2099")),
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE organisation_id = $1",
            org
        )
        .await,
        0
    );
});
