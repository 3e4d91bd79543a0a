package io.castpipe.api.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.channels.Channel;
import io.castpipe.api.channels.ChannelLookup;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.common.events.ChatEvent;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;

/**
 * {@code /api/channels/{name}/chat} (owner or admin): the words the channel's chat refuses. A new
 * list goes to the chat nodes as a BLOCKED_WORDS record on the {@code chat} topic.
 */
public final class ChatSettingsEndpoint {
    static final int MAX_WORDS = 200;
    static final int MAX_WORD_LENGTH = 50;

    private final ChannelLookup channels;
    private final ChatSettingsRepository settings;
    private final EventPublisher publisher;

    public ChatSettingsEndpoint(ChannelLookup channels, ChatSettingsRepository settings, EventPublisher publisher) {
        this.channels = channels;
        this.settings = settings;
        this.publisher = publisher;
    }

    public void get(ApiRequest request) throws Exception {
        Channel channel = channels.manageable(request.pathParam("name"), request.caller());
        respond(request, settings.blockedWords(channel.id()));
    }

    public void put(ApiRequest request) throws Exception {
        Channel channel = channels.manageable(request.pathParam("name"), request.caller());
        List<String> words = blockedWords(new JsonFields(request.json()));
        String by = request.caller().isAdmin() ? "admin" : request.caller().userId();
        ChatEvent event = ChatEvent.blockedWords(channel.name(), words, by, "api");
        settings.replaceBlockedWords(channel.id(), words, () -> {
            publisher.publishDurably(Topic.CHAT_STATE, event.stateKey(), event);
            publisher.publishDurably(Topic.CHAT, channel.name(), event);
        });
        respond(request, words);
    }

    private static List<String> blockedWords(JsonFields body) {
        JsonNode list = body.node("blockedWords")
                .orElseThrow(() -> ApiException.badRequest("missing_field", "'blockedWords' is required"));
        if (!list.isArray()) {
            throw ApiException.badRequest("invalid_field", "'blockedWords' must be an array of words");
        }
        if (list.size() > MAX_WORDS) {
            throw ApiException.badRequest("invalid_field", "'blockedWords' may hold at most " + MAX_WORDS + " words");
        }
        List<String> words = new ArrayList<>();
        for (JsonNode word : list) {
            if (!word.isTextual() || !isWord(word.asText())) {
                throw ApiException.badRequest("invalid_field", "each of 'blockedWords' must be 1-" + MAX_WORD_LENGTH
                        + " characters without spaces or control characters: " + abbreviate(word.toString()));
            }
            words.add(word.asText());
        }
        return words;
    }

    private static boolean isWord(String s) {
        int length = s.codePointCount(0, s.length());
        return length >= 1 && length <= MAX_WORD_LENGTH
                && s.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c));
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    private static void respond(ApiRequest request, List<String> words) {
        JsonResponses.send(request.exchange(), 200, Map.of("blockedWords", words));
    }
}
