package io.castpipe.api.chat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.streams.LiveStream;
import io.castpipe.api.streams.StreamRepository;
import io.castpipe.api.videos.VideoLookup;
import io.castpipe.common.http.JsonResponses;

/**
 * {@code GET /api/videos/{id}/chat?from=&to=&limit=}: the chat of the broadcast a video recorded,
 * by stream time. A finished live stream becomes the video with the stream's id, so the video's
 * chat is its channel's messages from the stream's start until its end (now, while still live),
 * deleted ones left out. {@code from} and {@code to} are seconds since the start, {@code to}
 * excluded; a page that stops short says where to go on in {@code nextFrom}. A video that was
 * never a broadcast has no chat: an empty page.
 */
public final class ChatReplayEndpoint {
    static final int MAX_LIMIT = 500;
    /** Far beyond any broadcast; larger values of from and to mean the same. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(1_000_000_000L);
    private static final int MAX_NUMBER_LENGTH = 32;

    private final VideoLookup videos;
    private final StreamRepository streams;
    private final ChatMessageRepository messages;

    public ChatReplayEndpoint(VideoLookup videos, StreamRepository streams, ChatMessageRepository messages) {
        this.videos = videos;
        this.streams = streams;
        this.messages = messages;
    }

    public void get(ApiRequest request) throws Exception {
        String id = request.id("id");
        request.about(id);
        videos.visible(id, request.caller());
        BigDecimal from = seconds(request, "from").orElse(BigDecimal.ZERO);
        BigDecimal to = seconds(request, "to").orElse(MAX_SECONDS);
        if (from.compareTo(to) > 0) {
            throw ApiException.badRequest("invalid_query", "'from' must not be after 'to'");
        }
        int limit = request.query("limit").map(ChatReplayEndpoint::limit).orElse(MAX_LIMIT);
        Optional<LiveStream> broadcast = streams.find(id);
        Map<String, Object> body = new LinkedHashMap<>();
        if (broadcast.isEmpty()) {
            body.put("items", List.of());
            JsonResponses.send(request.exchange(), 200, body);
            return;
        }
        Instant start = broadcast.get().startedAt();
        Instant until = start.plus(micros(to), ChronoUnit.MICROS);
        if (broadcast.get().endedAt() != null && broadcast.get().endedAt().isBefore(until)) {
            until = broadcast.get().endedAt();
        }
        List<ChatMessage> rows = messages.between(broadcast.get().channelId(), start.plus(micros(from), ChronoUnit.MICROS),
                until, limit + 1);
        List<ChatMessage> page = rows;
        Instant nextFrom = null;
        if (rows.size() > limit) {
            // nextFrom is a time, so a page must not end inside a run of messages sent at one instant.
            nextFrom = rows.get(limit).sentAt();
            page = rows.subList(0, limit);
            int end = limit;
            while (end > 0 && !page.get(end - 1).sentAt().isBefore(nextFrom)) {
                end--;
            }
            if (end > 0) {
                page = page.subList(0, end);
            } else {
                // more than a page at one microsecond: the rest of that microsecond is skipped
                nextFrom = nextFrom.plus(1, ChronoUnit.MICROS);
            }
        }
        body.put("items", page.stream().map(m -> item(m, start)).toList());
        if (nextFrom != null) {
            body.put("nextFrom", offsetSeconds(start, nextFrom));
        }
        JsonResponses.send(request.exchange(), 200, body);
    }

    private static Map<String, Object> item(ChatMessage m, Instant start) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", m.id());
        item.put("user", m.userName());
        item.put("userId", m.userId());
        item.put("text", m.text());
        item.put("ts", m.sentAt().toString());
        item.put("offsetSeconds", offsetSeconds(start, m.sentAt()));
        return item;
    }

    private static double offsetSeconds(Instant start, Instant at) {
        return Duration.between(start, at).toNanos() / 1000 / 1e6;
    }

    private static Optional<BigDecimal> seconds(ApiRequest request, String name) {
        Optional<String> raw = request.query(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        BigDecimal value = null;
        if (raw.get().length() <= MAX_NUMBER_LENGTH) {
            try {
                value = new BigDecimal(raw.get());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        if (value == null || value.signum() < 0) {
            throw ApiException.badRequest("invalid_query", "'" + name + "' must be a number of seconds from 0, like 90 or 12.5");
        }
        return Optional.of(value.min(MAX_SECONDS));
    }

    /** Whole microseconds, rounded up: the database keeps times to the microsecond. */
    private static long micros(BigDecimal seconds) {
        return seconds.setScale(6, RoundingMode.CEILING).movePointRight(6).longValueExact();
    }

    private static int limit(String raw) {
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1) {
                return Math.min(n, MAX_LIMIT);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("invalid_query", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
    }
}
