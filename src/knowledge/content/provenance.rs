//! Knowledge's part of content provenance: the check of a content folder's courses and
//! quiz for `carecert content check`, and what each source of the live content is relied
//! on by, for the national content page.

use std::path::Path;

use super::{
    load,
    model::{Course, Question, QuizBank, Source},
};
use crate::platform::provenance::{
    ContentReport, Finding,
    page::{CitedSource, SourceUse},
};

/// Checks the courses and the quiz under `root` (`courses/…`, `quiz/quiz.toml`).
pub fn check_folder(root: &Path) -> ContentReport {
    let mut report = ContentReport::default();
    match load::from_content_dir(root) {
        Ok((courses, quiz)) => {
            for c in &courses {
                report.passed.push(format!(
                    "course {} {} ({} lessons, {} questions)",
                    c.slug,
                    c.version,
                    c.lessons.len(),
                    c.questions.len()
                ));
                let file = format!("courses/{}", c.slug);
                report
                    .sources
                    .extend(c.sources.iter().map(|s| (file.clone(), s.clone())));
            }
            report
                .passed
                .push(format!("quiz ({} questions)", quiz.question.len()));
            report.sources.extend(
                quiz.sources
                    .iter()
                    .map(|s| ("quiz/quiz.toml".to_owned(), s.clone())),
            );
        }
        Err(load::LoadError::Invalid(problems)) => report.problems = problems,
        Err(other) => report.problems.push(Finding {
            file: root.display().to_string(),
            message: other.to_string(),
        }),
    }
    report
}

/// A question as the content page names it: its id and the start of its prompt.
fn question_use(q: &Question) -> SourceUse {
    const SHOWN: usize = 70;
    let prompt: String = q.prompt.chars().take(SHOWN).collect();
    let more = if q.prompt.chars().count() > SHOWN {
        "…"
    } else {
        ""
    };
    SourceUse {
        label: format!("Question {}: {prompt}{more}", q.id),
        href: None,
    }
}

fn cite(
    source: &Source,
    cited_in: &str,
    lessons: Vec<SourceUse>,
    questions: &[Question],
) -> CitedSource {
    let mut used_by = lessons;
    used_by.extend(
        questions
            .iter()
            .filter(|q| q.sources.contains(&source.id))
            .map(question_use),
    );
    CitedSource {
        source: source.clone(),
        cited_in: cited_in.to_owned(),
        used_by,
    }
}

/// Every source of a course version, with the lessons (linked) and questions citing it.
pub fn cited_by_course(course: &Course) -> Vec<CitedSource> {
    let cited_in = format!("{} (version {})", course.title, course.version);
    course
        .sources
        .iter()
        .map(|s| {
            let lessons = course
                .lessons
                .iter()
                .filter(|l| l.sources.contains(&s.id))
                .map(|l| SourceUse {
                    label: format!("Lesson: {}", l.title),
                    href: Some(format!("/training/{}/lessons/{}", course.slug, l.id)),
                })
                .collect();
            cite(s, &cited_in, lessons, &course.questions)
        })
        .collect()
}

/// Every source of the public quiz, with the questions citing it.
pub fn cited_by_quiz(quiz: &QuizBank) -> Vec<CitedSource> {
    quiz.sources
        .iter()
        .map(|s| cite(s, &quiz.title, vec![], &quiz.question))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_lists_the_lessons_and_questions_that_cite_it() {
        let (courses, quiz) = load::builtin().expect("built-in content");
        let course = courses
            .iter()
            .find(|c| c.slug == "data-security-awareness")
            .expect("the mandatory course");
        let cited = cited_by_course(course);
        assert_eq!(cited.len(), course.sources.len());
        let first_lesson = &course.lessons[0];
        let source = &first_lesson.sources[0];
        let entry = cited
            .iter()
            .find(|c| &c.source.id == source)
            .expect("the lesson's source");
        let link = format!("/training/{}/lessons/{}", course.slug, first_lesson.id);
        assert!(
            entry
                .used_by
                .iter()
                .any(|u| u.href.as_deref() == Some(link.as_str())),
            "{entry:?}"
        );
        let citing = course
            .questions
            .iter()
            .filter(|q| q.sources.contains(source))
            .count();
        let lessons = course
            .lessons
            .iter()
            .filter(|l| l.sources.contains(source))
            .count();
        assert_eq!(entry.used_by.len(), lessons + citing);

        let quiz_cited = cited_by_quiz(&quiz);
        assert_eq!(quiz_cited.len(), quiz.sources.len());
        assert!(quiz_cited.iter().all(|c| !c.used_by.is_empty()));
    }

    #[test]
    fn the_shipped_folder_passes_with_a_date_on_every_source() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let report = check_folder(&root);
        assert_eq!(report.problems, vec![]);
        assert!(!report.sources.is_empty());
        assert!(report.sources.iter().all(|(_, s)| s.checked.is_some()));
    }
}
