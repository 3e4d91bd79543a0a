package io.castpipe.packager.cmaf;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Pulls an fMP4 stream from an {@link InputStream} (an encoder's stdout, a socket) through a
 * {@link FragmentParser}: {@link #init()} first, then {@link #next()} until it returns null at the
 * clean end of the stream. Reads block only as long as the stream does.
 */
public final class Fmp4Reader implements AutoCloseable {
    private final InputStream in;
    private final FragmentParser parser;
    private final Deque<Fragment> ready = new ArrayDeque<>();
    private final byte[] chunk = new byte[64 * 1024];
    private boolean ended;

    public Fmp4Reader(InputStream in) {
        this(in, FragmentParser.DEFAULT_MAX_BOX_BYTES);
    }

    public Fmp4Reader(InputStream in, long maxBoxBytes) {
        this.in = in;
        this.parser = new FragmentParser(maxBoxBytes, new FragmentParser.Listener() {
            @Override
            public void onInit(Fmp4Init init) {
            }

            @Override
            public void onFragment(Fragment fragment) {
                ready.add(fragment);
            }
        });
    }

    /** The init segment, reading as far as it. @throws Fmp4FormatException when the stream has none */
    public Fmp4Init init() throws IOException {
        while (parser.init() == null) {
            if (!readMore()) {
                parser.end(); // throws: no init segment
            }
        }
        return parser.init();
    }

    /** The next fragment, or null when the stream has ended cleanly after a whole fragment. */
    public Fragment next() throws IOException {
        init();
        while (ready.isEmpty()) {
            if (!readMore()) {
                return null;
            }
        }
        return ready.poll();
    }

    private boolean readMore() throws IOException {
        if (ended) {
            return false;
        }
        int n = in.read(chunk);
        if (n < 0) {
            ended = true;
            parser.end();
            return false;
        }
        parser.feed(chunk, 0, n);
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
