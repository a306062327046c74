-- Personal API tokens (issue 12). Only the SHA-256 of a token is stored; `hint` is its
-- visible start, so the account page can tell tokens apart. A revoked token keeps its
-- row (revoked_at set) so that using it answers "revoked" rather than "invalid".
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
