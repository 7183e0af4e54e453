//! A security lead's software inventory pages: what was last uploaded, the items page by
//! page, the live advisories the organisation is likely affected by, replacing the
//! inventory from a CSV file or a CycloneDX SBOM, and downloading it again as CSV.

use askama::Template;
use axum::{
    extract::{
        DefaultBodyLimit, Multipart, Query, State,
        multipart::{MultipartError, MultipartRejection},
    },
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;

use crate::platform::web::format::date_and_time;
use crate::platform::web::{
    csv::{csv_response, safe_cell, spreadsheet_writer},
    paging::{Pagination, page_count, page_number},
};
use crate::{
    alerts::{
        inventory_files::{self, Format, MAX_BYTES, MAX_ITEMS},
        model::{AdvisoryStatus, InventoryItem},
        publishing::{self, MatchedItem},
        store::{inventory as store, responses},
        views,
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
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

const PATH: &str = "/organisations/{org_id}/inventory";
const PAGE_SIZE: i64 = 50;
/// The file input's name and id; the error summary links to it.
const FILE_FIELD: &str = "file";
/// How much of a request the upload route reads: above [`MAX_BYTES`], so a file a little too
/// large is read to its end and answered with a clear message rather than cut off.
const UPLOAD_BODY_LIMIT: usize = 3 * MAX_BYTES;
/// The longest file name kept.
const MAX_FILENAME_CHARS: usize = 200;
/// The columns of the CSV file, in the order the download writes them.
const COLUMNS: [&str; 7] = [
    "vendor", "product", "version", "count", "location", "cpe", "purl",
];

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::OrgLead, show),
        Route {
            method: Method::POST,
            path: PATH,
            rule: Rule::OrgLead,
            handler: post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        },
        Route::get(
            "/organisations/{org_id}/inventory.csv",
            Rule::OrgLead,
            export,
        ),
    ]
}

fn inventory_path(org: OrgId) -> String {
    format!("/organisations/{org}/inventory")
}

/// "1 item", "2 items".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The inventory as a CSV file in the format the upload reads, so a download can be
/// edited and uploaded again. Text that a spreadsheet would run as a formula is guarded.
pub fn inventory_csv(items: &[InventoryItem]) -> Result<Vec<u8>, csv::Error> {
    // A byte order mark, so spreadsheet programs read the text as UTF-8.
    let mut out = spreadsheet_writer();
    out.write_record(COLUMNS)?;
    for item in items {
        out.write_record([
            safe_cell(&item.vendor),
            safe_cell(&item.product),
            safe_cell(&item.version),
            item.count.to_string(),
            safe_cell(&item.location),
            safe_cell(item.cpe.as_deref().unwrap_or("")),
            safe_cell(item.purl.as_deref().unwrap_or("")),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The name to keep for an uploaded file: without any folder a browser sent, printable,
/// and not too long.
fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        "inventory".to_owned()
    } else {
        name.to_owned()
    }
}

/// A live advisory the organisation is likely affected by.
struct AffectedView {
    reference: String,
    title: String,
    severity: &'static str,
    severity_tag: &'static str,
    state: &'static str,
    items: Vec<String>,
}

struct UploadView {
    filename: String,
    format: &'static str,
    count: String,
    when: String,
    by: String,
}

#[derive(Template)]
#[template(path = "alerts/inventory.html")]
struct InventoryPage {
    shell: Shell,
    org: Organisation,
    problems: Vec<String>,
    upload: Option<UploadView>,
    affected: Vec<AffectedView>,
    items: Vec<InventoryItem>,
    first: i64,
    last: i64,
    total: i64,
    pagination: Option<Pagination>,
    max_megabytes: usize,
    max_items: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

fn format_label(format: Format) -> &'static str {
    match format {
        Format::CycloneDx => "CycloneDX SBOM (JSON)",
        Format::Csv => "CSV",
    }
}

fn pagination(org: OrgId, page: i64, last_page: i64) -> Option<Pagination> {
    let link = |n: i64| format!("{}?page={n}", inventory_path(org));
    Pagination::new(page, last_page, link)
}

async fn affected(state: &AppState, org: OrgId) -> Result<Vec<AffectedView>, sqlx::Error> {
    let mut rows: Vec<_> = responses::inbox(&state.db, &[org])
        .await?
        .into_iter()
        .filter(|r| r.status == AdvisoryStatus::Published && r.response.likely_affected)
        .collect();
    rows.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| b.published_at.cmp(&a.published_at))
    });
    Ok(rows
        .into_iter()
        .map(|r| {
            let severity = r.severity;
            let items = serde_json::from_str::<Vec<MatchedItem>>(&r.response.matches)
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let place = if m.location.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", m.location)
                    };
                    format!("{} {}{place}", m.product, m.version)
                })
                .collect();
            AffectedView {
                state: r.response.state.label(),
                reference: r.reference,
                title: r.title,
                severity: severity.label(),
                severity_tag: views::severity_tag(severity),
                items,
            }
        })
        .collect())
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    page: i64,
    problems: Vec<String>,
) -> AppResult<Response> {
    let upload = store::upload(&state.db, org.id).await?;
    let total = upload.as_ref().map_or(0, |u| u.item_count);
    let last_page = page_count(u64::try_from(total).unwrap_or(0), PAGE_SIZE);
    let page = page.min(last_page);
    let offset = (page - 1) * PAGE_SIZE;
    let items = store::items_page(&state.db, org.id, PAGE_SIZE, offset).await?;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = viewer
        .shell("Software inventory")
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .crumb("Alerts", "/alerts")
        .with_errors(!problems.is_empty());
    let view = InventoryPage {
        shell,
        problems,
        upload: upload.map(|u| UploadView {
            format: format_label(u.format),
            count: plural(usize::try_from(u.item_count).unwrap_or(0), "item", "items"),
            when: date_and_time(u.uploaded_at),
            by: u.uploaded_by_name,
            filename: u.filename,
        }),
        affected: affected(state, org.id).await?,
        first: offset + 1,
        last: offset + items.len() as i64,
        items,
        total,
        pagination: pagination(org.id, page, last_page),
        max_megabytes: MAX_BYTES / (1024 * 1024),
        max_items: MAX_ITEMS,
        org,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /organisations/{org_id}/inventory`
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    page(
        &state,
        &viewer,
        org,
        page_number(query.page.as_deref()),
        Vec::new(),
    )
    .await
}

/// The uploaded file.
struct Upload {
    filename: String,
    bytes: Vec<u8>,
}

/// Reads the `file` field, keeping at most one byte more than [`MAX_BYTES`] so a file too
/// large is recognised without holding all of it.
async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let mut upload = None;
    while let Some(mut field) = multipart.next_field().await.map_err(upload_problem)? {
        if field.name() != Some(FILE_FIELD) || upload.is_some() {
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(upload_problem)? {
            let room = (MAX_BYTES + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        upload = Some(Upload { filename, bytes });
    }
    match upload {
        Some(u) if u.filename.trim().is_empty() && u.bytes.is_empty() => Err(no_file()),
        Some(u) if u.bytes.is_empty() => Err("The selected file is empty".to_owned()),
        Some(u) => Ok(u),
        None => Err(no_file()),
    }
}

fn no_file() -> String {
    "Select a CSV file or a CycloneDX SBOM in JSON to upload".to_owned()
}

fn upload_problem(error: MultipartError) -> String {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "The file must be smaller than {} MB",
            MAX_BYTES / (1024 * 1024)
        )
    } else {
        tracing::info!(error = %error, "could not read an uploaded inventory file");
        "The file could not be read. Try uploading it again".to_owned()
    }
}

/// `POST /organisations/{org_id}/inventory`: replaces the inventory, all or nothing.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let org_id = org.id;
    let upload = match multipart {
        Ok(multipart) => read_upload(multipart).await,
        Err(_) => Err(no_file()),
    };
    let Upload { filename, bytes } = match upload {
        Ok(u) => u,
        Err(problem) => return page(&state, &viewer, org, 1, vec![problem]).await,
    };
    let filename = clean_filename(&filename);
    let name = filename.clone();
    // Checking up to 5 MB of text is CPU work: keep it off the request threads.
    let parsed = tokio::task::spawn_blocking(move || {
        let format = inventory_files::detect(&name, &bytes);
        inventory_files::parse(&name, &bytes).map(|items| (format, items))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let (format, inventory_files::Parsed { items, left_out }) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return page(&state, &viewer, org, 1, e.problems).await,
    };
    // A file that parsed but whose kind could not be told is read as CSV.
    let format = format.unwrap_or(Format::Csv);
    let at = now();
    let mut tx = state.db.begin().await?;
    store::replace(&mut tx, org_id, &filename, format, &items, p.user_id, at).await?;
    let matched = publishing::rematch_organisation(&mut tx, org_id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "alerts.inventory_replaced",
            detail: serde_json::json!({
                "file": filename,
                "format": format.as_str(),
                "items": items.len(),
                "left_out": left_out.len(),
                "likely_affected": matched,
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &inventory_path(org_id),
        &format!(
            "Inventory replaced: {}; likely affected by {}.{}",
            plural(items.len(), "item", "items"),
            plural(matched, "live advisory", "live advisories"),
            left_out_note(&left_out)
        ),
    ))
}

/// Says which SBOM components were not imported, naming the first few.
fn left_out_note(left_out: &[String]) -> String {
    const NAMED: usize = 3;
    if left_out.is_empty() {
        return String::new();
    }
    // The note travels in a cookie: long names are cut short.
    let short = |label: &String| match label.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &label[..at]),
        None => label.clone(),
    };
    let mut named = left_out
        .iter()
        .take(NAMED)
        .map(short)
        .collect::<Vec<_>>()
        .join(", ");
    if left_out.len() > NAMED {
        named.push_str(&format!(" and {} more", left_out.len() - NAMED));
    }
    format!(
        " {} left out because {} no supplier, CPE or package URL, so no advisory could \
         match {}: {named}.",
        plural(left_out.len(), "component was", "components were"),
        if left_out.len() == 1 {
            "it names"
        } else {
            "they name"
        },
        if left_out.len() == 1 { "it" } else { "them" },
    )
}

/// `GET /organisations/{org_id}/inventory.csv`
pub async fn export(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org_id = org.id;
    let items = store::items(&state.db, org_id).await?;
    let body = inventory_csv(&items).map_err(|e| AppError::Internal(e.into()))?;
    audit::record_now(
        &state.db,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "export",
            detail: serde_json::json!({
                "what": "alerts_inventory",
                "format": "csv",
                "items": items.len(),
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    let ods: String = org
        .ods_code
        .as_str()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Ok(csv_response(
        &format!("inventory-{ods}-{}.csv", now().date()),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn item(vendor: &str, product: &str, version: &str) -> InventoryItem {
        InventoryItem {
            vendor: vendor.into(),
            product: product.into(),
            version: version.into(),
            count: 3,
            location: "Ward 7, east wing".into(),
            cpe: None,
            purl: None,
        }
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[test]
    fn left_out_components_are_named_three_at_most_and_cut_short() {
        assert_eq!(left_out_note(&[]), "");
        let one = vec!["Component 1 ('debian')".to_string()];
        assert_eq!(
            left_out_note(&one),
            " 1 component was left out because it names no supplier, CPE or package URL, so \
             no advisory could match it: Component 1 ('debian')."
        );
        let long = format!("Component 2 ('{}')", "x".repeat(200));
        let five: Vec<String> = [one[0].clone(), long]
            .into_iter()
            .chain((3..=5).map(|n| format!("Component {n} ('f{n}')")))
            .collect();
        let note = left_out_note(&five);
        assert!(note.starts_with(" 5 components were left out because they name no supplier"));
        assert!(note.contains("could match them: Component 1 ('debian'), Component 2 ('xxx"));
        assert!(
            note.ends_with("…, Component 3 ('f3') and 2 more."),
            "{note}"
        );
        assert!(note.chars().count() < 400);
    }

    #[test]
    fn the_download_is_read_back_as_the_same_inventory() {
        let mut log4j = item("Apache", "log4j-core", "2.14.1");
        log4j.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into());
        let mut curl = item("", "curl", "8.4.0");
        curl.cpe = Some("cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*".into());
        curl.count = 0;
        let quoted = item("Acme \"Tools\"", "Widget, Pro", "1.0");
        let items = vec![log4j, curl, quoted];
        let csv = inventory_csv(&items).unwrap();
        assert!(
            csv.starts_with("\u{feff}vendor,product,version,count,location,cpe,purl\n".as_bytes())
        );
        assert_eq!(
            inventory_files::parse("inventory.csv", &csv).unwrap().items,
            items
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_guarded() {
        let hostile = item("=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1");
        let csv = text(&inventory_csv(&[hostile]).unwrap());
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("\"'=HYPERLINK"), "{row}");
        assert!(row.contains(",'@SUM(A1),'+1,3,"), "{row}");
    }

    #[test]
    fn an_empty_inventory_downloads_as_headings_only() {
        let csv = text(&inventory_csv(&[]).unwrap());
        assert_eq!(csv.lines().count(), 1);
    }

    #[test]
    fn file_names_lose_folders_and_invisible_characters() {
        assert_eq!(clean_filename("C:\\Users\\ann\\inv.csv"), "inv.csv");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("in\u{0}v\r\n.csv"), "inv.csv");
        assert_eq!(clean_filename("   "), "inventory");
        assert_eq!(clean_filename("dir/"), "inventory");
        assert_eq!(
            clean_filename(&"a".repeat(500)).chars().count(),
            MAX_FILENAME_CHARS
        );
    }

    #[test]
    fn pages_link_to_their_neighbours() {
        let org = OrgId::from(Uuid::nil());
        assert!(pagination(org, 1, 1).is_none());
        let p = pagination(org, 2, 3).expect("pages");
        assert_eq!(
            p.previous.as_deref(),
            Some(format!("/organisations/{org}/inventory?page=1").as_str())
        );
        assert_eq!(
            p.next.as_deref(),
            Some(format!("/organisations/{org}/inventory?page=3").as_str())
        );
        assert!(p.items.iter().any(|i| i.current && i.number == 2));
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(plural(1, "item", "items"), "1 item");
        assert_eq!(plural(0, "item", "items"), "0 items");
        assert_eq!(
            plural(2, "live advisory", "live advisories"),
            "2 live advisories"
        );
    }
}
