package io.castpipe.transcoder.live;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.transcoder.vod.LadderPlanner;
import io.castpipe.transcoder.vod.Rung;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live ladder's ffmpeg for real: RTMP-shaped FLV tags written to its stdin through
 * {@link FlvWriter}, fragmented MP4 read back from one loopback socket per rung.
 */
class LiveLadderCommandTest {
    private static final io.castpipe.packager.live.PartPlan PARTS = io.castpipe.packager.live.PartPlan.of(333, 30);
    private static Ffmpeg ffmpeg;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        dir = TestServices.tempDir("live-ladder");
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
    }

    @AfterAll
    static void tearDown() {
        ffmpeg.close();
    }

    @Test
    void flvTagsInFragmentedMp4PerRungOut() throws Exception {
        Path flv = dir.resolve("source.flv");
        ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=4",
                "-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60",
                "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
        List<Rung> rungs = LadderPlanner.plan(new SourceInfo("flv", 0, 1280, 720, 0, 30, "h264", "yuv420p", "aac", 0, 0));

        List<ServerSocket> servers = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<CompletableFuture<byte[]>> received = new ArrayList<>();
        for (int i = 0; i < rungs.size(); i++) {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            servers.add(server);
            outputs.add("tcp://127.0.0.1:" + server.getLocalPort());
            received.add(CompletableFuture.supplyAsync(() -> readAll(server)));
        }
        AtomicLong lastMs = new AtomicLong();
        FfmpegJob job = ffmpeg.command("live").withStdin()
                .args(LiveLadderCommand.args(new LadderEncoding(rungs, java.util.Set.of(), "veryfast", 30, true, 1,
                        PARTS.fragmentMicros(), 0), outputs))
                .onProgress(p -> lastMs.set(p.outTime().toMillis()))
                .start();
        try (OutputStream stdin = job.stdin()) {
            FlvWriter writer = new FlvWriter(stdin);
            writer.header(true, true);
            List<FlvFile.Tag> tags = FlvFile.read(flv).tags();
            for (FlvFile.Tag t : tags) {
                writer.tag(t.type(), t.timestamp(), t.body());
            }
            writer.flush();
            assertThat(tags).hasSizeGreaterThan(100);
        }
        job.await();

        for (int i = 0; i < rungs.size(); i++) {
            byte[] mp4 = received.get(i).get(30, TimeUnit.SECONDS);
            assertThat(new String(mp4, 4, 4)).as(rungs.get(i).name()).isEqualTo("ftyp");
            assertFragmentsAreParts(rungs.get(i).name(), mp4);
            Path out = dir.resolve(rungs.get(i).name() + ".mp4");
            Files.write(out, mp4);
            AtomicLong decoded = new AtomicLong();
            ffmpeg.command("decode").args("-v", "error", "-xerror", "-i", out.toString(), "-f", "null", "-")
                    .onProgress(p -> decoded.set(p.outTime().toMillis())).run();
            assertThat(decoded.get()).isBetween(3800L, 4200L);
        }
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    /**
     * Each fragment is an LL-HLS part: at most the part target, and at least 85 % of it unless it
     * is the last before a keyframe (the end of a segment) or of the stream.
     */
    private static void assertFragmentsAreParts(String rung, byte[] mp4) throws Exception {
        List<io.castpipe.packager.cmaf.Fragment> fragments = new ArrayList<>();
        try (io.castpipe.packager.cmaf.Fmp4Reader reader = new io.castpipe.packager.cmaf.Fmp4Reader(new java.io.ByteArrayInputStream(mp4))) {
            reader.init();
            io.castpipe.packager.cmaf.Fragment f;
            while ((f = reader.next()) != null) {
                fragments.add(f);
            }
        }
        assertThat(fragments).as(rung).hasSizeBetween(12, 16);
        double target = PARTS.targetSeconds();
        for (int i = 0; i < fragments.size(); i++) {
            double d = fragments.get(i).durationSeconds();
            assertThat(d).as("%s part %d", rung, i).isLessThanOrEqualTo(target);
            boolean endsSegment = i == fragments.size() - 1 || fragments.get(i + 1).independent();
            if (!endsSegment) {
                assertThat(d).as("%s part %d", rung, i).isGreaterThanOrEqualTo(0.85 * target);
            }
        }
    }

    private static byte[] readAll(ServerSocket server) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
