package io.castpipe.api.channels;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.api.streams.LiveControl;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.media.Ids;

/**
 * {@code /api/channels}: a user creates channels, each with the stream key OBS publishes
 * with; anyone may read a channel, only its owner (or the admin) sees and rotates the key.
 */
public final class ChannelsEndpoint {
    /** Channel names appear in URLs ({@code /live/{name}/…}, {@code /watch/{name}}): kept plain. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{2,31}");

    /** True for a string that could name a channel. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static final Set<String> LATENCIES = Set.of("low", "normal", "high");
    private static final int MAX_TITLE = 200;
    private static final int LIST_LIMIT = 1000;

    private final ChannelRepository channels;
    private final ChannelLookup lookup;
    private final ChannelUrls urls;
    private final LiveControl control;

    public ChannelsEndpoint(ChannelRepository channels, ChannelUrls urls, LiveControl control) {
        this.channels = channels;
        this.lookup = new ChannelLookup(channels);
        this.urls = urls;
        this.control = control;
    }

    public void create(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("a channel belongs to a user: create it with that user's token");
        JsonFields fields = new JsonFields(request.json());
        String name = fields.requiredText("name").trim();
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid_field",
                    "'name' must be 3-32 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        }
        String title = fields.text("title").map(String::trim).orElse(name);
        if (title.isEmpty() || title.length() > MAX_TITLE) {
            throw ApiException.badRequest("invalid_field", "'title' must be 1-" + MAX_TITLE + " characters");
        }
        String latency = fields.text("latency").orElse("normal");
        if (!LATENCIES.contains(latency)) {
            throw ApiException.badRequest("invalid_field", "'latency' must be low, normal or high");
        }
        Channel channel = new Channel(Ids.newId(), name, caller.userId(), title, latency, Channel.newStreamKey(), Instant.now());
        if (!channels.create(channel)) {
            throw ApiException.conflict("name_taken", "a channel named '" + name + "' already exists");
        }
        JsonResponses.send(request.exchange(), 201, view(channel, true));
    }

    /** Every channel by name, or with {@code mine=true} the caller's own. */
    public void list(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        boolean mine = request.flag("mine");
        if (mine) {
            caller.requireUser("'mine' lists a user's channels: ask with that user's token");
        }
        List<Map<String, Object>> items = (mine ? channels.listOwnedBy(caller.userId(), LIST_LIMIT) : channels.list(LIST_LIMIT)).stream()
                .map(c -> view(c, c.manageableBy(caller))).toList();
        JsonResponses.send(request.exchange(), 200, Map.of("items", items));
    }

    public void get(ApiRequest request) throws Exception {
        Channel channel = lookup.find(request.pathParam("name"));
        JsonResponses.send(request.exchange(), 200, view(channel, channel.manageableBy(request.caller())));
    }

    /**
     * Rotation takes effect at once: the next publish must use the new key, and a stream live with
     * the old one is ended (the order goes to the ingest nodes once the database has the new key).
     */
    public void rotateKey(ApiRequest request) throws Exception {
        Channel channel = lookup.manageable(request.pathParam("name"), request.caller());
        String key = Channel.newStreamKey();
        channels.setStreamKey(channel.id(), key);
        control.endChannel(channel.id(), StreamControl.KEY_ROTATED);
        JsonResponses.send(request.exchange(), 200, Map.of("streamKey", key));
    }

    private Map<String, Object> view(Channel c, boolean withKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", c.id());
        body.put("name", c.name());
        body.put("title", c.title());
        body.put("latency", c.latency());
        if (withKey) {
            body.put("streamKey", c.streamKey());
        }
        body.put("rtmpUrl", urls.rtmp());
        body.put("playbackUrl", urls.playback(c.name()));
        body.put("chatUrl", urls.chat(c.name()));
        body.put("createdAt", c.createdAt().toString());
        return body;
    }
}
