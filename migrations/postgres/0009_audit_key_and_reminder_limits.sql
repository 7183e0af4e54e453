-- The audit log sealed with a key kept outside the database (src/audit/chain.rs), and
-- limits on reminders sent on demand (src/knowledge/rules/reminder_limits.rs), kept here
-- so every instance sees them. Keep in step with
-- migrations/sqlite/0009_audit_key_and_reminder_limits.sql.

-- The audit chain is keyed: entries written from now on carry an HMAC-SHA256 under a key
-- derived from the server's secret key, which someone with only database access cannot
-- recompute. Entries written before keep their plain SHA-256 hashes and say so; the first
-- keyed entry links to the last of them, vouching for them all.
ALTER TABLE audit_log ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';

-- The chain's head (entry count, newest seq and hash) recorded on each verification and
-- hourly, each record sealed with the audit key, so that deleting the newest entries shows.
CREATE TABLE audit_heads (
    id UUID PRIMARY KEY NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    entries BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    source TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_heads_source ON audit_heads(source, recorded_at);

-- When each organisation last sent "remind all".
CREATE TABLE training_reminder_requests (
    organisation_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    sent_at TIMESTAMPTZ NOT NULL
);

-- When each person was last sent a reminder on demand, whichever organisation asked.
CREATE TABLE people_reminded (
    user_id UUID PRIMARY KEY NOT NULL REFERENCES users(id),
    reminded_at TIMESTAMPTZ NOT NULL
);
