//! The hash chain, as pure functions: how an entry is sealed, and how a run of stored
//! entries is checked against the heads recorded earlier.
//!
//! Each entry's hash covers the previous entry's hash and the entry's own contents, keyed
//! with the audit key (derived from the server's secret key, which is kept outside the
//! database):
//!
//! ```text
//! hash = hex(HMAC-SHA256(key, prev_hash || canonical(seq, id, occurred_at, actor_user_id,
//!                                                  actor_label, organisation_id, event,
//!                                                  detail, ip)))
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
//! # Entries from before the key
//!
//! Entries written before the chain was keyed carry a plain SHA-256 of the same input
//! ([`Algorithm::Sha256`]). They are accepted only as the start of the chain: the first
//! keyed entry links to the last of them, so rewriting any of them breaks a link the
//! rewriter cannot re-seal. A plain entry after a keyed one is what someone without the
//! key would write, and is reported ([`Problem::NotKeyed`]).
//!
//! # What the chain can and cannot show
//!
//! Checking the chain detects an entry whose contents were edited (its hash no longer
//! matches), entries deleted from the start or middle (a gap in `seq`, and the next entry
//! no longer links to its predecessor), entries moved or renumbered (`seq` out of order
//! and broken links, since `seq` is part of the hash), and a rewrite from any point with
//! recomputed hashes (without the key the new hashes do not match).
//!
//! Deleting the newest entries leaves a shorter chain that is still consistent, so the
//! head (entry count, newest `seq` and hash) is recorded on each verification and hourly,
//! each record sealed with the key ([`head_mac`]), and checked against the chain
//! ([`Problem::Truncated`], [`Problem::DiffersFromHead`]). Someone with database access
//! can delete those records too, and with them every entry after the oldest head left; the
//! heads are also written to the service's logs, which live elsewhere, for that case.

use std::{collections::BTreeMap, fmt};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::{
    OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem, macros::format_description,
};
use uuid::Uuid;

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Tags the serialisation so a future change of format cannot collide with this one.
const FORMAT_TAG: &str = "carecert-audit-v1";

/// Tags a recorded head's serialisation, so a head can never be passed off as an entry.
const HEAD_TAG: &str = "carecert-audit-head-v1";

/// How an entry's hash was made.
/// Stored by name; a name this version does not know is an error when the row is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT")]
pub enum Algorithm {
    /// Plain SHA-256: entries written before the chain was keyed. Anyone can recompute it.
    #[sqlx(rename = "sha256")]
    Sha256,
    /// HMAC-SHA256 under the audit key: only the server can make it.
    #[sqlx(rename = "hmac-sha256")]
    HmacSha256,
}

/// The key entries and heads are sealed with: 32 bytes derived from the server's secret key
/// for this purpose alone. Its `Debug` never shows it.
#[derive(Clone)]
pub struct ChainKey(Hmac<Sha256>);

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(..)")
    }
}

impl ChainKey {
    pub fn new(key: &[u8; 32]) -> Self {
        // HMAC takes a key of any length; 32 bytes cannot fail.
        ChainKey(Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length"))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

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

/// One stored entry: its contents, the two hashes kept beside them, and how its hash was
/// made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<'a> {
    pub fields: Fields<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub algorithm: Algorithm,
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

/// The plain hash of an entry whose predecessor's hash is `prev_hash`: lower-case hex
/// SHA-256. Only entries from before the chain was keyed are checked with it.
pub fn entry_hash(prev_hash: &str, fields: &Fields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical(fields));
    hex::encode(hasher.finalize())
}

/// The keyed hash of an entry whose predecessor's hash is `prev_hash`: lower-case hex
/// HMAC-SHA256 under `key`. What every new entry carries.
pub fn sealed_hash(key: &ChainKey, prev_hash: &str, fields: &Fields<'_>) -> String {
    key.mac(&[prev_hash.as_bytes(), &canonical(fields)])
}

/// The hash an entry should carry, by the algorithm it says it was made with.
pub fn expected_hash(
    key: &ChainKey,
    algorithm: Algorithm,
    prev_hash: &str,
    fields: &Fields<'_>,
) -> String {
    match algorithm {
        Algorithm::Sha256 => entry_hash(prev_hash, fields),
        Algorithm::HmacSha256 => sealed_hash(key, prev_hash, fields),
    }
}

/// The chain's head at some moment: how many entries it had, and its newest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub recorded_at: OffsetDateTime,
    pub entries: i64,
    /// The newest entry's `seq` (0 for an empty log).
    pub seq: i64,
    /// The newest entry's hash ([`GENESIS`] for an empty log).
    pub hash: String,
}

/// The seal of a recorded head, so a head written by someone without the key is noticed.
pub fn head_mac(key: &ChainKey, head: &Head) -> String {
    let mut bytes = Vec::new();
    for part in [
        HEAD_TAG,
        &timestamp_text(head.recorded_at),
        &head.entries.to_string(),
        &head.seq.to_string(),
        &head.hash,
    ] {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    key.mac(&[&bytes])
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
    /// A plain SHA-256 entry after keyed ones: written by someone without the key.
    NotKeyed { seq: i64 },
    /// The entry's hash is not the one recorded for it in a head.
    DiffersFromHead {
        seq: i64,
        recorded_at: OffsetDateTime,
    },
    /// The chain ends before a recorded head: its newest entries were deleted.
    Truncated {
        last: Option<i64>,
        head_seq: i64,
        head_entries: i64,
        recorded_at: OffsetDateTime,
    },
    /// A recorded head's seal does not match it: written or changed without the key.
    HeadAltered { recorded_at: OffsetDateTime },
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
            Problem::NotKeyed { seq } => write!(
                f,
                "seq {seq}: hashed without the server's key after keyed entries \
                 (rewritten by someone without the key)"
            ),
            Problem::DiffersFromHead { seq, recorded_at } => write!(
                f,
                "seq {seq}: hash differs from the head recorded at {} \
                 (entries rewritten or replaced since)",
                timestamp_text(recorded_at)
            ),
            Problem::Truncated {
                last,
                head_seq,
                head_entries,
                recorded_at,
            } => write!(
                f,
                "truncated: the head recorded at {} had {head_entries} entries up to seq \
                 {head_seq}, but the log now {} (the newest entries were deleted)",
                timestamp_text(recorded_at),
                match last {
                    Some(last) => format!("ends at seq {last}"),
                    None => "is empty".to_owned(),
                }
            ),
            Problem::HeadAltered { recorded_at } => write!(
                f,
                "the head recorded at {} does not match its seal \
                 (written or changed without the server's key)",
                timestamp_text(recorded_at)
            ),
        }
    }
}

/// What checking the chain found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// How many entries were checked.
    pub entries: u64,
    /// How many of them were made before the chain was keyed.
    pub unkeyed: u64,
    /// The newest entry checked, as (`seq`, hash).
    pub last: Option<(i64, String)>,
    pub problems: Vec<Problem>,
}

/// Walks a chain entry by entry, in the order the entries are stored, so a large log can
/// be checked in batches without holding it all in memory.
///
/// An entry whose contents were edited is reported once, as [`Problem::Edited`]: the next
/// entry is linked against the *stored* hash, so an edit alone does not also break the
/// next link. If the editor recomputed the edited entry's plain hash, the entry is
/// reported as edited (its keyed hash does not match) or as not keyed.
#[derive(Debug, Clone)]
pub struct Checker {
    key: ChainKey,
    previous: Option<(i64, String)>,
    entries: u64,
    unkeyed: u64,
    keyed_seen: bool,
    /// The recorded heads whose seals match, by the `seq` of their newest entry.
    heads: BTreeMap<i64, Vec<Head>>,
    problems: Vec<Problem>,
}

impl Checker {
    /// A checker for a chain sealed with `key`, compared against the recorded `heads`
    /// (each with its seal).
    pub fn new(key: ChainKey, heads: impl IntoIterator<Item = (Head, String)>) -> Self {
        let mut problems = Vec::new();
        let mut by_seq: BTreeMap<i64, Vec<Head>> = BTreeMap::new();
        for (head, mac) in heads {
            if head_mac(&key, &head) == mac {
                by_seq.entry(head.seq).or_default().push(head);
            } else {
                problems.push(Problem::HeadAltered {
                    recorded_at: head.recorded_at,
                });
            }
        }
        Checker {
            key,
            previous: None,
            entries: 0,
            unkeyed: 0,
            keyed_seen: false,
            heads: by_seq,
            problems,
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

        match entry.algorithm {
            Algorithm::HmacSha256 => self.keyed_seen = true,
            Algorithm::Sha256 if self.keyed_seen => self.problems.push(Problem::NotKeyed { seq }),
            Algorithm::Sha256 => self.unkeyed += 1,
        }
        if expected_hash(&self.key, entry.algorithm, entry.prev_hash, &entry.fields) != entry.hash {
            self.problems.push(Problem::Edited { seq });
        }

        let expected_prev = self.previous.as_ref().map_or(GENESIS, |(_, h)| h.as_str());
        if entry.prev_hash != expected_prev {
            self.problems.push(Problem::BrokenLink {
                seq,
                previous: self.previous.as_ref().map(|(s, _)| *s),
            });
        }

        if let Some(heads) = self.heads.get(&seq) {
            for head in heads.iter().filter(|h| h.hash != entry.hash) {
                self.problems.push(Problem::DiffersFromHead {
                    seq,
                    recorded_at: head.recorded_at,
                });
            }
        }

        self.previous = Some((seq, entry.hash.to_owned()));
    }

    /// How many entries have been checked so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// What was found. A recorded head beyond the newest entry means the newest entries
    /// were deleted; the furthest such head is reported.
    pub fn finish(mut self) -> Outcome {
        let last = self.previous.as_ref().map(|(s, _)| *s);
        let beyond = self
            .heads
            .range(last.map_or(1, |l| l.saturating_add(1))..)
            .next_back()
            .and_then(|(_, heads)| heads.iter().max_by_key(|h| h.entries));
        if let Some(head) = beyond {
            self.problems.push(Problem::Truncated {
                last,
                head_seq: head.seq,
                head_entries: head.entries,
                recorded_at: head.recorded_at,
            });
        }
        Outcome {
            entries: self.entries,
            unkeyed: self.unkeyed,
            last: self.previous,
            problems: self.problems,
        }
    }
}

/// Checks a whole chain given in stored (`seq`) order against recorded heads. Empty =
/// intact as far as the chain and the heads can tell.
pub fn check<'a>(
    key: &ChainKey,
    heads: impl IntoIterator<Item = (Head, String)>,
    entries: impl IntoIterator<Item = Stored<'a>>,
) -> Vec<Problem> {
    let mut checker = Checker::new(key.clone(), heads);
    for entry in entries {
        checker.push(&entry);
    }
    checker.finish().problems
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
        algorithm: Algorithm,
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
                algorithm: self.algorithm,
            }
        }

        /// Seals the row as the server does (with its key).
        fn rehash(&mut self) {
            self.hash = expected_hash(&key(), self.algorithm, &self.prev_hash, &self.fields());
        }

        /// Recomputes the plain SHA-256, as someone without the key can.
        fn rehash_plain(&mut self) {
            self.hash = entry_hash(&self.prev_hash, &self.fields());
        }
    }

    /// The server's key in these tests.
    fn key() -> ChainKey {
        ChainKey::new(&[7; 32])
    }

    /// Relinks `rows[from..]` to their predecessors, hashing each with `hash`, as someone
    /// rewriting the chain from `from` onwards would.
    fn relink(rows: &mut [Row], from: usize, hash: fn(&mut Row)) {
        for i in from..rows.len() {
            if i > 0 {
                rows[i].prev_hash = rows[i - 1].hash.clone();
            }
            hash(&mut rows[i]);
        }
    }

    /// A chain whose first `legacy` entries were made before the chain was keyed.
    fn chain_from_before_the_key(n: i64, legacy: i64) -> Vec<Row> {
        let mut rows = chain(n);
        for row in rows.iter_mut().take(legacy as usize) {
            row.algorithm = Algorithm::Sha256;
        }
        relink(&mut rows, 0, Row::rehash);
        rows
    }

    /// A head recorded when the chain ended at `rows`' last entry, with its seal.
    fn head_of(rows: &[Row]) -> (Head, String) {
        let last = rows.last().expect("a row");
        let head = Head {
            recorded_at: datetime!(2026-11-30 09:00 UTC),
            entries: rows.len() as i64,
            seq: last.seq,
            hash: last.hash.clone(),
        };
        let mac = head_mac(&key(), &head);
        (head, mac)
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
                algorithm: Algorithm::HmacSha256,
            };
            row.rehash();
            rows.push(row);
        }
        rows
    }

    fn problems(rows: &[Row]) -> Vec<Problem> {
        check(&key(), [], rows.iter().map(Row::stored))
    }

    fn problems_with_heads(rows: &[Row], heads: Vec<(Head, String)>) -> Vec<Problem> {
        check(&key(), heads, rows.iter().map(Row::stored))
    }

    #[test]
    fn an_intact_chain_passes() {
        assert!(problems(&chain(10)).is_empty());
        assert!(problems(&[]).is_empty());
        let rows = chain(3);
        let mut checker = Checker::new(key(), [head_of(&rows[..2])]);
        for row in &rows {
            checker.push(&row.stored());
        }
        let outcome = checker.finish();
        assert_eq!(outcome.entries, 3);
        assert_eq!(outcome.unkeyed, 0);
        assert_eq!(outcome.last, Some((3, rows[2].hash.clone())));
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    }

    #[test]
    fn hashes_are_hex_hmac_sha256_and_start_from_genesis() {
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
        // Stable across runs and platforms, keyed, and not the plain SHA-256.
        assert_eq!(
            rows[0].hash,
            sealed_hash(&key(), GENESIS, &rows[0].fields())
        );
        assert_ne!(rows[0].hash, entry_hash(GENESIS, &rows[0].fields()));
        assert_ne!(
            rows[0].hash,
            sealed_hash(&ChainKey::new(&[8; 32]), GENESIS, &rows[0].fields())
        );
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
                sealed_hash(&key(), &row.prev_hash, &row.fields()),
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
    fn rebuilding_the_chain_without_the_key_is_detected() {
        // Someone with database access edits seq 3 and recomputes the plain SHA-256 of it
        // and every later entry, so every link matches.
        let mut rows = chain(5);
        rows[2].detail = r#"{"attempt":99}"#.into();
        relink(&mut rows, 2, Row::rehash_plain);
        assert_eq!(
            problems(&rows),
            vec![
                Problem::Edited { seq: 3 },
                Problem::Edited { seq: 4 },
                Problem::Edited { seq: 5 },
            ]
        );
        // Marking the rewritten entries as made before the key does not help either.
        for row in &mut rows[2..] {
            row.algorithm = Algorithm::Sha256;
        }
        let found = problems(&rows);
        assert_eq!(
            found,
            vec![
                Problem::NotKeyed { seq: 3 },
                Problem::NotKeyed { seq: 4 },
                Problem::NotKeyed { seq: 5 },
            ]
        );
        assert!(found[0].to_string().contains("without the server's key"));
        // Nor does sealing with a guessed key.
        let mut rows = chain(5);
        rows[2].detail = r#"{"attempt":99}"#.into();
        relink(&mut rows, 2, |r| {
            r.hash = sealed_hash(&ChainKey::new(&[8; 32]), &r.prev_hash, &r.fields())
        });
        assert!(problems(&rows).contains(&Problem::Edited { seq: 3 }));
    }

    #[test]
    fn entries_from_before_the_key_still_verify_and_are_vouched_for() {
        let rows = chain_from_before_the_key(5, 3);
        let mut checker = Checker::new(key(), []);
        for row in &rows {
            checker.push(&row.stored());
        }
        let outcome = checker.finish();
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        assert_eq!(outcome.unkeyed, 3);

        // Rewriting them with plain hashes breaks the first keyed entry's link, which
        // cannot be re-sealed without the key.
        let mut rows = chain_from_before_the_key(5, 3);
        rows[1].actor_label = "someone-else@example.org".into();
        relink(&mut rows[..3], 1, Row::rehash_plain);
        assert_eq!(
            problems(&rows),
            vec![Problem::BrokenLink {
                seq: 4,
                previous: Some(3)
            }]
        );
    }

    #[test]
    fn rewriting_the_whole_chain_without_the_key_is_caught_by_a_recorded_head() {
        let mut rows = chain(5);
        let head = head_of(&rows);
        // Every entry rewritten as if from before the key: consistent on its own...
        rows[1].detail = "{}".into();
        for row in &mut rows {
            row.algorithm = Algorithm::Sha256;
        }
        relink(&mut rows, 0, Row::rehash_plain);
        assert!(problems(&rows).is_empty());
        // ...but not with the head recorded before.
        let found = problems_with_heads(&rows, vec![head]);
        assert_eq!(
            found,
            vec![Problem::DiffersFromHead {
                seq: 5,
                recorded_at: datetime!(2026-11-30 09:00 UTC)
            }]
        );
        assert!(
            found[0]
                .to_string()
                .starts_with("seq 5: hash differs from the head")
        );
    }

    #[test]
    fn truncating_the_tail_is_detected_against_the_recorded_head() {
        let mut rows = chain(5);
        let heads = vec![head_of(&rows[..2]), head_of(&rows)];
        rows.truncate(3);
        let found = problems_with_heads(&rows, heads.clone());
        assert_eq!(
            found,
            vec![Problem::Truncated {
                last: Some(3),
                head_seq: 5,
                head_entries: 5,
                recorded_at: datetime!(2026-11-30 09:00 UTC),
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "truncated: the head recorded at 2026-11-30T09:00:00.000000Z had 5 entries up to \
             seq 5, but the log now ends at seq 3 (the newest entries were deleted)"
        );
        // Deleting everything is truncation too.
        assert!(matches!(
            problems_with_heads(&[], heads)[..],
            [Problem::Truncated { last: None, .. }]
        ));
        // And entries written after the deletion do not hide it: they are not the ones
        // the head recorded.
        let mut rows = chain(5);
        let head = head_of(&rows);
        rows.truncate(3);
        let mut regrown = chain(5);
        regrown[3].detail = "{}".into();
        relink(&mut regrown, 3, Row::rehash);
        rows.extend(regrown.drain(3..));
        assert_eq!(
            problems_with_heads(&rows, vec![head]),
            vec![Problem::DiffersFromHead {
                seq: 5,
                recorded_at: datetime!(2026-11-30 09:00 UTC)
            }]
        );
    }

    #[test]
    fn a_head_not_sealed_with_the_key_is_reported_and_not_trusted() {
        let rows = chain(5);
        let (mut head, mac) = head_of(&rows);
        head.seq = 9;
        assert_eq!(
            problems_with_heads(&rows, vec![(head, mac)]),
            vec![Problem::HeadAltered {
                recorded_at: datetime!(2026-11-30 09:00 UTC)
            }]
        );
    }

    #[tokio::test]
    async fn algorithm_names_are_read_strictly() {
        use crate::platform::stored_text::{decode, encode};
        for (a, name) in [
            (Algorithm::Sha256, "sha256"),
            (Algorithm::HmacSha256, "hmac-sha256"),
        ] {
            assert_eq!(encode(a).await.unwrap(), name);
            assert_eq!(decode::<Algorithm>(name).await.unwrap(), a);
        }
        assert!(decode::<Algorithm>("md5").await.is_err());
        assert!(decode::<Algorithm>("SHA256").await.is_err());
        assert_eq!(format!("{:?}", key()), "ChainKey(..)");
    }
}
