-- Sent emails keep who they went to and their subject only: the bodies of invitation and
-- reset emails held links that open accounts.
UPDATE jobs SET payload = payload - 'body'
WHERE kind = 'send_email' AND done_at IS NOT NULL;

-- An invitation to join an organisation, sent to someone who already has an account. They
-- become a member only when they accept; until then the organisation sees only the
-- address it typed. A membership's created_at is the day the person joined.
CREATE TABLE membership_invitations (
    id UUID PRIMARY KEY NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    user_id UUID NOT NULL REFERENCES users(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    department TEXT,
    invited_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organisation_id, user_id)
);
CREATE INDEX membership_invitations_user ON membership_invitations(user_id);
