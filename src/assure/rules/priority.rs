//! How urgent a gap is, as a product of terms a page can show one by one:
//!
//! ```text
//! priority = gap × weight × threat ÷ effort
//! ```
//!
//! - **gap** (1 to 3): how far short the requirement is, as a share of its scale's whole
//!   range in thirds, rounded up: ⌈3 × levels short ÷ (levels − 1)⌉. A gap across the whole
//!   scale is 3 on any scale, so a Cyber Essentials "No" weighs as much as a CAF "Not
//!   achieved" where "Achieved" is expected; on CAF's three levels one level short is 2, on
//!   a four-level scale 1.
//! - **weight** (1 to 10): the framework's weight for the requirement.
//! - **threat** (1 to 3): 1 with no live threat known; 2 when an open national advisory
//!   likely affects the organisation; 3 when a known exploited vulnerability (a CISA KEV
//!   entry) matches its inventory.
//! - **effort** (1 to 3): the team's estimate, small, medium (the default) or large; a quick
//!   fix comes sooner than a slow one of the same worth.
//!
//! Severity bands are set at the values of named cases with the default (medium) effort:
//! - **critical** from 9: a whole-scale gap with a known exploited threat on a requirement of
//!   weight 2 (3 × 2 × 3 ÷ 2);
//! - **high** from 4.5: the same on a requirement of weight 1 (3 × 1 × 3 ÷ 2), or a
//!   whole-scale gap on a requirement of weight 3 with no live threat (3 × 3 × 1 ÷ 2);
//! - **medium** from 2: an open advisory on a gap of 2 at weight 1 (2 × 1 × 2 ÷ 2), or a gap
//!   of 2 on a requirement of weight 2 with no live threat;
//! - **low** below that: gaps on lightly weighted requirements with no live threat (a
//!   whole-scale gap at weight 1 is 1.5).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::profile::Gap;
use crate::assure::framework::model::{Framework, Tag};

/// What live threat bears on a gap, with why we think so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Threat {
    /// No live threat known.
    NoneKnown,
    /// An open national advisory likely affects the organisation.
    OpenAdvisory { reason: String },
    /// A known exploited vulnerability (KEV entry) matches the organisation's inventory.
    KnownExploited { reason: String },
}

impl Threat {
    pub fn factor(&self) -> u32 {
        match self {
            Threat::NoneKnown => 1,
            Threat::OpenAdvisory { .. } => 2,
            Threat::KnownExploited { .. } => 3,
        }
    }

    /// "threat 3 (known exploited: …)".
    pub fn explain(&self) -> String {
        match self {
            Threat::NoneKnown => "threat 1 (no live threat known)".into(),
            Threat::OpenAdvisory { reason } => format!("threat 2 (open advisory: {reason})"),
            Threat::KnownExploited { reason } => {
                format!("threat 3 (known exploited: {reason})")
            }
        }
    }
}

/// How much work closing a gap is, as the team estimates it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sqlx::Type,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Effort {
    Small,
    #[default]
    Medium,
    Large,
}

impl Effort {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Effort::Small => "Small",
            Effort::Medium => "Medium",
            Effort::Large => "Large",
        }
    }

    pub fn factor(self) -> u32 {
        match self {
            Effort::Small => 1,
            Effort::Medium => 2,
            Effort::Large => 3,
        }
    }
}

/// How urgent something is, in bands of [`Priority`] value.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// The lower bounds of medium, high and critical, in halves (2, 4.5, 9), so bands can be
/// decided in whole numbers.
const BANDS_IN_HALVES: [(u64, Severity); 3] = [
    (18, Severity::Critical),
    (9, Severity::High),
    (4, Severity::Medium),
];

/// The band of a priority value (see the module comment for why these bounds).
pub fn severity(value: f64) -> Severity {
    BANDS_IN_HALVES
        .iter()
        .find(|(halves, _)| value * 2.0 >= *halves as f64)
        .map_or(Severity::Low, |(_, s)| *s)
}

/// A priority with every term it was worked out from.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub levels_short: u32,
    /// How many levels the scale has.
    pub scale_len: usize,
    /// `levels_short` as 1 to 3.
    pub gap: u32,
    pub weight: u32,
    pub threat: Threat,
    pub effort: Effort,
    /// gap × weight × threat ÷ effort.
    pub value: f64,
}

impl Priority {
    /// gap × weight × threat, before dividing by effort.
    pub fn product(&self) -> u64 {
        u64::from(self.gap) * u64::from(self.weight) * u64::from(self.threat.factor())
    }

    /// Exact comparison of values (product ÷ effort), without rounding.
    pub fn cmp_value(&self, other: &Priority) -> Ordering {
        (self.product() * u64::from(other.effort.factor()))
            .cmp(&(other.product() * u64::from(self.effort.factor())))
    }

    pub fn severity(&self) -> Severity {
        let (twice, effort) = (self.product() * 2, u64::from(self.effort.factor()));
        BANDS_IN_HALVES
            .iter()
            .find(|(halves, _)| twice >= halves * effort)
            .map_or(Severity::Low, |(_, s)| *s)
    }

    /// The value to one decimal place where it is not whole ("7.5", "15").
    pub fn value_text(&self) -> String {
        let effort = u64::from(self.effort.factor());
        // Tenths, rounded half up.
        let tenths = (self.product() * 20 + effort) / (2 * effort);
        match tenths % 10 {
            0 => format!("{}", tenths / 10),
            d => format!("{}.{d}", tenths / 10),
        }
    }

    /// "gap 2 (1 level short on a 3-level scale) × weight 5 × threat 3 (known exploited: …)
    /// ÷ effort 2 (medium) = 15".
    pub fn explain(&self) -> String {
        format!(
            "gap {} ({} level{} short on a {}-level scale) × weight {} × {} ÷ effort {} ({}) = {}",
            self.gap,
            self.levels_short,
            if self.levels_short == 1 { "" } else { "s" },
            self.scale_len,
            self.weight,
            self.threat.explain(),
            self.effort.factor(),
            self.effort.label().to_lowercase(),
            self.value_text()
        )
    }
}

/// `levels_short` as a share of the scale's range, in thirds rounded up, between 1 and 3.
pub fn gap_term(levels_short: u32, scale_len: usize) -> u32 {
    let range = u64::try_from(scale_len.saturating_sub(1).max(1)).unwrap_or(u64::MAX);
    let thirds = (3 * u64::from(levels_short)).div_ceil(range);
    u32::try_from(thirds.clamp(1, 3)).unwrap_or(3)
}

/// The priority of a gap `levels_short` levels deep on a scale of `scale_len` levels.
pub fn priority(
    levels_short: u32,
    scale_len: usize,
    weight: u32,
    threat: Threat,
    effort: Effort,
) -> Priority {
    let gap = gap_term(levels_short, scale_len);
    let value = f64::from(gap) * f64::from(weight) * f64::from(threat.factor())
        / f64::from(effort.factor());
    Priority {
        levels_short,
        scale_len,
        gap,
        weight,
        threat,
        effort,
        value,
    }
}

/// A requirement's priority, with what ranking needs besides the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub requirement: String,
    pub mandatory: bool,
    pub priority: Priority,
}

/// The priority of a gap from [`super::profile::gaps`]; `None` if the gap names a
/// requirement the framework does not have.
pub fn for_gap(framework: &Framework, gap: &Gap, threat: Threat, effort: Effort) -> Option<Ranked> {
    let r = framework.requirement(&gap.requirement)?;
    Some(Ranked {
        requirement: r.id.clone(),
        mandatory: r.tags.contains(&Tag::Mandatory),
        priority: priority(
            gap.levels_short,
            framework.about.scale.len(),
            r.weight,
            threat,
            effort,
        ),
    })
}

/// Sorts most urgent first: by value, then mandatory before not, then by requirement id.
pub fn rank(items: &mut [Ranked]) {
    items.sort_by(|a, b| {
        b.priority
            .cmp_value(&a.priority)
            .then(b.mandatory.cmp(&a.mandatory))
            .then_with(|| compare_ids(&a.requirement, &b.requirement))
    });
}

/// Orders requirement ids as people read them: runs of digits by their number, so "1.2"
/// comes before "1.10" and "B4.a" before "B10.a"; everything else as text.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.chars().next(), y.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let (dx, rx) = split_digits(x);
                let (dy, ry) = split_digits(y);
                let (nx, ny) = (dx.trim_start_matches('0'), dy.trim_start_matches('0'));
                let order = nx.len().cmp(&ny.len()).then(nx.cmp(ny));
                if order != Ordering::Equal {
                    return order;
                }
                (x, y) = (rx, ry);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(&q);
                }
                (x, y) = (&x[p.len_utf8()..], &y[q.len_utf8()..]);
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::rules::{
        profile::gaps,
        test_framework::{NDG, at, builtin, framework},
    };

    fn kev() -> Threat {
        Threat::KnownExploited {
            reason: "a KEV entry matches your VPN appliance".into(),
        }
    }

    #[test]
    fn the_gap_is_the_share_of_the_scale_in_thirds_rounded_up() {
        // Yes/no (range 1): 1 short → ⌈3⌉ = 3.
        assert_eq!(gap_term(1, 2), 3);
        // CAF (range 2): 1 → ⌈1.5⌉ = 2; 2 → 3.
        assert_eq!((gap_term(1, 3), gap_term(2, 3)), (2, 3));
        // Four levels (range 3): 1, 2, 3 → 1, 2, 3.
        assert_eq!((gap_term(1, 4), gap_term(2, 4), gap_term(3, 4)), (1, 2, 3));
        // Nothing short still counts 1, and nothing exceeds 3.
        assert_eq!((gap_term(0, 3), gap_term(9, 3)), (1, 3));
    }

    #[test]
    fn the_value_multiplies_the_terms_and_divides_by_effort() {
        // 2 × 5 × 3 ÷ 2 = 15.
        let p = priority(1, 3, 5, kev(), Effort::Medium);
        assert_eq!(p.value, 15.0);
        assert_eq!(
            p.explain(),
            "gap 2 (1 level short on a 3-level scale) × weight 5 × threat 3 (known exploited: \
             a KEV entry matches your VPN appliance) ÷ effort 2 (medium) = 15"
        );
        // 3 × 1 × 1 ÷ 2 = 1.5; 2 × 1 × 2 ÷ 3 = 1.33 → 1.3.
        let low = priority(2, 3, 1, Threat::NoneKnown, Effort::Medium);
        assert_eq!((low.value, low.value_text()), (1.5, "1.5".to_owned()));
        let advisory = Threat::OpenAdvisory {
            reason: "an NHS England cyber alert on your firewall".into(),
        };
        let third = priority(1, 3, 1, advisory, Effort::Large);
        assert_eq!(third.value_text(), "1.3");
        assert!(
            third
                .explain()
                .contains("threat 2 (open advisory: an NHS England")
        );
    }

    #[test]
    fn severity_bands_fall_at_the_named_cases() {
        let case =
            |gap_short, weight, threat, effort| priority(gap_short, 3, weight, threat, effort);
        // 3 × 2 × 3 ÷ 2 = 9: critical. 3 × 1 × 3 ÷ 2 = 4.5: high. 3 × 3 × 1 ÷ 2 = 4.5: high.
        // 2 × 1 × 2 ÷ 2 = 2: medium. 3 × 1 × 1 ÷ 2 = 1.5: low.
        let advisory = Threat::OpenAdvisory { reason: "x".into() };
        let cases = [
            (case(2, 2, kev(), Effort::Medium), Severity::Critical),
            (case(2, 1, kev(), Effort::Medium), Severity::High),
            (
                case(2, 3, Threat::NoneKnown, Effort::Medium),
                Severity::High,
            ),
            (case(1, 1, advisory, Effort::Medium), Severity::Medium),
            (case(2, 1, Threat::NoneKnown, Effort::Medium), Severity::Low),
        ];
        for (p, expected) in cases {
            assert_eq!(p.severity(), expected, "{}", p.explain());
            assert_eq!(severity(p.value), expected, "{}", p.explain());
        }
        assert_eq!(severity(8.99), Severity::High);
        assert_eq!(severity(1.99), Severity::Low);
    }

    fn ranked(id: &str, mandatory: bool, p: Priority) -> Ranked {
        Ranked {
            requirement: id.into(),
            mandatory,
            priority: p,
        }
    }

    #[test]
    fn ranking_is_by_value_then_mandatory_then_id_in_reading_order() {
        let medium = |weight| priority(1, 3, weight, Threat::NoneKnown, Effort::Medium);
        // Values: 1.10 → 2 × 3 ÷ 2 = 3; 1.2 → 3; 9.1 → 3 (mandatory); 4.1 → 2 × 6 ÷ 2 = 6;
        // 2.1 → 2 × 4 × 1 ÷ 3 = 2.67 (large effort).
        let mut items = vec![
            ranked("1.10", false, medium(3)),
            ranked(
                "2.1",
                false,
                priority(1, 3, 4, Threat::NoneKnown, Effort::Large),
            ),
            ranked("1.2", false, medium(3)),
            ranked("9.1", true, medium(3)),
            ranked("4.1", false, medium(6)),
        ];
        rank(&mut items);
        let order: Vec<&str> = items.iter().map(|r| r.requirement.as_str()).collect();
        assert_eq!(order, ["4.1", "9.1", "1.2", "1.10", "2.1"]);
    }

    #[test]
    fn ids_compare_by_their_numbers() {
        assert_eq!(compare_ids("1.2", "1.10"), Ordering::Less);
        assert_eq!(compare_ids("B4.a", "B10.a"), Ordering::Less);
        assert_eq!(compare_ids("GV.OC-01", "GV.OC-1"), Ordering::Equal);
        assert_eq!(compare_ids("A1.b", "A1.a"), Ordering::Greater);
        assert_eq!(compare_ids("1", "1.1"), Ordering::Less);
    }

    #[test]
    fn gaps_turn_into_ranked_priorities() {
        // NDG scale (4 levels): 1.1 (weight 2, mandatory) at not met is 2 short of met → gap 2;
        // 1.2 (weight 3) at approaching is 1 short → gap 1.
        // 1.1: 2 × 2 × 1 ÷ 2 = 2; 1.2: 1 × 3 × 1 ÷ 2 = 1.5.
        let f = framework(NDG)
            .heading("1", "")
            .req("1.1", "1", 2)
            .mandatory()
            .req("1.2", "1", 3)
            .build();
        let mut items: Vec<Ranked> = gaps(&f, None, &[at("1.1", 0), at("1.2", 1)])
            .iter()
            .filter_map(|g| for_gap(&f, g, Threat::NoneKnown, Effort::default()))
            .collect();
        rank(&mut items);
        let got: Vec<(&str, bool, f64)> = items
            .iter()
            .map(|r| (r.requirement.as_str(), r.mandatory, r.priority.value))
            .collect();
        assert_eq!(got, [("1.1", true, 2.0), ("1.2", false, 1.5)]);
    }

    #[test]
    fn a_caf_outcome_not_achieved_with_a_kev_match_is_at_least_high() {
        // Every built-in CAF outcome weighs at least 1: 3 × w × 3 ÷ 2 ≥ 4.5.
        let f = builtin("caf-dspt");
        for g in gaps(&f, None, &[]) {
            let r = for_gap(&f, &g, kev(), Effort::Medium).expect("the requirement exists");
            assert!(r.priority.severity() >= Severity::High, "{}", g.requirement);
        }
    }

    #[tokio::test]
    async fn effort_is_stored_as_text_and_unknown_text_fails() {
        use crate::platform::stored_text::{decode, encode};
        assert_eq!(encode(Effort::Large).await.unwrap(), "large");
        assert_eq!(decode::<Effort>("small").await.unwrap(), Effort::Small);
        assert!(decode::<Effort>("huge").await.is_err());
        assert_eq!(Effort::default(), Effort::Medium);
    }
}
