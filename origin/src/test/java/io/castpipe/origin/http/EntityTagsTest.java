package io.castpipe.origin.http;

import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EntityTagsTest {

    @Test
    void ifNoneMatchUsesWeakComparisonOverAList() {
        assertThat(EntityTags.noneMatchHits("\"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.noneMatchHits("W/\"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.noneMatchHits("\"x\", \"y\",W/\"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.noneMatchHits("*", "\"a\"")).isTrue();
        assertThat(EntityTags.noneMatchHits("\"b\"", "\"a\"")).isFalse();
        assertThat(EntityTags.noneMatchHits("a", "\"a\"")).isFalse();
        assertThat(EntityTags.noneMatchHits(null, "\"a\"")).isFalse();
        assertThat(EntityTags.noneMatchHits("\"a-gz\"", "\"a\"", EntityTags.gzipped("\"a\""))).isTrue();
    }

    @Test
    void ifRangeNeedsTheSameStrongTag() {
        assertThat(EntityTags.ifRangeHolds(null, "\"a\"")).isTrue();
        assertThat(EntityTags.ifRangeHolds("\"a\"", "\"a\"")).isTrue();
        assertThat(EntityTags.ifRangeHolds("W/\"a\"", "\"a\"")).isFalse();
        assertThat(EntityTags.ifRangeHolds("Wed, 21 Oct 2015 07:28:00 GMT", "\"a\"")).isFalse();
    }

    @Test
    void acceptEncodingHonoursQValues() {
        assertThat(PreconditionsHandler.acceptsGzip(values("gzip, deflate, br"))).isTrue();
        assertThat(PreconditionsHandler.acceptsGzip(values("br;q=1.0, gzip;q=0.5"))).isTrue();
        assertThat(PreconditionsHandler.acceptsGzip(values("gzip;q=0"))).isFalse();
        assertThat(PreconditionsHandler.acceptsGzip(values("*"))).isTrue();
        assertThat(PreconditionsHandler.acceptsGzip(values("*, gzip;q=0"))).isFalse();
        assertThat(PreconditionsHandler.acceptsGzip(values("identity"))).isFalse();
        assertThat(PreconditionsHandler.acceptsGzip(null)).isFalse();
    }

    private static HeaderValues values(String v) {
        var map = new io.undertow.util.HeaderMap();
        map.put(Headers.ACCEPT_ENCODING, v);
        return map.get(Headers.ACCEPT_ENCODING);
    }
}
