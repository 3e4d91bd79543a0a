-- API tokens: several per user, each named, so a user can give each program its own and
-- rotate or revoke one without the others. Only the SHA-256 of a token is kept. Portable SQL
-- (PostgreSQL and H2).

CREATE TABLE api_tokens (
    id          VARCHAR(32)  PRIMARY KEY,
    user_id     VARCHAR(32)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        VARCHAR(64)  NOT NULL,
    token_hash  VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Each user's one token so far becomes their token named "default" (its id is the user's id).
INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
    SELECT id, id, 'default', token_hash, created_at FROM users;

ALTER TABLE users DROP COLUMN token_hash;
