package io.castpipe.ingest.amf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AMF0 as RTMP commands use it. Values map to Java as: number → {@link Double}, boolean →
 * {@link Boolean}, string and long string → {@link String}, object → {@code Map<String, Object>}
 * (insertion-ordered), ECMA array → {@link EcmaArray}, strict array → {@code List<Object>},
 * null → {@code null}, undefined → {@link #UNDEFINED}.
 */
public final class Amf0 {
    static final int NUMBER = 0x00;
    static final int BOOLEAN = 0x01;
    static final int STRING = 0x02;
    static final int OBJECT = 0x03;
    static final int NULL = 0x05;
    static final int UNDEFINED_MARKER = 0x06;
    static final int ECMA_ARRAY = 0x08;
    static final int OBJECT_END = 0x09;
    static final int STRICT_ARRAY = 0x0A;
    static final int LONG_STRING = 0x0C;

    /** Deepest nesting of objects and arrays accepted. */
    public static final int MAX_DEPTH = 8;

    /** AMF0's undefined, distinct from null. */
    public static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "undefined";
        }
    };

    private Amf0() {
    }

    /** An AMF0 ECMA array: a map that is written back with the ECMA-array marker. */
    public static final class EcmaArray extends LinkedHashMap<String, Object> {
        public EcmaArray() {
        }

        public EcmaArray(Map<String, Object> m) {
            super(m);
        }
    }

    /** An insertion-ordered object from alternating keys and values. */
    public static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
