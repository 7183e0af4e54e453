//! Training coverage across every organisation, for national analysts and administrators:
//! a table of each organisation's staff, trained staff and target that can be sorted,
//! filtered and paged without JavaScript (everything lives in the query string), with
//! totals, a national month-by-month chart and a CSV of the filtered table.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};

use serde::Deserialize;
use time::OffsetDateTime;

use crate::platform::web::{
    csv::{csv_response, safe_cell, spreadsheet_writer},
    format::date_and_time,
    paging::{page_count, page_number},
};
use crate::{
    audit::{self, NewEvent},
    knowledge::{
        dashboard::{MonthRow, chart, iso_date, mandatory_course, month_rows},
        rules::coverage::{self, DEFAULT_TARGET, Tally},
        store::reports::{self, OrgCoverage, OrgFilter},
    },
    organisations::domain::OrgType,
    platform::{
        AppState,
        authz::Rule,
        db::now,
        error::{AppError, AppResult, urlencode},
        ids::OrgId,
        snapshots,
        web::{
            client::ClientIp,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

const PATH: &str = "/national/training";
const PAGE_SIZE: i64 = 50;
const TREND_MONTHS: usize = 12;

/// How long the national trend is kept before it is worked out again. It reads every pass
/// of the last two years (seconds, at 1.3 million staff), and months already ended hardly
/// change, so analysts paging and sorting the table do not wait for it each time. It is kept
/// in the database, so every instance shows the same figures. The page says when the
/// figures were worked out.
const TREND_KEPT_FOR: time::Duration = time::Duration::minutes(10);

/// The national trend, and when it was worked out: kept from an earlier request for up to
/// [`TREND_KEPT_FOR`], or worked out now.
async fn national_trend(
    state: &AppState,
    slug: &str,
) -> AppResult<(Vec<MonthRow>, OffsetDateTime)> {
    let key = format!("national_trend:{slug}:{TREND_MONTHS}");
    let (counts, at) = match snapshots::fresh::<(Vec<OffsetDateTime>, Vec<(u64, u64)>)>(
        &state.db,
        &key,
        TREND_KEPT_FOR,
    )
    .await?
    {
        Some(((ends, counts), at)) => ((ends, counts), at),
        None => {
            let at = now();
            let ends = coverage::month_ends(at, TREND_MONTHS);
            let counts = reports::national_trend(&state.db, slug, &ends).await?;
            let value = (ends, counts);
            snapshots::keep(&state.db, &key, &value, at).await?;
            (value, at)
        }
    };
    Ok((month_rows(&counts.0, &counts.1), at))
}

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(PATH, Rule::NationalStaff, show),
        Route::get("/national/training.csv", Rule::NationalStaff, export),
    ]
}

// ---- Pure rules: ordering, filtering and adding up ----

/// The columns the table can be sorted by, named in the URL in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum SortKey {
    Name,
    Percent,
    Staff,
}

impl SortKey {
    /// The column a URL names; anything else (a hand-edited or old link) sorts by name
    /// rather than failing the page.
    pub fn parse(s: &str) -> SortKey {
        s.parse().unwrap_or(SortKey::Name)
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }
    /// The first direction a column sorts in: names A to Z, coverage lowest first (the
    /// organisations needing help), staff largest first.
    pub fn first_direction(self) -> Dir {
        match self {
            SortKey::Name | SortKey::Percent => Dir::Asc,
            SortKey::Staff => Dir::Desc,
        }
    }
}

/// A sort direction, named in the URL in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Dir {
    Asc,
    Desc,
}

impl Dir {
    /// The direction a URL names; anything else falls back to the column's first direction
    /// rather than failing the page.
    pub fn parse(s: &str, key: SortKey) -> Dir {
        s.parse().unwrap_or_else(|_| key.first_direction())
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }
    /// The value of `aria-sort` for the sorted column.
    pub fn aria(self) -> &'static str {
        match self {
            Dir::Asc => "ascending",
            Dir::Desc => "descending",
        }
    }
    fn flip(self) -> Dir {
        match self {
            Dir::Asc => Dir::Desc,
            Dir::Desc => Dir::Asc,
        }
    }
}

fn tally(r: &OrgCoverage) -> Tally {
    Tally {
        label: String::new(),
        trained: r.trained.max(0) as u64,
        total: r.staff.max(0) as u64,
    }
}

/// Trained out of staff, with no staff read as 0 out of 1 (that is, 0%).
fn fraction(r: &OrgCoverage) -> (u64, u64) {
    let t = tally(r);
    if t.total == 0 {
        (0, 1)
    } else {
        (t.trained, t.total)
    }
}

/// An organisation's coverage in whole percent (0 with no staff).
pub fn percent_of(r: &OrgCoverage) -> u32 {
    tally(r).percent()
}

/// Whether an organisation falls short of its own target. One with no active staff has
/// nobody trained, so it falls short.
pub fn below_target(r: &OrgCoverage) -> bool {
    !tally(r).meets(r.target.clamp(0, 100) as u32)
}

/// Keeps the organisations below target if asked, then sorts; ties go by name, so pages
/// are stable.
pub fn arrange(
    mut rows: Vec<OrgCoverage>,
    below_only: bool,
    key: SortKey,
    dir: Dir,
) -> Vec<OrgCoverage> {
    if below_only {
        rows.retain(below_target);
    }
    let by_name = |a: &OrgCoverage, b: &OrgCoverage| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.ods_code.cmp(&b.ods_code))
    };
    rows.sort_by(|a, b| {
        let primary = match key {
            SortKey::Name => by_name(a, b),
            // Compared exactly (trained/staff cross-multiplied), not by rounded percent.
            SortKey::Percent => {
                let (ta, na) = fraction(a);
                let (tb, nb) = fraction(b);
                (ta * nb).cmp(&(tb * na))
            }
            SortKey::Staff => a.staff.cmp(&b.staff),
        };
        let primary = if dir == Dir::Desc {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| by_name(a, b))
    });
    rows
}

/// The figures for all the organisations shown (every page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub organisations: u64,
    pub staff: u64,
    pub trained: u64,
    pub percent: u32,
    pub below: u64,
}

pub fn totals(rows: &[OrgCoverage]) -> Totals {
    let mut t = Totals {
        organisations: rows.len() as u64,
        ..Totals::default()
    };
    for r in rows {
        t.staff += r.staff.max(0) as u64;
        t.trained += r.trained.max(0) as u64;
        t.below += u64::from(below_target(r));
    }
    t.percent = coverage::percent(t.trained, t.staff);
    t
}

/// The table's filters and order, as read from (and written back to) the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub q: String,
    pub org_type: Option<OrgType>,
    pub parent: Option<OrgId>,
    pub below_only: bool,
    pub sort: SortKey,
    pub dir: Dir,
    pub page: i64,
}

#[derive(Deserialize, Default)]
pub struct NationalQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    org_type: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    below: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    page: Option<String>,
}

impl View {
    /// Reads the query string; anything not understood falls back to "any" or the default.
    pub fn from_query(q: &NationalQuery) -> View {
        let sort = SortKey::parse(&q.sort);
        View {
            q: q.q.trim().chars().take(200).collect(),
            org_type: q
                .org_type
                .parse::<OrgType>()
                .ok()
                .filter(|t| *t != OrgType::NationalTeam),
            parent: q.parent.trim().parse::<OrgId>().ok(),
            below_only: matches!(q.below.as_str(), "yes" | "true" | "on" | "1"),
            sort,
            dir: Dir::parse(&q.dir, sort),
            page: page_number(q.page.as_deref()),
        }
    }

    fn filters(&self) -> String {
        format!(
            "q={}&org_type={}&parent={}&below={}",
            urlencode(&self.q),
            self.org_type.map(OrgType::as_str).unwrap_or(""),
            self.parent.map(|p| p.to_string()).unwrap_or_default(),
            if self.below_only { "yes" } else { "" },
        )
    }

    /// The page's address with this view's filters and order, at `page`.
    pub fn href(&self, page: i64) -> String {
        format!(
            "{PATH}?{}&sort={}&dir={}&page={page}",
            self.filters(),
            self.sort.as_str(),
            self.dir.as_str()
        )
    }

    /// Where a column heading leads: the sorted column turns round; another column sorts
    /// in its first direction. Either way back to page 1.
    pub fn sort_href(&self, key: SortKey) -> String {
        let dir = if key == self.sort {
            self.dir.flip()
        } else {
            key.first_direction()
        };
        format!(
            "{PATH}?{}&sort={}&dir={}",
            self.filters(),
            key.as_str(),
            dir.as_str()
        )
    }

    /// The CSV of the filtered table, in the same order.
    pub fn csv_href(&self) -> String {
        format!(
            "/national/training.csv?{}&sort={}&dir={}",
            self.filters(),
            self.sort.as_str(),
            self.dir.as_str()
        )
    }

    /// `aria-sort` for a column: only the sorted one has it.
    pub fn aria_sort(&self, key: SortKey) -> Option<&'static str> {
        (key == self.sort).then(|| self.dir.aria())
    }

    pub fn is_filtered(&self) -> bool {
        !self.q.is_empty() || self.org_type.is_some() || self.parent.is_some() || self.below_only
    }
}

/// The CSV of the table.
pub fn national_csv(rows: &[OrgCoverage]) -> Result<Vec<u8>, csv::Error> {
    let mut out = spreadsheet_writer();
    out.write_record([
        "Organisation",
        "ODS code",
        "Type",
        "Part of",
        "Staff",
        "Trained",
        "Coverage (%)",
        "Target (%)",
        "Below target",
    ])?;
    for r in rows {
        out.write_record([
            safe_cell(&r.name),
            safe_cell(&r.ods_code),
            r.org_type.label().to_owned(),
            safe_cell(r.parent_name.as_deref().unwrap_or("")),
            r.staff.to_string(),
            r.trained.to_string(),
            percent_of(r).to_string(),
            r.target.to_string(),
            if below_target(r) { "Yes" } else { "No" }.to_owned(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

// ---- Handlers ----

/// One organisation as the table shows it.
struct TableRow {
    id: OrgId,
    name: String,
    ods_code: String,
    type_label: &'static str,
    parent: String,
    staff: i64,
    trained: i64,
    percent: u32,
    target: i64,
    below: bool,
}

impl TableRow {
    fn from(r: &OrgCoverage) -> Self {
        TableRow {
            id: r.id,
            name: r.name.clone(),
            ods_code: r.ods_code.clone(),
            type_label: r.org_type.label(),
            parent: r.parent_name.clone().unwrap_or_default(),
            staff: r.staff,
            trained: r.trained,
            percent: percent_of(r),
            target: r.target,
            below: below_target(r),
        }
    }
}

/// A sortable column heading.
struct Column {
    label: &'static str,
    href: String,
    aria_sort: Option<&'static str>,
    numeric: bool,
}

#[derive(Template)]
#[template(path = "knowledge/national.html")]
struct NationalPage {
    shell: Shell,
    view: View,
    course_title: Option<String>,
    types: Vec<(&'static str, &'static str)>,
    org_type: &'static str,
    parents: Vec<(String, String)>,
    parent: String,
    sort_name: Column,
    sort_staff: Column,
    sort_percent: Column,
    rows: Vec<TableRow>,
    totals: Totals,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    months: Vec<MonthRow>,
    trend_at: String,
    chart: String,
    csv_href: String,
}

/// The organisations the view asks for, sorted (every page).
async fn table(state: &AppState, slug: &str, view: &View) -> AppResult<Vec<OrgCoverage>> {
    let rows = reports::national(
        &state.db,
        slug,
        now(),
        &OrgFilter {
            text: &view.q,
            org_type: view.org_type,
            parent: view.parent,
        },
    )
    .await?;
    Ok(arrange(rows, view.below_only, view.sort, view.dir))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NationalQuery>,
) -> AppResult<Response> {
    viewer.user()?;
    let view = View::from_query(&q);
    let course = mandatory_course(&state).await?;
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let all = table(&state, slug, &view).await?;
    let totals = totals(&all);
    let pages = page_count(all.len() as u64, PAGE_SIZE);
    let page = view.page.min(pages);
    let rows = all
        .iter()
        .skip(((page - 1) * PAGE_SIZE) as usize)
        .take(PAGE_SIZE as usize)
        .map(TableRow::from)
        .collect();

    let (months, trend_at) = national_trend(&state, slug).await?;

    let mut types = vec![("", "All types")];
    types.extend(OrgType::REGISTRABLE.iter().map(|t| (t.as_str(), t.label())));
    let mut parents = vec![(String::new(), "Any".to_owned())];
    parents.extend(
        reports::parents(&state.db)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name)),
    );
    let column = |key: SortKey, label: &'static str, numeric: bool| Column {
        label,
        href: view.sort_href(key),
        aria_sort: view.aria_sort(key),
        numeric,
    };
    let (sort_name, sort_staff, sort_percent) = (
        column(SortKey::Name, "Organisation", false),
        column(SortKey::Staff, "Staff", true),
        column(SortKey::Percent, "Coverage", true),
    );
    let page_shell = viewer
        .shell("Training coverage in every organisation")
        .crumb("Home", "/");
    Ok(render(&NationalPage {
        shell: page_shell,
        course_title: course.map(|c| c.1),
        types,
        org_type: view.org_type.map(OrgType::as_str).unwrap_or(""),
        parents,
        parent: view.parent.map(|p| p.to_string()).unwrap_or_default(),
        sort_name,
        sort_staff,
        sort_percent,
        rows,
        totals,
        page,
        pages,
        prev_href: (page > 1).then(|| view.href(page - 1)),
        next_href: (page < pages).then(|| view.href(page + 1)),
        chart: chart(
            "Training coverage in every organisation, by month",
            &months,
            DEFAULT_TARGET,
        ),
        months,
        trend_at: date_and_time(trend_at),
        csv_href: view.csv_href(),
        view,
    })?
    .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Query(q): Query<NationalQuery>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let view = View::from_query(&q);
    let course = mandatory_course(&state).await?;
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let rows = table(&state, slug, &view).await?;
    let body = national_csv(&rows).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &state.secrets,
        NewEvent {
            actor_user_id: Some(p.user_id),
            actor_label: &p.email,
            organisation_id: None,
            event: "export",
            detail: serde_json::json!({
                "report": "national_training",
                "rows": rows.len(),
                "filters": {
                    "q": view.q,
                    "org_type": view.org_type.map(OrgType::as_str),
                    "parent": view.parent,
                    "below_target_only": view.below_only,
                },
            }),
            ip: Some(&ip),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(csv_response(
        &format!("training-coverage-{}.csv", iso_date(now())),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, staff: i64, trained: i64, target: i64) -> OrgCoverage {
        OrgCoverage {
            id: OrgId::fresh(),
            name: name.into(),
            ods_code: name.to_uppercase(),
            org_type: OrgType::NhsTrust,
            parent_name: None,
            target,
            staff,
            trained,
        }
    }

    fn names(rows: &[OrgCoverage]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    fn sample() -> Vec<OrgCoverage> {
        vec![
            org("b", 100, 96, 95),
            org("A", 10, 5, 50),
            org("c", 3, 2, 95),
            org("d", 0, 0, 95),
        ]
    }

    #[test]
    fn below_target_and_percent() {
        let rows = sample();
        assert_eq!(
            rows.iter().map(percent_of).collect::<Vec<_>>(),
            [96, 50, 66, 0]
        );
        assert_eq!(
            rows.iter().map(below_target).collect::<Vec<_>>(),
            [false, false, true, true]
        );
    }

    #[test]
    fn sorts_by_each_column_both_ways() {
        let by = |k, d| names(&arrange(sample(), false, k, d)).join("");
        assert_eq!(by(SortKey::Name, Dir::Asc), "Abcd");
        assert_eq!(by(SortKey::Name, Dir::Desc), "dcbA");
        assert_eq!(by(SortKey::Percent, Dir::Asc), "dAcb");
        assert_eq!(by(SortKey::Percent, Dir::Desc), "bcAd");
        assert_eq!(by(SortKey::Staff, Dir::Desc), "bAcd");
        assert_eq!(by(SortKey::Staff, Dir::Asc), "dcAb");
        assert_eq!(
            names(&arrange(sample(), true, SortKey::Name, Dir::Asc)),
            ["c", "d"]
        );
    }

    #[test]
    fn totals_add_up_every_row() {
        let t = totals(&sample());
        assert_eq!(
            t,
            Totals {
                organisations: 4,
                staff: 113,
                trained: 103,
                percent: 91,
                below: 2
            }
        );
    }

    /// The URL names are exact, and a bad sort parameter falls back instead of failing.
    #[test]
    fn sort_parameters_read_exactly_and_fall_back() {
        for key in [SortKey::Name, SortKey::Percent, SortKey::Staff] {
            assert_eq!(SortKey::parse(key.as_str()), key);
        }
        assert_eq!(SortKey::Staff.as_str(), "staff");
        assert_eq!(SortKey::parse("Staff"), SortKey::Name);
        assert_eq!(Dir::parse("desc", SortKey::Name), Dir::Desc);
        assert_eq!(Dir::Asc.as_str(), "asc");
        assert_eq!(Dir::parse("down", SortKey::Staff), Dir::Desc);
        assert_eq!(Dir::parse("", SortKey::Name), Dir::Asc);
    }

    #[test]
    fn the_query_string_round_trips_and_sort_links_turn_round() {
        let parent = OrgId::fresh();
        let q = NationalQuery {
            q: " St Mary's & co ".into(),
            org_type: "gp_practice".into(),
            parent: parent.to_string(),
            below: "yes".into(),
            sort: "percent".into(),
            dir: "".into(),
            page: Some("2".into()),
        };
        let view = View::from_query(&q);
        assert_eq!(view.q, "St Mary's & co");
        assert_eq!(
            (view.sort, view.dir, view.page),
            (SortKey::Percent, Dir::Asc, 2)
        );
        assert!(view.is_filtered());
        assert_eq!(
            view.href(3),
            format!(
                "/national/training?q=St+Mary%27s+%26+co&org_type=gp_practice&parent={parent}&below=yes&sort=percent&dir=asc&page=3"
            )
        );
        assert!(
            view.sort_href(SortKey::Percent)
                .ends_with("&sort=percent&dir=desc")
        );
        assert!(
            view.sort_href(SortKey::Staff)
                .ends_with("&sort=staff&dir=desc")
        );
        assert!(
            view.sort_href(SortKey::Name)
                .ends_with("&sort=name&dir=asc")
        );
        assert_eq!(view.aria_sort(SortKey::Percent), Some("ascending"));
        assert_eq!(view.aria_sort(SortKey::Name), None);

        let plain = View::from_query(&NationalQuery {
            org_type: "national_team".into(),
            parent: "not-a-uuid".into(),
            ..NationalQuery::default()
        });
        assert!(!plain.is_filtered());
        assert_eq!((plain.sort, plain.dir), (SortKey::Name, Dir::Asc));
    }

    #[test]
    fn csv_guards_formulas() {
        let mut r = org("=cmd|' /C calc'!A0", 4, 1, 95);
        r.parent_name = Some("@region".into());
        let text = String::from_utf8(national_csv(&[r]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "\u{feff}Organisation,ODS code,Type,Part of,Staff,Trained,Coverage (%),Target (%),Below target"
        );
        assert_eq!(
            lines[1],
            "'=cmd|' /C calc'!A0,'=CMD|' /C CALC'!A0,NHS trust,'@region,4,1,25,95,Yes"
        );
    }
}
