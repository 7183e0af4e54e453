-- The time step of the last two-step code accepted, so the same code is never accepted
-- twice (RFC 6238 section 5.2).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Start-up seals any two-step secret stored before secrets were encrypted and checks the key
-- opens them: only the few people with a secret (leads and national staff) are looked at,
-- not every member of staff.
CREATE INDEX users_with_totp_secret ON users (id) WHERE totp_secret IS NOT NULL;
