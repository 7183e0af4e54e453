//! Long lists shown a page at a time: reading the page number from a query string, how
//! many pages a list fills, and the numbered links (with gaps) that the shared pagination
//! template draws.

/// The page number in a query string: 1 unless it is a whole number of at least 1.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

/// How many pages `total` rows fill (at least one).
pub fn page_count(total: u64, size: i64) -> i64 {
    let size = size.max(1) as u64;
    total.div_ceil(size).max(1) as i64
}

/// One link (or gap) in the numbered pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageItem {
    Page { number: i64, current: bool },
    Ellipsis,
}

/// The numbered links for page `current` of `last`: the first and last pages, the current
/// page and its neighbours, with an ellipsis for each gap of more than one page (a gap of
/// exactly one page shows that page instead, as it takes the same room).
pub fn page_items(current: i64, last: i64) -> Vec<PageItem> {
    let mut shown: Vec<i64> = [1, current - 1, current, current + 1, last]
        .into_iter()
        .filter(|&n| n >= 1 && n <= last)
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let mut items = Vec::new();
    let mut previous = 0;
    for n in shown {
        if n - previous == 2 {
            items.push(PageItem::Page {
                number: n - 1,
                current: false,
            });
        } else if n - previous > 2 {
            items.push(PageItem::Ellipsis);
        }
        items.push(PageItem::Page {
            number: n,
            current: n == current,
        });
        previous = n;
    }
    items
}

/// A numbered link as the template draws it (an ellipsis has no number or address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
    pub ellipsis: bool,
}

/// The pagination under a list: previous and next links and the numbered ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PageLink>,
}

impl Pagination {
    /// The pagination for page `page` of `last_page`, each page's address made by `link`;
    /// `None` when everything fits on one page, since then there is nothing to show.
    pub fn new(page: i64, last_page: i64, link: impl Fn(i64) -> String) -> Option<Self> {
        (last_page > 1).then(|| Pagination {
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < last_page).then(|| link(page + 1)),
            items: page_items(page, last_page)
                .into_iter()
                .map(|item| match item {
                    PageItem::Page { number, current } => PageLink {
                        number,
                        href: link(number),
                        current,
                        ellipsis: false,
                    },
                    PageItem::Ellipsis => PageLink {
                        number: 0,
                        href: String::new(),
                        current: false,
                        ellipsis: true,
                    },
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(items: &[PageItem]) -> String {
        items
            .iter()
            .map(|i| match i {
                PageItem::Page {
                    number,
                    current: true,
                } => format!("[{number}]"),
                PageItem::Page { number, .. } => number.to_string(),
                PageItem::Ellipsis => "…".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn bad_page_numbers_mean_page_one() {
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("-3"),
            Some("two"),
            Some("x"),
            Some("1.5"),
            Some("99999999999999999999"),
        ] {
            assert_eq!(page_number(bad), 1, "{bad:?}");
        }
        assert_eq!(page_number(Some("7")), 7);
        assert_eq!(page_number(Some(" 3 ")), 3);
    }

    #[test]
    fn a_list_fills_at_least_one_page() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(7, 0), 7);
    }

    #[test]
    fn pagination_shows_ends_neighbours_and_gaps() {
        assert_eq!(pages(&page_items(1, 1)), "[1]");
        assert_eq!(pages(&page_items(1, 3)), "[1] 2 3");
        assert_eq!(pages(&page_items(2, 3)), "1 [2] 3");
        assert_eq!(pages(&page_items(1, 10)), "[1] 2 … 10");
        assert_eq!(pages(&page_items(5, 10)), "1 … 4 [5] 6 … 10");
        assert_eq!(pages(&page_items(3, 10)), "1 2 [3] 4 … 10");
        assert_eq!(pages(&page_items(10, 10)), "1 … 9 [10]");
        assert_eq!(pages(&page_items(4, 5)), "1 2 3 [4] 5");
    }

    #[test]
    fn links_go_to_each_page_and_gaps_have_none() {
        assert_eq!(Pagination::new(1, 1, |n| format!("?page={n}")), None);
        let p = Pagination::new(1, 5, |n| format!("?page={n}")).expect("five pages");
        assert_eq!(p.previous, None);
        assert_eq!(p.next.as_deref(), Some("?page=2"));
        let shown: Vec<_> = p
            .items
            .iter()
            .map(|l| (l.number, l.href.as_str(), l.current, l.ellipsis))
            .collect();
        assert_eq!(
            shown,
            [
                (1, "?page=1", true, false),
                (2, "?page=2", false, false),
                (0, "", false, true),
                (5, "?page=5", false, false),
            ]
        );
        let last = Pagination::new(5, 5, |n| format!("?page={n}")).expect("five pages");
        assert_eq!(last.previous.as_deref(), Some("?page=4"));
        assert_eq!(last.next, None);
    }
}
