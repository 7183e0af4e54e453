//! The hash chain, as pure functions: how an entry is hashed, and how a run of stored
//! entries is checked.
//!
//! Each entry's hash covers the previous entry's hash and the entry's own contents:
//!
//! ```text
//! hash = hex(SHA-256(prev_hash || canonical(seq, id, occurred_at, actor_user_id,
//!                                          actor_label, organisation_id, event, detail, ip)))
//! ```
//!
//! The first entry's `prev_hash` is [`GENESIS`]. The canonical serialisation starts with a
//! version tag and writes every field in a fixed order, each as a presence byte followed
//! (when present) by its length as 8 big-endian bytes and its UTF-8 text, so no two
//! different entries can serialise to the same bytes (no ambiguity from separators inside
//! values, or between an absent value and an empty one). Values are written as text:
//! `seq` in decimal, UUIDs hyphenated lower-case, `occurred_at` as RFC 3339 in UTC with
//! exactly six fractional digits (what both databases keep), `detail` exactly as stored.
//!
//! # What the chain can and cannot show
//!
//! Checking the chain detects an entry whose contents were edited (its hash no longer
//! matches), entries deleted from the start or middle (a gap in `seq`, and the next entry
//! no longer links to its predecessor), and entries moved or renumbered (`seq` out of order
//! and broken links, since `seq` is part of the hash).
//!
//! It **cannot** detect truncation of the tail: deleting the newest entries leaves a
//! shorter chain that is still perfectly consistent. Nor can it detect someone with write
//! access rewriting the whole chain from some point onwards with freshly computed hashes.
//! Both need an anchor kept outside the database, such as the latest hash and entry count
//! recorded elsewhere (a log shipper, a signed daily report) and compared later.

use std::fmt;

use sha2::{Digest, Sha256};
use time::{
    OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem, macros::format_description,
};
use uuid::Uuid;

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Tags the serialisation so a future change of format cannot collide with this one.
const FORMAT_TAG: &str = "carecert-audit-v1";

/// RFC 3339 in UTC with microseconds, e.g. `2026-11-29T14:03:07.123456Z`.
const TIMESTAMP: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The hashed contents of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields<'a> {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: &'a str,
    pub organisation_id: Option<Uuid>,
    pub event: &'a str,
    /// The detail exactly as stored (JSON text).
    pub detail: &'a str,
    pub ip: Option<&'a str>,
}

/// One stored entry: its contents and the two hashes kept beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<'a> {
    pub fields: Fields<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// `occurred_at` as hashed: UTC, RFC 3339, microseconds (finer digits are dropped, as the
/// databases drop them).
pub fn timestamp_text(at: OffsetDateTime) -> String {
    let utc = at.to_offset(UtcOffset::UTC);
    let utc = utc
        .replace_nanosecond(utc.nanosecond() / 1_000 * 1_000)
        .unwrap_or(utc);
    // The format has no fallible parts for a valid UTC date-time in years 0000–9999.
    utc.format(TIMESTAMP).unwrap_or_else(|_| utc.to_string())
}

/// The canonical bytes of an entry's contents.
pub fn canonical(fields: &Fields<'_>) -> Vec<u8> {
    fn put(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&(s.len() as u64).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
    let mut out = Vec::with_capacity(256 + fields.detail.len());
    put(&mut out, Some(FORMAT_TAG));
    put(&mut out, Some(&fields.seq.to_string()));
    put(&mut out, Some(&fields.id.hyphenated().to_string()));
    put(&mut out, Some(&timestamp_text(fields.occurred_at)));
    put(
        &mut out,
        fields
            .actor_user_id
            .map(|u| u.hyphenated().to_string())
            .as_deref(),
    );
    put(&mut out, Some(fields.actor_label));
    put(
        &mut out,
        fields
            .organisation_id
            .map(|u| u.hyphenated().to_string())
            .as_deref(),
    );
    put(&mut out, Some(fields.event));
    put(&mut out, Some(fields.detail));
    put(&mut out, fields.ip);
    out
}

/// The hash of an entry whose predecessor's hash is `prev_hash`: lower-case hex SHA-256.
pub fn entry_hash(prev_hash: &str, fields: &Fields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical(fields));
    hex::encode(hasher.finalize())
}

/// Something wrong found in the chain. Each names the `seq` where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The entry's contents (or its stored hashes) do not give its stored hash.
    Edited { seq: i64 },
    /// Entries with these sequence numbers are missing (deleted).
    Missing { from: i64, to: i64 },
    /// The entry's `prev_hash` is not the hash of the entry before it.
    BrokenLink { seq: i64, previous: Option<i64> },
    /// The entry came after one with the same or a higher `seq`.
    OutOfOrder { seq: i64, after: i64 },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::Edited { seq } => write!(
                f,
                "seq {seq}: contents do not match the stored hash (entry edited)"
            ),
            Problem::Missing { from, to } if from == to => {
                write!(f, "seq {from}: entry missing (deleted)")
            }
            Problem::Missing { from, to } => {
                write!(
                    f,
                    "seq {from} to {to}: {} entries missing (deleted)",
                    to - from + 1
                )
            }
            Problem::BrokenLink {
                seq,
                previous: Some(previous),
            } => write!(
                f,
                "seq {seq}: previous hash does not match the hash of seq {previous} \
                 (an entry before it was removed, replaced or reordered)"
            ),
            Problem::BrokenLink {
                seq,
                previous: None,
            } => write!(
                f,
                "seq {seq}: first entry does not start from the genesis hash \
                 (earlier entries removed or replaced)"
            ),
            Problem::OutOfOrder { seq, after } => {
                write!(f, "seq {seq}: out of order (it follows seq {after})")
            }
        }
    }
}

/// Walks a chain entry by entry, in the order the entries are stored, so a large log can
/// be checked in batches without holding it all in memory.
///
/// An entry whose contents were edited is reported once, as [`Problem::Edited`]: the next
/// entry is linked against the *stored* hash, so an edit alone does not also break the
/// next link. If the editor recomputed the edited entry's hash, the entry itself looks
/// consistent but the next entry's link breaks, which is reported instead.
///
/// Truncation of the tail is not detectable here (see the module documentation).
#[derive(Debug, Clone)]
pub struct Checker {
    previous: Option<(i64, String)>,
    entries: u64,
    problems: Vec<Problem>,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    pub fn new() -> Self {
        Checker {
            previous: None,
            entries: 0,
            problems: Vec::new(),
        }
    }

    /// Checks the next entry.
    pub fn push(&mut self, entry: &Stored<'_>) {
        let seq = entry.fields.seq;
        self.entries += 1;

        let expected_seq = self
            .previous
            .as_ref()
            .map_or(1, |(s, _)| s.saturating_add(1));
        if seq > expected_seq {
            self.problems.push(Problem::Missing {
                from: expected_seq,
                to: seq - 1,
            });
        } else if seq < expected_seq
            && let Some((after, _)) = &self.previous
        {
            self.problems
                .push(Problem::OutOfOrder { seq, after: *after });
        }

        if entry_hash(entry.prev_hash, &entry.fields) != entry.hash {
            self.problems.push(Problem::Edited { seq });
        }

        let expected_prev = self.previous.as_ref().map_or(GENESIS, |(_, h)| h.as_str());
        if entry.prev_hash != expected_prev {
            self.problems.push(Problem::BrokenLink {
                seq,
                previous: self.previous.as_ref().map(|(s, _)| *s),
            });
        }

        self.previous = Some((seq, entry.hash.to_owned()));
    }

    /// How many entries have been checked so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// The number of entries checked and the problems found (empty if intact).
    pub fn finish(self) -> (u64, Vec<Problem>) {
        (self.entries, self.problems)
    }
}

/// Checks a whole chain given in stored (`seq`) order. Empty = intact as far as the chain
/// can tell; a truncated tail is not detected.
pub fn check<'a>(entries: impl IntoIterator<Item = Stored<'a>>) -> Vec<Problem> {
    let mut checker = Checker::new();
    for entry in entries {
        checker.push(&entry);
    }
    checker.finish().1
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    /// Owned entries, so tests can tamper with them.
    #[derive(Debug, Clone)]
    struct Row {
        seq: i64,
        id: Uuid,
        occurred_at: OffsetDateTime,
        actor_user_id: Option<Uuid>,
        actor_label: String,
        organisation_id: Option<Uuid>,
        event: String,
        detail: String,
        ip: Option<String>,
        prev_hash: String,
        hash: String,
    }

    impl Row {
        fn fields(&self) -> Fields<'_> {
            Fields {
                seq: self.seq,
                id: self.id,
                occurred_at: self.occurred_at,
                actor_user_id: self.actor_user_id,
                actor_label: &self.actor_label,
                organisation_id: self.organisation_id,
                event: &self.event,
                detail: &self.detail,
                ip: self.ip.as_deref(),
            }
        }

        fn stored(&self) -> Stored<'_> {
            Stored {
                fields: self.fields(),
                prev_hash: &self.prev_hash,
                hash: &self.hash,
            }
        }

        fn rehash(&mut self) {
            self.hash = entry_hash(&self.prev_hash, &self.fields());
        }
    }

    fn chain(n: i64) -> Vec<Row> {
        let org = Uuid::from_u128(7);
        let mut rows: Vec<Row> = Vec::new();
        for seq in 1..=n {
            let prev_hash = rows.last().map_or(GENESIS.to_owned(), |r| r.hash.clone());
            let mut row = Row {
                seq,
                id: Uuid::from_u128(1000 + seq as u128),
                occurred_at: datetime!(2026-11-29 14:03:07.123456 UTC)
                    + time::Duration::minutes(seq),
                actor_user_id: (seq % 2 == 0).then(|| Uuid::from_u128(42)),
                actor_label: if seq % 2 == 0 {
                    "ann@example.org".into()
                } else {
                    "anonymous".into()
                },
                organisation_id: (seq % 3 != 0).then_some(org),
                event: "sign_in.succeeded".into(),
                detail: format!(r#"{{"attempt":{seq}}}"#),
                ip: Some("192.0.2.1".into()),
                prev_hash,
                hash: String::new(),
            };
            row.rehash();
            rows.push(row);
        }
        rows
    }

    fn problems(rows: &[Row]) -> Vec<Problem> {
        check(rows.iter().map(Row::stored))
    }

    #[test]
    fn an_intact_chain_passes() {
        assert!(problems(&chain(10)).is_empty());
        assert!(problems(&[]).is_empty());
        let mut checker = Checker::new();
        for row in chain(3) {
            checker.push(&row.stored());
        }
        assert_eq!(checker.finish(), (3, vec![]));
    }

    #[test]
    fn hashes_are_hex_sha256_and_start_from_genesis() {
        let rows = chain(2);
        assert_eq!(GENESIS.len(), 64);
        assert!(GENESIS.bytes().all(|b| b == b'0'));
        assert_eq!(rows[0].prev_hash, GENESIS);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        assert_eq!(rows[0].hash.len(), 64);
        assert!(
            rows[0]
                .hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        // Stable across runs and platforms.
        assert_eq!(rows[0].hash, entry_hash(GENESIS, &rows[0].fields()));
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = chain(1).remove(0);
        let original = base.hash.clone();
        let variants: [fn(&mut Row); 10] = [
            |r| r.seq = 2,
            |r| r.id = Uuid::from_u128(1),
            |r| r.occurred_at += time::Duration::microseconds(1),
            |r| r.actor_user_id = Some(Uuid::from_u128(43)),
            |r| r.actor_label = "system".into(),
            |r| r.organisation_id = None,
            |r| r.event = "sign_in.failed".into(),
            |r| r.detail = "{}".into(),
            |r| r.ip = None,
            |r| r.prev_hash = "1".repeat(64),
        ];
        for change in variants {
            let mut row = base.clone();
            change(&mut row);
            assert_ne!(
                entry_hash(&row.prev_hash, &row.fields()),
                original,
                "{row:?}"
            );
        }
    }

    #[test]
    fn absent_and_empty_values_and_shifted_text_hash_differently() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.ip = None;
        b.ip = Some(String::new());
        assert_ne!(canonical(&a.fields()), canonical(&b.fields()));
        // Moving text from one field to the next must not give the same bytes.
        let (mut c, mut d) = (a.clone(), a.clone());
        c.actor_label = "ab".into();
        c.event = "c".into();
        d.actor_label = "a".into();
        d.event = "bc".into();
        assert_ne!(canonical(&c.fields()), canonical(&d.fields()));
    }

    #[test]
    fn the_timestamp_is_utc_rfc3339_to_the_microsecond() {
        let at = datetime!(2026-11-29 15:03:07.123456789 +01:00);
        assert_eq!(timestamp_text(at), "2026-11-29T14:03:07.123456Z");
        assert_eq!(
            timestamp_text(datetime!(2026-01-02 03:04:05 UTC)),
            "2026-01-02T03:04:05.000000Z"
        );
        // The same instant in another offset hashes the same.
        let mut row = chain(1).remove(0);
        let before = entry_hash(&row.prev_hash, &row.fields());
        row.occurred_at = row.occurred_at.to_offset(time::macros::offset!(+05:30));
        assert_eq!(entry_hash(&row.prev_hash, &row.fields()), before);
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let mut rows = chain(5);
        rows[2].detail = r#"{"attempt":99}"#.into();
        assert_eq!(problems(&rows), vec![Problem::Edited { seq: 3 }]);
    }

    #[test]
    fn an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[2].actor_label = "someone-else@example.org".into();
        rows[2].rehash();
        assert_eq!(
            problems(&rows),
            vec![Problem::BrokenLink {
                seq: 4,
                previous: Some(3)
            }]
        );
    }

    #[test]
    fn a_deleted_entry_is_detected() {
        let mut rows = chain(5);
        rows.remove(2);
        let found = problems(&rows);
        assert_eq!(
            found,
            vec![
                Problem::Missing { from: 3, to: 3 },
                Problem::BrokenLink {
                    seq: 4,
                    previous: Some(2)
                },
            ]
        );
        assert_eq!(found[0].to_string(), "seq 3: entry missing (deleted)");
        assert!(found[1].to_string().starts_with("seq 4: "));
    }

    #[test]
    fn deleting_the_first_entries_is_detected() {
        let mut rows = chain(5);
        rows.drain(..2);
        assert_eq!(
            problems(&rows),
            vec![
                Problem::Missing { from: 1, to: 2 },
                Problem::BrokenLink {
                    seq: 3,
                    previous: None
                },
            ]
        );
    }

    #[test]
    fn deleting_and_renumbering_is_detected() {
        let mut rows = chain(5);
        rows.remove(1);
        for (i, row) in rows.iter_mut().enumerate() {
            row.seq = i as i64 + 1;
        }
        let found = problems(&rows);
        assert!(found.contains(&Problem::Edited { seq: 2 }), "{found:?}");
        assert!(
            found.contains(&Problem::BrokenLink {
                seq: 2,
                previous: Some(1)
            }),
            "{found:?}"
        );
    }

    #[test]
    fn reordered_entries_are_detected() {
        let mut rows = chain(5);
        rows.swap(1, 3);
        let found = problems(&rows);
        assert!(
            found.contains(&Problem::OutOfOrder { seq: 3, after: 4 }),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| matches!(p, Problem::BrokenLink { seq: 4, .. }))
        );

        // Swapping contents but keeping the seq numbers in place breaks the hashes.
        let mut rows = chain(5);
        let (a, b) = (rows[1].clone(), rows[3].clone());
        rows[1] = Row { seq: 2, ..b };
        rows[3] = Row { seq: 4, ..a };
        let found = problems(&rows);
        assert!(found.contains(&Problem::Edited { seq: 2 }), "{found:?}");
        assert!(found.contains(&Problem::Edited { seq: 4 }), "{found:?}");
    }

    #[test]
    fn truncating_the_tail_is_not_detectable_by_the_chain_alone() {
        let mut rows = chain(5);
        rows.truncate(3);
        assert!(problems(&rows).is_empty());
    }
}
