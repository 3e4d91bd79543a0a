package io.castpipe.transcoder.live;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.LatencyMode;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.packager.cmaf.InitSegment;
import io.castpipe.packager.live.LiveOptions;
import io.castpipe.packager.live.PartPlan;
import io.castpipe.transcoder.StoredRendition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One live stream taken through every {@link LadderStep} and back while it plays, with real
 * ffmpeg, packager and storage: each move is seamless, every rendition's playlist goes on,
 * the renditions a step does not encode carry the source (told by its codec profile), and the
 * recording has every second once.
 */
class LadderStepsTest {
    private static final String SOURCE = "avc1.4d"; // the publisher's Main profile
    private static final String CONFIGURED = "avc1.64"; // the ladder's High on superfast
    private static final String FASTEST = "avc1.42"; // x264 ultrafast has no High tools: Constrained Baseline

    @Test
    void aLiveLadderGoesDownEveryStepAndBackWithEveryRenditionGoingOn() throws Exception {
        try (LiveTestWorld world = LiveTestWorld.open("ladder-steps", 0)) {
            Path dir = world.dir;
            S3ObjectStore store = world.store;
            Ffmpeg ffmpeg = world.ffmpeg;
            Path flv = dir.resolve("source.flv");
            ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30:duration=32",
                    "-f", "lavfi", "-i", "sine=duration=32", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
                    "-g", "30", "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
            String streamId = Ids.newId();
            LiveOptions options = LiveOptions.from(CastpipeConfig.from(Map.of()), LatencyMode.LOW);
            LiveSettings settings = new LiveSettings(1, options.parts(LiveStreamSession.FRAME_RATE).map(PartPlan::fragmentMicros)
                    .orElseThrow(), "superfast", false);
            long start = System.currentTimeMillis();
            Map<String, Long> stored = new ConcurrentHashMap<>();
            LiveMaster[] master = new LiveMaster[1];
            LiveStreamSession session = new LiveStreamSession(streamId, "channel000000001", ffmpeg, settings,
                    (rungs, firstFrameMs, handovers, standby) -> {
                        if (!standby) {
                            master[0] = new LiveMaster(store, streamId, rungs, LiveStreamSession.FRAME_RATE);
                        }
                        return new LiveRenditionPackager(store, streamId, options, start + firstFrameMs, master[0], u -> { },
                                (rung, until) -> stored.put(rung, until.toEpochMilli() - start), handovers, standby);
                    }, () -> stored.size() < 2 ? -1 : Collections.min(stored.values()), (asked, rungs, mpx) -> asked);

            List<LadderStep> plan = new ArrayList<>(List.of(LadderStep.FEWER_RUNGS, LadderStep.PASSTHROUGH, LadderStep.CONFIGURED));
            List<String> moves = new ArrayList<>();
            long nextMoveAt = 6000;
            for (FlvFile.Tag t : LiveTestMedia.withConfigBeforeKeyframes(FlvFile.read(flv).tags())) {
                long wait = start + t.timestamp() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait); // as fast as a live publisher, no faster
                }
                session.accept(LiveTestMedia.toTag(streamId, t, start, LatencyMode.LOW));
                Duration switching = session.switching();
                if (session.check()) {
                    moves.add(session.step().label() + " in " + switching.toMillis() + " ms");
                    nextMoveAt = t.timestamp() + 2000;
                } else if (switching == null && !plan.isEmpty() && t.timestamp() >= nextMoveAt) {
                    LadderStep to = plan.get(0);
                    assertThat(session.switchTo(to, to != LadderStep.CONFIGURED)).as("a standby for " + to).isTrue();
                    plan.remove(0);
                }
            }
            session.finish();
            System.out.println("ladder steps: " + moves);
            assertThat(moves).as("each step taken over by its standby").hasSize(3);
            assertThat(session.step()).isEqualTo(LadderStep.CONFIGURED);

            String prefix = ObjectKeys.livePrefix(streamId);
            LiveTestMedia.awaitEnded(store, prefix + "360p/index.m3u8");
            // 480p: the ladder's, the source twice, the ladder's again; 360p encoded but at passthrough.
            assertProfiles(store, prefix + "480p/", List.of(CONFIGURED, SOURCE, SOURCE, CONFIGURED));
            assertProfiles(store, prefix + "360p/", List.of(CONFIGURED, FASTEST, SOURCE, CONFIGURED));
            for (String rendition : List.of("480p", "360p")) {
                Path local = StoredRendition.download(store, prefix + rendition + "/", dir.resolve(rendition));
                String vod = Files.readString(local.resolve("vod.m3u8"));
                double step = LiveTestMedia.largestDateStepAtDiscontinuities(vod);
                double recorded = StoredRendition.decodedSecondsAcrossDiscontinuities(ffmpeg, local.resolve("vod.m3u8"));
                System.out.printf("ladder steps: %s recorded %.1f s of 32, dates off by %.3f s at the moves%n", rendition, recorded, step);
                assertThat(step).as(rendition + ": seconds missing or shown twice at a move").isLessThan(0.05);
                assertThat(recorded).as(rendition + ": the recording, every second once").isBetween(31.5, 32.6);
            }
        }
    }

    /** The codec profile of each init segment the rendition's recording names, in order. */
    private static void assertProfiles(S3ObjectStore store, String folder, List<String> expected) throws Exception {
        String vod = LiveTestMedia.awaitEnded(store, folder + "vod.m3u8");
        List<String> profiles = new ArrayList<>();
        for (String init : Pattern.compile("#EXT-X-MAP:URI=\"([^\"]+)\"").matcher(vod).results().map(m -> m.group(1)).toList()) {
            String codec = InitSegment.codecs(store.get(folder + init).readAllBytes()).get(0);
            profiles.add(codec.substring(0, SOURCE.length()));
        }
        assertThat(profiles).as(folder).isEqualTo(expected);
    }
}
