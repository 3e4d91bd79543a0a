package io.castpipe.app;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A live stream survives the death of its transcoder: an all-in-one node that transcodes nothing
 * and two {@code ./castpipe transcoder} processes; ffmpeg publishes over RTMP; once the live
 * window has slid, the worker holding the stream is killed with SIGKILL. The other one takes the
 * stream over: every rendition's playlist on the origin goes on growing under the same URIs, its
 * numbering continues after an EXT-X-DISCONTINUITY, the new segments decode, no ffmpeg of the dead
 * worker is left, and the finished broadcast becomes a video that plays from its start to its end.
 */
class LiveWorkerTakeoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CHANNEL = "takeover-live";
    private static final List<String> RENDITIONS = List.of("720p", "480p", "360p");
    private static final int PUBLISH_SECONDS = 50;
    private static final double FRAME_RATE = 30;
    /** The group notices the death after its 4 s session timeout; the target is 5 s, with room for a contended CPU. */
    private static final Duration PICK_UP_LIMIT = Duration.ofSeconds(10);
    /** Then a keyframe, a new ffmpeg, and a 2 s segment encoded. */
    private static final Duration NEW_SEGMENT_LIMIT = Duration.ofSeconds(15);

    @Test
    void aKilledLiveWorkerIsReplacedAndTheBroadcastStaysWhole() throws Exception {
        Path dir = TestServices.tempDir("live-takeover");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        env.put("CASTPIPE_VOD_WORKERS", "0");
        env.put("CASTPIPE_LIVE_TRANSCODE", "false");
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(3))) {
            node.awaitHealthy(Duration.ofSeconds(30));
            Map<String, String> join = CastpipeProcess.joinValues(node.stdoutText());
            List<CastpipeProcess> workers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Map<String, String> w = new HashMap<>(join);
                    w.put("CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
                    w.put("CASTPIPE_DATA_DIR", dir.resolve("worker-" + i).toString());
                    workers.add(CastpipeProcess.start(w, "transcoder"));
                }
                for (CastpipeProcess w : workers) {
                    w.awaitHealthy(Duration.ofSeconds(30));
                }
                Thread.sleep(5000); // both members in the live group: it starts at the latest offset

                String base = "http://127.0.0.1:" + node.httpPort;
                String live = base + "/live/" + CHANNEL + "/";
                String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
                String user = LiveEndToEndIT.post(base + "/api/users", admin, "{\"name\":\"streamer\"}").get("token").asText();
                JsonNode channel = LiveEndToEndIT.post(base + "/api/channels", user, "{\"name\":\"" + CHANNEL + "\"}");
                String rtmp = "rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live/" + channel.get("streamKey").asText();
                FfmpegJob publisher = ffmpeg.command("publish").args(LiveEndToEndIT.publish(rtmp, PUBLISH_SECONDS)).start();

                String masterBefore = LiveEndToEndIT.awaitBody(live + "master.m3u8", Duration.ofSeconds(40));
                String streamId = streamIdOf(base);
                // Kill once the window has slid: the start of the broadcast is no longer in any live playlist.
                long slid = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (listed(live + "720p/index.m3u8").get(0).sequence() < 3) {
                    assertThat(System.nanoTime()).as("the live window slides").isLessThan(slid);
                    Thread.sleep(250);
                }
                Map<String, Long> lastBefore = new HashMap<>();
                for (String r : RENDITIONS) {
                    lastBefore.put(r, last(listed(live + r + "/index.m3u8")).sequence());
                }
                List<CastpipeProcess> holders = workers.stream().filter(w -> w.process.descendants().findAny().isPresent()).toList();
                assertThat(holders).as("exactly one worker runs the stream's ffmpeg").hasSize(1);
                CastpipeProcess holder = holders.get(0);
                CastpipeProcess successor = workers.get(1 - workers.indexOf(holder));
                List<ProcessHandle> holderChildren = holder.process.descendants().toList();

                Instant killedAt = Instant.now();
                long killed = System.nanoTime();
                holder.process.destroyForcibly();
                holder.process.waitFor();
                Duration toPickedUp = null;
                Duration toNewSegment = null;
                while ((toNewSegment == null || toPickedUp == null) && System.nanoTime() - killed < Duration.ofSeconds(40).toNanos()) {
                    if (toPickedUp == null && successor.stdoutText().contains("stream " + streamId + ": taking it on")) {
                        toPickedUp = Duration.ofNanos(System.nanoTime() - killed);
                    }
                    if (toNewSegment == null && last(listed(live + "720p/index.m3u8")).sequence() > lastBefore.get("720p")) {
                        toNewSegment = Duration.ofNanos(System.nanoTime() - killed);
                    }
                    Thread.sleep(100);
                }
                System.out.println("kill -> successor has the stream's media: " + millis(toPickedUp)
                        + "; kill -> first new segment on the origin: " + millis(toNewSegment));
                assertThat(toPickedUp).as("the other worker gets the stream").isNotNull().isLessThanOrEqualTo(PICK_UP_LIMIT);
                assertThat(toNewSegment).as("a new segment on the origin after the kill").isNotNull()
                        .isLessThanOrEqualTo(NEW_SEGMENT_LIMIT);
                assertThat(awaitGone(holderChildren, Duration.ofSeconds(5))).as("the dead worker's ffmpeg is gone").isEmpty();

                for (String r : RENDITIONS) {
                    List<Listed> after = awaitGrown(live + r + "/index.m3u8", lastBefore.get(r) + 3, Duration.ofSeconds(30));
                    assertNumberedOn(r, after);
                    int resumed = indexOfDiscontinuity(after);
                    assertThat(resumed).as(r + ": EXT-X-DISCONTINUITY at the takeover in\n" + after).isPositive();
                    assertThat(after.get(resumed).map()).as(r + ": the successor's own init segment").isNotEqualTo(after.get(0).map());
                    // A successor that falls behind on a busy machine may shed load: a second discontinuity, its own init.
                    int shed = indexOfDiscontinuity(after, resumed + 1);
                    List<Listed> resumedSegments = after.subList(resumed, shed < 0 ? after.size() : shed);
                    Path resumedMedia = download(live + r + "/", resumedSegments, dir.resolve(r + "-after.mp4"));
                    assertThat(decodedFrames(ffmpeg, resumedMedia.toString()) / FRAME_RATE).as(r + " after the takeover")
                            .isCloseTo(resumedSegments.stream().mapToDouble(Listed::duration).sum(), within(0.2));
                }
                assertThat(variantUris(LiveEndToEndIT.awaitBody(live + "master.m3u8", Duration.ofSeconds(5))))
                        .as("viewers keep their URIs").isEqualTo(variantUris(masterBefore));

                publisher.await();
                // On a busy machine the ladder may run behind the publisher: it ends once it has caught up.
                String ended = "";
                long lastGrowth = System.nanoTime();
                while (!ended.contains("#EXT-X-ENDLIST")) {
                    assertThat(System.nanoTime() - lastGrowth).as("the ladder goes on until it ends:\n" + ended)
                            .isLessThan(Duration.ofSeconds(20).toNanos());
                    Thread.sleep(250);
                    String now = LiveEndToEndIT.awaitBody(live + "360p/index.m3u8", Duration.ofSeconds(5));
                    if (!now.equals(ended)) {
                        lastGrowth = System.nanoTime();
                    }
                    ended = now;
                }
                System.out.println("kill -> successor's first announcement on hls.updates: "
                        + millis(firstAnnouncementAfter(join, streamId, killedAt)));

                // The recording: every segment from the start, so the video lasts what was published. Only
                // media already stored in segments counts as consumed: the successor loses none, and encodes
                // again what was stored after the last commit (at most a second), the keyframe interval
                // before it and the segment then open.
                List<Listed> recording = parse(LiveEndToEndIT.awaitBody(live + "720p/vod.m3u8", Duration.ofSeconds(5)));
                assertThat(recording.get(0).sequence()).as("the recording starts at the start").isZero();
                assertNumberedOn("720p recording", recording);
                assertThat(indexOfDiscontinuity(recording)).isPositive();
                awaitVideoReady(base, streamId);
                double listedSeconds = parse(LiveEndToEndIT.awaitBody(base + "/vod/" + streamId + "/720p/index.m3u8",
                        Duration.ofSeconds(5))).stream().mapToDouble(Listed::duration).sum();
                // ffmpeg's HLS demuxer drops a few frames where timestamps restart; players reset at the discontinuity.
                double videoSeconds = decodedFramesAcrossDiscontinuities(ffmpeg, base + "/vod/" + streamId + "/720p/index.m3u8",
                        dir.resolve("runs")) / FRAME_RATE;
                System.out.printf("published %d s; video lists %.1f s, decodes %.1f s: %.1f s encoded twice at the takeover%n",
                        PUBLISH_SECONDS, listedSeconds, videoSeconds, listedSeconds - PUBLISH_SECONDS);
                assertThat(listedSeconds).as("nothing lost, a little twice").isBetween(PUBLISH_SECONDS - 0.5, PUBLISH_SECONDS + 4.0);
                assertThat(videoSeconds).isBetween(PUBLISH_SECONDS - 1.0, PUBLISH_SECONDS + 4.0);
            } finally {
                workers.forEach(CastpipeProcess::close);
            }
            node.terminate(Duration.ofSeconds(10));
        }
    }

    /** One segment line of a media playlist with what applies to it. */
    private record Listed(long sequence, String uri, double duration, boolean discontinuity, String map) {
    }

    private static List<Listed> parse(String playlist) {
        List<Listed> out = new ArrayList<>();
        long sequence = 0;
        String map = null;
        double duration = 0;
        boolean discontinuity = false;
        for (String line : playlist.split("\n")) {
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                sequence = Long.parseLong(line.substring(22).trim());
            } else if (line.startsWith("#EXT-X-MAP:URI=\"")) {
                map = line.substring(16, line.indexOf('"', 16));
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',')));
            } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                discontinuity = true;
            } else if (!line.isBlank() && !line.startsWith("#")) {
                out.add(new Listed(sequence++, line.trim(), duration, discontinuity, map));
                discontinuity = false;
            }
        }
        return out;
    }

    /** The whole segments the playlist lists, once it lists one (with parts, a playlist may show only parts of the first). */
    private static List<Listed> listed(String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Listed> segments = parse(LiveEndToEndIT.awaitBody(url, Duration.ofSeconds(10)));
        while (segments.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            segments = parse(LiveEndToEndIT.awaitBody(url, Duration.ofSeconds(10)));
        }
        assertThat(segments).as(url).isNotEmpty();
        return segments;
    }

    private static Listed last(List<Listed> segments) {
        return segments.get(segments.size() - 1);
    }

    private static List<Listed> awaitGrown(String url, long sequence, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Listed> segments = listed(url);
        while (last(segments).sequence() < sequence) {
            assertThat(System.nanoTime()).as(url + " grows past " + sequence).isLessThan(deadline);
            Thread.sleep(250);
            segments = listed(url);
        }
        return segments;
    }

    /** Segment n is seg-n.m4s, listed in order with no number skipped or repeated. */
    private static void assertNumberedOn(String what, List<Listed> segments) {
        for (Listed s : segments) {
            assertThat(s.uri()).as(what).isEqualTo("seg-" + s.sequence() + ".m4s");
        }
    }

    private static int indexOfDiscontinuity(List<Listed> segments) {
        return indexOfDiscontinuity(segments, 0);
    }

    private static int indexOfDiscontinuity(List<Listed> segments, int from) {
        for (int i = from; i < segments.size(); i++) {
            if (segments.get(i).discontinuity()) {
                return i;
            }
        }
        return -1;
    }

    /** The init segment the listed segments need, then the segments: one fragmented MP4 to decode. */
    private static Path download(String folderUrl, List<Listed> segments, Path into) throws Exception {
        ByteArrayOutputStream media = new ByteArrayOutputStream();
        media.writeBytes(fetch(folderUrl + segments.get(0).map()));
        for (Listed s : segments) {
            assertThat(s.map()).isEqualTo(segments.get(0).map());
            media.writeBytes(fetch(folderUrl + s.uri()));
        }
        return Files.write(into, media.toByteArray());
    }

    private static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /**
     * Frames decoded without an error from each run between discontinuities of a media playlist:
     * where a ladder was shed before the takeover, the renditions change encoder settings (a new
     * init segment) at a discontinuity, which players follow and ffmpeg's HLS demuxer does not.
     */
    private static long decodedFramesAcrossDiscontinuities(Ffmpeg ffmpeg, String playlistUrl, Path dir) throws Exception {
        String base = playlistUrl.substring(0, playlistUrl.lastIndexOf('/') + 1);
        String text = new String(fetch(playlistUrl), java.nio.charset.StandardCharsets.UTF_8);
        String absolute = text.replaceAll("(?m)^(?!#)(\\S+)$", base + "$1").replaceAll("URI=\"(?!http)([^\"]+)\"", "URI=\"" + base + "$1\"");
        String[] runs = absolute.split("#EXT-X-DISCONTINUITY\n");
        String header = runs[0].substring(0, runs[0].indexOf("#EXT-X-MAP"));
        Files.createDirectories(dir);
        long frames = 0;
        String map = "";
        for (int i = 0; i < runs.length; i++) {
            java.util.regex.Matcher named = java.util.regex.Pattern.compile("(?m)^#EXT-X-MAP:.*$").matcher(runs[i]);
            String ownMap = named.find() ? named.group() : null;
            // A run whose init segment is the one before it does not name it again.
            String run = (i == 0 ? "" : header + (ownMap == null ? map + "\n" : "")) + runs[i]
                    + (runs[i].contains("#EXT-X-ENDLIST") ? "" : "#EXT-X-ENDLIST\n");
            map = ownMap == null ? map : ownMap;
            Path file = dir.resolve("run-" + i + ".m3u8");
            Files.writeString(file, run);
            frames += decodedFrames(ffmpeg, file.toString(), "-protocol_whitelist", "file,http,tcp");
        }
        return frames;
    }

    /** Frames decoded without an error; counted, since timestamps start afresh after a takeover. */
    private static long decodedFrames(Ffmpeg ffmpeg, String input, String... inputOptions) {
        AtomicLong frames = new AtomicLong();
        List<String> args = new ArrayList<>(List.of("-v", "error", "-xerror"));
        args.addAll(List.of(inputOptions));
        args.addAll(List.of("-i", input, "-map", "0:v:0", "-f", "null", "-"));
        try {
            ffmpeg.command("decode").args(args.toArray(String[]::new)).onProgress(p -> frames.set(p.frame())).run();
        } catch (FfmpegException e) {
            throw new AssertionError("decoding " + input + " failed: " + e.getMessage());
        }
        return frames.get();
    }

    private static List<String> variantUris(String master) {
        return master.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static List<ProcessHandle> awaitGone(List<ProcessHandle> processes, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && processes.stream().anyMatch(ProcessHandle::isAlive)) {
            Thread.sleep(100);
        }
        return processes.stream().filter(ProcessHandle::isAlive).toList();
    }

    private static String streamIdOf(String base) throws Exception {
        JsonNode live = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/live")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        List<String> channels = live.findValuesAsText("channel");
        assertThat(channels).contains(CHANNEL);
        return live.findValuesAsText("streamId").get(channels.indexOf(CHANNEL));
    }

    /** How long after the kill the stream's first announcement came, read back from {@code hls.updates}. */
    private static Duration firstAnnouncementAfter(Map<String, String> join, String streamId, Instant killedAt) {
        KafkaSettings kafka = new KafkaSettings(join.get("CASTPIPE_KAFKA_BOOTSTRAP"), "takeover-test", Duration.ofSeconds(15));
        Instant first = null;
        try (KafkaConsumer<String, byte[]> updates = new KafkaConsumer<>(kafka.consumer("takeover-test-" + streamId))) {
            updates.subscribe(List.of(new Topics("").name(Topic.HLS_UPDATES)));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (first == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : updates.poll(Duration.ofMillis(500))) {
                    HlsUpdate u = EventCodec.decode(r.value(), HlsUpdate.class);
                    if (u.streamId().equals(streamId) && u.at().isAfter(killedAt) && (first == null || u.at().isBefore(first))) {
                        first = u.at();
                    }
                }
            }
        }
        assertThat(first).as("the successor announced something").isNotNull();
        return Duration.between(killedAt, first);
    }

    private static void awaitVideoReady(String base, String streamId) throws Exception {
        JsonNode video = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < deadline) {
            video = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/videos/" + streamId)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (video.has("status") && video.get("status").asText().equals("ready")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the recording did not become a ready video: " + video);
    }

    private static String millis(Duration d) {
        return d == null ? "never" : d.toMillis() + " ms";
    }
}
