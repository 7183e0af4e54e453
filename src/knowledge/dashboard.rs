//! An organisation's training coverage, for its security leads (and national
//! administrators): how many active staff hold valid mandatory training against the
//! organisation's target, by staff group and department, month by month, who is overdue or
//! expiring soon, a one-click reminder to everyone overdue, the target itself, and a CSV of
//! every member's standing.
//!
//! Coverage counts the organisation's active memberships, people who have not yet set a
//! password included (they are staff, and untrained); reminders go only to those who can
//! sign in, since the others cannot act on one and already have an invitation.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::{Duration, OffsetDateTime, macros::format_description};

use crate::{
    audit::{self, NewEvent},
    knowledge::{
        chart::{Point, coverage_svg},
        rules::{
            coverage::{self, DEFAULT_TARGET, Tally},
            expiry::{self, EXPIRING_SOON_DAYS},
            reminder_limits::ORGANISATION_EVERY,
        },
        store::{
            courses, reminder_limits,
            reports::{self, GroupCount, StaffRecord},
        },
    },
    platform::{
        AppState,
        authz::Rule,
        db::now,
        email::Email,
        error::{AppError, AppResult},
        ids::OrgId,
        limits::{Allowance, allowance},
        tenancy::{Lead, OrgScope},
        tenants::Organisation,
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            csv::{csv_response, safe_cell, spreadsheet_writer},
            format::long_date,
            forms::FormErrors,
            page::render,
            paging::{page_count, page_number},
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
    staff::groups::StaffGroup,
};

/// Rows per page in the overdue and expiring-soon lists (an organisation can have 20,000
/// staff, so neither list is ever shown whole).
const LIST_PAGE_SIZE: i64 = 50;

/// How many months the trend covers.
const TREND_MONTHS: usize = 12;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/organisations/{org_id}/training", Rule::OrgLead, show),
        Route::get(
            "/organisations/{org_id}/training.csv",
            Rule::OrgLead,
            export,
        ),
        Route::post(
            "/organisations/{org_id}/training/target",
            Rule::OrgLead,
            change_target,
        ),
        Route::post(
            "/organisations/{org_id}/training/remind",
            Rule::OrgLead,
            super::remind::remind,
        ),
    ]
}

// ---- Pure rules: summaries, validation, formatting ----

/// One row of a coverage table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub label: String,
    pub trained: u64,
    pub total: u64,
    pub percent: u32,
    pub meets: bool,
}

impl CoverageRow {
    fn from_tally(t: &Tally, target: u32) -> Self {
        CoverageRow {
            label: t.label.clone(),
            trained: t.trained,
            total: t.total,
            percent: t.percent(),
            meets: t.meets(target),
        }
    }
}

/// The organisation's figures, from its per-group-and-department counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub overall: CoverageRow,
    pub by_group: Vec<CoverageRow>,
    pub by_department: Vec<CoverageRow>,
    pub overdue: u64,
    pub expiring_soon: u64,
    pub overdue_with_account: u64,
}

impl Summary {
    /// Overdue staff a reminder cannot reach: they have not set up their account.
    pub fn overdue_without_account(&self) -> u64 {
        self.overdue.saturating_sub(self.overdue_with_account)
    }
}

/// What a member with no department is listed under.
pub const NO_DEPARTMENT: &str = "No department recorded";

/// Adds up the counts overall, by staff group (in the usual order of groups) and by
/// department (alphabetically, those with none last).
pub fn summarise(counts: &[GroupCount], target: u32) -> Summary {
    let n = |v: i64| v.max(0) as u64;
    let (mut trained, mut total, mut soon, mut reachable) = (0, 0, 0, 0);
    let mut groups: Vec<(StaffGroup, u64, u64)> =
        StaffGroup::ALL.iter().map(|g| (*g, 0, 0)).collect();
    let mut departments: std::collections::BTreeMap<(bool, String), (String, u64, u64)> =
        Default::default();
    for c in counts {
        trained += n(c.trained);
        total += n(c.total);
        soon += n(c.expiring_soon);
        reachable += n(c.overdue_with_account);
        if let Some(g) = groups.iter_mut().find(|(g, _, _)| *g == c.staff_group) {
            g.1 += n(c.trained);
            g.2 += n(c.total);
        }
        let name = c
            .department
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        // Sorted without regard to case, with "no department" after every named one.
        let key = (
            name.is_none(),
            name.map(str::to_lowercase).unwrap_or_default(),
        );
        let d = departments
            .entry(key)
            .or_insert_with(|| (name.unwrap_or(NO_DEPARTMENT).to_owned(), 0, 0));
        d.1 += n(c.trained);
        d.2 += n(c.total);
    }
    let row = |label: &str, trained, total| {
        CoverageRow::from_tally(
            &Tally {
                label: label.to_owned(),
                trained,
                total,
            },
            target,
        )
    };
    Summary {
        overall: row("All staff", trained, total),
        by_group: groups
            .into_iter()
            .filter(|(_, _, total)| *total > 0)
            .map(|(g, trained, total)| row(g.label(), trained, total))
            .collect(),
        by_department: departments
            .into_values()
            .map(|(label, trained, total)| row(&label, trained, total))
            .collect(),
        overdue: total - trained,
        expiring_soon: soon,
        overdue_with_account: reachable,
    }
}

/// Reads a coverage target in percent: a whole number from 1 to 100 ("95%" is accepted).
pub fn parse_target(raw: &str) -> Result<u32, &'static str> {
    let s = raw.trim();
    let s = s.strip_suffix('%').unwrap_or(s).trim();
    if s.is_empty() {
        return Err("Enter a target percentage");
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Target must be a whole number, like 95");
    }
    match s.parse::<u32>() {
        Ok(t) if (1..=100).contains(&t) => Ok(t),
        _ => Err("Target must be between 1 and 100"),
    }
}

/// A date for spreadsheets: "2026-03-05".
pub fn iso_date(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// The month a month end closes, for charts: the first of December at midnight ends
/// November ("Nov 2026"); any later moment is in its own month so far.
pub fn month_label(t: OffsetDateTime) -> String {
    (t - Duration::seconds(1))
        .format(format_description!("[month repr:short] [year]"))
        .unwrap_or_default()
}

/// A month in the trend: what the chart draws and the table beside it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    pub label: String,
    pub trained: u64,
    pub total: u64,
    pub percent: u32,
}

/// Months from (trained, total) figures at the month ends `at`.
pub fn month_rows(at: &[OffsetDateTime], figures: &[(u64, u64)]) -> Vec<MonthRow> {
    at.iter()
        .zip(figures)
        .map(|(t, (trained, total))| MonthRow {
            label: month_label(*t),
            trained: *trained,
            total: *total,
            percent: coverage::percent(*trained, *total),
        })
        .collect()
}

/// The chart of `months` against `target`, as inline SVG.
pub fn chart(title: &str, months: &[MonthRow], target: u32) -> String {
    let points: Vec<Point> = months
        .iter()
        .map(|m| Point {
            label: m.label.clone(),
            percent: m.percent,
        })
        .collect();
    coverage_svg(title, &points, target)
}

/// The CSV of every member's standing: a header row, then one row per member.
pub fn staff_csv(records: &[StaffRecord], now: OffsetDateTime) -> Result<Vec<u8>, csv::Error> {
    // A byte order mark, so spreadsheet programs read names as UTF-8.
    let mut out = spreadsheet_writer();
    out.write_record([
        "Name",
        "Email",
        "Staff group",
        "Department",
        "Status",
        "Last passed",
        "Expires",
        "Course version",
    ])?;
    for r in records {
        let status = expiry::standing(r.expires_at, false, now).label();
        out.write_record([
            safe_cell(&r.name),
            safe_cell(&r.email),
            r.staff_group.label().to_owned(),
            safe_cell(r.department.as_deref().unwrap_or("")),
            status.to_owned(),
            r.passed_at.map(iso_date).unwrap_or_default(),
            r.expires_at.map(iso_date).unwrap_or_default(),
            safe_cell(r.course_version.as_deref().unwrap_or("")),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The reminder sent to one member of staff whose training is overdue.
pub fn reminder_email(
    public_url: &str,
    organisation: &str,
    course: &str,
    name: &str,
    to: &str,
) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Reminder: your {course} training is due"),
        body: format!(
            "Dear {name},\n\n{organisation} asks everyone to keep their {course} training up to date. \
             Our records show you have not completed it, or your last pass has expired.\n\n\
             Sign in to CareCERT to take the course:\n{public_url}/sign-in\n\n\
             If you think this is wrong, tell your organisation's security lead.\n"
        ),
    }
}

// ---- Handlers ----

/// A member on the overdue or expiring-soon list, as shown.
struct ListedPerson {
    name: String,
    email: String,
    group: &'static str,
    department: String,
    expiry: String,
}

impl ListedPerson {
    fn from_record(r: StaffRecord) -> Self {
        ListedPerson {
            group: r.staff_group.label(),
            department: r.department.unwrap_or_default(),
            expiry: r
                .expires_at
                .map(long_date)
                .unwrap_or_else(|| "Never trained".into()),
            name: r.name,
            email: r.email,
        }
    }
}

/// One page of a list, with links to its neighbours.
struct Listing {
    rows: Vec<ListedPerson>,
    total: u64,
    page: i64,
    pages: i64,
    first: u64,
    last: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "knowledge/dashboard.html")]
struct DashboardPage {
    shell: Shell,
    org: Organisation,
    course_title: Option<String>,
    target: u32,
    summary: Summary,
    months: Vec<MonthRow>,
    chart: String,
    overdue: Listing,
    soon: Listing,
    errors: FormErrors,
    target_value: String,
    /// While "remind all" must wait (see `rules::reminder_limits`), what the page says.
    reminders_wait: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    overdue_page: Option<String>,
    soon_page: Option<String>,
}

/// The organisation in the URL, if it has training coverage: the national team has none
/// of its own, so its pages are not found.
pub(super) fn with_coverage(org: Organisation) -> AppResult<Organisation> {
    Some(org)
        .filter(|o| !o.is_national_team())
        .ok_or(AppError::NotFound)
}

/// The mandatory course's slug and title, if there is one.
pub async fn mandatory_course(state: &AppState) -> AppResult<Option<(String, String)>> {
    let Some(slug) = courses::mandatory_slug(&state.db).await? else {
        return Ok(None);
    };
    let title = courses::current_by_slug(&state.db, &slug)
        .await?
        .map(|v| v.title)
        .unwrap_or_else(|| slug.clone());
    Ok(Some((slug, title)))
}

/// The organisation's coverage target, or the NHS's when none is stored.
pub(super) async fn org_target(state: &AppState, org: OrgId) -> AppResult<u32> {
    Ok(reports::target(&state.db, org)
        .await?
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(DEFAULT_TARGET))
}

async fn build_page(
    state: &AppState,
    viewer: &Viewer,
    org: Organisation,
    q: &DashboardQuery,
    errors: FormErrors,
    target_value: Option<String>,
) -> AppResult<DashboardPage> {
    let at = now();
    let soon_until = at + Duration::days(EXPIRING_SOON_DAYS);
    let course = mandatory_course(state).await?;
    // With no mandatory course nobody can be trained: an unmatchable slug shows that.
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let target = org_target(state, org.id).await?;
    let counts = reports::group_counts(&state.db, org.id, slug, at, soon_until).await?;
    let summary = summarise(&counts, target);

    let ends = coverage::month_ends(at, TREND_MONTHS);
    let since = ends.first().copied().unwrap_or(at);
    let (members, passes) = reports::trend_inputs(&state.db, org.id, slug, since).await?;
    let months = month_rows(&ends, &coverage::trend(&ends, &members, &passes));

    let base = format!("/organisations/{}/training", org.id);
    let overdue_page = page_number(q.overdue_page.as_deref());
    let soon_page = page_number(q.soon_page.as_deref());
    let overdue_rows = reports::overdue(
        &state.db,
        org.id,
        slug,
        at,
        LIST_PAGE_SIZE,
        (overdue_page - 1) * LIST_PAGE_SIZE,
    )
    .await?;
    let soon_rows = reports::expiring_soon(
        &state.db,
        org.id,
        slug,
        at,
        soon_until,
        LIST_PAGE_SIZE,
        (soon_page - 1) * LIST_PAGE_SIZE,
    )
    .await?;
    let href =
        |o: i64, s: i64, anchor: &str| format!("{base}?overdue_page={o}&soon_page={s}#{anchor}");
    let listing = |rows: Vec<StaffRecord>, total: u64, page: i64, link: &dyn Fn(i64) -> String| {
        let pages = page_count(total, LIST_PAGE_SIZE);
        let first = ((page - 1) * LIST_PAGE_SIZE) as u64 + 1;
        Listing {
            first,
            last: first - 1 + rows.len() as u64,
            rows: rows.into_iter().map(ListedPerson::from_record).collect(),
            total,
            page,
            pages,
            prev_href: (page > 1).then(|| link(page - 1)),
            next_href: (page < pages).then(|| link(page + 1)),
        }
    };
    let overdue = listing(overdue_rows, summary.overdue, overdue_page, &|p| {
        href(p, soon_page, "overdue")
    });
    let soon = listing(soon_rows, summary.expiring_soon, soon_page, &|p| {
        href(overdue_page, p, "expiring")
    });

    let last_reminded = reminder_limits::organisation_last_sent(&state.db, org.id).await?;
    let reminders_wait = match allowance(last_reminded, at, ORGANISATION_EVERY) {
        Allowance::NotUntil(again) => Some(super::remind::wait_message(again)),
        Allowance::Allowed => None,
    };

    let title = format!("Training coverage at {}, by month", org.name);
    let shell = viewer
        .shell("Training coverage")
        .crumb("Home", "/")
        .crumb(org.name.clone(), format!("/organisations/{}", org.id))
        .with_errors(!errors.is_empty());
    Ok(DashboardPage {
        shell,
        chart: chart(&title, &months, target),
        course_title: course.map(|c| c.1),
        target,
        summary,
        months,
        overdue,
        soon,
        errors,
        target_value: target_value.unwrap_or_else(|| target.to_string()),
        reminders_wait,
        org,
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    OrgScope {
        organisation: org, ..
    }: OrgScope<Lead>,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let org = with_coverage(org)?;
    let page = build_page(&state, &viewer, org, &q, FormErrors::new(), None).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    target: String,
}

pub async fn change_target(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
    Form(form): Form<TargetForm>,
) -> AppResult<Response> {
    let org = with_coverage(org)?;
    let org_id = org.id;
    let target = match parse_target(&form.target) {
        Ok(t) => t,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("target", message);
            let page = build_page(
                &state,
                &viewer,
                org,
                &DashboardQuery::default(),
                errors,
                Some(form.target),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let before = reports::set_target(&mut tx, org_id, i64::from(target))
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "training.target_changed",
            detail: serde_json::json!({ "from": before, "to": target }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/organisations/{org_id}/training"),
        &format!("The training target for {} is now {target}%", org.name),
    ))
}

pub async fn export(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    OrgScope {
        principal: ref p,
        organisation: org,
        ..
    }: OrgScope<Lead>,
) -> AppResult<Response> {
    let org = with_coverage(org)?;
    let org_id = org.id;
    let course = mandatory_course(&state).await?;
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let at = now();
    let records = reports::all_records(&state.db, org_id, slug).await?;
    let body = staff_csv(&records, at).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: Some(org_id),
            event: "export",
            detail: serde_json::json!({ "report": "training", "rows": records.len() }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    let filename = format!("training-{}-{}.csv", org.ods_code, iso_date(at));
    Ok(csv_response(&filename, body))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn count(group: &str, dept: Option<&str>, total: i64, trained: i64) -> GroupCount {
        GroupCount {
            staff_group: StaffGroup::parse(group).expect("a staff group"),
            department: dept.map(Into::into),
            total,
            trained,
            expiring_soon: 1.min(trained),
            overdue_with_account: total - trained,
        }
    }

    #[test]
    fn summarises_overall_by_group_and_by_department() {
        let counts = [
            count("clinical", Some("Wards"), 10, 10),
            count("clinical", None, 5, 4),
            count("admin", Some("wards"), 5, 1),
            count("admin", Some("Estates"), 0, 0),
            count("other", Some("Estates"), 2, 2),
        ];
        let s = summarise(&counts, 90);
        assert_eq!((s.overall.trained, s.overall.total), (17, 22));
        assert_eq!(s.overall.percent, 77);
        assert!(!s.overall.meets);
        assert_eq!(
            (s.overdue, s.expiring_soon, s.overdue_with_account),
            (5, 4, 5)
        );
        let groups: Vec<_> = s
            .by_group
            .iter()
            .map(|r| (r.label.as_str(), r.trained, r.total, r.meets))
            .collect();
        assert_eq!(
            groups,
            [
                ("Clinical", 14, 15, true),
                ("Administrative and clerical", 1, 5, false),
                ("Other", 2, 2, true),
            ]
        );
        let depts: Vec<_> = s
            .by_department
            .iter()
            .map(|r| (r.label.as_str(), r.trained, r.total))
            .collect();
        assert_eq!(
            depts,
            [("Estates", 2, 2), ("Wards", 11, 15), (NO_DEPARTMENT, 4, 5)]
        );
    }

    #[test]
    fn nobody_means_zero_percent_and_not_meeting_the_target() {
        let s = summarise(&[], 95);
        assert_eq!((s.overall.percent, s.overall.meets), (0, false));
        assert!(s.by_group.is_empty() && s.by_department.is_empty());
    }

    #[test]
    fn targets_are_whole_numbers_from_1_to_100() {
        assert_eq!(parse_target(" 95 "), Ok(95));
        assert_eq!(parse_target("80%"), Ok(80));
        assert_eq!(parse_target("1"), Ok(1));
        assert_eq!(parse_target("100"), Ok(100));
        assert_eq!(parse_target(""), Err("Enter a target percentage"));
        for bad in ["abc", "9.5", "-5", "1e2", "９５"] {
            assert_eq!(
                parse_target(bad),
                Err("Target must be a whole number, like 95"),
                "{bad}"
            );
        }
        for out in ["0", "101", "99999999999999999999"] {
            assert_eq!(
                parse_target(out),
                Err("Target must be between 1 and 100"),
                "{out}"
            );
        }
    }

    #[test]
    fn dates_and_month_labels() {
        let t = datetime!(2026-03-05 10:00 UTC);
        assert_eq!(iso_date(t), "2026-03-05");
        assert_eq!(month_label(t), "Mar 2026");
        assert_eq!(month_label(datetime!(2026-01-01 00:00 UTC)), "Dec 2025");
        let ends = coverage::month_ends(datetime!(2026-11-29 10:00 UTC), 12);
        let rows = month_rows(&ends, &[(1, 2); 12]);
        assert_eq!(rows[0].label, "Dec 2025");
        assert_eq!(rows[11].label, "Nov 2026");
        assert_eq!(rows[10].label, "Oct 2026");
        assert_eq!(rows[0].percent, 50);
    }

    #[test]
    fn csv_has_a_header_escapes_and_guards_formulas() {
        let now = datetime!(2026-06-01 12:00 UTC);
        let record = |name: &str, expires: Option<OffsetDateTime>| StaffRecord {
            name: name.into(),
            email: "a@example.org".into(),
            staff_group: StaffGroup::Admin,
            department: Some("Ward \"7\", east".into()),
            has_password: true,
            passed_at: expires.map(|e| e - Duration::days(365)),
            expires_at: expires,
            course_version: expires.map(|_| "2026.1".into()),
        };
        let bytes = staff_csv(
            &[
                record("=HYPERLINK(\"x\")", None),
                record("Bea", Some(now + Duration::days(10))),
                record("Cy", Some(now + Duration::days(100))),
                record("Di", Some(now - Duration::days(1))),
            ],
            now,
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "\u{feff}Name,Email,Staff group,Department,Status,Last passed,Expires,Course version"
        );
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"x\"\")\",a@example.org,Administrative and clerical,\"Ward \"\"7\"\", east\",Not started,,,"
        );
        assert!(lines[2].contains(",Expires soon,2025-06-11,2026-06-11,2026.1"));
        assert!(lines[3].contains(",Completed,"));
        assert!(lines[4].contains(",Expired,"));
    }

    #[test]
    fn reminder_names_the_course_and_links_to_sign_in() {
        let e = reminder_email(
            "https://carecert.example",
            "Northfield Trust",
            "Data Security Awareness",
            "Ann",
            "ann@example.org",
        );
        assert_eq!(e.to, "ann@example.org");
        assert_eq!(
            e.subject,
            "Reminder: your Data Security Awareness training is due"
        );
        assert!(e.body.starts_with("Dear Ann,"));
        assert!(e.body.contains("https://carecert.example/sign-in"));
    }
}
