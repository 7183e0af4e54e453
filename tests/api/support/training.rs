//! Test set-up for training records, written straight into the database: passes of the
//! current mandatory course, members with a chosen staff group and department (with or
//! without a password yet), and organisation details the reports depend on. For setting
//! the scene only; what the service does with it is tested through HTTP.

use carecert::{
    identity::store as identity_store,
    knowledge::{
        content::{load, model::Course},
        rules::expiry,
    },
    platform::{
        authz::Role,
        db::{new_id, now},
    },
    staff::store::{self as staff_store, NewMembership},
    with_db, with_tx,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{PASSWORD, Person, TestApp};

/// A built-in course as the binary ships it (its current version, lessons and questions).
pub fn builtin(slug: &str) -> Course {
    let (courses, _) = load::builtin().expect("built-in content is valid");
    courses
        .into_iter()
        .find(|c| c.slug == slug)
        .expect("course exists")
}

/// Records that `user_id` passed the current mandatory course at `passed_at`, while a
/// member of `org_id`, valid for 12 months (as a real pass would be).
pub async fn seed_pass(app: &TestApp, user_id: Uuid, org_id: Uuid, passed_at: OffsetDateTime) {
    let db = app.db();
    let (version_id, slug, title, version): (Uuid, String, String, String) =
        with_db!(db, |pool| sqlx::query_as(
            "SELECT id, slug, title, version FROM course_versions WHERE is_current AND mandatory"
        )
        .fetch_one(pool)
        .await)
        .expect("a current mandatory course");
    let learner: String = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
    .expect("the learner");
    let organisation: String = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM organisations WHERE id = $1"
    )
    .bind(org_id)
    .fetch_one(pool)
    .await)
    .expect("the organisation");
    let code = format!("TEST-{}", Uuid::new_v4().simple()).to_uppercase();
    with_db!(db, |pool| sqlx::query(
        "INSERT INTO completions (id, user_id, organisation_id, course_slug, course_version_id, \
         course_title, course_version, attempt_id, score_percent, attempt_number, passed_at, \
         expires_at, certificate_code, learner_name, organisation_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 90, 1, $8, $9, $10, $11, $12)"
    )
    .bind(new_id())
    .bind(user_id)
    .bind(org_id)
    .bind(&slug)
    .bind(version_id)
    .bind(&title)
    .bind(&version)
    .bind(passed_at)
    .bind(expiry::expires_at(passed_at, 12))
    .bind(&code)
    .bind(&learner)
    .bind(&organisation)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("insert completion");
}

/// A member of staff of `org` with the given staff group and department, and a password
/// unless `invited_only` (someone who has not accepted their invitation yet). Returns
/// their user id. Names are "Test " and the email address, as [`TestApp::person`] gives.
pub async fn member(
    app: &TestApp,
    org: Uuid,
    email: &str,
    staff_group: &str,
    department: Option<&str>,
    invited_only: bool,
) -> Uuid {
    let mut tx = app.db().begin().await.expect("begin");
    let (user_id, _) = identity_store::ensure_user(&mut tx, email, &format!("Test {email}"))
        .await
        .expect("user");
    if !invited_only {
        // Any stored hash will do: these people are never signed in as.
        identity_store::set_password(&mut tx, user_id, &format!("not-a-real-hash:{PASSWORD}"))
            .await
            .expect("password");
    }
    staff_store::add(
        &mut tx,
        &NewMembership {
            organisation_id: org.into(),
            user_id,
            role: Role::Staff,
            staff_group,
            department,
        },
    )
    .await
    .expect("membership")
    .expect("new membership");
    tx.commit().await.expect("commit");
    user_id.as_uuid()
}

/// The user id of someone set up with [`TestApp::person`].
pub async fn user_id(app: &TestApp, person: &Person) -> Uuid {
    with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE id = $1"
    )
    .bind(person.membership_id)
    .fetch_one(pool)
    .await)
    .expect("membership")
}

/// Deactivates `user_id`'s membership of `org`.
pub async fn deactivate(app: &TestApp, org: Uuid, user_id: Uuid) {
    let mut tx = app.db().begin().await.expect("begin");
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE memberships SET active = $1, updated_at = $2 WHERE organisation_id = $3 AND user_id = $4"
    )
    .bind(false)
    .bind(now())
    .bind(org)
    .bind(user_id)
    .execute(c)
    .await
    .map(|_| ()))
    .expect("deactivate");
    tx.commit().await.expect("commit");
}

/// Makes `org` part of `parent` (a region or integrated care board).
pub async fn set_parent(app: &TestApp, org: Uuid, parent: Uuid) {
    with_db!(app.db(), |pool| sqlx::query(
        "UPDATE organisations SET parent_id = $1 WHERE id = $2"
    )
    .bind(parent)
    .bind(org)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("set parent");
}

/// An organisation's stored coverage target.
pub async fn target(app: &TestApp, org: Uuid) -> i64 {
    with_db!(app.db(), |pool| sqlx::query_scalar(
        "SELECT training_target FROM organisations WHERE id = $1"
    )
    .bind(org)
    .fetch_one(pool)
    .await)
    .expect("organisation")
}

/// The text of a page with its tags taken out and white space squeezed, for checking what
/// a table row says ("Clinical Trained 3 Staff 4 …").
pub fn page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
