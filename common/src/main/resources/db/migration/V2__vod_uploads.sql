-- VOD control plane. Portable SQL: runs on PostgreSQL and on the embedded H2 (PostgreSQL mode).

-- What probing found in the source and the finished ladder, as JSON (video.events READY).
ALTER TABLE videos ADD COLUMN source_json VARCHAR(20000);
ALTER TABLE videos ADD COLUMN renditions_json VARCHAR(20000);

-- Newest first, for everyone and for one owner's own videos.
CREATE INDEX videos_owner_created ON videos (owner_id, created_at, id);

-- An upload of a video's source in progress or finished: resumable (tus, bytes through the
-- API into an S3 multipart upload) or direct (a client puts to presigned S3 URLs).
CREATE TABLE uploads (
    id            VARCHAR(32)  PRIMARY KEY,
    video_id      VARCHAR(32)  NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    kind          VARCHAR(8)   NOT NULL,
    state         VARCHAR(16)  NOT NULL DEFAULT 'open',
    s3_upload_id  VARCHAR(1024),
    upload_length BIGINT,
    offset_bytes  BIGINT       NOT NULL DEFAULT 0,
    part_size     BIGINT       NOT NULL,
    filename      VARCHAR(500),
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uploads_kind CHECK (kind IN ('tus', 'direct')),
    CONSTRAINT uploads_state CHECK (state IN ('open', 'completed'))
);

CREATE INDEX uploads_video ON uploads (video_id);
CREATE INDEX uploads_expires ON uploads (expires_at);

-- Parts already in the S3 multipart upload, with the ETags needed to complete it.
CREATE TABLE upload_parts (
    upload_id   VARCHAR(32)  NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    part_number INTEGER      NOT NULL,
    size_bytes  BIGINT       NOT NULL,
    etag        VARCHAR(200) NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
