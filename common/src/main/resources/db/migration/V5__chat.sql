-- Chat: the moderators a channel's owner names and the words its chat refuses. Portable SQL
-- (PostgreSQL and H2).

CREATE TABLE channel_moderators (
    channel_id  VARCHAR(32)  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id     VARCHAR(32)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);

-- The words the channel's chat refuses, one a line (a word holds no whitespace); NULL for none.
-- 200 words of at most 50 characters, each up to two UTF-16 units, and their line breaks.
ALTER TABLE channels ADD COLUMN chat_blocked_words VARCHAR(20200);
