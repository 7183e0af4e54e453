//! The printable certificate a learner earns by passing a course: one A4 landscape PDF page.
//!
//! Rendering is a pure function of [`CertificateData`], so it is unit-tested here and the
//! handler only has to load the data and send the bytes. The PDF uses the standard
//! Helvetica fonts every PDF reader has built in, so no font files are embedded and the
//! file stays a few kilobytes. Those fonts only cover the WinAnsi (Windows-1252)
//! character set, so text is encoded with [`win_ansi`]: Latin-1 letters such as "é" print
//! as themselves, common Central European letters fall back to their base letter ("Ł" →
//! "L") and anything else becomes "?". The verification code and address are what make the
//! certificate checkable, and those are always ASCII.
//!
//! Content streams are left uncompressed: the page is small, and plain text in the file
//! lets tests (and anyone curious) find the learner's name and code in the bytes.

use pdf_writer::types::{ActionType, AnnotationType};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use time::Date;

use crate::platform::web::format::long_date;

/// Everything printed on a certificate.
#[derive(Debug, Clone)]
pub struct CertificateData<'a> {
    pub learner: &'a str,
    pub course: &'a str,
    /// The course version the learner passed, e.g. "2026.1".
    pub version: &'a str,
    pub organisation: &'a str,
    pub passed_on: Date,
    pub expires_on: Date,
    pub score_percent: u32,
    /// The public verification code, e.g. "7KQ2-MX9P".
    pub code: &'a str,
    /// Where anyone can check the certificate, e.g. "https://carecert.example/verify".
    pub verify_url: &'a str,
}

/// A4 landscape, in PDF points (1/72 inch).
const PAGE_WIDTH: f32 = 842.0;
const PAGE_HEIGHT: f32 = 595.0;
/// Text is kept this far from the page edges: inside the border with some air.
const TEXT_MARGIN: f32 = 80.0;
/// Long names and titles shrink down to this size before they are shortened with "…".
const MIN_FONT_SIZE: f32 = 9.0;

/// NHS blue (#005EB8) for the border and header, NHS text colour (#212B32) for the rest,
/// and NHS secondary text colour (#4C6272) for the small print; all as RGB fractions.
type Rgb = (f32, f32, f32);
const NHS_BLUE: Rgb = (0.0, 94.0 / 255.0, 184.0 / 255.0);
const TEXT: Rgb = (33.0 / 255.0, 43.0 / 255.0, 50.0 / 255.0);
const SECONDARY: Rgb = (76.0 / 255.0, 98.0 / 255.0, 114.0 / 255.0);

/// Resource names for the two fonts in the page's content stream.
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// The certificate as a complete PDF file.
pub fn render_pdf(data: &CertificateData) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let page_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let content_id = Ref::new(6);
    let info_id = Ref::new(7);
    let link_id = Ref::new(8);

    let mut pdf = Pdf::new();
    // The language helps screen readers pick the right voice.
    pdf.catalog(catalog_id)
        .pages(page_tree_id)
        .lang(TextStr("en-GB"));
    pdf.pages(page_tree_id).kids([page_id]).count(1);

    let (content, link_rect) = page_content(data);
    // Only a well-formed web address becomes a clickable link; the text is printed anyway.
    let link = link_rect.filter(|_| is_linkable(data.verify_url));

    let mut page = pdf.page(page_id);
    page.parent(page_tree_id)
        .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
        .contents(content_id);
    if link.is_some() {
        page.annotations([link_id]);
    }
    {
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(REGULAR, regular_id)
            .pair(BOLD, bold_id);
    }
    page.finish();

    // Base-14 fonts: referenced by name only, never embedded. WinAnsiEncoding is what
    // `win_ansi` encodes to; without it readers would use StandardEncoding, which has no
    // accented letters at all.
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));

    pdf.stream(content_id, &content);

    if let Some(rect) = link {
        let mut annotation = pdf.annotation(link_id);
        annotation
            .subtype(AnnotationType::Link)
            .rect(rect)
            .contents(TextStr("Check this certificate online"))
            // No visible box around the link: the text itself is the link.
            .border(0.0, 0.0, 0.0, None);
        annotation
            .action()
            .action_type(ActionType::Uri)
            .uri(Str(data.verify_url.as_bytes()));
        annotation.finish();
    }

    // Document information: the title is what readers show in the window and tab.
    pdf.document_info(info_id)
        .title(TextStr(&format!("Certificate: {}", data.course)))
        .author(TextStr("CareCERT"))
        .creator(TextStr("CareCERT"));

    pdf.finish()
}

/// The page's content stream, and where the verification address was printed (so it can
/// be made a link).
fn page_content(data: &CertificateData) -> (Vec<u8>, Option<Rect>) {
    let mut c = Content::new();

    // Border: a thick NHS blue frame with a thin line inside it.
    c.save_state();
    c.set_stroke_rgb(NHS_BLUE.0, NHS_BLUE.1, NHS_BLUE.2);
    c.set_line_width(6.0);
    c.rect(24.0, 24.0, PAGE_WIDTH - 48.0, PAGE_HEIGHT - 48.0);
    c.stroke();
    c.set_line_width(1.0);
    c.rect(36.0, 36.0, PAGE_WIDTH - 72.0, PAGE_HEIGHT - 72.0);
    c.stroke();
    c.restore_state();

    let score = format!("with a score of {}%", data.score_percent);
    let version = format!("version {}", data.version);
    let passed = format!("Passed on {}", long_date(data.passed_on));
    let valid = format!("Valid until {}", long_date(data.expires_on));
    let code = format!("Verification code: {}", data.code);
    let check = format!("Check this certificate at {}", data.verify_url);

    // (text, bold, preferred size, baseline height, colour), top to bottom.
    let lines: [(&str, bool, f32, f32, Rgb); 13] = [
        ("CareCERT", true, 28.0, 505.0, NHS_BLUE),
        ("Certificate of completion", false, 22.0, 468.0, TEXT),
        ("This certifies that", false, 14.0, 422.0, TEXT),
        (data.learner, true, 32.0, 378.0, TEXT),
        ("has passed", false, 14.0, 343.0, TEXT),
        (data.course, true, 22.0, 310.0, TEXT),
        (&version, false, 12.0, 290.0, SECONDARY),
        (&score, false, 14.0, 260.0, TEXT),
        (data.organisation, false, 14.0, 232.0, TEXT),
        (&passed, false, 12.0, 185.0, TEXT),
        (&valid, false, 12.0, 167.0, TEXT),
        (&code, true, 12.0, 112.0, TEXT),
        (&check, false, 11.0, 94.0, SECONDARY),
    ];

    // The last line is the verification address.
    let link_line = lines.len() - 1;

    let max_width = PAGE_WIDTH - 2.0 * TEXT_MARGIN;
    let mut link_rect = None;
    for (index, (text, bold, size, y, colour)) in lines.into_iter().enumerate() {
        let fitted = fit(&win_ansi(text), bold, size, max_width);
        let x = (PAGE_WIDTH - fitted.width) / 2.0;
        c.begin_text();
        c.set_font(if bold { BOLD } else { REGULAR }, fitted.size);
        c.set_fill_rgb(colour.0, colour.1, colour.2);
        c.next_line(x, y);
        c.show(Str(&fitted.bytes));
        c.end_text();
        if index == link_line {
            // Cover the whole line, a little below the baseline and above the capitals.
            link_rect = Some(Rect::new(
                x,
                y - fitted.size * 0.25,
                x + fitted.width,
                y + fitted.size,
            ));
        }
    }

    (c.finish().into_vec(), link_rect)
}

/// Whether `url` can safely become a link annotation: an absolute web address in plain
/// ASCII (anything else could be a `javascript:` or file link in some readers).
fn is_linkable(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.bytes().all(|b| b.is_ascii_graphic())
}

/// A line of WinAnsi text made to fit a width: its bytes, font size and printed width.
#[derive(Debug)]
struct Fitted {
    bytes: Vec<u8>,
    size: f32,
    width: f32,
}

/// Fits `bytes` into `max_width` points: at `preferred` size if it fits, else shrunk
/// (never below [`MIN_FONT_SIZE`]), and if even that is too wide, cut short with "…".
/// Shrinking keeps the whole name, which matters on a certificate; cutting only happens to
/// absurd lengths that would be unreadable anyway.
fn fit(bytes: &[u8], bold: bool, preferred: f32, max_width: f32) -> Fitted {
    let units = text_units(bytes, bold);
    if units == 0 {
        return Fitted {
            bytes: bytes.to_vec(),
            size: preferred,
            width: 0.0,
        };
    }
    let at = |size: f32, units: u32| units as f32 * size / 1000.0;
    if at(preferred, units) <= max_width {
        return Fitted {
            bytes: bytes.to_vec(),
            size: preferred,
            width: at(preferred, units),
        };
    }
    let shrunk = (max_width * 1000.0 / units as f32).floor();
    if shrunk >= MIN_FONT_SIZE {
        return Fitted {
            bytes: bytes.to_vec(),
            size: shrunk,
            width: at(shrunk, units),
        };
    }
    // Keep as many characters as fit alongside the ellipsis (0x85 in WinAnsi).
    const ELLIPSIS: u8 = 0x85;
    let budget = max_width * 1000.0 / MIN_FONT_SIZE;
    let mut used = char_units(ELLIPSIS, bold);
    let mut kept = Vec::new();
    for &b in bytes {
        let w = char_units(b, bold);
        if (used + w) as f32 > budget {
            break;
        }
        used += w;
        kept.push(b);
    }
    // Don't leave a dangling space before the ellipsis.
    while kept.last() == Some(&b' ') {
        used -= char_units(b' ', bold);
        kept.pop();
    }
    kept.push(ELLIPSIS);
    Fitted {
        bytes: kept,
        size: MIN_FONT_SIZE,
        width: at(MIN_FONT_SIZE, used),
    }
}

/// Width of WinAnsi text in thousandths of the font size.
fn text_units(bytes: &[u8], bold: bool) -> u32 {
    bytes.iter().map(|&b| char_units(b, bold)).sum()
}

/// Width of one WinAnsi character in thousandths of the font size, from the Adobe font
/// metrics (AFM) of the standard Helvetica fonts. Only ASCII has its own entries; other
/// characters borrow the width of a similar-looking ASCII character, which is close enough
/// for centring.
fn char_units(byte: u8, bold: bool) -> u32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let ascii = match byte {
        32..=126 => byte,
        _ => width_stand_in(byte),
    };
    table
        .get(usize::from(ascii.saturating_sub(32)))
        .map_or(556, |&w| u32::from(w))
}

/// An ASCII character about as wide as a WinAnsi character outside ASCII.
fn width_stand_in(byte: u8) -> u8 {
    match byte {
        0xC0..=0xC5 => b'A',
        0xC6 | 0x8C => b'W', // Æ, Œ
        0xC7 => b'C',
        0xC8..=0xCB => b'E',
        0xCC..=0xCF => b'I',
        0xD0 => b'D',
        0xD1 => b'N',
        0xD2..=0xD6 | 0xD8 => b'O',
        0xD9..=0xDC => b'U',
        0xDD | 0x9F => b'Y',
        0xDE => b'P',
        0xDF => b'b', // ß
        0xE0..=0xE5 => b'a',
        0xE6 | 0x9C => b'm', // æ, œ
        0xE7 => b'c',
        0xE8..=0xEB => b'e',
        0xEC..=0xEF => b't', // accented i is wider than a plain one
        0xF0 | 0xF2..=0xF6 | 0xF8 => b'o',
        0xF1 => b'n',
        0xF9..=0xFC => b'u',
        0xFD | 0xFF => b'y',
        0xFE => b'p',
        0x8A => b'S',
        0x9A => b's',
        0x8E => b'Z',
        0x9E => b'z',
        0xD7 | 0xF7 => b'+',
        0x82 | 0x91 | 0x92 => b',',
        0x84 | 0x93 | 0x94 => b'"',
        0x85 | 0x89 | 0x97 | 0x99 => b'M',
        0x8B | 0x9B => b'(',
        0xA0 => b' ',
        _ => b'0',
    }
}

/// Helvetica advance widths for ASCII 32 (space) to 126 (~), in WinAnsi order (so 39 is
/// the straight quote and 96 the grave accent).
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556,                               // 0–9
    278, 278, 584, 584, 584, 556, 1015,                                             // :–@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,                // A–M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,                // N–Z
    278, 278, 278, 469, 556, 333,                                                   // [–`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,                // a–m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500,                // n–z
    334, 260, 334, 584,                                                             // {–~
];

/// Helvetica-Bold advance widths for ASCII 32 to 126, as [`HELVETICA`].
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556,                               // 0–9
    333, 333, 584, 584, 584, 611, 975,                                              // :–@
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,                // A–M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,                // N–Z
    333, 278, 333, 584, 556, 333,                                                   // [–`
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,                // a–m
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500,                // n–z
    389, 280, 389, 584,                                                             // {–~
];

/// Base letters for Latin Extended-A (U+0100 to U+017F), so Polish, Czech, Hungarian,
/// Turkish and similar names print readably ("Łukasz" → "Lukasz") instead of as "?".
const LATIN_EXTENDED_A: &[u8; 128] = b"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// Encodes text for a Type 1 font with WinAnsiEncoding (Windows code page 1252).
///
/// ASCII and Latin-1 map to themselves; the typographic characters code page 1252 adds
/// (curly quotes, dashes, "€", "…") map to their slots; accented letters outside it fall
/// back to the base letter; combining accents and invisible characters are dropped; line
/// breaks and odd spaces become spaces; anything else becomes "?".
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for ch in text.chars() {
        let byte = match ch {
            '\u{20}'..='\u{7E}' => ch as u8,
            // Soft hyphens are invisible unless a line breaks there; ours never do.
            '\u{AD}' => continue,
            '\u{A0}'..='\u{FF}' => ch as u8,
            '\t' | '\n' | '\r' => b' ',
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            '\u{100}'..='\u{17F}' => {
                let index = ch as usize - 0x100;
                LATIN_EXTENDED_A.get(index).copied().unwrap_or(b'?')
            }
            // Romanian comma-below letters.
            'Ș' => b'S',
            'ș' => b's',
            'Ț' => b'T',
            'ț' => b't',
            '\u{2010}'..='\u{2012}' | '\u{2015}' | '\u{2212}' => b'-',
            '\u{2032}' => b'\'',
            '\u{2033}' => b'"',
            '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => b' ',
            // Combining accents (from decomposed text) and zero-width characters: the base
            // letter is already there, so dropping them loses nothing printable.
            '\u{300}'..='\u{36F}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {
                continue;
            }
            _ => b'?',
        };
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sample<'a>(learner: &'a str, course: &'a str) -> CertificateData<'a> {
        CertificateData {
            learner,
            course,
            version: "2026.1",
            organisation: "Riverside NHS Foundation Trust",
            passed_on: date!(2026 - 11 - 29),
            expires_on: date!(2027 - 11 - 29),
            score_percent: 90,
            code: "7KQ2-MX9P",
            verify_url: "https://carecert.example/verify",
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn is_pdf(bytes: &[u8]) -> bool {
        let trimmed = bytes.trim_ascii_end();
        bytes.starts_with(b"%PDF-") && trimmed.ends_with(b"%%EOF")
    }

    #[test]
    fn renders_a_complete_pdf() {
        let pdf = render_pdf(&sample("Priya Patel", "Data security awareness"));
        assert!(is_pdf(&pdf));
    }

    #[test]
    fn contains_learner_code_and_wording() {
        let pdf = render_pdf(&sample("Priya Patel", "Data security awareness"));
        for text in [
            "(CareCERT)",
            "(Certificate of completion)",
            "(This certifies that)",
            "(Priya Patel)",
            "(has passed)",
            "(Data security awareness)",
            "(version 2026.1)",
            "(with a score of 90%)",
            "(Riverside NHS Foundation Trust)",
            "(Passed on 29 November 2026)",
            "(Valid until 29 November 2027)",
            "(Verification code: 7KQ2-MX9P)",
            "(Check this certificate at https://carecert.example/verify)",
        ] {
            assert!(contains(&pdf, text.as_bytes()), "missing {text}");
        }
    }

    #[test]
    fn uses_base_fonts_without_embedding() {
        let pdf = render_pdf(&sample("Priya Patel", "Data security awareness"));
        assert!(contains(&pdf, b"/BaseFont /Helvetica"));
        assert!(contains(&pdf, b"/BaseFont /Helvetica-Bold"));
        assert!(contains(&pdf, b"/WinAnsiEncoding"));
        assert!(!contains(&pdf, b"/FontFile"));
        assert!(!contains(&pdf, b"/FlateDecode"));
    }

    #[test]
    fn sets_document_title_and_author() {
        let pdf = render_pdf(&sample("Priya Patel", "Data security awareness"));
        assert!(contains(
            &pdf,
            b"/Title (Certificate: Data security awareness)"
        ));
        assert!(contains(&pdf, b"/Author (CareCERT)"));
    }

    #[test]
    fn links_the_verification_address() {
        let pdf = render_pdf(&sample("Priya Patel", "Data security awareness"));
        assert!(contains(&pdf, b"/URI (https://carecert.example/verify)"));
    }

    #[test]
    fn does_not_link_other_schemes() {
        let mut data = sample("Priya Patel", "Data security awareness");
        data.verify_url = "javascript:alert(1)";
        let pdf = render_pdf(&data);
        assert!(is_pdf(&pdf));
        assert!(!contains(&pdf, b"/URI"));
    }

    #[test]
    fn very_long_name_still_renders_within_the_page() {
        let name = "Wolfeschlegelsteinhausenbergerdorff ".repeat(200);
        let pdf = render_pdf(&sample(&name, &"Very long course title ".repeat(50)));
        assert!(is_pdf(&pdf));

        let max = PAGE_WIDTH - 2.0 * TEXT_MARGIN;
        let fitted = fit(&win_ansi(&name), true, 32.0, max);
        assert_eq!(fitted.size, MIN_FONT_SIZE);
        assert!(fitted.width <= max);
        assert_eq!(fitted.bytes.last(), Some(&0x85));
    }

    #[test]
    fn moderately_long_name_shrinks_but_is_kept_whole() {
        let name = "Anna-Maria Christina Wolfeschlegelsteinhausenbergerdorff-Montgomery";
        let max = PAGE_WIDTH - 2.0 * TEXT_MARGIN;
        let fitted = fit(&win_ansi(name), true, 32.0, max);
        assert!(fitted.size < 32.0 && fitted.size >= MIN_FONT_SIZE);
        assert!(fitted.width <= max);
        assert_eq!(fitted.bytes, name.as_bytes());
    }

    #[test]
    fn short_text_keeps_its_size_and_is_centred() {
        let fitted = fit(b"CareCERT", true, 28.0, 600.0);
        assert_eq!(fitted.size, 28.0);
        // C722 a556 r389 e556 C722 E667 R722 T611 = 4945 thousandths.
        assert!((fitted.width - 4.945 * 28.0).abs() < 0.01);
    }

    #[test]
    fn non_latin_text_does_not_panic() {
        for name in [
            "李小龙",
            "Ольга Петрова",
            "محمد",
            "🙂 Emoji",
            "",
            "e\u{301}",
            "\u{0}",
        ] {
            let pdf = render_pdf(&sample(name, name));
            assert!(is_pdf(&pdf), "{name}");
        }
    }

    #[test]
    fn latin1_letters_are_kept_and_written_as_hex() {
        let pdf = render_pdf(&sample("Zoë Béal", "Data security awareness"));
        // Non-ASCII strings are written as hex: "Zoë Béal" in code page 1252.
        assert!(contains(&pdf, b"<5A6FEB2042E9616C>"));
    }

    #[test]
    fn encodes_for_win_ansi() {
        assert_eq!(win_ansi("Zoë"), b"Zo\xEB");
        assert_eq!(win_ansi("O\u{2019}Brien"), b"O\x92Brien");
        assert_eq!(
            win_ansi("\u{201C}Hi\u{201D} \u{2013} 5\u{20AC}"),
            b"\x93Hi\x94 \x96 5\x80"
        );
        assert_eq!(win_ansi("Łukasz Wróbel"), b"Lukasz Wr\xF3bel");
        assert_eq!(win_ansi("Đorđević"), b"Dordevic");
        assert_eq!(win_ansi("Ștefan Țurcanu"), b"Stefan Turcanu");
        assert_eq!(win_ansi("e\u{301}"), b"e");
        assert_eq!(win_ansi("李 Li"), b"? Li");
        assert_eq!(win_ansi("a\nb\u{AD}c"), b"a bc");
    }

    #[test]
    fn latin_extended_a_table_lines_up() {
        // Spot checks at both ends and in the middle of the table.
        assert_eq!(win_ansi("Āā"), b"Aa");
        assert_eq!(win_ansi("Čč"), b"Cc");
        assert_eq!(win_ansi("Ğğ"), b"Gg");
        assert_eq!(win_ansi("İı"), b"Ii");
        assert_eq!(win_ansi("Ńń"), b"Nn");
        assert_eq!(win_ansi("Őő"), b"Oo");
        assert_eq!(win_ansi("Řř"), b"Rr");
        assert_eq!(win_ansi("Şş"), b"Ss");
        assert_eq!(win_ansi("Űű"), b"Uu");
        assert_eq!(win_ansi("Żż"), b"Zz");
        assert_eq!(win_ansi("ſ"), b"s");
    }
}
