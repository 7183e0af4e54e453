//! Storage of each organisation's training needs analysis (TNA) and course assignments, and
//! what a learner is required to take because of them. Every query about an organisation is
//! scoped by its id.

use std::collections::BTreeMap;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    exec_tx,
    knowledge::{
        rules::needs::{CourseNeed, Needs, default_needs, effective_needs},
        store::courses,
    },
    platform::{
        db::{Db, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    staff::groups::StaffGroup,
    with_db, with_tx,
};

/// The current courses with their intended audiences, mandatory first, then by title.
pub async fn current_courses(db: &Db) -> Result<Vec<CourseNeed>, sqlx::Error> {
    let mut out = Vec::new();
    for v in courses::current(db).await? {
        let audience = courses::content(db, v.id)
            .await?
            .map(|c| c.audience.clone())
            .unwrap_or_default();
        out.push(CourseNeed {
            slug: v.slug,
            title: v.title,
            mandatory: v.mandatory,
            audience,
        });
    }
    Ok(out)
}

/// The last review of an organisation's TNA.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Review {
    pub reviewed_at: OffsetDateTime,
    pub reviewer_name: String,
    pub reviewer_email: String,
    pub notes: String,
}

pub async fn review(db: &Db, org: OrgId) -> Result<Option<Review>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, Review>(
        "SELECT r.reviewed_at, u.name AS reviewer_name, u.email AS reviewer_email, r.notes \
         FROM training_needs_reviews r JOIN users u ON u.id = r.reviewed_by \
         WHERE r.organisation_id = $1"
    )
    .bind(org)
    .fetch_optional(pool)
    .await)
}

/// The TNA as saved (ticks only), whatever courses are current now.
async fn saved_needs(db: &Db, org: OrgId) -> Result<Needs, sqlx::Error> {
    let rows: Vec<(StaffGroup, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT staff_group, course_slug FROM training_needs WHERE organisation_id = $1"
    )
    .bind(org)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().collect())
}

/// An organisation's TNA as it applies now, and its last review (`None` while the TNA is
/// the default drawn from the courses' audiences).
pub async fn needs_of(
    db: &Db,
    org: OrgId,
    courses: &[CourseNeed],
) -> Result<(Needs, Option<Review>), sqlx::Error> {
    let review = review(db, org).await?;
    let needs = match &review {
        Some(_) => effective_needs(courses, &saved_needs(db, org).await?),
        None => default_needs(courses),
    };
    Ok((needs, review))
}

/// Replaces an organisation's TNA and records who reviewed it and when.
pub async fn save_needs(
    tx: &mut Tx,
    org: OrgId,
    needs: &Needs,
    by: UserId,
    notes: &str,
) -> Result<(), sqlx::Error> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM training_needs WHERE organisation_id = $1"
    )
    .bind(org)
    .execute(c)
    .await)?;
    for (group, slug) in needs {
        exec_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO training_needs (organisation_id, staff_group, course_slug) VALUES ($1, $2, $3)"
        )
        .bind(org)
        .bind(group.as_str())
        .bind(slug)
        .execute(c)
        .await
        })?;
    }
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO training_needs_reviews (organisation_id, reviewed_by, reviewed_at, notes) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE \
         SET reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at, notes = excluded.notes"
    )
    .bind(org)
    .bind(by)
    .bind(now())
    .bind(notes)
    .execute(c)
    .await
    })?;
    Ok(())
}

// ---- Assignments ----------------------------------------------------------------------

/// A course assigned to a staff group or to one person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: Uuid,
    pub course_slug: String,
    pub staff_group: Option<StaffGroup>,
    pub user_id: Option<UserId>,
    pub person_name: Option<String>,
    pub person_email: Option<String>,
    pub due_on: Date,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
}

impl AssignmentRow {
    /// Who it is for, for people: the group's label or the person's name and address.
    pub fn assigned_to(&self) -> String {
        match (&self.staff_group, &self.person_name, &self.person_email) {
            (Some(g), _, _) => format!("Staff group: {}", g.label()),
            (None, Some(name), Some(email)) => format!("{name} ({email})"),
            _ => "Unknown".into(),
        }
    }
}

macro_rules! select_assignments {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.course_slug, a.staff_group, a.user_id, p.name AS person_name, \
             p.email AS person_email, a.due_on, c.name AS created_by_name, a.created_at \
             FROM course_assignments a JOIN users c ON c.id = a.created_by \
             LEFT JOIN users p ON p.id = a.user_id WHERE a.organisation_id = $1 ",
            $rest
        )
    };
}

/// An organisation's assignments, soonest due first.
pub async fn assignments(db: &Db, org: OrgId) -> Result<Vec<AssignmentRow>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, AssignmentRow>(
        select_assignments!("ORDER BY a.due_on, a.created_at")
    )
    .bind(org)
    .fetch_all(pool)
    .await)
}

/// An active member of the organisation with this (normalised) email address: their user id
/// and name. People in other organisations are deliberately not distinguished from unknown
/// addresses, so the answer reveals nothing about other organisations.
pub async fn active_member_by_email(
    db: &Db,
    org: OrgId,
    email: &str,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_as::<_, (UserId, String)>(
        "SELECT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id \
         WHERE m.organisation_id = $1 AND u.email = $2 AND m.active = TRUE"
    )
    .bind(org)
    .bind(email)
    .fetch_optional(pool)
    .await)
}

/// A new assignment: for `staff_group` or for `user_id` (exactly one of them).
pub struct NewAssignment<'a> {
    pub organisation_id: OrgId,
    pub course_slug: &'a str,
    pub staff_group: Option<StaffGroup>,
    pub user_id: Option<UserId>,
    pub due_on: Date,
    pub created_by: UserId,
}

/// The due date of an existing assignment of the same course to the same group or person.
pub async fn existing_due(tx: &mut Tx, a: &NewAssignment<'_>) -> Result<Option<Date>, sqlx::Error> {
    with_tx!(tx, |c| {
        sqlx::query_scalar::<_, Date>(
        "SELECT due_on FROM course_assignments WHERE organisation_id = $1 AND course_slug = $2 \
         AND ((staff_group IS NOT NULL AND staff_group = $3) OR (user_id IS NOT NULL AND user_id = $4)) \
         ORDER BY due_on LIMIT 1"
    )
    .bind(a.organisation_id)
    .bind(a.course_slug)
    .bind(a.staff_group.map(StaffGroup::as_str))
    .bind(a.user_id)
    .fetch_optional(c)
    .await
    })
}

pub async fn insert_assignment(tx: &mut Tx, a: &NewAssignment<'_>) -> Result<Uuid, sqlx::Error> {
    let id = new_id();
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO course_assignments (id, organisation_id, course_slug, staff_group, user_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(id)
    .bind(a.organisation_id)
    .bind(a.course_slug)
    .bind(a.staff_group.map(StaffGroup::as_str))
    .bind(a.user_id)
    .bind(a.due_on)
    .bind(a.created_by)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Deletes one of the organisation's assignments, returning it (`None` if the organisation
/// has no such assignment).
pub async fn delete_assignment(
    tx: &mut Tx,
    org: OrgId,
    id: Uuid,
) -> Result<Option<AssignmentRow>, sqlx::Error> {
    let row = with_tx!(tx, |c| sqlx::query_as::<_, AssignmentRow>(
        select_assignments!("AND a.id = $2")
    )
    .bind(org)
    .bind(id)
    .fetch_optional(c)
    .await)?;
    if row.is_some() {
        exec_tx!(tx, |c| sqlx::query(
            "DELETE FROM course_assignments WHERE organisation_id = $1 AND id = $2"
        )
        .bind(org)
        .bind(id)
        .execute(c)
        .await)?;
    }
    Ok(row)
}

// ---- What a learner must take ---------------------------------------------------------

/// A course a person is required to take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub course_slug: String,
    pub organisation_id: OrgId,
    pub organisation_name: String,
    /// The earliest due date of any assignment of the course to them or their group.
    pub due_on: Option<Date>,
    pub reason: &'static str,
}

pub const REASON_GROUP: &str = "Needed for your staff group";
pub const REASON_ASSIGNED: &str = "Assigned by your organisation";

/// Every course `user_id` must take, from each of their active memberships: what their staff
/// group needs in that organisation's TNA (the default from course audiences if it has not
/// been reviewed) and courses assigned to their group or to them. One entry per organisation
/// and course; when a course is both needed and assigned it shows as assigned, with the
/// earliest due date. Ordered by organisation name, then as the courses are listed.
pub async fn required_for(db: &Db, user_id: UserId) -> Result<Vec<Requirement>, sqlx::Error> {
    let memberships: Vec<(OrgId, String, StaffGroup)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT o.id, o.name, m.staff_group FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.user_id = $1 AND m.active = TRUE ORDER BY o.name, o.id"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    if memberships.is_empty() {
        return Ok(vec![]);
    }
    let courses = current_courses(db).await?;
    let mut out = Vec::new();
    for (org_id, org_name, group) in memberships {
        let (needs, _) = needs_of(db, org_id, &courses).await?;
        let assigned: Vec<(String, Date)> = with_db!(db, |pool| sqlx::query_as(
            "SELECT course_slug, due_on FROM course_assignments WHERE organisation_id = $1 \
             AND (user_id = $2 OR staff_group = $3)"
        )
        .bind(org_id)
        .bind(user_id)
        .bind(group)
        .fetch_all(pool)
        .await)?;
        let mut due: BTreeMap<&str, Date> = BTreeMap::new();
        for (slug, on) in &assigned {
            let e = due.entry(slug.as_str()).or_insert(*on);
            *e = (*e).min(*on);
        }
        for c in &courses {
            let due_on = due.get(c.slug.as_str()).copied();
            let needed = needs.contains(&(group, c.slug.clone()));
            if due_on.is_none() && !needed {
                continue;
            }
            out.push(Requirement {
                course_slug: c.slug.clone(),
                organisation_id: org_id,
                organisation_name: org_name.clone(),
                due_on,
                reason: if due_on.is_some() {
                    REASON_ASSIGNED
                } else {
                    REASON_GROUP
                },
            });
        }
    }
    Ok(out)
}
