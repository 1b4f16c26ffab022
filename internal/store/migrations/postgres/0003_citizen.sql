-- Citizens: the audit subject (keyed HMAC) of a user's verified ID number,
-- and its masked form for display. The number itself is not stored.
ALTER TABLE users ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN id_card_masked TEXT NOT NULL DEFAULT '';
CREATE INDEX users_subject ON users(subject);
