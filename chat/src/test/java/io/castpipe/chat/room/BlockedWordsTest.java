package io.castpipe.chat.room;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlockedWordsTest {

    @Test
    void wordsMatchWholeAndInAnyCaseWhateverSurroundsThem() {
        BlockedWords words = BlockedWords.of(List.of("darn", "Heck off", "Ärger"));
        assertThat(words.blocks("oh DARN it")).isTrue();
        assertThat(words.blocks("darn")).isTrue();
        assertThat(words.blocks("(darn!)")).isTrue();
        assertThat(words.blocks("well...heck,   OFF you go")).isTrue();
        assertThat(words.blocks("kein ärger hier")).isTrue();
        assertThat(words.blocks("darning socks")).isFalse();
        assertThat(words.blocks("undarn")).isFalse();
        assertThat(words.blocks("heck, get off")).isFalse();
    }

    @Test
    void blankOverlongAndSurplusEntriesAreDropped() {
        List<String> list = new ArrayList<>(Arrays.asList("", "   ", null, "x".repeat(BlockedWords.MAX_WORD_CHARS + 1), "!!!"));
        assertThat(BlockedWords.of(list).isEmpty()).isTrue();
        for (int i = 0; i < BlockedWords.MAX_WORDS + 10; i++) {
            list.add("word" + i);
        }
        BlockedWords words = BlockedWords.of(list);
        assertThat(words.blocks("word" + (BlockedWords.MAX_WORDS - 1))).isTrue();
        assertThat(words.blocks("word" + BlockedWords.MAX_WORDS)).as("beyond the bound").isFalse();
    }
}
