//! The national content page: every source the live content cites, oldest check first,
//! with what relies on each one, so national administrators know what to re-read next.
//! Each service lists its own sources through [`crate::platform::service::SourcesFn`].

use askama::Template;
use axum::{extract::State, response::Html};
use time::{Date, OffsetDateTime};

use super::{Source, freshness};
use crate::platform::{
    AppState,
    authz::Rule,
    error::AppResult,
    web::{
        format::{long_date, month_year},
        page::render,
        routes::Route,
        shell::Viewer,
    },
};

pub const PATH: &str = "/admin/content";

pub fn routes() -> Vec<Route> {
    vec![Route::get(PATH, Rule::NationalAdmin, show)]
}

/// Something that relies on a source: a lesson, a question, an advisory.
#[derive(Debug, Clone)]
pub struct SourceUse {
    pub label: String,
    /// Where to read it, when it has a page of its own.
    pub href: Option<String>,
}

/// A source as one piece of live content cites it.
#[derive(Debug, Clone)]
pub struct CitedSource {
    pub source: Source,
    /// The content that declares it: "Data Security Awareness (version 2026.2)".
    pub cited_in: String,
    pub used_by: Vec<SourceUse>,
}

/// The order of the page: sources nobody has checked, then oldest check first.
pub fn oldest_first(sources: &mut [CitedSource]) {
    sources.sort_by(|a, b| {
        (a.source.checked, &a.source.publisher, &a.source.title).cmp(&(
            b.source.checked,
            &b.source.publisher,
            &b.source.title,
        ))
    });
}

/// The most uses listed in a row; the rest are counted. A framework's source can sit behind
/// a hundred requirements.
const USES_SHOWN: usize = 12;

struct Row {
    publisher: String,
    title: String,
    url: String,
    checked: String,
    review_by: Option<String>,
    /// The warning tag, if the source needs reading again.
    tag: Option<&'static str>,
    cited_in: String,
    used_by: Vec<SourceUse>,
    /// Uses not listed.
    more: usize,
}

impl Row {
    fn new(mut c: CitedSource, today: Date) -> Self {
        let tag = freshness(&c.source, today).label();
        let more = c.used_by.len().saturating_sub(USES_SHOWN);
        c.used_by.truncate(USES_SHOWN);
        Row {
            checked: c
                .source
                .checked
                .map_or_else(|| "Not recorded".to_owned(), month_year),
            review_by: c.source.review_by.map(long_date),
            tag,
            publisher: c.source.publisher,
            title: c.source.title,
            url: c.source.url,
            cited_in: c.cited_in,
            used_by: c.used_by,
            more,
        }
    }
}

#[derive(Template)]
#[template(path = "platform/content.html")]
struct ContentPage {
    shell: crate::platform::web::shell::Shell,
    rows: Vec<Row>,
    needing_review: usize,
}

async fn show(State(state): State<AppState>, viewer: Viewer) -> AppResult<Html<String>> {
    let mut sources = state.services.cited_sources(&state).await?;
    oldest_first(&mut sources);
    let today = OffsetDateTime::now_utc().date();
    let rows: Vec<Row> = sources.into_iter().map(|c| Row::new(c, today)).collect();
    let needing_review = rows.iter().filter(|r| r.tag.is_some()).count();
    render(&ContentPage {
        shell: viewer.shell("Content sources").crumb("Home", "/"),
        rows,
        needing_review,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::platform::provenance::Freshness;

    fn cited(title: &str, checked: Option<Date>) -> CitedSource {
        CitedSource {
            source: Source {
                id: "s".into(),
                publisher: "NCSC".into(),
                title: title.into(),
                url: "https://www.ncsc.gov.uk/".into(),
                checked,
                review_by: None,
            },
            cited_in: "Course".into(),
            used_by: vec![],
        }
    }

    #[test]
    fn unchecked_sources_come_first_then_the_oldest_check() {
        let mut list = vec![
            cited("recent", Some(date!(2026 - 11 - 29))),
            cited("unchecked", None),
            cited("old", Some(date!(2025 - 01 - 10))),
        ];
        oldest_first(&mut list);
        let titles: Vec<&str> = list.iter().map(|c| c.source.title.as_str()).collect();
        assert_eq!(titles, ["unchecked", "old", "recent"]);
        let row = Row::new(list.remove(1), date!(2026 - 12 - 03));
        assert_eq!(row.checked, "January 2025");
        assert_eq!(row.tag, Some("Over 12 months"));
    }

    #[test]
    fn a_long_list_of_uses_is_cut_short_and_counted() {
        let mut c = cited("framework", Some(date!(2026 - 11 - 29)));
        c.used_by = (0..20)
            .map(|i| SourceUse {
                label: format!("Requirement {i}"),
                href: None,
            })
            .collect();
        let row = Row::new(c, date!(2026 - 12 - 03));
        assert_eq!(row.used_by.len(), USES_SHOWN);
        assert_eq!(row.more, 20 - USES_SHOWN);
        assert_eq!(row.tag, None);
    }

    #[test]
    fn freshness_labels_only_what_needs_reading_again() {
        assert_eq!(Freshness::Current.label(), None);
        assert_eq!(Freshness::Unchecked.label(), Some("Not checked"));
    }
}
