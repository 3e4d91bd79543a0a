package io.castpipe.common.kafka;

/** The Kafka topics Castpipe uses (docs/architecture.md, "Kafka topics"), each keyed as noted. */
public enum Topic {
    /** key: stream id; one media tag from ingest */
    MEDIA_LIVE("media.live"),
    /** key: stream id; started / ended */
    STREAM_EVENTS("stream.events"),
    /** key: channel id; orders for the ingest nodes: end a publish ({@code StreamControl}) */
    STREAM_CONTROL("stream.control"),
    /** key: video id; transcode request */
    VOD_JOBS("vod.jobs"),
    /** key: video id; jobs that failed after every retry */
    VOD_JOBS_DLQ("vod.jobs.dlq"),
    /** key: video id; uploaded / progress / ready / failed */
    VIDEO_EVENTS("video.events"),
    /** key: stream id; new part / segment / playlist */
    HLS_UPDATES("hls.updates"),
    /** key: channel name; chat messages and moderation actions ({@code ChatEvent}) */
    CHAT("chat"),
    /** key: {@code ChatEvent.stateKey()}; compacted: the latest of each channel's moderation settings */
    CHAT_STATE("chat.state");

    private final String baseName;

    Topic(String baseName) {
        this.baseName = baseName;
    }

    public String baseName() {
        return baseName;
    }
}
