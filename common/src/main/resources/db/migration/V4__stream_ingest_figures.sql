-- The latest figures ingest measured of a stream (stream.events STATS), as JSON, and when;
-- portable SQL (PostgreSQL and H2).

ALTER TABLE streams ADD COLUMN ingest_json VARCHAR(2000);
ALTER TABLE streams ADD COLUMN ingest_measured_at TIMESTAMP WITH TIME ZONE;
