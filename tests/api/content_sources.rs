//! Content provenance as its users meet it: a learner sees when each of a lesson's sources
//! was checked; a national administrator sees every source of the live content, oldest
//! check first, with what relies on it; an upload whose source has no checked date is
//! refused; and `carecert content check` warns about sources that need re-reading (and
//! fails on them with `--strict`).

use std::path::Path;

use carecert::{organisations::domain::OrgType, platform::authz::Role};
use regex::Regex;
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{
        cli::{carecert, said},
        course_archive::{SLUG, course_at_version, zip_folder},
        training::builtin,
    },
};

const PAGE: &str = "/admin/content";

/// The board-leaders course at `version` with every source's checked date set to `date`.
fn archive_checked_on(version: &str, date: &str) -> Vec<u8> {
    let mut files = course_at_version(version);
    let checked = Regex::new(r"(?m)^checked = .*$").expect("pattern");
    let manifest = String::from_utf8(files["course.toml"].clone()).expect("UTF-8");
    assert!(checked.is_match(&manifest));
    let redated = checked.replace_all(&manifest, format!("checked = {date}"));
    files.insert("course.toml".into(), redated.into_owned().into_bytes());
    zip_folder(&files)
}

/// A row's "Checked" month as (year, month number).
fn checked_month(row: &str) -> (i32, usize) {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let cell = row
        .split("aria-hidden=\"true\">Checked </span>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a Checked cell");
    let (month, year) = cell.trim().split_once(' ').expect("month and year");
    let month = MONTHS
        .iter()
        .position(|m| *m == month)
        .expect("a month name");
    (year.parse().expect("a year"), month + 1)
}

/// The table rows of a page, in order.
fn rows(html: &str) -> Vec<&str> {
    html.split("<tr class=\"nhsuk-table__row\">")
        .skip(1)
        .collect()
}

on_both!(
    the_content_page_lists_sources_oldest_first_with_what_relies_on_them,
    |app| {
        // Only national administrators look after content.
        let trust = app.org("Oak Trust", "RK1", OrgType::NhsTrust).await;
        let lead = app
            .person(trust, Role::SecurityLead, "lead@oak.example")
            .await;
        let team = app.national_team().await;
        let analyst = app
            .person(team, Role::NationalAnalyst, "analyst@carecert.test")
            .await;
        for person in [&lead, &analyst] {
            let page = app.signed_in(person).await.get(PAGE).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", person.email);
        }

        // A new version of the board course whose sources were all last checked in 2020.
        let c = app.national_admin().await;
        c.post_file(
            "/admin/courses",
            "archive",
            "board-leaders.zip",
            archive_checked_on("2027.1", "2020-01-15"),
        )
        .await
        .assert_redirect_to("/admin/courses");

        let page = c.get(PAGE).await;
        page.assert_ok()
            .assert_contains("<h1>Content sources</h1>")
            .assert_contains("need reading again");
        let course = builtin(SLUG);
        let listed = rows(&page.text);
        let board = course.sources.len();
        assert!(listed.len() > board, "every course and the quiz are listed");
        // The old sources come first, each marked, citing the live version only.
        for row in &listed[..board] {
            assert!(row.contains("January 2020"), "{row}");
            assert!(row.contains("Over 12 months"), "{row}");
            assert!(row.contains("(version 2027.1)"), "{row}");
        }
        assert!(
            !page
                .text
                .contains(&format!("{} (version {})", course.title, course.version)),
            "the replaced version's sources are not listed"
        );
        // The rest follow in date order.
        let checked: Vec<(i32, usize)> = listed[board..].iter().map(|r| checked_month(r)).collect();
        assert!(checked.is_sorted(), "{checked:?}");
        // Each source names the lessons (linked) and questions that rely on it.
        let first_lesson = &course.lessons[0];
        let source = course
            .source(&first_lesson.sources[0])
            .expect("the lesson's source");
        let row = listed[..board]
            .iter()
            .find(|r| r.contains(&format!("href=\"{}\"", source.url)))
            .expect("the source's row");
        assert!(
            row.contains(&format!(
                "href=\"/training/{SLUG}/lessons/{}\"",
                first_lesson.id
            )),
            "{row}"
        );
        let citing = course
            .questions
            .iter()
            .find(|q| q.sources.contains(&source.id))
            .expect("a question citing it");
        assert!(row.contains(&format!("Question {}:", citing.id)), "{row}");

        // A learner on that lesson sees when each source was checked.
        let staff = app.person(trust, Role::Staff, "staff@oak.example").await;
        let learner = app.signed_in(&staff).await;
        learner.post(&format!("/training/{SLUG}/start"), &[]).await;
        learner
            .get(&format!("/training/{SLUG}/lessons/{}", first_lesson.id))
            .await
            .assert_ok()
            .assert_contains("Sources")
            .assert_contains(&format!("{}: <a href=\"{}\"", source.publisher, source.url))
            .assert_contains("(checked January 2020)");
    }
);

on_both!(a_course_with_an_undated_source_is_not_imported, |app| {
    let c = app.national_admin().await;
    let mut files = course_at_version("2027.2");
    let manifest = String::from_utf8(files["course.toml"].clone()).expect("UTF-8");
    let first = Regex::new(r"(?m)^checked = .*\n").expect("pattern");
    let undated = first.replacen(&manifest, 1, "").into_owned();
    files.insert("course.toml".into(), undated.into_bytes());
    let refused = c
        .post_file(
            "/admin/courses",
            "archive",
            "board-leaders.zip",
            zip_folder(&files),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("has no checked date");
    c.get("/admin/courses")
        .await
        .assert_ok()
        .assert_contains(&builtin(SLUG).version);
    let page = c.get(PAGE).await;
    assert!(!page.text.contains("2027.2"), "nothing was imported");
});

/// A copy of the shipped content folder, for changing.
fn content_copy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create folder");
        for entry in std::fs::read_dir(from).expect("read folder") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy file");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    copy(Path::new("content"), dir.path());
    dir
}

/// Rewrites the first `checked` line of the quiz as `replacement`.
fn redate_quiz(root: &Path, replacement: &str) {
    let path = root.join("quiz/quiz.toml");
    let text = std::fs::read_to_string(&path).expect("quiz");
    let first = Regex::new(r"(?m)^checked = .*$").expect("pattern");
    std::fs::write(&path, first.replacen(&text, 1, replacement).as_ref()).expect("write");
}

#[test]
fn content_check_warns_about_old_sources_and_strict_fails_on_them() {
    let shipped = carecert("", &["content", "check", "content"]);
    assert!(shipped.status.success(), "{}", said(&shipped));
    assert!(
        said(&shipped).contains("Content is valid"),
        "{}",
        said(&shipped)
    );

    let stale = content_copy();
    let root = stale.path().to_str().expect("UTF-8 path");
    redate_quiz(stale.path(), "checked = 2021-03-01");
    let warned = carecert("", &["content", "check", root]);
    let text = said(&warned);
    assert!(warned.status.success(), "warnings alone pass: {text}");
    assert!(text.contains("need reading again"), "{text}");
    assert!(text.contains("quiz/quiz.toml"), "names the file: {text}");
    assert!(text.contains("2021-03-01"), "gives the date: {text}");
    let strict = carecert("", &["content", "check", "--strict", root]);
    assert!(!strict.status.success(), "{}", said(&strict));
    assert!(said(&strict).contains("--strict"), "{}", said(&strict));

    let due = content_copy();
    redate_quiz(due.path(), "checked = 2025-12-01\nreview_by = 2026-01-31");
    let root = due.path().to_str().expect("UTF-8 path");
    let text = said(&carecert("", &["content", "check", root]));
    assert!(text.contains("due for review by 2026-01-31"), "{text}");
    assert!(
        !carecert("", &["content", "check", "--strict", root])
            .status
            .success()
    );

    let undated = content_copy();
    redate_quiz(undated.path(), "");
    let root = undated.path().to_str().expect("UTF-8 path");
    let failed = carecert("", &["content", "check", root]);
    assert!(!failed.status.success());
    assert!(
        said(&failed).contains("has no checked date"),
        "{}",
        said(&failed)
    );
}
