//! Validation of course and quiz content: everything an author can get wrong, reported as a
//! list of problems naming the file and what to fix. A course with any problem is refused.

use std::collections::{BTreeMap, HashSet};

use crate::{platform::provenance, staff::groups::StaffGroup};

use super::model::{Course, Question, QuestionKind, QuizBank, Source};

/// One thing wrong with some content, and where.
pub use crate::platform::provenance::Finding as Problem;

/// The fewest assessment questions the mandatory course may have.
pub const MANDATORY_BANK_MIN: usize = 60;
/// The fewest questions the public quiz bank may have.
pub const QUIZ_BANK_MIN: usize = 30;

pub(crate) struct Report {
    file: String,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn new(file: impl Into<String>) -> Self {
        Report {
            file: file.into(),
            problems: Vec::new(),
        }
    }

    pub fn at(&mut self, file: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.to_owned(),
            message: message.into(),
        });
    }

    fn here(&mut self, message: impl Into<String>) {
        let file = self.file.clone();
        self.at(&file, message);
    }
}

pub use crate::platform::provenance::valid_id;

fn check_sources(report: &mut Report, sources: &[Source]) -> HashSet<String> {
    let (problems, ids) = provenance::problems(sources);
    for p in problems {
        report.here(p);
    }
    ids
}

/// Checks one question; `lessons` is `None` for the public quiz (which has no lessons).
fn check_question(
    report: &mut Report,
    file: &str,
    q: &Question,
    sources: &HashSet<String>,
    lessons: Option<&HashSet<String>>,
) {
    let name = format!("question {:?}", q.id);
    if !valid_id(&q.id) {
        report.at(
            file,
            format!("{name}: ids must be lower-case letters, digits and hyphens"),
        );
    }
    match (lessons, &q.lesson) {
        (Some(_), None) => report.at(file, format!("{name} does not say which lesson it tests")),
        (Some(lessons), Some(l)) if !lessons.contains(l) => report.at(
            file,
            format!("{name} names lesson {l:?}, which does not exist"),
        ),
        (None, Some(_)) => report.at(file, format!("{name}: quiz questions have no lesson")),
        _ => {}
    }
    if lessons.is_none() && q.knowledge_check {
        report.at(
            file,
            format!("{name}: quiz questions cannot be knowledge checks"),
        );
    }
    if q.prompt.trim().is_empty() {
        report.at(file, format!("{name} has no prompt"));
    }
    if q.explanation.trim().is_empty() {
        report.at(file, format!("{name} has no explanation"));
    }
    if q.sources.is_empty() {
        report.at(file, format!("{name} cites no sources"));
    }
    for s in &q.sources {
        if !sources.contains(s) {
            report.at(
                file,
                format!("{name} cites source {s:?}, which is not listed"),
            );
        }
    }
    let mut option_ids = HashSet::new();
    for o in &q.options {
        if !valid_id(&o.id) {
            report.at(
                file,
                format!(
                    "{name}: option id {:?} must be lower-case letters, digits and hyphens",
                    o.id
                ),
            );
        }
        if !option_ids.insert(o.id.as_str()) {
            report.at(file, format!("{name}: option id {:?} is used twice", o.id));
        }
        if o.text.trim().is_empty() {
            report.at(file, format!("{name}: option {:?} has no text", o.id));
        }
        if o.feedback.trim().is_empty() {
            report.at(file, format!("{name}: option {:?} has no feedback", o.id));
        }
    }
    let correct = q.options.iter().filter(|o| o.correct).count();
    let n = q.options.len();
    match q.kind {
        QuestionKind::Single | QuestionKind::Scenario => {
            if correct != 1 {
                report.at(
                    file,
                    format!("{name} must have exactly one correct option (it has {correct})"),
                );
            }
            if !(2..=5).contains(&n) {
                report.at(
                    file,
                    format!("{name} should have 2 to 5 options (it has {n})"),
                );
            }
        }
        QuestionKind::Multiple => {
            if correct == 0 {
                report.at(file, format!("{name} has no correct option"));
            }
            if !(3..=6).contains(&n) {
                report.at(
                    file,
                    format!("{name} should have 3 to 6 options (it has {n})"),
                );
            }
        }
        QuestionKind::TrueFalse => {
            let mut ids: Vec<&str> = q.options.iter().map(|o| o.id.as_str()).collect();
            ids.sort_unstable();
            if ids != ["false", "true"] || correct != 1 {
                report.at(
                    file,
                    format!("{name}: a true/false question has two options, \"true\" and \"false\", one of them correct"),
                );
            }
        }
    }
    match (q.kind, &q.example) {
        (QuestionKind::Scenario, None) => report.at(
            file,
            format!("{name} is a scenario but has no example message"),
        ),
        (QuestionKind::Scenario, Some(e))
            if e.body.trim().is_empty() || e.from.trim().is_empty() =>
        {
            report.at(
                file,
                format!("{name}: the example needs a sender and a body"),
            )
        }
        _ => {}
    }
}

/// The parts of a course folder, parsed, for checking and assembly.
pub struct Parts<'a> {
    pub folder: &'a str,
    pub manifest_file: String,
    pub course: &'a Course,
    /// Which file each question came from, for messages.
    pub question_files: &'a BTreeMap<String, String>,
}

/// Checks an assembled course. `Course` may hold references that do not resolve: this is
/// what finds them.
pub(crate) fn check_course(report: &mut Report, parts: &Parts<'_>) {
    let c = parts.course;
    let manifest = parts.manifest_file.as_str();
    if !valid_id(&c.slug) {
        report.at(
            manifest,
            format!(
                "slug {:?} must be lower-case letters, digits and hyphens",
                c.slug
            ),
        );
    }
    if c.slug != parts.folder {
        report.at(
            manifest,
            format!(
                "slug {:?} must match the folder name {:?}",
                c.slug, parts.folder
            ),
        );
    }
    for (field, value) in [
        ("title", &c.title),
        ("summary", &c.summary),
        ("version", &c.version),
    ] {
        if value.trim().is_empty() {
            report.at(manifest, format!("{field} is empty"));
        }
    }
    if c.version.len() > 40 {
        report.at(manifest, "version is too long (40 characters at most)");
    }
    if !(1..=100).contains(&c.pass_mark) {
        report.at(
            manifest,
            format!("pass_mark must be 1 to 100 (it is {})", c.pass_mark),
        );
    }
    if !(1..=60).contains(&c.validity_months) {
        report.at(
            manifest,
            format!(
                "validity_months must be 1 to 60 (it is {})",
                c.validity_months
            ),
        );
    }
    if c.minutes == 0 {
        report.at(manifest, "minutes must be more than 0");
    }
    if c.audience.is_empty() {
        report.at(manifest, "audience names no staff groups");
    }
    for a in &c.audience {
        if StaffGroup::parse(a).map(|g| g.as_str()) != Some(a.as_str()) {
            report.at(
                manifest,
                format!(
                    "audience {a:?} is not a staff group (use {})",
                    StaffGroup::accepted_values()
                ),
            );
        }
    }
    let sources = {
        let mut r = Report::new(manifest);
        let s = check_sources(&mut r, &c.sources);
        report.problems.extend(r.problems);
        s
    };
    if c.lessons.is_empty() {
        report.at(manifest, "the course has no lessons");
    }
    let mut lessons = HashSet::new();
    for l in &c.lessons {
        if !valid_id(&l.id) {
            report.at(
                manifest,
                format!(
                    "lesson id {:?} must be lower-case letters, digits and hyphens",
                    l.id
                ),
            );
        }
        if !lessons.insert(l.id.clone()) {
            report.at(manifest, format!("lesson id {:?} is used twice", l.id));
        }
        if l.title.trim().is_empty() {
            report.at(manifest, format!("lesson {:?} has no title", l.id));
        }
        if l.sources.is_empty() {
            report.at(manifest, format!("lesson {:?} cites no sources", l.id));
        }
        for s in &l.sources {
            if !sources.contains(s) {
                report.at(
                    manifest,
                    format!("lesson {:?} cites source {s:?}, which is not listed", l.id),
                );
            }
        }
        if l.markdown.trim().is_empty() {
            report.at(manifest, format!("lesson {:?} has no text", l.id));
        }
    }
    let mut ids = HashSet::new();
    for q in &c.questions {
        let file = parts
            .question_files
            .get(&q.id)
            .map(String::as_str)
            .unwrap_or(manifest);
        if !ids.insert(q.id.as_str()) {
            report.at(file, format!("question id {:?} is used twice", q.id));
        }
        check_question(report, file, q, &sources, Some(&lessons));
    }
    for l in &c.lessons {
        if c.checks_for(&l.id).next().is_none() {
            report.at(
                manifest,
                format!("lesson {:?} has no knowledge-check question", l.id),
            );
        }
        if !c
            .assessment_bank()
            .any(|q| q.lesson.as_deref() == Some(l.id.as_str()))
        {
            report.at(
                manifest,
                format!("lesson {:?} has no assessment question", l.id),
            );
        }
    }
    let bank = c.assessment_bank().count();
    if c.questions_per_attempt == 0 {
        report.at(manifest, "questions_per_attempt must be more than 0");
    } else if bank < c.questions_per_attempt as usize {
        report.at(
            manifest,
            format!(
                "questions_per_attempt is {} but the bank has only {bank} assessment questions",
                c.questions_per_attempt
            ),
        );
    }
    if c.mandatory && bank < MANDATORY_BANK_MIN {
        report.at(
            manifest,
            format!("the mandatory course needs at least {MANDATORY_BANK_MIN} assessment questions (it has {bank})"),
        );
    }
}

/// Checks the public quiz bank.
pub(crate) fn check_quiz(report: &mut Report, quiz: &QuizBank) {
    let sources = check_sources(report, &quiz.sources);
    let file = report.file.clone();
    let mut ids = HashSet::new();
    for q in &quiz.question {
        if !ids.insert(q.id.as_str()) {
            report.at(&file, format!("question id {:?} is used twice", q.id));
        }
        check_question(report, &file, q, &sources, None);
    }
    if quiz.questions_per_round == 0 {
        report.here("questions_per_round must be more than 0");
    }
    if quiz.question.len() < QUIZ_BANK_MIN.max(quiz.questions_per_round as usize) {
        report.here(format!(
            "the quiz needs at least {QUIZ_BANK_MIN} questions (it has {})",
            quiz.question.len()
        ));
    }
}
