//! Renders lesson Markdown to HTML safely: raw HTML written in a lesson is shown as text,
//! links may only go to web or mail addresses, and headings start below the page heading.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => HeadingLevel::H2,
        HeadingLevel::H3 => HeadingLevel::H3,
        _ => HeadingLevel::H4,
    }
}

/// Lesson Markdown as HTML that is safe to insert into a page unescaped.
pub fn to_html(markdown: &str) -> String {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            // Images in lessons would need alt text review and hosting; show their alt text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text("".into()),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: demote(level),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
            other => other,
        });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// Whether the Markdown contains raw HTML (which [`to_html`] would show as text), so the
/// content check can tell the author.
pub fn contains_html(markdown: &str) -> bool {
    Parser::new(markdown).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Hello <script>alert(1)</script>\n\n<div onclick=x>hi</div>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_links_are_neutralised() {
        let html = to_html("[click](javascript:alert(1)) and [ok](https://www.ncsc.gov.uk/)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://www.ncsc.gov.uk/\""), "{html}");
    }

    #[test]
    fn headings_sit_below_the_page_heading() {
        let html = to_html("# Top\n\n## Next\n\n#### Deep");
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("<h2>Top</h2>"), "{html}");
        assert!(html.contains("<h4>Deep</h4>"), "{html}");
    }

    #[test]
    fn finds_raw_html_for_the_author() {
        assert!(contains_html("a <b>bold</b> claim"));
        assert!(!contains_html("a **bold** claim, 3 < 4"));
    }
}
