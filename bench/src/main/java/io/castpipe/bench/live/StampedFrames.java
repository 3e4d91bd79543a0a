package io.castpipe.bench.live;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A live camera for latency measurements: raw 1280×720 yuv420p frames at 30 fps, paced by the
 * wall clock, each carrying the moment it was captured burned into the picture. Two bands of 32
 * blocks across the top hold that time (epoch milliseconds modulo 2^32, most significant bit
 * first; white is 1) and its complement, so a reader can tell a clean read from a smeared one.
 * Blocks are 40×64 pixels: still 20×32 in a 360p rendition and readable after lossy encoding.
 * Below the bands a box moves so the encoder has motion to code.
 */
public final class StampedFrames {
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;
    public static final int FPS = 30;
    private static final int BITS = 32;
    private static final int BAND = 64;
    private static final byte WHITE = (byte) 235;
    private static final byte BLACK = (byte) 16;

    private final byte[] frame = new byte[WIDTH * HEIGHT * 3 / 2];
    private final byte[] background = new byte[WIDTH * HEIGHT];

    public StampedFrames() {
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                background[y * WIDTH + x] = (byte) (60 + (x + y) % 120);
            }
        }
        Arrays.fill(frame, WIDTH * HEIGHT, frame.length, (byte) 128);
    }

    /** Writes frames in real time until the thread is interrupted or the stream closes. */
    public void stream(OutputStream out) throws IOException {
        long start = System.nanoTime();
        for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
            long due = start + n * 1_000_000_000L / FPS;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            out.write(render(n, System.currentTimeMillis()));
        }
    }

    byte[] render(long n, long epochMs) {
        System.arraycopy(background, 0, frame, 0, background.length);
        long stamp = epochMs & 0xFFFF_FFFFL;
        int blockWidth = WIDTH / BITS;
        for (int bit = 0; bit < BITS; bit++) {
            boolean one = ((stamp >>> (BITS - 1 - bit)) & 1) == 1;
            fill(bit * blockWidth, 0, blockWidth, BAND, one ? WHITE : BLACK);
            fill(bit * blockWidth, BAND, blockWidth, BAND, one ? BLACK : WHITE);
        }
        int box = 96;
        int x = (int) (n * 8 % (WIDTH - box));
        fill(x, 2 * BAND + 200, box, box, WHITE);
        return frame;
    }

    private void fill(int x0, int y0, int w, int h, byte luma) {
        for (int y = y0; y < y0 + h; y++) {
            Arrays.fill(frame, y * WIDTH + x0, y * WIDTH + x0 + w, luma);
        }
    }
}
