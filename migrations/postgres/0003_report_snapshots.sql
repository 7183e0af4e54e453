-- Reports that are slow to work out (the national training trend) are kept here for a few
-- minutes, shared by every instance. Keep in step with migrations/sqlite/0003_report_snapshots.sql.
CREATE TABLE report_snapshots (
    key TEXT PRIMARY KEY NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL
);
