//! The audit log pages: every entry for national administrators, and one organisation's
//! entries for its security leads. Both are read-only, use `GET` filters so a filtered
//! page can be bookmarked, and are not themselves recorded in the log.

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    response::Html,
};
use time::{
    OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem, macros::format_description,
};

use crate::{
    audit::store::{self, Filter, ListedEntry},
    platform::{
        AppState,
        authz::Rule,
        error::{AppResult, urlencode},
        ids::OrgId,
        tenancy::{Lead, OrgScope},
        web::{
            format::thousands,
            forms::FormErrors,
            page::render,
            paging::{Pagination, page_count, page_number},
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

/// Entries shown per page.
pub const PAGE_SIZE: i64 = 50;

/// The longest filter value looked at; anything longer is not a real event type or code.
const MAX_FILTER_CHARS: usize = 100;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/audit", Rule::NationalAdmin, all_entries),
        Route::get(
            "/organisations/{org_id}/audit",
            Rule::OrgLead,
            organisation_entries,
        ),
    ]
}

/// The query string, read leniently: unknown parameters are ignored, the first of repeated
/// ones wins, and nothing here can make the request fail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub page: i64,
    pub event: String,
    pub organisation: String,
}

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        let mut page = None;
        let mut event = None;
        let mut organisation = None;
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let slot = match key.as_ref() {
                "page" => &mut page,
                "event" => &mut event,
                "organisation" => &mut organisation,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(
                    value
                        .trim()
                        .chars()
                        .take(MAX_FILTER_CHARS + 1)
                        .collect::<String>(),
                );
            }
        }
        Params {
            page: page_number(page.as_deref()),
            event: event.unwrap_or_default(),
            organisation: organisation.unwrap_or_default().to_ascii_uppercase(),
        }
    }
}

/// One entry as shown in the table.
pub struct EntryView {
    pub seq: i64,
    pub datetime: String,
    pub when: String,
    pub actor: String,
    pub organisation: String,
    pub event: String,
    pub detail: String,
    pub ip: String,
}

/// Shown times, e.g. "29 Nov 2026, 14:03 UTC".
const SHOWN_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");

const MACHINE_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

pub fn shown_time(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(SHOWN_TIME)
        .unwrap_or_default()
}

fn machine_time(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(MACHINE_TIME)
        .unwrap_or_default()
}

/// The detail as readable text: an object's fields as "key: value", separated by
/// semicolons; anything else as stored.
pub fn detail_text(detail: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Ok(serde_json::Value::Null) => String::new(),
        _ => detail.to_owned(),
    }
}

impl EntryView {
    fn from_entry(e: ListedEntry) -> Self {
        let organisation = match (e.organisation_name, e.organisation_ods_code) {
            (Some(name), Some(code)) => format!("{name} ({code})"),
            (Some(name), None) => name,
            _ if e.organisation_id.is_some() => "Removed organisation".to_owned(),
            _ => String::new(),
        };
        EntryView {
            seq: e.seq,
            datetime: machine_time(e.occurred_at),
            when: shown_time(e.occurred_at),
            actor: e.actor_label,
            organisation,
            event: e.event,
            detail: detail_text(&e.detail),
            ip: e.ip.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/log.html")]
pub struct AuditLogPage {
    pub shell: Shell,
    pub organisation_name: Option<String>,
    pub intro: String,
    pub errors: FormErrors,
    pub action: String,
    pub event_types: Vec<String>,
    pub event: String,
    pub show_organisation_filter: bool,
    pub organisation: String,
    pub filtered: bool,
    pub caption: String,
    pub summary: String,
    pub show_organisation_column: bool,
    pub entries: Vec<EntryView>,
    pub pagination: Option<Pagination>,
}

/// What the page needs, however it was reached.
struct Listing<'a> {
    action: String,
    /// Set on an organisation's own page: the only entries it may show.
    tenant: Option<OrgId>,
    params: &'a Params,
}

/// The filters that were valid, and the errors for those that were not.
struct Applied {
    filter_org: Option<OrgId>,
    event: Option<String>,
    organisation_code: Option<String>,
    errors: FormErrors,
}

async fn apply_filters(
    state: &AppState,
    listing: &Listing<'_>,
    event_types: &[String],
) -> AppResult<Applied> {
    let mut errors = FormErrors::new();
    let p = listing.params;
    let event = if p.event.is_empty() {
        None
    } else if event_types.contains(&p.event) {
        Some(p.event.clone())
    } else {
        errors.add("event", "Select an event type from the list");
        None
    };
    let mut filter_org = listing.tenant;
    let mut organisation_code = None;
    if listing.tenant.is_none() && !p.organisation.is_empty() {
        let well_formed =
            p.organisation.len() <= 10 && p.organisation.bytes().all(|b| b.is_ascii_alphanumeric());
        match well_formed {
            true => match store::organisation_by_ods_code(&state.db, &p.organisation).await? {
                Some((id, _)) => {
                    filter_org = Some(id);
                    organisation_code = Some(p.organisation.clone());
                }
                None => errors.add(
                    "organisation",
                    "No organisation has that ODS code. Check the code and try again",
                ),
            },
            false => errors.add(
                "organisation",
                "Enter an ODS code using only letters and numbers, like RX1",
            ),
        }
    }
    Ok(Applied {
        filter_org,
        event,
        organisation_code,
        errors,
    })
}

fn href(action: &str, event: Option<&str>, organisation: Option<&str>, page: i64) -> String {
    let mut parts = Vec::new();
    if let Some(e) = event {
        parts.push(format!("event={}", urlencode(e)));
    }
    if let Some(o) = organisation {
        parts.push(format!("organisation={}", urlencode(o)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        action.to_owned()
    } else {
        format!("{action}?{}", parts.join("&"))
    }
}

async fn build_page(
    state: &AppState,
    shell: Shell,
    organisation_name: Option<String>,
    listing: Listing<'_>,
) -> AppResult<Html<String>> {
    let event_types = store::event_types(&state.db, listing.tenant).await?;
    let applied = apply_filters(state, &listing, &event_types).await?;
    let filter = Filter {
        organisation_id: applied.filter_org,
        event: applied.event.as_deref(),
    };
    let total = store::count(&state.db, &filter).await?;
    let last_page = page_count(u64::try_from(total).unwrap_or(0), PAGE_SIZE);
    // A page past the end (or any bad number) shows the first page.
    let page = if listing.params.page > last_page {
        1
    } else {
        listing.params.page
    };
    let offset = (page - 1) * PAGE_SIZE;
    let entries: Vec<EntryView> = store::list(&state.db, &filter, PAGE_SIZE, offset)
        .await?
        .into_iter()
        .map(EntryView::from_entry)
        .collect();

    let link = |n: i64| {
        href(
            &listing.action,
            applied.event.as_deref(),
            applied.organisation_code.as_deref(),
            n,
        )
    };
    let pagination = Pagination::new(page, last_page, link);

    let filtered = applied.event.is_some() || applied.organisation_code.is_some();
    let summary = if total == 0 {
        if filtered {
            "No entries match these filters.".to_owned()
        } else {
            "No entries have been recorded yet.".to_owned()
        }
    } else {
        let first = offset + 1;
        let last = offset + entries.len() as i64;
        let noun = if total == 1 { "entry" } else { "entries" };
        format!(
            "Showing {} to {} of {} {noun}{}.",
            thousands(first),
            thousands(last),
            thousands(total),
            if filtered {
                " matching these filters"
            } else {
                ""
            }
        )
    };
    let caption = if last_page > 1 {
        format!("Audit log entries, newest first (page {page} of {last_page})")
    } else {
        "Audit log entries, newest first".to_owned()
    };
    let intro = match &organisation_name {
        Some(_) => "Security events concerning this organisation: sign-ins, changes to people \
                    and roles, API tokens and exports. Each entry is chained to the one before \
                    it, so changes to the record can be detected."
            .to_owned(),
        None => "Every security event recorded by CareCERT. Each entry is chained to the one \
                 before it, so changes to the record can be detected."
            .to_owned(),
    };
    let has_errors = !applied.errors.is_empty();
    render(&AuditLogPage {
        shell: shell.with_errors(has_errors),
        organisation_name,
        intro,
        errors: applied.errors,
        action: listing.action.clone(),
        event_types,
        event: applied.event.unwrap_or_default(),
        show_organisation_filter: listing.tenant.is_none(),
        organisation: listing.params.organisation.clone(),
        filtered,
        caption,
        summary,
        show_organisation_column: listing.tenant.is_none(),
        entries,
        pagination,
    })
}

/// `GET /admin/audit`: every entry, for national administrators.
pub async fn all_entries(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let params = Params::parse(query.as_deref());
    let shell = viewer.shell("Audit log").crumb("Home", "/");
    let listing = Listing {
        action: "/admin/audit".to_owned(),
        tenant: None,
        params: &params,
    };
    build_page(&state, shell, None, listing).await
}

/// `GET /organisations/{org_id}/audit`: one organisation's entries, for its security
/// leads (and national administrators). Only entries about this organisation are shown.
pub async fn organisation_entries(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: OrgScope<Lead>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let (org_id, name) = (scope.id(), scope.organisation.name);
    let params = Params::parse(query.as_deref());
    let shell = viewer
        .shell("Audit log")
        .crumb("Home", "/")
        .crumb(name.clone(), format!("/organisations/{org_id}"));
    let listing = Listing {
        action: format!("/organisations/{org_id}/audit"),
        tenant: Some(org_id),
        params: &params,
    };
    build_page(&state, shell, Some(name), listing).await
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::platform::web::paging::PageLink;

    #[test]
    fn query_parameters_are_read_leniently() {
        let p = Params::parse(Some(
            "page=3&event=sign_in.failed&organisation=+rx1+&page=9&x=1",
        ));
        assert_eq!(
            p,
            Params {
                page: 3,
                event: "sign_in.failed".into(),
                organisation: "RX1".into(),
            }
        );
        assert_eq!(
            Params::parse(None),
            Params {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(Params::parse(Some("%ZZ&&=&page")).page, 1);
    }

    #[test]
    fn links_keep_the_filters() {
        assert_eq!(href("/admin/audit", None, None, 1), "/admin/audit");
        assert_eq!(
            href("/admin/audit", Some("role.changed"), Some("RX1"), 2),
            "/admin/audit?event=role.changed&organisation=RX1&page=2"
        );
        assert_eq!(href("/a", Some("a b&c"), None, 1), "/a?event=a+b%26c");
    }

    #[test]
    fn times_details_and_counts_read_well() {
        assert_eq!(
            shown_time(datetime!(2026-11-29 15:03:59 +01:00)),
            "29 Nov 2026, 14:03 UTC"
        );
        assert_eq!(
            shown_time(datetime!(2026-03-05 09:00 UTC)),
            "5 Mar 2026, 09:00 UTC"
        );
        assert_eq!(
            machine_time(datetime!(2026-03-05 09:00 UTC)),
            "2026-03-05T09:00:00Z"
        );
        assert_eq!(
            detail_text(r#"{"from":"staff","to":"security_lead","count":2}"#),
            "count: 2; from: staff; to: security_lead"
        );
        assert_eq!(detail_text("{}"), "");
        assert_eq!(detail_text("null"), "");
        assert_eq!(detail_text("not json"), "not json");
    }

    #[test]
    fn the_page_renders_accessible_markup() {
        let page = AuditLogPage {
            shell: Shell::bare("Audit log").crumb("Home", "/"),
            organisation_name: Some("Northtown <Trust>".into()),
            intro: "Intro".into(),
            errors: {
                let mut e = FormErrors::new();
                e.add("event", "Select an event type from the list");
                e
            },
            action: "/admin/audit".into(),
            event_types: vec!["export".into(), "sign_in.failed".into()],
            event: "export".into(),
            show_organisation_filter: true,
            organisation: "RX1".into(),
            filtered: true,
            caption: "Audit log entries, newest first (page 2 of 3)".into(),
            summary: "Showing 51 to 100 of 120 entries.".into(),
            show_organisation_column: true,
            entries: vec![EntryView {
                seq: 7,
                datetime: "2026-11-29T14:03:00Z".into(),
                when: "29 Nov 2026, 14:03 UTC".into(),
                actor: "ann@example.org".into(),
                organisation: "Northtown Trust (RX1)".into(),
                event: "export".into(),
                detail: "rows: 3".into(),
                ip: "192.0.2.1".into(),
            }],
            pagination: Some(Pagination {
                previous: Some("/admin/audit?event=export".into()),
                next: Some("/admin/audit?event=export&page=3".into()),
                items: vec![
                    PageLink {
                        number: 1,
                        href: "/admin/audit?event=export".into(),
                        current: false,
                        ellipsis: false,
                    },
                    PageLink {
                        number: 2,
                        href: "/admin/audit?event=export&page=2".into(),
                        current: true,
                        ellipsis: false,
                    },
                    PageLink {
                        number: 3,
                        href: "/admin/audit?event=export&page=3".into(),
                        current: false,
                        ellipsis: false,
                    },
                ],
            }),
        };
        let html = page.render().expect("renders");
        assert!(html.contains("<h1"));
        assert!(
            html.contains("Northtown &#60;Trust&#62;") || html.contains("Northtown &lt;Trust&gt;")
        );
        assert!(html.contains(r#"<form method="get" action="/admin/audit""#));
        assert!(html.contains(r#"<label class="nhsuk-label" for="event">"#));
        assert!(html.contains(r#"<label class="nhsuk-label" for="organisation">"#));
        assert!(html.contains(r#"<option value="export" selected>"#));
        assert!(html.contains(r#"<caption class="nhsuk-table__caption"#));
        assert!(html.contains(r#"scope="col""#));
        assert!(html.contains(r#"<th class="nhsuk-table__header" scope="row">7</th>"#));
        assert!(
            html.contains(r#"<time class="nhsuk-u-nowrap" datetime="2026-11-29T14:03:00Z">29 Nov 2026, 14:03 UTC</time>"#)
        );
        assert!(html.contains(r#"aria-current="page""#));
        assert!(
            html.contains("event=export&#38;page=3") || html.contains("event=export&amp;page=3")
        );
        assert!(html.contains(r##"<a href="#event">Select an event type from the list</a>"##));
    }
}
