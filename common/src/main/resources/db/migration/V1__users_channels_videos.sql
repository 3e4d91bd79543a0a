-- Portable SQL: runs on PostgreSQL and on the embedded H2 (PostgreSQL mode).

CREATE TABLE users (
    id          VARCHAR(32)  PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL UNIQUE,
    token_hash  VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE channels (
    id          VARCHAR(32)  PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL UNIQUE,
    owner_id    VARCHAR(32)  NOT NULL REFERENCES users (id),
    title       VARCHAR(200) NOT NULL,
    latency     VARCHAR(8)   NOT NULL DEFAULT 'normal',
    stream_key  VARCHAR(64)  NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT channels_latency CHECK (latency IN ('low', 'normal', 'high'))
);

CREATE TABLE videos (
    id          VARCHAR(32)  PRIMARY KEY,
    owner_id    VARCHAR(32)  REFERENCES users (id),
    channel_id  VARCHAR(32)  REFERENCES channels (id),
    title       VARCHAR(200) NOT NULL,
    description VARCHAR(5000) NOT NULL DEFAULT '',
    visibility  VARCHAR(8)   NOT NULL DEFAULT 'public',
    status      VARCHAR(16)  NOT NULL DEFAULT 'created',
    progress    DOUBLE PRECISION NOT NULL DEFAULT 0,
    error_code  VARCHAR(64),
    error_message VARCHAR(1000),
    duration_seconds DOUBLE PRECISION,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT videos_visibility CHECK (visibility IN ('public', 'unlisted', 'private')),
    CONSTRAINT videos_status CHECK (status IN ('created', 'uploading', 'queued', 'processing', 'ready', 'failed'))
);

CREATE INDEX videos_created ON videos (created_at, id);
CREATE INDEX videos_channel ON videos (channel_id);
