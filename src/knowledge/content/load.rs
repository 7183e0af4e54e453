//! Reading course folders — from the files built into the binary, a folder on disk, or an
//! uploaded `.zip` — into checked [`Course`]s and the public [`QuizBank`].

use std::{
    collections::BTreeMap,
    io::{Cursor, Read},
    path::Path,
};

use rust_embed::RustEmbed;

use super::{
    check::{self, Parts, Problem, Report},
    markdown,
    model::{Course, Lesson, Manifest, QuestionFile, QuizBank},
};

/// The built-in curriculum and quiz, embedded at build time (other services' content
/// folders beside them are theirs to embed).
#[derive(RustEmbed)]
#[folder = "content/"]
#[include = "courses/**"]
#[include = "quiz/**"]
struct Builtin;

/// The files of one course folder, by path relative to the folder ("course.toml",
/// "lessons/01-intro.md" …).
pub type Files = BTreeMap<String, Vec<u8>>;

/// Limits on an uploaded archive, so a hostile or mistaken upload cannot exhaust memory.
pub const MAX_ARCHIVE_FILES: usize = 200;
pub const MAX_ARCHIVE_UNPACKED_BYTES: u64 = 8 * 1024 * 1024;

/// Why content could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("{0}")]
    Archive(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl LoadError {
    pub fn problems(&self) -> Vec<String> {
        match self {
            LoadError::Invalid(p) => p.iter().map(|p| p.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

fn text<'a>(report: &mut Report, files: &'a Files, path: &str) -> Option<&'a str> {
    let bytes = files.get(path)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(_) => {
            report.at(path, "is not UTF-8 text");
            None
        }
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    report: &mut Report,
    path: &str,
    text: &str,
) -> Option<T> {
    match toml::from_str(text) {
        Ok(v) => Some(v),
        Err(e) => {
            report.at(path, e.to_string().trim().replace('\n', " "));
            None
        }
    }
}

/// Assembles and checks one course from its files; `folder` is the folder's name.
pub fn course_from_files(folder: &str, files: &Files) -> Result<Course, LoadError> {
    let mut report = Report::new(format!("{folder}/course.toml"));
    let at = |p: &str| format!("{folder}/{p}");
    let Some(manifest_text) = text(&mut report, files, "course.toml") else {
        report.at(&at("course.toml"), "is missing");
        return Err(LoadError::Invalid(report.problems));
    };
    let Some(manifest) = parse_toml::<Manifest>(&mut report, &at("course.toml"), manifest_text)
    else {
        return Err(LoadError::Invalid(report.problems));
    };
    let mut lessons = Vec::new();
    let mut used = vec!["course.toml".to_owned()];
    for l in &manifest.lessons {
        let markdown = match text(&mut report, files, &l.file) {
            Some(t) => t.to_owned(),
            None => {
                if !files.contains_key(&l.file) {
                    report.at(
                        &at("course.toml"),
                        format!(
                            "lesson {:?} names file {:?}, which does not exist",
                            l.id, l.file
                        ),
                    );
                }
                String::new()
            }
        };
        if markdown::contains_html(&markdown) {
            report.at(
                &at(&l.file),
                "contains raw HTML, which is not allowed (it would be shown as text)",
            );
        }
        used.push(l.file.clone());
        lessons.push(Lesson {
            id: l.id.clone(),
            title: l.title.clone(),
            minutes: l.minutes,
            sources: l.sources.clone(),
            markdown,
        });
    }
    let mut sources = manifest.sources.clone();
    let mut questions = Vec::new();
    let mut question_files = BTreeMap::new();
    for (path, _) in files.range("questions/".to_owned()..) {
        if !path.starts_with("questions/") {
            break;
        }
        used.push(path.clone());
        if !path.ends_with(".toml") {
            report.at(&at(path), "only .toml files belong in questions/");
            continue;
        }
        let Some(t) = text(&mut report, files, path) else {
            continue;
        };
        let Some(file) = parse_toml::<QuestionFile>(&mut report, &at(path), t) else {
            continue;
        };
        sources.extend(file.sources);
        for q in file.question {
            question_files
                .entry(q.id.clone())
                .or_insert_with(|| at(path));
            questions.push(q);
        }
    }
    if questions.is_empty() {
        report.at(
            &at("questions/"),
            "has no questions (add one or more .toml files)",
        );
    }
    for path in files.keys() {
        if !used.contains(path) {
            report.at(
                &at(path),
                "is not used by the course (remove it or list it in course.toml)",
            );
        }
    }
    let course = Course {
        slug: manifest.slug,
        title: manifest.title,
        summary: manifest.summary,
        version: manifest.version,
        mandatory: manifest.mandatory,
        audience: manifest.audience,
        minutes: manifest.minutes,
        pass_mark: manifest.pass_mark,
        validity_months: manifest.validity_months,
        questions_per_attempt: manifest.questions_per_attempt,
        lessons,
        sources,
        questions,
    };
    check::check_course(
        &mut report,
        &Parts {
            folder,
            manifest_file: at("course.toml"),
            course: &course,
            question_files: &question_files,
        },
    );
    if report.problems.is_empty() {
        Ok(course)
    } else {
        Err(LoadError::Invalid(report.problems))
    }
}

/// Checks the quiz bank from its text.
pub fn quiz_from_text(path: &str, text: &str) -> Result<QuizBank, LoadError> {
    let mut report = Report::new(path);
    let Some(quiz) = parse_toml::<QuizBank>(&mut report, path, text) else {
        return Err(LoadError::Invalid(report.problems));
    };
    check::check_quiz(&mut report, &quiz);
    if report.problems.is_empty() {
        Ok(quiz)
    } else {
        Err(LoadError::Invalid(report.problems))
    }
}

/// Groups files under `courses/<folder>/…` by folder.
fn group_courses(paths: impl Iterator<Item = (String, Vec<u8>)>) -> BTreeMap<String, Files> {
    let mut out: BTreeMap<String, Files> = BTreeMap::new();
    for (path, bytes) in paths {
        if let Some(rest) = path.strip_prefix("courses/")
            && let Some((folder, file)) = rest.split_once('/')
        {
            out.entry(folder.to_owned())
                .or_default()
                .insert(file.to_owned(), bytes);
        }
    }
    out
}

/// The built-in courses and quiz, checked. Also checks that only one course is mandatory.
pub fn builtin() -> Result<(Vec<Course>, QuizBank), LoadError> {
    let files = Builtin::iter()
        .filter_map(|p| Builtin::get(&p).map(|f| (p.to_string(), f.data.into_owned())));
    load_set(files)
}

/// Loads and checks a whole `content/` folder on disk (what `carecert content check` reads).
pub fn from_content_dir(root: &Path) -> Result<(Vec<Course>, QuizBank), LoadError> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    load_set(files.into_iter())
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), LoadError> {
    let io = |source, path: &Path| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|e| io(e, dir))? {
        let entry = entry.map_err(|e| io(e, dir))?;
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, std::fs::read(&path).map_err(|e| io(e, &path))?));
        }
    }
    Ok(())
}

fn load_set(
    files: impl Iterator<Item = (String, Vec<u8>)>,
) -> Result<(Vec<Course>, QuizBank), LoadError> {
    let files: Vec<(String, Vec<u8>)> = files.collect();
    let quiz_text = files
        .iter()
        .find(|(p, _)| p == "quiz/quiz.toml")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned());
    let mut problems = Vec::new();
    let mut courses = Vec::new();
    for (folder, course_files) in group_courses(files.into_iter()) {
        match course_from_files(&folder, &course_files) {
            Ok(c) => courses.push(c),
            Err(e) => problems.extend(match e {
                LoadError::Invalid(p) => p,
                other => vec![Problem {
                    file: folder.clone(),
                    message: other.to_string(),
                }],
            }),
        }
    }
    if courses.iter().filter(|c| c.mandatory).count() > 1 {
        problems.push(Problem {
            file: "courses".into(),
            message:
                "more than one course says mandatory = true; only one course counts for coverage"
                    .into(),
        });
    }
    let quiz = match quiz_text {
        None => {
            problems.push(Problem {
                file: "quiz/quiz.toml".into(),
                message: "is missing".into(),
            });
            None
        }
        Some(t) => match quiz_from_text("quiz/quiz.toml", &t) {
            Ok(q) => Some(q),
            Err(e) => {
                if let LoadError::Invalid(p) = e {
                    problems.extend(p);
                }
                None
            }
        },
    };
    match quiz {
        Some(quiz) if problems.is_empty() => Ok((courses, quiz)),
        _ => Err(LoadError::Invalid(problems)),
    }
}

/// Reads an uploaded course archive: a `.zip` of one course folder (the files at the top
/// level, or inside one folder). Refuses paths that climb out (`../`), absolute paths,
/// links, too many files and too much unpacked data, before anything is stored.
pub fn course_from_zip(bytes: &[u8]) -> Result<Course, LoadError> {
    let bad = |m: &str| LoadError::Archive(m.to_owned());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| bad("The file is not a .zip archive, or it is damaged."))?;
    if archive.len() > MAX_ARCHIVE_FILES {
        return Err(bad(&format!(
            "The archive holds {} files; a course has at most {MAX_ARCHIVE_FILES}.",
            archive.len()
        )));
    }
    let mut files = Files::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|_| bad("The archive is damaged."))?;
        let raw = entry
            .name()
            .map_err(|_| bad("The archive contains a file name that cannot be read."))?
            .into_owned();
        if entry.is_dir() {
            continue;
        }
        if entry.is_symlink() {
            return Err(bad(&format!(
                "The archive contains a link ({raw}); links are not allowed."
            )));
        }
        let Some(path) = entry.enclosed_name() else {
            return Err(bad(&format!(
                "The archive contains the path {raw:?}, which points outside the course folder."
            )));
        };
        if raw.contains("..") || raw.starts_with('/') || raw.contains('\\') {
            return Err(bad(&format!(
                "The archive contains the path {raw:?}, which points outside the course folder."
            )));
        }
        let name = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if name.split('/').any(|part| part.starts_with('.')) || name.starts_with("__MACOSX") {
            continue;
        }
        total += entry.size();
        if total > MAX_ARCHIVE_UNPACKED_BYTES {
            return Err(bad(
                "The archive unpacks to more than 8 MB; a course is much smaller.",
            ));
        }
        let mut data = Vec::with_capacity(entry.size().min(MAX_ARCHIVE_UNPACKED_BYTES) as usize);
        entry
            .by_ref()
            .take(MAX_ARCHIVE_UNPACKED_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|_| bad("The archive is damaged."))?;
        if data.len() as u64 > entry.size() {
            return Err(bad(
                "The archive is damaged (a file is larger than it says).",
            ));
        }
        files.insert(name, data);
    }
    // A zip of the folder itself has everything under one top-level folder.
    let (folder, files) = if files.contains_key("course.toml") {
        (None, files)
    } else {
        let tops: std::collections::BTreeSet<&str> = files
            .keys()
            .filter_map(|k| k.split_once('/').map(|(t, _)| t))
            .collect();
        match (tops.len(), tops.iter().next()) {
            (1, Some(top)) => {
                let top = top.to_string();
                let prefix = format!("{top}/");
                let inner = files
                    .into_iter()
                    .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_owned(), v)))
                    .collect();
                (Some(top), inner)
            }
            _ => {
                return Err(bad(
                    "The archive has no course.toml at its top level or in a single folder.",
                ));
            }
        }
    };
    // The slug decides the folder name, so a renamed zip file still imports.
    let slug = std::str::from_utf8(
        files
            .get("course.toml")
            .map(Vec::as_slice)
            .unwrap_or_default(),
    )
    .ok()
    .and_then(|t| toml::from_str::<toml::Table>(t).ok())
    .and_then(|t| t.get("slug").and_then(|s| s.as_str()).map(str::to_owned))
    .or(folder)
    .unwrap_or_default();
    course_from_files(&slug, &files)
}

/// Reads a course from a folder on disk, or a `.zip` file (for `carecert content import`).
pub fn course_from_path(path: &Path) -> Result<Course, LoadError> {
    let io = |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    if path.is_dir() {
        let mut list = Vec::new();
        walk(path, path, &mut list)?;
        let folder = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        course_from_files(&folder, &list.into_iter().collect())
    } else {
        let bytes = std::fs::read(path).map_err(io)?;
        course_from_zip(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_built_in_content_passes_the_check() {
        let (courses, quiz) = match builtin() {
            Ok(v) => v,
            Err(e) => panic!("content problems:\n{e}"),
        };
        let mandatory: Vec<_> = courses.iter().filter(|c| c.mandatory).collect();
        assert_eq!(mandatory.len(), 1);
        let dsa = mandatory[0];
        assert_eq!(dsa.slug, "data-security-awareness");
        assert_eq!((dsa.pass_mark, dsa.validity_months), (80, 12));
        assert!(dsa.assessment_bank().count() >= 60);
        assert!((15..=20).contains(&dsa.questions_per_attempt));
        let phishing = courses
            .iter()
            .find(|c| c.slug == "spotting-phishing")
            .unwrap();
        assert!(
            phishing
                .questions
                .iter()
                .filter(|q| q.example.is_some())
                .count()
                >= 15
        );
        assert!(quiz.question.len() >= 30);
        // The folder on disk is what `carecert content check` reads: the same content.
        let (on_disk, _) = from_content_dir(Path::new("content")).unwrap();
        assert_eq!(on_disk.len(), courses.len());
    }

    fn course_files() -> Files {
        let mut files = Files::new();
        let root = Path::new("content/courses/board-leaders");
        let mut list = Vec::new();
        walk(root, root, &mut list).unwrap();
        files.extend(list);
        files
    }

    fn problems(files: &Files) -> Vec<String> {
        match course_from_files("board-leaders", files) {
            Ok(_) => vec![],
            Err(e) => e.problems(),
        }
    }

    #[test]
    fn broken_references_and_missing_answers_are_reported() {
        let mut files = course_files();
        assert!(problems(&files).is_empty());
        let manifest = String::from_utf8(files["course.toml"].clone()).unwrap();
        let first_file = manifest
            .lines()
            .find(|l| l.trim_start().starts_with("file ="))
            .unwrap()
            .to_owned();
        files.insert(
            "course.toml".into(),
            manifest
                .replacen(&first_file, "file = \"lessons/missing.md\"", 1)
                .into_bytes(),
        );
        let p = problems(&files);
        assert!(
            p.iter()
                .any(|m| m.contains("\"lessons/missing.md\", which does not exist")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("is not used by the course")),
            "{p:?}"
        );

        let mut files = course_files();
        let (name, text) = files
            .iter()
            .find(|(k, _)| k.starts_with("questions/"))
            .map(|(k, v)| (k.clone(), String::from_utf8(v.clone()).unwrap()))
            .unwrap();
        files.insert(
            name.clone(),
            text.replace("correct = true", "correct = false")
                .into_bytes(),
        );
        let p = problems(&files);
        assert!(
            p.iter()
                .any(|m| m.contains("exactly one correct option (it has 0)")
                    || m.contains("has no correct option")),
            "{p:?}"
        );
        assert!(p.iter().all(|m| m.starts_with("board-leaders/")), "{p:?}");
    }

    #[test]
    fn duplicate_ids_and_missing_sources_are_reported() {
        let mut files = course_files();
        files.insert(
            "questions/zz-extra.toml".into(),
            br#"
[[question]]
id = "extra-1"
lesson = "no-such-lesson"
kind = "true_false"
prompt = "P"
explanation = "E"
sources = []
[[question.options]]
id = "true"
text = "True"
correct = true
feedback = "F"
[[question.options]]
id = "false"
text = "False"
correct = false
feedback = ""

[[question]]
id = "extra-1"
lesson = "no-such-lesson"
kind = "scenario"
prompt = "P"
explanation = "E"
sources = ["nowhere"]
[[question.options]]
id = "a"
text = "A"
correct = true
feedback = "F"
[[question.options]]
id = "b"
text = "B"
correct = false
feedback = "F"
"#
            .to_vec(),
        );
        let p = problems(&files).join("\n");
        for expected in [
            "question id \"extra-1\" is used twice",
            "names lesson \"no-such-lesson\", which does not exist",
            "cites no sources",
            "cites source \"nowhere\", which is not listed",
            "option \"false\" has no feedback",
            "is a scenario but has no example message",
        ] {
            assert!(p.contains(expected), "missing {expected:?} in\n{p}");
        }
    }

    #[test]
    fn lessons_with_raw_html_are_reported() {
        let mut files = course_files();
        let lesson = files
            .keys()
            .find(|k| k.starts_with("lessons/"))
            .unwrap()
            .clone();
        files.insert(lesson.clone(), b"Hello <script>alert(1)</script>".to_vec());
        let p = problems(&files);
        assert!(
            p.iter()
                .any(|m| m.contains(&lesson) && m.contains("raw HTML")),
            "{p:?}"
        );
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            for (name, data) in entries {
                z.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                z.write_all(data).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn a_zip_of_the_folder_imports() {
        let files = course_files();
        let entries: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(k, v)| (format!("board-leaders/{k}"), v.clone()))
            .collect();
        let refs: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let course = course_from_zip(&zip_of(&refs)).unwrap();
        assert_eq!(course.slug, "board-leaders");
        let flat: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        assert_eq!(
            course_from_zip(&zip_of(&flat)).unwrap().slug,
            "board-leaders"
        );
    }

    #[test]
    fn hostile_archives_are_refused() {
        let err = course_from_zip(&zip_of(&[("../../etc/passwd", b"x"), ("course.toml", b"")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("outside the course folder"),
            "{err}"
        );
        let err = course_from_zip(b"not a zip").unwrap_err();
        assert!(err.to_string().contains("not a .zip"), "{err}");
        let big = vec![b'a'; (MAX_ARCHIVE_UNPACKED_BYTES + 1) as usize];
        let err = course_from_zip(&zip_of(&[("course.toml", &big)])).unwrap_err();
        assert!(err.to_string().contains("more than 8 MB"), "{err}");
        let err = course_from_zip(&zip_of(&[("a/course.toml", b""), ("b/x", b"")])).unwrap_err();
        assert!(err.to_string().contains("no course.toml"), "{err}");
    }
}
