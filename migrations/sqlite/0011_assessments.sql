-- Assure's assessments (src/assure/store/assessments.rs): an organisation's assessment
-- against one stored framework version for one yearly cycle, the current answer to each
-- requirement, every revision of every answer (never changed or removed, so a score can be
-- recomputed as of any date), and who is answering which section. Keep in step with
-- migrations/postgres/0011_assessments.sql.
CREATE TABLE assessments (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    framework TEXT NOT NULL,
    framework_version_id BLOB NOT NULL REFERENCES framework_versions(id),
    -- A profile id within that framework version, or none.
    profile TEXT,
    -- The assessment year, "2026-27" (1 July to 30 June).
    cycle TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted', 'published')),
    -- The previous cycle's assessment whose answers were carried over for review.
    carried_from BLOB REFERENCES assessments(id),
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_by BLOB REFERENCES users(id),
    submitted_at TEXT,
    -- The answers and scores as submitted (JSON), which no later change alters.
    snapshot TEXT,
    published_at TEXT,
    UNIQUE (organisation_id, framework, cycle)
);
CREATE INDEX assessments_framework_cycle ON assessments(framework, cycle);

CREATE TABLE assessment_answers (
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    requirement TEXT NOT NULL,
    -- A level of the framework's scale, 'not-applicable', or none yet.
    result TEXT,
    workflow TEXT NOT NULL CHECK (workflow IN ('to_do', 'in_progress', 'in_review', 'done')),
    justification TEXT NOT NULL,
    -- The ticked indicators of good practice, as a JSON array of ids.
    indicators TEXT NOT NULL,
    -- Carried over from last cycle and not yet looked at this cycle.
    carried_over INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    answered_by BLOB REFERENCES users(id),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, requirement)
);

CREATE TABLE assessment_answer_history (
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    revision INTEGER NOT NULL,
    result TEXT,
    workflow TEXT NOT NULL,
    justification TEXT NOT NULL,
    indicators TEXT NOT NULL,
    carried_over INTEGER NOT NULL,
    answered_by BLOB REFERENCES users(id),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, requirement, revision)
);
CREATE INDEX assessment_answer_history_at ON assessment_answer_history(assessment_id, answered_at);

CREATE TABLE assessment_assignments (
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    -- The id of a top-level requirement (an objective, function or standard).
    section TEXT NOT NULL,
    assignee BLOB NOT NULL REFERENCES users(id),
    assigned_by BLOB REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, section)
);
CREATE INDEX assessment_assignments_assignee ON assessment_assignments(assignee);

-- The organisation's evidence library (src/assure/store/evidence.rs): a document, a link
-- or a statement, with the date it took effect and when it expires; one piece can support
-- many requirements in many assessments.
CREATE TABLE evidence (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link', 'text')),
    -- The address of a link, or the words of a statement; empty for a file.
    body TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    expires_on TEXT,
    owner BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    -- When the owner was last told the evidence is about to expire.
    reminded_at TEXT
);
CREATE INDEX evidence_organisation ON evidence(organisation_id);
CREATE INDEX evidence_expiry ON evidence(expires_on);

-- Every version of an evidence file, with its SHA-256, kept whole and never changed.
CREATE TABLE evidence_revisions (
    evidence_id BLOB NOT NULL REFERENCES evidence(id),
    revision INTEGER NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    note TEXT NOT NULL,
    uploaded_by BLOB NOT NULL REFERENCES users(id),
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (evidence_id, revision)
);

CREATE TABLE evidence_links (
    evidence_id BLOB NOT NULL REFERENCES evidence(id),
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    linked_by BLOB REFERENCES users(id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (evidence_id, assessment_id, requirement)
);
CREATE INDEX evidence_links_answer ON evidence_links(assessment_id, requirement);
