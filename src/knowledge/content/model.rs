//! The shape of course content: what authors write in `course.toml`, the question files and
//! the public quiz, and the assembled [`Course`] kept in the database (as JSON) for each
//! imported version.

use serde::{Deserialize, Serialize};

/// `course.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub version: String,
    #[serde(default)]
    pub mandatory: bool,
    pub audience: Vec<String>,
    pub minutes: u32,
    pub pass_mark: u32,
    pub validity_months: u32,
    pub questions_per_attempt: u32,
    pub lessons: Vec<LessonEntry>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A lesson as listed in the manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonEntry {
    pub id: String,
    pub title: String,
    pub file: String,
    pub minutes: u32,
    pub sources: Vec<String>,
}

/// A cited source: every lesson and question names at least one.
pub use crate::platform::provenance::Source;

/// One file under `questions/`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    #[serde(default)]
    pub question: Vec<Question>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// `quiz/quiz.toml`: the public quiz.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizBank {
    pub title: String,
    pub questions_per_round: u32,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub question: Vec<Question>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Single,
    Multiple,
    TrueFalse,
    Scenario,
}

impl QuestionKind {
    /// Whether the learner picks several options (checkboxes) rather than one (radios).
    pub fn many_answers(self) -> bool {
        self == QuestionKind::Multiple
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    pub kind: QuestionKind,
    #[serde(default)]
    pub knowledge_check: bool,
    pub prompt: String,
    pub explanation: String,
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Example>,
    pub options: Vec<AnswerOption>,
}

impl Question {
    pub fn option(&self, id: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.id == id)
    }

    pub fn correct_ids(&self) -> impl Iterator<Item = &str> {
        self.options
            .iter()
            .filter(|o| o.correct)
            .map(|o| o.id.as_str())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub id: String,
    pub text: String,
    pub correct: bool,
    pub feedback: String,
}

/// The example message a scenario question is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub channel: Channel,
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl Example {
    /// The body split into paragraphs, for display.
    pub fn paragraphs(&self) -> Vec<&str> {
        self.body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Phone,
    Letter,
    Qr,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Sms => "Text message",
            Channel::Phone => "Phone call",
            Channel::Letter => "Letter",
            Channel::Qr => "QR code",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// An assembled, checked course version: what is stored and served.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Course {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub version: String,
    pub mandatory: bool,
    pub audience: Vec<String>,
    pub minutes: u32,
    pub pass_mark: u32,
    pub validity_months: u32,
    pub questions_per_attempt: u32,
    pub lessons: Vec<Lesson>,
    pub sources: Vec<Source>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub minutes: u32,
    pub sources: Vec<String>,
    /// The lesson text as written (Markdown); rendered safely when shown.
    pub markdown: String,
}

impl Course {
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    pub fn lesson_index(&self, id: &str) -> Option<usize> {
        self.lessons.iter().position(|l| l.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The knowledge-check questions at the end of a lesson, in the order written.
    pub fn checks_for<'a>(&'a self, lesson: &'a str) -> impl Iterator<Item = &'a Question> {
        self.questions
            .iter()
            .filter(move |q| q.knowledge_check && q.lesson.as_deref() == Some(lesson))
    }

    /// The questions the final assessment draws from.
    pub fn assessment_bank(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(|q| !q.knowledge_check)
    }
}
