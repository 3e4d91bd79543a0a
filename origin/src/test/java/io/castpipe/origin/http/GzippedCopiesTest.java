package io.castpipe.origin.http;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GzippedCopiesTest {

    @Test
    void aVersionIsCompressedOnceAndTheOldestVersionsGo() throws Exception {
        GzippedCopies copies = new GzippedCopies(2);
        byte[] v1 = "#EXTM3U\n#EXT-X-VERSION:6\n".repeat(20).getBytes(StandardCharsets.UTF_8);
        byte[] first = copies.of("\"v1\"", v1);
        assertThat(copies.of("\"v1\"", v1)).as("the same copy, not compressed again").isSameAs(first);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(first))) {
            assertThat(in.readAllBytes()).isEqualTo(v1);
        }
        copies.of("\"v2\"", v1);
        copies.of("\"v3\"", v1);
        assertThat(copies.of("\"v1\"", v1)).as("v1 was the least recently used of three in a cache of two").isNotSameAs(first);
    }
}
