package io.castpipe.bench.reload;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.bench.LoopbackAcceptor;
import io.castpipe.bench.StdinCommands;

/**
 * The floor of the blocked-reloads benchmark: the least a server must do to hold blocking playlist
 * reloads and wake them, in a JVM of its own as {@link OriginProcess} is. A bare NIO HTTP/1.1
 * server on two selector threads (as many as the origin's IO threads), no framework, no Kafka:
 * it parks every request that carries {@code _HLS_msn}, answers any other one at once with the
 * current playlist, and on an {@code answer <k>} line on stdin writes one pre-encoded answer,
 * the playlist that lists part {@code k}, to every parked connection, then prints
 * {@code answered <k>}. Prints {@code ready <http-port>} once it listens; answers the
 * {@link StdinCommands} too and stops at the end of stdin. It serves that one playlist whatever
 * the path asked for.
 */
public final class FloorProcess {
    private static final int LOOPS = 2;
    private static final int BACKLOG = 4096;
    private static final Pattern ANSWER = Pattern.compile("answer (\\d{1,9})");

    private FloorProcess() {
    }

    public static void main(String[] args) throws Exception {
        FloorLoop[] loops = new FloorLoop[LOOPS];
        ByteBuffer first = answerListing(-1);
        for (int i = 0; i < LOOPS; i++) {
            loops[i] = new FloorLoop("floor-loop-" + i, first);
        }
        try (LoopbackAcceptor acceptor = LoopbackAcceptor.start("floor", BACKLOG,
                (channel, i) -> loops[i % loops.length].adopt(channel))) {
            StdinCommands.reply("ready " + acceptor.port());
            StdinCommands.answerUntilEnd(line -> {
                Matcher answer = ANSWER.matcher(line);
                if (!answer.matches()) {
                    return false;
                }
                answerParked(Integer.parseInt(answer.group(1)), loops);
                return true;
            });
        }
    }

    /** Hands the answer for part {@code k} to every loop, and says so once each has written it to all it holds. */
    private static void answerParked(int k, FloorLoop[] loops) throws InterruptedException {
        ByteBuffer answer = answerListing(k);
        CountDownLatch written = new CountDownLatch(loops.length);
        for (FloorLoop loop : loops) {
            loop.answerAll(answer, written);
        }
        written.await();
        StdinCommands.reply("answered " + k);
    }

    /** The whole response, status line to body, with the playlist that lists part {@code k}; read-only, to be duplicated per write. */
    static ByteBuffer answerListing(int k) {
        byte[] body = AnnouncedStream.playlist(k).getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.apple.mpegurl\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(head.length + body.length).put(head).put(body).flip().asReadOnlyBuffer();
    }
}
