-- Alerts: national threat advisories and their revisions, each targeted organisation's
-- response and its timeline, notices sent (once each), software inventories, feed tokens
-- and webhooks.
-- Keep in step with migrations/sqlite/0004_alerts.sql (same tables, native types).

-- The last reference number used each year: references are allocated in sequence at
-- publication and never reused.
CREATE TABLE alert_reference_counters (
    year BIGINT PRIMARY KEY NOT NULL,
    last_number BIGINT NOT NULL
);

CREATE TABLE alert_advisories (
    id UUID PRIMARY KEY NOT NULL,
    reference TEXT UNIQUE,
    status TEXT NOT NULL,
    -- The current content (JSON of AdvisoryContent): the draft being written, or the latest
    -- published revision (every revision is also kept whole in alert_revisions).
    content TEXT NOT NULL,
    severity TEXT NOT NULL,
    tlp TEXT NOT NULL,
    title TEXT NOT NULL,
    revision BIGINT NOT NULL,
    kev_cve TEXT,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_by UUID REFERENCES users(id),
    submitted_at TIMESTAMPTZ,
    reviewed_by UUID REFERENCES users(id),
    published_at TIMESTAMPTZ,
    current_release_at TIMESTAMPTZ,
    withdrawn_at TIMESTAMPTZ,
    withdrawn_reason TEXT
);
CREATE INDEX alert_advisories_status ON alert_advisories(status, published_at);
CREATE UNIQUE INDEX alert_advisories_kev ON alert_advisories(kev_cve);

CREATE TABLE alert_revisions (
    advisory_id UUID NOT NULL REFERENCES alert_advisories(id),
    number BIGINT NOT NULL,
    content TEXT NOT NULL,
    summary TEXT NOT NULL,
    notified BOOLEAN NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

-- One row per organisation an advisory is addressed to.
CREATE TABLE alert_responses (
    advisory_id UUID NOT NULL REFERENCES alert_advisories(id),
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL,
    targeted_at TIMESTAMPTZ NOT NULL,
    ack_due_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by UUID REFERENCES users(id),
    decided_at TIMESTAMPTZ,
    reason TEXT,
    risk_owner TEXT,
    update_days BIGINT NOT NULL,
    next_update_due_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    likely_affected BOOLEAN NOT NULL,
    -- JSON list of matched inventory items with the reason.
    matches TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (advisory_id, organisation_id)
);
CREATE INDEX alert_responses_organisation ON alert_responses(organisation_id, state);
CREATE INDEX alert_responses_due ON alert_responses(state, ack_due_at);

CREATE TABLE alert_response_events (
    id UUID PRIMARY KEY NOT NULL,
    advisory_id UUID NOT NULL,
    organisation_id UUID NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    user_id UUID REFERENCES users(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    FOREIGN KEY (advisory_id, organisation_id) REFERENCES alert_responses(advisory_id, organisation_id)
);
CREATE INDEX alert_response_events_response ON alert_response_events(advisory_id, organisation_id, at);

-- Each notice of the escalation ladder, recorded in the transaction that queues its emails:
-- the primary key makes each one happen once however many instances scan.
CREATE TABLE alert_notices (
    advisory_id UUID NOT NULL,
    organisation_id UUID NOT NULL,
    notice TEXT NOT NULL,
    cycle TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    recipients BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, organisation_id, notice, cycle)
);

CREATE TABLE inventory_uploads (
    organisation_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    uploaded_by UUID NOT NULL REFERENCES users(id),
    uploaded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE inventory_items (
    id UUID PRIMARY KEY NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    position BIGINT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    count BIGINT NOT NULL,
    location TEXT NOT NULL,
    cpe TEXT,
    purl TEXT,
    norm_vendor TEXT NOT NULL,
    norm_product TEXT NOT NULL,
    purl_key TEXT
);
CREATE INDEX inventory_items_organisation ON inventory_items(organisation_id, position);
CREATE INDEX inventory_items_product ON inventory_items(norm_product, organisation_id);
CREATE INDEX inventory_items_purl ON inventory_items(purl_key, organisation_id);

CREATE TABLE alert_feed_tokens (
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
CREATE INDEX alert_feed_tokens_organisation ON alert_feed_tokens(organisation_id);

CREATE TABLE alert_webhooks (
    organisation_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    url TEXT NOT NULL,
    -- Needed in clear to sign each delivery (HMAC-SHA256); shown to the organisation once.
    secret TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
