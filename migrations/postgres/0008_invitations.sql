-- Sent emails keep who they went to and their subject only: the bodies of invitation and
-- reset emails held links that open accounts.
UPDATE jobs SET payload = payload - 'body'
WHERE kind = 'send_email' AND done_at IS NOT NULL;
