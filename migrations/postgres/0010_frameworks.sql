-- Assure's frameworks (src/assure/framework/): every version of every standard an
-- organisation can be assessed against, the built-in ones and those imported from OSCAL
-- catalogs. An assessment refers to the exact version it was answered against, so a stored
-- version never changes; one version of each framework is current. Keep in step with
-- migrations/sqlite/0010_frameworks.sql.
CREATE TABLE framework_versions (
    id UUID PRIMARY KEY NOT NULL,
    framework TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    -- The checked framework as JSON (src/assure/framework/model.rs `Framework`).
    content TEXT NOT NULL,
    is_current BOOLEAN NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('builtin', 'imported')),
    imported_by UUID REFERENCES users(id),
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (framework, version)
);
CREATE UNIQUE INDEX framework_versions_current ON framework_versions(framework) WHERE is_current;
