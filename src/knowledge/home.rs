//! Knowledge's panels on the home page: every learner's training that is due, overdue or
//! expiring soon, and for a security lead each organisation's coverage against its target.
//! The figures come from the same rules and queries as "My training" and the coverage
//! dashboard, so the home page never disagrees with them.

use std::collections::HashMap;

use time::{Date, Duration, OffsetDateTime};

use crate::{
    knowledge::{
        dashboard::{self, Summary},
        rules::{
            coverage::DEFAULT_TARGET,
            expiry::{self, EXPIRING_SOON_DAYS, Standing},
        },
        store::{courses, learning, needs, reports},
    },
    platform::{
        AppState,
        authz::Principal,
        db::now,
        error::AppResult,
        web::{
            format::long_date,
            home::{self, HomeItem, HomePanel, Link, Tag, Tone, order},
        },
    },
};

/// The learner's panel for everyone; a coverage panel per organisation a lead leads.
pub async fn panels(state: &AppState, p: &Principal) -> AppResult<Vec<HomePanel>> {
    let at = now();
    let mut panels = vec![my_training(state, p, at).await?];
    let led: Vec<_> = p.led_organisations().collect();
    if led.is_empty() {
        return Ok(panels);
    }
    let course = dashboard::mandatory_course(state).await?;
    // With no mandatory course nobody can be trained: an unmatchable slug shows that.
    let slug = course.as_ref().map(|c| c.0.as_str()).unwrap_or("");
    let soon_until = at + Duration::days(EXPIRING_SOON_DAYS);
    for m in &led {
        let org = m.organisation_id;
        let target = reports::target(&state.db, org)
            .await?
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(DEFAULT_TARGET);
        let counts = reports::group_counts(&state.db, org, slug, at, soon_until).await?;
        let summary = dashboard::summarise(&counts, target);
        let title = home::for_organisation("Training coverage", &m.organisation_name, led.len());
        panels.push(coverage_panel(
            title,
            &m.organisation_name,
            &format!("/organisations/{org}/training"),
            &summary,
            target,
        ));
    }
    Ok(panels)
}

/// One course the learner must take, as far as the home page cares.
struct Due {
    title: String,
    slug: String,
    standing: Standing,
    /// When their latest pass expires (or expired).
    expires: Option<OffsetDateTime>,
    /// The earliest date an organisation asked for it by.
    due_on: Option<Date>,
}

async fn my_training(state: &AppState, p: &Principal, at: OffsetDateTime) -> AppResult<HomePanel> {
    let current = courses::current(&state.db).await?;
    let passes = learning::completions(&state.db, p.user_id).await?;
    let open = learning::open_enrolments(&state.db, p.user_id).await?;
    let requirements = needs::required_for(&state.db, p.user_id).await?;
    let mut latest: HashMap<&str, OffsetDateTime> = HashMap::new();
    for pass in &passes {
        latest
            .entry(pass.course_slug.as_str())
            .and_modify(|e| *e = (*e).max(pass.expires_at))
            .or_insert(pass.expires_at);
    }
    let mut due = Vec::new();
    for v in current {
        let asked: Vec<Option<Date>> = requirements
            .iter()
            .filter(|r| r.course_slug == v.slug)
            .map(|r| r.due_on)
            .collect();
        if !v.mandatory && asked.is_empty() {
            continue;
        }
        let expires = latest.get(v.slug.as_str()).copied();
        let started = open.iter().any(|e| e.course_slug == v.slug);
        due.push(Due {
            standing: expiry::standing(expires, started, at),
            due_on: asked.into_iter().flatten().min(),
            title: v.title,
            slug: v.slug,
            expires,
        });
    }
    Ok(training_panel(due, at.date()))
}

/// The learner's panel: courses not held or about to lapse, the most pressing first.
fn training_panel(courses: Vec<Due>, today: Date) -> HomePanel {
    let mut items: Vec<(u8, HomeItem)> = courses
        .into_iter()
        .filter_map(|c| training_item(c, today))
        .collect();
    items.sort_by_key(|(rank, _)| *rank);
    let summary = (!items.is_empty()).then(|| {
        format!(
            "{} to complete or refresh.",
            home::count(items.len() as u64, "course", "courses")
        )
    });
    HomePanel {
        title: "Your training".into(),
        summary,
        items: items.into_iter().map(|(_, i)| i).collect(),
        see_all: Link::new("Go to my training", "/training"),
        order: order::LEARNING,
    }
}

/// A course on the learner's panel with how pressing it is (0 most), or none when their
/// training is valid for a while yet.
fn training_item(c: Due, today: Date) -> Option<(u8, HomeItem)> {
    let href = format!("/training/{}", c.slug);
    let late = c.due_on.is_some_and(|d| d < today);
    let on = |t: Option<OffsetDateTime>| t.map(long_date).unwrap_or_default();
    let (rank, text, tag) = match c.standing {
        Standing::Valid => return None,
        Standing::ExpiringSoon => (
            2,
            format!("{}: refresh by {}", c.title, on(c.expires)),
            Tag::new("Expires soon", Tone::Warning),
        ),
        Standing::Expired => (
            0,
            format!("{}: expired on {}", c.title, on(c.expires)),
            Tag::new("Expired", Tone::Urgent),
        ),
        Standing::NotStarted | Standing::InProgress => {
            let text = match c.due_on {
                Some(d) => format!("{}: due {}", c.title, long_date(d)),
                None => c.title,
            };
            if late {
                (0, text, Tag::new("Overdue", Tone::Urgent))
            } else if c.due_on.is_some() {
                (1, text, Tag::new("Due", Tone::Warning))
            } else {
                (1, text, Tag::new(c.standing.label(), Tone::Info))
            }
        }
    };
    Some((rank, HomeItem::new(text, href, Some(tag))))
}

/// A lead's panel for one organisation: the coverage figure against its target, then who
/// is overdue and whose training expires soon.
fn coverage_panel(
    title: String,
    org_name: &str,
    dashboard: &str,
    s: &Summary,
    target: u32,
) -> HomePanel {
    let verdict = if s.overall.meets { "meets" } else { "is below" };
    let summary = format!(
        "{}% of staff hold valid training ({} of {}), which {verdict} the target of {target}%.",
        s.overall.percent, s.overall.trained, s.overall.total
    );
    let mut items = Vec::new();
    if s.overdue > 0 {
        items.push(HomeItem::new(
            format!(
                "{} without valid training",
                home::count(s.overdue, "member of staff", "members of staff")
            ),
            format!("{dashboard}#overdue"),
            Some(Tag::new("Overdue", Tone::Urgent)),
        ));
    }
    if s.expiring_soon > 0 {
        items.push(HomeItem::new(
            format!(
                "{} whose training expires in the next {EXPIRING_SOON_DAYS} days",
                home::count(s.expiring_soon, "member of staff", "members of staff")
            ),
            format!("{dashboard}#expiring"),
            Some(Tag::new("Expires soon", Tone::Warning)),
        ));
    }
    HomePanel {
        title,
        summary: Some(summary),
        items,
        see_all: Link::new(format!("See training coverage at {org_name}"), dashboard),
        order: order::ORGANISATION,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    const TODAY: Date = date!(2027 - 03 - 10);

    fn course(standing: Standing, due_on: Option<Date>) -> Due {
        Due {
            title: "Data Security Awareness".into(),
            slug: "data-security-awareness".into(),
            standing,
            expires: Some(datetime!(2027-03-20 09:00 UTC)),
            due_on,
        }
    }

    fn tags(panel: &HomePanel) -> Vec<&str> {
        panel
            .items
            .iter()
            .filter_map(|i| i.tag.as_ref().map(|t| t.text.as_str()))
            .collect()
    }

    #[test]
    fn valid_training_needs_nothing_and_the_panel_says_so_by_being_empty() {
        let panel = training_panel(vec![course(Standing::Valid, None)], TODAY);
        assert!(panel.items.is_empty());
        assert_eq!(panel.summary, None);
    }

    #[test]
    fn the_most_pressing_course_comes_first() {
        let panel = training_panel(
            vec![
                course(Standing::ExpiringSoon, None),
                course(Standing::NotStarted, Some(date!(2027 - 04 - 01))),
                course(Standing::NotStarted, Some(date!(2027 - 03 - 01))),
                course(Standing::InProgress, None),
            ],
            TODAY,
        );
        assert_eq!(
            tags(&panel),
            ["Overdue", "Due", "In progress", "Expires soon"]
        );
        assert_eq!(
            panel.summary.as_deref(),
            Some("4 courses to complete or refresh.")
        );
        assert_eq!(
            panel.items[0].text,
            "Data Security Awareness: due 1 March 2027"
        );
        assert_eq!(panel.items[0].href, "/training/data-security-awareness");
        assert_eq!(
            panel.items[3].text,
            "Data Security Awareness: refresh by 20 March 2027"
        );
    }

    #[test]
    fn expired_training_is_urgent() {
        let panel = training_panel(vec![course(Standing::Expired, None)], TODAY);
        let tag = panel.items[0]
            .tag
            .as_ref()
            .map(|t| (t.text.as_str(), t.tone));
        assert_eq!(tag, Some(("Expired", Tone::Urgent)));
    }

    #[test]
    fn the_coverage_panel_gives_the_figure_against_the_target() {
        use crate::knowledge::store::reports::GroupCount;
        let counts = [GroupCount {
            staff_group: crate::staff::groups::StaffGroup::Clinical,
            department: None,
            total: 10,
            trained: 7,
            expiring_soon: 2,
            overdue_with_account: 3,
        }];
        let s = dashboard::summarise(&counts, 95);
        let panel = coverage_panel(
            "Training coverage".into(),
            "Riverside",
            "/organisations/x/training",
            &s,
            95,
        );
        assert_eq!(
            panel.summary.as_deref(),
            Some("70% of staff hold valid training (7 of 10), which is below the target of 95%.")
        );
        assert_eq!(tags(&panel), ["Overdue", "Expires soon"]);
        assert_eq!(
            panel.items[0].text,
            "3 members of staff without valid training"
        );
        assert_eq!(panel.items[0].href, "/organisations/x/training#overdue");
        assert_eq!(panel.see_all.text, "See training coverage at Riverside");
    }
}
