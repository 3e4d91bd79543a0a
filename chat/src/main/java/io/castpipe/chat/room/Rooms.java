package io.castpipe.chat.room;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.castpipe.chat.metrics.ChatMeters;
import io.castpipe.common.events.ChatEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms this node knows, by channel name. A room is opened by its first client here and closed
 * by its last, but what it holds (history, moderation) stays for the clients to come, up to
 * {@link #MAX_ROOMS} rooms: beyond that the rooms without clients that were quiet the longest are
 * forgotten. A room with nothing to keep goes with its last client.
 */
public final class Rooms {
    private static final Logger log = LoggerFactory.getLogger(Rooms.class);
    public static final int MAX_ROOMS = 1_000;

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ChatMeters meters;

    public Rooms(ChatMeters meters) {
        this.meters = meters;
    }

    /** Puts the client in the channel's room, which it gets its history from. */
    public Room join(String channel, Member m) {
        return rooms.compute(channel, (name, existing) -> {
            Room room = existing != null ? existing : new Room(name, meters);
            if (room.join(m)) {
                meters.rooms().incrementAndGet();
                log.info("chat {}: room opened on this node", name);
            }
            return room;
        });
    }

    public void leave(Room room, Member m) {
        rooms.computeIfPresent(room.channel(), (name, current) -> {
            if (current != room) {
                return current;
            }
            if (room.leave(m)) {
                meters.rooms().decrementAndGet();
                log.info("chat {}: room closed on this node (its last client left)", name);
            }
            return room.isIdle() ? null : room;
        });
    }

    /** @see Room#apply */
    public void apply(ChatEvent e, boolean live) {
        rooms.compute(e.channel(), (name, existing) -> {
            Room room = existing != null ? existing : new Room(name, meters);
            room.apply(e, live);
            return room;
        });
        if (rooms.size() > MAX_ROOMS) {
            forgetQuietest();
        }
    }

    /** Sends what every room has encoded since the last time (see {@link Room#flush}). */
    public void flush(Executor helper) {
        rooms.values().forEach(room -> room.flush(helper));
    }

    public void forEachOpen(Consumer<Room> action) {
        rooms.values().stream().filter(Room::hasMembers).forEach(action);
    }

    /** Makes a tenth of the bound free, so this runs once per many new rooms, not per record. */
    private void forgetQuietest() {
        List<Room> quiet = rooms.values().stream().filter(r -> !r.hasMembers())
                .sorted(Comparator.comparingLong(Room::lastActivityNanos)).toList();
        int excess = rooms.size() - MAX_ROOMS + MAX_ROOMS / 10;
        int forgotten = 0;
        for (Room r : quiet.subList(0, Math.min(excess, quiet.size()))) {
            if (rooms.computeIfPresent(r.channel(), (name, current) -> current == r && !r.hasMembers() ? null : current) == null) {
                forgotten++;
            }
        }
        log.warn("forgot the chat history and moderation of {} rooms without clients, the quietest ({} rooms kept at most)",
                forgotten, MAX_ROOMS);
    }
}
