//! What the course pages show of a question: its options in the order drawn, what the
//! learner chose and — only after grading — which were right, with feedback. Also reading
//! answers from a submitted form.

use std::collections::HashMap;

use crate::knowledge::{
    content::model::{Course, Example, Question, Source},
    rules::{draw::Drawn, grading},
};

pub struct OptionView {
    pub id: String,
    pub text: String,
    pub chosen: bool,
    /// After grading: whether this option is a right answer.
    pub correct: Option<bool>,
    pub feedback: Option<String>,
}

pub struct QuestionView {
    pub id: String,
    pub number: usize,
    pub prompt: String,
    pub many: bool,
    pub example: Option<Example>,
    pub options: Vec<OptionView>,
    /// After grading: whether the learner's answer was right.
    pub result: Option<bool>,
    pub answered: bool,
    pub explanation: Option<String>,
    pub sources: Vec<Source>,
}

impl QuestionView {
    /// The form field name for this question's answer.
    pub fn field(&self) -> String {
        format!("q.{}", self.id)
    }
}

/// Builds the view of a question. `graded` shows right answers, feedback and explanation.
pub fn question_view(
    course: &Course,
    q: &Question,
    order: &[String],
    number: usize,
    chosen: &[String],
    graded: bool,
) -> QuestionView {
    let options = order
        .iter()
        .filter_map(|id| q.option(id))
        .map(|o| {
            let is_chosen = chosen.contains(&o.id);
            OptionView {
                id: o.id.clone(),
                text: o.text.clone(),
                chosen: is_chosen,
                correct: graded.then_some(o.correct),
                feedback: (graded && (is_chosen || o.correct)).then(|| o.feedback.clone()),
            }
        })
        .collect();
    QuestionView {
        id: q.id.clone(),
        number,
        prompt: q.prompt.clone(),
        many: q.kind.many_answers(),
        example: q.example.clone(),
        options,
        result: graded.then(|| grading::is_correct(q, chosen)),
        answered: !chosen.is_empty(),
        explanation: graded.then(|| q.explanation.clone()),
        sources: if graded {
            q.sources
                .iter()
                .filter_map(|s| course.source(s).cloned())
                .collect()
        } else {
            vec![]
        },
    }
}

/// The views of drawn questions with the learner's answers.
pub fn drawn_views(
    course: &Course,
    drawn: &[Drawn],
    answers: &HashMap<String, Vec<String>>,
    graded: bool,
) -> Vec<QuestionView> {
    drawn
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let q = course.question(&d.question)?;
            let chosen = answers.get(&d.question).map(Vec::as_slice).unwrap_or(&[]);
            Some(question_view(course, q, &d.options, i + 1, chosen, graded))
        })
        .collect()
}

/// Reads `q.<question id>` fields from a URL-encoded form body, keeping repeated values
/// (checkboxes). Other fields are ignored.
pub fn answers_from_form(body: &[u8]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        if let Some(q) = k.strip_prefix("q.") {
            let entry = out.entry(q.to_owned()).or_default();
            if !v.is_empty() {
                entry.push(v.into_owned());
            }
        }
    }
    out
}

/// Checks submitted answers against the drawn questions. Answers to questions not drawn,
/// or options not shown, are refused with a message.
pub fn validate_answers(
    course: &Course,
    drawn: &[Drawn],
    submitted: &HashMap<String, Vec<String>>,
) -> Result<Vec<(String, Vec<String>)>, grading::AnswerError> {
    let mut out = Vec::new();
    for (qid, chosen) in submitted {
        let d = drawn
            .iter()
            .find(|d| &d.question == qid)
            .ok_or(grading::AnswerError::UnknownQuestion)?;
        let q = course
            .question(qid)
            .ok_or(grading::AnswerError::UnknownQuestion)?;
        out.push((qid.clone(), grading::validate_choice(q, d, chosen)?));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_checkbox_fields_are_kept() {
        let a = answers_from_form(b"csrf_token=x&q.one=a&q.two=b&q.two=c&q.three=");
        assert_eq!(a["one"], vec!["a"]);
        assert_eq!(a["two"], vec!["b", "c"]);
        assert!(a["three"].is_empty());
        assert!(!a.contains_key("csrf_token"));
    }
}
