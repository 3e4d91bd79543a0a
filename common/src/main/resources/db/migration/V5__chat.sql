-- Chat: the moderators a channel's owner names. Portable SQL (PostgreSQL and H2).

CREATE TABLE channel_moderators (
    channel_id  VARCHAR(32)  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id     VARCHAR(32)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
