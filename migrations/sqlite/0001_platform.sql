-- Platform: organisations, people, memberships, sign-in, jobs, audit, API tokens.
-- Keep in step with migrations/postgres/0001_platform.sql (same tables, native types).

CREATE TABLE organisations (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    ods_code TEXT NOT NULL UNIQUE,
    org_type TEXT NOT NULL,
    parent_id BLOB REFERENCES organisations(id),
    created_at TEXT NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    totp_secret TEXT,
    totp_enabled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE memberships (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    department TEXT,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE recovery_codes (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    mfa_verified INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE sign_in_attempts (
    id BLOB PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_subject ON sign_in_attempts(scope, subject, attempted_at);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id, purpose);

CREATE TABLE jobs (
    id BLOB PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_until TEXT,
    locked_by TEXT,
    last_error TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_ready ON jobs(done_at, run_at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    id BLOB NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor_user_id BLOB,
    actor_label TEXT NOT NULL,
    organisation_id BLOB,
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_organisation ON audit_log(organisation_id, seq);
-- Filtering by event type, and listing the distinct types (a skip scan), for all
-- organisations and for one.
CREATE INDEX audit_log_event ON audit_log(event, seq);
CREATE INDEX audit_log_organisation_event ON audit_log(organisation_id, event, seq);
-- Append-only: entries are never changed or removed by the application. (Someone with
-- direct database access could drop these triggers; the hash chain shows what they did.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_organisation ON api_tokens(organisation_id);
