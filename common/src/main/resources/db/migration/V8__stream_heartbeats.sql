-- When the API last heard ingest's ALIVE for a live stream; null until the first (a stream from
-- an ingest too old to send it is never ended for its silence). Portable SQL (PostgreSQL and H2).

ALTER TABLE streams ADD COLUMN last_seen_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX streams_live_seen ON streams (status, last_seen_at);
