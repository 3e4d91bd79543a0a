package io.castpipe.origin.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {

    @Test
    void theThreeFormsResolveAgainstTheLength() {
        assertThat(ByteRange.parse("bytes=0-99").resolve(1000)).contains(new ByteRange.Slice(0, 99, 1000));
        assertThat(ByteRange.parse("bytes=900-").resolve(1000)).contains(new ByteRange.Slice(900, 999, 1000));
        assertThat(ByteRange.parse("bytes=-100").resolve(1000)).contains(new ByteRange.Slice(900, 999, 1000));
        assertThat(ByteRange.parse("bytes=-5000").resolve(1000)).contains(new ByteRange.Slice(0, 999, 1000));
        assertThat(ByteRange.parse("bytes=990-5000").resolve(1000)).contains(new ByteRange.Slice(990, 999, 1000));
        assertThat(ByteRange.parse("Bytes=5-5").resolve(10)).contains(new ByteRange.Slice(5, 5, 10));
        assertThat(new ByteRange.Slice(0, 99, 1000).contentRange()).isEqualTo("bytes 0-99/1000");
    }

    @Test
    void unsatisfiableRangesResolveToNothing() {
        assertThat(ByteRange.parse("bytes=1000-").resolve(1000)).isEmpty();
        assertThat(ByteRange.parse("bytes=-0").resolve(1000)).isEmpty();
        assertThat(ByteRange.parse("bytes=0-").resolve(0)).isEmpty();
    }

    @Test
    void whatIsNotOneWellFormedByteRangeIsIgnored() {
        for (String h : new String[]{null, "", "bytes=", "bytes=-", "items=0-1", "bytes=5-1", "bytes=0-1,5-6",
                "bytes=a-b", "bytes=1-2-3", "bytes=+1-2", "bytes=99999999999999999999-", "bytes= 0x10-20"}) {
            assertThat(ByteRange.parse(h)).as(String.valueOf(h)).isNull();
        }
    }
}
