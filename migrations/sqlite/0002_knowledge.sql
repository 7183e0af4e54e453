-- Knowledge: course versions, learners' progress and attempts, completions (certificates),
-- expiry reminders, assignments and each organisation's training needs analysis.
-- Keep in step with migrations/postgres/0002_knowledge.sql (same tables, native types).

ALTER TABLE organisations ADD COLUMN training_target INTEGER NOT NULL DEFAULT 95;

CREATE TABLE course_versions (
    id BLOB PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    mandatory INTEGER NOT NULL,
    content TEXT NOT NULL,
    is_current INTEGER NOT NULL,
    origin TEXT NOT NULL,
    imported_by BLOB REFERENCES users(id),
    imported_at TEXT NOT NULL,
    UNIQUE (slug, version)
);
CREATE UNIQUE INDEX course_versions_current ON course_versions(slug) WHERE is_current;

-- One pass through one version of a course; a learner has at most one open enrolment per
-- course, and finishes the version they started.
CREATE TABLE enrolments (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    course_slug TEXT NOT NULL,
    course_version_id BLOB NOT NULL REFERENCES course_versions(id),
    started_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE UNIQUE INDEX enrolments_open ON enrolments(user_id, course_slug) WHERE completed_at IS NULL;
CREATE INDEX enrolments_user ON enrolments(user_id, course_slug);

CREATE TABLE lesson_progress (
    enrolment_id BLOB NOT NULL REFERENCES enrolments(id),
    lesson_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    checked_at TEXT,
    check_correct INTEGER,
    check_total INTEGER,
    PRIMARY KEY (enrolment_id, lesson_id)
);

CREATE TABLE attempts (
    id BLOB PRIMARY KEY NOT NULL,
    enrolment_id BLOB NOT NULL REFERENCES enrolments(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    organisation_id BLOB REFERENCES organisations(id),
    course_version_id BLOB NOT NULL REFERENCES course_versions(id),
    number INTEGER NOT NULL,
    drawn TEXT NOT NULL,
    started_at TEXT NOT NULL,
    submitted_at TEXT,
    correct_count INTEGER,
    total INTEGER NOT NULL,
    score_percent INTEGER,
    passed INTEGER,
    UNIQUE (enrolment_id, number)
);
CREATE UNIQUE INDEX attempts_open ON attempts(enrolment_id) WHERE submitted_at IS NULL;
CREATE INDEX attempts_organisation ON attempts(organisation_id, submitted_at);
CREATE INDEX attempts_user ON attempts(user_id);

-- Answers are saved one question at a time as the learner goes; `correct` is filled in
-- when the attempt is submitted (unanswered questions get a row with no choice).
CREATE TABLE attempt_answers (
    attempt_id BLOB NOT NULL REFERENCES attempts(id),
    question_id TEXT NOT NULL,
    chosen TEXT NOT NULL,
    correct INTEGER,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- A pass. Names are kept as they were on the day, as printed on the certificate.
CREATE TABLE completions (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    organisation_id BLOB REFERENCES organisations(id),
    course_slug TEXT NOT NULL,
    course_version_id BLOB NOT NULL REFERENCES course_versions(id),
    course_title TEXT NOT NULL,
    course_version TEXT NOT NULL,
    attempt_id BLOB REFERENCES attempts(id),
    score_percent INTEGER NOT NULL,
    attempt_number INTEGER NOT NULL,
    passed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    certificate_code TEXT NOT NULL UNIQUE,
    learner_name TEXT NOT NULL,
    organisation_name TEXT NOT NULL
);
CREATE INDEX completions_user ON completions(user_id, course_slug, expires_at);
CREATE INDEX completions_slug_expiry ON completions(course_slug, expires_at);
CREATE INDEX completions_expiry ON completions(expires_at);
CREATE UNIQUE INDEX completions_attempt ON completions(attempt_id);

CREATE TABLE training_reminders (
    completion_id BLOB NOT NULL REFERENCES completions(id),
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (completion_id, kind)
);

CREATE TABLE course_assignments (
    id BLOB PRIMARY KEY NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    course_slug TEXT NOT NULL,
    staff_group TEXT,
    user_id BLOB REFERENCES users(id),
    due_on TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX course_assignments_organisation ON course_assignments(organisation_id);
CREATE INDEX course_assignments_user ON course_assignments(user_id);

-- The training needs analysis: which courses each staff group needs. An organisation with
-- no row in training_needs_reviews uses the courses' default audiences.
CREATE TABLE training_needs (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    staff_group TEXT NOT NULL,
    course_slug TEXT NOT NULL,
    PRIMARY KEY (organisation_id, staff_group, course_slug)
);
CREATE TABLE training_needs_reviews (
    organisation_id BLOB PRIMARY KEY NOT NULL REFERENCES organisations(id),
    reviewed_by BLOB NOT NULL REFERENCES users(id),
    reviewed_at TEXT NOT NULL,
    notes TEXT NOT NULL
);
