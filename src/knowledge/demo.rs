//! Knowledge demonstration data for `serve --demo`: learners at every stage (never started,
//! in progress, passed, failed and retaking, expired, expiring within 30 days) with a
//! couple of years of history and marked attempts, so every dashboard, chart and list has
//! real-looking content from the first start.

use std::collections::HashSet;

use rand::{Rng, SeedableRng, rngs::StdRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    exec_tx,
    knowledge::{
        assessment::certificate_code,
        content::model::Course,
        rules::draw::{Drawn, draw_assessment},
        store::{
            attempts::{NewCompletion, PassContext, insert_completion},
            courses,
        },
    },
    platform::{
        db::{Db, Tx, new_id, now},
        ids::{OrgId, UserId},
    },
    with_db,
};

/// What a demo learner has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    NeverStarted,
    InProgress,
    Passed,
    FailedRetaking,
    Expired,
    ExpiringSoon,
}

/// The stage of the `n`th member of an organisation: mostly trained, with every other
/// stage present in every organisation.
fn stage(n: usize, organisation: usize) -> Stage {
    match (n + organisation) % 10 {
        0 => Stage::NeverStarted,
        1 => Stage::InProgress,
        2 => Stage::FailedRetaking,
        3 => Stage::Expired,
        4 => Stage::ExpiringSoon,
        _ => Stage::Passed,
    }
}

#[derive(sqlx::FromRow)]
struct Member {
    user_id: UserId,
    organisation_id: OrgId,
    name: String,
    organisation_name: String,
    email: String,
}

/// Demo accounts whose stage is chosen so the walkthrough shows something useful.
fn named_stage(email: &str) -> Option<Stage> {
    match email {
        "nurse@northfield-hospitals.example" => Some(Stage::ExpiringSoon),
        "receptionist@riverside-practice.example" => Some(Stage::InProgress),
        e if e.starts_with("lead@") || e.starts_with("manager@") => Some(Stage::Passed),
        _ => None,
    }
}

/// Adds training records for the demo organisations' members.
pub async fn load(db: &Db) -> anyhow::Result<()> {
    let Some(version) = courses::current(db)
        .await?
        .into_iter()
        .find(|v| v.mandatory)
    else {
        return Ok(());
    };
    let course = courses::content(db, version.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the mandatory course is missing"))?;
    let members = with_db!(db, |pool| sqlx::query_as::<_, Member>(
        "SELECT m.user_id, m.organisation_id, u.name, o.name AS organisation_name, u.email \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         JOIN organisations o ON o.id = m.organisation_id \
         WHERE o.org_type <> 'national_team' ORDER BY o.ods_code, m.id"
    )
    .fetch_all(pool)
    .await)?;
    let mut rng = StdRng::seed_from_u64(2017);
    // A few questions most people get wrong, so the evaluation has something to show.
    let hard: HashSet<String> = course
        .assessment_bank()
        .filter(|_| rng.gen_bool(0.12))
        .map(|q| q.id.clone())
        .collect();
    let mut tx = db.begin().await?;
    let mut org_index: Vec<OrgId> = Vec::new();
    let at = now();
    for (n, m) in members.iter().enumerate() {
        if !org_index.contains(&m.organisation_id) {
            org_index.push(m.organisation_id);
        }
        let o = org_index.len();
        let stage = named_stage(&m.email).unwrap_or_else(|| stage(n, o));
        let days = |d: i64| at - Duration::days(d);
        let seeder = Seeder {
            course: &course,
            version: version.id,
            member: m,
            hard: &hard,
        };
        let pass_ago = match stage {
            Stage::Passed => Some(rng.gen_range(20..300)),
            Stage::ExpiringSoon => Some(365 - rng.gen_range(3..28)),
            Stage::Expired => Some(365 + rng.gen_range(5..60)),
            _ => None,
        };
        // Most people who are trained now were also trained the year before.
        if (pass_ago.is_some() || stage == Stage::FailedRetaking) && rng.gen_bool(0.7) {
            let earlier = pass_ago.unwrap_or(200) + 365 + rng.gen_range(0..20);
            seeder.pass(&mut tx, &mut rng, days(earlier), 1).await?;
        }
        match stage {
            Stage::NeverStarted => {}
            Stage::InProgress => {
                let e = seeder.enrol(&mut tx, days(3), None).await?;
                for lesson in course.lessons.iter().take(1 + n % 4) {
                    exec_tx!(&mut tx, |c| {
                        sqlx::query(
                        "INSERT INTO lesson_progress (enrolment_id, lesson_id, opened_at, checked_at, check_correct, check_total) \
                         VALUES ($1, $2, $3, $3, 2, 2)"
                    )
                    .bind(e)
                    .bind(&lesson.id)
                    .bind(days(2))
                    .execute(c)
                    .await
                    })?;
                }
            }
            Stage::FailedRetaking => {
                let e = seeder.enrol(&mut tx, days(6), None).await?;
                seeder
                    .attempt(&mut tx, &mut rng, e, 1, days(5), 0.55, false)
                    .await?;
            }
            Stage::Passed | Stage::ExpiringSoon | Stage::Expired => {
                let ago = pass_ago.unwrap_or(100);
                let first_failed = rng.gen_bool(0.2);
                seeder
                    .pass(
                        &mut tx,
                        &mut rng,
                        days(ago),
                        if first_failed { 2 } else { 1 },
                    )
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

struct Seeder<'a> {
    course: &'a Course,
    version: Uuid,
    member: &'a Member,
    hard: &'a HashSet<String>,
}

impl Seeder<'_> {
    async fn enrol(
        &self,
        tx: &mut Tx,
        at: OffsetDateTime,
        completed: Option<OffsetDateTime>,
    ) -> Result<Uuid, sqlx::Error> {
        let id = new_id();
        exec_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO enrolments (id, user_id, course_slug, course_version_id, started_at, completed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(self.member.user_id)
        .bind(&self.course.slug)
        .bind(self.version)
        .bind(at)
        .bind(completed)
        .execute(c)
        .await
        })?;
        Ok(id)
    }

    /// A submitted attempt with marked answers; each question is right with probability
    /// `skill` (less for the hard ones). `must_pass` redraws the luck until it passes.
    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        tx: &mut Tx,
        rng: &mut StdRng,
        enrolment: Uuid,
        number: i64,
        at: OffsetDateTime,
        skill: f64,
        must_pass: bool,
    ) -> Result<(Uuid, i64), sqlx::Error> {
        let drawn: Vec<Drawn> = draw_assessment(self.course, &HashSet::new(), rng);
        let total = drawn.len() as i64;
        let mut marks: Vec<bool>;
        loop {
            marks = drawn
                .iter()
                .map(|d| {
                    let p = if self.hard.contains(&d.question) {
                        skill * 0.55
                    } else {
                        skill
                    };
                    rng.gen_bool(p.clamp(0.0, 1.0))
                })
                .collect();
            let right = marks.iter().filter(|m| **m).count() as i64;
            let passed = right * 100 >= self.course.pass_mark as i64 * total;
            if passed == must_pass {
                break;
            }
        }
        let right = marks.iter().filter(|m| **m).count() as i64;
        let id = new_id();
        let json = serde_json::to_string(&drawn).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        exec_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO attempts (id, enrolment_id, user_id, organisation_id, course_version_id, number, drawn, \
             started_at, submitted_at, correct_count, total, score_percent, passed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )
        .bind(id)
        .bind(enrolment)
        .bind(self.member.user_id)
        .bind(self.member.organisation_id)
        .bind(self.version)
        .bind(number)
        .bind(json)
        .bind(at - Duration::minutes(25))
        .bind(at)
        .bind(right)
        .bind(total)
        .bind(right * 100 / total.max(1))
        .bind(must_pass)
        .execute(c)
        .await
        })?;
        for (d, ok) in drawn.iter().zip(&marks) {
            let q = self.course.question(&d.question);
            let chosen = q
                .and_then(|q| q.options.iter().find(|o| o.correct == *ok))
                .map(|o| o.id.clone())
                .unwrap_or_default();
            exec_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO attempt_answers (attempt_id, question_id, chosen, correct, saved_at) VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(id)
            .bind(&d.question)
            .bind(chosen)
            .bind(*ok)
            .bind(at)
            .execute(c)
            .await
            })?;
        }
        Ok((id, right * 100 / total.max(1)))
    }

    /// A pass at `at`, after `attempts` attempts (the earlier ones failed).
    async fn pass(
        &self,
        tx: &mut Tx,
        rng: &mut StdRng,
        at: OffsetDateTime,
        attempts: i64,
    ) -> Result<(), sqlx::Error> {
        let e = self.enrol(tx, at - Duration::days(2), Some(at)).await?;
        for n in 1..attempts {
            self.attempt(tx, rng, e, n, at - Duration::days(1), 0.6, false)
                .await?;
        }
        let (attempt, score) = self.attempt(tx, rng, e, attempts, at, 0.93, true).await?;
        let code = certificate_code(rng);
        insert_completion(
            tx,
            &NewCompletion {
                user: self.member.user_id,
                organisation: Some(self.member.organisation_id),
                course: self.course,
                version: self.version,
                attempt,
                attempt_number: attempts,
                score_percent: score,
                passed_at: at,
                pass: &PassContext {
                    learner_name: &self.member.name,
                    organisation_name: &self.member.organisation_name,
                    certificate_code: &code,
                },
            },
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_organisation_has_every_stage() {
        for org in 1..5 {
            let stages: HashSet<_> = (0..12).map(|n| format!("{:?}", stage(n, org))).collect();
            assert_eq!(stages.len(), 6, "organisation {org}: {stages:?}");
        }
    }
}
