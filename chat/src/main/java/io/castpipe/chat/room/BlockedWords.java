package io.castpipe.chat.room;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A channel's blocked words, matched case-insensitively as whole words: "Darn" is caught in
 * "oh DARN it" but not in "darning". An entry of several words matches them in a row. Bounded to
 * {@link #MAX_WORDS} entries of at most {@link #MAX_WORD_CHARS} characters.
 */
final class BlockedWords {
    static final int MAX_WORDS = 1000;
    static final int MAX_WORD_CHARS = 100;
    static final BlockedWords NONE = new BlockedWords(Set.of());
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private final Set<String> words;

    private BlockedWords(Set<String> words) {
        this.words = words;
    }

    /** The usable entries of {@code list}: normalised, without blanks and repeats, cut to the bounds. */
    static BlockedWords of(List<String> list) {
        Set<String> words = new LinkedHashSet<>();
        for (String w : list) {
            if (words.size() == MAX_WORDS) {
                break;
            }
            if (w != null && w.length() <= MAX_WORD_CHARS) {
                String n = normalise(w);
                if (!n.isBlank()) {
                    words.add(n.trim());
                }
            }
        }
        return new BlockedWords(Set.copyOf(words));
    }

    boolean isEmpty() {
        return words.isEmpty();
    }

    boolean blocks(String text) {
        if (words.isEmpty()) {
            return false;
        }
        String padded = " " + normalise(text).trim() + " ";
        for (String w : words) {
            if (padded.contains(" " + w + " ")) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, every run of what is not a letter or digit one space. */
    private static String normalise(String s) {
        return NOT_WORD.matcher(s.toLowerCase(Locale.ROOT)).replaceAll(" ");
    }
}
