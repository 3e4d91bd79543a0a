package io.castpipe.api.streams;

/**
 * Ends a stream's publish: asked for when the video a stream records is deleted, so that no more
 * of it comes in. Nothing of the stream is served from the moment its video's access record is
 * gone, whether or not this is wired; a stream that is no longer live ignores it.
 */
@FunctionalInterface
public interface StreamStopper {
    /** Until ingest takes such commands: the publish goes on, unreachable, and the transcoder discards the recording at its end. */
    StreamStopper NOT_WIRED = streamId -> { };

    void stop(String streamId);
}
