-- Counts the user's password changes. A session remembers the count it was started
-- under, and a session started under an older count is never stored: a log-in that
-- checked the old password while the owner changed it does not outlive the change.
ALTER TABLE users ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 0;
