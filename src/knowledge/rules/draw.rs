//! Drawing an assessment: which questions a learner gets and in what option order.

use std::collections::{BTreeMap, HashSet};

use rand::{Rng, seq::SliceRandom};
use serde::{Deserialize, Serialize};

use crate::knowledge::content::model::{Course, Question};

/// One drawn question and the order its options are shown in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawn {
    pub question: String,
    pub options: Vec<String>,
}

/// Draws `n` questions from `bank`, spread as evenly as possible across lessons (round
/// robin over the lessons in random order), preferring questions the learner has not seen
/// (`seen`) so that a retake is a fresh draw. Options are shuffled too.
pub fn draw<'a, R: Rng>(
    bank: impl Iterator<Item = &'a Question>,
    n: usize,
    seen: &HashSet<String>,
    rng: &mut R,
) -> Vec<Drawn> {
    let mut by_lesson: BTreeMap<&str, Vec<&Question>> = BTreeMap::new();
    for q in bank {
        by_lesson
            .entry(q.lesson.as_deref().unwrap_or(""))
            .or_default()
            .push(q);
    }
    let mut groups: Vec<Vec<&Question>> = by_lesson
        .into_values()
        .map(|mut qs| {
            qs.shuffle(rng);
            // Stable sort keeps the shuffle within each half: unseen first.
            qs.sort_by_key(|q| seen.contains(&q.id));
            qs.reverse();
            qs
        })
        .collect();
    groups.shuffle(rng);
    let mut picked = Vec::with_capacity(n);
    while picked.len() < n && groups.iter().any(|g| !g.is_empty()) {
        for g in groups.iter_mut() {
            if picked.len() == n {
                break;
            }
            if let Some(q) = g.pop() {
                picked.push(q);
            }
        }
    }
    picked.shuffle(rng);
    picked.into_iter().map(|q| shuffled(q, rng)).collect()
}

/// A question with its options in a random order (true/false stays True, False).
pub fn shuffled<R: Rng>(q: &Question, rng: &mut R) -> Drawn {
    let mut options: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
    if q.kind == crate::knowledge::content::model::QuestionKind::TrueFalse {
        options.sort_by_key(|id| id != "true");
    } else {
        options.shuffle(rng);
    }
    Drawn {
        question: q.id.clone(),
        options,
    }
}

/// Draws an assessment for a course.
pub fn draw_assessment<R: Rng>(course: &Course, seen: &HashSet<String>, rng: &mut R) -> Vec<Drawn> {
    draw(
        course.assessment_bank(),
        course.questions_per_attempt as usize,
        seen,
        rng,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::rules::test_course::course;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn draws_the_asked_number_spread_across_lessons() {
        let c = course(3, 10, 9);
        let mut rng = StdRng::seed_from_u64(7);
        let drawn = draw_assessment(&c, &HashSet::new(), &mut rng);
        assert_eq!(drawn.len(), 9);
        let mut per_lesson = BTreeMap::new();
        for d in &drawn {
            let q = c.question(&d.question).unwrap();
            *per_lesson.entry(q.lesson.clone().unwrap()).or_insert(0) += 1;
        }
        assert_eq!(per_lesson.len(), 3);
        assert!(per_lesson.values().all(|n| *n == 3), "{per_lesson:?}");
        let ids: HashSet<_> = drawn.iter().map(|d| &d.question).collect();
        assert_eq!(ids.len(), 9, "no question twice");
    }

    #[test]
    fn never_draws_knowledge_checks() {
        let c = course(2, 5, 10);
        let drawn = draw_assessment(&c, &HashSet::new(), &mut StdRng::seed_from_u64(1));
        for d in drawn {
            assert!(!c.question(&d.question).unwrap().knowledge_check);
        }
    }

    #[test]
    fn a_retake_prefers_questions_not_seen_before() {
        let c = course(3, 10, 9);
        let mut rng = StdRng::seed_from_u64(3);
        let first = draw_assessment(&c, &HashSet::new(), &mut rng);
        let seen: HashSet<String> = first.iter().map(|d| d.question.clone()).collect();
        let second = draw_assessment(&c, &seen, &mut rng);
        assert!(second.iter().all(|d| !seen.contains(&d.question)));
    }

    #[test]
    fn options_are_a_permutation_and_orders_vary() {
        let c = course(1, 20, 20);
        let mut rng = StdRng::seed_from_u64(11);
        let drawn = draw_assessment(&c, &HashSet::new(), &mut rng);
        let mut moved = false;
        for d in &drawn {
            let q = c.question(&d.question).unwrap();
            let mut a = d.options.clone();
            a.sort();
            let mut b: Vec<_> = q.options.iter().map(|o| o.id.clone()).collect();
            moved |= b != d.options;
            b.sort();
            assert_eq!(a, b);
        }
        assert!(moved, "options were never shuffled");
    }
}
