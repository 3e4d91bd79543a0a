package io.castpipe.bench.chat;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castpipe.bench.LoopbackAcceptor;
import io.castpipe.bench.StdinCommands;

/**
 * The floor for {@link ChatBench}: what any chat server would pay on this machine to fan one
 * room's messages out to the same clients. A bare WebSocket server in a JVM of its own, on two
 * selector threads like a chat node, with nothing else: no Kafka, no tokens, no moderation, no
 * JSON parsing. A client's text frame {@code {"type":"message","text":"…"}} becomes the frame
 * {@code {"type":"message","text":"…"}} for everyone; like a chat node's rooms, the frames of
 * each {@link FloorChatRoom#TICK} go out together, one write per client.
 * Prints {@code ready <port>}, then answers the {@link StdinCommands} until stdin ends.
 */
public final class FloorChatProcess {
    private static final int LOOPS = 2;
    private static final int BACKLOG = 4096;

    private FloorChatProcess() {
    }

    public static void main(String[] args) throws Exception {
        FloorChatRoom room = new FloorChatRoom(LOOPS);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long tick = FloorChatRoom.TICK.toMillis();
        ticker.scheduleAtFixedRate(room::flush, tick, tick, TimeUnit.MILLISECONDS);
        try (LoopbackAcceptor acceptor = LoopbackAcceptor.start("floor-chat", BACKLOG, room::adopt)) {
            StdinCommands.reply("ready " + acceptor.port());
            StdinCommands.answerUntilEnd(StdinCommands.NONE);
        } finally {
            ticker.shutdownNow();
        }
    }
}
