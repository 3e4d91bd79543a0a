-- Live streams as ingest announces them on stream.events; portable SQL (PostgreSQL and H2).

CREATE TABLE streams (
    id            VARCHAR(32)  PRIMARY KEY,
    channel_id    VARCHAR(32)  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    status        VARCHAR(8)   NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at      TIMESTAMP WITH TIME ZONE,
    video_codec   VARCHAR(32),
    audio_codec   VARCHAR(32),
    metadata_json VARCHAR(4000),
    end_reason    VARCHAR(200),
    CONSTRAINT streams_status CHECK (status IN ('live', 'ended'))
);

CREATE INDEX streams_status ON streams (status, started_at);
CREATE INDEX streams_channel ON streams (channel_id, started_at);
