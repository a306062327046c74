-- State that several servers over one database share (issue 11); SQLite has one
-- server, so there only the key fingerprint is used, but the schema stays the same as
-- PostgreSQL's.
-- Log-in and sign-up attempts per throttle scope and key (accounts::throttle), in
-- milliseconds since the epoch.
CREATE TABLE throttle_attempts (
    id INTEGER PRIMARY KEY NOT NULL,
    scope INTEGER NOT NULL,
    key TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX throttle_attempts_key ON throttle_attempts (scope, key, at_ms);

-- Named values the servers agree on: the fingerprint of the secret key (an HMAC of a
-- fixed label, never the key).
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
