package io.castpipe.chat.room;

/**
 * Who wrote each of a room's last {@link #SIZE} messages, by message id: what a moderator's
 * delete is checked against once the message has left the history. Built from the room's records
 * like the rest of the room, so every node knows the same, and a node rebuilt from the log after
 * a restart knows it again. A ring, searched from the newest: deletes are rare, and a map would
 * double what each entry costs (about 120 bytes as it is).
 */
final class MessageAuthors {
    /** Five times what the watch page shows, which is what moderators act on. */
    static final int SIZE = 1_000;

    private final String[] ids = new String[SIZE];
    private final String[] authors = new String[SIZE];
    private int next;

    void add(String messageId, String authorId) {
        ids[next] = messageId;
        authors[next] = authorId;
        next = (next + 1) % SIZE;
    }

    /** The author's user id, or null when the message is not among the last {@link #SIZE}. */
    String authorOf(String messageId) {
        for (int k = 1; k <= SIZE; k++) {
            int i = Math.floorMod(next - k, SIZE);
            if (ids[i] == null) {
                return null;
            }
            if (ids[i].equals(messageId)) {
                return authors[i];
            }
        }
        return null;
    }
}
