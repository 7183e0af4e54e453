//! Paging of API lists: the `page` and `per_page` query parameters, checked with a
//! message naming each one that is wrong.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::platform::api::problem::FieldProblem;

/// Default and largest page sizes for lists.
pub const DEFAULT_PER_PAGE: u32 = 100;
pub const MAX_PER_PAGE: u32 = 500;
/// The highest page number accepted (500 × 1,000,000 rows is far beyond any organisation).
pub const MAX_PAGE: u32 = 1_000_000;

/// Which page of a list to return.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page number, from 1. Defaults to 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// How many items per page, from 1 to 500. Defaults to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, example = 100)]
    pub per_page: Option<String>,
}

/// A page number and size that have been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn total_pages(self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.per_page)).max(1)
    }
}

/// Checks the paging parameters, naming each one that is wrong.
pub fn parse_paging(
    page: Option<&str>,
    per_page: Option<&str>,
) -> Result<Paging, Vec<FieldProblem>> {
    fn number(raw: Option<&str>, default: u32, max: u32) -> Option<u32> {
        match raw {
            None => Some(default),
            Some(s) if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u32>().ok().filter(|n| (1..=max).contains(n))
            }
            Some(_) => None,
        }
    }
    let mut errors = vec![];
    let page = number(page, 1, MAX_PAGE);
    if page.is_none() {
        errors.push(FieldProblem::new(
            "page",
            format!("page must be a whole number from 1 to {MAX_PAGE}"),
        ));
    }
    let per_page = number(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE);
    if per_page.is_none() {
        errors.push(FieldProblem::new(
            "per_page",
            format!("per_page must be a whole number from 1 to {MAX_PER_PAGE}"),
        ));
    }
    match (page, per_page) {
        (Some(page), Some(per_page)) => Ok(Paging { page, per_page }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_limits() {
        assert_eq!(
            parse_paging(None, None),
            Ok(Paging {
                page: 1,
                per_page: 100
            })
        );
        assert_eq!(
            parse_paging(Some("3"), Some("500")),
            Ok(Paging {
                page: 3,
                per_page: 500
            })
        );
        let p = parse_paging(Some("3"), Some("50")).unwrap();
        assert_eq!((p.offset(), p.limit()), (100, 50));
        assert_eq!(p.total_pages(0), 1);
        assert_eq!(p.total_pages(100), 2);
        assert_eq!(p.total_pages(101), 3);
        let last = parse_paging(Some("1000000"), Some("500")).unwrap();
        assert_eq!(last.offset(), 999_999 * 500);
    }

    #[test]
    fn bad_paging_names_each_field() {
        for bad in [
            "0",
            "-1",
            "abc",
            "",
            "1.5",
            "+2",
            " 2",
            "1000001",
            "99999999999999999999",
        ] {
            let errors = parse_paging(Some(bad), None).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad:?}");
            assert_eq!(errors[0].field, "page");
        }
        for bad in ["0", "501", "many"] {
            let errors = parse_paging(None, Some(bad)).unwrap_err();
            assert_eq!(errors[0].field, "per_page", "{bad:?}");
            assert_eq!(
                errors[0].message,
                "per_page must be a whole number from 1 to 500"
            );
        }
        let both = parse_paging(Some("x"), Some("y")).unwrap_err();
        assert_eq!(
            both.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["page", "per_page"]
        );
    }
}
