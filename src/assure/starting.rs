//! Starting an assessment: which profile of expected levels applies to the organisation,
//! and carrying over the same framework's answers from the year before, marked for review.
//! Used by the start page and by the demonstration data.

use std::sync::Arc;

use uuid::Uuid;

use crate::{
    assure::{
        framework::model::Framework,
        pages::read_answers,
        rules::{
            answer::{Verdict, Workflow},
            cycle::Cycle,
        },
        store::{
            assessments::{self as store, CreateError, NewAnswer, NewAssessment},
            frameworks,
        },
    },
    platform::{
        db::{Db, Tx},
        ids::UserId,
        tenants::Organisation,
    },
};

/// What starting an assessment will write, read before the writing transaction begins.
pub struct Plan {
    pub framework: Arc<Framework>,
    pub version: Uuid,
    pub cycle: Cycle,
    pub profile: Option<String>,
    pub carried_from: Option<Uuid>,
    carried: Vec<Carried>,
}

/// Reads what starting `framework` (stored as `version`) for `cycle` needs: the profile for
/// the organisation's type, and last year's answers to carry over.
pub async fn plan(
    db: &Db,
    org: &Organisation,
    version: Uuid,
    framework: &Arc<Framework>,
    cycle: Cycle,
) -> anyhow::Result<Plan> {
    let previous = store::for_cycle(db, org.id, &framework.about.id, cycle.previous()).await?;
    let carried = match &previous {
        Some(prev) => {
            carried_answers(db, org, prev.id, prev.framework_version_id, framework).await?
        }
        None => vec![],
    };
    Ok(Plan {
        framework: framework.clone(),
        version,
        cycle,
        profile: framework
            .profiles
            .iter()
            .find(|pr| pr.organisation_types.contains(&org.org_type))
            .map(|pr| pr.id.clone()),
        carried_from: previous.map(|p| p.id),
        carried,
    })
}

/// Creates the assessment and writes the carried answers; returns its id and how many
/// answers came across.
pub async fn write(
    tx: &mut Tx,
    org: &Organisation,
    plan: &Plan,
    by: UserId,
) -> Result<(Uuid, usize), CreateError> {
    let id = store::create(
        tx,
        &NewAssessment {
            organisation: org.id,
            framework: &plan.framework.about.id,
            framework_version_id: plan.version,
            profile: plan.profile.as_deref(),
            cycle: plan.cycle,
            carried_from: plan.carried_from,
            by,
        },
    )
    .await?;
    let carried = carry_over(tx, org, id, &plan.carried).await?;
    Ok((id, carried))
}

/// One of last year's answers, to be written into the new assessment for review.
struct Carried {
    requirement: String,
    result: Option<String>,
    justification: String,
    indicators: Vec<String>,
}

/// Last year's answers that can come across: only those to requirements the new version
/// still has, with a result its scale still has, and the indicators it still lists.
async fn carried_answers(
    db: &Db,
    org: &Organisation,
    from: Uuid,
    from_version: Uuid,
    framework: &Framework,
) -> anyhow::Result<Vec<Carried>> {
    let old = frameworks::by_version_id(db, from_version)
        .await?
        .ok_or_else(|| anyhow::anyhow!("framework version {from_version} is missing"))?;
    let rows = store::answers(db, org.id, from).await?;
    let answers = read_answers(&old, &rows).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut out = Vec::new();
    for (row, answer) in rows.iter().zip(answers) {
        let Some(r) = framework
            .requirement(&row.requirement)
            .filter(|r| r.assessable)
        else {
            continue;
        };
        let result = match answer.verdict {
            Some(v) => {
                let id = v.id(&old.about.scale);
                if Verdict::parse(id, &framework.about.scale).is_err() {
                    continue;
                }
                Some(id.to_owned())
            }
            None => None,
        };
        out.push(Carried {
            requirement: r.id.clone(),
            result,
            justification: row.justification.clone(),
            indicators: answer
                .indicators
                .into_iter()
                .filter(|i| r.indicators.iter().any(|x| &x.id == i))
                .collect(),
        });
    }
    Ok(out)
}

/// Writes the carried answers, each marked as carried over and waiting for review.
async fn carry_over(
    tx: &mut Tx,
    org: &Organisation,
    to: Uuid,
    carried: &[Carried],
) -> Result<usize, sqlx::Error> {
    for c in carried {
        store::save_answer(
            tx,
            org.id,
            to,
            &NewAnswer {
                requirement: &c.requirement,
                result: c.result.as_deref(),
                workflow: Workflow::InReview,
                justification: &c.justification,
                indicators: &c.indicators,
                carried_over: true,
                by: None,
            },
        )
        .await?;
    }
    Ok(carried.len())
}
