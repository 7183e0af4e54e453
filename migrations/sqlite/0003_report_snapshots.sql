-- Reports that are slow to work out (the national training trend) are kept here for a few
-- minutes, shared by every instance. Keep in step with migrations/postgres/0003_report_snapshots.sql.
CREATE TABLE report_snapshots (
    key TEXT PRIMARY KEY NOT NULL,
    computed_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
