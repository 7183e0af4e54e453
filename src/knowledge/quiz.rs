//! The public quiz, "Are you a security pro?": ten questions drawn at random from the
//! built-in bank, marked on the server, with feedback and sources for every answer.
//!
//! Nothing about the visitor is stored. The questions drawn and the order of their options
//! travel in the form itself and are checked against the bank when it comes back, so the
//! page never holds the answers and any instance can mark any quiz. The only database write
//! is the rate limit's counter, kept under a hash of the client's address.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use askama::Template;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::{
    identity::store::record_attempt,
    knowledge::{
        content::{
            load,
            model::{Example, Question, QuizBank, Source},
        },
        rules::{
            draw::{Drawn, draw},
            grading::{score, validate_choice},
        },
    },
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

/// Quizzes one address may send for marking in [`SUBMISSION_WINDOW`].
pub const SUBMISSION_LIMIT: i64 = 30;
pub const SUBMISSION_WINDOW: Duration = Duration::minutes(10);
/// The largest total a shared result may name.
pub const MAX_SHARED_TOTAL: u32 = 50;
/// The rate limit's scope in `sign_in_attempts`.
pub const SCOPE: &str = "quiz";

/// The name of the hidden field that carries the questions drawn and their option order.
const DRAWN_FIELD: &str = "drawn";
/// Answers are sent as `answer-<question id>`, once per option chosen.
const ANSWER_PREFIX: &str = "answer-";

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/quiz", Rule::Public, intro),
        Route::get("/quiz/start", Rule::Public, start),
        Route::post("/quiz/answers", Rule::Public, answers),
        Route::get("/quiz/result/{result}", Rule::Public, shared),
    ]
}

/// The built-in quiz bank, loaded and checked once per process. The content is built into
/// the binary and checked by the content tests, so a failure here is a build mistake; it is
/// kept as an error (and logged) rather than a panic so the rest of the service still runs.
static BANK: LazyLock<Result<QuizBank, String>> = LazyLock::new(|| {
    load::builtin().map(|(_, quiz)| quiz).map_err(|e| {
        tracing::error!(error = %e, "the built-in quiz bank is not valid");
        e.to_string()
    })
});

pub(crate) fn bank() -> AppResult<&'static QuizBank> {
    BANK.as_ref()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("quiz bank: {e}")))
}

// ---- Pure rules ----

/// How a score is described: the verdict's title and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub title: &'static str,
    pub message: &'static str,
}

/// The verdict for `correct` out of `total`: 90% or more is a security pro, 60% or more is
/// nearly there (with 10 questions: 9–10, 6–8 and 0–5).
pub fn band(correct: u32, total: u32) -> Band {
    if total > 0 && correct * 10 >= total * 9 {
        Band {
            title: "Security pro",
            message: "You know how to keep yourself and your accounts safe online.",
        }
    } else if total > 0 && correct * 10 >= total * 6 {
        Band {
            title: "Nearly there",
            message: "You know a lot already. Read the explanations to fill the gaps.",
        }
    } else {
        Band {
            title: "Keep learning",
            message: "The explanations below show what to look out for and where to find out more.",
        }
    }
}

/// Writes the questions drawn and their option order for the hidden field:
/// `question:option,option;question:option,…`. Ids are lower-case letters, digits and
/// hyphens (the content checks insist), so the separators cannot appear in them.
pub fn encode_drawn(drawn: &[Drawn]) -> String {
    drawn
        .iter()
        .map(|d| format!("{}:{}", d.question, d.options.join(",")))
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads the hidden field back, accepting only what the server could have drawn: exactly
/// `questions_per_round` different questions from the bank, each with all of its own
/// options, once each.
pub fn decode_drawn(bank: &QuizBank, field: &str) -> Option<Vec<Drawn>> {
    let mut seen = HashSet::new();
    let mut drawn = Vec::new();
    for part in field.split(';') {
        let (id, options) = part.split_once(':')?;
        let question = bank.question.iter().find(|q| q.id == id)?;
        if !seen.insert(id) {
            return None;
        }
        let options: Vec<String> = options.split(',').map(str::to_owned).collect();
        let mut given: Vec<&str> = options.iter().map(String::as_str).collect();
        let mut own: Vec<&str> = question.options.iter().map(|o| o.id.as_str()).collect();
        given.sort_unstable();
        own.sort_unstable();
        if given != own {
            return None;
        }
        drawn.push(Drawn {
            question: id.to_owned(),
            options,
        });
    }
    (drawn.len() == bank.questions_per_round as usize).then_some(drawn)
}

/// Reads a shared result's path segment, `7-of-10`, written exactly so.
pub fn parse_result(segment: &str) -> Option<(u32, u32)> {
    let (correct, total) = segment.split_once("-of-")?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(correct) || !digits(total) {
        return None;
    }
    let (correct, total): (u32, u32) = (correct.parse().ok()?, total.parse().ok()?);
    let canonical = format!("{correct}-of-{total}") == segment;
    (canonical && (1..=MAX_SHARED_TOTAL).contains(&total) && correct <= total)
        .then_some((correct, total))
}

/// The rate limit's subject: the client's address, hashed so it is never stored as is.
pub fn address_subject(ip: &str) -> String {
    hex::encode(Sha256::digest(ip.as_bytes()))
}

/// Why a submitted quiz could not be marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotMarkable;

/// A submitted quiz: the questions drawn, and the options chosen by question id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub drawn: Vec<Drawn>,
    pub answers: HashMap<String, Vec<String>>,
}

/// The questions drawn and the choices made, from the submitted form, checked: the drawn
/// list as [`decode_drawn`] accepts it, answers only for those questions and only with
/// their options, and one answer for single-answer questions.
pub fn read_submission(bank: &QuizBank, body: &[u8]) -> Result<Submission, NotMarkable> {
    let mut drawn_field = None;
    let mut chosen: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        if key == DRAWN_FIELD {
            if drawn_field.replace(value.into_owned()).is_some() {
                return Err(NotMarkable);
            }
        } else if let Some(id) = key.strip_prefix(ANSWER_PREFIX) {
            chosen
                .entry(id.to_owned())
                .or_default()
                .push(value.into_owned());
        }
    }
    let drawn = decode_drawn(bank, &drawn_field.ok_or(NotMarkable)?).ok_or(NotMarkable)?;
    let mut answers = HashMap::new();
    for (id, choices) in chosen {
        let d = drawn.iter().find(|d| d.question == id).ok_or(NotMarkable)?;
        let q = bank
            .question
            .iter()
            .find(|q| q.id == id)
            .ok_or(NotMarkable)?;
        let valid = validate_choice(q, d, &choices).map_err(|_| NotMarkable)?;
        answers.insert(id, valid);
    }
    Ok(Submission { drawn, answers })
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "knowledge/quiz/intro.html")]
struct IntroPage {
    shell: Shell,
    title: String,
    questions: u32,
}

pub async fn intro(viewer: Viewer) -> AppResult<Response> {
    let bank = bank()?;
    Ok(render(&IntroPage {
        shell: viewer.shell(bank.title.as_str()).crumb("Home", "/"),
        title: bank.title.clone(),
        questions: bank.questions_per_round,
    })?
    .into_response())
}

/// One question as shown, with its options in the drawn order and nothing about which
/// are right.
struct AskedQuestion<'a> {
    number: usize,
    id: &'a str,
    prompt: &'a str,
    many: bool,
    example: Option<&'a Example>,
    options: Vec<AskedOption<'a>>,
}

struct AskedOption<'a> {
    /// The input's id: question and option ids joined by `--`, which neither contains.
    input_id: String,
    value: &'a str,
    text: &'a str,
}

#[derive(Template)]
#[template(path = "knowledge/quiz/questions.html")]
struct QuestionsPage<'a> {
    shell: Shell,
    title: &'a str,
    drawn: String,
    questions: Vec<AskedQuestion<'a>>,
}

fn draw_round(bank: &QuizBank) -> Vec<Drawn> {
    let mut rng = rand::thread_rng();
    draw(
        bank.question.iter(),
        bank.questions_per_round as usize,
        &HashSet::new(),
        &mut rng,
    )
}

fn find<'a>(bank: &'a QuizBank, id: &str) -> AppResult<&'a Question> {
    bank.question.iter().find(|q| q.id == id).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("drawn question {id} is not in the bank"))
    })
}

pub async fn start(viewer: Viewer) -> AppResult<Response> {
    let bank = bank()?;
    let drawn = draw_round(bank);
    let mut questions = Vec::with_capacity(drawn.len());
    for (i, d) in drawn.iter().enumerate() {
        let q = find(bank, &d.question)?;
        let options = d
            .options
            .iter()
            .filter_map(|id| q.option(id))
            .map(|o| AskedOption {
                input_id: format!("{}--{}", q.id, o.id),
                value: &o.id,
                text: &o.text,
            })
            .collect();
        questions.push(AskedQuestion {
            number: i + 1,
            id: &q.id,
            prompt: &q.prompt,
            many: q.kind.many_answers(),
            example: q.example.as_ref(),
            options,
        });
    }
    Ok(render(&QuestionsPage {
        shell: viewer
            .shell(bank.title.as_str())
            .crumb("Home", "/")
            .crumb(bank.title.as_str(), "/quiz"),
        title: &bank.title,
        drawn: encode_drawn(&drawn),
        questions,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "knowledge/quiz/problem.html")]
struct ProblemPage<'a> {
    shell: Shell,
    message: &'a str,
    link_href: &'a str,
    link_text: &'a str,
}

fn problem(
    viewer: &Viewer,
    status: StatusCode,
    title: &str,
    message: &str,
    link: (&str, &str),
) -> AppResult<Response> {
    let page = ProblemPage {
        shell: viewer.shell(title).crumb("Home", "/"),
        message,
        link_href: link.0,
        link_text: link.1,
    };
    Ok((status, render(&page)?).into_response())
}

/// One marked question on the results page.
struct MarkedQuestion<'a> {
    number: usize,
    prompt: &'a str,
    example: Option<&'a Example>,
    right: bool,
    chosen: Vec<MarkedOption<'a>>,
    correct: Vec<&'a str>,
    explanation: &'a str,
    sources: Vec<&'a Source>,
}

struct MarkedOption<'a> {
    text: &'a str,
    feedback: &'a str,
}

#[derive(Template)]
#[template(path = "knowledge/quiz/result.html")]
struct ResultPage<'a> {
    shell: Shell,
    correct: u32,
    total: u32,
    band: Band,
    share_path: String,
    share_url: String,
    questions: Vec<MarkedQuestion<'a>>,
}

pub async fn answers(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> AppResult<Response> {
    let bank = bank()?;
    // Counted before anything else, so malformed submissions are limited too.
    let count = record_attempt(
        &state.db,
        SCOPE,
        &address_subject(&ip),
        now() - SUBMISSION_WINDOW,
    )
    .await?;
    if count > SUBMISSION_LIMIT {
        return problem(
            &viewer,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many quizzes sent",
            "Too many quizzes have been sent from your network in the last 10 minutes. \
             Wait 10 minutes and try again.",
            ("/quiz", "Go to the quiz"),
        );
    }
    let Ok(Submission { drawn, answers }) = read_submission(bank, &body) else {
        return problem(
            &viewer,
            StatusCode::BAD_REQUEST,
            "Sorry, we could not mark that quiz",
            "Sorry, we could not mark that quiz. Start again.",
            ("/quiz/start", "Start again"),
        );
    };
    let lookup = |id: &str| bank.question.iter().find(|q| q.id == id);
    let result = score(&drawn, lookup, &answers, 0);
    let mut questions = Vec::with_capacity(drawn.len());
    for (i, (d, (_, right))) in drawn.iter().zip(&result.per_question).enumerate() {
        let q = find(bank, &d.question)?;
        let chosen = answers
            .get(&q.id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| q.option(id))
                    .map(|o| MarkedOption {
                        text: &o.text,
                        feedback: &o.feedback,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let correct = d
            .options
            .iter()
            .filter_map(|id| q.option(id))
            .filter(|o| o.correct)
            .map(|o| o.text.as_str())
            .collect();
        let sources = q
            .sources
            .iter()
            .filter_map(|id| bank.sources.iter().find(|s| &s.id == id))
            .collect();
        questions.push(MarkedQuestion {
            number: i + 1,
            prompt: &q.prompt,
            example: q.example.as_ref(),
            right: *right,
            chosen,
            correct,
            explanation: &q.explanation,
            sources,
        });
    }
    let share_path = format!("/quiz/result/{}-of-{}", result.correct, result.total);
    let page = ResultPage {
        shell: viewer
            .shell(format!(
                "You scored {} out of {}",
                result.correct, result.total
            ))
            .crumb("Home", "/")
            .crumb(bank.title.as_str(), "/quiz"),
        correct: result.correct,
        total: result.total,
        band: band(result.correct, result.total),
        share_url: format!(
            "{}{share_path}",
            state.config.public_url.trim_end_matches('/')
        ),
        share_path,
        questions,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "knowledge/quiz/share.html")]
struct SharePage<'a> {
    shell: Shell,
    title: &'a str,
    correct: u32,
    total: u32,
    band: Band,
    questions: u32,
}

pub async fn shared(viewer: Viewer, Path(result): Path<String>) -> AppResult<Response> {
    let bank = bank()?;
    let (correct, total) = parse_result(&result).ok_or(AppError::NotFound)?;
    Ok(render(&SharePage {
        shell: viewer
            .shell(format!("{correct} out of {total} on {}", bank.title))
            .crumb("Home", "/"),
        title: &bank.title,
        correct,
        total,
        band: band(correct, total),
        questions: bank.questions_per_round,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::rules::draw::shuffled;

    fn quiz() -> QuizBank {
        load::builtin().expect("built-in content").1
    }

    #[test]
    fn bands_for_ten_questions() {
        let titles: Vec<_> = (0..=10).map(|c| band(c, 10).title).collect();
        assert_eq!(titles[..6], ["Keep learning"; 6]);
        assert_eq!(titles[6..9], ["Nearly there"; 3]);
        assert_eq!(titles[9..], ["Security pro"; 2]);
        assert_eq!(band(0, 0).title, "Keep learning");
    }

    #[test]
    fn a_drawn_round_survives_the_hidden_field() {
        let bank = quiz();
        let drawn = draw_round(&bank);
        assert_eq!(drawn.len(), bank.questions_per_round as usize);
        assert_eq!(decode_drawn(&bank, &encode_drawn(&drawn)), Some(drawn));
    }

    #[test]
    fn a_tampered_hidden_field_is_refused() {
        let bank = quiz();
        let drawn = draw_round(&bank);
        let good = encode_drawn(&drawn);
        let entries: Vec<&str> = good.split(';').collect();
        let (first_q, first_opts) = entries[0].split_once(':').unwrap();
        let cases = [
            // An unknown question.
            good.replacen(first_q, "no-such-question", 1),
            // An option that is not the question's.
            good.replacen(
                entries[0],
                &format!("{entries0},zz", entries0 = entries[0]),
                1,
            ),
            // An option missing.
            good.replacen(
                entries[0],
                &format!("{first_q}:{}", first_opts.split(',').next().unwrap()),
                1,
            ),
            // An option twice.
            good.replacen(
                entries[0],
                &format!(
                    "{first_q}:{first_opts},{}",
                    first_opts.split(',').next().unwrap()
                ),
                1,
            ),
            // A question twice.
            {
                let mut e = entries.clone();
                *e.last_mut().unwrap() = entries[0];
                e.join(";")
            },
            // Too few and too many.
            entries[1..].join(";"),
            format!("{good};{}", {
                let other = bank
                    .question
                    .iter()
                    .find(|q| !drawn.iter().any(|d| d.question == q.id))
                    .unwrap();
                encode_drawn(&[shuffled(other, &mut rand::thread_rng())])
            }),
            String::new(),
            "garbage".into(),
        ];
        for case in cases {
            assert_eq!(decode_drawn(&bank, &case), None, "accepted {case:?}");
        }
    }

    #[test]
    fn answers_must_fit_the_questions_drawn() {
        let bank = quiz();
        let drawn = draw_round(&bank);
        let field = encode_drawn(&drawn);
        let body = |answers: &[(&str, &str)]| {
            let mut s = form_urlencoded::Serializer::new(String::new());
            s.append_pair("drawn", &field);
            for (k, v) in answers {
                s.append_pair(k, v);
            }
            s.finish().into_bytes()
        };
        let d = &drawn[0];
        let key = format!("answer-{}", d.question);
        let Submission {
            drawn: read,
            answers,
        } = read_submission(&bank, &body(&[(&key, &d.options[0])])).unwrap();
        assert_eq!(read, drawn);
        assert_eq!(answers[&d.question], vec![d.options[0].clone()]);
        assert!(read_submission(&bank, &body(&[(&key, "zz")])).is_err());
        assert!(read_submission(&bank, &body(&[("answer-not-drawn", "a")])).is_err());
        let single = drawn
            .iter()
            .find(|d| {
                !bank
                    .question
                    .iter()
                    .any(|q| q.id == d.question && q.kind.many_answers())
            })
            .unwrap();
        let key = format!("answer-{}", single.question);
        assert!(
            read_submission(
                &bank,
                &body(&[(&key, &single.options[0]), (&key, &single.options[1])])
            )
            .is_err()
        );
        assert!(read_submission(&bank, b"csrf_token=x").is_err());
    }

    #[test]
    fn shared_results_are_read_strictly() {
        assert_eq!(parse_result("7-of-10"), Some((7, 10)));
        assert_eq!(parse_result("0-of-1"), Some((0, 1)));
        assert_eq!(parse_result("50-of-50"), Some((50, 50)));
        for bad in [
            "11-of-10",
            "1-of-0",
            "0-of-0",
            "1-of-51",
            "07-of-10",
            "7-of-010",
            "+7-of-10",
            "-1-of-10",
            "7-of-10-of-10",
            "7of10",
            "",
            "seven-of-ten",
            "4294967297-of-10",
        ] {
            assert_eq!(parse_result(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_address_is_hashed() {
        assert_eq!(
            address_subject("127.0.0.1"),
            "12ca17b49af2289436f303e0166030a21e525d266e209267433801a8fd4071a0"
        );
    }
}
