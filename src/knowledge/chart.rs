//! Server-side SVG charts of training coverage, month by month.
//!
//! The chart is drawn on the server as an inline `<svg>` so it works without JavaScript and
//! under our content security policy, which forbids scripts from elsewhere and inline
//! `style` attributes: everything here uses SVG presentation attributes (`fill=`,
//! `stroke=`, `font-size=`) instead. The returned string is inserted into pages unescaped,
//! so every piece of text that goes into it passes through [`escape`].
//!
//! For people who cannot see it, the `<svg>` is an image (`role="img"`) labelled by its
//! `<title>` and a `<desc>` that states the trend and every month's figure, so nothing is
//! only available visually. Text is NHS text colour (#212B32) on white, well over the 4.5:1
//! contrast needed; bars are NHS blue (#005EB8) and the target a dashed NHS red (#DA291C)
//! line, both over the 3:1 needed for graphics.

use std::fmt::Write;

/// One month's coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// The month, as shown under its bar, e.g. "Dec 2025".
    pub label: String,
    /// Whole percent of staff trained; values over 100 are drawn as 100.
    pub percent: u32,
}

/// The drawing's coordinate system. The `<svg>` scales to its container's width (the
/// viewBox keeps the proportions), so these are not pixels.
const WIDTH: f32 = 720.0;
const HEIGHT: f32 = 340.0;
/// The plot area: left of it are the percentage labels, right of it the target label,
/// above it room for a "100%" label over a full bar, below it the month labels.
const PLOT_LEFT: f32 = 56.0;
const PLOT_RIGHT: f32 = 616.0;
const PLOT_TOP: f32 = 28.0;
const PLOT_BOTTOM: f32 = 292.0;
/// Baseline of the month labels.
const X_LABEL_Y: f32 = 318.0;

const AXIS_FONT_SIZE: f32 = 14.0;
const VALUE_FONT_SIZE: f32 = 12.0;
/// A rough average character width as a share of the font size, for deciding whether
/// labels would overlap. Erring wide only thins labels out sooner.
const CHAR_WIDTH: f32 = 0.6;

const TEXT_COLOUR: &str = "#212B32";
const AXIS_COLOUR: &str = "#4C6272";
const GRID_COLOUR: &str = "#D8DDE0";
const BAR_COLOUR: &str = "#005EB8";
const TARGET_COLOUR: &str = "#DA291C";

/// An accessible bar chart of coverage per month against a target, as an inline `<svg>`.
///
/// `title` names the chart for assistive technology and also seeds the element ids, so
/// two charts on one page need different titles. With no points the chart says
/// "No data yet".
pub fn coverage_svg(title: &str, points: &[Point], target: u32) -> String {
    let target = target.min(100);
    let id = slug(title);
    let mut out = String::with_capacity(4096 + points.len() * 400);

    // Writing to a String cannot fail, so the fmt::Results below are safely ignored.
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc">"#,
        w = num(WIDTH),
        h = num(HEIGHT),
    );
    let _ = write!(
        out,
        r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&describe(points, target)),
    );

    // Horizontal gridlines with their percentages; the 0% line doubles as the x axis, so
    // it is darker.
    let _ = write!(
        out,
        r#"<g font-size="{}" fill="{TEXT_COLOUR}" text-anchor="end">"#,
        num(AXIS_FONT_SIZE)
    );
    for percent in [0, 25, 50, 75, 100] {
        let y = y_for(percent);
        let colour = if percent == 0 {
            AXIS_COLOUR
        } else {
            GRID_COLOUR
        };
        let _ = write!(
            out,
            r#"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{colour}" stroke-width="1"/><text x="{tx}" y="{y}" dy="0.35em">{percent}%</text>"#,
            l = num(PLOT_LEFT),
            r = num(PLOT_RIGHT),
            y = num(y),
            tx = num(PLOT_LEFT - 8.0),
        );
    }
    out.push_str("</g>");

    if points.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{x}" y="{y}" dy="0.35em" font-size="16" fill="{TEXT_COLOUR}" text-anchor="middle">No data yet</text>"#,
            x = num((PLOT_LEFT + PLOT_RIGHT) / 2.0),
            // Between the 25% and 50% gridlines, so no line runs through the words.
            y = num((y_for(25) + y_for(50)) / 2.0),
        );
    } else {
        bars(&mut out, points);
    }

    // The target goes over the bars so it stays visible where they reach it; its label sits
    // to the right of the plot where no bar or value label can collide with it.
    let ty = num(y_for(target));
    let _ = write!(
        out,
        r#"<line x1="{l}" y1="{ty}" x2="{r}" y2="{ty}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="8 6"/><text x="{tx}" y="{ty}" dy="0.35em" font-size="{fs}" fill="{TEXT_COLOUR}">Target {target}%</text>"#,
        l = num(PLOT_LEFT),
        r = num(PLOT_RIGHT),
        tx = num(PLOT_RIGHT + 8.0),
        fs = num(AXIS_FONT_SIZE),
    );

    out.push_str("</svg>");
    out
}

/// The bars, their value labels and the month labels.
fn bars(out: &mut String, points: &[Point]) {
    let slot = (PLOT_RIGHT - PLOT_LEFT) / points.len() as f32;
    let bar_width = slot * 0.6;

    // Label every month if the longest label fits its slot, else every second or third…,
    // counting back from the latest month so the most recent one is always labelled.
    let longest = points
        .iter()
        .map(|p| p.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_width = longest as f32 * AXIS_FONT_SIZE * CHAR_WIDTH + 8.0;
    let step = ((label_width / slot).ceil() as usize).max(1);
    // "100%" above each bar only if it fits the slot; otherwise the <desc> and the
    // per-bar tooltips still carry the figures.
    let show_values = slot >= 4.0 * VALUE_FONT_SIZE * CHAR_WIDTH + 6.0;

    let _ = write!(out, r#"<g fill="{BAR_COLOUR}">"#);
    for (i, point) in points.iter().enumerate() {
        let x = PLOT_LEFT + slot * i as f32 + (slot - bar_width) / 2.0;
        let top = y_for(point.percent);
        // A 0% bar has no height but is still drawn, so there is one bar per month.
        let _ = write!(
            out,
            r#"<rect class="app-chart__bar" x="{x}" y="{y}" width="{w}" height="{h}"><title>{label}: {p}%</title></rect>"#,
            x = num(x),
            y = num(top),
            w = num(bar_width),
            h = num(PLOT_BOTTOM - top),
            label = escape(&point.label),
            p = point.percent,
        );
    }
    out.push_str("</g>");

    let _ = write!(out, r#"<g fill="{TEXT_COLOUR}" text-anchor="middle">"#);
    for (i, point) in points.iter().enumerate() {
        let centre = num(PLOT_LEFT + slot * (i as f32 + 0.5));
        if show_values {
            // A white outline keeps the figure readable where the target line crosses it.
            let _ = write!(
                out,
                r##"<text x="{centre}" y="{y}" font-size="{fs}" stroke="#FFFFFF" stroke-width="4" stroke-linejoin="round" paint-order="stroke">{p}%</text>"##,
                y = num(y_for(point.percent) - 6.0),
                fs = num(VALUE_FONT_SIZE),
                p = point.percent,
            );
        }
        if (points.len() - 1 - i).is_multiple_of(step) {
            let _ = write!(
                out,
                r#"<text x="{centre}" y="{y}" font-size="{fs}">{label}</text>"#,
                y = num(X_LABEL_Y),
                fs = num(AXIS_FONT_SIZE),
                label = escape(&point.label),
            );
        }
    }
    out.push_str("</g>");
}

/// The chart in words: the trend from the first month to the last, the target, then every
/// month's figure, since a screen reader gets only this.
fn describe(points: &[Point], target: u32) -> String {
    let (first, last) = match (points.first(), points.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return format!("No data yet; target {target}%."),
    };
    if points.len() == 1 {
        return format!(
            "Coverage was {}% in {}; target {target}%.",
            first.percent, first.label
        );
    }
    let trend = if last.percent > first.percent {
        format!(
            "Coverage rose from {}% in {} to {}% in {}",
            first.percent, first.label, last.percent, last.label
        )
    } else if last.percent < first.percent {
        format!(
            "Coverage fell from {}% in {} to {}% in {}",
            first.percent, first.label, last.percent, last.label
        )
    } else {
        format!(
            "Coverage was {}% in both {} and {}",
            first.percent, first.label, last.label
        )
    };
    let months: Vec<String> = points
        .iter()
        .map(|p| format!("{} {}%", p.label, p.percent))
        .collect();
    format!(
        "{trend}; target {target}%. Month by month: {}.",
        months.join(", ")
    )
}

/// The y coordinate of a percentage (clamped to 100).
fn y_for(percent: u32) -> f32 {
    let share = percent.min(100) as f32 / 100.0;
    PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP)
}

/// A coordinate, to one decimal place and without a needless ".0", to keep the markup short.
fn num(value: f32) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// An id prefix from the title: "Coverage by month" → "chart-coverage-by-month". Ids must
/// be unique on the page, and ASCII letters, digits and hyphens are safe in any attribute.
fn slug(title: &str) -> String {
    let mut slug = String::from("chart");
    let mut pending_hyphen = true;
    for ch in title.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_hyphen {
                slug.push('-');
                pending_hyphen = false;
            }
            slug.push(ch.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
        // Long titles make unwieldy ids; the start of the title is distinctive enough.
        if slug.len() >= 60 {
            break;
        }
    }
    slug
}

/// Escapes text for SVG markup embedded in HTML: the five characters with meaning in markup
/// (quotes too, so the result is safe inside attributes), and drops control characters that
/// XML does not allow at all.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONTHS: [&str; 12] = [
        "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026",
        "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026",
    ];

    fn year(percents: [u32; 12]) -> Vec<Point> {
        MONTHS
            .iter()
            .zip(percents)
            .map(|(label, percent)| Point {
                label: label.to_string(),
                percent,
            })
            .collect()
    }

    fn sample() -> Vec<Point> {
        year([71, 73, 74, 78, 80, 82, 85, 86, 88, 90, 91, 93])
    }

    fn bar_count(svg: &str) -> usize {
        svg.matches(r#"class="app-chart__bar""#).count()
    }

    #[test]
    fn is_an_accessible_image() {
        let svg = coverage_svg("Coverage by month", &sample(), 95);
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(
            r#"aria-labelledby="chart-coverage-by-month-title chart-coverage-by-month-desc""#
        ));
        assert!(
            svg.contains(r#"<title id="chart-coverage-by-month-title">Coverage by month</title>"#)
        );
        assert!(svg.contains(r#"<desc id="chart-coverage-by-month-desc">"#));
        assert!(svg.contains(r#"viewBox="0 0 720 340""#));
        assert!(svg.contains(r#"width="100%""#));
    }

    #[test]
    fn describes_the_trend_and_every_month() {
        let svg = coverage_svg("Coverage", &sample(), 95);
        assert!(svg.contains(
            "Coverage rose from 71% in Dec 2025 to 93% in Nov 2026; target 95%. Month by month: Dec 2025 71%, Jan 2026 73%,"
        ));
        assert!(svg.contains("Nov 2026 93%.</desc>"));

        let falling = describe(&year([90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60]), 95);
        assert!(falling.starts_with("Coverage fell from 90% in Dec 2025 to 60% in Nov 2026;"));
        let flat = describe(&year([80; 12]), 95);
        assert!(flat.starts_with("Coverage was 80% in both Dec 2025 and Nov 2026;"));
        let single = describe(&sample()[..1], 95);
        assert_eq!(single, "Coverage was 71% in Dec 2025; target 95%.");
    }

    #[test]
    fn has_one_bar_per_point() {
        let points = sample();
        assert_eq!(bar_count(&coverage_svg("Coverage", &points, 95)), 12);
        assert_eq!(bar_count(&coverage_svg("Coverage", &points[..5], 95)), 5);
        assert_eq!(bar_count(&coverage_svg("Coverage", &points[..1], 95)), 1);
    }

    #[test]
    fn empty_points_say_no_data_yet() {
        let svg = coverage_svg("Coverage", &[], 95);
        assert!(svg.contains(">No data yet</text>"));
        assert!(svg.contains("<desc id=\"chart-coverage-desc\">No data yet; target 95%.</desc>"));
        assert_eq!(bar_count(&svg), 0);
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn draws_zero_and_full_bars() {
        let svg = coverage_svg(
            "Coverage",
            &year([0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100]),
            95,
        );
        // 0% has no height and sits on the axis; 100% reaches the top of the plot.
        assert!(svg.contains(r#"y="292" width="28" height="0""#));
        assert!(svg.contains(r#"y="28" width="28" height="264""#));
        assert!(svg.contains(">100%</text>"));
        assert_eq!(bar_count(&svg), 12);
    }

    #[test]
    fn clamps_values_over_100() {
        let points = [Point {
            label: "Nov 2026".into(),
            percent: 250,
        }];
        let svg = coverage_svg("Coverage", &points, 400);
        assert!(svg.contains(r#"y="28" width="336" height="264""#));
        assert!(svg.contains("Target 100%"));
    }

    #[test]
    fn draws_a_labelled_dashed_target_line() {
        let svg = coverage_svg("Coverage", &sample(), 95);
        assert!(svg.contains(r##"stroke="#DA291C" stroke-width="2" stroke-dasharray="8 6""##));
        assert!(svg.contains(">Target 95%</text>"));
    }

    #[test]
    fn has_gridlines_at_quarters() {
        let svg = coverage_svg("Coverage", &sample(), 95);
        for label in ["0%", "25%", "50%", "75%", "100%"] {
            assert!(
                svg.contains(&format!(r#"dy="0.35em">{label}</text>"#)),
                "{label}"
            );
        }
    }

    #[test]
    fn thins_month_labels_when_crowded_keeping_the_latest() {
        let svg = coverage_svg("Coverage", &sample(), 95);
        assert!(svg.contains(">Nov 2026</text>"));
        assert!(svg.contains(">Sep 2026</text>"));
        assert!(!svg.contains(">Oct 2026</text>"));

        // With few months there is room for every label.
        let svg = coverage_svg("Coverage", &sample()[..4], 95);
        for month in &MONTHS[..4] {
            assert!(svg.contains(&format!(">{month}</text>")), "{month}");
        }
    }

    #[test]
    fn escapes_text() {
        let points = [Point {
            label: r#"<b>"Q1" & 'Q2'</b>"#.into(),
            percent: 50,
        }];
        let svg = coverage_svg(r#"A & B <script>alert("x")</script> 'c'"#, &points, 95);
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(
            svg.contains("A &amp; B &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;c&#39;")
        );
        assert!(svg.contains("&lt;b&gt;&quot;Q1&quot; &amp; &#39;Q2&#39;&lt;/b&gt;"));
        assert_eq!(escape("a\u{0}b\u{1B}c"), "abc");
    }

    #[test]
    fn uses_no_inline_styles_or_scripts() {
        let svg = coverage_svg("Coverage", &sample(), 95);
        assert!(!svg.contains("style="));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("href"));
    }

    #[test]
    fn ids_come_from_the_title() {
        assert_eq!(slug("Coverage by month"), "chart-coverage-by-month");
        assert_eq!(slug("  Staff: A&E (2026)! "), "chart-staff-a-e-2026");
        assert_eq!(slug(""), "chart");
        assert_eq!(slug("Über — ünits"), "chart-ber-nits");
        assert!(slug(&"x".repeat(500)).len() <= 60);
        let a = coverage_svg("Coverage: whole trust", &sample(), 95);
        let b = coverage_svg("Coverage: nursing", &sample(), 95);
        assert!(a.contains(r#"id="chart-coverage-whole-trust-title""#));
        assert!(b.contains(r#"id="chart-coverage-nursing-title""#));
    }

    #[test]
    fn formats_numbers_compactly() {
        assert_eq!(num(28.0), "28");
        assert_eq!(num(28.04), "28");
        assert_eq!(num(46.666), "46.7");
    }
}
