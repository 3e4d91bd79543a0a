package io.castpipe.common.config;

import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretPolicyTest {

    @Test
    void aGeneratedSecretPasses() {
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            assertThat(SecretPolicy.problem(Base64.getUrlEncoder().withoutPadding().encodeToString(b))).isNull();
        }
        assertThat(SecretPolicy.problem("Zr9-4Lq_2mXv8TpWc3NkHs7YbD5fJgAe")).isNull();
    }

    @Test
    void shortSecretsPlaceholdersAndRepetitionAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> SecretPolicy.check(Setting.SIGNING_SECRET, "change-me-signing-secret"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("CASTPIPE_SIGNING_SECRET is 24 characters long, shorter than 32");
        assertThatThrownBy(() -> SecretPolicy.check(Setting.ADMIN_TOKEN, "change-me-admin-token-for-production-use"))
                .hasMessageContaining("CASTPIPE_ADMIN_TOKEN looks like a placeholder ('changeme')");
        assertThatThrownBy(() -> SecretPolicy.check(Setting.ADMIN_TOKEN, "CHANGE_ME_0123456789abcdefghijklmnop"))
                .hasMessageContaining("placeholder");
        assertThatThrownBy(() -> SecretPolicy.check(Setting.METRICS_TOKEN, "abababababababababababababababab12"))
                .hasMessageContaining("fewer than 10 different characters");
        assertThat(SecretPolicy.problem("")).contains("shorter than 32");
    }
}
