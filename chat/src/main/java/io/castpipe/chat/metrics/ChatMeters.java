package io.castpipe.chat.metrics;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a chat node counts, scraped at {@code /metrics}: {@code castpipe_chat_connections} and
 * {@code castpipe_chat_rooms} (rooms with a client on this node) now; {@code castpipe_chat_messages_total}
 * taken from clients ({@code direction="in"}) and delivered to them ({@code "out"}, one per client);
 * {@code castpipe_chat_refused_total{code}} frames answered with an error; {@code castpipe_chat_drops_total{reason}}
 * connections cut off (too slow, flooding).
 */
public final class ChatMeters {
    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger rooms = new AtomicInteger();
    private final Counter messagesIn;
    private final Counter messagesOut;

    public ChatMeters(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("castpipe.chat.connections", connections);
        registry.gauge("castpipe.chat.rooms", rooms);
        this.messagesIn = Counter.builder("castpipe.chat.messages").tag("direction", "in")
                .description("chat messages taken from clients and published").register(registry);
        this.messagesOut = Counter.builder("castpipe.chat.messages").tag("direction", "out")
                .description("chat messages delivered to clients, one per client").register(registry);
    }

    public AtomicInteger connections() {
        return connections;
    }

    public AtomicInteger rooms() {
        return rooms;
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void messagesOut(int clients) {
        messagesOut.increment(clients);
    }

    public void refused(String code) {
        Counter.builder("castpipe.chat.refused").tag("code", code).register(registry).increment();
    }

    public void dropped(String reason) {
        Counter.builder("castpipe.chat.drops").tag("reason", reason).register(registry).increment();
    }
}
