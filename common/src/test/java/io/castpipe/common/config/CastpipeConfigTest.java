package io.castpipe.common.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CastpipeConfigTest {

    @Test
    void defaultsSelectTheEmbeddedServicesAndTheDocumentedPorts() {
        CastpipeConfig c = CastpipeConfig.from(Map.of());
        assertThat(c.port(Setting.HTTP_PORT)).isEqualTo(8080);
        assertThat(c.port(Setting.CHAT_PORT)).isEqualTo(8081);
        assertThat(c.port(Setting.RTMP_PORT)).isEqualTo(1935);
        assertThat(c.embeddedKafka()).isTrue();
        assertThat(c.embeddedS3()).isTrue();
        assertThat(c.embeddedDatabase()).isTrue();
        assertThat(c.dataDir().isAbsolute()).isTrue();
        assertThat(c.dataDir().getFileName().toString()).isEqualTo("data");
    }

    @Test
    void environmentOverridesDefaults() {
        CastpipeConfig c = CastpipeConfig.from(Map.of("CASTPIPE_HTTP_PORT", " 9999 ",
                "CASTPIPE_KAFKA_BOOTSTRAP", "kafka:9092", "CASTPIPE_S3_PATH_STYLE", "false"));
        assertThat(c.port(Setting.HTTP_PORT)).isEqualTo(9999);
        assertThat(c.embeddedKafka()).isFalse();
        assertThat(c.bool(Setting.S3_PATH_STYLE)).isFalse();
    }

    @Test
    void badValuesNameTheVariableAndTheFix() {
        CastpipeConfig c = CastpipeConfig.from(Map.of("CASTPIPE_HTTP_PORT", "80a", "CASTPIPE_RTMP_PORT", "70000",
                "CASTPIPE_S3_PATH_STYLE", "maybe"));
        assertThatThrownBy(() -> c.port(Setting.HTTP_PORT)).isInstanceOf(ConfigException.class)
                .hasMessage("CASTPIPE_HTTP_PORT=80a is not a whole number; set it to a number from 1 to 65535 "
                        + "or unset it for the default 8080");
        assertThatThrownBy(() -> c.port(Setting.RTMP_PORT)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> c.bool(Setting.S3_PATH_STYLE)).hasMessageContaining("CASTPIPE_S3_PATH_STYLE=maybe");
    }

    @Test
    void chatIsReachedOnTheChatNodeUnlessAProxyIsNamed() {
        assertThat(CastpipeConfig.from(Map.of("CASTPIPE_HOST", "tv.example.com")).chatPublicUrl())
                .isEqualTo("ws://tv.example.com:8081/chat/");
        assertThat(CastpipeConfig.from(Map.of("CASTPIPE_CHAT_PUBLIC_URL", "wss://tv.example.com/chat")).chatPublicUrl())
                .isEqualTo("wss://tv.example.com/chat/");
        assertThatThrownBy(() -> CastpipeConfig.from(Map.of("CASTPIPE_CHAT_PUBLIC_URL", "https://tv.example.com/chat/")).chatPublicUrl())
                .isInstanceOf(ConfigException.class).hasMessageContaining("CASTPIPE_CHAT_PUBLIC_URL must start with ws:// or wss://");
    }

    @Test
    void theReadmeTableListsEverySettingAsCastpipeConfigPrintsIt() throws Exception {
        List<String> documented = Files.readAllLines(Path.of("../README.md")).stream()
                .filter(line -> line.startsWith("| `CASTPIPE_")).toList();
        List<String> expected = Arrays.stream(Setting.values())
                .map(s -> "| `" + s.env() + "` | " + (s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`")
                        + " | " + s.description() + " |")
                .toList();
        assertThat(documented).containsExactlyElementsOf(expected);
    }

    @Test
    void everySettingHasAUniqueCastpipeVariableAndADescription() {
        assertThat(Setting.values()).extracting(Setting::env).doesNotHaveDuplicates()
                .allMatch(e -> e.startsWith("CASTPIPE_"));
        assertThat(Setting.values()).extracting(Setting::description).allMatch(d -> !d.isBlank());
    }
}
