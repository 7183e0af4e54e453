//! Reports of training coverage: an organisation's staff and their standing on the mandatory
//! course (for its security leads), and every organisation side by side (for the national
//! team).
//!
//! A person is trained when they hold a pass of the course that has not expired, whichever
//! organisation they passed it in: records follow the person, so an organisation sees its
//! current members' records through `memberships.user_id`. Only active memberships count,
//! and the national team is never reported. Every organisation query is scoped by the
//! organisation's id.
//!
//! Indexes these queries rely on (all in the migrations): `completions_user (user_id,
//! course_slug, expires_at)` answers "this person's latest expiry" from the index alone;
//! `completions_slug_expiry (course_slug, expires_at)` finds the passes still valid at a
//! moment; the `memberships (organisation_id, user_id)` unique index lists an organisation's
//! staff.

use time::OffsetDateTime;

use crate::{
    exec_tx,
    knowledge::rules::coverage::Pass,
    organisations::domain::OrgType,
    platform::{
        db::{Db, Tx, escape_like},
        ids::{OrgId, UserId},
    },
    staff::groups::StaffGroup,
    with_db, with_tx,
};

/// The organisation's active staff, each with their latest expiry of the course (`$2`),
/// as a table `s`. The latest expiry decides the standing: a later pass replaces an
/// earlier one. MATERIALIZED, because SQLite would otherwise copy the subquery into each
/// use of `s.expires_at` and look every person up once per use.
macro_rules! latest_per_member {
    () => {
        "WITH s AS MATERIALIZED (SELECT m.staff_group, m.department, \
           (u.password_hash IS NOT NULL) AS has_password, \
           (SELECT MAX(c.expires_at) FROM completions c \
            WHERE c.user_id = m.user_id AND c.course_slug = $2) AS expires_at \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 AND m.active = TRUE) "
    };
}

/// Staff counts for one staff group and department in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupCount {
    pub staff_group: StaffGroup,
    pub department: Option<String>,
    pub total: i64,
    /// Holding a pass that has not expired (expiring soon included).
    pub trained: i64,
    /// Trained, but expiring by `soon`.
    pub expiring_soon: i64,
    /// Not trained and able to sign in (they have set a password): who a reminder reaches.
    pub overdue_with_account: i64,
}

/// The organisation's active staff counted by staff group and department: trained at
/// `now`, expiring by `soon`. One pass over the organisation's members.
pub async fn group_counts(
    db: &Db,
    org: OrgId,
    slug: &str,
    now: OffsetDateTime,
    soon: OffsetDateTime,
) -> Result<Vec<GroupCount>, sqlx::Error> {
    let sql = concat!(
        latest_per_member!(),
        "SELECT s.staff_group, s.department, COUNT(*) AS total, \
         SUM(CASE WHEN s.expires_at > $3 THEN 1 ELSE 0 END) AS trained, \
         SUM(CASE WHEN s.expires_at > $3 AND s.expires_at <= $4 THEN 1 ELSE 0 END) AS expiring_soon, \
         SUM(CASE WHEN (s.expires_at IS NULL OR s.expires_at <= $3) AND s.has_password THEN 1 ELSE 0 END) \
           AS overdue_with_account \
         FROM s GROUP BY s.staff_group, s.department"
    );
    with_db!(db, |pool| sqlx::query_as::<_, GroupCount>(sql)
        .bind(org)
        .bind(slug)
        .bind(now)
        .bind(soon)
        .fetch_all(pool)
        .await)
}

/// One member of staff and their latest pass of the course, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRecord {
    pub name: String,
    pub email: String,
    pub staff_group: StaffGroup,
    pub department: Option<String>,
    pub has_password: bool,
    pub passed_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub course_version: Option<String>,
}

/// The organisation's active staff joined to their latest pass (the one expiring last) of
/// the course `$2`; `c` is NULL for people who never passed.
macro_rules! select_records {
    ($rest:literal) => {
        concat!(
            "SELECT u.name, u.email, m.staff_group, m.department, \
             (u.password_hash IS NOT NULL) AS has_password, \
             c.passed_at, c.expires_at, c.course_version \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             LEFT JOIN completions c ON c.id = (SELECT c2.id FROM completions c2 \
               WHERE c2.user_id = m.user_id AND c2.course_slug = $2 \
               ORDER BY c2.expires_at DESC LIMIT 1) \
             WHERE m.organisation_id = $1 AND m.active = TRUE ",
            $rest
        )
    };
}

/// A page of the staff who are not trained at `now` (never passed, or expired), by name.
pub async fn overdue(
    db: &Db,
    org: OrgId,
    slug: &str,
    now: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> Result<Vec<StaffRecord>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, StaffRecord>(
        select_records!(
            "AND (c.id IS NULL OR c.expires_at <= $3) \
         ORDER BY lower(u.name), u.email LIMIT $4 OFFSET $5"
        )
    )
    .bind(org)
    .bind(slug)
    .bind(now)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await)
}

/// A page of the staff whose training is valid at `now` but expires by `soon`, soonest
/// first.
pub async fn expiring_soon(
    db: &Db,
    org: OrgId,
    slug: &str,
    now: OffsetDateTime,
    soon: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> Result<Vec<StaffRecord>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, StaffRecord>(
        select_records!(
            "AND c.expires_at > $3 AND c.expires_at <= $4 \
         ORDER BY c.expires_at, lower(u.name), u.email LIMIT $5 OFFSET $6"
        )
    )
    .bind(org)
    .bind(slug)
    .bind(now)
    .bind(soon)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await)
}

/// Every active member of staff with their latest pass, by name (for the CSV export).
pub async fn all_records(db: &Db, org: OrgId, slug: &str) -> Result<Vec<StaffRecord>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, StaffRecord>(
        select_records!("ORDER BY lower(u.name), u.email")
    )
    .bind(org)
    .bind(slug)
    .fetch_all(pool)
    .await)
}

/// Someone a reminder would go to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

/// Every active member who is not trained at `now` and can sign in, read inside the
/// transaction that queues their reminders.
pub async fn overdue_recipients(
    tx: &mut Tx,
    org: OrgId,
    slug: &str,
    now: OffsetDateTime,
) -> Result<Vec<Recipient>, sqlx::Error> {
    with_tx!(tx, |c| {
        sqlx::query_as::<_, Recipient>(
        "SELECT u.id AS user_id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 AND m.active = TRUE AND u.password_hash IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM completions c WHERE c.user_id = m.user_id \
           AND c.course_slug = $2 AND c.expires_at > $3) \
         ORDER BY lower(u.name), u.email"
    )
    .bind(org)
    .bind(slug)
    .bind(now)
    .fetch_all(c)
    .await
    })
}

/// What the month-by-month trend needs: each active member with the day they joined, and
/// their passes of the course that were still valid at some point after `since` (older
/// passes cannot count at any month end from `since` on, so they are not read).
pub async fn trend_inputs(
    db: &Db,
    org: OrgId,
    slug: &str,
    since: OffsetDateTime,
) -> Result<(Vec<(UserId, OffsetDateTime)>, Vec<Pass>), sqlx::Error> {
    let members = with_db!(db, |pool| {
        sqlx::query_as::<_, (UserId, OffsetDateTime)>(
        "SELECT user_id, created_at FROM memberships WHERE organisation_id = $1 AND active = TRUE"
    )
    .bind(org)
    .fetch_all(pool)
    .await
    })?;
    let passes = with_db!(db, |pool| {
        sqlx::query_as::<
        _,
        (UserId, OffsetDateTime, OffsetDateTime),
    >(
        "SELECT c.user_id, c.passed_at, c.expires_at FROM memberships m \
         JOIN completions c ON c.user_id = m.user_id \
         WHERE m.organisation_id = $1 AND m.active = TRUE AND c.course_slug = $2 AND c.expires_at > $3"
    )
    .bind(org)
    .bind(slug)
    .bind(since)
    .fetch_all(pool)
    .await
    })?;
    let passes = passes
        .into_iter()
        .map(|(user, passed_at, expires_at)| Pass {
            user,
            passed_at,
            expires_at,
        })
        .collect();
    Ok((members, passes))
}

/// The organisation's coverage target in percent, if the organisation exists.
pub async fn target(db: &Db, org: OrgId) -> Result<Option<i64>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT training_target FROM organisations WHERE id = $1"
    )
    .bind(org)
    .fetch_optional(pool)
    .await)
}

/// Sets the organisation's coverage target, giving the one it replaces.
pub async fn set_target(tx: &mut Tx, org: OrgId, target: i64) -> Result<Option<i64>, sqlx::Error> {
    let before = with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT training_target FROM organisations WHERE id = $1"
    )
    .bind(org)
    .fetch_optional(c)
    .await)?;
    if before.is_some() {
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE organisations SET training_target = $1 WHERE id = $2"
        )
        .bind(target)
        .bind(org)
        .execute(c)
        .await)?;
    }
    Ok(before)
}

/// One organisation's coverage, for the national table.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgCoverage {
    pub id: OrgId,
    pub name: String,
    pub ods_code: String,
    pub org_type: OrgType,
    pub parent_name: Option<String>,
    pub target: i64,
    pub staff: i64,
    pub trained: i64,
}

/// Which organisations the national table shows. Empty strings and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct OrgFilter<'a> {
    /// Part of the name (any case), or an exact ODS code.
    pub text: &'a str,
    pub org_type: Option<OrgType>,
    pub parent: Option<OrgId>,
}

/// Every organisation that matches `filter` (never the national team), with its active
/// staff and how many of them are trained at `now`, in one grouped query.
///
/// The filters apply to the organisations before their memberships are read, so a filtered
/// view only touches the organisations it shows. Each membership is checked for a valid pass
/// with an `EXISTS` probe of `completions_user`, answered from the index alone; a person
/// with two overlapping passes counts once. The result is at most one row per
/// organisation: sorting, paging and the below-target filter happen on it, since each
/// needs every organisation's figures.
pub async fn national(
    db: &Db,
    slug: &str,
    now: OffsetDateTime,
    filter: &OrgFilter<'_>,
) -> Result<Vec<OrgCoverage>, sqlx::Error> {
    let text = filter.text.trim();
    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
    let code = text.to_ascii_uppercase();
    let org_type = filter.org_type.map(OrgType::as_str).unwrap_or("");
    with_db!(db, |pool| {
        sqlx::query_as::<_, OrgCoverage>(
            "SELECT o.id, o.name, o.ods_code, o.org_type, p.name AS parent_name, \
             o.training_target AS target, s.staff, s.trained \
             FROM (SELECT f.id, COUNT(m.id) AS staff, \
                     SUM(CASE WHEN EXISTS (SELECT 1 FROM completions c WHERE c.user_id = m.user_id \
                           AND c.course_slug = $1 AND c.expires_at > $2) THEN 1 ELSE 0 END) AS trained \
                   FROM organisations f \
                   LEFT JOIN memberships m ON m.organisation_id = f.id AND m.active = TRUE \
                   WHERE f.org_type <> $3 \
                     AND ($4 = '' OR f.org_type = $4) \
                     AND ($5 IS NULL OR f.parent_id = $5) \
                     AND ($6 = '' OR lower(f.name) LIKE $7 ESCAPE '\\' OR f.ods_code = $8) \
                   GROUP BY f.id) s \
             JOIN organisations o ON o.id = s.id \
             LEFT JOIN organisations p ON p.id = o.parent_id",
        )
        .bind(slug)
        .bind(now)
        .bind(OrgType::NationalTeam.as_str())
        .bind(org_type)
        .bind(filter.parent)
        .bind(text)
        .bind(&pattern)
        .bind(&code)
        .fetch_all(pool)
        .await
    })
}

/// Organisations that other organisations belong to (regions, integrated care boards),
/// by name, for the national table's filter.
pub async fn parents(db: &Db) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (OrgId, String)>(
        "SELECT DISTINCT p.id, p.name FROM organisations p \
         JOIN organisations o ON o.parent_id = p.id ORDER BY p.name"
    )
    .fetch_all(pool)
    .await)
}

/// National coverage at each instant in `at` (oldest first): of the active memberships of
/// every organisation but the national team that existed by then, how many belonged to
/// someone holding a valid pass at that instant. Returns (trained, staff) per instant; at
/// `at`'s last instant this agrees with [`national`]'s totals.
///
/// Two queries, each one pass over its rows whatever the number of instants. Staff: the
/// memberships, counted at each instant. Trained: each person's passes in the window are
/// first made not to overlap (a pass taken before the previous one expired counts from
/// that expiry), so one person is never counted twice at an instant, without a DISTINCT
/// per instant; then each pass is joined to the person's memberships and counted at each
/// instant it covers.
pub async fn national_trend(
    db: &Db,
    slug: &str,
    at: &[OffsetDateTime],
) -> Result<Vec<(u64, u64)>, sqlx::Error> {
    let (Some(first), Some(last)) = (at.first(), at.last()) else {
        return Ok(vec![]);
    };
    let staff_sql = format!(
        "SELECT {} FROM memberships m JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.active = TRUE AND o.org_type <> $1",
        instant_sums(at.len(), 2, "m.created_at <= {t}")
    );
    let trained_sql = format!(
        "SELECT {} FROM \
           (SELECT c.user_id, c.expires_at, \
              CASE WHEN LAG(c.expires_at) OVER w > c.passed_at THEN LAG(c.expires_at) OVER w \
                   ELSE c.passed_at END AS starts \
            FROM completions c \
            WHERE c.course_slug = $2 AND c.expires_at > $3 AND c.passed_at <= $4 \
            WINDOW w AS (PARTITION BY c.user_id ORDER BY c.expires_at, c.passed_at)) v \
         JOIN memberships m ON m.user_id = v.user_id \
         JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.active = TRUE AND o.org_type <> $1",
        instant_sums(
            at.len(),
            5,
            "v.starts <= {t} AND v.expires_at > {t} AND m.created_at <= {t}"
        )
    );
    let team = OrgType::NationalTeam.as_str();
    let staff: Vec<i64> = with_db!(db, |pool| {
        let mut q = sqlx::query(&staff_sql).bind(team);
        for t in at {
            q = q.bind(*t);
        }
        let row = q.fetch_one(pool).await?;
        read_counts(&row, at.len())
    })?;
    let trained: Vec<i64> = with_db!(db, |pool| {
        let mut q = sqlx::query(&trained_sql)
            .bind(team)
            .bind(slug)
            .bind(*first)
            .bind(*last);
        for t in at {
            q = q.bind(*t);
        }
        let row = q.fetch_one(pool).await?;
        read_counts(&row, at.len())
    })?;
    Ok(trained
        .into_iter()
        .zip(staff)
        .map(|(t, s)| (t.max(0) as u64, s.max(0) as u64))
        .collect())
}

/// `n` columns `CAST(SUM(CASE WHEN <condition> THEN 1 ELSE 0 END) AS BIGINT)`, the
/// condition's `{t}` standing for parameters `$first..$(first+n-1)` in turn. Built from
/// numbers only, never from input.
fn instant_sums(n: usize, first: usize, condition: &str) -> String {
    (0..n)
        .map(|i| {
            let when = condition.replace("{t}", &format!("${}", first + i));
            format!("CAST(SUM(CASE WHEN {when} THEN 1 ELSE 0 END) AS BIGINT)")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first `n` columns of a row of sums (an empty set sums to NULL: 0).
fn read_counts<R: sqlx::Row>(row: &R, n: usize) -> Result<Vec<i64>, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..n)
        .map(|i| {
            row.try_get::<Option<i64>, _>(i)
                .map(Option::unwrap_or_default)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use uuid::Uuid;

    use super::*;
    use crate::platform::{
        db::{new_id, now},
        scratch::{add_organisation, drop_postgres, postgres, sqlite},
    };

    async fn add_member(db: &Db, org: OrgId, email: &str, group: &str, password: bool) -> UserId {
        let user = UserId::fresh();
        with_db!(db, |pool| sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)"
        )
        .bind(user)
        .bind(email)
        .bind(format!("Name {email}"))
        .bind(password.then_some("hash"))
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        with_db!(db, |pool| sqlx::query(
            "INSERT INTO memberships (id, organisation_id, user_id, role, staff_group, department, \
             active, created_at, updated_at) VALUES ($1, $2, $3, 'staff', $4, NULL, $5, $6, $6)"
        )
        .bind(new_id())
        .bind(org)
        .bind(user)
        .bind(group)
        .bind(true)
        .bind(now() - Duration::days(400))
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        user
    }

    async fn add_pass(db: &Db, version: Uuid, user: UserId, passed_at: OffsetDateTime) {
        with_db!(db, |pool| sqlx::query(
            "INSERT INTO completions (id, user_id, organisation_id, course_slug, course_version_id, \
             course_title, course_version, attempt_id, score_percent, attempt_number, passed_at, \
             expires_at, certificate_code, learner_name, organisation_name) \
             VALUES ($1, $2, NULL, 'dsa', $3, 'DSA', '1', NULL, 90, 1, $4, $5, $6, 'L', 'O')"
        )
        .bind(new_id())
        .bind(user)
        .bind(version)
        .bind(passed_at)
        .bind(passed_at + Duration::days(365))
        .bind(new_id().to_string())
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }

    /// Every query, on the engine given: two staff trained (one twice), one expired, one
    /// never; another organisation's trained member is never counted.
    async fn exercise(db: &Db) {
        let version = new_id();
        with_db!(db, |pool| sqlx::query(
            "INSERT INTO course_versions (id, slug, version, title, mandatory, content, is_current, \
             origin, imported_at) VALUES ($1, 'dsa', '1', 'DSA', TRUE, '{}', TRUE, 'builtin', $2)"
        )
        .bind(version)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let org = OrgId::from(add_organisation(db, "Reports Trust", "RR1").await);
        let other = OrgId::from(add_organisation(db, "Elsewhere Trust", "RR2").await);
        let at = now();
        let a = add_member(db, org, "a@x.example", "clinical", true).await;
        add_pass(db, version, a, at - Duration::days(400)).await;
        add_pass(db, version, a, at - Duration::days(20)).await;
        // Refreshed early: two valid passes, still one person.
        add_pass(db, version, a, at - Duration::days(10)).await;
        let b = add_member(db, org, "b@x.example", "admin", true).await;
        add_pass(db, version, b, at - Duration::days(350)).await;
        let c = add_member(db, org, "c@x.example", "admin", true).await;
        add_pass(db, version, c, at - Duration::days(380)).await;
        add_member(db, org, "d@x.example", "admin", false).await;
        let e = add_member(db, other, "e@x.example", "admin", true).await;
        add_pass(db, version, e, at - Duration::days(1)).await;

        let soon = at + Duration::days(30);
        let mut counts = group_counts(db, org, "dsa", at, soon).await.unwrap();
        counts.sort_by_key(|c| c.staff_group.as_str());
        let sum = |f: fn(&GroupCount) -> i64| counts.iter().map(f).sum::<i64>();
        assert_eq!(sum(|c| c.total), 4);
        assert_eq!(sum(|c| c.trained), 2);
        assert_eq!(sum(|c| c.expiring_soon), 1);
        assert_eq!(sum(|c| c.overdue_with_account), 1);

        let late = overdue(db, org, "dsa", at, 10, 0).await.unwrap();
        let emails: Vec<_> = late.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["c@x.example", "d@x.example"]);
        assert!(late[0].expires_at.is_some() && late[1].expires_at.is_none());
        assert_eq!(overdue(db, org, "dsa", at, 1, 1).await.unwrap().len(), 1);
        let due = expiring_soon(db, org, "dsa", at, soon, 10, 0)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].email, "b@x.example");
        let all = all_records(db, org, "dsa").await.unwrap();
        assert_eq!(all.len(), 4);
        // a's latest pass, not the older one.
        assert!(all[0].passed_at.unwrap() > at - Duration::days(21));

        let mut tx = db.begin().await.unwrap();
        let to = overdue_recipients(&mut tx, org, "dsa", at).await.unwrap();
        assert_eq!(
            to.iter()
                .map(|r| (r.name.as_str(), r.email.as_str()))
                .collect::<Vec<_>>(),
            [("Name c@x.example", "c@x.example")]
        );
        assert_eq!(set_target(&mut tx, org, 80).await.unwrap(), Some(95));
        assert_eq!(set_target(&mut tx, OrgId::fresh(), 80).await.unwrap(), None);
        tx.commit().await.unwrap();
        assert_eq!(target(db, org).await.unwrap(), Some(80));

        let (members, passes) = trend_inputs(db, org, "dsa", at - Duration::days(30))
            .await
            .unwrap();
        assert_eq!(members.len(), 4);
        assert_eq!(
            passes.len(),
            4,
            "the pass that expired before the window is not read"
        );

        let rows = national(db, "dsa", at, &OrgFilter::default())
            .await
            .unwrap();
        let mine = rows.iter().find(|r| r.id == org).unwrap();
        assert_eq!((mine.staff, mine.trained, mine.target), (4, 2, 80));
        let theirs = rows.iter().find(|r| r.id == other).unwrap();
        assert_eq!((theirs.staff, theirs.trained), (1, 1));
        let found = national(
            db,
            "dsa",
            at,
            &OrgFilter {
                text: "rr2",
                ..OrgFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert!(parents(db).await.unwrap().is_empty());

        let ends = [at - Duration::days(30), at];
        let trend = national_trend(db, "dsa", &ends).await.unwrap();
        assert_eq!(trend, [(2, 5), (3, 5)]);
        assert!(national_trend(db, "dsa", &[]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn every_query_on_sqlite() {
        let (_dir, db) = sqlite().await;
        exercise(&db).await;
    }

    #[tokio::test]
    async fn every_query_on_postgres() {
        let Some((admin, name, db)) = postgres().await else {
            return;
        };
        exercise(&db).await;
        drop_postgres(&admin, &name, db).await;
    }

    #[test]
    fn instant_sums_number_their_parameters_in_order() {
        let sql = instant_sums(2, 5, "a <= {t} AND b > {t}");
        assert_eq!(
            sql,
            "CAST(SUM(CASE WHEN a <= $5 AND b > $5 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN a <= $6 AND b > $6 THEN 1 ELSE 0 END) AS BIGINT)"
        );
    }
}
