//! Course administration for national administrators: every stored version of every course,
//! and uploading a new version as a `.zip` of the course folder (the web twin of
//! `carecert content import`). An upload is checked whole before anything is stored, and
//! the import and its audit event are one transaction.

use askama::Template;
use axum::{
    extract::{
        Multipart, State,
        multipart::{MultipartError, MultipartRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::platform::web::format::date_and_time;
use crate::{
    audit::{self, NewEvent},
    knowledge::{
        content::{load, model::Course},
        store::courses::{self, ImportError, ListedVersion, Origin},
    },
    platform::{
        AppState,
        authz::Rule,
        db::is_unique_violation,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

const PATH: &str = "/admin/courses";

/// The file input's name and id; the error summary links to it.
const FILE_FIELD: &str = "archive";

/// The largest archive accepted. A course is text (its zip is well under 1 MB), so this
/// leaves room while refusing, before unzipping, anything that is clearly not a course.
/// It sits below the application's request limit ([`crate::platform::web::upload::MAX_BODY_BYTES`]) so an
/// archive a little too large is read to its end and answered with a clear message.
pub const MAX_ARCHIVE_BYTES: usize = 5 * 1024 * 1024;

/// The most problems listed on the page; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 50;

/// The course administration pages, for national administrators only.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::NationalAdmin, show),
        Route::post(PATH, Rule::NationalAdmin, upload),
    ]
}

/// One stored version as the table shows it.
struct VersionView {
    title: String,
    slug: String,
    version: String,
    is_current: bool,
    origin: &'static str,
    imported_at: String,
    imported_by: Option<String>,
}

impl From<ListedVersion> for VersionView {
    fn from(v: ListedVersion) -> Self {
        VersionView {
            origin: match v.origin {
                Origin::Builtin => "Built-in",
                Origin::Imported => "Imported",
            },
            imported_at: date_and_time(v.imported_at),
            title: v.title,
            slug: v.slug,
            version: v.version,
            is_current: v.is_current,
            imported_by: v.imported_by_name,
        }
    }
}

#[derive(Template)]
#[template(path = "knowledge/admin_courses.html")]
struct CoursesPage {
    shell: Shell,
    versions: Vec<VersionView>,
    /// Why the last upload was refused, each a sentence naming the file concerned.
    problems: Vec<String>,
    /// Problems not listed.
    problems_not_shown: usize,
    field: &'static str,
    max_megabytes: usize,
    /// The national content page, where the sources' checked dates are listed.
    sources_path: &'static str,
}

impl CoursesPage {
    /// What the file input itself says when the upload was refused.
    fn field_error(&self) -> String {
        match (self.problems.as_slice(), self.problems_not_shown) {
            ([one], 0) => one.clone(),
            (all, more) => format!(
                "The course was not imported: it has {} problems, listed at the top of the page",
                all.len() + more
            ),
        }
    }
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    mut problems: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let versions = courses::all_versions(&state.db)
        .await?
        .into_iter()
        .map(VersionView::from)
        .collect();
    let problems_not_shown = problems.len().saturating_sub(MAX_PROBLEMS_SHOWN);
    problems.truncate(MAX_PROBLEMS_SHOWN);
    let page = CoursesPage {
        shell: viewer
            .shell("Courses")
            .crumb("Home", "/")
            .with_errors(!problems.is_empty()),
        versions,
        problems,
        problems_not_shown,
        field: FILE_FIELD,
        max_megabytes: MAX_ARCHIVE_BYTES / (1024 * 1024),
        sources_path: crate::platform::provenance::page::PATH,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    page(&state, &viewer, vec![], StatusCode::OK).await
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let person = viewer.user()?;
    let refuse =
        |problems: Vec<String>| page(&state, &viewer, problems, StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = match multipart {
        Ok(multipart) => read_upload(multipart).await,
        // Not a multipart request at all: the form was not sent by a browser as designed.
        Err(_) => Err(NO_FILE.to_owned()),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(problem) => return refuse(vec![problem]).await,
    };
    // Unzipping and checking every question is CPU work: keep it off the request threads.
    let course: Result<Course, load::LoadError> =
        tokio::task::spawn_blocking(move || load::course_from_zip(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    let course = match course {
        Ok(course) => course,
        Err(e) => return refuse(e.problems()).await,
    };

    let mut tx = state.db.begin().await?;
    match courses::import(&mut tx, &course, Origin::Imported, Some(person.user_id)).await {
        Ok(_) => {}
        Err(e @ ImportError::AlreadyImported { .. }) => {
            return page(&state, &viewer, vec![e.to_string()], StatusCode::CONFLICT).await;
        }
        // Another upload of this course committed first (the same version, or another one
        // that is now current): say so rather than failing.
        Err(ImportError::Db(e)) if is_unique_violation(&e) => {
            let message = format!(
                "Another version of {} was imported at the same moment. Check the list of versions below, then upload again if you still need to.",
                course.slug
            );
            return page(&state, &viewer, vec![message], StatusCode::CONFLICT).await;
        }
        Err(ImportError::Db(e)) => return Err(e.into()),
    }
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent::by(Some(person.user_id), &person.email, "course.imported", &ip)
            .with_detail(serde_json::json!({"course": course.slug, "version": course.version})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(course = %course.slug, version = %course.version, "course imported");
    Ok(redirect_with_notice(
        state.config.is_https(),
        PATH,
        &format!(
            "Imported {} version {}. It is now the current version.",
            course.title, course.version
        ),
    ))
}

const NO_FILE: &str = "Choose a .zip file of the course";

fn too_large() -> String {
    format!(
        "The selected file is larger than {}MB. A course's .zip is much smaller: check you chose the right file",
        MAX_ARCHIVE_BYTES / (1024 * 1024)
    )
}

/// Reads the `archive` field, keeping at most [`MAX_ARCHIVE_BYTES`] in memory. A larger
/// file is read to its end (up to the application's request limit) and refused.
async fn read_upload(mut multipart: Multipart) -> Result<Vec<u8>, String> {
    let mut upload: Option<Result<Vec<u8>, String>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(upload_problem)? {
        if field.name() != Some(FILE_FIELD) || upload.is_some() {
            continue; // The next call to `next_field` skips what is left of this one.
        }
        let chose_a_file = !field.file_name().unwrap_or_default().trim().is_empty();
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.chunk().await.map_err(upload_problem)? {
            if over {
                continue;
            }
            if bytes.len() + chunk.len() > MAX_ARCHIVE_BYTES {
                over = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        upload = Some(if over {
            Err(too_large())
        } else if bytes.is_empty() {
            // No file chosen (what a browser sends), or an empty one: nothing to import.
            Err(if chose_a_file {
                "The selected file is empty. Choose a .zip file of the course".to_owned()
            } else {
                NO_FILE.to_owned()
            })
        } else {
            Ok(bytes)
        });
    }
    upload.unwrap_or_else(|| Err(NO_FILE.to_owned()))
}

fn upload_problem(error: MultipartError) -> String {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        tracing::info!(error = %error, "could not read an uploaded course archive");
        "The file could not be read. Try uploading it again".to_owned()
    }
}
