//! Pages for a security lead to import staff from a CSV file: the page explaining the
//! format with the upload form, and the results page.

use std::borrow::Borrow;

use super::{
    groups::StaffGroup,
    import::{self, FileProblem, ParsedFile, RejectedRow},
    import_store::{self, ImportRequest, ImportSummary},
};
use crate::platform::{
    AppState,
    authz::Rule,
    error::{AppError, AppResult},
    ids::OrgId,
    tenancy::{Lead, OrgScope},
    tenants::Organisation,
    web::{
        client::ClientIp,
        forms::FormErrors,
        page::render,
        routes::Route,
        shell::{Shell, Viewer},
    },
};
use askama::Template;
use axum::{
    extract::{
        DefaultBodyLimit, Multipart, State,
        multipart::{MultipartError, MultipartRejection},
    },
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};

const PATH: &str = "/organisations/{org_id}/staff/import";

/// The file input's name and id; the error summary links to it.
const FILE_FIELD: &str = "file";

/// How much of a request this route reads. Above [`import::MAX_FILE_BYTES`] so that a file
/// a little too large is read to the end and answered with a clear message, rather than the
/// connection being cut while the browser is still sending it.
pub const UPLOAD_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The most rejected rows listed on the results page; the rest are counted.
const MAX_REJECTED_SHOWN: usize = 1_000;

/// The import pages. Both are for the organisation's security leads (and national
/// administrators).
pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::OrgLead, show_form),
        Route {
            method: Method::POST,
            path: PATH,
            rule: Rule::OrgLead,
            handler: post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        },
    ]
}

/// One staff group as the help text shows it.
struct GroupHelp {
    value: &'static str,
    label: &'static str,
    also: String,
}

#[derive(Template)]
#[template(path = "staff/import.html")]
struct ImportPage {
    shell: Shell,
    errors: FormErrors,
    org_id: OrgId,
    org_name: String,
    groups: Vec<GroupHelp>,
    max_rows: String,
    max_megabytes: usize,
    name_chars: usize,
    department_chars: usize,
}

#[derive(Template)]
#[template(path = "staff/import_result.html")]
struct ResultPage {
    shell: Shell,
    org_id: OrgId,
    org_name: String,
    file_name: String,
    summary: ImportSummary,
    rejected: Vec<RejectedRow>,
    /// Rejected rows not listed.
    rejected_not_shown: usize,
}

impl ResultPage {
    /// "1 person", "2 people".
    fn people(&self, n: impl Borrow<usize>) -> String {
        match *n.borrow() {
            1 => "1 person".to_owned(),
            n => format!("{n} people"),
        }
    }

    /// "1 row", "2 rows".
    fn rows(&self, n: impl Borrow<usize>) -> String {
        match *n.borrow() {
            1 => "1 row".to_owned(),
            n => format!("{n} rows"),
        }
    }
}

fn shell(viewer: &Viewer, org: &Organisation, title: &str) -> Shell {
    viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Staff", format!("/organisations/{}/staff", org.id))
}

/// The organisation, if staff can be imported into it. The national team's members are
/// appointed one by one with national roles, so it has no import.
fn importable(org: Organisation) -> AppResult<Organisation> {
    if org.is_national_team() {
        return Err(AppError::Conflict(
            "Staff cannot be imported into the national team. Add its members one at a time."
                .into(),
        ));
    }
    Ok(org)
}

fn form_page(viewer: &Viewer, org: &Organisation, errors: FormErrors) -> ImportPage {
    ImportPage {
        shell: shell(viewer, org, "Import staff from a CSV file").with_errors(!errors.is_empty()),
        errors,
        org_id: org.id,
        org_name: org.name.clone(),
        groups: StaffGroup::ALL
            .into_iter()
            .map(|g| GroupHelp {
                value: g.as_str(),
                label: g.label(),
                also: g.also_accepted().join(", "),
            })
            .collect(),
        max_rows: "50,000".to_owned(),
        max_megabytes: import::MAX_FILE_BYTES / (1024 * 1024),
        name_chars: import::MAX_NAME_CHARS,
        department_chars: import::MAX_DEPARTMENT_CHARS,
    }
}

pub async fn show_form(viewer: Viewer, scope: OrgScope<Lead>) -> AppResult<Response> {
    let org = importable(scope.organisation)?;
    Ok(render(&form_page(&viewer, &org, FormErrors::new()))?.into_response())
}

/// The form again with a problem with the file as a whole. Nothing has been written.
fn refuse(viewer: &Viewer, org: &Organisation, problem: &FileProblem) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    errors.add(FILE_FIELD, problem.to_string());
    let page = form_page(viewer, org, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: person,
        organisation,
        ..
    }: OrgScope<Lead>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let org = importable(organisation)?;
    let upload = match multipart {
        Ok(multipart) => read_upload(multipart).await,
        // Not a multipart request at all: the form was not sent by a browser as designed.
        Err(_) => Err(FileProblem::NoFile),
    };
    let Upload { file_name, bytes } = match upload {
        Ok(upload) => upload,
        Err(problem) => return refuse(&viewer, &org, &problem),
    };
    // Reading up to 10MB of CSV is CPU work: keep it off the request threads.
    let parsed: Result<ParsedFile, FileProblem> =
        tokio::task::spawn_blocking(move || import::parse_file(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(problem) => return refuse(&viewer, &org, &problem),
    };

    let request = ImportRequest {
        organisation_id: org.id,
        organisation_name: &org.name,
        public_url: &state.config.public_url,
        secrets: &state.secrets,
        actor_user_id: Some(person.user_id),
        actor_label: &person.email,
        ip: Some(&ip),
    };
    let summary = import_store::import(&state.db, &request, &parsed)
        .await
        .map_err(|e| match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            e => AppError::from(e),
        })?;
    tracing::info!(
        organisation = %org.id,
        added = summary.added,
        updated = summary.updated,
        unchanged = summary.unchanged,
        rejected = summary.rejected,
        "staff imported"
    );

    let mut rejected = parsed.rejected;
    let rejected_not_shown = rejected.len().saturating_sub(MAX_REJECTED_SHOWN);
    rejected.truncate(MAX_REJECTED_SHOWN);
    let page = ResultPage {
        shell: shell(&viewer, &org, "Staff import results"),
        org_id: org.id,
        org_name: org.name.clone(),
        file_name,
        summary,
        rejected,
        rejected_not_shown,
    };
    Ok(render(&page)?.into_response())
}

/// The uploaded file.
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads the `file` field, keeping at most [`import::MAX_FILE_BYTES`] in memory. A larger
/// file is read to its end (up to [`UPLOAD_BODY_LIMIT`]) and refused.
async fn read_upload(mut multipart: Multipart) -> Result<Upload, FileProblem> {
    let mut upload: Option<Result<Upload, FileProblem>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(upload_problem)? {
        if field.name() != Some(FILE_FIELD) || upload.is_some() {
            continue; // The next call to `next_field` skips what is left of this one.
        }
        let file_name = field.file_name().unwrap_or_default().trim().to_owned();
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await.map_err(upload_problem)? {
            if too_large {
                continue;
            }
            if bytes.len() + chunk.len() > import::MAX_FILE_BYTES {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        upload = Some(if too_large {
            Err(FileProblem::TooLarge)
        } else if file_name.is_empty() && bytes.is_empty() {
            // What a browser sends when no file was chosen.
            Err(FileProblem::NoFile)
        } else {
            Ok(Upload { file_name, bytes })
        });
    }
    upload.unwrap_or(Err(FileProblem::NoFile))
}

fn upload_problem(error: MultipartError) -> FileProblem {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        FileProblem::TooLarge
    } else {
        tracing::info!(error = %error, "could not read an uploaded staff file");
        FileProblem::Unreadable
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::{
        Extension, Router,
        body::{Body, to_bytes},
        http::{Request, header},
    };
    use tower::ServiceExt;
    use uuid::Uuid;

    use super::*;
    use crate::{
        platform::{
            authz::{CurrentUser, Membership, Principal, Role},
            config::{Config, ServerArgs},
            db::{Db, new_id, now},
            web::{csrf::CsrfToken, routes},
        },
        staff::import_sample::sample_csv,
        with_db,
    };

    struct Harness {
        _dir: tempfile::TempDir,
        db: Db,
        org: Uuid,
        router: Router,
    }

    /// The import routes on a fresh database, as seen by a security lead of one organisation.
    async fn harness() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("pages.db").display());
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let org = new_id();
        with_db!(&db, |pool| sqlx::query(
            "INSERT INTO organisations (id, name, ods_code, org_type, created_at) \
             VALUES ($1, 'Riverside NHS Trust', 'RRV', 'nhs_trust', $2)"
        )
        .bind(org)
        .bind(now())
        .execute(pool)
        .await
        .map(|_| ()))
        .expect("organisation");
        let config = Config::resolve(&ServerArgs {
            public_url: Some("https://carecert.test".into()),
            database_url: Some(url),
            ..Default::default()
        })
        .expect("config");
        let state = AppState {
            services: Default::default(),
            db: db.clone(),
            secrets: crate::platform::secrets::SecretBox::random(),
            config: Arc::new(config),
        };
        let lead = Principal {
            user_id: (Uuid::nil()).into(),
            name: "Lee Lead".into(),
            email: "lee@riverside.example".into(),
            memberships: vec![Membership {
                organisation_id: org.into(),
                organisation_name: "Riverside NHS Trust".into(),
                role: Role::SecurityLead,
            }],
            two_step_enrolled: true,
            two_step_verified: true,
        };
        let router = routes::build(&state, super::routes())
            .with_state(state)
            .layer(Extension(CurrentUser(Some(lead))))
            .layer(Extension(CsrfToken("csrf-token".into())))
            .layer(DefaultBodyLimit::max(
                crate::platform::web::upload::MAX_BODY_BYTES,
            ));
        Harness {
            _dir: dir,
            db,
            org,
            router,
        }
    }

    async fn send(h: &Harness, request: Request<Body>) -> (StatusCode, String) {
        let response = h.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (
            status,
            String::from_utf8(body.to_vec()).expect("UTF-8 page"),
        )
    }

    fn upload(path: &str, file_name: &str, content: &[u8]) -> Request<Body> {
        let boundary = "----carecert-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request")
    }

    async fn members(db: &Db) -> i64 {
        with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM memberships"
        )
        .fetch_one(pool)
        .await)
        .expect("count")
    }

    #[tokio::test]
    async fn the_form_explains_the_format_and_uploads_with_the_token() {
        let h = harness().await;
        let path = format!("/organisations/{}/staff/import", h.org);
        let (status, page) = send(&h, Request::get(&path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(&format!(
            "action=\"/organisations/{}/staff/import?csrf_token=csrf-token\" enctype=\"multipart/form-data\"",
            h.org
        )));
        assert!(page.contains(
            "class=\"nhsuk-file-upload__input\" id=\"file\" name=\"file\" type=\"file\""
        ));
        assert!(page.contains("<code>staff_group</code>"));
        assert!(page.contains("Administrative and clerical"));
        assert!(page.contains("CSV UTF-8"));
        assert!(page.contains(&format!("href=\"/organisations/{}/staff\"", h.org)));
        assert!(!page.contains("nhsuk-error-summary"));
    }

    #[tokio::test]
    async fn a_file_is_imported_and_the_results_shown() {
        let h = harness().await;
        let path = format!("/organisations/{}/staff/import", h.org);
        let csv = "name,email,staff_group\nAnn,ann@nhs.net,clinical\nBob,bob@nhs.net,nurse\n,<b>x</b>@nhs.net,it\n";
        let (status, page) = send(&h, upload(&path, "staff.csv", csv.as_bytes())).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Staff import results"));
        assert!(page.contains("<strong>staff.csv</strong>"));
        assert!(page.contains("1 person"));
        assert!(page.contains("2 rows"));
        assert!(page.contains("aria-hidden=\"true\">Row </span>3</th>"));
        assert!(page.contains("is not a staff group"));
        assert!(
            page.contains("&#60;b&#62;x&#60;/b&#62;@nhs.net")
                || page.contains("&lt;b&gt;x&lt;/b&gt;@nhs.net")
        );
        assert!(!page.contains("<b>x</b>"));
        assert_eq!(members(&h.db).await, 1);

        let (status, page) = send(&h, upload(&path, "staff.csv", csv.as_bytes())).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("0 people"), "nobody added twice");
        assert_eq!(members(&h.db).await, 1);
    }

    #[tokio::test]
    async fn problems_with_the_whole_file_reshow_the_form() {
        let h = harness().await;
        let path = format!("/organisations/{}/staff/import", h.org);
        // Over the limit for files, over the application's limit for requests, and over
        // this route's limit (so the upload is cut off part-way).
        let too_big = sample_csv(300_000, 1);
        assert!(too_big.len() > crate::platform::web::upload::MAX_BODY_BYTES);
        let far_too_big = vec![b'x'; UPLOAD_BODY_LIMIT + 1];
        let cases: [(&str, &[u8], &str); 6] = [
            ("", b"", "Select a CSV file of staff to import"),
            ("empty.csv", b"", "The selected file is empty"),
            (
                "latin1.csv",
                b"name,email,staff_group\nJos\xe9,jose@nhs.net,it\n",
                "CSV UTF-8",
            ),
            (
                "cols.csv",
                b"name,email\nAnn,ann@nhs.net\n",
                "It is missing the staff_group column",
            ),
            ("big.csv", too_big.as_bytes(), "smaller than 10MB"),
            ("huge.csv", &far_too_big, "smaller than 10MB"),
        ];
        for (file_name, content, message) in cases {
            let (status, page) = send(&h, upload(&path, file_name, content)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{file_name}");
            assert!(page.contains("<title>Error: Import staff"), "{file_name}");
            assert!(page.contains("<a href=\"#file\">"), "{file_name}");
            assert!(page.contains(message), "{file_name}: {message}");
            assert!(page.contains("nhsuk-form-group--error"), "{file_name}");
            assert!(
                page.contains("aria-describedby=\"file-hint file-error\""),
                "{file_name}"
            );
        }
        let (status, _) = send(
            &h,
            Request::post(&path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("file=x"))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(members(&h.db).await, 0, "nothing written");
    }

    #[tokio::test]
    async fn other_organisations_are_out_of_bounds() {
        let h = harness().await;
        let other = format!("/organisations/{}/staff/import", Uuid::new_v4());
        let (status, _) = send(&h, Request::get(&other).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = send(
            &h,
            upload(
                &other,
                "staff.csv",
                b"name,email,staff_group\nA,a@nhs.net,it\n",
            ),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(members(&h.db).await, 0);
    }
}
