package io.castpipe.chat.room;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import io.castpipe.chat.protocol.ChatMessage;

/** The last {@link #SIZE} visible messages of a room, oldest first; a deleted message leaves it. */
final class History {
    static final int SIZE = 50;

    private final Deque<ChatMessage> messages = new ArrayDeque<>(SIZE);

    /** False when the message is already there (a record read twice). */
    boolean add(ChatMessage m) {
        if (find(m.id()).isPresent()) {
            return false;
        }
        if (messages.size() == SIZE) {
            messages.removeFirst();
        }
        messages.addLast(m);
        return true;
    }

    boolean remove(String id) {
        return messages.removeIf(m -> m.id().equals(id));
    }

    Optional<ChatMessage> find(String id) {
        return messages.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    List<ChatMessage> snapshot() {
        return List.copyOf(messages);
    }
}
