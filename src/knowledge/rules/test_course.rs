//! Small courses built in code for the rules' unit tests.

use crate::knowledge::content::model::{AnswerOption, Course, Lesson, Question, QuestionKind};

fn options(correct: &[&str]) -> Vec<AnswerOption> {
    ["a", "b", "c", "d"]
        .iter()
        .map(|id| AnswerOption {
            id: id.to_string(),
            text: format!("Option {id}"),
            correct: correct.contains(id),
            feedback: format!("Feedback {id}"),
        })
        .collect()
}

fn question(id: &str, lesson: &str, kind: QuestionKind, correct: &[&str]) -> Question {
    Question {
        id: id.into(),
        lesson: Some(lesson.into()),
        kind,
        knowledge_check: false,
        prompt: format!("Prompt {id}"),
        explanation: "Because.".into(),
        sources: vec!["s".into()],
        example: None,
        options: options(correct),
    }
}

pub fn single(id: &str, lesson: &str, correct: &str) -> Question {
    question(id, lesson, QuestionKind::Single, &[correct])
}

pub fn multiple(id: &str, lesson: &str, correct: &[&str]) -> Question {
    question(id, lesson, QuestionKind::Multiple, correct)
}

/// A course of `lessons` lessons with `per_lesson` assessment questions each (and one
/// knowledge check each), drawing `draw` per attempt.
pub fn course(lessons: usize, per_lesson: usize, draw: u32) -> Course {
    let mut questions = Vec::new();
    let mut ls = Vec::new();
    for l in 0..lessons {
        let lesson = format!("l{l}");
        for i in 0..per_lesson {
            questions.push(single(&format!("{lesson}-q{i}"), &lesson, "a"));
        }
        let mut check = single(&format!("{lesson}-check"), &lesson, "a");
        check.knowledge_check = true;
        questions.push(check);
        ls.push(Lesson {
            id: lesson.clone(),
            title: format!("Lesson {l}"),
            minutes: 5,
            sources: vec!["s".into()],
            markdown: "Text".into(),
        });
    }
    Course {
        slug: "test".into(),
        title: "Test".into(),
        summary: "A test course".into(),
        version: "1".into(),
        mandatory: true,
        audience: vec!["clinical".into()],
        minutes: 10,
        pass_mark: 80,
        validity_months: 12,
        questions_per_attempt: draw,
        lessons: ls,
        sources: vec![],
        questions,
    }
}
