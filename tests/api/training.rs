//! The learner's journey through a course: lessons and knowledge checks, the final
//! assessment (saving, submitting, grading, retakes), certificates and their public check,
//! and the edge cases around them (double submission, tampering, new course versions).

use carecert::{
    knowledge::{content::model::Course, store::courses},
    organisations::domain::OrgType,
    platform::authz::Role,
};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Client, TestApp, input_value, training::builtin},
};

const DSA: &str = "data-security-awareness";

/// The question ids of the form fields on a page, in order.
fn question_ids(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for part in html.split("name=\"q.").skip(1) {
        let id = part.split('"').next().unwrap_or_default().to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Form fields answering each question rightly or wrongly.
fn answers(course: &Course, ids: &[String], right: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for id in ids {
        let q = course
            .question(id)
            .expect("drawn question is in the course");
        let picks: Vec<&str> = if right {
            q.correct_ids().collect()
        } else {
            vec![
                q.options
                    .iter()
                    .find(|o| !o.correct)
                    .expect("a wrong option")
                    .id
                    .as_str(),
            ]
        };
        for p in picks {
            out.push((format!("q.{id}"), p.to_owned()));
        }
    }
    out
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Text as the page escapes it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn learner(app: &TestApp, email: &str) -> (Client, uuid::Uuid) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(10000);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let org = app
        .org("Riverside GP", &format!("Y{n}"), OrgType::GpPractice)
        .await;
    let person = app.person(org, Role::Staff, email).await;
    (app.signed_in(&person).await, org)
}

async fn start_assessment(client: &Client, slug: &str) -> (String, Vec<String>) {
    client.post(&format!("/training/{slug}/start"), &[]).await;
    client
        .post(&format!("/training/{slug}/assessment/start"), &[])
        .await
        .assert_redirect_to(&format!("/training/{slug}/assessment"));
    let page = client.get(&format!("/training/{slug}/assessment")).await;
    page.assert_ok();
    let attempt = input_value(&page.text, "attempt").expect("the form names its attempt");
    (attempt, question_ids(&page.text))
}

on_both!(a_learner_works_through_lessons_and_passes, |app| {
    let (client, _) = learner(&app, "alex.learner@example.org").await;
    carecert::exec_db!(app.db(), |pool| sqlx::query(
        "UPDATE users SET name = 'Alex Learner' WHERE email = 'alex.learner@example.org'"
    )
    .execute(pool)
    .await)
    .unwrap();
    let course = builtin(DSA);
    client
        .get("/training")
        .await
        .assert_ok()
        .assert_contains("Data Security Awareness")
        .assert_contains("Not started");

    let first = &course.lessons[0];
    client
        .post(&format!("/training/{DSA}/start"), &[])
        .await
        .assert_redirect_to(&format!("/training/{DSA}/lessons/{}", first.id));
    let lesson = client
        .get(&format!("/training/{DSA}/lessons/{}", first.id))
        .await;
    lesson
        .assert_ok()
        .assert_contains(&first.title)
        .assert_contains("Check what you have learned");
    let checks = question_ids(&lesson.text);
    assert!(!checks.is_empty());
    for id in &checks {
        let q = course.question(id).unwrap();
        assert!(q.knowledge_check);
        for o in &q.options {
            assert!(
                !lesson.text.contains(&esc(&o.feedback)),
                "feedback shown before answering"
            );
        }
    }

    // Leaving a question out is refused with a message, and nothing is recorded.
    let path = format!("/training/{DSA}/lessons/{}/check", first.id);
    let missing = client.post(&path, &[]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("Answer every question before checking your answers");
    // What was chosen is kept when the page comes back.
    let partial = answers(&course, &checks[..1], true);
    let kept = client.post(&path, &refs(&partial)).await;
    assert_eq!(kept.status, StatusCode::UNPROCESSABLE_ENTITY);
    kept.assert_contains(&format!("value=\"{}\" checked", partial[0].1));
    client
        .get(&format!("/training/{DSA}"))
        .await
        .assert_contains("Started");

    let fields = answers(&course, &checks, true);
    let marked = client.post(&path, &refs(&fields)).await;
    marked
        .assert_ok()
        .assert_contains(&format!(
            "You got {} out of {} right",
            checks.len(),
            checks.len()
        ))
        .assert_contains(&esc(&course.question(&checks[0]).unwrap().explanation));
    client
        .get(&format!("/training/{DSA}"))
        .await
        .assert_contains("Completed");

    // The final assessment: nothing on the page gives the answers away.
    let (attempt, drawn) = start_assessment(&client, DSA).await;
    assert_eq!(drawn.len(), course.questions_per_attempt as usize);
    let page = client.get(&format!("/training/{DSA}/assessment")).await;
    for id in &drawn {
        let q = course.question(id).unwrap();
        assert!(
            !q.knowledge_check,
            "knowledge checks are not in the assessment"
        );
        assert!(!page.text.contains(&esc(&q.explanation)));
        for o in &q.options {
            assert!(!page.text.contains(&esc(&o.feedback)));
        }
    }
    assert!(!page.text.contains("correct"), "the page hints at answers");

    // An answer saved on its own survives a reload.
    let one = answers(&course, &drawn[..1], true);
    let mut fields = vec![("attempt", attempt.as_str())];
    fields.extend(refs(&one));
    let saved = client
        .post(&format!("/training/{DSA}/assessment/answer"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert!(saved.text.contains("\"saved\":true"));
    let reloaded = client.get(&format!("/training/{DSA}/assessment")).await;
    reloaded.assert_contains(&format!("value=\"{}\" checked", one[0].1));
    reloaded.assert_contains("1 of 18 answered");

    // "Save and finish later" says so on the page it leads to, even when the page's
    // script is still saving an answer while the browser follows the redirect; the
    // message shows once.
    client
        .post(&format!("/training/{DSA}/assessment/save"), &fields)
        .await
        .assert_redirect_to(&format!("/training/{DSA}/assessment"));
    let late_save = client
        .post(&format!("/training/{DSA}/assessment/answer"), &fields)
        .await;
    assert_eq!(late_save.status, StatusCode::OK, "{}", late_save.text);
    client
        .get(&format!("/training/{DSA}/assessment"))
        .await
        .assert_contains("You can come back and finish later");
    let again = client.get(&format!("/training/{DSA}/assessment")).await;
    assert!(!again.text.contains("You can come back and finish later"));

    let all = answers(&course, &drawn, true);
    let mut fields = vec![("attempt", attempt.as_str())];
    fields.extend(refs(&all));
    let submitted = client
        .post(&format!("/training/{DSA}/assessment/submit"), &fields)
        .await;
    submitted.assert_redirect_to("/training/attempts/");
    let result_path = submitted.location().unwrap().to_owned();
    let result = client.get(&result_path).await;
    result
        .assert_ok()
        .assert_contains("You passed")
        .assert_contains("You scored 100%")
        .assert_contains(&esc(&course.question(&drawn[0]).unwrap().explanation));
    let code = result
        .text
        .split("/verify/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a verification link")
        .to_owned();

    // Submitting the same attempt again changes nothing.
    let again = client
        .post(&format!("/training/{DSA}/assessment/submit"), &fields)
        .await;
    assert!(again.status.is_redirection());
    let passes: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM completions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(passes, 1);
    // Answering after submission is refused.
    let late = client
        .post(&format!("/training/{DSA}/assessment/answer"), &fields)
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    let pdf = client
        .get(&format!("/training/certificates/{code}.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.text.starts_with("%PDF-"));

    let public = app.client().get(&format!("/verify/{code}")).await;
    public
        .assert_ok()
        .assert_contains("genuine and valid")
        .assert_contains("Alex Learner")
        .assert_contains("Data Security Awareness")
        .assert_contains(&course.version);
    assert!(
        !public.text.contains("alex.learner@example.org"),
        "the check shows no email"
    );
    let missing = app.client().get("/verify/AAAA-BBBB-CCCC").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains("could not find a certificate");

    let mine = client.get("/training").await;
    mine.assert_contains("Valid until")
        .assert_contains(&format!("/training/certificates/{code}.pdf"));
    // Nobody else can download it.
    let (other, _) = learner(&app, "sam.other@example.org").await;
    assert_eq!(
        other
            .get(&format!("/training/certificates/{code}.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(&result_path).await.status, StatusCode::NOT_FOUND);
});

on_both!(a_failed_attempt_can_be_retaken_with_a_fresh_draw, |app| {
    let (client, _) = learner(&app, "casey.retake@example.org").await;
    let course = builtin(DSA);
    let (attempt, drawn) = start_assessment(&client, DSA).await;
    let wrong = answers(&course, &drawn, false);
    let mut fields = vec![("attempt", attempt.as_str())];
    fields.extend(refs(&wrong));
    let submitted = client
        .post(&format!("/training/{DSA}/assessment/submit"), &fields)
        .await;
    let result = client.get(submitted.location().unwrap()).await;
    result
        .assert_contains("You did not pass this time")
        .assert_contains("You scored 0%")
        .assert_contains("Try again")
        .assert_contains("Not quite");
    let (_, second) = start_assessment(&client, DSA).await;
    assert_eq!(second.len(), drawn.len());
    assert!(
        second.iter().all(|q| !drawn.contains(q)),
        "a retake draws new questions"
    );
    let passes: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM completions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(passes, 0, "a failed attempt never counts as a completion");
});

on_both!(tampered_answers_are_refused_and_nothing_is_saved, |app| {
    let (client, _) = learner(&app, "tam.per@example.org").await;
    let course = builtin(DSA);
    let (attempt, drawn) = start_assessment(&client, DSA).await;
    let save = format!("/training/{DSA}/assessment/answer");
    let not_drawn = course
        .assessment_bank()
        .find(|q| !drawn.contains(&q.id))
        .unwrap()
        .id
        .clone();
    let r = client
        .post(
            &save,
            &[("attempt", &attempt), (&format!("q.{not_drawn}"), "a")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("not part of this attempt"), "{}", r.text);
    let r = client
        .post(
            &save,
            &[
                ("attempt", &attempt),
                (&format!("q.{}", drawn[0]), "zz-not-an-option"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("not one of the options"), "{}", r.text);
    let r = client
        .post(
            &save,
            &[
                ("attempt", "00000000-0000-0000-0000-000000000000"),
                (&format!("q.{}", drawn[0]), "a"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A whole-form submission with a bad option is refused and the attempt stays open.
    let page = client
        .post(
            &format!("/training/{DSA}/assessment/submit"),
            &[
                ("attempt", &attempt),
                (&format!("q.{}", drawn[0]), "zz-not-an-option"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("There is a problem");
    let saved: i64 = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM attempt_answers"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(saved, 0);
    client
        .get(&format!("/training/{DSA}/assessment"))
        .await
        .assert_contains("Submit my answers");
});

on_both!(learners_finish_the_version_they_started, |app| {
    let (early, _) = learner(&app, "early.bird@example.org").await;
    early.post(&format!("/training/{DSA}/start"), &[]).await;
    let mut next = builtin(DSA);
    next.version = "2027.1".into();
    let mut tx = app.db().begin().await.unwrap();
    courses::import(&mut tx, &next, courses::Origin::Imported, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    early
        .get(&format!("/training/{DSA}"))
        .await
        .assert_contains(&format!("Version {}", builtin(DSA).version))
        .assert_contains("version 2027.1 is for people who start from now");
    let (late, _) = learner(&app, "late.comer@example.org").await;
    late.get(&format!("/training/{DSA}"))
        .await
        .assert_contains("Version 2027.1");

    // The early learner passes the version they started, and the record says so.
    let course = builtin(DSA);
    let (attempt, drawn) = start_assessment(&early, DSA).await;
    let all = answers(&course, &drawn, true);
    let mut fields = vec![("attempt", attempt.as_str())];
    fields.extend(refs(&all));
    early
        .post(&format!("/training/{DSA}/assessment/submit"), &fields)
        .await;
    let version: String = carecert::with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT course_version FROM completions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(version, course.version);
});

on_both!(
    expiry_reminders_are_sent_once_even_with_two_instances,
    |app| {
        let org = app
            .org("Hillside Care", "VN001", OrgType::SocialCareProvider)
            .await;
        let soon = app.person(org, Role::Staff, "soon@example.org").await;
        let week = app.person(org, Role::Staff, "week@example.org").await;
        let lapsed = app.person(org, Role::Staff, "lapsed@example.org").await;
        let fine = app.person(org, Role::Staff, "fine@example.org").await;
        let _second = app.second_instance().await;
        let now = carecert::platform::db::now();
        let year = time::Duration::days(365);
        for (person, passed) in [
            (&soon, now - year + time::Duration::days(20)),
            (&week, now - year + time::Duration::days(5)),
            (&lapsed, now - year - time::Duration::days(3)),
            (&fine, now - time::Duration::days(30)),
        ] {
            let id = crate::support::training::user_id(&app, person).await;
            crate::support::training::seed_pass(&app, id, org, passed).await;
        }
        let a = app
            .smtp
            .wait_for("soon@example.org", "training expires on")
            .await;
        assert!(
            a.body().contains("/training/data-security-awareness"),
            "{}",
            a.body()
        );
        app.smtp
            .wait_for("week@example.org", "training expires in a week")
            .await;
        app.smtp
            .wait_for("lapsed@example.org", "training has expired")
            .await;
        // Give both workers time for several more scans, then count.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        for to in ["soon@example.org", "week@example.org", "lapsed@example.org"] {
            assert_eq!(app.smtp.all_to(to).await.len(), 1, "{to} reminded once");
        }
        assert!(app.smtp.all_to("fine@example.org").await.is_empty());
        assert!(
            app.smtp.all_to("gone@example.org").await.is_empty(),
            "no reminders after leaving"
        );
    }
);

on_both!(
    hr_systems_read_completions_and_learners_read_their_own,
    |app| {
        let trust = app.org("Birch Hospital", "RB7", OrgType::NhsTrust).await;
        let other = app.org("Rowan Hospital", "RR8", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@birch.example")
            .await;
        let amy = app.person(trust, Role::Staff, "amy@birch.example").await;
        let zed = app.person(other, Role::Staff, "zed@rowan.example").await;
        let now = carecert::platform::db::now();
        for (person, org) in [(&amy, trust), (&zed, other)] {
            let id = crate::support::training::user_id(&app, person).await;
            crate::support::training::seed_pass(&app, id, org, now - time::Duration::days(10))
                .await;
        }
        let c = app.signed_in(&lead).await;
        let created = c
            .post(
                &format!("/organisations/{trust}/api-tokens"),
                &[("name", "ESR")],
            )
            .await;
        let token = input_value(&created.text, "token").expect("token shown once");
        let page = c
            .api_get("/api/v1/training/completions", Some(&token))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let body: serde_json::Value = serde_json::from_str(&page.text).unwrap();
        assert_eq!(body["total"], 1);
        assert_eq!(body["data"][0]["email"], "amy@birch.example");
        assert_eq!(body["data"][0]["course"], DSA);
        assert!(
            !page.text.contains("zed@rowan.example"),
            "another organisation's staff"
        );
        let bad = c
            .api_get("/api/v1/training/completions?per_page=0", Some(&token))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            c.api_get("/api/v1/training/completions", None).await.status,
            StatusCode::UNAUTHORIZED
        );

        let amy_client = app.signed_in(&amy).await;
        let mine = amy_client.get("/training/record.json").await;
        assert_eq!(mine.status, StatusCode::OK);
        let record: serde_json::Value = serde_json::from_str(&mine.text).unwrap();
        assert_eq!(record["email"], "amy@birch.example");
        assert_eq!(record["completions"][0]["valid"], true);
        assert_eq!(record["completions"].as_array().unwrap().len(), 1);
    }
);

on_both!(
    my_training_lists_what_my_organisation_requires_and_by_when,
    |app| {
        let trust = app.org("Elm Hospital", "RE9", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@elm.example")
            .await;
        let nurse = app.person(trust, Role::Staff, "nurse@elm.example").await;
        let due_year = (carecert::platform::db::now().year() + 1).to_string();
        let before = app.signed_in(&nurse).await.get("/training").await;
        let required = before
            .text
            .split("Other courses")
            .next()
            .unwrap_or_default();
        assert!(
            !required.contains("Cyber security for board members and leaders"),
            "not required yet"
        );
        app.signed_in(&lead)
            .await
            .post(
                &format!("/organisations/{trust}/training/assignments"),
                &[
                    ("course", "board-leaders"),
                    ("assign_to", "person"),
                    ("email", "nurse@elm.example"),
                    ("due-day", "1"),
                    ("due-month", "3"),
                    ("due-year", &due_year),
                ],
            )
            .await
            .assert_redirect_to(&format!("/organisations/{trust}/training/assignments"));
        let after = app.signed_in(&nurse).await.get("/training").await;
        let required = after.text.split("Other courses").next().unwrap_or_default();
        assert!(
            required.contains("Cyber security for board members and leaders"),
            "{required}"
        );
        assert!(
            required.contains(&format!(
                "Assigned by your organisation (Elm Hospital), due 1 March {due_year}"
            )),
            "{required}"
        );
        assert!(
            required.contains("Needed for your staff group (Elm Hospital)"),
            "{required}"
        );
    }
);
