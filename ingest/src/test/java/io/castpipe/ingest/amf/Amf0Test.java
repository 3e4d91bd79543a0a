package io.castpipe.ingest.amf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Amf0Test {

    @Test
    void everyTypeRoundTrips() {
        Amf0.EcmaArray meta = new Amf0.EcmaArray();
        meta.put("width", 640.0);
        meta.put("encoder", "Lavf61");
        meta.put("stereo", true);
        List<Object> values = Arrays.asList("connect", 1.0, Amf0.object("app", "live", "nested", Amf0.object("x", -2.5)),
                null, Amf0.UNDEFINED, false, meta, new ArrayList<>(List.of(1.0, "two", Amf0.object())),
                "x".repeat(70_000), "ünïcødé ✓", Double.NaN);
        byte[] bytes = Amf0Encoder.encode(values.toArray());
        List<Object> back = Amf0Decoder.decodeAll(bytes);
        assertThat(back).hasSize(values.size());
        assertThat(back.subList(0, 6)).isEqualTo(values.subList(0, 6));
        assertThat(back.get(6)).isInstanceOf(Amf0.EcmaArray.class).isEqualTo(meta);
        assertThat(back.get(7)).isEqualTo(values.get(7));
        assertThat(back.get(8)).isEqualTo(values.get(8));
        assertThat(Amf0Encoder.encode("x".repeat(70_000))[0]).isEqualTo((byte) 0x0C); // long string
        assertThat(Amf0Encoder.encode("x".repeat(65_535))[0]).isEqualTo((byte) 0x02);
        assertThat(back.get(9)).isEqualTo("ünïcødé ✓");
        assertThat((Double) back.get(10)).isNaN();
        assertThat(Amf0Encoder.encode(back.toArray())).isEqualTo(bytes);
    }

    @Test
    void ffmpegsConnectCommandDecodes() {
        byte[] connect = Amf0Encoder.encode("connect", 1.0, Amf0.object("app", "live", "type", "nonprivate",
                "flashVer", "FMLE/3.0 (compatible; Lavf61.7.100)", "tcUrl", "rtmp://127.0.0.1:1935/live"));
        List<Object> v = Amf0Decoder.decodeAll(connect);
        assertThat(v.get(0)).isEqualTo("connect");
        assertThat(((Map<?, ?>) v.get(2)).get("app")).isEqualTo("live");
    }

    @Test
    void malformedInputIsAnAmfExceptionNeverARuntimeError() {
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
                .isInstanceOf(AmfException.class).hasMessageContaining("marker 0x0b");
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x11}))
                .isInstanceOf(AmfException.class).hasMessageContaining("marker 0x11");
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x02, 0x00, 0x10, 'a'}))
                .isInstanceOf(AmfException.class).hasMessageContaining("cut short");
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x00, 1, 2}))
                .isInstanceOf(AmfException.class);
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x03, 0x00, 0x01, 'k'}))
                .isInstanceOf(AmfException.class); // object without a value or an end
        // a strict array claiming 2^31-1 values in 0 bytes: refused, nothing allocated
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x0A, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
                .isInstanceOf(AmfException.class).hasMessageContaining("strict array");
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(new byte[] {0x0C, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
                .isInstanceOf(AmfException.class);
    }

    @Test
    void nestingDeeperThanTheBoundIsRefused() {
        Object v = 1.0;
        for (int i = 0; i < Amf0.MAX_DEPTH; i++) {
            v = Amf0.object("k", v);
        }
        byte[] ok = Amf0Encoder.encode(v);
        assertThat(Amf0Decoder.decodeAll(ok)).hasSize(1);

        byte[] wire = new byte[100 * 5 + 1]; // 100 nested strict arrays of one element
        for (int i = 0; i < 100; i++) {
            wire[5 * i] = 0x0A;
            wire[5 * i + 4] = 1;
        }
        wire[500] = 0x05;
        assertThatThrownBy(() -> Amf0Decoder.decodeAll(wire)).isInstanceOf(AmfException.class)
                .hasMessageContaining("nested deeper than " + Amf0.MAX_DEPTH);
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButAmfException() {
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[r.nextInt(64)];
            r.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) r.nextInt(0x0D);
            }
            try {
                Amf0Decoder.decodeAll(b);
            } catch (AmfException expected) {
                // fine
            }
        }
    }
}
