package io.castpipe.transcoder.live;

import java.time.Duration;
import java.time.Instant;

import io.castpipe.common.events.MediaTag;
import io.castpipe.common.media.LatencyMode;
import io.castpipe.common.storage.ObjectStore;

import static org.assertj.core.api.Assertions.assertThat;

/** What the live transcoder's tests feed it and read back: media records as ingest makes them, playlists' dates. */
final class LiveTestMedia {
    private LiveTestMedia() {
    }

    /** How far, at most, a segment after a discontinuity starts from where the one before it ends (seconds). */
    static double largestDateStepAtDiscontinuities(String playlist) {
        double largest = 0;
        Instant previousEnd = null;
        boolean discontinuity = false;
        Instant date = null;
        for (String line : playlist.split("\n")) {
            if (line.equals("#EXT-X-DISCONTINUITY")) {
                discontinuity = true;
            } else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                date = Instant.parse(line.substring(line.indexOf(':') + 1));
            } else if (line.startsWith("#EXTINF:")) {
                double seconds = Double.parseDouble(line.substring(8, line.indexOf(',')));
                Instant start = date != null ? date : previousEnd;
                if (discontinuity && previousEnd != null) {
                    largest = Math.max(largest, Math.abs(Duration.between(previousEnd, start).toMillis() / 1000.0));
                }
                previousEnd = start.plusNanos(Math.round(seconds * 1e9));
                discontinuity = false;
                date = null;
            }
        }
        return largest;
    }

    static String awaitEnded(ObjectStore store, String playlistKey) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        String playlist = "";
        while (System.nanoTime() < deadline && !playlist.contains("ENDLIST")) {
            Thread.sleep(200);
            playlist = store.head(playlistKey).isPresent() ? new String(store.get(playlistKey).readAllBytes()) : "";
        }
        assertThat(playlist).as(playlistKey).contains("#EXT-X-ENDLIST");
        return playlist;
    }

    /** What ingest does: the codec configuration again before every video keyframe. */
    static java.util.List<FlvFile.Tag> withConfigBeforeKeyframes(java.util.List<FlvFile.Tag> tags) {
        java.util.List<FlvFile.Tag> out = new java.util.ArrayList<>();
        FlvFile.Tag video = null;
        FlvFile.Tag audio = null;
        for (FlvFile.Tag t : tags) {
            boolean header = t.type() != FlvWriter.SCRIPT && t.body().length > 1 && t.body()[1] == 0;
            if (header && t.type() == FlvWriter.VIDEO) {
                video = t;
            } else if (header && t.type() == FlvWriter.AUDIO) {
                audio = t;
            } else if (t.type() == FlvWriter.VIDEO && (t.body()[0] >> 4) == 1 && video != null) {
                out.add(new FlvFile.Tag(video.type(), t.timestamp(), video.body()));
                if (audio != null) {
                    out.add(new FlvFile.Tag(audio.type(), t.timestamp(), audio.body()));
                }
            }
            out.add(t);
        }
        return out;
    }

    static MediaTag toTag(String streamId, FlvFile.Tag t, long start, LatencyMode latency) {
        MediaTag.Kind kind = t.type() == FlvWriter.VIDEO ? MediaTag.Kind.VIDEO
                : t.type() == FlvWriter.AUDIO ? MediaTag.Kind.AUDIO : MediaTag.Kind.SCRIPT;
        boolean header = t.body().length > 1 && t.body()[1] == 0 && kind != MediaTag.Kind.SCRIPT;
        boolean keyframe = kind == MediaTag.Kind.VIDEO && (t.body()[0] >> 4) == 1;
        return new MediaTag(streamId, "channel000000001", kind, t.timestamp(), keyframe, header, t.body(), start + t.timestamp(),
                latency);
    }

    static java.util.List<String> dates(String playlist) {
        return java.util.regex.Pattern.compile("#EXT-X-PROGRAM-DATE-TIME:(\\S+)").matcher(playlist).results()
                .map(m -> m.group(1)).toList();
    }
}
