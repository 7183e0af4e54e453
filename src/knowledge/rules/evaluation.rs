//! The DSPT / CAF B6 evidence pack's numbers, as plain functions: delivery (who in each
//! staff group holds valid training for each course their group needs) and evaluation (how
//! well learners did in assessments over the last 12 months against the 12 months before,
//! and which questions they got wrong most often). Also the pack as a CSV file.
//!
//! Evaluation covers attempts taken while the learner was in the organisation
//! (`attempts.organisation_id`), so a newcomer's results elsewhere do not count here.

use std::collections::{BTreeMap, HashMap, HashSet};

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    knowledge::rules::{
        coverage::percent,
        needs::{CourseNeed, Needs},
    },
    platform::ids::UserId,
    staff::groups::StaffGroup,
};

/// How many of the most-missed questions the pack lists.
pub const MOST_MISSED: usize = 10;

// ---- Delivery -------------------------------------------------------------------------

/// One staff group and one course it needs: how many of the group hold valid training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub group: StaffGroup,
    pub course_slug: String,
    pub course_title: String,
    pub staff: u64,
    pub trained: u64,
}

impl DeliveryRow {
    pub fn percent(&self) -> u32 {
        percent(self.trained, self.staff)
    }
}

/// For each (group, needed course), in the page's order of groups and courses: the active
/// `members` of the group and how many of them appear in `trained` (user, course slug).
pub fn delivery(
    courses: &[CourseNeed],
    needs: &Needs,
    members: &[(StaffGroup, UserId)],
    trained: &HashSet<(UserId, String)>,
) -> Vec<DeliveryRow> {
    let mut rows = Vec::new();
    for group in StaffGroup::ALL {
        let people: HashSet<UserId> = members
            .iter()
            .filter(|(g, _)| *g == group)
            .map(|(_, u)| *u)
            .collect();
        for c in courses
            .iter()
            .filter(|c| needs.contains(&(group, c.slug.clone())))
        {
            let done = people
                .iter()
                .filter(|u| trained.contains(&(**u, c.slug.clone())))
                .count();
            rows.push(DeliveryRow {
                group,
                course_slug: c.slug.clone(),
                course_title: c.title.clone(),
                staff: people.len() as u64,
                trained: done as u64,
            });
        }
    }
    rows
}

// ---- Evaluation -----------------------------------------------------------------------

/// A span of time, from `start` (included) to `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl Window {
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// The same instant `years` earlier (28 February for 29 February in a year without one).
pub fn years_before(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let d = t.date();
    let year = d.year() - years;
    let day = d.day().min(time::util::days_in_month(d.month(), year));
    Date::from_calendar_date(year, d.month(), day)
        .map(|date| t.replace_date(date))
        .unwrap_or(t)
}

/// The last 12 months up to and including `now`, and the 12 months before that.
pub fn windows(now: OffsetDateTime) -> (Window, Window) {
    let year_ago = years_before(now, 1);
    let current = Window {
        start: year_ago,
        // Including `now` itself: an attempt submitted this instant counts.
        end: now + time::Duration::microseconds(1),
    };
    let previous = Window {
        start: years_before(now, 2),
        end: year_ago,
    };
    (current, previous)
}

/// A submitted assessment attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptFact {
    pub user: UserId,
    /// 1 for a learner's first attempt at that course run.
    pub number: i64,
    pub passed: bool,
    pub score_percent: i64,
    pub submitted_at: OffsetDateTime,
}

/// Assessment results in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodStats {
    pub window: Window,
    pub attempts: u64,
    pub passed: u64,
    pub learners: u64,
    pub first_attempts: u64,
    pub first_score_total: u64,
}

impl PeriodStats {
    /// Whole percent of submitted attempts that passed; `None` with no attempts.
    pub fn pass_rate(&self) -> Option<u32> {
        (self.attempts > 0).then(|| percent(self.passed, self.attempts))
    }

    /// Average score of first attempts, to the nearest whole percent; `None` without any.
    pub fn average_first_score(&self) -> Option<u32> {
        (self.first_attempts > 0).then(|| {
            ((self.first_score_total * 2 + self.first_attempts) / (self.first_attempts * 2)) as u32
        })
    }

    pub fn learners(&self) -> Option<u32> {
        Some(self.learners as u32)
    }
}

/// Summarises the attempts submitted within `window`.
pub fn period_stats(attempts: &[AttemptFact], window: Window) -> PeriodStats {
    let inside: Vec<&AttemptFact> = attempts
        .iter()
        .filter(|a| window.contains(a.submitted_at))
        .collect();
    let firsts: Vec<&&AttemptFact> = inside.iter().filter(|a| a.number == 1).collect();
    PeriodStats {
        window,
        attempts: inside.len() as u64,
        passed: inside.iter().filter(|a| a.passed).count() as u64,
        learners: inside.iter().map(|a| a.user).collect::<HashSet<_>>().len() as u64,
        first_attempts: firsts.len() as u64,
        first_score_total: firsts
            .iter()
            .map(|a| a.score_percent.clamp(0, 100) as u64)
            .sum(),
    }
}

/// The change from `before` to `now`, when both are known.
pub fn change(now: Option<u32>, before: Option<u32>) -> Option<i64> {
    Some(i64::from(now?) - i64::from(before?))
}

/// A change for people: "+5", "−3" (a real minus sign), "No change", or "Not known" when
/// either period has no data. `unit` follows the number, e.g. " percentage points".
pub fn describe_change(change: Option<i64>, unit: &str) -> String {
    match change {
        None => "Not known".into(),
        Some(0) => "No change".into(),
        Some(n) if n > 0 => format!("+{n}{unit}"),
        Some(n) => format!("\u{2212}{}{unit}", n.unsigned_abs()),
    }
}

/// Answers to one question of one course version, within a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissCount {
    pub course_slug: String,
    pub version_id: Uuid,
    pub question_id: String,
    pub asked: i64,
    pub missed: i64,
}

/// A question learners got wrong, across the versions of its course that asked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedQuestion {
    pub course_slug: String,
    pub question_id: String,
    /// The newest version that asked it, whose wording is shown.
    pub version_id: Uuid,
    pub missed: u64,
    pub asked: u64,
    pub previous_missed: u64,
    pub previous_asked: u64,
}

impl MissedQuestion {
    /// Whole percent of the times it was asked that it was missed (last 12 months).
    pub fn missed_percent(&self) -> u32 {
        percent(self.missed, self.asked)
    }
}

/// The `n` questions missed most often in `current`, with their counts from `previous`
/// for comparison. A question keeps its id across versions of a course, so counts are
/// added up by course and question id. Ties go to the question asked more often, then by
/// course and id so the order is stable.
pub fn most_missed(current: &[MissCount], previous: &[MissCount], n: usize) -> Vec<MissedQuestion> {
    let mut by_question: BTreeMap<(String, String), MissedQuestion> = BTreeMap::new();
    for m in current {
        let e = by_question
            .entry((m.course_slug.clone(), m.question_id.clone()))
            .or_insert_with(|| MissedQuestion {
                course_slug: m.course_slug.clone(),
                question_id: m.question_id.clone(),
                version_id: m.version_id,
                missed: 0,
                asked: 0,
                previous_missed: 0,
                previous_asked: 0,
            });
        e.missed += m.missed.max(0) as u64;
        e.asked += m.asked.max(0) as u64;
        // UUIDv7 ids sort by creation, so the largest is the newest version.
        e.version_id = e.version_id.max(m.version_id);
    }
    let mut earlier: HashMap<(&str, &str), (u64, u64)> = HashMap::new();
    for m in previous {
        let e = earlier
            .entry((m.course_slug.as_str(), m.question_id.as_str()))
            .or_default();
        e.0 += m.missed.max(0) as u64;
        e.1 += m.asked.max(0) as u64;
    }
    let mut list: Vec<MissedQuestion> = by_question
        .into_values()
        .filter(|q| q.missed > 0)
        .map(|mut q| {
            if let Some((missed, asked)) =
                earlier.get(&(q.course_slug.as_str(), q.question_id.as_str()))
            {
                q.previous_missed = *missed;
                q.previous_asked = *asked;
            }
            q
        })
        .collect();
    list.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then(b.asked.cmp(&a.asked))
            .then_with(|| a.course_slug.cmp(&b.course_slug))
            .then_with(|| a.question_id.cmp(&b.question_id))
    });
    list.truncate(n);
    list
}

// ---- The pack as CSV ------------------------------------------------------------------

/// A most-missed question with its wording, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedLine {
    pub course_title: String,
    pub lesson_title: String,
    pub prompt: String,
    pub question: MissedQuestion,
}

/// The training needs analysis as the pack shows it: each group and the titles of the
/// courses it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnaLine {
    pub group: StaffGroup,
    pub courses: Vec<String>,
}

/// Everything in the evidence pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub organisation: String,
    pub generated_at: OffsetDateTime,
    pub tna: Vec<TnaLine>,
    /// When the TNA was last reviewed and by whom; `None` while it is the default.
    pub reviewed: Option<(OffsetDateTime, String)>,
    pub notes: String,
    pub delivery: Vec<DeliveryRow>,
    pub current: PeriodStats,
    pub previous: PeriodStats,
    pub missed: Vec<MissedLine>,
}

const CSV_HEADER: [&str; 9] = [
    "part",
    "staff_group",
    "course",
    "lesson",
    "question",
    "measure",
    "value",
    "previous_12_months",
    "change",
];

/// A cell that a spreadsheet would read as a formula is prefixed with an apostrophe, so
/// opening the file cannot run anything (OWASP CSV injection advice).
pub fn csv_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

fn opt(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The pack as one CSV table in long form (one measure per row), which spreadsheets can
/// filter and pivot. For evaluation rows `value` is the last 12 months.
pub fn to_csv(pack: &Pack) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let mut row = |part: &str,
                   group: &str,
                   course: &str,
                   lesson: &str,
                   question: &str,
                   measure: &str,
                   value: String,
                   previous: String,
                   change: String|
     -> Result<(), csv::Error> {
        w.write_record([
            part,
            group,
            &csv_text(course),
            &csv_text(lesson),
            &csv_text(question),
            measure,
            &value,
            &previous,
            &change,
        ])
    };
    let none = String::new;
    row(
        "pack",
        "",
        "",
        "",
        "",
        "organisation",
        csv_text(&pack.organisation),
        none(),
        none(),
    )?;
    row(
        "pack",
        "",
        "",
        "",
        "",
        "generated_at",
        iso(pack.generated_at),
        none(),
        none(),
    )?;
    for line in &pack.tna {
        for course in &line.courses {
            row(
                "needs_analysis",
                line.group.label(),
                course,
                "",
                "",
                "needed",
                "yes".into(),
                none(),
                none(),
            )?;
        }
    }
    match &pack.reviewed {
        Some((at, by)) => {
            row(
                "needs_analysis",
                "",
                "",
                "",
                "",
                "last_reviewed_at",
                iso(*at),
                none(),
                none(),
            )?;
            row(
                "needs_analysis",
                "",
                "",
                "",
                "",
                "last_reviewed_by",
                csv_text(by),
                none(),
                none(),
            )?;
        }
        None => row(
            "needs_analysis",
            "",
            "",
            "",
            "",
            "last_reviewed_at",
            "not reviewed: default from course audiences".into(),
            none(),
            none(),
        )?,
    }
    row(
        "needs_analysis",
        "",
        "",
        "",
        "",
        "notes",
        csv_text(&pack.notes),
        none(),
        none(),
    )?;
    for d in &pack.delivery {
        let g = d.group.label();
        row(
            "delivery",
            g,
            &d.course_title,
            "",
            "",
            "staff",
            d.staff.to_string(),
            none(),
            none(),
        )?;
        row(
            "delivery",
            g,
            &d.course_title,
            "",
            "",
            "trained",
            d.trained.to_string(),
            none(),
            none(),
        )?;
        row(
            "delivery",
            g,
            &d.course_title,
            "",
            "",
            "percent_trained",
            d.percent().to_string(),
            none(),
            none(),
        )?;
    }
    let (c, p) = (&pack.current, &pack.previous);
    row(
        "evaluation",
        "",
        "",
        "",
        "",
        "period_start",
        iso(c.window.start),
        iso(p.window.start),
        none(),
    )?;
    row(
        "evaluation",
        "",
        "",
        "",
        "",
        "period_end",
        iso(c.window.end),
        iso(p.window.end),
        none(),
    )?;
    let measures = [
        (
            "attempts_submitted",
            Some(c.attempts as u32),
            Some(p.attempts as u32),
        ),
        ("pass_rate_percent", c.pass_rate(), p.pass_rate()),
        (
            "average_first_attempt_score_percent",
            c.average_first_score(),
            p.average_first_score(),
        ),
        ("learners", c.learners(), p.learners()),
    ];
    for (measure, now, before) in measures {
        let delta = change(now, before)
            .map(|d| d.to_string())
            .unwrap_or_default();
        row(
            "evaluation",
            "",
            "",
            "",
            "",
            measure,
            opt(now),
            opt(before),
            delta,
        )?;
    }
    for m in &pack.missed {
        let q = &m.question;
        for (measure, now, before) in [
            ("times_missed", q.missed, q.previous_missed),
            ("times_asked", q.asked, q.previous_asked),
        ] {
            row(
                "most_missed",
                "",
                &m.course_title,
                &m.lesson_title,
                &m.prompt,
                measure,
                now.to_string(),
                before.to_string(),
                (now as i64 - before as i64).to_string(),
            )?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use time::{Duration, macros::datetime};

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-15 12:00 UTC);

    fn course(slug: &str) -> CourseNeed {
        CourseNeed {
            slug: slug.into(),
            title: format!("Course {slug}"),
            mandatory: slug == "dsa",
            audience: vec![],
        }
    }

    #[test]
    fn delivery_counts_each_needed_course_per_group() {
        let (a, b, c) = (UserId::fresh(), UserId::fresh(), UserId::fresh());
        let courses = [course("dsa"), course("phish")];
        let needs: Needs = [
            (StaffGroup::Clinical, "dsa".to_string()),
            (StaffGroup::Clinical, "phish".to_string()),
            (StaffGroup::Volunteer, "dsa".to_string()),
        ]
        .into();
        let members = [
            (StaffGroup::Clinical, a),
            (StaffGroup::Clinical, b),
            (StaffGroup::Admin, c),
        ];
        let trained: HashSet<(UserId, String)> = [
            (a, "dsa".to_string()),
            (b, "dsa".to_string()),
            (a, "phish".to_string()),
            (c, "dsa".to_string()),
        ]
        .into();
        let rows = delivery(&courses, &needs, &members, &trained);
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.group,
                    r.course_slug.as_str(),
                    r.trained,
                    r.staff,
                    r.percent(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (StaffGroup::Clinical, "dsa", 2, 2, 100),
                (StaffGroup::Clinical, "phish", 1, 2, 50),
                (StaffGroup::Volunteer, "dsa", 0, 0, 0),
            ]
        );
    }

    #[test]
    fn windows_are_the_last_year_and_the_year_before() {
        let (cur, prev) = windows(NOW);
        assert_eq!(cur.start, datetime!(2025-03-15 12:00 UTC));
        assert!(cur.contains(NOW));
        assert_eq!(prev.end, cur.start);
        assert_eq!(prev.start, datetime!(2024-03-15 12:00 UTC));
        assert!(!prev.contains(cur.start));
        assert_eq!(
            years_before(datetime!(2028-02-29 09:00 UTC), 1),
            datetime!(2027-02-28 09:00 UTC)
        );
    }

    fn attempt(user: UserId, number: i64, passed: bool, score: i64, days_ago: i64) -> AttemptFact {
        AttemptFact {
            user,
            number,
            passed,
            score_percent: score,
            submitted_at: NOW - Duration::days(days_ago),
        }
    }

    #[test]
    fn period_stats_count_pass_rate_first_scores_and_learners() {
        let (a, b) = (UserId::fresh(), UserId::fresh());
        let attempts = [
            attempt(a, 1, false, 60, 10),
            attempt(a, 2, true, 90, 9),
            attempt(b, 1, true, 85, 100),
            // The year before.
            attempt(b, 1, false, 40, 400),
            // Too old for either window.
            attempt(a, 1, true, 100, 800),
        ];
        let (cur, prev) = windows(NOW);
        let s = period_stats(&attempts, cur);
        assert_eq!((s.attempts, s.passed, s.learners), (3, 2, 2));
        assert_eq!(s.pass_rate(), Some(66));
        // (60 + 85) / 2 = 72.5, rounded to 73.
        assert_eq!(s.average_first_score(), Some(73));
        let p = period_stats(&attempts, prev);
        assert_eq!(
            (p.attempts, p.pass_rate(), p.average_first_score()),
            (1, Some(0), Some(40))
        );
        let empty = period_stats(&[], cur);
        assert_eq!(
            (empty.pass_rate(), empty.average_first_score()),
            (None, None)
        );
        assert_eq!(empty.learners(), Some(0));
    }

    #[test]
    fn changes_are_described_plainly() {
        assert_eq!(change(Some(80), Some(75)), Some(5));
        assert_eq!(change(Some(70), None), None);
        assert_eq!(
            describe_change(Some(5), " percentage points"),
            "+5 percentage points"
        );
        assert_eq!(describe_change(Some(-3), ""), "\u{2212}3");
        assert_eq!(describe_change(Some(0), ""), "No change");
        assert_eq!(describe_change(None, ""), "Not known");
    }

    fn miss(slug: &str, version: Uuid, q: &str, asked: i64, missed: i64) -> MissCount {
        MissCount {
            course_slug: slug.into(),
            version_id: version,
            question_id: q.into(),
            asked,
            missed,
        }
    }

    #[test]
    fn most_missed_adds_up_versions_and_ranks() {
        let v1 = Uuid::now_v7();
        let v2 = Uuid::now_v7();
        let current = [
            miss("dsa", v1, "q1", 5, 2),
            miss("dsa", v2, "q1", 4, 2),
            miss("dsa", v2, "q2", 10, 4),
            miss("dsa", v2, "q3", 3, 0),
            miss("phish", v2, "q1", 8, 1),
            miss("phish", v2, "q9", 2, 1),
        ];
        let previous = [miss("dsa", v1, "q1", 6, 5), miss("x", v1, "q5", 9, 9)];
        let top = most_missed(&current, &previous, 3);
        let got: Vec<_> = top
            .iter()
            .map(|q| {
                (
                    q.course_slug.as_str(),
                    q.question_id.as_str(),
                    q.missed,
                    q.asked,
                )
            })
            .collect();
        // q3 was never missed; a tie on 4 goes to the one asked more often.
        assert_eq!(
            got,
            [
                ("dsa", "q2", 4, 10),
                ("dsa", "q1", 4, 9),
                ("phish", "q1", 1, 8)
            ]
        );
        assert_eq!(top[1].version_id, v2);
        assert_eq!((top[1].previous_missed, top[1].previous_asked), (5, 6));
        assert_eq!(top[0].previous_missed, 0);
        assert_eq!(top[0].missed_percent(), 40);
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("-1"), "'-1");
        assert_eq!(csv_text("@cmd"), "'@cmd");
        assert_eq!(csv_text("Plain"), "Plain");
        assert_eq!(csv_text(""), "");
    }

    #[test]
    fn the_pack_as_csv_has_every_part() {
        let (cur, prev) = windows(NOW);
        let q = MissedQuestion {
            course_slug: "dsa".into(),
            question_id: "q1".into(),
            version_id: Uuid::nil(),
            missed: 3,
            asked: 4,
            previous_missed: 5,
            previous_asked: 5,
        };
        let pack = Pack {
            organisation: "Trust, \"North\"".into(),
            generated_at: NOW,
            tna: vec![TnaLine {
                group: StaffGroup::Clinical,
                courses: vec!["Data security awareness".into()],
            }],
            reviewed: Some((NOW, "Ann Lead".into())),
            notes: "=SUM(A1)".into(),
            delivery: vec![DeliveryRow {
                group: StaffGroup::Clinical,
                course_slug: "dsa".into(),
                course_title: "Data security awareness".into(),
                staff: 4,
                trained: 3,
            }],
            current: PeriodStats {
                window: cur,
                attempts: 4,
                passed: 3,
                learners: 3,
                first_attempts: 3,
                first_score_total: 240,
            },
            previous: PeriodStats {
                window: prev,
                attempts: 2,
                passed: 1,
                learners: 2,
                first_attempts: 2,
                first_score_total: 120,
            },
            missed: vec![MissedLine {
                course_title: "Data security awareness".into(),
                lesson_title: "Threats".into(),
                prompt: "What should you do?".into(),
                question: q,
            }],
        };
        let csv = to_csv(&pack).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "part,staff_group,course,lesson,question,measure,value,previous_12_months,change"
        );
        assert_eq!(lines[1], "pack,,,,,organisation,\"Trust, \"\"North\"\"\",,");
        for expected in [
            "needs_analysis,Clinical,Data security awareness,,,needed,yes,,",
            "needs_analysis,,,,,last_reviewed_at,2026-03-15T12:00:00Z,,",
            "needs_analysis,,,,,last_reviewed_by,Ann Lead,,",
            "needs_analysis,,,,,notes,'=SUM(A1),,",
            "delivery,Clinical,Data security awareness,,,staff,4,,",
            "delivery,Clinical,Data security awareness,,,trained,3,,",
            "delivery,Clinical,Data security awareness,,,percent_trained,75,,",
            "evaluation,,,,,attempts_submitted,4,2,2",
            "evaluation,,,,,pass_rate_percent,75,50,25",
            "evaluation,,,,,average_first_attempt_score_percent,80,60,20",
            "evaluation,,,,,learners,3,2,1",
            "most_missed,,Data security awareness,Threats,What should you do?,times_missed,3,5,-2",
            "most_missed,,Data security awareness,Threats,What should you do?,times_asked,4,5,-1",
        ] {
            assert!(lines.contains(&expected), "missing {expected:?} in\n{csv}");
        }
        // Every row has the same number of cells.
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(reader.records().count(), lines.len() - 1);
    }
}
