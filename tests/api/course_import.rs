//! National administrators importing a new version of a course from the web: the version
//! list, a good upload becoming current (and audited), and re-uploads, hostile archives,
//! files that are not zips and broken courses refused with the problem named and nothing
//! stored. Archives are built here from the real board-leaders course folder.

use carecert::{organisations::domain::OrgType, platform::authz::Role, with_db};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::{
    on_both,
    support::{
        TestApp,
        course_archive::{SLUG, course_at_version, zip_folder, zip_of},
        training::builtin,
    },
};

const PATH: &str = "/admin/courses";

const TITLE: &str = "Cyber security for board members and leaders";

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)
    .expect("count")
}

async fn versions(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM course_versions").await
}

async fn import_events(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM audit_log WHERE event = 'course.imported'",
    )
    .await
}

on_both!(a_new_version_uploaded_from_the_web_becomes_current, |app| {
    let c = app.national_admin().await;
    let page = c.get(PATH).await;
    page.assert_ok()
        .assert_contains(TITLE)
        .assert_contains("board-leaders")
        .assert_contains(&builtin(SLUG).version)
        .assert_contains("Built-in")
        .assert_contains("Import a new version of a course")
        .assert_contains("docs/CONTENT.md")
        .assert_contains("enctype=\"multipart/form-data\"")
        .assert_contains("name=\"archive\" type=\"file\"");
    let before = versions(&app).await;

    let zip = zip_folder(&course_at_version("2027.1"));
    let done = c
        .post_file(PATH, "archive", "board-leaders.zip", zip.clone())
        .await;
    done.assert_redirect_to(PATH);
    let list = c.get(PATH).await;
    list.assert_ok()
        .assert_contains(&format!(
            "Imported {TITLE} version 2027.1. It is now the current version."
        ))
        .assert_contains("2027.1")
        .assert_contains("Imported")
        .assert_contains("by Test admin@carecert.test");
    assert_eq!(versions(&app).await, before + 1);
    let current: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT version FROM course_versions WHERE slug = 'board-leaders' AND is_current"
    )
    .fetch_all(pool)
    .await)
    .expect("current");
    assert_eq!(current, ["2027.1"]);

    // Learners now start the new version.
    let trust = app.org("Oak Trust", "RK1", OrgType::NhsTrust).await;
    let staff = app.person(trust, Role::Staff, "staff@oak.example").await;
    app.signed_in(&staff)
        .await
        .get("/training/board-leaders")
        .await
        .assert_ok()
        .assert_contains("Version 2027.1");

    // Recorded in the audit log in the same transaction, with the administrator as actor.
    let admin_id: Uuid = with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = 'admin@carecert.test'"
    )
    .fetch_one(pool)
    .await)
    .expect("admin");
    let (actor, detail): (Option<Uuid>, String) = with_db!(app.db(), |pool| sqlx::query_as(
        "SELECT actor_user_id, detail FROM audit_log WHERE event = 'course.imported'"
    )
    .fetch_one(pool)
    .await)
    .expect("one course.imported event");
    assert_eq!(actor, Some(admin_id));
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("JSON detail");
    assert_eq!(
        detail,
        serde_json::json!({"course": "board-leaders", "version": "2027.1"})
    );

    // The same version again is refused, and nothing changes.
    let again = c.post_file(PATH, "archive", "board-leaders.zip", zip).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    again
        .assert_contains("nhsuk-error-summary")
        .assert_contains("Version 2027.1 of board-leaders has already been imported");
    assert_eq!(versions(&app).await, before + 1);
    assert_eq!(import_events(&app).await, 1);
});

on_both!(
    hostile_broken_and_missing_archives_are_refused_whole,
    |app| {
        let c = app.national_admin().await;
        let before = versions(&app).await;

        let files = course_at_version("2027.2");
        let mut escaping: Vec<(String, &[u8])> = files
            .iter()
            .map(|(k, v)| (k.clone(), v.as_slice()))
            .collect();
        escaping.push(("../evil".to_owned(), b"boo".as_slice()));
        let mut no_lesson = files.clone();
        no_lesson.remove("lessons/01-business-risk.md");
        let mut many_extra = files.clone();
        for i in 0..60 {
            many_extra.insert(format!("notes/{i:02}.txt"), b"spare".to_vec());
        }
        let cases: Vec<(&str, &str, Vec<u8>, Vec<&str>)> = vec![
            (
                "a path out of the folder",
                "evil.zip",
                zip_of(&escaping),
                vec!["../evil", "points outside the course folder"],
            ),
            (
                "not a zip",
                "course.zip",
                b"slug = \"board-leaders\"\nthis is not a zip".to_vec(),
                vec!["The file is not a .zip archive, or it is damaged."],
            ),
            (
                "a lesson file missing",
                "board-leaders.zip",
                zip_folder(&no_lesson),
                vec![
                    "board-leaders/course.toml",
                    "lessons/01-business-risk.md",
                    "which does not exist",
                ],
            ),
            (
                "no file chosen",
                "",
                vec![],
                vec!["Choose a .zip file of the course"],
            ),
            (
                "too large",
                "big.zip",
                vec![b'x'; 6 * 1024 * 1024],
                vec!["larger than 5MB"],
            ),
            (
                "more problems than are listed",
                "board-leaders.zip",
                zip_folder(&many_extra),
                vec![
                    "board-leaders/notes/00.txt: is not used by the course",
                    "and 10 more",
                    "it has 60 problems",
                ],
            ),
        ];
        for (what, name, bytes, messages) in cases {
            let page = c.post_file(PATH, "archive", name, bytes).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            page.assert_contains("<title>Error: Courses")
                .assert_contains("nhsuk-error-summary")
                .assert_contains("<a class=\"app-break-anywhere\" href=\"#archive\">")
                .assert_contains("aria-describedby=\"archive-hint archive-error\"");
            for m in messages {
                assert!(
                    page.text.contains(m),
                    "{what}: the page should say {m:?}:\n{}",
                    page.text
                );
            }
        }
        // The shown problems are capped; the rest are counted.
        let page = c
            .post_file(PATH, "archive", "x.zip", zip_folder(&many_extra))
            .await;
        assert_eq!(page.text.matches("href=\"#archive\"").count(), 50);

        // A form that is not a file upload at all.
        let page = c.post(PATH, &[("archive", "board-leaders.zip")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        page.assert_contains("Choose a .zip file of the course");

        assert_eq!(versions(&app).await, before, "nothing stored");
        assert_eq!(import_events(&app).await, 0);
        c.get("/admin/courses")
            .await
            .assert_ok()
            .assert_contains(&builtin(SLUG).version);
    }
);

on_both!(only_national_administrators_see_and_import_courses, |app| {
    let team = app.national_team().await;
    let trust = app.org("Elm Trust", "RE1", OrgType::NhsTrust).await;
    let lead = app
        .person(trust, Role::SecurityLead, "lead@elm.example")
        .await;
    let analyst = app
        .person(team, Role::NationalAnalyst, "analyst@carecert.test")
        .await;
    let before = versions(&app).await;
    let zip = zip_folder(&course_at_version("2027.3"));
    for person in [&lead, &analyst] {
        let c = app.signed_in(person).await;
        let page = c.get(PATH).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", person.email);
        let page = c
            .post_file(PATH, "archive", "board-leaders.zip", zip.clone())
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", person.email);
        let home = c.get("/").await;
        assert!(!home.text.contains("href=\"/admin/courses\""));
    }
    assert_eq!(versions(&app).await, before);
    assert_eq!(import_events(&app).await, 0);
});
