//! What the generator makes, decided without a database: the mix of organisations, their
//! names and ODS codes, and how many staff each has (each person is planned in
//! [`super::people`]). Everything is drawn from the random number generator it is given,
//! so a seed gives the same shape every time.

use std::collections::HashSet;

use rand::Rng;

use crate::organisations::domain::OrgType;

/// Integrated care boards have three-character codes starting with Q: 36 × 36 of them.
const MAX_ICBS: usize = 36 * 36;

/// One organisation to create.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgPlan {
    pub name: String,
    pub ods_code: String,
    pub org_type: OrgType,
    /// Position in the plan of the integrated care board it belongs to, if any.
    pub parent: Option<usize>,
    pub staff: usize,
    /// The share of its staff who hold valid training today, from 0 to 1.
    pub coverage: f64,
    /// Its coverage target in percent.
    pub target: i64,
}

/// How many organisations of each type make up `n`: roughly England's mix (a few dozen
/// integrated care boards, a few hundred trusts, thousands of GP practices, then care
/// providers and others). Boards come first: the others are attached to them.
pub fn type_counts(n: usize) -> Vec<(OrgType, usize)> {
    let share = |f: f64| (n as f64 * f).round() as usize;
    let mut left = n;
    let mut take = |want: usize| {
        let got = want.min(left);
        left -= got;
        got
    };
    let icbs = take(if n >= 3 {
        share(0.006).clamp(1, MAX_ICBS)
    } else {
        0
    });
    let trusts = take(share(0.03).max(1));
    let care = take(share(0.10));
    let other = take(share(0.01));
    let gps = take(usize::MAX);
    vec![
        (OrgType::IntegratedCareBoard, icbs),
        (OrgType::NhsTrust, trusts),
        (OrgType::GpPractice, gps),
        (OrgType::SocialCareProvider, care),
        (OrgType::Other, other),
    ]
}

fn base36(mut v: usize, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[v % 36];
        v /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The `i`th ODS code of the shape used for `t` (see `organisations::domain`), or `None`
/// when that shape has no more codes.
pub fn ods_code(t: OrgType, i: usize) -> Option<String> {
    const SHORT: usize = 36 * 36;
    match t {
        OrgType::GpPractice => (i < 26 * 100_000)
            .then(|| format!("{}{:05}", (b'A' + (i / 100_000) as u8) as char, i % 100_000)),
        OrgType::NhsTrust if i < SHORT => Some(format!("R{}", base36(i, 2))),
        OrgType::NhsTrust => {
            (i - SHORT < 36usize.pow(4)).then(|| format!("R{}", base36(i - SHORT, 4)))
        }
        OrgType::IntegratedCareBoard => (i < SHORT).then(|| format!("Q{}", base36(i, 2))),
        OrgType::SocialCareProvider => (i < 36usize.pow(5)).then(|| format!("V{}", base36(i, 5))),
        OrgType::Other | OrgType::NationalTeam => {
            (i < 36usize.pow(5)).then(|| format!("Z{}", base36(i, 5)))
        }
    }
}

/// The next code of type `t` from `*next` on that is not in `taken`.
fn free_code(t: OrgType, next: &mut usize, taken: &HashSet<String>) -> Result<String, String> {
    loop {
        let code =
            ods_code(t, *next).ok_or_else(|| format!("ran out of ODS codes for {}", t.label()))?;
        *next += 1;
        if !taken.contains(&code) {
            return Ok(code);
        }
    }
}

/// A number between `lo` and `hi`, evenly spread on a log scale: many small, a few large.
fn log_uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.r#gen::<f64>() * (hi.ln() - lo.ln())).exp()
}

/// How big an organisation of type `t` is, relative to others (scaled to the total later):
/// trusts from 800 to 20,000 staff, GP practices 4 to 120, care providers 5 to 400.
fn size_weight<R: Rng>(t: OrgType, rng: &mut R) -> f64 {
    match t {
        OrgType::NhsTrust => log_uniform(rng, 800.0, 20_000.0),
        OrgType::IntegratedCareBoard => rng.gen_range(150.0..700.0),
        OrgType::GpPractice => log_uniform(rng, 4.0, 120.0),
        OrgType::SocialCareProvider => log_uniform(rng, 5.0, 400.0),
        OrgType::Other | OrgType::NationalTeam => log_uniform(rng, 10.0, 500.0),
    }
}

/// Shares `total` out in proportion to `weights`, in whole numbers that add up to `total`
/// (largest remainders get the odd ones).
pub fn spread(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut out: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra)
    });
    let short = total.saturating_sub(out.iter().sum());
    for &i in order.iter().cycle().take(short) {
        out[i] += 1;
    }
    out
}

const PLACES: &[&str] = &[
    "Ashford",
    "Barnsley",
    "Bedford",
    "Blackburn",
    "Bolton",
    "Bradford",
    "Brighton",
    "Bristol",
    "Burnley",
    "Cambridge",
    "Carlisle",
    "Chelmsford",
    "Cheltenham",
    "Chester",
    "Chesterfield",
    "Colchester",
    "Coventry",
    "Crawley",
    "Darlington",
    "Derby",
    "Doncaster",
    "Dorchester",
    "Dudley",
    "Durham",
    "Eastbourne",
    "Exeter",
    "Gateshead",
    "Gloucester",
    "Grimsby",
    "Guildford",
    "Halifax",
    "Harrogate",
    "Hastings",
    "Hereford",
    "Huddersfield",
    "Hull",
    "Ipswich",
    "Kendal",
    "Kettering",
    "Lancaster",
    "Leeds",
    "Leicester",
    "Lincoln",
    "Liverpool",
    "Luton",
    "Maidstone",
    "Manchester",
    "Middlesbrough",
    "Milton Keynes",
    "Newcastle",
    "Northampton",
    "Norwich",
    "Nottingham",
    "Oldham",
    "Oxford",
    "Peterborough",
    "Plymouth",
    "Poole",
    "Portsmouth",
    "Preston",
    "Reading",
    "Redditch",
    "Rochdale",
    "Rotherham",
    "Salisbury",
    "Scarborough",
    "Sheffield",
    "Shrewsbury",
    "Slough",
    "Southampton",
    "Stafford",
    "Stockport",
    "Sunderland",
    "Swindon",
    "Taunton",
    "Telford",
    "Torbay",
    "Truro",
    "Wakefield",
    "Warrington",
    "Watford",
    "Wigan",
    "Winchester",
    "Wolverhampton",
    "Worcester",
    "Worthing",
    "Yeovil",
    "York",
];

const QUARTERS: &[&str] = &[
    "", "", "", "North ", "South ", "East ", "West ", "Central ", "Upper ", "Old ",
];

/// One of `from`, at random.
pub(super) fn pick<'a, R: Rng>(rng: &mut R, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

/// A plausible name for an organisation of type `t`, marked as generated.
fn org_name<R: Rng>(t: OrgType, rng: &mut R) -> String {
    let place = pick(rng, PLACES);
    let name = match t {
        OrgType::IntegratedCareBoard => format!("NHS {place} Integrated Care Board"),
        OrgType::NhsTrust => format!(
            "{place} {}",
            pick(
                rng,
                &[
                    "Hospitals NHS Foundation Trust",
                    "Teaching Hospitals NHS Trust",
                    "Community Healthcare NHS Trust",
                    "Mental Health NHS Foundation Trust",
                    "and District NHS Trust",
                ]
            )
        ),
        OrgType::GpPractice => format!(
            "{}{place} {}",
            pick(rng, QUARTERS),
            pick(
                rng,
                &[
                    "Surgery",
                    "Medical Practice",
                    "Health Centre",
                    "Medical Centre",
                    "Family Practice"
                ]
            )
        ),
        OrgType::SocialCareProvider => format!(
            "{}{place} {}",
            pick(rng, QUARTERS),
            pick(
                rng,
                &[
                    "Care Home",
                    "Home Care",
                    "Care Services",
                    "Nursing Home",
                    "Supported Living"
                ]
            )
        ),
        OrgType::Other | OrgType::NationalTeam => format!(
            "{place} {}",
            pick(
                rng,
                &[
                    "Hospice",
                    "Health Services Ltd",
                    "Dental Care",
                    "Community Interest Company"
                ]
            )
        ),
    };
    format!("{name} (generated)")
}

/// `n` organisations sharing `staff` people, with ODS codes not in `taken`. Trusts and GP
/// practices belong to an integrated care board when there is one. Coverage today is
/// between 60% and 99%, more often high than low; most targets are 95%.
pub fn organisations<R: Rng>(
    n: usize,
    staff: usize,
    taken: &HashSet<String>,
    rng: &mut R,
) -> Result<Vec<OrgPlan>, String> {
    let mut plans = Vec::with_capacity(n);
    let mut weights = Vec::with_capacity(n);
    for (t, count) in type_counts(n) {
        let mut next = 0;
        for _ in 0..count {
            weights.push(size_weight(t, rng));
            plans.push(OrgPlan {
                name: org_name(t, rng),
                ods_code: free_code(t, &mut next, taken)?,
                org_type: t,
                parent: None,
                staff: 0,
                coverage: 0.60 + 0.39 * rng.r#gen::<f64>().sqrt(),
                target: match rng.gen_range(0..20) {
                    0 => 85,
                    1..=3 => 90,
                    _ => 95,
                },
            });
        }
    }
    let icbs: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].org_type == OrgType::IntegratedCareBoard)
        .collect();
    for (p, size) in plans.iter_mut().zip(spread(staff, &weights)) {
        p.staff = size;
        if matches!(p.org_type, OrgType::NhsTrust | OrgType::GpPractice) && !icbs.is_empty() {
            p.parent = Some(icbs[rng.gen_range(0..icbs.len())]);
        }
    }
    Ok(plans)
}

#[cfg(test)]
mod tests {
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;
    use crate::organisations::ods::OdsCode;

    #[test]
    fn the_mix_adds_up_and_has_boards_trusts_and_practices() {
        for n in [1, 2, 3, 10, 7_000] {
            let counts = type_counts(n);
            assert_eq!(counts.iter().map(|(_, c)| c).sum::<usize>(), n, "{n}");
            assert!(
                counts
                    .iter()
                    .any(|(t, c)| *t == OrgType::NhsTrust && *c >= 1)
            );
        }
        let big = type_counts(7_000);
        let of = |t| big.iter().find(|(x, _)| *x == t).map(|(_, c)| *c).unwrap();
        assert_eq!(of(OrgType::IntegratedCareBoard), 42);
        assert_eq!(of(OrgType::NhsTrust), 210);
        assert!(of(OrgType::GpPractice) > 5_000);
    }

    #[test]
    fn codes_follow_the_rules_for_their_type_and_do_not_repeat() {
        for t in OrgType::REGISTRABLE {
            let mut seen = HashSet::new();
            for i in (0..3_000).chain([99_999, 100_000, 200_001]) {
                let Some(code) = ods_code(t, i) else { continue };
                assert_eq!(
                    OdsCode::for_type(&code, t).map(String::from),
                    Ok(code.clone())
                );
                assert!(seen.insert(code));
            }
        }
        assert_eq!(ods_code(OrgType::IntegratedCareBoard, 1_296), None);
        assert_eq!(
            ods_code(OrgType::GpPractice, 100_001).as_deref(),
            Some("B00001")
        );
    }

    #[test]
    fn codes_already_taken_are_skipped() {
        let taken: HashSet<String> = ["R00".to_owned(), "R01".to_owned()].into();
        let mut rng = StdRng::seed_from_u64(1);
        let plans = organisations(1, 10, &taken, &mut rng).unwrap();
        assert_eq!(plans[0].ods_code, "R02");
    }

    #[test]
    fn spreading_keeps_the_total() {
        assert_eq!(spread(10, &[1.0, 1.0, 1.0]).iter().sum::<usize>(), 10);
        assert_eq!(spread(7, &[3.0, 1.0]), [5, 2]);
        assert_eq!(spread(5, &[]), Vec::<usize>::new());
        assert_eq!(spread(5, &[0.0]), [0]);
    }

    #[test]
    fn a_plan_shares_all_the_staff_and_attaches_to_boards() {
        let mut rng = StdRng::seed_from_u64(7);
        let plans = organisations(500, 100_000, &HashSet::new(), &mut rng).unwrap();
        assert_eq!(plans.iter().map(|p| p.staff).sum::<usize>(), 100_000);
        let codes: HashSet<_> = plans.iter().map(|p| &p.ods_code).collect();
        assert_eq!(codes.len(), 500);
        for p in &plans {
            assert!(p.name.ends_with("(generated)"));
            assert!((0.6..=0.99).contains(&p.coverage));
            match (p.org_type, p.parent) {
                (OrgType::NhsTrust | OrgType::GpPractice, Some(i)) => {
                    assert_eq!(plans[i].org_type, OrgType::IntegratedCareBoard)
                }
                (OrgType::NhsTrust | OrgType::GpPractice, None) => panic!("no board"),
                (_, parent) => assert_eq!(parent, None),
            }
        }
        let biggest = plans.iter().max_by_key(|p| p.staff).unwrap();
        assert_eq!(biggest.org_type, OrgType::NhsTrust);
        // The same seed gives the same plan.
        let again = organisations(500, 100_000, &HashSet::new(), &mut StdRng::seed_from_u64(7));
        assert_eq!(again.unwrap(), plans);
    }
}
