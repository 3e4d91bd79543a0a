package io.castpipe.chat.protocol;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientFramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void controlDirectionAndUnpairedSurrogateCharactersAreRefused() {
        List<Integer> refused = new ArrayList<>();
        for (int c = 0; c <= 0x1F; c++) {
            refused.add(c);
        }
        for (int c = 0x7F; c <= 0x9F; c++) {
            refused.add(c);
        }
        for (int c = 0x202A; c <= 0x202E; c++) {
            refused.add(c);
        }
        for (int c = 0x2066; c <= 0x2069; c++) {
            refused.add(c);
        }
        refused.addAll(List.of(0x2028, 0x2029, 0xD800, 0xDBFF, 0xDC00, 0xDFFF));
        for (int c : refused) {
            String frame = "{\"type\":\"message\",\"text\":\"a\\u" + String.format("%04x", c) + "b\"}";
            assertThatThrownBy(() -> ClientFrames.parse(frame)).as("U+%04X", c)
                    .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.code()).isEqualTo("invalid_text"));
        }
        // A high surrogate followed by another high one is no pair either.
        assertThatThrownBy(() -> ClientFrames.parse("{\"type\":\"message\",\"text\":\"\\ud83d\\ud83d\"}"))
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.code()).isEqualTo("invalid_text"));
    }

    @Test
    void everyLanguageEmojiAndJoinersPass() throws Exception {
        for (String text : List.of("héllo wörld", "日本語のチャット", "مرحبا بالعالم", "שלום", "👍🏽 👨‍👩‍👧 🇫🇷",
                "a\u200Db", "a\u00A0b", "<script>")) {
            String frame = JSON.writeValueAsString(java.util.Map.of("type", "message", "text", text));
            assertThat(ClientFrames.parse(frame)).as(text).isEqualTo(new ClientFrame.Post(text));
        }
    }
}
