//! The organisation's evidence library: adding a document, link or statement with the date
//! it took effect and when it expires, new revisions of a document (each with its SHA-256),
//! downloading any revision, and where each piece is used.

use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    assure::{
        rules::evidence::{EvidenceKind, Standing, check_dates},
        store::evidence::{self as store, EvidenceRow, NewEvidence, NewFile},
    },
    audit::{self, NewEvent},
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult},
        ids::OrgId,
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            date_input,
            format::{date_and_time, long_date},
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

/// The largest evidence file: a policy, a certificate or a test report, not an archive.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Room for the form's other fields around the largest file.
const BODY_LIMIT: usize = MAX_FILE_BYTES + 1024 * 1024;
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 5_000;
const MAX_FILENAME: usize = 200;

pub fn routes() -> Vec<Route> {
    let upload = |path: &'static str, handler| Route {
        method: Method::POST,
        path,
        rule: Rule::OrgLead,
        handler,
    };
    vec![
        Route::get("/organisations/{org_id}/evidence", Rule::OrgLead, library),
        upload(
            "/organisations/{org_id}/evidence",
            post(add).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        ),
        Route::get(
            "/organisations/{org_id}/evidence/{evidence_id}",
            Rule::OrgLead,
            show,
        ),
        upload(
            "/organisations/{org_id}/evidence/{evidence_id}/revisions",
            post(add_revision).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        ),
        Route::get(
            "/organisations/{org_id}/evidence/{evidence_id}/revisions/{revision}",
            Rule::OrgLead,
            download,
        ),
    ]
}

pub fn library_path(org: OrgId) -> String {
    format!("/organisations/{org}/evidence")
}

pub fn evidence_path(org: OrgId, id: Uuid) -> String {
    format!("/organisations/{org}/evidence/{id}")
}

/// A piece of evidence as a list shows it.
pub struct Listed {
    pub href: String,
    pub title: String,
    pub kind: &'static str,
    pub standing: String,
    pub tag: &'static str,
    pub owner: String,
    pub uses: i64,
}

impl Listed {
    pub fn of(org: OrgId, e: &EvidenceRow) -> Listed {
        let standing = Standing::on(e.effective_on, e.expires_on, now().date());
        Listed {
            href: evidence_path(org, e.id),
            title: e.title.clone(),
            kind: e.kind.label(),
            standing: standing.label(),
            tag: standing.tag(),
            owner: e.owner_name.clone(),
            uses: e.uses,
        }
    }
}

/// A multipart form: its text fields and at most one file.
struct Submitted {
    fields: Vec<(String, String)>,
    file: Option<(String, Vec<u8>)>,
}

impl Submitted {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads the form, keeping at most one byte more of the file than [`MAX_FILE_BYTES`] so a
/// file too large is recognised without holding all of it.
async fn read_form(mut multipart: Multipart) -> Result<Submitted, String> {
    let unreadable = |_| "The form could not be read. Try again".to_owned();
    let mut out = Submitted {
        fields: vec![],
        file: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    "The file could not be read. Try uploading it again".to_owned()
                }
            })? {
                let room = (MAX_FILE_BYTES + 1).saturating_sub(bytes.len());
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            if !(filename.is_empty() && bytes.is_empty()) && out.file.is_none() {
                out.file = Some((filename, bytes));
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            out.fields.push((name, text));
        }
    }
    Ok(out)
}

fn too_large() -> String {
    format!(
        "The file must be smaller than {} MB",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// The name kept for an uploaded file: no folders, printable, not too long.
fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME)
        .collect();
    match name.trim() {
        "" => "evidence".to_owned(),
        n => n.to_owned(),
    }
}

/// Checks an uploaded file: present, not empty, not too large.
fn check_file(file: Option<&(String, Vec<u8>)>, errors: &mut FormErrors) {
    match file {
        None => errors.add("file", "Select the file to upload"),
        Some((_, b)) if b.is_empty() => errors.add("file", "The selected file is empty"),
        Some((_, b)) if b.len() > MAX_FILE_BYTES => errors.add("file", too_large()),
        Some(_) => {}
    }
}

#[derive(Template)]
#[template(path = "assure/evidence_library.html")]
struct LibraryPage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    items: Vec<Listed>,
    form: Vec<(String, String)>,
    max_megabytes: usize,
}

impl LibraryPage {
    fn value(&self, name: &str) -> &str {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

async fn library_page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    errors: FormErrors,
    form: Vec<(String, String)>,
) -> AppResult<Response> {
    let items = store::library(&state.db, org.id)
        .await?
        .iter()
        .map(|e| Listed::of(org.id, e))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = viewer
        .shell("Evidence")
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Assessments", super::assessments_path(org.id))
        .with_errors(!errors.is_empty());
    let view = LibraryPage {
        shell,
        org,
        errors,
        items,
        form,
        max_megabytes: MAX_FILE_BYTES / (1024 * 1024),
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /organisations/{org_id}/evidence`
pub async fn library(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Lead>,
) -> AppResult<Response> {
    library_page(
        &state,
        &viewer,
        scope.organisation,
        FormErrors::new(),
        vec![],
    )
    .await
}

/// `POST /organisations/{org_id}/evidence`
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    multipart: Multipart,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = scope.organisation.clone();
    let mut errors = FormErrors::new();
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(message) => {
            errors.add("file", message);
            return library_page(&state, &viewer, org, errors, vec![]).await;
        }
    };
    let title = form.get("title").trim().to_owned();
    if title.is_empty() {
        errors.add("title", "Enter a title for the evidence");
    } else if title.chars().count() > MAX_TITLE {
        errors.add(
            "title",
            format!("Title must be {MAX_TITLE} characters or fewer"),
        );
    }
    let kind = form.get("kind").parse::<EvidenceKind>().ok();
    let body = form.get("body").trim().to_owned();
    match kind {
        None => errors.add(
            "kind",
            "Select whether the evidence is a file, a link or a statement",
        ),
        Some(EvidenceKind::File) => check_file(form.file.as_ref(), &mut errors),
        Some(EvidenceKind::Link) => {
            let ok = url::Url::parse(&body)
                .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
            if !ok {
                errors.add(
                    "body",
                    "Enter the full web address of the evidence, starting https://",
                );
            }
        }
        Some(EvidenceKind::Text) if body.is_empty() => {
            errors.add("body", "Write the statement");
        }
        Some(EvidenceKind::Text) => {}
    }
    if body.chars().count() > MAX_BODY {
        errors.add("body", format!("Keep it to {MAX_BODY} characters or fewer"));
    }
    let effective = date_input::read(
        "effective",
        "Date it took effect",
        form.get("effective-day"),
        form.get("effective-month"),
        form.get("effective-year"),
    )
    .map_err(|(field, message)| errors.add(&field, message))
    .ok();
    let no_expiry = ["expires-day", "expires-month", "expires-year"]
        .iter()
        .all(|f| form.get(f).trim().is_empty());
    let expires = if no_expiry {
        None
    } else {
        date_input::read(
            "expires",
            "Expiry date",
            form.get("expires-day"),
            form.get("expires-month"),
            form.get("expires-year"),
        )
        .map_err(|(field, message)| errors.add(&field, message))
        .ok()
    };
    if let Some(effective) = effective
        && let Err(e) = check_dates(effective, expires)
    {
        errors.add("expires-day", e.to_string());
    }
    let (Some(kind), Some(effective), true) = (kind, effective, errors.is_empty()) else {
        return library_page(&state, &viewer, org, errors, form.fields).await;
    };
    let mut tx = state.db.begin().await?;
    let id = store::create(
        &mut tx,
        &NewEvidence {
            organisation: org.id,
            title: &title,
            kind,
            body: if kind == EvidenceKind::File {
                ""
            } else {
                &body
            },
            effective_on: effective,
            expires_on: expires,
            owner: p.user_id,
        },
    )
    .await?;
    let mut sha256 = None;
    if let (EvidenceKind::File, Some((filename, bytes))) = (kind, &form.file) {
        let hash = hex::encode(Sha256::digest(bytes));
        store::add_revision(
            &mut tx,
            id,
            &NewFile {
                filename: &clean_filename(filename),
                sha256: &hash,
                content: bytes,
                note: "",
                by: p.user_id,
            },
        )
        .await?;
        sha256 = Some(hash);
    }
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.evidence_added",
            detail: serde_json::json!({ "evidence": id, "kind": kind, "sha256": sha256 }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &evidence_path(org.id, id),
        &format!("Evidence “{title}” added"),
    ))
}

struct RevisionView {
    href: String,
    revision: i64,
    filename: String,
    size: String,
    sha256: String,
    note: String,
    by: String,
    when: String,
}

struct UseView {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "assure/evidence.html")]
struct EvidencePage {
    shell: Shell,
    org: Organisation,
    errors: FormErrors,
    id: Uuid,
    item: Listed,
    kind: EvidenceKind,
    body: String,
    effective: String,
    expires: Option<String>,
    revisions: Vec<RevisionView>,
    uses: Vec<UseView>,
    max_megabytes: usize,
}

fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

async fn evidence_page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    id: Uuid,
    errors: FormErrors,
) -> AppResult<Response> {
    let e = store::find(&state.db, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let revisions = store::revisions(&state.db, org.id, id).await?;
    let uses = store::uses(&state.db, org.id, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = viewer
        .shell(e.title.clone())
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Evidence", library_path(org.id))
        .with_errors(!errors.is_empty());
    let view = EvidencePage {
        shell,
        errors,
        id,
        item: Listed::of(org.id, &e),
        kind: e.kind,
        body: e.body.clone(),
        effective: long_date(e.effective_on),
        expires: e.expires_on.map(long_date),
        revisions: revisions
            .into_iter()
            .map(|r| RevisionView {
                href: format!("{}/revisions/{}", evidence_path(org.id, id), r.revision),
                revision: r.revision,
                filename: r.filename,
                size: size_label(r.size),
                sha256: r.sha256,
                note: r.note,
                by: r.uploaded_by_name,
                when: date_and_time(r.uploaded_at),
            })
            .collect(),
        uses: uses
            .into_iter()
            .map(|u| UseView {
                href: super::requirement_path(org.id, u.assessment_id, &u.requirement),
                label: format!("{} {}: requirement {}", u.framework, u.cycle, u.requirement),
            })
            .collect(),
        max_megabytes: MAX_FILE_BYTES / (1024 * 1024),
        org,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /organisations/{org_id}/evidence/{evidence_id}`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    evidence_page(&state, &viewer, scope.organisation, id, FormErrors::new()).await
}

/// `POST /organisations/{org_id}/evidence/{evidence_id}/revisions`
pub async fn add_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    scope: OrgScope<Lead>,
    Path((_, id)): Path<(String, Uuid)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let p = &scope.principal;
    let org = scope.organisation.clone();
    let e = store::find(&state.db, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if e.kind != EvidenceKind::File {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::new();
    let form = match read_form(multipart).await {
        Ok(f) => Some(f),
        Err(message) => {
            errors.add("file", message);
            None
        }
    };
    if let Some(f) = &form {
        check_file(f.file.as_ref(), &mut errors);
        if f.get("note").chars().count() > MAX_BODY {
            errors.add(
                "note",
                format!("Keep the note to {MAX_BODY} characters or fewer"),
            );
        }
    }
    let Some((form, (filename, bytes))) = form
        .filter(|_| errors.is_empty())
        .and_then(|f| f.file.clone().map(|file| (f, file)))
    else {
        return evidence_page(&state, &viewer, org, id, errors).await;
    };
    let hash = hex::encode(Sha256::digest(&bytes));
    let mut tx = state.db.begin().await?;
    store::lock(&mut tx, org.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = store::add_revision(
        &mut tx,
        id,
        &NewFile {
            filename: &clean_filename(&filename),
            sha256: &hash,
            content: &bytes,
            note: form.get("note").trim(),
            by: p.user_id,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org.id),
            event: "assure.evidence_revised",
            detail: serde_json::json!({ "evidence": id, "revision": revision, "sha256": hash }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &evidence_path(org.id, id),
        &format!("Revision {revision} of “{}” uploaded", e.title),
    ))
}

/// `GET /organisations/{org_id}/evidence/{evidence_id}/revisions/{revision}`: always a
/// download, never shown in the browser, so an uploaded page cannot run as this site.
pub async fn download(
    State(state): State<AppState>,
    scope: OrgScope<Lead>,
    Path((_, id, revision)): Path<(String, Uuid, String)>,
) -> AppResult<Response> {
    let revision: i64 = revision.parse().map_err(|_| AppError::NotFound)?;
    let file = store::file(&state.db, scope.id(), id, revision)
        .await?
        .ok_or(AppError::NotFound)?;
    let ascii: String = file
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        file.content,
    )
        .into_response())
}
