-- The two-person rule for advisories: everyone who wrote or changed a text is recorded, so
-- none of them can be the second analyst who approves it; and a revision of a live
-- advisory that loosens its TLP label, widens its audience or changes its remediation
-- waits here until a second analyst approves it.
-- Keep in step with migrations/postgres/0007_advisory_review.sql (same tables, native types).

-- `revision` is the number the text becomes when published: 1 for a draft.
CREATE TABLE alert_editors (
    advisory_id BLOB NOT NULL REFERENCES alert_advisories(id),
    revision INTEGER NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    first_edited_at TEXT NOT NULL,
    PRIMARY KEY (advisory_id, revision, user_id)
);

-- Drafts written before editors were recorded: their author is their one known editor.
INSERT INTO alert_editors (advisory_id, revision, user_id, first_edited_at)
SELECT id, revision + 1, created_by, created_at FROM alert_advisories
WHERE status IN ('draft', 'in_review');

-- At most one revision waits per advisory; `number` is the revision it would become, so
-- one based on an older revision is never published over a newer one.
CREATE TABLE alert_pending_revisions (
    advisory_id BLOB PRIMARY KEY NOT NULL REFERENCES alert_advisories(id),
    number INTEGER NOT NULL,
    content TEXT NOT NULL,
    summary TEXT NOT NULL,
    notify INTEGER NOT NULL,
    submitted_by BLOB NOT NULL REFERENCES users(id),
    submitted_at TEXT NOT NULL
);
