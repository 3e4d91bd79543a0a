package io.castpipe.chat;

import java.net.InetAddress;
import java.net.ServerSocket;

import io.castpipe.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chat listener's start-up failure says what to change. */
class ChatPortTest {

    @Test
    void aChatPortInUseIsAConfigurationErrorNamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> ChatNode.start("port-clash", ChatLimits.DEFAULTS, taken.getLocalPort()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("chat port " + taken.getLocalPort()
                            + " is already in use; stop what holds it or set CASTPIPE_CHAT_PORT to a free port");
        }
    }
}
