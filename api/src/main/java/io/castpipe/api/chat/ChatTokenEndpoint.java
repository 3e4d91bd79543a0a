package io.castpipe.api.chat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.channels.Channel;
import io.castpipe.api.channels.ChannelLookup;
import io.castpipe.api.channels.ChannelUrls;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.api.users.UserRepository;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.http.JsonResponses;

/**
 * {@code POST /api/chat/token {"channel"}}: a user's signed permission to post in one channel's
 * chat, with their role there: owner, a moderator the owner named, or viewer.
 */
public final class ChatTokenEndpoint {
    private final ChannelLookup channels;
    private final ModeratorRepository moderators;
    private final UserRepository users;
    private final ChatTokens tokens;
    private final ChannelUrls urls;
    private final Duration validity;

    public ChatTokenEndpoint(ChannelLookup channels, ModeratorRepository moderators, UserRepository users,
                             ChatTokens tokens, ChannelUrls urls, Duration validity) {
        this.channels = channels;
        this.moderators = moderators;
        this.users = users;
        this.tokens = tokens;
        this.urls = urls;
        this.validity = validity;
    }

    public void issue(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("a chat token names a user: ask with that user's token");
        Channel channel = channels.find(new JsonFields(request.json()).requiredText("channel"));
        String userName = users.findName(caller.userId())
                .orElseThrow(() -> ApiException.unauthorized("the bearer token's user no longer exists"));
        ChatTokens.Role role = channel.ownerId().equals(caller.userId()) ? ChatTokens.Role.OWNER
                : moderators.isModerator(channel.id(), caller.userId()) ? ChatTokens.Role.MODERATOR
                : ChatTokens.Role.VIEWER;
        // The token carries whole seconds; the answer says exactly when it stops working.
        Instant expiresAt = Instant.now().plus(validity).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", tokens.issue(channel.name(), caller.userId(), userName, role, channel.ownerId(), expiresAt));
        body.put("expiresAt", expiresAt.toString());
        body.put("role", role.name().toLowerCase(Locale.ROOT));
        body.put("chatUrl", urls.chat(channel.name()));
        JsonResponses.send(request.exchange(), 200, body);
    }
}
