//! The generated people, decided without a database: each person's name, email address,
//! staff group, department, start date and history of passes, for an organisation planned
//! in [`super::plan`]. Everything is drawn from the random number generator it is given,
//! so a seed gives the same people every time.

use rand::Rng;
use time::{Duration, OffsetDateTime};

use super::plan::{OrgPlan, pick};
use crate::{knowledge::rules::expiry, organisations::domain::OrgType};

/// One member of staff to create.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonPlan {
    pub name: String,
    pub email: String,
    pub staff_group: &'static str,
    pub department: Option<&'static str>,
    /// Leavers keep their record but no longer count.
    pub active: bool,
    pub joined: OffsetDateTime,
    /// When they passed the course, oldest first.
    pub passes: Vec<OffsetDateTime>,
}

const FIRST: &[&str] = &[
    "Aisha",
    "Alex",
    "Amelia",
    "Amir",
    "Ben",
    "Bethany",
    "Callum",
    "Charlotte",
    "Chloe",
    "Daniel",
    "David",
    "Deepa",
    "Eleanor",
    "Emma",
    "Fatima",
    "Femi",
    "George",
    "Grace",
    "Hannah",
    "Harry",
    "Imran",
    "Isla",
    "Jack",
    "James",
    "Jessica",
    "Joseph",
    "Kiran",
    "Laura",
    "Liam",
    "Lucy",
    "Mariam",
    "Mark",
    "Megan",
    "Mohammed",
    "Nadia",
    "Niamh",
    "Oliver",
    "Olivia",
    "Priya",
    "Rachel",
    "Rhys",
    "Ruth",
    "Sam",
    "Sarah",
    "Sean",
    "Sophie",
    "Tariq",
    "Thomas",
    "Wei",
    "Zara",
];

const LAST: &[&str] = &[
    "Adams", "Ahmed", "Ali", "Allen", "Baker", "Bennett", "Brown", "Campbell", "Chen", "Clarke",
    "Cooper", "Davies", "Edwards", "Evans", "Green", "Hall", "Harris", "Hughes", "Hussain",
    "Jackson", "James", "Jones", "Khan", "King", "Lewis", "Martin", "Mensah", "Mitchell", "Morgan",
    "Murphy", "Nguyen", "O'Brien", "Okafor", "Parker", "Patel", "Phillips", "Roberts", "Robinson",
    "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson",
    "White", "Williams", "Wilson", "Wood", "Wright", "Young",
];

/// Staff groups with their weights, by type of organisation.
fn groups(t: OrgType) -> &'static [(&'static str, u32)] {
    match t {
        OrgType::NhsTrust => &[
            ("clinical", 550),
            ("admin", 250),
            ("it", 30),
            ("board", 5),
            ("temporary", 80),
            ("student", 50),
            ("volunteer", 20),
            ("other", 15),
        ],
        OrgType::GpPractice => &[
            ("clinical", 450),
            ("admin", 450),
            ("it", 10),
            ("board", 40),
            ("temporary", 30),
            ("student", 20),
        ],
        OrgType::SocialCareProvider => &[
            ("clinical", 700),
            ("admin", 150),
            ("board", 20),
            ("temporary", 80),
            ("volunteer", 30),
            ("other", 20),
        ],
        _ => &[
            ("admin", 600),
            ("clinical", 150),
            ("it", 100),
            ("board", 50),
            ("other", 100),
        ],
    }
}

/// Departments by type of organisation; the empty string is "none recorded".
fn departments(t: OrgType) -> &'static [&'static str] {
    match t {
        OrgType::NhsTrust => &[
            "Emergency Department",
            "Acute Medicine",
            "Surgery",
            "Theatres",
            "Maternity",
            "Paediatrics",
            "Cardiology",
            "Oncology",
            "Radiology",
            "Pathology",
            "Pharmacy",
            "Outpatients",
            "Critical Care",
            "Mental Health",
            "Community Nursing",
            "Therapies",
            "Medical Records",
            "Finance",
            "Human Resources",
            "Estates and Facilities",
            "Information Technology",
            "Information Governance",
            "Procurement",
            "Corporate Services",
            "",
        ],
        OrgType::GpPractice => &["Reception", "Clinical team", "Practice management", "", ""],
        OrgType::SocialCareProvider => &["Residential care", "Home care", "Office", "", ""],
        _ => &[
            "Commissioning",
            "Finance",
            "Digital",
            "Quality",
            "Corporate",
            "",
        ],
    }
}

fn weighted<R: Rng>(rng: &mut R, from: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = from.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (v, w) in from {
        if roll < *w {
            return v;
        }
        roll -= w;
    }
    from.last().map(|(v, _)| *v).unwrap_or("other")
}

/// A moment between `from` and `to` (whole seconds), or `to` when the range is empty.
fn between<R: Rng>(rng: &mut R, from: OffsetDateTime, to: OffsetDateTime) -> OffsetDateTime {
    let span = (to - from).whole_seconds();
    if span <= 0 {
        return to;
    }
    from + Duration::seconds(rng.gen_range(0..=span))
}

/// When a person passed the course, oldest first: none before `joined` or more than `years`
/// back. Someone `trained` today holds a pass that has not expired; someone not trained
/// either never passed or let their last pass expire. Earlier passes were renewed roughly
/// yearly, usually a little before expiry and sometimes after a lapse.
pub fn pass_dates<R: Rng>(
    now: OffsetDateTime,
    joined: OffsetDateTime,
    trained: bool,
    years: u32,
    validity_months: u32,
    rng: &mut R,
) -> Vec<OffsetDateTime> {
    if years == 0 || validity_months == 0 {
        return vec![];
    }
    let earliest = joined.max(now - Duration::days(365 * i64::from(years)));
    let month = |m: i64| Duration::days(m * 31);
    let validity = i64::from(validity_months);
    let valid_at = |passed: OffsetDateTime, at: OffsetDateTime| {
        expiry::expires_at(passed, validity_months) > at
    };
    // A quarter of those not trained never passed; the others' last pass expired within
    // the last 500 days or so. Too recent a start leaves no room for an expired pass.
    let (from, to) = if trained {
        ((now - month(validity)).max(earliest), now)
    } else {
        let to = now - Duration::days(validity * 28);
        if rng.gen_bool(0.25) || to < earliest {
            return vec![];
        }
        (
            (now - month(validity) - Duration::days(500)).max(earliest),
            to,
        )
    };
    // The latest pass: drawn until it has the standing wanted (a few tries at most).
    let mut last = None;
    for _ in 0..8 {
        let candidate = between(rng, from, to);
        if candidate >= earliest && candidate <= now && valid_at(candidate, now) == trained {
            last = Some(candidate);
            break;
        }
    }
    let Some(mut at) = last else { return vec![] };
    let mut passes = vec![at];
    let cycle = (validity * 365 / 12) as f64;
    loop {
        let days = if rng.gen_bool(0.85) {
            rng.gen_range(cycle * 0.85..cycle)
        } else {
            rng.gen_range(cycle + 5.0..cycle + 200.0)
        };
        at -= Duration::seconds((days * 86_400.0) as i64);
        if at < earliest {
            break;
        }
        passes.push(at);
    }
    passes.reverse();
    passes
}

/// Letters only, lower case, for an email address.
fn email_part(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether the `k`th member of an organisation with `coverage` is trained: spread evenly,
/// so that of any first `k` people the share trained is as near `coverage` as whole people
/// allow (small practices get the coverage planned, not a random one).
pub fn trained_in_turn(k: usize, coverage: f64) -> bool {
    let c = coverage.clamp(0.0, 1.0);
    ((k + 1) as f64 * c).floor() > (k as f64 * c).floor()
}

/// The span of history being generated.
#[derive(Debug, Clone, Copy)]
pub struct History {
    pub now: OffsetDateTime,
    /// How many years back passes go (at most).
    pub years: u32,
    /// How long a pass is valid.
    pub validity_months: u32,
}

/// Member of staff number `n` (of the whole run) of an organisation like `org`, trained
/// today or not. `tag` makes email addresses unique to this run of the generator.
pub fn person<R: Rng>(
    org: &OrgPlan,
    n: u64,
    trained: bool,
    tag: &str,
    history: &History,
    rng: &mut R,
) -> PersonPlan {
    let now = history.now;
    let (first, last) = (pick(rng, FIRST), pick(rng, LAST));
    let joined = if rng.gen_bool(0.1) {
        now - Duration::days(rng.gen_range(0..365))
    } else {
        now - Duration::days(rng.gen_range(365..365 * 15))
    };
    let department = pick(rng, departments(org.org_type));
    PersonPlan {
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}.{n}.{tag}@generated.invalid",
            email_part(first),
            email_part(last)
        ),
        staff_group: weighted(rng, groups(org.org_type)),
        department: (!department.is_empty()).then_some(department),
        active: !rng.gen_bool(0.03),
        joined,
        passes: pass_dates(
            now,
            joined,
            trained,
            history.years,
            history.validity_months,
            rng,
        ),
    }
}

/// Certificate code number `n` of a run: distinct for distinct `n` (multiplying by a
/// number with no factor in common with 31¹² is a one-to-one shuffle), in the shape of
/// real codes (12 characters from the look-alike-free alphabet, in groups of four).
pub fn certificate_code(offset: u64, n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    const SPACE: u128 = 787_662_783_788_549_761; // 31^12
    const STEP: u128 = 1_000_000_007; // prime, not 31
    let mut v = (u128::from(offset) + u128::from(n) * STEP) % SPACE;
    let mut chars = [b'A'; 12];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET[(v % 31) as usize];
        v /= 31;
    }
    let s: String = chars.iter().map(|&b| b as char).collect();
    format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rand::{SeedableRng, rngs::StdRng};
    use time::macros::datetime;

    use super::*;
    use crate::knowledge::generate::plan::organisations;

    #[test]
    fn pass_histories_give_the_standing_asked_for() {
        let now = datetime!(2026-03-01 12:00 UTC);
        let mut rng = StdRng::seed_from_u64(3);
        for i in 0..2_000 {
            let joined = now - Duration::days(i % 4_000);
            let trained = i % 3 != 0;
            let passes = pass_dates(now, joined, trained, 5, 12, &mut rng);
            assert!(passes.windows(2).all(|w| w[0] < w[1]));
            assert!(passes.iter().all(|p| *p >= joined && *p <= now));
            assert!(passes.iter().all(|p| *p >= now - Duration::days(5 * 365)));
            let valid = passes
                .last()
                .is_some_and(|p| expiry::expires_at(*p, 12) > now);
            assert_eq!(valid, trained, "joined {joined}: {passes:?}");
        }
        assert!(pass_dates(now, now, true, 0, 12, &mut rng).is_empty());
    }

    #[test]
    fn people_are_marked_as_generated() {
        let mut rng = StdRng::seed_from_u64(5);
        let org = &organisations(1, 1, &HashSet::new(), &mut rng).unwrap()[0];
        let history = History {
            now: datetime!(2026-03-01 0:00 UTC),
            years: 3,
            validity_months: 12,
        };
        let p = person(org, 42, true, "t1", &history, &mut rng);
        assert!(!p.passes.is_empty());
        assert!(p.email.ends_with(".42.t1@generated.invalid"), "{}", p.email);
        assert_eq!(p.email, p.email.to_lowercase());
    }

    #[test]
    fn the_trained_are_spread_to_the_coverage_planned() {
        let trained = |n: usize, c: f64| (0..n).filter(|&k| trained_in_turn(k, c)).count();
        assert_eq!(trained(1_000, 0.88), 880);
        assert_eq!(trained(5, 0.7), 3);
        assert_eq!(trained(10, 0.99), 9);
        assert_eq!(trained(10, 1.0), 10);
        assert_eq!(trained(10, 0.0), 0);
    }

    #[test]
    fn certificate_codes_are_distinct_and_well_formed() {
        let codes: HashSet<String> = (0..10_000).map(|n| certificate_code(12_345, n)).collect();
        assert_eq!(codes.len(), 10_000);
        let c = certificate_code(u64::MAX, u64::MAX);
        assert_eq!(c.len(), 14);
        assert!(
            c.chars()
                .all(|ch| ch == '-' || "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(ch))
        );
    }
}
