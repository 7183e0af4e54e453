//! The facts behind an organisation's DSPT / CAF B6 evidence pack: its active members by
//! staff group, who of them holds valid training, and the assessment attempts taken in the
//! organisation. The sums are done by `rules::evaluation`; [`pack`] puts it all together.

use std::collections::HashSet;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    knowledge::{
        rules::evaluation::{
            self, AttemptFact, MissCount, MissedLine, Pack, TnaLine, Window, delivery, most_missed,
            period_stats, windows,
        },
        store::{courses, needs},
    },
    platform::{
        db::Db,
        ids::{OrgId, UserId},
    },
    staff::groups::StaffGroup,
    with_db,
};

/// The organisation's active members and their staff groups.
pub async fn members(db: &Db, org: OrgId) -> Result<Vec<(StaffGroup, UserId)>, sqlx::Error> {
    with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT staff_group, user_id FROM memberships WHERE organisation_id = $1 AND active = TRUE"
    )
    .bind(org)
    .fetch_all(pool)
    .await
    })
}

/// (member, course) pairs where an active member of the organisation holds a completion
/// still valid at `at`, whichever organisation they were in when they passed.
pub async fn trained(
    db: &Db,
    org: OrgId,
    at: OffsetDateTime,
) -> Result<HashSet<(UserId, String)>, sqlx::Error> {
    let rows: Vec<(UserId, String)> = with_db!(db, |pool| sqlx::query_as(
        "SELECT DISTINCT c.user_id, c.course_slug FROM completions c \
         JOIN memberships m ON m.user_id = c.user_id \
         WHERE m.organisation_id = $1 AND m.active = TRUE AND c.expires_at > $2"
    )
    .bind(org)
    .bind(at)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().collect())
}

/// Attempts taken in the organisation and submitted from `since` on.
pub async fn attempts(
    db: &Db,
    org: OrgId,
    since: OffsetDateTime,
) -> Result<Vec<AttemptFact>, sqlx::Error> {
    type Row = (UserId, i64, Option<bool>, Option<i64>, OffsetDateTime);
    // Cast so the Rust types fit whatever integer width each engine's schema uses.
    let rows: Vec<Row> = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT user_id, CAST(number AS BIGINT), passed, CAST(score_percent AS BIGINT), submitted_at \
         FROM attempts \
         WHERE organisation_id = $1 AND submitted_at IS NOT NULL AND submitted_at >= $2"
    )
    .bind(org)
    .bind(since)
    .fetch_all(pool)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(user, number, passed, score, submitted_at)| AttemptFact {
            user,
            number,
            passed: passed.unwrap_or(false),
            score_percent: score.unwrap_or(0),
            submitted_at,
        })
        .collect())
}

/// How often each question was asked and missed in attempts taken in the organisation and
/// submitted within `window`. Unanswered questions count as missed.
pub async fn miss_counts(
    db: &Db,
    org: OrgId,
    window: Window,
) -> Result<Vec<MissCount>, sqlx::Error> {
    type Row = (String, Uuid, String, i64, i64);
    let rows: Vec<Row> = with_db!(db, |pool| sqlx::query_as(
        "SELECT v.slug, a.course_version_id, aa.question_id, COUNT(*), \
         SUM(CASE WHEN aa.correct = TRUE THEN 0 ELSE 1 END) \
         FROM attempt_answers aa JOIN attempts a ON a.id = aa.attempt_id \
         JOIN course_versions v ON v.id = a.course_version_id \
         WHERE a.organisation_id = $1 AND a.submitted_at IS NOT NULL \
         AND a.submitted_at >= $2 AND a.submitted_at < $3 \
         GROUP BY v.slug, a.course_version_id, aa.question_id"
    )
    .bind(org)
    .bind(window.start)
    .bind(window.end)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(course_slug, version_id, question_id, asked, missed)| MissCount {
                course_slug,
                version_id,
                question_id,
                asked,
                missed,
            },
        )
        .collect())
}

/// The whole evidence pack for an organisation, as at `now`.
pub async fn pack(
    db: &Db,
    org: OrgId,
    organisation: &str,
    now: OffsetDateTime,
) -> Result<Pack, sqlx::Error> {
    let course_list = needs::current_courses(db).await?;
    let (need_set, review) = needs::needs_of(db, org, &course_list).await?;
    let tna = StaffGroup::ALL
        .into_iter()
        .map(|group| TnaLine {
            group,
            courses: course_list
                .iter()
                .filter(|c| need_set.contains(&(group, c.slug.clone())))
                .map(|c| c.title.clone())
                .collect(),
        })
        .collect();
    let delivered = delivery(
        &course_list,
        &need_set,
        &members(db, org).await?,
        &trained(db, org, now).await?,
    );
    let (current, previous) = windows(now);
    let facts = attempts(db, org, previous.start).await?;
    let top = most_missed(
        &miss_counts(db, org, current).await?,
        &miss_counts(db, org, previous).await?,
        evaluation::MOST_MISSED,
    );
    let mut missed = Vec::with_capacity(top.len());
    for question in top {
        let content = courses::content(db, question.version_id).await?;
        let (course_title, lesson_title, prompt) = match &content {
            Some(c) => {
                let q = c.question(&question.question_id);
                let lesson = q
                    .and_then(|q| q.lesson.as_deref())
                    .and_then(|l| c.lesson(l))
                    .map(|l| l.title.clone())
                    .unwrap_or_default();
                let prompt = q
                    .map(|q| q.prompt.clone())
                    .unwrap_or_else(|| format!("Question {}", question.question_id));
                (c.title.clone(), lesson, prompt)
            }
            None => (
                question.course_slug.clone(),
                String::new(),
                format!("Question {}", question.question_id),
            ),
        };
        missed.push(MissedLine {
            course_title,
            lesson_title,
            prompt,
            question,
        });
    }
    Ok(Pack {
        organisation: organisation.to_owned(),
        generated_at: now,
        tna,
        reviewed: review
            .as_ref()
            .map(|r| (r.reviewed_at, r.reviewer_name.clone())),
        notes: review.map(|r| r.notes).unwrap_or_default(),
        delivery: delivered,
        current: period_stats(&facts, current),
        previous: period_stats(&facts, previous),
        missed,
    })
}
