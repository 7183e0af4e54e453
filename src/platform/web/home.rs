//! The home page's panels: what a signed-in person should look at next, as each service
//! sees it. A service contributes panels through one function of the same shape,
//!
//! ```text
//! pub async fn panels(state: &AppState, p: &Principal) -> AppResult<Vec<HomePanel>>
//! ```
//!
//! which returns only what that person may see (an empty list when the service has
//! nothing for their roles). The platform knows no service: it only orders the panels and
//! the template draws them.

/// How pressing an item is. Each tone is drawn as an NHS.UK tag of the colour the other
/// pages use for the same meaning; the tag always carries words too, never colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Past a deadline: overdue, expired.
    Urgent,
    /// A deadline is near or a figure is short of its target.
    Warning,
    /// Worth knowing, nothing late.
    Info,
    /// Finished or on target.
    Done,
}

impl Tone {
    pub fn tag_class(self) -> &'static str {
        match self {
            Tone::Urgent => "nhsuk-tag--red",
            Tone::Warning => "nhsuk-tag--yellow",
            Tone::Info => "nhsuk-tag--blue",
            Tone::Done => "nhsuk-tag--green",
        }
    }
}

/// A status tag on an item: its words and its tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub text: String,
    pub tone: Tone,
}

impl Tag {
    pub fn new(text: impl Into<String>, tone: Tone) -> Self {
        Tag {
            text: text.into(),
            tone,
        }
    }
}

/// A link with its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub href: String,
}

impl Link {
    pub fn new(text: impl Into<String>, href: impl Into<String>) -> Self {
        Link {
            text: text.into(),
            href: href.into(),
        }
    }
}

/// One thing that needs attention: what it is, where to deal with it, and how pressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeItem {
    pub text: String,
    pub href: String,
    pub tag: Option<Tag>,
}

impl HomeItem {
    pub fn new(text: impl Into<String>, href: impl Into<String>, tag: Option<Tag>) -> Self {
        HomeItem {
            text: text.into(),
            href: href.into(),
            tag,
        }
    }
}

/// One panel on the home page. A panel with no items says "Nothing needs your attention",
/// so a service returns its panel even when all is well: seeing it empty is the news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomePanel {
    pub title: String,
    /// One short line under the title, such as a count or a percentage.
    pub summary: Option<String>,
    pub items: Vec<HomeItem>,
    /// Where the whole list, or the page behind the figure, is.
    pub see_all: Link,
    /// Where the panel goes on the page: lower first. Services pick from the bands in
    /// [`order`], so panels of the same kind stay together whoever adds them.
    pub order: u16,
}

/// Bands for [`HomePanel::order`]: deadlines that other people are waiting on first, then
/// the person's own learning, then figures about the organisations they look after.
pub mod order {
    pub const RESPONSES: u16 = 100;
    pub const NATIONAL: u16 = 200;
    pub const LEARNING: u16 = 300;
    pub const ORGANISATION: u16 = 400;
}

/// Puts panels in page order: by their ordering key, then by title, so the page reads the
/// same on every visit whatever order the services answered in.
pub fn arrange(mut panels: Vec<HomePanel>) -> Vec<HomePanel> {
    panels.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.title.cmp(&b.title)));
    panels
}

/// A panel's title for one of the organisations a person looks after: the organisation is
/// named only when they look after `several`, so each panel's heading stays unique.
pub fn for_organisation(title: &str, organisation: &str, several: usize) -> String {
    if several > 1 {
        format!("{title} at {organisation}")
    } else {
        title.to_owned()
    }
}

/// "1 organisation", "3 organisations": a count with its noun, singular or plural.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(title: &str, order: u16) -> HomePanel {
        HomePanel {
            title: title.into(),
            summary: None,
            items: vec![],
            see_all: Link::new("See all", "/"),
            order,
        }
    }

    #[test]
    fn panels_go_by_their_ordering_key_then_title() {
        let arranged = arrange(vec![
            panel("Training", order::LEARNING),
            panel("Staff", order::ORGANISATION),
            panel("Advisories", order::RESPONSES),
            panel("Coverage", order::ORGANISATION),
        ]);
        let titles: Vec<&str> = arranged.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Advisories", "Training", "Coverage", "Staff"]);
    }

    #[test]
    fn organisations_are_named_only_when_there_are_several() {
        assert_eq!(for_organisation("Staff", "Riverside", 1), "Staff");
        assert_eq!(
            for_organisation("Staff", "Riverside", 2),
            "Staff at Riverside"
        );
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count(1, "organisation", "organisations"), "1 organisation");
        assert_eq!(count(0, "organisation", "organisations"), "0 organisations");
        assert_eq!(count(7, "person", "people"), "7 people");
    }

    #[test]
    fn every_tone_has_its_own_tag_colour() {
        let classes = [Tone::Urgent, Tone::Warning, Tone::Info, Tone::Done].map(Tone::tag_class);
        for (i, c) in classes.iter().enumerate() {
            assert!(c.starts_with("nhsuk-tag--"));
            assert!(!classes[i + 1..].contains(c));
        }
    }
}
