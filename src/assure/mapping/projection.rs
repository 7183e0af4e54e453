//! Proposing answers in one framework from an assessment answered in another, through the
//! mappings between them: directly, or through one framework in between (a pivot) where no
//! direct edge reaches a requirement.
//!
//! The rules, so that nothing is filled in that a person would have to undo:
//!
//! - **Which routes.** Mappings are read in either direction (reading one backwards swaps
//!   subset and superset) and only at the framework versions the two assessments use. A
//!   target requirement reached by any direct edge uses direct edges only; one no direct
//!   edge reaches may use chains through one pivot framework (three frameworks at most).
//!   Between one source requirement and one target requirement the strongest route is
//!   kept; a chain is as strong as its weakest hop ([`Relationship::then`]).
//! - **What carries over.** `equal` carries any result. `superset` (the source covers the
//!   whole target) carries a met result; a result that is not met may come from the part
//!   of the source the target does not ask for, so it is only a hint. `subset` and
//!   `intersect` never carry a result: the source's result is shown as a hint and the
//!   proposal needs review.
//! - **Scales.** The same scale copies the level. Between different scales a met result
//!   becomes the target's lowest met level (CSF "implemented" becomes NDG "met", never
//!   "exceeded"); the lowest level becomes the target's lowest level; a level in between
//!   ("partially achieved", "approaching") only gives a hint: the highest level of the
//!   target that is not met and sits no higher on its scale, by normalised score (CAF
//!   "partially achieved", halfway, hints CSF "partially implemented", a third of the way).
//! - **Several sources.** The worst result wins, and the proposal needs review if any
//!   route would not carry its result alone, or if some sources apply and others do not.
//! - **Not applicable** carries over only along `equal` routes; otherwise it is a hint.
//! - **Unanswered** source requirements are left out; a target with no answered source
//!   gets no proposal.
//!
//! A proposal that needs review has no verdict, only a hint: the person answering decides.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Mapping, Relationship};
use crate::assure::{
    framework::model::ScaleLevel,
    rules::answer::{Answer, Verdict},
};

/// One side of a projection: a framework at a version, with its scale.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub framework: &'a str,
    pub version: &'a str,
    pub scale: &'a [ScaleLevel],
}

/// One step of a route: the requirement reached, and how the previous requirement relates
/// to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub framework: String,
    pub requirement: String,
    pub relationship: Relationship,
}

/// How one answered source requirement reaches the target requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The source requirement.
    pub source: String,
    /// Its result, on the source framework's scale.
    pub result: Verdict,
    /// The hops after the source, ending at the target requirement.
    pub path: Vec<Hop>,
    /// The whole route's relationship, source to target.
    pub relationship: Relationship,
}

/// A proposed answer to one requirement of the target framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub target: String,
    /// The result to fill in, on the target's scale; `None` when it needs review.
    pub verdict: Option<Verdict>,
    /// When it needs review: what the sources suggest, for the person deciding.
    pub hint: Option<Verdict>,
    pub needs_review: bool,
    /// Every answered source that reaches the target, in source id order.
    pub from: Vec<Route>,
}

/// A level translated to another scale: certain, or only a hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Translated {
    Exact(usize),
    Hint(usize),
}

/// Level `level` of scale `from` on scale `to` (both worst first); `None` when `level` is
/// not on `from` or `to` has no level to give.
pub fn translate(level: usize, from: &[ScaleLevel], to: &[ScaleLevel]) -> Option<Translated> {
    let at = from.get(level)?;
    if from.iter().map(|l| &l.id).eq(to.iter().map(|l| &l.id)) {
        return Some(Translated::Exact(level));
    }
    if at.met {
        return to.iter().position(|l| l.met).map(Translated::Exact);
    }
    if level == 0 {
        return (!to.is_empty()).then_some(Translated::Exact(0));
    }
    // A level in between: the highest not-met target level whose normalised score is no
    // higher than the source's. Compared as cross products to stay in whole numbers.
    let span = |s: &[ScaleLevel]| {
        let low = s.first().map_or(0, |l| l.score);
        let high = s.last().map_or(0, |l| l.score);
        (
            u64::from(low),
            u64::from(high).saturating_sub(u64::from(low)),
        )
    };
    let (from_low, from_span) = span(from);
    let (to_low, to_span) = span(to);
    let position = u64::from(at.score).saturating_sub(from_low);
    to.iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| !l.met)
        .find(|(_, l)| u64::from(l.score).saturating_sub(to_low) * from_span <= position * to_span)
        .map(|(i, _)| i)
        .or((!to.is_empty()).then_some(0))
        .map(Translated::Hint)
}

/// A directed edge between two requirements of two frameworks.
#[derive(Debug, Clone)]
struct Directed {
    from: String,
    to: String,
    relationship: Relationship,
}

/// The edges of every mapping between `a` and `b` at those versions, read from `a` to `b`.
fn edges_between(mappings: &[Mapping], a: (&str, &str), b: (&str, &str)) -> Vec<Directed> {
    fn side(s: &super::model::FrameworkVersion) -> (&str, &str) {
        (s.framework.as_str(), s.version.as_str())
    }
    let mut out = Vec::new();
    for m in mappings {
        if side(&m.source) == a && side(&m.target) == b {
            out.extend(m.edges.iter().map(|e| Directed {
                from: e.source.clone(),
                to: e.target.clone(),
                relationship: e.relationship,
            }));
        } else if side(&m.source) == b && side(&m.target) == a {
            out.extend(m.edges.iter().map(|e| Directed {
                from: e.target.clone(),
                to: e.source.clone(),
                relationship: e.relationship.reversed(),
            }));
        }
    }
    out
}

/// How useful a route is: one that carries a result beats one that only hints.
fn strength(r: Relationship) -> u8 {
    match r {
        Relationship::Equal => 3,
        Relationship::Superset => 2,
        Relationship::Subset => 1,
        Relationship::Intersect => 0,
    }
}

/// Every candidate route, by target requirement, then source requirement.
type Routes = BTreeMap<String, BTreeMap<String, (Vec<Hop>, Relationship)>>;

fn keep_strongest(
    routes: &mut Routes,
    target: &str,
    source: &str,
    path: Vec<Hop>,
    r: Relationship,
) {
    let by_source = routes.entry(target.to_owned()).or_default();
    match by_source.get(source) {
        Some((_, kept)) if strength(*kept) >= strength(r) => {}
        _ => {
            by_source.insert(source.to_owned(), (path, r));
        }
    }
}

fn routes(mappings: &[Mapping], from: Side<'_>, to: Side<'_>) -> Routes {
    let a = (from.framework, from.version);
    let b = (to.framework, to.version);
    let mut out = Routes::new();
    for e in edges_between(mappings, a, b) {
        let hop = Hop {
            framework: to.framework.to_owned(),
            requirement: e.to.clone(),
            relationship: e.relationship,
        };
        keep_strongest(&mut out, &e.to, &e.from, vec![hop], e.relationship);
    }
    let direct: BTreeSet<String> = out.keys().cloned().collect();
    // Every other framework version a mapping names, as a possible pivot.
    let pivots: BTreeSet<(&str, &str)> = mappings
        .iter()
        .flat_map(|m| [&m.source, &m.target])
        .map(|s| (s.framework.as_str(), s.version.as_str()))
        .filter(|(f, _)| *f != from.framework && *f != to.framework)
        .collect();
    for p in pivots {
        let second = edges_between(mappings, p, b);
        for first in edges_between(mappings, a, p) {
            for next in second.iter().filter(|n| n.from == first.to) {
                if direct.contains(&next.to) {
                    continue;
                }
                let path = vec![
                    Hop {
                        framework: p.0.to_owned(),
                        requirement: first.to.clone(),
                        relationship: first.relationship,
                    },
                    Hop {
                        framework: to.framework.to_owned(),
                        requirement: next.to.clone(),
                        relationship: next.relationship,
                    },
                ];
                let r = first.relationship.then(next.relationship);
                keep_strongest(&mut out, &next.to, &first.from, path, r);
            }
        }
    }
    out
}

/// One route's result on the target scale, and whether it carries over without review.
fn carried(route: &Route, from: &[ScaleLevel], to: &[ScaleLevel]) -> Option<(Verdict, bool)> {
    match route.result {
        Verdict::NotApplicable => Some((
            Verdict::NotApplicable,
            route.relationship == Relationship::Equal,
        )),
        Verdict::Level(i) => {
            let met = from.get(i)?.met;
            let (level, exact) = match translate(i, from, to)? {
                Translated::Exact(l) => (l, true),
                Translated::Hint(l) => (l, false),
            };
            let carries = match met {
                true => route.relationship.covers_target(),
                false => route.relationship == Relationship::Equal,
            };
            Some((Verdict::Level(level), exact && carries))
        }
    }
}

/// Proposals for the target framework from `answers` to the source framework, in target
/// requirement id order (callers show them in the framework's own order).
pub fn project(
    mappings: &[Mapping],
    from: Side<'_>,
    to: Side<'_>,
    answers: &[Answer],
) -> Vec<Proposal> {
    let results: BTreeMap<&str, Verdict> = answers
        .iter()
        .filter_map(|a| a.verdict.map(|v| (a.requirement.as_str(), v)))
        .collect();
    let mut out = Vec::new();
    for (target, by_source) in routes(mappings, from, to) {
        let routes: Vec<Route> = by_source
            .into_iter()
            .filter_map(|(source, (path, relationship))| {
                let result = *results.get(source.as_str())?;
                Some(Route {
                    source,
                    result,
                    path,
                    relationship,
                })
            })
            .collect();
        let outcomes: Vec<(Verdict, bool)> = routes
            .iter()
            .filter_map(|r| carried(r, from.scale, to.scale))
            .collect();
        if outcomes.is_empty() {
            continue;
        }
        let worst_level = outcomes
            .iter()
            .filter_map(|(v, _)| match v {
                Verdict::Level(l) => Some(*l),
                Verdict::NotApplicable => None,
            })
            .min();
        let mixed =
            worst_level.is_some() && outcomes.iter().any(|(v, _)| *v == Verdict::NotApplicable);
        let value = worst_level.map_or(Verdict::NotApplicable, Verdict::Level);
        let certain = !mixed && outcomes.iter().all(|(_, c)| *c);
        out.push(Proposal {
            target,
            verdict: certain.then_some(value),
            hint: (!certain).then_some(value),
            needs_review: !certain,
            from: routes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assure::{
        framework::model::Framework,
        mapping::{
            check::tests::{edge, framework, mapping},
            model::Relationship::*,
        },
        rules::answer::Workflow,
    };

    const CAF: &[&str] = &["not-achieved", "partially-achieved", "achieved"];
    const CSF: &[&str] = &["not-implemented", "partial", "largely", "implemented"];
    const CE: &[&str] = &["no", "yes"];
    const NDG: &[&str] = &["not-met", "approaching", "met", "exceeded"];

    fn caf() -> Framework {
        framework("caf", &["A1", "A2", "A3"], CAF, &["achieved"])
    }
    fn csf() -> Framework {
        framework("csf", &["X1", "X2", "X3"], CSF, &["implemented"])
    }
    fn ce() -> Framework {
        framework("ce", &["Q1", "Q2"], CE, &["yes"])
    }
    fn ndg() -> Framework {
        framework("ndg", &["1.1", "1.2"], NDG, &["met", "exceeded"])
    }

    fn side(f: &Framework) -> Side<'_> {
        Side {
            framework: &f.about.id,
            version: &f.about.version,
            scale: &f.about.scale,
        }
    }

    fn answer(requirement: &str, level: Option<&str>, scale: &[&str]) -> Answer {
        Answer {
            requirement: requirement.into(),
            verdict: level.map(|l| match scale.iter().position(|s| *s == l) {
                Some(i) => Verdict::Level(i),
                None => Verdict::NotApplicable,
            }),
            workflow: Workflow::Done,
            indicators: vec![],
        }
    }

    fn only(proposals: &[Proposal], target: &str) -> Proposal {
        let found: Vec<&Proposal> = proposals.iter().filter(|p| p.target == target).collect();
        assert_eq!(found.len(), 1, "{proposals:#?}");
        found[0].clone()
    }

    #[test]
    fn levels_translate_by_met_and_by_position_on_the_scale() {
        let (caf, csf, ce, ndg) = (caf(), csf(), ce(), ndg());
        let (caf, csf, ce, ndg) = (
            &caf.about.scale,
            &csf.about.scale,
            &ce.about.scale,
            &ndg.about.scale,
        );
        // Same scale: the level itself.
        assert_eq!(translate(1, caf, caf), Some(Translated::Exact(1)));
        // Met: the target's lowest met level.
        assert_eq!(translate(1, ce, caf), Some(Translated::Exact(2)));
        assert_eq!(translate(3, csf, ndg), Some(Translated::Exact(2)));
        assert_eq!(translate(3, ndg, ce), Some(Translated::Exact(1)));
        // Lowest: lowest.
        assert_eq!(translate(0, caf, csf), Some(Translated::Exact(0)));
        // In between: a hint. CAF partially (1/2) -> CSF partial (1/3 <= 1/2 < 2/3).
        assert_eq!(translate(1, caf, csf), Some(Translated::Hint(1)));
        // CSF largely (2/3) -> CAF partially (1/2); CSF partial (1/3) -> CAF not achieved.
        assert_eq!(translate(2, csf, caf), Some(Translated::Hint(1)));
        assert_eq!(translate(1, csf, caf), Some(Translated::Hint(0)));
        // A yes/no target has nothing in between: "no" is still only a hint.
        assert_eq!(translate(1, caf, ce), Some(Translated::Hint(0)));
        assert_eq!(translate(7, caf, ce), None);
    }

    #[test]
    fn equal_copies_any_result() {
        let (a, b) = (caf(), framework("caf2", &["B1"], CAF, &["achieved"]));
        let m = [mapping("caf", "caf2", vec![edge("A1", "B1", Equal)])];
        for level in CAF {
            let got = project(&m, side(&a), side(&b), &[answer("A1", Some(level), CAF)]);
            let p = only(&got, "B1");
            let expected = CAF.iter().position(|l| l == level).map(Verdict::Level);
            assert_eq!(p.verdict, expected, "{level}");
            assert!(!p.needs_review);
            assert_eq!(p.from[0].path[0].requirement, "B1");
        }
    }

    #[test]
    fn superset_copies_met_and_only_hints_not_met() {
        let (a, b) = (ce(), caf());
        let m = [mapping("ce", "caf", vec![edge("Q1", "A1", Superset)])];
        let met = only(
            &project(&m, side(&a), side(&b), &[answer("Q1", Some("yes"), CE)]),
            "A1",
        );
        assert_eq!(met.verdict, Some(Verdict::Level(2)));
        assert!(!met.needs_review);
        let not = only(
            &project(&m, side(&a), side(&b), &[answer("Q1", Some("no"), CE)]),
            "A1",
        );
        assert_eq!(not.verdict, None);
        assert_eq!(not.hint, Some(Verdict::Level(0)));
        assert!(not.needs_review);
    }

    #[test]
    fn intersect_and_subset_need_review_with_the_result_as_a_hint() {
        let (a, b) = (caf(), csf());
        let m = [mapping(
            "caf",
            "csf",
            vec![edge("A1", "X1", Intersect), edge("A2", "X2", Subset)],
        )];
        let got = project(
            &m,
            side(&a),
            side(&b),
            &[
                answer("A1", Some("achieved"), CAF),
                answer("A2", Some("achieved"), CAF),
            ],
        );
        for target in ["X1", "X2"] {
            let p = only(&got, target);
            assert!(p.needs_review, "{target}");
            assert_eq!(p.verdict, None);
            assert_eq!(p.hint, Some(Verdict::Level(3)));
        }
    }

    #[test]
    fn a_mapping_read_backwards_swaps_subset_and_superset() {
        // csf X1 is a subset of caf A1, so caf A1 is a superset of X1: achieved carries.
        let (a, b) = (caf(), csf());
        let m = [mapping("csf", "caf", vec![edge("X1", "A1", Subset)])];
        let p = only(
            &project(
                &m,
                side(&a),
                side(&b),
                &[answer("A1", Some("achieved"), CAF)],
            ),
            "X1",
        );
        assert_eq!(p.verdict, Some(Verdict::Level(3)));
        assert_eq!(p.from[0].relationship, Superset);
    }

    #[test]
    fn a_chain_through_a_pivot_is_as_strong_as_its_weakest_hop() {
        let (a, b) = (ce(), caf());
        let strong = [
            mapping("ce", "csf", vec![edge("Q1", "X1", Equal)]),
            mapping("csf", "caf", vec![edge("X1", "A1", Superset)]),
        ];
        let p = only(
            &project(
                &strong,
                side(&a),
                side(&b),
                &[answer("Q1", Some("yes"), CE)],
            ),
            "A1",
        );
        assert_eq!(p.verdict, Some(Verdict::Level(2)));
        let hops: Vec<(&str, &str)> = p.from[0]
            .path
            .iter()
            .map(|h| (h.framework.as_str(), h.requirement.as_str()))
            .collect();
        assert_eq!(hops, [("csf", "X1"), ("caf", "A1")]);
        let weak = [
            mapping("ce", "csf", vec![edge("Q1", "X1", Superset)]),
            mapping("csf", "caf", vec![edge("X1", "A1", Subset)]),
        ];
        let p = only(
            &project(&weak, side(&a), side(&b), &[answer("Q1", Some("yes"), CE)]),
            "A1",
        );
        assert!(p.needs_review);
        assert_eq!(p.from[0].relationship, Intersect);
    }

    #[test]
    fn a_direct_edge_keeps_chains_away_from_its_target() {
        let (a, b) = (ce(), caf());
        let m = [
            mapping("ce", "caf", vec![edge("Q2", "A1", Intersect)]),
            mapping("ce", "csf", vec![edge("Q1", "X1", Equal)]),
            mapping(
                "csf",
                "caf",
                vec![edge("X1", "A1", Equal), edge("X1", "A2", Equal)],
            ),
        ];
        let got = project(
            &m,
            side(&a),
            side(&b),
            &[answer("Q1", Some("yes"), CE), answer("Q2", Some("yes"), CE)],
        );
        let direct = only(&got, "A1");
        assert_eq!(direct.from.len(), 1);
        assert_eq!(direct.from[0].source, "Q2");
        assert!(direct.needs_review);
        // A2 has no direct edge, so the chain reaches it.
        assert_eq!(only(&got, "A2").verdict, Some(Verdict::Level(2)));
    }

    #[test]
    fn a_pivot_at_another_version_is_not_used() {
        let (a, b) = (ce(), caf());
        let mut second = mapping("csf", "caf", vec![edge("X1", "A1", Equal)]);
        second.source.version = "2".into();
        let m = [mapping("ce", "csf", vec![edge("Q1", "X1", Equal)]), second];
        assert!(project(&m, side(&a), side(&b), &[answer("Q1", Some("yes"), CE)]).is_empty());
    }

    #[test]
    fn with_several_sources_the_worst_wins_and_a_weak_edge_means_review() {
        let (a, b) = (ndg(), caf());
        let m = [mapping(
            "ndg",
            "caf",
            vec![edge("1.1", "A1", Superset), edge("1.2", "A1", Equal)],
        )];
        let both_met = only(
            &project(
                &m,
                side(&a),
                side(&b),
                &[
                    answer("1.1", Some("exceeded"), NDG),
                    answer("1.2", Some("met"), NDG),
                ],
            ),
            "A1",
        );
        assert_eq!(both_met.verdict, Some(Verdict::Level(2)));
        assert_eq!(both_met.from.len(), 2);
        // 1.2 not met carries along equal; 1.1 met carries along superset: worst wins.
        let one_not = only(
            &project(
                &m,
                side(&a),
                side(&b),
                &[
                    answer("1.1", Some("met"), NDG),
                    answer("1.2", Some("not-met"), NDG),
                ],
            ),
            "A1",
        );
        assert_eq!(one_not.verdict, Some(Verdict::Level(0)));
        let weak = [mapping(
            "ndg",
            "caf",
            vec![edge("1.1", "A1", Intersect), edge("1.2", "A1", Equal)],
        )];
        let p = only(
            &project(
                &weak,
                side(&a),
                side(&b),
                &[
                    answer("1.1", Some("met"), NDG),
                    answer("1.2", Some("met"), NDG),
                ],
            ),
            "A1",
        );
        assert!(p.needs_review);
        assert_eq!(p.hint, Some(Verdict::Level(2)));
    }

    #[test]
    fn not_applicable_carries_only_along_equal_and_unanswered_sources_are_left_out() {
        let (a, b) = (caf(), framework("caf2", &["B1", "B2"], CAF, &["achieved"]));
        let m = [mapping(
            "caf",
            "caf2",
            vec![
                edge("A1", "B1", Equal),
                edge("A2", "B2", Superset),
                edge("A3", "B2", Equal),
            ],
        )];
        let got = project(
            &m,
            side(&a),
            side(&b),
            &[
                answer("A1", Some("n/a"), CAF),
                answer("A2", Some("n/a"), CAF),
                answer("A3", None, CAF),
            ],
        );
        assert_eq!(only(&got, "B1").verdict, Some(Verdict::NotApplicable));
        let b2 = only(&got, "B2");
        assert!(b2.needs_review);
        assert_eq!(b2.hint, Some(Verdict::NotApplicable));
        assert_eq!(b2.from.len(), 1, "the unanswered A3 is left out");
        // Mixed with a level, not applicable makes the proposal need review.
        let mixed = project(
            &m,
            side(&a),
            side(&b),
            &[
                answer("A2", Some("n/a"), CAF),
                answer("A3", Some("achieved"), CAF),
            ],
        );
        let b2 = only(&mixed, "B2");
        assert!(b2.needs_review);
        assert_eq!(b2.hint, Some(Verdict::Level(2)));
        // Nothing answered, nothing proposed.
        assert!(project(&m, side(&a), side(&b), &[]).is_empty());
    }

    #[test]
    fn a_partial_level_between_different_scales_needs_review() {
        let (a, b) = (caf(), csf());
        let m = [mapping("caf", "csf", vec![edge("A1", "X1", Equal)])];
        let p = only(
            &project(
                &m,
                side(&a),
                side(&b),
                &[answer("A1", Some("partially-achieved"), CAF)],
            ),
            "X1",
        );
        assert!(p.needs_review);
        assert_eq!(p.hint, Some(Verdict::Level(1)));
        let p = only(
            &project(
                &m,
                side(&a),
                side(&b),
                &[answer("A1", Some("not-achieved"), CAF)],
            ),
            "X1",
        );
        assert_eq!(p.verdict, Some(Verdict::Level(0)));
    }
}
