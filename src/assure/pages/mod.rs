//! Assure's pages for an organisation: its assessments (`list`), one assessment with every
//! requirement and who is answering each section (`overview`), answering one requirement
//! (`answer`), giving sections to colleagues (`assign`), submitting and publishing
//! (`submit`), the evidence library (`evidence`) and evidence on an answer
//! (`evidence_links`). This file holds what they share: loading an assessment with its framework
//! version, and deciding what the person may do with it.

pub mod answer;
pub mod assign;
pub mod evidence;
pub mod evidence_links;
pub mod list;
pub mod overview;
pub mod submit;

use std::sync::Arc;

use uuid::Uuid;

use crate::{
    assure::{
        framework::model::{Framework, Requirement},
        rules::answer::{Answer, Verdict},
        store::{
            assessments::{self as store, AnswerRow, AssessmentRow, AssignmentRow},
            frameworks,
        },
    },
    platform::{
        AppState,
        authz::{Principal, Role},
        error::{AppError, AppResult},
        ids::OrgId,
        web::routes::Route,
    },
};

pub fn routes() -> Vec<Route> {
    let mut all = list::routes();
    all.extend(overview::routes());
    all.extend(answer::routes());
    all.extend(assign::routes());
    all.extend(evidence::routes());
    all.extend(evidence_links::routes());
    all.extend(submit::routes());
    all
}

pub fn assessments_path(org: OrgId) -> String {
    format!("/organisations/{org}/assessments")
}

pub fn assessment_path(org: OrgId, assessment: Uuid) -> String {
    format!("/organisations/{org}/assessments/{assessment}")
}

pub fn requirement_path(org: OrgId, assessment: Uuid, requirement: &str) -> String {
    format!(
        "{}/requirements/{}",
        assessment_path(org, assessment),
        crate::platform::error::urlencode(requirement)
    )
}

/// What the person may do with an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The organisation's security lead, or a national administrator acting for it:
    /// everything.
    Lead,
    /// A colleague answering the sections given to them.
    Assignee(Vec<String>),
    /// The national team: reads only.
    Reader,
}

impl Access {
    pub fn of(p: &Principal, org: OrgId, assignments: &[AssignmentRow]) -> Option<Access> {
        match p.role_in(org) {
            Some(Role::SecurityLead) => Some(Access::Lead),
            _ if p.is_national_admin() => Some(Access::Lead),
            _ => {
                let mine: Vec<String> = assignments
                    .iter()
                    .filter(|a| a.assignee == p.user_id)
                    .map(|a| a.section.clone())
                    .collect();
                if !mine.is_empty() {
                    Some(Access::Assignee(mine))
                } else if p.is_national() {
                    Some(Access::Reader)
                } else {
                    None
                }
            }
        }
    }

    pub fn is_lead(&self) -> bool {
        matches!(self, Access::Lead)
    }

    /// Whether the person may answer requirements in `section`.
    pub fn may_answer(&self, section: &str) -> bool {
        match self {
            Access::Lead => true,
            Access::Assignee(sections) => sections.iter().any(|s| s == section),
            Access::Reader => false,
        }
    }
}

/// An assessment with everything its pages show.
pub struct Loaded {
    pub row: AssessmentRow,
    pub framework: Arc<Framework>,
    pub assignments: Vec<AssignmentRow>,
    pub access: Access,
}

/// Loads one of `org`'s assessments for `p`; page not found if it is not theirs to see (so
/// whether it exists is told only to those who may see it).
pub async fn load(state: &AppState, p: &Principal, org: OrgId, id: Uuid) -> AppResult<Loaded> {
    let row = store::find(&state.db, org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let assignments = store::assignments(&state.db, org, id).await?;
    let access = Access::of(p, org, &assignments).ok_or(AppError::NotFound)?;
    let framework = frameworks::by_version_id(&state.db, row.framework_version_id)
        .await
        .map_err(AppError::Internal)?
        .ok_or(AppError::NotFound)?;
    Ok(Loaded {
        row,
        framework,
        assignments,
        access,
    })
}

/// The top-level requirement (section) `r` sits under.
pub fn section_of<'a>(f: &'a Framework, r: &'a Requirement) -> &'a str {
    let mut current = r;
    let mut steps = 0;
    while let Some(parent) = f.requirement(&current.parent) {
        current = parent;
        steps += 1;
        if steps > f.requirements.len() {
            break;
        }
    }
    &current.id
}

/// Stored answers read against the framework's scale. An answer whose result the stored
/// version's scale does not have is a broken record, not a blank: an error.
pub fn read_answers(f: &Framework, rows: &[AnswerRow]) -> AppResult<Vec<Answer>> {
    rows.iter()
        .map(|row| {
            let verdict = row
                .result
                .as_deref()
                .map(|r| Verdict::parse(r, &f.about.scale))
                .transpose()
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{}: {e}", row.requirement)))?;
            let indicators: Vec<String> = serde_json::from_str(&row.indicators)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{}: {e}", row.requirement)))?;
            Ok(Answer {
                requirement: row.requirement.clone(),
                verdict,
                workflow: row.workflow,
                indicators,
            })
        })
        .collect()
}
