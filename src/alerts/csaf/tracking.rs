//! The document's tracking section: its ID, version numbers and revision history, which
//! CSAF's mandatory tests hold to strict rules of numbering and dating.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{ENGINE, clean, rfc3339, withdrawal_reason};
use crate::alerts::model::PublishedAdvisory;

pub(super) struct History {
    /// Date and summary of each version, oldest first; version numbers are positions from 1.
    entries: Vec<(OffsetDateTime, String)>,
    pub(super) current: OffsetDateTime,
}

pub(super) fn history(adv: &PublishedAdvisory) -> History {
    // CSAF needs versions numbered 1, 2, 3… without gaps and rising with their dates
    // (mandatory tests 6.1.14, 6.1.16, 6.1.21 and 6.1.22). Storage keeps them so; numbering by
    // position in date order keeps the document valid even if it ever does not.
    let mut notes: Vec<_> = adv.revisions.iter().collect();
    notes.sort_by(|a, b| a.date.cmp(&b.date).then(a.number.cmp(&b.number)));
    let mut entries: Vec<(OffsetDateTime, String)> = notes
        .iter()
        .map(|r| (r.date, clean(&r.summary).unwrap_or("Revised.").to_owned()))
        .collect();
    if entries.is_empty() {
        entries.push((adv.initial_release, "Initial release.".to_owned()));
    }
    let latest = entries
        .iter()
        .map(|(date, _)| *date)
        .max()
        .unwrap_or(adv.initial_release);
    let current = adv.current_release.max(latest);
    if let Some(reason) = withdrawal_reason(adv) {
        // Withdrawing makes a new version of the document. If storage recorded the withdrawal
        // as a revision already, it is not repeated.
        let recorded = entries
            .last()
            .is_some_and(|(_, summary)| summary.to_lowercase().starts_with("withdrawn"));
        if !recorded {
            entries.push((current, format!("Withdrawn: {reason}")));
        }
    }
    History { entries, current }
}

pub(super) fn tracking(adv: &PublishedAdvisory, id: &str) -> Value {
    let history = history(adv);
    let current = rfc3339(history.current);
    let revisions: Vec<Value> = history
        .entries
        .iter()
        .enumerate()
        .map(|(i, (date, summary))| {
            json!({ "number": (i + 1).to_string(), "date": rfc3339(*date), "summary": summary })
        })
        .collect();
    json!({
        "id": id,
        "status": "final",
        "version": revisions.len().to_string(),
        "initial_release_date": rfc3339(adv.initial_release),
        "current_release_date": current,
        "revision_history": revisions,
        "generator": {
            "date": current,
            "engine": { "name": ENGINE, "version": env!("CARGO_PKG_VERSION") },
        },
    })
}
