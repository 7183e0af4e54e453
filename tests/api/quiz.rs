//! The public quiz "Are you a security pro?": ten questions drawn at random, marked on the
//! server, with feedback; tampered forms refused; a shareable result; a rate limit counted in
//! the database; and nothing stored about the visitor.

use std::collections::BTreeMap;

use carecert::{
    knowledge::{
        content::{
            load,
            model::{Question, QuizBank},
        },
        quiz,
    },
    with_db,
};
use reqwest::StatusCode;

use crate::{
    on_both,
    support::{Client, Engine, Page, TestApp, input_value},
};

const NOT_MARKED: &str = "Sorry, we could not mark that quiz";

fn bank() -> QuizBank {
    load::builtin().expect("the built-in content loads").1
}

/// Text as askama writes it into the page.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Answers to send: each question id with the options chosen.
type Answers = Vec<(String, Vec<String>)>;

/// A round as the questions page gave it: the hidden field, and each question with its
/// options in the order shown.
struct Round {
    drawn: String,
    questions: Vec<(String, Vec<String>)>,
}

impl Round {
    fn question<'a>(&self, bank: &'a QuizBank, i: usize) -> &'a Question {
        bank.question
            .iter()
            .find(|q| q.id == self.questions[i].0)
            .expect("a drawn question is in the bank")
    }
}

async fn start(c: &Client) -> (Page, Round) {
    let page = c.get("/quiz/start").await;
    page.assert_ok();
    let drawn = input_value(&page.text, "drawn").expect("the page carries the questions drawn");
    let questions = drawn
        .split(';')
        .map(|part| {
            let (q, options) = part.split_once(':').expect("question:options");
            (
                q.to_owned(),
                options.split(',').map(str::to_owned).collect(),
            )
        })
        .collect();
    (page, Round { drawn, questions })
}

/// Sends answers for a round: `answers` pairs a question id with the options chosen.
async fn submit(c: &Client, drawn: &str, answers: &[(String, Vec<String>)]) -> Page {
    let mut fields: Vec<(String, String)> = vec![("drawn".into(), drawn.into())];
    for (q, chosen) in answers {
        for o in chosen {
            fields.push((format!("answer-{q}"), o.clone()));
        }
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post("/quiz/answers", &borrowed).await
}

fn correct_answers(bank: &QuizBank, round: &Round) -> Answers {
    (0..round.questions.len())
        .map(|i| {
            let q = round.question(bank, i);
            (q.id.clone(), q.correct_ids().map(str::to_owned).collect())
        })
        .collect()
}

on_both!(
    the_questions_page_asks_ten_questions_and_gives_nothing_away,
    |app| {
        let bank = bank();
        let c = app.client();
        let intro = c.get("/quiz").await;
        intro
            .assert_ok()
            .assert_contains("Are you a security pro?")
            .assert_contains("href=\"/quiz/start\"")
            .assert_contains("do not store");

        let (page, round) = start(&c).await;
        assert_eq!(round.questions.len(), bank.questions_per_round as usize);
        assert_eq!(round.questions.len(), 10);
        assert_eq!(page.text.matches("<fieldset").count(), 10);
        assert_eq!(page.text.matches("<legend").count(), 10);
        page.assert_contains("action=\"/quiz/answers\"")
            .assert_contains("name=\"csrf_token\"");
        assert!(
            !page.text.to_lowercase().contains("correct"),
            "the questions page must not say which answers are right:\n{}",
            page.text
        );
        for i in 0..round.questions.len() {
            let q = round.question(&bank, i);
            page.assert_contains(&escaped(&q.prompt));
            assert!(!page.text.contains(&escaped(&q.explanation)));
            for o in &q.options {
                page.assert_contains(&escaped(&o.text));
                assert!(
                    !page.text.contains(&escaped(&o.feedback)),
                    "feedback shown before marking: {}",
                    o.feedback
                );
            }
            let kind = if q.kind.many_answers() {
                "checkbox"
            } else {
                "radio"
            };
            assert_eq!(
                page.text
                    .matches(&format!("name=\"answer-{}\" type=\"{kind}\"", q.id))
                    .count(),
                q.options.len(),
                "{} shows its options as {kind}es",
                q.id
            );
            if q.kind.many_answers() {
                page.assert_contains("Select all that apply");
            }
        }

        // Draws differ, and scenario messages show their links as text, never as links.
        let mut drawn_sets = std::collections::HashSet::new();
        let mut saw_link = false;
        for _ in 0..30 {
            let (page, round) = start(&c).await;
            drawn_sets.insert(round.drawn.clone());
            for i in 0..round.questions.len() {
                let q = round.question(&bank, i);
                let Some(example) = &q.example else { continue };
                page.assert_contains(&escaped(&example.from))
                    .assert_contains(example.channel.label());
                for link in &example.links {
                    saw_link = true;
                    page.assert_contains(&escaped(&format!(
                        "{} (goes to {})",
                        link.text, link.href
                    )));
                    assert!(
                        !page
                            .text
                            .contains(&format!("href=\"{}\"", escaped(&link.href))),
                        "an example's link must not be clickable: {}",
                        link.href
                    );
                }
                for attachment in &example.attachments {
                    page.assert_contains(&escaped(attachment));
                }
            }
            if saw_link && drawn_sets.len() > 1 {
                break;
            }
        }
        assert!(drawn_sets.len() > 1, "every round drew the same questions");
        assert!(saw_link, "no scenario with a link was drawn in 30 rounds");
    }
);

on_both!(all_right_answers_score_ten_with_explanations, |app| {
    let bank = bank();
    let c = app.client();
    let (_, round) = start(&c).await;
    let page = submit(&c, &round.drawn, &correct_answers(&bank, &round)).await;
    page.assert_ok()
        .assert_contains("You scored 10 out of 10")
        .assert_contains("Security pro")
        .assert_contains("href=\"/quiz/result/10-of-10\"")
        .assert_contains("Share your result")
        .assert_contains("href=\"/training\"")
        .assert_contains("Take the full courses")
        .assert_contains("href=\"/quiz/start\"")
        .assert_contains("Try again");
    assert_eq!(page.text.matches(">Correct</strong>").count(), 10);
    assert!(!page.text.contains("Incorrect"));
    assert!(!page.text.contains("You did not answer this question"));
    for i in 0..round.questions.len() {
        let q = round.question(&bank, i);
        page.assert_contains(&escaped(&q.prompt))
            .assert_contains(&escaped(&q.explanation));
        for o in q.options.iter().filter(|o| o.correct) {
            page.assert_contains(&escaped(&o.feedback));
        }
        for s in &q.sources {
            let source = bank.sources.iter().find(|x| &x.id == s).expect("source");
            page.assert_contains(&format!("href=\"{}\"", escaped(&source.url)))
                .assert_contains(&escaped(&source.title));
        }
    }
});

on_both!(wrong_and_missing_answers_are_explained, |app| {
    let bank = bank();
    let c = app.client();
    let (_, round) = start(&c).await;
    // The first question is left unanswered; every other gets a wrong option, where it has one.
    let mut answers = Vec::new();
    let mut wrong_feedback = Vec::new();
    for i in 1..round.questions.len() {
        let q = round.question(&bank, i);
        let wrong = round.questions[i]
            .1
            .iter()
            .filter_map(|id| q.option(id))
            .find(|o| !o.correct);
        if let Some(o) = wrong {
            answers.push((q.id.clone(), vec![o.id.clone()]));
            wrong_feedback.push(o.feedback.clone());
        }
    }
    let page = submit(&c, &round.drawn, &answers).await;
    page.assert_ok()
        .assert_contains("You scored 0 out of 10")
        .assert_contains("Keep learning")
        .assert_contains("You did not answer this question")
        .assert_contains("Not answered")
        .assert_contains("Incorrect")
        .assert_contains("href=\"/quiz/result/0-of-10\"");
    assert!(!page.text.contains(">Correct</strong>"));
    for feedback in &wrong_feedback {
        page.assert_contains(&escaped(feedback));
    }
    // The right answer is still shown for every question.
    for i in 0..round.questions.len() {
        let q = round.question(&bank, i);
        for o in q.options.iter().filter(|o| o.correct) {
            page.assert_contains(&escaped(&o.text));
        }
    }

    // A mixed round: seven right, three wrong, is "nearly there".
    let (_, round) = start(&c).await;
    let mut answers = correct_answers(&bank, &round);
    for answer in answers.iter_mut().take(3) {
        answer.1.clear();
    }
    submit(&c, &round.drawn, &answers)
        .await
        .assert_ok()
        .assert_contains("You scored 7 out of 10")
        .assert_contains("Nearly there")
        .assert_contains("href=\"/quiz/result/7-of-10\"");
});

on_both!(tampered_quizzes_are_not_marked, |app| {
    let bank = bank();
    let c = app.client();
    let (_, round) = start(&c).await;
    let entries: Vec<String> = round
        .questions
        .iter()
        .map(|(q, o)| format!("{q}:{}", o.join(",")))
        .collect();
    let (first_q, first_opts) = &round.questions[0];
    let not_drawn = bank
        .question
        .iter()
        .find(|q| !round.questions.iter().any(|(id, _)| id == &q.id))
        .expect("the bank has more questions than a round");
    let with = |i: usize, entry: String| {
        let mut e = entries.clone();
        e[i] = entry;
        e.join(";")
    };
    let right = correct_answers(&bank, &round);
    let cases: Vec<(&str, String, Answers)> = vec![
        (
            "unknown question",
            with(0, format!("no-such-question:{}", first_opts.join(","))),
            vec![],
        ),
        (
            "option not the question's",
            with(0, format!("{first_q}:{},zz", first_opts.join(","))),
            vec![],
        ),
        (
            "question twice",
            with(entries.len() - 1, entries[0].clone()),
            vec![],
        ),
        ("too few questions", entries[1..].join(";"), vec![]),
        (
            "too many questions",
            format!(
                "{};{}:{}",
                round.drawn,
                not_drawn.id,
                not_drawn
                    .options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            vec![],
        ),
        (
            "answer not among the options",
            round.drawn.clone(),
            vec![(first_q.clone(), vec!["zz".into()])],
        ),
        (
            "answer to a question not drawn",
            round.drawn.clone(),
            vec![(not_drawn.id.clone(), vec![not_drawn.options[0].id.clone()])],
        ),
        ("no questions at all", String::new(), right.clone()),
    ];
    for (what, drawn, answers) in cases {
        let page = submit(&c, &drawn, &answers).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            page.text
        );
        page.assert_contains(NOT_MARKED)
            .assert_contains("Start again")
            .assert_contains("href=\"/quiz/start\"");
        assert!(!page.text.contains("You scored"), "{what}");
    }
    // Two answers to a one-answer question.
    let single = (0..round.questions.len())
        .find(|i| !round.question(&bank, *i).kind.many_answers())
        .expect("a single-answer question");
    let mut two = right.clone();
    two[single].1 = round.questions[single].1[..2].to_vec();
    let page = submit(&c, &round.drawn, &two).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains(NOT_MARKED);
    // The untampered round is still marked.
    submit(&c, &round.drawn, &right)
        .await
        .assert_ok()
        .assert_contains("You scored 10 out of 10");
    // Without the CSRF token, the form is refused before marking.
    let page = c
        .post_raw("/quiz/answers", &[("drawn", round.drawn.as_str())])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
});

on_both!(results_can_be_shared_without_personal_data, |app| {
    let c = app.client();
    let page = c.get("/quiz/result/7-of-10").await;
    page.assert_ok()
        .assert_contains("7 out of 10")
        .assert_contains("Nearly there")
        .assert_contains("href=\"/quiz\"");
    c.get("/quiz/result/10-of-10")
        .await
        .assert_ok()
        .assert_contains("Security pro");
    c.get("/quiz/result/0-of-10")
        .await
        .assert_ok()
        .assert_contains("Keep learning");
    c.get("/quiz/result/50-of-50").await.assert_ok();
    for bad in [
        "11-of-10",
        "1-of-0",
        "0-of-0",
        "1-of-51",
        "07-of-10",
        "-1-of-10",
        "7of10",
        "seven",
        "7-of-10-of-10",
    ] {
        let page = c.get(&format!("/quiz/result/{bad}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}");
    }
});

/// Every table's row count, found from the database's own catalogue so a new table is
/// covered too.
async fn row_counts(app: &TestApp) -> BTreeMap<String, i64> {
    let list = match app.engine {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
        }
        Engine::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let tables: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar::<_, String>(list)
        .fetch_all(pool)
        .await)
    .expect("list tables");
    assert!(tables.iter().any(|t| t == "sign_in_attempts"), "{tables:?}");
    let mut counts = BTreeMap::new();
    for t in tables {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let n: i64 = with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(&sql)
            .fetch_one(pool)
            .await)
        .expect("count rows");
        counts.insert(t, n);
    }
    counts
}

/// Waits for the worker's first round of scheduled scans, which records the audit log's
/// head once soon after start: a write of the worker's own, not of any request.
async fn worker_started(app: &TestApp) {
    for _ in 0..100 {
        let heads: i64 = with_db!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_heads"
        )
        .fetch_one(pool)
        .await)
        .expect("count heads");
        if heads > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the worker recorded no audit log head");
}

on_both!(taking_the_quiz_stores_nothing_but_the_rate_limit, |app| {
    let bank = bank();
    let c = app.client();
    c.get("/quiz").await.assert_ok();
    worker_started(&app).await;
    let before = row_counts(&app).await;
    let (_, round) = start(&c).await;
    submit(&c, &round.drawn, &correct_answers(&bank, &round))
        .await
        .assert_ok();
    c.get("/quiz/result/10-of-10").await.assert_ok();
    let mut after = row_counts(&app).await;
    assert_eq!(
        after.remove("sign_in_attempts"),
        before.get("sign_in_attempts").map(|n| n + 1),
        "one submission is counted for the rate limit"
    );
    let mut before = before;
    before.remove("sign_in_attempts");
    assert_eq!(before, after, "the quiz wrote to the database");

    // The count is kept under a hash of the address, never the address itself.
    let subjects: Vec<String> = with_db!(app.db(), |pool| sqlx::query_scalar::<_, String>(
        "SELECT subject FROM sign_in_attempts WHERE scope = 'quiz'"
    )
    .fetch_all(pool)
    .await)
    .expect("attempts");
    assert_eq!(subjects, vec![quiz::address_subject("127.0.0.1")]);
    assert!(subjects.iter().all(|s| !s.contains("127.0.0.1")));
});

on_both!(too_many_quizzes_from_one_address_are_refused, |app| {
    let bank = bank();
    // Two instances share the count through the database.
    let second = app.second_instance().await;
    let first_client = app.client();
    let second_client = Client::new(&second.base);
    let (_, round) = start(&first_client).await;
    let right = correct_answers(&bank, &round);
    for i in 0..quiz::SUBMISSION_LIMIT {
        let c = if i % 2 == 0 {
            &first_client
        } else {
            &second_client
        };
        let page = submit(c, &round.drawn, &right).await;
        assert_eq!(page.status, StatusCode::OK, "submission {i}: {}", page.text);
    }
    for c in [&first_client, &second_client] {
        let page = submit(c, &round.drawn, &right).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.text);
        page.assert_contains("Wait 10 minutes");
        assert!(!page.text.contains("You scored"));
    }
    // Pages that mark nothing still work.
    first_client.get("/quiz/start").await.assert_ok();
    second.stop().await;
});
