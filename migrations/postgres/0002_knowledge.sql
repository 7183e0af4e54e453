-- Knowledge: course versions, learners' progress and attempts, completions (certificates),
-- expiry reminders, assignments and each organisation's training needs analysis.
-- Keep in step with migrations/sqlite/0002_knowledge.sql (same tables, native types).

ALTER TABLE organisations ADD COLUMN training_target BIGINT NOT NULL DEFAULT 95;

CREATE TABLE course_versions (
    id UUID PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    mandatory BOOLEAN NOT NULL,
    content TEXT NOT NULL,
    is_current BOOLEAN NOT NULL,
    origin TEXT NOT NULL,
    imported_by UUID REFERENCES users(id),
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (slug, version)
);
CREATE UNIQUE INDEX course_versions_current ON course_versions(slug) WHERE is_current;

-- One pass through one version of a course; a learner has at most one open enrolment per
-- course, and finishes the version they started.
CREATE TABLE enrolments (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    course_slug TEXT NOT NULL,
    course_version_id UUID NOT NULL REFERENCES course_versions(id),
    started_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX enrolments_open ON enrolments(user_id, course_slug) WHERE completed_at IS NULL;
CREATE INDEX enrolments_user ON enrolments(user_id, course_slug);

CREATE TABLE lesson_progress (
    enrolment_id UUID NOT NULL REFERENCES enrolments(id),
    lesson_id TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    checked_at TIMESTAMPTZ,
    check_correct BIGINT,
    check_total BIGINT,
    PRIMARY KEY (enrolment_id, lesson_id)
);

CREATE TABLE attempts (
    id UUID PRIMARY KEY NOT NULL,
    enrolment_id UUID NOT NULL REFERENCES enrolments(id),
    user_id UUID NOT NULL REFERENCES users(id),
    organisation_id UUID REFERENCES organisations(id),
    course_version_id UUID NOT NULL REFERENCES course_versions(id),
    number BIGINT NOT NULL,
    drawn TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    correct_count BIGINT,
    total BIGINT NOT NULL,
    score_percent BIGINT,
    passed BOOLEAN,
    UNIQUE (enrolment_id, number)
);
CREATE UNIQUE INDEX attempts_open ON attempts(enrolment_id) WHERE submitted_at IS NULL;
CREATE INDEX attempts_organisation ON attempts(organisation_id, submitted_at);
CREATE INDEX attempts_user ON attempts(user_id);

-- Answers are saved one question at a time as the learner goes; `correct` is filled in
-- when the attempt is submitted (unanswered questions get a row with no choice).
CREATE TABLE attempt_answers (
    attempt_id UUID NOT NULL REFERENCES attempts(id),
    question_id TEXT NOT NULL,
    chosen TEXT NOT NULL,
    correct BOOLEAN,
    saved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);

-- A pass. Names are kept as they were on the day, as printed on the certificate.
CREATE TABLE completions (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    organisation_id UUID REFERENCES organisations(id),
    course_slug TEXT NOT NULL,
    course_version_id UUID NOT NULL REFERENCES course_versions(id),
    course_title TEXT NOT NULL,
    course_version TEXT NOT NULL,
    attempt_id UUID REFERENCES attempts(id),
    score_percent BIGINT NOT NULL,
    attempt_number BIGINT NOT NULL,
    passed_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    certificate_code TEXT NOT NULL UNIQUE,
    learner_name TEXT NOT NULL,
    organisation_name TEXT NOT NULL
);
CREATE INDEX completions_user ON completions(user_id, course_slug, expires_at);
CREATE INDEX completions_slug_expiry ON completions(course_slug, expires_at);
CREATE INDEX completions_expiry ON completions(expires_at);
CREATE UNIQUE INDEX completions_attempt ON completions(attempt_id);

CREATE TABLE training_reminders (
    completion_id UUID NOT NULL REFERENCES completions(id),
    kind TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (completion_id, kind)
);

CREATE TABLE course_assignments (
    id UUID PRIMARY KEY NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    course_slug TEXT NOT NULL,
    staff_group TEXT,
    user_id UUID REFERENCES users(id),
    due_on DATE NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX course_assignments_organisation ON course_assignments(organisation_id);
CREATE INDEX course_assignments_user ON course_assignments(user_id);

-- The training needs analysis: which courses each staff group needs. An organisation with
-- no row in training_needs_reviews uses the courses' default audiences.
CREATE TABLE training_needs (
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    staff_group TEXT NOT NULL,
    course_slug TEXT NOT NULL,
    PRIMARY KEY (organisation_id, staff_group, course_slug)
);
CREATE TABLE training_needs_reviews (
    organisation_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    reviewed_by UUID NOT NULL REFERENCES users(id),
    reviewed_at TIMESTAMPTZ NOT NULL,
    notes TEXT NOT NULL
);
