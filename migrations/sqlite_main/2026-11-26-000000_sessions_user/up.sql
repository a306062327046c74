-- Which user a session belongs to, copied out of the session's JSON when it is saved, so
-- that changing a password or deleting an account can end every session of that user
-- with one portable query. Deleting the user deletes their sessions.
ALTER TABLE sessions ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user_id ON sessions (user_id);
