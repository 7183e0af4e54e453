//! Small hand-built frameworks and answers for the rules' unit tests, so each test states
//! exactly the weights, scale and profile its hand-computed expectation depends on. Every
//! framework built here passes the same checks as framework files do.

use std::collections::BTreeMap;

use time::macros::date;

use super::answer::{Answer, Verdict, Workflow};
use crate::{
    assure::framework::{
        check,
        model::{Framework, Indicator, Manifest, Profile, Requirement, ScaleLevel, Tag},
    },
    platform::{provenance::Source, tenants::OrgType},
};

/// CAF's three levels, scoring 0, 1, 2; only "achieved" is met.
pub const CAF: &[(&str, u32, bool)] = &[
    ("not-achieved", 0, false),
    ("partially-achieved", 1, false),
    ("achieved", 2, true),
];

/// The DSPT's four levels for the NDG standards, scoring 0 to 3; "met" and "exceeded" are met.
pub const NDG: &[(&str, u32, bool)] = &[
    ("not-met", 0, false),
    ("approaching", 1, false),
    ("met", 2, true),
    ("exceeded", 3, true),
];

/// Cyber Essentials' yes or no.
pub const YES_NO: &[(&str, u32, bool)] = &[("no", 0, false), ("yes", 1, true)];

/// Builds a framework requirement by requirement; calls that change "the last requirement"
/// apply to the one added most recently.
pub struct Builder {
    framework: Framework,
}

/// A framework with the given scale (worst first) and no requirements yet.
pub fn framework(scale: &[(&str, u32, bool)]) -> Builder {
    Builder {
        framework: Framework {
            about: Manifest {
                id: "test".into(),
                title: "A test framework".into(),
                short_title: "Test".into(),
                version: "1".into(),
                publisher: "Us".into(),
                licence: "Our own words".into(),
                summary: "For tests.".into(),
                applies_to: vec![OrgType::NhsTrust],
                levels: vec!["section".into(), "requirement".into(), "part".into()],
                scale: scale
                    .iter()
                    .map(|(id, score, met)| ScaleLevel {
                        id: (*id).into(),
                        label: (*id).into(),
                        score: *score,
                        met: *met,
                    })
                    .collect(),
                oscal: None,
                oscal_heading_classes: vec![],
                sources: vec![Source {
                    id: "src".into(),
                    publisher: "NCSC".into(),
                    title: "Guidance".into(),
                    url: "https://www.ncsc.gov.uk/".into(),
                    checked: Some(date!(2026 - 12 - 03)),
                    review_by: None,
                }],
            },
            requirements: vec![],
            profiles: vec![],
        },
    }
}

impl Builder {
    /// A heading (`parent` "" for a top-level section).
    pub fn heading(mut self, id: &str, parent: &str) -> Self {
        self.framework
            .requirements
            .push(requirement(id, parent, false, 1));
        self
    }

    /// An assessable requirement.
    pub fn req(mut self, id: &str, parent: &str, weight: u32) -> Self {
        self.framework
            .requirements
            .push(requirement(id, parent, true, weight));
        self
    }

    /// Tags the last requirement mandatory.
    pub fn mandatory(mut self) -> Self {
        if let Some(r) = self.framework.requirements.last_mut() {
            r.tags.push(Tag::Mandatory);
        }
        self
    }

    /// Adds an indicator of good practice under `level` to the last requirement.
    pub fn indicator(mut self, id: &str, level: &str) -> Self {
        if let Some(r) = self.framework.requirements.last_mut() {
            r.indicators.push(Indicator {
                id: id.into(),
                level: level.into(),
                text: format!("Indicator {id}."),
            });
        }
        self
    }

    /// Adds a profile expecting `default` everywhere except `expected`.
    pub fn profile(mut self, id: &str, default: &str, expected: &[(&str, &str)]) -> Self {
        self.framework.profiles.push(Profile {
            id: id.into(),
            title: format!("Profile {id}"),
            organisation_types: vec![OrgType::NhsTrust],
            default: default.into(),
            expected: expected
                .iter()
                .map(|(r, l)| ((*r).to_owned(), (*l).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        });
        self
    }

    /// The framework, which must pass the framework checks.
    pub fn build(self) -> Framework {
        let problems = check::problems(&self.framework);
        assert!(problems.is_empty(), "test framework: {problems:?}");
        self.framework
    }
}

fn requirement(id: &str, parent: &str, assessable: bool, weight: u32) -> Requirement {
    Requirement {
        id: id.into(),
        parent: parent.into(),
        title: format!("Requirement {id}"),
        text: "Something the organisation does.".into(),
        assessable,
        guidance: String::new(),
        evidence: vec![],
        weight,
        tags: vec![],
        sources: vec!["src".into()],
        indicators: vec![],
    }
}

/// An answer at scale level `index`, done.
pub fn at(requirement: &str, index: usize) -> Answer {
    answer(requirement, Some(Verdict::Level(index)), Workflow::Done)
}

/// A "not applicable" answer, done.
pub fn na(requirement: &str) -> Answer {
    answer(requirement, Some(Verdict::NotApplicable), Workflow::Done)
}

/// Any answer.
pub fn answer(requirement: &str, verdict: Option<Verdict>, workflow: Workflow) -> Answer {
    Answer {
        requirement: requirement.into(),
        verdict,
        workflow,
        indicators: vec![],
    }
}

/// A built-in framework by id.
pub fn builtin(id: &str) -> Framework {
    crate::assure::framework::load::builtin()
        .expect("the built-in frameworks load")
        .into_iter()
        .find(|f| f.about.id == id)
        .expect("the framework is built in")
}
