package io.castpipe.ingest.amf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads AMF0 values from a byte array; anything malformed is an {@link AmfException}, never a runtime error. */
public final class Amf0Decoder {
    private final byte[] data;
    private int pos;

    public Amf0Decoder(byte[] data) {
        this(data, 0);
    }

    public Amf0Decoder(byte[] data, int offset) {
        this.data = data;
        this.pos = offset;
    }

    /** Decodes every value up to the end of the bytes. */
    public static List<Object> decodeAll(byte[] data) {
        Amf0Decoder d = new Amf0Decoder(data);
        List<Object> values = new ArrayList<>();
        while (d.hasMore()) {
            values.add(d.read());
        }
        return values;
    }

    public boolean hasMore() {
        return pos < data.length;
    }

    public int position() {
        return pos;
    }

    public Object read() {
        return read(0);
    }

    private Object read(int depth) {
        int marker = u8();
        switch (marker) {
            case Amf0.NUMBER:
                return Double.longBitsToDouble(s64());
            case Amf0.BOOLEAN:
                return u8() != 0;
            case Amf0.STRING:
                return utf8(u16());
            case Amf0.LONG_STRING:
                return utf8(u32AsLength());
            case Amf0.NULL:
                return null;
            case Amf0.UNDEFINED_MARKER:
                return Amf0.UNDEFINED;
            case Amf0.OBJECT:
                return properties(new LinkedHashMap<>(), nested(depth));
            case Amf0.ECMA_ARRAY:
                need(4);
                pos += 4; // the count is a hint only; the end marker ends the array
                return properties(new Amf0.EcmaArray(), nested(depth));
            case Amf0.STRICT_ARRAY: {
                int count = u32AsLength();
                int d = nested(depth);
                if (count > data.length - pos) { // every value takes at least one byte
                    throw new AmfException("strict array of " + count + " values in " + (data.length - pos) + " bytes");
                }
                List<Object> list = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    list.add(read(d));
                }
                return list;
            }
            default:
                throw new AmfException(String.format("unsupported AMF0 type marker 0x%02x at byte %d", marker, pos - 1));
        }
    }

    private static int nested(int depth) {
        if (depth + 1 > Amf0.MAX_DEPTH) {
            throw new AmfException("AMF0 values nested deeper than " + Amf0.MAX_DEPTH);
        }
        return depth + 1;
    }

    private <M extends Map<String, Object>> M properties(M map, int depth) {
        while (true) {
            String key = utf8(u16());
            if (key.isEmpty()) {
                need(1);
                if ((data[pos] & 0xff) == Amf0.OBJECT_END) {
                    pos++;
                    return map;
                }
            }
            map.put(key, read(depth));
        }
    }

    private void need(int n) {
        if (n < 0 || data.length - pos < n) {
            throw new AmfException("AMF0 value cut short at byte " + pos + " (needs " + n + " more)");
        }
    }

    private int u8() {
        need(1);
        return data[pos++] & 0xff;
    }

    private int u16() {
        need(2);
        int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    private int u32AsLength() {
        need(4);
        long v = ((long) (data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
                | (data[pos + 3] & 0xff);
        pos += 4;
        if (v > Integer.MAX_VALUE) {
            throw new AmfException("AMF0 length " + v + " is too large");
        }
        return (int) v;
    }

    private long s64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (data[pos++] & 0xff);
        }
        return v;
    }

    private String utf8(int length) {
        need(length);
        String s = new String(data, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }
}
