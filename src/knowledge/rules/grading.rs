//! Grading: checking a learner's choices against a question and scoring an attempt. The
//! server grades; the page never holds the answers.

use std::collections::HashMap;

use crate::knowledge::content::model::{Question, QuestionKind};

use super::draw::Drawn;

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("That question is not part of this attempt.")]
    UnknownQuestion,
    #[error("That answer is not one of the options for this question.")]
    UnknownOption,
    #[error("Choose one answer only.")]
    TooMany,
}

/// Checks a learner's choices for one drawn question: the options must be ones shown, and
/// single-answer questions take one. Returns the choices in display order, without repeats.
pub fn validate_choice(
    question: &Question,
    drawn: &Drawn,
    chosen: &[String],
) -> Result<Vec<String>, AnswerError> {
    if chosen.iter().any(|c| !drawn.options.contains(c)) {
        return Err(AnswerError::UnknownOption);
    }
    let picked: Vec<String> = drawn
        .options
        .iter()
        .filter(|o| chosen.contains(o))
        .cloned()
        .collect();
    if !question.kind.many_answers() && picked.len() > 1 {
        return Err(AnswerError::TooMany);
    }
    Ok(picked)
}

/// Whether a set of choices is exactly right: for "select all that apply", every correct
/// option and no other.
pub fn is_correct(question: &Question, chosen: &[String]) -> bool {
    let mut want: Vec<&str> = question.correct_ids().collect();
    let mut got: Vec<&str> = chosen.iter().map(String::as_str).collect();
    want.sort_unstable();
    got.sort_unstable();
    got.dedup();
    !want.is_empty() && want == got && (question.kind == QuestionKind::Multiple || got.len() == 1)
}

/// The result of a submitted attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub correct: u32,
    pub total: u32,
    /// Whole percent, rounded down (so 79.9% shows as 79%, never as a pass mark it missed).
    pub percent: u32,
    pub passed: bool,
    /// Per drawn question, in order: whether it was answered correctly.
    pub per_question: Vec<(String, bool)>,
}

/// Scores an attempt. Unanswered questions count as wrong.
pub fn score<'a>(
    drawn: &[Drawn],
    lookup: impl Fn(&str) -> Option<&'a Question>,
    answers: &HashMap<String, Vec<String>>,
    pass_mark: u32,
) -> Score {
    let per_question: Vec<(String, bool)> = drawn
        .iter()
        .map(|d| {
            let ok = match (lookup(&d.question), answers.get(&d.question)) {
                (Some(q), Some(chosen)) => is_correct(q, chosen),
                _ => false,
            };
            (d.question.clone(), ok)
        })
        .collect();
    let total = per_question.len() as u32;
    let correct = per_question.iter().filter(|(_, ok)| *ok).count() as u32;
    let percent = (correct * 100).checked_div(total).unwrap_or(0);
    Score {
        correct,
        total,
        percent,
        passed: total > 0 && correct * 100 >= pass_mark * total,
        per_question,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::rules::test_course::{multiple, single};

    fn drawn(q: &Question) -> Drawn {
        Drawn {
            question: q.id.clone(),
            options: q.options.iter().map(|o| o.id.clone()).collect(),
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_choice_is_right_only_with_the_correct_option() {
        let q = single("q1", "l1", "b");
        assert!(is_correct(&q, &ids(&["b"])));
        assert!(!is_correct(&q, &ids(&["a"])));
        assert!(!is_correct(&q, &[]));
    }

    #[test]
    fn select_all_needs_exactly_the_correct_set() {
        let q = multiple("q2", "l1", &["a", "c"]);
        assert!(is_correct(&q, &ids(&["c", "a"])));
        assert!(!is_correct(&q, &ids(&["a"])));
        assert!(!is_correct(&q, &ids(&["a", "b", "c"])));
    }

    #[test]
    fn choices_must_be_options_shown() {
        let q = single("q1", "l1", "b");
        let d = drawn(&q);
        assert_eq!(
            validate_choice(&q, &d, &ids(&["zz"])),
            Err(AnswerError::UnknownOption)
        );
        assert_eq!(
            validate_choice(&q, &d, &ids(&["a", "b"])),
            Err(AnswerError::TooMany)
        );
        assert_eq!(validate_choice(&q, &d, &ids(&["b"])), Ok(ids(&["b"])));
        let m = multiple("q2", "l1", &["a", "c"]);
        assert_eq!(
            validate_choice(&m, &drawn(&m), &ids(&["c", "a", "c"])),
            Ok(ids(&["a", "c"]))
        );
    }

    #[test]
    fn score_rounds_down_and_passes_at_the_mark() {
        let qs: Vec<Question> = (0..5)
            .map(|i| single(&format!("q{i}"), "l1", "a"))
            .collect();
        let d: Vec<Drawn> = qs.iter().map(drawn).collect();
        let lookup = |id: &str| qs.iter().find(|q| q.id == id);
        let mut answers = HashMap::new();
        for q in &qs[..4] {
            answers.insert(q.id.clone(), ids(&["a"]));
        }
        let s = score(&d, lookup, &answers, 80);
        assert_eq!((s.correct, s.total, s.percent, s.passed), (4, 5, 80, true));
        let s = score(&d, lookup, &answers, 81);
        assert!(!s.passed);
        answers.insert("q4".into(), ids(&["b"]));
        answers.insert("q0".into(), ids(&["b"]));
        let s = score(&d, lookup, &answers, 80);
        assert_eq!((s.correct, s.percent, s.passed), (3, 60, false));
        assert_eq!(s.per_question[0], ("q0".to_string(), false));
    }

    #[test]
    fn thirteen_of_eighteen_rounds_down_below_the_pass_mark() {
        let qs: Vec<Question> = (0..18)
            .map(|i| single(&format!("q{i}"), "l1", "a"))
            .collect();
        let d: Vec<Drawn> = qs.iter().map(drawn).collect();
        let answers = qs[..14]
            .iter()
            .map(|q| (q.id.clone(), ids(&["a"])))
            .collect();
        let s = score(&d, |id| qs.iter().find(|q| q.id == id), &answers, 80);
        assert_eq!((s.percent, s.passed), (77, false));
    }
}
