-- The time step of the last two-step code accepted, so the same code is never accepted
-- twice (RFC 6238 section 5.2).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
