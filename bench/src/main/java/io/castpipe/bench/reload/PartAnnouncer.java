package io.castpipe.bench.reload;

/** What makes part {@code k} of the live rendition available to the clients of a server under test. */
interface PartAnnouncer {
    /** Announces part {@code k} (counted as {@link AnnouncedStream} counts) and returns once the server has it. */
    void announcePart(int k) throws Exception;
}
