-- Alerts: national threat advisories and their revisions, each targeted organisation's
-- response and its timeline, notices sent (once each), software inventories, feed tokens
-- and webhooks.
-- Keep in step with migrations/postgres/0004_alerts.sql (same tables, native types).

-- The last reference number used each year: references are allocated in sequence at
-- publication and never reused.
CREATE TABLE alert_reference_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_number INTEGER NOT NULL
);

CREATE TABLE alert_advisories (
    id BLOB PRIMARY KEY NOT NULL,
    reference TEXT UNIQUE,
    status TEXT NOT NULL,
    -- The current content (JSON of AdvisoryContent): the draft being written, or the latest
    -- published revision (every revision is also kept whole in alert_revisions).
    content TEXT NOT NULL,
    severity TEXT NOT NULL,
    tlp TEXT NOT NULL,
    title TEXT NOT NULL,
    revision INTEGER NOT NULL,
    kev_cve TEXT,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_by BLOB REFERENCES users(id),
    submitted_at TEXT,
    reviewed_by BLOB REFERENCES users(id),
    published_at TEXT,
    current_release_at TEXT,
    withdrawn_at TEXT,
    withdrawn_reason TEXT
);
CREATE INDEX alert_advisories_status ON alert_advisories(status, published_at);
CREATE UNIQUE INDEX alert_advisories_kev ON alert_advisories(kev_cve);

CREATE TABLE alert_revisions (
    advisory_id BLOB NOT NULL REFERENCES alert_advisories(id),
    number INTEGER NOT NULL,
    content TEXT NOT NULL,
    summary TEXT NOT NULL,
    notified INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

-- One row per organisation an advisory is addressed to.
CREATE TABLE alert_responses (
    advisory_id BLOB NOT NULL REFERENCES alert_advisories(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL,
    targeted_at TEXT NOT NULL,
    ack_due_at TEXT,
    acknowledged_at TEXT,
    acknowledged_by BLOB REFERENCES users(id),
    decided_at TEXT,
    reason TEXT,
    risk_owner TEXT,
    update_days INTEGER NOT NULL,
    next_update_due_at TEXT,
    closed_at TEXT,
    likely_affected INTEGER NOT NULL,
    -- JSON list of matched inventory items with the reason.
    matches TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (advisory_id, organisation_id)
);
CREATE INDEX alert_responses_organisation ON alert_responses(organisation_id, state);
CREATE INDEX alert_responses_due ON alert_responses(state, ack_due_at);

CREATE TABLE alert_response_events (
    id BLOB PRIMARY KEY NOT NULL,
    advisory_id BLOB NOT NULL,
    organisation_id BLOB NOT NULL,
    at TEXT NOT NULL,
    user_id BLOB REFERENCES users(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    FOREIGN KEY (advisory_id, organisation_id) REFERENCES alert_responses(advisory_id, organisation_id)
);
CREATE INDEX alert_response_events_response ON alert_response_events(advisory_id, organisation_id, at);

-- Each notice of the escalation ladder, recorded in the transaction that queues its emails:
-- the primary key makes each one happen once however many instances scan.
CREATE TABLE alert_notices (
    advisory_id BLOB NOT NULL,
    organisation_id BLOB NOT NULL,
    notice TEXT NOT NULL,
    cycle TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    PRIMARY KEY (advisory_id, organisation_id, notice, cycle)
);

CREATE TABLE inventory_uploads (
    organisation_id BLOB PRIMARY KEY NOT NULL REFERENCES organisations(id),
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    uploaded_by BLOB NOT NULL REFERENCES users(id),
    uploaded_at TEXT NOT NULL
);

CREATE TABLE inventory_items (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    position INTEGER NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    count INTEGER NOT NULL,
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
CREATE INDEX alert_feed_tokens_organisation ON alert_feed_tokens(organisation_id);

CREATE TABLE alert_webhooks (
    organisation_id BLOB PRIMARY KEY NOT NULL REFERENCES organisations(id),
    url TEXT NOT NULL,
    -- Needed in clear to sign each delivery (HMAC-SHA256); shown to the organisation once.
    secret TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
