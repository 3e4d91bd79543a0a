-- How the live transcoder last said it encodes a stream's ladder (stream.events LADDER), as
-- JSON, and when; portable SQL (PostgreSQL and H2).

ALTER TABLE streams ADD COLUMN ladder_json VARCHAR(1000);
ALTER TABLE streams ADD COLUMN ladder_measured_at TIMESTAMP WITH TIME ZONE;
