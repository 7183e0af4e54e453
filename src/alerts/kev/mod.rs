//! The CISA Known Exploited Vulnerabilities (KEV) catalogue: what one of its entries says,
//! reading and checking a whole catalogue file (`catalogue`), and turning an entry into a
//! draft advisory for an analyst to review (`draft`). The catalogue comes from outside, so
//! the whole file is checked before anything is used: either every entry is sound and the
//! catalogue is accepted, or nothing is, with a list of problems a person can act on.

mod catalogue;
mod draft;

use time::Date;

pub use catalogue::parse;
pub use draft::to_draft;

/// The published catalogue is about 1.5 MB; this leaves room for years of growth while
/// refusing anything absurd before it is parsed.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// The published catalogue has about 1,400 entries.
pub const MAX_ENTRIES: usize = 5000;

/// One vulnerability from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// `CVE-YYYY-NNNN…`
    pub cve_id: String,
    pub vendor: String,
    pub product: String,
    /// CISA's name for the vulnerability.
    pub name: String,
    /// The day CISA added it to the catalogue.
    pub date_added: Date,
    pub description: String,
    /// What CISA tells organisations to do.
    pub required_action: String,
    /// The deadline for US federal agencies.
    pub due_date: Option<Date>,
    /// Known to have been used in ransomware campaigns.
    pub ransomware: bool,
    /// The web links found in the entry's notes.
    pub notes: Vec<String>,
    /// Weakness types, e.g. `CWE-79`.
    pub cwes: Vec<String>,
}

/// A whole catalogue that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevCatalogue {
    /// CISA's version label for this release of the catalogue.
    pub version: String,
    /// When CISA released it, as CISA wrote it.
    pub released: String,
    pub entries: Vec<KevEntry>,
}

/// Why a catalogue file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KevError {
    #[error(
        "This file is {size} bytes, which is too large for the CISA KEV catalogue \
         (at most {MAX_BYTES} bytes)"
    )]
    TooLarge { size: usize },
    #[error("This is not a JSON file: {0}")]
    NotJson(String),
    #[error("This JSON file is not the CISA KEV catalogue: {0}")]
    NotKev(String),
    #[error("The catalogue lists no vulnerabilities, so there is nothing to import")]
    Empty,
    #[error(
        "The catalogue has {count} entries, which is more than the {MAX_ENTRIES} CareCERT accepts"
    )]
    TooManyEntries { count: usize },
    /// Every problem found, up to 20, then a line saying how many more there were.
    #[error(
        "The catalogue was not imported because some entries have problems:\n{}",
        .problems.join("\n")
    )]
    InvalidEntries { problems: Vec<String> },
}

/// Cuts to at most `max` characters, marking the cut with an ellipsis. Both a draft's
/// title and a value quoted back in a problem are cut this way.
fn limit_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}
