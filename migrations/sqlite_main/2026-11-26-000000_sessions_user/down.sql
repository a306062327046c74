-- SQLite cannot drop a column that takes part in a foreign key: rebuild the table.
DROP INDEX sessions_user_id;
CREATE TABLE sessions_without_user (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO sessions_without_user (id, data, expires_at) SELECT id, data, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_without_user RENAME TO sessions;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
