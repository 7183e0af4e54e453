//! Generated data for load tests and benchmarks (`carecert generate`): organisations of
//! every type with valid ODS codes, staff spread across them as in the NHS (a few large
//! trusts, many small practices and care providers), and years of passes of the mandatory
//! course, renewed roughly yearly with some lapses, so coverage varies from about 60% to 99%.
//!
//! Generated people have no password (nobody signs in as them) and email addresses at
//! `generated.invalid`; organisation names end "(generated)". Rows are written with
//! multi-row INSERTs in transactions of a few thousand people, by two writers at once on
//! PostgreSQL, so a national-scale data set (1.3 million staff) takes minutes.

pub mod people;
pub mod plan;
mod store;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng, rngs::StdRng};
use tokio::sync::{Mutex, mpsc};

pub use plan::OrgPlan;
use store::{NewMember, NewOrg, NewPass, NewUser, PassedCourse};

use crate::{
    knowledge::{rules::expiry, store::courses},
    platform::{
        db::{Db, new_id, now},
        ids::{OrgId, UserId},
    },
};

/// People written per transaction.
const STAFF_PER_CHUNK: usize = 2_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub organisations: usize,
    pub staff: usize,
    /// How many years of passes each person has (at most).
    pub years: u32,
    pub seed: u64,
    /// Add to a database that already has organisations.
    pub force: bool,
}

/// How far the generator has got.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub organisations: usize,
    pub staff_written: u64,
    pub staff_total: u64,
    pub completions: u64,
    pub elapsed: Duration,
}

/// What was written: the organisations' ids in the order planned, and the totals.
#[derive(Debug, Clone)]
pub struct Generated {
    pub org_ids: Vec<OrgId>,
    pub totals: Progress,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(
        "the database already has {0} organisation(s); nothing was generated. Use --force to add generated data to it"
    )]
    NotEmpty(i64),
    #[error("there is no current mandatory course to generate passes of")]
    NoMandatoryCourse,
    #[error("{0}")]
    Plan(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Plans and writes `options.organisations` organisations and `options.staff` people,
/// refusing (and changing nothing) if the database already has organisations, unless
/// `options.force`.
pub async fn run(
    db: &Db,
    options: &Options,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Generated, GenerateError> {
    let existing = store::organisation_count(db).await?;
    if existing > 0 && !options.force {
        return Err(GenerateError::NotEmpty(existing));
    }
    let taken = store::ods_codes(db).await?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let plans = plan::organisations(options.organisations, options.staff, &taken, &mut rng)
        .map_err(GenerateError::Plan)?;
    write(db, &plans, options.years, options.seed, on_progress).await
}

/// The course passes are of, and the two rules a pass follows.
struct Course {
    stored: PassedCourse,
    validity_months: u32,
    pass_mark: i64,
}

async fn mandatory_course(db: &Db) -> Result<Course, GenerateError> {
    let slug = courses::mandatory_slug(db)
        .await?
        .ok_or(GenerateError::NoMandatoryCourse)?;
    let version = courses::current_by_slug(db, &slug)
        .await?
        .ok_or(GenerateError::NoMandatoryCourse)?;
    let content = courses::content(db, version.id)
        .await?
        .ok_or(GenerateError::NoMandatoryCourse)?;
    Ok(Course {
        stored: PassedCourse {
            slug,
            version_id: version.id,
            title: version.title,
            version: version.version,
        },
        validity_months: content.validity_months,
        pass_mark: i64::from(content.pass_mark.min(100)),
    })
}

/// One transaction's worth of rows.
#[derive(Default)]
struct Chunk {
    users: Vec<NewUser>,
    members: Vec<NewMember>,
    passes: Vec<NewPass>,
}

#[derive(Default)]
struct Counters {
    staff: AtomicU64,
    completions: AtomicU64,
    failed: AtomicBool,
}

/// Writes the organisations in `plans` (parents before the organisations that name them),
/// then their staff and `years` of passes each, drawn from `seed`. Email addresses carry a
/// tag of their own, so writing again never clashes with an earlier run.
pub async fn write(
    db: &Db,
    plans: &[OrgPlan],
    years: u32,
    seed: u64,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Generated, GenerateError> {
    let started = Instant::now();
    let course = Arc::new(mandatory_course(db).await?);
    let at = now();
    let mut rng = StdRng::seed_from_u64(seed.rotate_left(17) ^ 0x5EED);
    let org_ids: Vec<OrgId> = plans.iter().map(|_| OrgId::fresh()).collect();
    let mut tx = db.begin().await?;
    let orgs: Vec<NewOrg> = plans
        .iter()
        .zip(&org_ids)
        .map(|(p, id)| NewOrg {
            id: *id,
            name: p.name.clone(),
            ods_code: p.ods_code.clone(),
            org_type: p.org_type.as_str(),
            parent_id: p.parent.and_then(|i| org_ids.get(i).copied()),
            target: p.target,
            created_at: at,
        })
        .collect();
    store::insert_organisations(&mut tx, &orgs).await?;
    tx.commit().await?;

    let staff_total: u64 = plans.iter().map(|p| p.staff as u64).sum();
    let counters = Arc::new(Counters::default());
    let writers = if matches!(db, Db::Postgres(_)) { 2 } else { 1 };
    let (send, receive) = mpsc::channel::<Chunk>(writers);
    let receive = Arc::new(Mutex::new(receive));
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let (db, course, counters, receive) = (
                db.clone(),
                course.clone(),
                counters.clone(),
                receive.clone(),
            );
            tokio::spawn(async move {
                let result = write_chunks(&db, &course.stored, &counters, &receive).await;
                if result.is_err() {
                    counters.failed.store(true, Ordering::Relaxed);
                }
                result
            })
        })
        .collect();
    let progress = |counters: &Counters| Progress {
        organisations: plans.len(),
        staff_written: counters.staff.load(Ordering::Relaxed),
        staff_total,
        completions: counters.completions.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    };

    // Tags keep this run's email addresses and certificate codes apart from any other's.
    let mut own = rand::thread_rng();
    let tag = people::certificate_code(own.r#gen(), 0)[..4].to_lowercase();
    let code_offset: u64 = own.r#gen();
    let mut person_no = 0u64;
    let mut pass_no = 0u64;
    let mut chunk = Chunk::default();
    let history = people::History {
        now: at,
        years,
        validity_months: course.validity_months,
    };
    'orgs: for (p, org_id) in plans.iter().zip(&org_ids) {
        for k in 0..p.staff {
            let trained = people::trained_in_turn(k, p.coverage);
            let person = people::person(p, person_no, trained, &tag, &history, &mut rng);
            person_no += 1;
            let user_id = UserId::fresh();
            for passed_at in &person.passes {
                chunk.passes.push(NewPass {
                    id: new_id(),
                    user_id,
                    organisation_id: *org_id,
                    score_percent: rng.gen_range(course.pass_mark..=100),
                    attempt_number: if rng.gen_bool(0.85) { 1 } else { 2 },
                    passed_at: *passed_at,
                    expires_at: expiry::expires_at(*passed_at, course.validity_months),
                    certificate_code: people::certificate_code(code_offset, pass_no),
                    learner_name: person.name.clone(),
                    organisation_name: p.name.clone(),
                });
                pass_no += 1;
            }
            chunk.members.push(NewMember {
                id: new_id(),
                organisation_id: *org_id,
                user_id,
                staff_group: person.staff_group,
                department: person.department,
                active: person.active,
                created_at: person.joined,
            });
            chunk.users.push(NewUser {
                id: user_id,
                email: person.email,
                name: person.name,
                created_at: person.joined,
            });
            if chunk.users.len() >= STAFF_PER_CHUNK {
                if counters.failed.load(Ordering::Relaxed)
                    || send.send(std::mem::take(&mut chunk)).await.is_err()
                {
                    break 'orgs;
                }
                on_progress(&progress(&counters));
            }
        }
    }
    if !chunk.users.is_empty() {
        let _ = send.send(chunk).await;
    }
    drop(send);
    for t in tasks {
        t.await
            .map_err(|e| GenerateError::Plan(format!("a writer stopped: {e}")))??;
    }
    let totals = progress(&counters);
    on_progress(&totals);
    Ok(Generated { org_ids, totals })
}

/// Takes chunks until there are no more, writing each in a transaction of its own.
async fn write_chunks(
    db: &Db,
    course: &PassedCourse,
    counters: &Counters,
    receive: &Mutex<mpsc::Receiver<Chunk>>,
) -> Result<(), GenerateError> {
    loop {
        let Some(chunk) = receive.lock().await.recv().await else {
            return Ok(());
        };
        let mut tx = db.begin().await?;
        store::insert_users(&mut tx, &chunk.users).await?;
        store::insert_memberships(&mut tx, &chunk.members).await?;
        store::insert_completions(&mut tx, course, &chunk.passes).await?;
        tx.commit().await?;
        counters
            .staff
            .fetch_add(chunk.users.len() as u64, Ordering::Relaxed);
        counters
            .completions
            .fetch_add(chunk.passes.len() as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        platform::scratch::{drop_postgres, postgres, sqlite},
        with_db,
    };

    async fn count(db: &Db, sql: &str) -> i64 {
        with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await)
        .unwrap()
    }

    /// Generates a small data set, checks what was written, and that a second run is
    /// refused without `force` and adds to the first with it.
    async fn exercise(db: &Db) {
        crate::knowledge::prepare(db).await.unwrap();
        let options = Options {
            organisations: 20,
            staff: 3_000,
            years: 3,
            seed: 11,
            force: false,
        };
        let mut reports = 0;
        let done = run(db, &options, &mut |_| reports += 1).await.unwrap();
        assert!(reports >= 2);
        assert_eq!(done.org_ids.len(), 20);
        assert_eq!(done.totals.staff_written, 3_000);
        assert_eq!(count(db, "SELECT COUNT(*) FROM organisations").await, 20);
        assert_eq!(count(db, "SELECT COUNT(*) FROM users").await, 3_000);
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM memberships WHERE role = 'staff'").await,
            3_000
        );
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM users WHERE password_hash IS NULL AND email LIKE '%@generated.invalid'").await,
            3_000
        );
        let passes = count(db, "SELECT COUNT(*) FROM completions").await;
        assert_eq!(passes as u64, done.totals.completions);
        assert!(
            passes > 3_000 * 2,
            "{passes} passes for 3,000 people over 3 years"
        );
        // Coverage today, over everyone active: between the plan's bounds.
        let trained = with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(DISTINCT c.user_id) FROM completions c \
             JOIN memberships m ON m.user_id = c.user_id AND m.active = TRUE \
             WHERE c.expires_at > $1"
        )
        .bind(now())
        .fetch_one(pool)
        .await)
        .unwrap();
        let active = count(db, "SELECT COUNT(*) FROM memberships WHERE active = TRUE").await;
        let share = trained as f64 / active as f64;
        assert!((0.6..0.99).contains(&share), "coverage {share}");

        let again = run(db, &options, &mut |_| {}).await;
        assert!(matches!(again, Err(GenerateError::NotEmpty(20))));
        let forced = Options {
            force: true,
            staff: 100,
            ..options
        };
        run(db, &forced, &mut |_| {}).await.unwrap();
        assert_eq!(count(db, "SELECT COUNT(*) FROM organisations").await, 40);
        assert_eq!(count(db, "SELECT COUNT(*) FROM users").await, 3_100);
    }

    #[tokio::test]
    async fn generates_on_sqlite() {
        let (_dir, db) = sqlite().await;
        exercise(&db).await;
    }

    #[tokio::test]
    async fn generates_on_postgres() {
        let Some((admin, name, db)) = postgres().await else {
            return;
        };
        exercise(&db).await;
        drop_postgres(&admin, &name, db).await;
    }
}
