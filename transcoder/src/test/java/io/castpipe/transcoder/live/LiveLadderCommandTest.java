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
                .args(LiveLadderCommand.args(rungs, 30, true, 1, 500, outputs, "veryfast"))
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
            assertThat(count(mp4, "moof")).as("fragments of %s", rungs.get(i).name()).isBetween(7, 10);
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

    private static byte[] readAll(ServerSocket server) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int count(byte[] b, String fourcc) {
        byte[] f = fourcc.getBytes();
        int n = 0;
        for (int i = 0; i + 4 <= b.length; i++) {
            if (b[i] == f[0] && b[i + 1] == f[1] && b[i + 2] == f[2] && b[i + 3] == f[3]) {
                n++;
            }
        }
        return n;
    }
}
