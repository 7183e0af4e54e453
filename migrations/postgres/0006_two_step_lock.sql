-- Wrong two-step codes in a row, and when two-step verification was locked after too many:
-- a locked account signs in only with a recovery code until a national administrator
-- unlocks it, so codes cannot be guessed slowly over months.
ALTER TABLE users ADD COLUMN two_step_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN two_step_locked_at TIMESTAMPTZ;
