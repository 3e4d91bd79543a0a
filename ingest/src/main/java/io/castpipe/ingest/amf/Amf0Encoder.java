package io.castpipe.ingest.amf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Writes AMF0 values (the Java types {@link Amf0} lists; other {@link Number}s as numbers). */
public final class Amf0Encoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    public static byte[] encode(Object... values) {
        Amf0Encoder e = new Amf0Encoder();
        for (Object v : values) {
            e.write(v);
        }
        return e.toByteArray();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public Amf0Encoder write(Object v) {
        write(v, 0);
        return this;
    }

    @SuppressWarnings("unchecked")
    private void write(Object v, int depth) {
        if (depth > Amf0.MAX_DEPTH) {
            throw new AmfException("AMF0 values nested deeper than " + Amf0.MAX_DEPTH);
        }
        if (v == null) {
            out.write(Amf0.NULL);
        } else if (v == Amf0.UNDEFINED) {
            out.write(Amf0.UNDEFINED_MARKER);
        } else if (v instanceof Number n) {
            out.write(Amf0.NUMBER);
            long bits = Double.doubleToLongBits(n.doubleValue());
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        } else if (v instanceof Boolean b) {
            out.write(Amf0.BOOLEAN);
            out.write(b ? 1 : 0);
        } else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                out.write(Amf0.LONG_STRING);
                u32(b.length);
            } else {
                out.write(Amf0.STRING);
                u16(b.length);
            }
            out.writeBytes(b);
        } else if (v instanceof Amf0.EcmaArray m) {
            out.write(Amf0.ECMA_ARRAY);
            u32(m.size());
            properties(m, depth);
        } else if (v instanceof Map<?, ?> m) {
            out.write(Amf0.OBJECT);
            properties((Map<String, Object>) m, depth);
        } else if (v instanceof List<?> l) {
            out.write(Amf0.STRICT_ARRAY);
            u32(l.size());
            for (Object o : l) {
                write(o, depth + 1);
            }
        } else {
            throw new AmfException("cannot write " + v.getClass().getSimpleName() + " as AMF0");
        }
    }

    private void properties(Map<String, Object> m, int depth) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (k.length == 0 || k.length > 0xffff) {
                throw new AmfException("AMF0 property names must be 1 to 65535 bytes");
            }
            u16(k.length);
            out.writeBytes(k);
            write(e.getValue(), depth + 1);
        }
        u16(0);
        out.write(Amf0.OBJECT_END);
    }

    private void u16(int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private void u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
