//! Training coverage: the share of active staff holding valid training, overall, by staff
//! group and department, and month by month.

use std::collections::{BTreeMap, HashSet};

use time::OffsetDateTime;

use crate::platform::ids::UserId;

/// The NHS's long-standing target: 95% of staff trained in the last 12 months.
pub const DEFAULT_TARGET: u32 = 95;

/// Whole percent of `part` in `whole`, rounded down; 0 when there is nobody.
pub fn percent(part: u64, whole: u64) -> u32 {
    (part * 100).checked_div(whole).unwrap_or(0) as u32
}

/// One count of trained people out of a total, with a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub label: String,
    pub trained: u64,
    pub total: u64,
}

impl Tally {
    pub fn percent(&self) -> u32 {
        percent(self.trained, self.total)
    }
    pub fn meets(&self, target: u32) -> bool {
        self.total > 0 && self.trained * 100 >= target as u64 * self.total
    }
}

/// Counts people, trained or not, under labels (staff group, department), sorted by label.
pub fn tally_by<'a>(items: impl Iterator<Item = (&'a str, bool)>) -> Vec<Tally> {
    let mut map: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (label, trained) in items {
        let e = map.entry(label).or_default();
        e.1 += 1;
        if trained {
            e.0 += 1;
        }
    }
    map.into_iter()
        .map(|(label, (trained, total))| Tally {
            label: label.to_owned(),
            trained,
            total,
        })
        .collect()
}

/// A pass: valid from `passed_at` until `expires_at`.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    pub user: UserId,
    pub passed_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Coverage at each instant in `at`: of the `members` (user, joined) who had joined by
/// then, how many held a valid pass.
pub fn trend(
    at: &[OffsetDateTime],
    members: &[(UserId, OffsetDateTime)],
    passes: &[Pass],
) -> Vec<(u64, u64)> {
    at.iter()
        .map(|&t| {
            let present: HashSet<UserId> = members
                .iter()
                .filter(|(_, joined)| *joined <= t)
                .map(|(u, _)| *u)
                .collect();
            let trained: HashSet<UserId> = passes
                .iter()
                .filter(|p| p.passed_at <= t && t < p.expires_at && present.contains(&p.user))
                .map(|p| p.user)
                .collect();
            (trained.len() as u64, present.len() as u64)
        })
        .collect()
}

/// The ends of the last `n` months up to `now` (the last one is `now` itself), oldest
/// first, for the trend chart.
pub fn month_ends(now: OffsetDateTime, n: usize) -> Vec<OffsetDateTime> {
    let mut out = vec![now];
    let mut first_of_month = now
        .replace_day(1)
        .unwrap_or(now)
        .replace_time(time::Time::MIDNIGHT);
    while out.len() < n {
        out.push(first_of_month);
        let prev = first_of_month - time::Duration::days(1);
        first_of_month = prev.replace_day(1).unwrap_or(prev);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, macros::datetime};

    #[test]
    fn percent_rounds_down_and_handles_nobody() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(949, 1000), 94);
        assert_eq!(percent(95, 100), 95);
        let t = Tally {
            label: "x".into(),
            trained: 19,
            total: 20,
        };
        assert!(t.meets(95));
        assert!(!Tally { trained: 18, ..t }.meets(95));
    }

    #[test]
    fn tallies_by_label() {
        let rows = [
            ("Clinical", true),
            ("Admin", false),
            ("Clinical", false),
            ("Clinical", true),
        ];
        let t = tally_by(rows.into_iter());
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[1].label.as_str(), t[1].trained, t[1].total),
            ("Clinical", 2, 3)
        );
        assert_eq!(t[1].percent(), 66);
    }

    #[test]
    fn trend_counts_valid_passes_of_present_members() {
        let (a, b, c) = (UserId::fresh(), UserId::fresh(), UserId::fresh());
        let jan = datetime!(2026-01-31 00:00 UTC);
        let jun = datetime!(2026-06-30 00:00 UTC);
        let members = [
            (a, jan - Duration::days(400)),
            (b, jan - Duration::days(10)),
            (c, jun - Duration::days(1)),
        ];
        let passes = [
            Pass {
                user: a,
                passed_at: jan - Duration::days(300),
                expires_at: jan + Duration::days(65),
            },
            Pass {
                user: b,
                passed_at: jan - Duration::days(5),
                expires_at: jan + Duration::days(360),
            },
            Pass {
                user: c,
                passed_at: jun - Duration::days(1),
                expires_at: jun + Duration::days(364),
            },
        ];
        assert_eq!(trend(&[jan, jun], &members, &passes), vec![(2, 2), (2, 3)]);
    }

    #[test]
    fn twelve_month_ends_oldest_first() {
        let now = datetime!(2026-11-29 10:00 UTC);
        let m = month_ends(now, 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[11], now);
        assert_eq!(m[10], datetime!(2026-11-01 00:00 UTC));
        assert_eq!(m[0], datetime!(2026-01-01 00:00 UTC));
    }
}
