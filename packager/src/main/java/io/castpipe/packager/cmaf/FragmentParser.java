package io.castpipe.packager.cmaf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a fragmented MP4 (CMAF) byte stream incrementally, as an encoder writes it to a pipe or a
 * socket: {@link #feed} takes bytes in pieces of any size, and the parser hands its listener the
 * init segment (ftyp + moov) once, then every fragment (moof + mdat) as soon as its last byte
 * has arrived.
 *
 * <p>It works box by box and holds at most one top-level box in memory; a box larger than
 * {@code maxBoxBytes}, a box header that is not one (sizes below 8, "to the end of the file"
 * sizes, a type that is not four letters or digits), a fragment before the init segment, an mdat
 * without its moof or a moof that does not add up all end the stream with an
 * {@link Fmp4FormatException} saying what and at which byte offset. After one, or after the
 * listener threw, the parser refuses further input: a restarted source needs a new parser.
 *
 * <p>styp, prft and emsg boxes just before a moof are kept with that fragment; free, skip, sidx,
 * mfra, udta and other well-formed boxes between fragments are skipped.
 */
public final class FragmentParser {
    /** 64 MiB: an I-frame of a high-bitrate 4K rendition fits many times over. */
    public static final long DEFAULT_MAX_BOX_BYTES = 64L * 1024 * 1024;

    /** Far more than any fragment holds (a minute of 48 kHz audio is 2,813 AAC frames). */
    private static final long MAX_SAMPLES_PER_RUN = 1 << 20;

    private static final Set<String> KEPT_BEFORE_MOOF = Set.of("styp", "prft", "emsg");

    /** Hears what the parser finds, on the thread that calls {@link #feed}. */
    public interface Listener {
        void onInit(Fmp4Init init);

        void onFragment(Fragment fragment);
    }

    private final long maxBoxBytes;
    private final Listener listener;

    private byte[] buf = new byte[4096];
    private int buffered;
    private long boxSize = -1;
    private String boxType;
    private long offset;            // stream offset of the box being read or handled
    private long handledOffset = -1; // offset of the whole box being handled, for messages
    private Fmp4FormatException failure;

    private byte[] ftyp;
    private Fmp4Init init;
    private final ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    private byte[] pendingMoof;
    private ParsedMoof pendingParsed;
    private final Map<Integer, Long> nextDecodeTime = new HashMap<>();

    public FragmentParser(Listener listener) {
        this(DEFAULT_MAX_BOX_BYTES, listener);
    }

    public FragmentParser(long maxBoxBytes, Listener listener) {
        if (maxBoxBytes < 16 || maxBoxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBoxBytes out of range: " + maxBoxBytes);
        }
        this.maxBoxBytes = maxBoxBytes;
        this.listener = listener;
    }

    /** The init segment, once it has been read. */
    public Fmp4Init init() {
        return init;
    }

    public void feed(byte[] bytes) throws Fmp4FormatException {
        feed(bytes, 0, bytes.length);
    }

    public void feed(byte[] bytes, int off, int len) throws Fmp4FormatException {
        if (failure != null) {
            throw new Fmp4FormatException("stream already failed: " + failure.getMessage());
        }
        try {
            while (len > 0) {
                int want = wanted() - buffered;
                int n = Math.min(len, want);
                System.arraycopy(bytes, off, buf, buffered, n);
                buffered += n;
                off += n;
                len -= n;
                if (buffered == wanted()) {
                    step();
                }
            }
        } catch (Fmp4FormatException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            // the listener failed: the rest of this piece is unread, so the stream cannot go on
            failure = new Fmp4FormatException("the listener failed at byte " + offset + ": " + e);
            throw e;
        }
    }

    /**
     * The stream has ended. @throws Fmp4FormatException when it ended inside a box, after a moof
     * without its mdat, or before any init segment
     */
    public void end() throws Fmp4FormatException {
        if (failure != null) {
            throw new Fmp4FormatException("stream already failed: " + failure.getMessage());
        }
        if (buffered > 0) {
            throw fail(boxSize < 0
                    ? "truncated: stream ended inside a box header (" + buffered + " bytes)"
                    : "truncated: stream ended inside a " + boxType + " box after " + buffered + " of " + boxSize + " bytes");
        }
        if (pendingMoof != null) {
            throw fail("truncated: stream ended after a moof without its mdat");
        }
        if (init == null) {
            throw fail("stream ended without an init segment (ftyp + moov)");
        }
    }

    private int wanted() {
        if (boxSize >= 0) {
            return (int) boxSize;
        }
        return buffered >= 8 && readInt(buf, 0) == 1 ? 16 : 8;
    }

    private void step() throws Fmp4FormatException {
        if (boxSize < 0) {
            long size = readUnsignedInt(buf, 0);
            String type = fourcc(buf, 4);
            if (!isBoxType(type)) {
                throw fail("not an MP4 box: type bytes " + hex(buf, 4, 4));
            }
            if (size == 1) {
                if (buffered < 16) {
                    return; // wanted() now asks for the 64-bit size
                }
                size = readLong(buf, 8);
                if (size < 16) {
                    throw fail(type + " box with 64-bit size " + size);
                }
            } else if (size == 0) {
                throw fail(type + " box with size 0 (to the end of the file) cannot be read from a live stream");
            } else if (size < 8) {
                throw fail(type + " box with size " + size);
            }
            if (size > maxBoxBytes) {
                throw fail(type + " box of " + size + " bytes is larger than the " + maxBoxBytes + "-byte limit");
            }
            boxType = type;
            boxSize = size;
            if (buf.length < size) {
                byte[] bigger = new byte[(int) Math.max(size, Math.min(maxBoxBytes, buf.length * 2L))];
                System.arraycopy(buf, 0, bigger, 0, buffered);
                buf = bigger;
            }
            if (buffered < size) {
                return;
            }
        }
        byte[] box = java.util.Arrays.copyOf(buf, (int) boxSize);
        String type = boxType;
        long start = offset;
        offset += boxSize;
        buffered = 0;
        boxSize = -1;
        boxType = null;
        if (buf.length > 1 << 20) {
            buf = new byte[4096]; // do not keep a large I-frame's buffer between boxes
        }
        handledOffset = start;
        try {
            box(type, box);
        } finally {
            handledOffset = -1;
        }
    }

    private void box(String type, byte[] box) throws Fmp4FormatException {
        switch (type) {
            case "ftyp" -> {
                if (init != null) {
                    throw fail("a second init segment; a restarted encoder needs a new parser");
                }
                ftyp = box;
            }
            case "moov" -> {
                if (init != null) {
                    throw fail("a second moov box");
                }
                byte[] bytes = ftyp == null ? box : concat(ftyp, box);
                init = new Fmp4Init(bytes, parseMoov(box));
                listener.onInit(init);
            }
            case "moof" -> {
                if (init == null) {
                    throw fail("a moof before the init segment");
                }
                if (pendingMoof != null) {
                    throw fail("a moof follows a moof without an mdat between them");
                }
                pendingParsed = parseMoof(box);
                pendingMoof = box;
            }
            case "mdat" -> {
                if (pendingMoof == null) {
                    throw fail(init == null ? "an mdat before the init segment" : "an mdat without a moof before it");
                }
                emitFragment(box);
            }
            default -> {
                if (KEPT_BEFORE_MOOF.contains(type) && init != null && pendingMoof == null) {
                    prefix.writeBytes(box);
                }
                // anything else well-formed (free, skip, sidx, mfra, udta, …) is skipped
            }
        }
    }

    private void emitFragment(byte[] mdat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.size() + pendingMoof.length + mdat.length);
        out.writeBytes(prefix.toByteArray());
        out.writeBytes(pendingMoof);
        out.writeBytes(mdat);
        ParsedMoof m = pendingParsed;
        prefix.reset();
        pendingMoof = null;
        pendingParsed = null;

        TrackInfo ref = init.referenceTrack();
        TrackRun refRun = m.runs.stream().filter(r -> r.trackId() == ref.trackId()).findFirst().orElse(null);
        Fragment f;
        if (refRun != null) {
            f = new Fragment(m.sequence, out.toByteArray(), ref.trackId(), ref.timescale(), refRun.decodeTime(),
                    refRun.duration(), refRun.startsWithSync(), m.runs);
        } else {
            // No sample of the reference track (e.g. audio only in a muxed stream): time it by the
            // first run, in the reference timescale; it cannot start a segment.
            TrackRun r = m.runs.get(0);
            long start = nextDecodeTime.getOrDefault(ref.trackId(), rescale(r.decodeTime(), r.timescale(), ref.timescale()));
            f = new Fragment(m.sequence, out.toByteArray(), ref.trackId(), ref.timescale(), start,
                    rescale(r.duration(), r.timescale(), ref.timescale()), false, m.runs);
        }
        listener.onFragment(f);
    }

    private static long rescale(long t, long from, long to) {
        return from == to ? t : Math.round((double) t * to / from);
    }

    // ---- moov ----

    private List<TrackInfo> parseMoov(byte[] b) throws Fmp4FormatException {
        List<int[]> trex = new ArrayList<>(); // trackId, duration, flags
        List<Object[]> traks = new ArrayList<>();
        for (Box c : children(b, 8, b.length, "moov")) {
            if (c.type.equals("trak")) {
                traks.add(parseTrak(b, c));
            } else if (c.type.equals("mvex")) {
                for (Box t : children(b, c.payload, c.end, "mvex")) {
                    if (t.type.equals("trex")) {
                        need(t, 24);
                        trex.add(new int[] {readInt(b, t.payload + 4), readInt(b, t.payload + 12), readInt(b, t.payload + 20)});
                    }
                }
            }
        }
        if (traks.isEmpty()) {
            throw fail("moov without a trak");
        }
        List<TrackInfo> tracks = new ArrayList<>();
        for (Object[] t : traks) {
            int id = (Integer) t[0];
            int[] x = trex.stream().filter(e -> e[0] == id).findFirst().orElse(new int[] {id, 0, 0});
            tracks.add(new TrackInfo(id, (String) t[1], (Long) t[2], Integer.toUnsignedLong(x[1]), x[2]));
        }
        return tracks;
    }

    private Object[] parseTrak(byte[] b, Box trak) throws Fmp4FormatException {
        Integer id = null;
        String handler = null;
        Long timescale = null;
        for (Box c : children(b, trak.payload, trak.end, "trak")) {
            if (c.type.equals("tkhd")) {
                need(c, 4);
                int version = b[c.payload] & 0xff;
                int at = c.payload + 4 + (version == 1 ? 16 : 8);
                need(c, at - c.payload + 4);
                id = readInt(b, at);
            } else if (c.type.equals("mdia")) {
                for (Box m : children(b, c.payload, c.end, "mdia")) {
                    if (m.type.equals("mdhd")) {
                        need(m, 4);
                        int version = b[m.payload] & 0xff;
                        int at = m.payload + 4 + (version == 1 ? 16 : 8);
                        need(m, at - m.payload + 4);
                        timescale = readUnsignedInt(b, at);
                    } else if (m.type.equals("hdlr")) {
                        need(m, 12);
                        handler = fourcc(b, m.payload + 8);
                    }
                }
            }
        }
        if (id == null || timescale == null || handler == null) {
            throw fail("trak without " + (id == null ? "tkhd" : timescale == null ? "mdhd" : "hdlr"));
        }
        if (timescale == 0) {
            throw fail("track " + id + " has timescale 0");
        }
        return new Object[] {id, handler, timescale};
    }

    // ---- moof ----

    private record ParsedMoof(long sequence, List<TrackRun> runs) {
    }

    private ParsedMoof parseMoof(byte[] b) throws Fmp4FormatException {
        long sequence = -1;
        List<TrackRun> runs = new ArrayList<>();
        for (Box c : children(b, 8, b.length, "moof")) {
            if (c.type.equals("mfhd")) {
                need(c, 8);
                sequence = readUnsignedInt(b, c.payload + 4);
            } else if (c.type.equals("traf")) {
                runs.add(parseTraf(b, c));
            }
        }
        if (runs.isEmpty()) {
            throw fail("moof without a traf");
        }
        return new ParsedMoof(sequence, runs);
    }

    private TrackRun parseTraf(byte[] b, Box traf) throws Fmp4FormatException {
        Integer trackId = null;
        long defaultDuration = 0;
        Integer defaultFlags = null;
        Long decodeTime = null;
        long duration = 0;
        int samples = 0;
        Boolean firstSync = null;
        TrackInfo track = null;
        for (Box c : children(b, traf.payload, traf.end, "traf")) {
            switch (c.type) {
                case "tfhd" -> {
                    need(c, 8);
                    int flags = readInt(b, c.payload) & 0xffffff;
                    trackId = readInt(b, c.payload + 4);
                    int id = trackId;
                    track = init.track(id).orElseThrow(() -> fail("traf for track " + id + ", which the init segment does not have"));
                    defaultDuration = track.defaultSampleDuration();
                    int at = c.payload + 8;
                    if ((flags & 0x1) != 0) {
                        at += 8;
                    }
                    if ((flags & 0x2) != 0) {
                        at += 4;
                    }
                    if ((flags & 0x8) != 0) {
                        need(c, at - c.payload + 4);
                        defaultDuration = readUnsignedInt(b, at);
                        at += 4;
                    }
                    if ((flags & 0x10) != 0) {
                        at += 4;
                    }
                    if ((flags & 0x20) != 0) {
                        need(c, at - c.payload + 4);
                        defaultFlags = readInt(b, at);
                    }
                }
                case "tfdt" -> {
                    need(c, 8);
                    int version = b[c.payload] & 0xff;
                    if (version == 1) {
                        need(c, 12);
                        decodeTime = readLong(b, c.payload + 4);
                    } else {
                        decodeTime = readUnsignedInt(b, c.payload + 4);
                    }
                }
                case "trun" -> {
                    if (track == null) {
                        throw fail("trun before tfhd");
                    }
                    need(c, 8);
                    int flags = readInt(b, c.payload) & 0xffffff;
                    long count = readUnsignedInt(b, c.payload + 4);
                    int at = c.payload + 8;
                    if ((flags & 0x1) != 0) {
                        at += 4;
                    }
                    Integer firstFlags = null;
                    if ((flags & 0x4) != 0) {
                        need(c, at - c.payload + 4);
                        firstFlags = readInt(b, at);
                        at += 4;
                    }
                    int perSample = Integer.bitCount(flags & 0xf00) * 4;
                    if (count > MAX_SAMPLES_PER_RUN) {
                        throw fail("trun of " + count + " samples; at most " + MAX_SAMPLES_PER_RUN + " are accepted");
                    }
                    if (count * perSample > c.end - at) {
                        throw fail("trun of " + count + " samples overruns its box");
                    }
                    for (long i = 0; i < count; i++) {
                        long d = defaultDuration;
                        int sampleFlags = defaultFlags != null ? defaultFlags : track.defaultSampleFlags();
                        if ((flags & 0x100) != 0) {
                            d = readUnsignedInt(b, at);
                            at += 4;
                        }
                        if ((flags & 0x200) != 0) {
                            at += 4;
                        }
                        if ((flags & 0x400) != 0) {
                            sampleFlags = readInt(b, at);
                            at += 4;
                        }
                        if ((flags & 0x800) != 0) {
                            at += 4;
                        }
                        if (i == 0 && firstFlags != null) {
                            sampleFlags = firstFlags;
                        }
                        if (samples == 0 && i == 0) {
                            firstSync = (sampleFlags & 0x10000) == 0; // sample_is_non_sync_sample
                        }
                        duration += d;
                    }
                    samples += (int) count;
                }
                default -> {
                }
            }
        }
        if (trackId == null) {
            throw fail("traf without tfhd");
        }
        if (decodeTime == null) {
            // CMAF requires tfdt; without one, continue where this track's last fragment ended.
            decodeTime = nextDecodeTime.getOrDefault(trackId, 0L);
        }
        nextDecodeTime.put(trackId, decodeTime + duration);
        return new TrackRun(trackId, track.timescale(), decodeTime, duration, samples,
                firstSync != null && firstSync);
    }

    // ---- boxes ----

    private record Box(String type, int start, int payload, int end) {
    }

    private List<Box> children(byte[] b, int from, int to, String parent) throws Fmp4FormatException {
        List<Box> out = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < 8) {
                throw fail(parent + " ends in " + (to - at) + " stray bytes");
            }
            long size = readUnsignedInt(b, at);
            String type = fourcc(b, at + 4);
            int header = 8;
            if (size == 1) {
                if (to - at < 16) {
                    throw fail("a box in " + parent + " has a cut 64-bit size");
                }
                size = readLong(b, at + 8);
                header = 16;
            } else if (size == 0) {
                size = to - at;
            }
            if (size < header || size > to - at) {
                throw fail("box " + printable(type) + " of size " + size + " does not fit in its " + parent);
            }
            out.add(new Box(type, at, at + header, (int) (at + size)));
            at += (int) size;
        }
        return out;
    }

    private void need(Box box, int payloadBytes) throws Fmp4FormatException {
        if (box.end - box.payload < payloadBytes) {
            throw fail(box.type + " box too short: " + (box.end - box.payload) + " bytes");
        }
    }

    private Fmp4FormatException fail(String message) {
        return new Fmp4FormatException(message + " (box at byte " + (handledOffset >= 0 ? handledOffset : offset) + ")");
    }

    private static boolean isBoxType(String t) {
        for (int i = 0; i < 4; i++) {
            char c = t.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String t) {
        return isBoxType(t) ? t : "(non-text type)";
    }

    private static String fourcc(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b, int at, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(String.format("%02x", b[at + i] & 0xff));
        }
        return s.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    static long readUnsignedInt(byte[] b, int at) {
        return Integer.toUnsignedLong(readInt(b, at));
    }

    static long readLong(byte[] b, int at) {
        return readUnsignedInt(b, at) << 32 | readUnsignedInt(b, at + 4);
    }
}
