package io.castpipe.api.chat;

import java.time.Instant;
import java.util.Map;

import io.castpipe.api.channels.Channel;
import io.castpipe.api.channels.ChannelLookup;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.users.UserRepository;
import io.castpipe.common.http.JsonResponses;

/**
 * {@code /api/channels/{name}/moderators}: the owner (or the admin) names the users who may
 * moderate the channel's chat. A change shows in the next chat token a user asks for.
 */
public final class ModeratorsEndpoint {
    public static final int MAX_PER_CHANNEL = 100;

    private final ChannelLookup channels;
    private final ModeratorRepository moderators;
    private final UserRepository users;

    public ModeratorsEndpoint(ChannelLookup channels, ModeratorRepository moderators, UserRepository users) {
        this.channels = channels;
        this.moderators = moderators;
        this.users = users;
    }

    public void add(ApiRequest request) throws Exception {
        Channel channel = channels.manageable(request.pathParam("name"), request.caller());
        String userId = request.id("userId");
        if (users.findName(userId).isEmpty()) {
            throw ApiException.notFound("no user " + userId);
        }
        if (userId.equals(channel.ownerId())) {
            throw ApiException.badRequest("owner_moderates", "the channel's owner moderates its chat already");
        }
        if (!moderators.add(channel.id(), userId, MAX_PER_CHANNEL, Instant.now())) {
            throw ApiException.conflict("too_many_moderators",
                    "a channel may have at most " + MAX_PER_CHANNEL + " moderators; remove one first");
        }
        noContent(request);
    }

    public void remove(ApiRequest request) throws Exception {
        Channel channel = channels.manageable(request.pathParam("name"), request.caller());
        moderators.remove(channel.id(), request.id("userId"));
        noContent(request);
    }

    public void list(ApiRequest request) throws Exception {
        Channel channel = channels.manageable(request.pathParam("name"), request.caller());
        JsonResponses.send(request.exchange(), 200, Map.of("items", moderators.list(channel.id(), MAX_PER_CHANNEL)));
    }

    private static void noContent(ApiRequest request) {
        request.exchange().setStatusCode(204);
        request.exchange().endExchange();
    }
}
