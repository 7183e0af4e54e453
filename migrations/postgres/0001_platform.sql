-- Platform: organisations, people, memberships, sign-in, jobs, audit, API tokens.
-- Keep in step with migrations/sqlite/0001_platform.sql (same tables, native types).

CREATE TABLE organisations (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    ods_code TEXT NOT NULL UNIQUE,
    org_type TEXT NOT NULL,
    parent_id UUID REFERENCES organisations(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    totp_secret TEXT,
    totp_enabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    id UUID PRIMARY KEY NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    user_id UUID NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    department TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organisation_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE recovery_codes (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    mfa_verified BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE sign_in_attempts (
    id UUID PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_attempts_subject ON sign_in_attempts(scope, subject, attempted_at);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id, purpose);

CREATE TABLE jobs (
    id UUID PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    locked_until TIMESTAMPTZ,
    locked_by TEXT,
    last_error TEXT,
    done_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_ready ON jobs(done_at, run_at);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    id UUID NOT NULL UNIQUE,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_user_id UUID,
    actor_label TEXT NOT NULL,
    organisation_id UUID,
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_organisation ON api_tokens(organisation_id);
