//! Writing a staff import: everything for one file in one transaction, in chunked
//! multi-row statements so that tens of thousands of rows take seconds on either engine.
//!
//! The organisation's row is locked first (a no-op `UPDATE`), so two imports into the same
//! organisation run one after the other and each sees the other's members: importing the
//! same file twice, even at once, adds and invites each person once.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    import::ParsedFile,
    import_additions::{add_members, queue_emails},
    import_classify::{ExistingMember, Update, classify},
};
use crate::{
    audit::{self, NewEvent},
    platform::{
        authz::Role,
        db::{Db, Tx, now},
        ids::{OrgId, UserId},
        secrets::SecretBox,
    },
    staff::groups::StaffGroup,
    with_tx,
};

/// Rows per multi-row statement: well within both engines' limits on bound parameters
/// (at most 7 per row here).
pub(super) const CHUNK: usize = 500;

/// The role new people are given.
pub(super) const NEW_MEMBER_ROLE: Role = Role::Staff;

/// Who is importing into which organisation.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub organisation_id: OrgId,
    pub organisation_name: &'a str,
    /// The service's address, for the links in invitations.
    pub public_url: &'a str,
    /// The server's key: seals the invitations' links in their queued emails, and the
    /// audit entry.
    pub secrets: &'a SecretBox,
    pub actor_user_id: Option<UserId>,
    pub actor_label: &'a str,
    pub ip: Option<&'a str>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// People new to CareCERT who became members, each sent a link to set a password.
    pub added: usize,
    /// People who already have a CareCERT account, sent an invitation to join that they
    /// accept after signing in.
    pub asked: usize,
    /// Members whose staff group or department changed.
    pub updated: usize,
    /// Members whose details were already as in the file.
    pub unchanged: usize,
    /// Rows not imported.
    pub rejected: usize,
    /// Rows for deactivated members (included in `updated` or `unchanged`); they stay
    /// deactivated.
    pub deactivated: usize,
}

/// Imports the good rows of `file` into the organisation, all in one transaction, and
/// records a `staff.imported` audit event in it. Fails with [`sqlx::Error::RowNotFound`]
/// if the organisation does not exist.
pub async fn import(
    db: &Db,
    request: &ImportRequest<'_>,
    file: &ParsedFile,
) -> Result<ImportSummary, sqlx::Error> {
    let mut tx = db.begin().await?;
    lock_organisation(&mut tx, request.organisation_id).await?;
    let existing = existing_members(&mut tx, request.organisation_id).await?;
    let plan = classify(file.rows.clone(), &existing, file.has_department);
    let at = now();

    let additions = add_members(&mut tx, request, &plan.new, at).await?;
    queue_emails(&mut tx, request, &additions, at).await?;
    update_members(&mut tx, request.organisation_id, &plan.changed, at).await?;

    let summary = ImportSummary {
        added: additions.added.len(),
        asked: additions.asked.len(),
        updated: plan.changed.len(),
        // People already asked to join by an earlier import are left as they are.
        unchanged: plan.unchanged
            + plan
                .new
                .len()
                .saturating_sub(additions.added.len() + additions.asked.len()),
        rejected: file.rejected.len(),
        deactivated: plan.deactivated,
    };
    audit::record(
        &mut tx,
        request.secrets,
        NewEvent {
            actor_user_id: request.actor_user_id,
            actor_label: request.actor_label,
            organisation_id: Some(request.organisation_id),
            event: "staff.imported",
            detail: json!({
                "added": summary.added,
                "asked": summary.asked,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
            }),
            ip: request.ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// Takes the organisation's row lock until the transaction ends (a no-op write, which locks
/// the row on both engines alike), so imports into one organisation do not interleave.
async fn lock_organisation(tx: &mut Tx, organisation_id: OrgId) -> Result<(), sqlx::Error> {
    let locked = with_tx!(tx, |c| sqlx::query(
        "UPDATE organisations SET name = name WHERE id = $1"
    )
    .bind(organisation_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if locked == 1 {
        Ok(())
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}

/// The organisation's members, active or not, keyed by email address in lower case.
pub async fn existing_members(
    tx: &mut Tx,
    organisation_id: OrgId,
) -> Result<HashMap<String, ExistingMember>, sqlx::Error> {
    type Row = (Uuid, String, StaffGroup, Option<String>, bool);
    let rows: Vec<Row> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT u.id, u.email, m.staff_group, m.department, m.active \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1"
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, staff_group, department, active)| {
            (
                email.to_lowercase(),
                ExistingMember {
                    user_id,
                    staff_group,
                    department,
                    active,
                },
            )
        })
        .collect())
}

/// Applies changed staff groups and departments. Names, roles and whether members are
/// active are left as they are.
async fn update_members(
    tx: &mut Tx,
    organisation_id: OrgId,
    changes: &[Update],
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, |c| {
        for chunk in changes.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "UPDATE memberships SET staff_group = v.column2, department = v.column3, updated_at = ",
            );
            q.push_bind(at);
            q.push(" FROM (");
            q.push_values(chunk, |mut b, u| {
                b.push_bind(u.user_id)
                    .push_bind(u.row.staff_group.as_str())
                    .push_bind(u.row.department.as_deref());
            });
            q.push(
                ") AS v WHERE memberships.user_id = v.column1 AND memberships.organisation_id = ",
            );
            q.push_bind(organisation_id);
            q.build().execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}

/// The import against real databases: SQLite always, PostgreSQL when
/// `CARECERT_TEST_POSTGRES_URL` names a server where the tests may create a scratch
/// database (for example `postgres://postgres@localhost/postgres`).
#[cfg(test)]
mod db_tests {
    use std::time::Instant;

    use super::*;
    use crate::platform::scratch::{add_organisation, drop_postgres, postgres, sqlite};
    use sqlx::types::Json;

    use crate::with_db;
    use crate::{
        platform::{email, tokens},
        staff::{groups::StaffGroup, import::parse_file, import_sample::sample_csv},
    };

    async fn count(db: &Db, sql: &str) -> i64 {
        with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await)
        .expect(sql)
    }

    async fn exec(db: &Db, sql: &str) {
        with_db!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).expect(sql);
    }

    /// The key the tests' audit entries are sealed with.
    static SECRETS: std::sync::LazyLock<SecretBox> = std::sync::LazyLock::new(SecretBox::random);

    fn request(org: Uuid) -> ImportRequest<'static> {
        ImportRequest {
            organisation_id: org.into(),
            organisation_name: "Riverside NHS Trust",
            public_url: "https://carecert.test",
            secrets: &SECRETS,
            actor_user_id: None,
            actor_label: "lead@riverside.example",
            ip: Some("192.0.2.1"),
        }
    }

    async fn run(db: &Db, org: Uuid, csv: &str) -> ImportSummary {
        let parsed = parse_file(csv.as_bytes()).expect("good file");
        import(db, &request(org), &parsed).await.expect("import")
    }

    async fn payloads(db: &Db) -> Vec<email::Email> {
        let rows: Vec<(Uuid, Json<serde_json::Value>)> = with_db!(db, |pool| sqlx::query_as(
            "SELECT id, payload FROM jobs WHERE kind = 'send_email' ORDER BY created_at, id"
        )
        .fetch_all(pool)
        .await)
        .expect("jobs");
        rows.into_iter()
            .map(|(id, Json(v))| email::read_job(request(id).secrets, id, &v).expect("an email"))
            .collect()
    }

    /// Adds, leaves alone, updates, respects roles and deactivation, reuses accounts from
    /// other organisations and writes one audit event per import.
    async fn exercise(db: &Db) {
        let org = add_organisation(db, "Riverside NHS Trust", "RRV").await;
        let other = add_organisation(db, "Hillside Practice", "A12345").await;
        // Someone who already uses CareCERT elsewhere, with a password.
        let dee = run(
            db,
            other,
            "name,email,staff_group\nDee Elsewhere,dee@nhs.net,clinical\n",
        )
        .await;
        assert_eq!(dee.added, 1);
        exec(
            db,
            "UPDATE users SET password_hash = 'hash' WHERE email = 'dee@nhs.net'",
        )
        .await;
        exec(db, "DELETE FROM jobs").await;
        exec(db, "DELETE FROM one_time_tokens").await;

        let file = "name,email,staff_group,department\n\
                    Ann Jones,ann@nhs.net,Clinical,Pharmacy\n\
                    Bob Smith,BOB@nhs.net,admin,\n\
                    Dee Elsewhere,dee@nhs.net,it,\n\
                    Bad,not-an-email,it,\n";
        let first = run(db, org, file).await;
        assert_eq!(
            first,
            ImportSummary {
                added: 2,
                asked: 1,
                updated: 0,
                unchanged: 0,
                rejected: 1,
                deactivated: 0
            }
        );
        assert_eq!(count(db, "SELECT COUNT(*) FROM users").await, 3);
        // Dee already had an account: she is asked to join, not added.
        assert_eq!(count(db, "SELECT COUNT(*) FROM memberships").await, 3);
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM membership_invitations").await,
            1
        );
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM one_time_tokens WHERE purpose = 'invitation' AND used_at IS NULL").await,
            2
        );
        let emails = payloads(db).await;
        assert_eq!(emails.len(), 3);
        for e in emails.iter().filter(|e| e.to != "dee@nhs.net") {
            assert_eq!(
                e.subject,
                "You have been invited to CareCERT by Riverside NHS Trust"
            );
        }
        let ann = emails
            .iter()
            .find(|e| e.to == "ann@nhs.net")
            .expect("Ann's invitation");
        let token = ann
            .body
            .split("https://carecert.test/invitations/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a link");
        let expected = crate::identity::invitations::invitation_email(
            "https://carecert.test",
            "ann@nhs.net",
            "Ann Jones",
            "Riverside NHS Trust",
            token,
        );
        assert_eq!(ann.body, expected.body);
        let stored = with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM one_time_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.email = 'ann@nhs.net' AND t.expires_at > $2"
        )
        .bind(tokens::hash(token))
        .bind(now() + time::Duration::days(6))
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(stored, 1, "the link in the email is the one stored");
        let dee_email = emails
            .iter()
            .find(|e| e.to == "dee@nhs.net")
            .expect("Dee's notice");
        assert!(
            dee_email
                .body
                .contains("Riverside NHS Trust has asked you to join them on CareCERT")
        );
        let bob = emails
            .iter()
            .find(|e| e.to == "bob@nhs.net")
            .expect("lower-cased address");
        assert!(bob.body.starts_with("Dear Bob Smith,"));
        let (group, role, active): (String, String, bool) = with_db!(db, |pool| sqlx::query_as(
            "SELECT m.staff_group, m.role, m.active FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = 'ann@nhs.net'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(
            (group.as_str(), role.as_str(), active),
            ("clinical", "staff", true)
        );

        // The same file again: nothing changes, nobody is emailed twice.
        let again = run(db, org, file).await;
        assert_eq!(
            (again.added, again.updated, again.unchanged, again.rejected),
            (0, 0, 3, 1)
        );
        assert_eq!(payloads(db).await.len(), 3);
        assert_eq!(count(db, "SELECT COUNT(*) FROM one_time_tokens").await, 2);

        // Bob becomes a lead and Ann is deactivated; a changed file updates staff groups and
        // departments only: never names, roles or whether members are active.
        exec(db, "UPDATE memberships SET role = 'security_lead' WHERE user_id = (SELECT id FROM users WHERE email = 'bob@nhs.net')").await;
        let ann_id: Uuid = with_db!(db, |pool| sqlx::query_scalar(
            "SELECT id FROM users WHERE email = 'ann@nhs.net'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        with_db!(db, |pool| sqlx::query(
            "UPDATE memberships SET active = $1 WHERE user_id = $2"
        )
        .bind(false)
        .bind(ann_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let changed = "name,email,staff_group,department\n\
                       Ann Jones-Smith,ann@nhs.net,Clinical,Pharmacy\n\
                       Bob Smith,bob@nhs.net,Digital,Informatics\n\
                       Dee Elsewhere,dee@nhs.net,it,\n";
        let third = run(db, org, changed).await;
        assert_eq!(
            (
                third.added,
                third.updated,
                third.unchanged,
                third.rejected,
                third.deactivated
            ),
            (0, 1, 2, 0, 1)
        );
        let rows: Vec<(String, String, String, Option<String>, String, bool)> = with_db!(db, |pool| sqlx::query_as(
            "SELECT u.email, u.name, m.staff_group, m.department, m.role, m.active \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organisation_id = $1 ORDER BY u.email"
        )
        .bind(org)
        .fetch_all(pool)
        .await)
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    "ann@nhs.net".into(),
                    "Ann Jones".into(),
                    "clinical".into(),
                    Some("Pharmacy".into()),
                    "staff".into(),
                    false
                ),
                (
                    "bob@nhs.net".into(),
                    "Bob Smith".into(),
                    StaffGroup::It.as_str().into(),
                    Some("Informatics".into()),
                    "security_lead".into(),
                    true
                ),
            ]
        );
        // Dee's membership elsewhere is untouched.
        let dee_other: String = with_db!(db, |pool| sqlx::query_scalar(
            "SELECT m.staff_group FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = 'dee@nhs.net' AND m.organisation_id = $1"
        )
        .bind(other)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(dee_other, "clinical");
        assert_eq!(payloads(db).await.len(), 3, "updates send no email");

        let events: Vec<(String, String)> = with_db!(db, |pool| sqlx::query_as(
            "SELECT event, detail FROM audit_log WHERE organisation_id = $1 ORDER BY seq"
        )
        .bind(org)
        .fetch_all(pool)
        .await)
        .unwrap();
        assert_eq!(events.len(), 3);
        assert!(events.iter().all(|(e, _)| e == "staff.imported"));
        let detail: serde_json::Value = serde_json::from_str(&events[0].1).unwrap();
        assert_eq!(
            detail,
            json!({"added": 2, "asked": 1, "updated": 0, "unchanged": 0, "rejected": 1})
        );

        // An organisation that does not exist.
        let parsed = parse_file(file.as_bytes()).unwrap();
        let missing = import(db, &request(Uuid::new_v4()), &parsed).await;
        assert!(
            matches!(missing, Err(sqlx::Error::RowNotFound)),
            "{missing:?}"
        );
    }

    /// 20,000 people in seconds, and again with nothing to do.
    async fn large_file(db: &Db, engine: &str) {
        let org = add_organisation(db, "Big Trust", "RBG").await;
        let csv = sample_csv(20_000, 42);
        let started = Instant::now();
        let summary = run(db, org, &csv).await;
        let first = started.elapsed();
        assert_eq!(
            (summary.added, summary.asked, summary.rejected),
            (20_000, 0, 0)
        );
        assert_eq!(count(db, "SELECT COUNT(*) FROM memberships").await, 20_000);
        assert_eq!(count(db, "SELECT COUNT(*) FROM jobs").await, 20_000);
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM one_time_tokens").await,
            20_000
        );
        let started = Instant::now();
        let again = run(db, org, &csv).await;
        let second = started.elapsed();
        assert_eq!((again.added, again.unchanged), (0, 20_000));
        let changed = run(db, org, &sample_csv(20_000, 43)).await;
        let third = started.elapsed() - second;
        assert_eq!(changed.added, 0);
        assert!(changed.updated > 15_000, "{changed:?}");
        eprintln!(
            "{engine}: 20,000 new in {first:?}, unchanged in {second:?}, changed in {third:?}"
        );
        assert!(first.as_secs() < 60 && third.as_secs() < 60, "far too slow");
    }

    /// A database error part-way through leaves nothing behind.
    async fn all_or_nothing(db: &Db) {
        let org = add_organisation(db, "Broken Trust", "RBK").await;
        exec(db, "DROP TABLE jobs").await;
        let parsed = parse_file(b"name,email,staff_group\nAnn,ann@nhs.net,clinical\n").unwrap();
        assert!(import(db, &request(org), &parsed).await.is_err());
        assert_eq!(count(db, "SELECT COUNT(*) FROM users").await, 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM memberships").await, 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM one_time_tokens").await, 0);
    }

    #[tokio::test]
    async fn sqlite_import() {
        let (_dir, db) = sqlite().await;
        exercise(&db).await;
    }

    #[tokio::test]
    async fn sqlite_large_import() {
        let (_dir, db) = sqlite().await;
        large_file(&db, "SQLite").await;
    }

    #[tokio::test]
    async fn sqlite_import_is_all_or_nothing() {
        let (_dir, db) = sqlite().await;
        all_or_nothing(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_concurrent_imports_add_each_person_once() {
        let (_dir, db) = sqlite().await;
        concurrent(&db).await;
    }

    /// The same file imported twice at once: each person is added and emailed once.
    async fn concurrent(db: &Db) {
        let org = add_organisation(db, "Twin Trust", "RTW").await;
        let csv = sample_csv(1_000, 5);
        let (a, b) = tokio::join!(
            tokio::spawn({
                let (db, csv) = (db.clone(), csv.clone());
                async move { run(&db, org, &csv).await }
            }),
            tokio::spawn({
                let (db, csv) = (db.clone(), csv.clone());
                async move { run(&db, org, &csv).await }
            })
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.added + b.added, 1_000);
        assert_eq!(a.unchanged + b.unchanged, 1_000);
        assert_eq!(count(db, "SELECT COUNT(*) FROM jobs").await, 1_000);
        assert_eq!(count(db, "SELECT COUNT(*) FROM memberships").await, 1_000);
    }

    #[tokio::test]
    async fn postgres_import() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        exercise(&db).await;
        drop_postgres(&admin, &name, db).await;
    }

    #[tokio::test]
    async fn postgres_large_import() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        large_file(&db, "PostgreSQL").await;
        drop_postgres(&admin, &name, db).await;
    }

    #[tokio::test]
    async fn postgres_import_is_all_or_nothing() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        all_or_nothing(&db).await;
        drop_postgres(&admin, &name, db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_concurrent_imports_add_each_person_once() {
        let Some((admin, name, db)) = postgres().await else {
            eprintln!("CARECERT_TEST_POSTGRES_URL not set: skipping the PostgreSQL test");
            return;
        };
        concurrent(&db).await;
        drop_postgres(&admin, &name, db).await;
    }
}
