-- Chat: the moderators a channel's owner names, the words its chat refuses, and its messages
-- kept for replay. Portable SQL (PostgreSQL and H2).

CREATE TABLE channel_moderators (
    channel_id  VARCHAR(32)  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id     VARCHAR(32)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);

-- The words the channel's chat refuses, one a line (a word holds no whitespace); NULL for none.
-- 200 words of at most 50 characters, each up to two UTF-16 units, and their line breaks.
ALTER TABLE channels ADD COLUMN chat_blocked_words VARCHAR(20200);

-- Messages as the chat nodes published them on the chat topic, for the replay of a broadcast's
-- chat. A deleted message stays, marked, so that a MESSAGE record delivered again cannot bring it
-- back. The id is the chat node's; (channel, id) keeps rooms apart whatever ids they use.
CREATE TABLE chat_messages (
    channel_id  VARCHAR(32)   NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    id          VARCHAR(64)   NOT NULL,
    user_id     VARCHAR(64)   NOT NULL,
    user_name   VARCHAR(64)   NOT NULL,
    body        VARCHAR(2000) NOT NULL,
    sent_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted     BOOLEAN       NOT NULL DEFAULT FALSE,
    PRIMARY KEY (channel_id, id)
);

CREATE INDEX chat_messages_sent ON chat_messages (channel_id, sent_at, id);
