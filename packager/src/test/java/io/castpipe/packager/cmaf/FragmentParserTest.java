package io.castpipe.packager.cmaf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static io.castpipe.packager.cmaf.Fmp4Fixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FragmentParserTest {

    @Test
    void readsMuxedAudioAndVideoFedInRandomPieces() throws Exception {
        byte[] mp4 = Fmp4Fixtures.muxed();
        Fmp4Fixtures.Collected c = parse(mp4, 42, 700);

        assertThat(c.inits).hasSize(1);
        Fmp4Init init = c.inits.get(0);
        assertThat(init.tracks()).extracting(TrackInfo::handler).containsExactlyInAnyOrder("vide", "soun");
        assertThat(init.referenceTrack().isVideo()).isTrue();
        assertThat(init.codecs()).anySatisfy(s -> assertThat(s).startsWith("avc1.")).contains("mp4a.40.2");
        assertThat(new String(init.bytes(), 4, 4)).isEqualTo("ftyp");

        List<Fragment> fragments = c.fragments;
        assertTimeline(fragments);
        // every moof carries both tracks, and the audio timeline is contiguous too
        TrackInfo audio = init.tracks().stream().filter(TrackInfo::isAudio).findFirst().orElseThrow();
        long audioNext = -1;
        double audioTotal = 0;
        for (Fragment f : fragments) {
            assertThat(f.runs()).hasSize(2);
            TrackRun a = f.runs().stream().filter(r -> r.trackId() == audio.trackId()).findFirst().orElseThrow();
            assertThat(a.timescale()).isEqualTo(audio.timescale());
            if (audioNext >= 0) {
                assertThat(a.decodeTime()).isEqualTo(audioNext);
            }
            audioNext = a.decodeTime() + a.duration();
            audioTotal += a.durationSeconds();
        }
        assertThat(audioTotal).isCloseTo(10.0, within(0.1));

        // nothing is lost or reordered: init + fragments are the file, but for a trailing mfra
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.writeBytes(init.bytes());
        fragments.forEach(f -> joined.writeBytes(f.bytes()));
        byte[] j = joined.toByteArray();
        assertThat(Arrays.equals(j, 0, j.length, mp4, 0, j.length)).isTrue();
        assertThat(mp4.length - j.length).isLessThan(1024);
    }

    @Test
    void readsVideoOnlyAndTheSameWhateverThePieces() throws Exception {
        byte[] mp4 = Fmp4Fixtures.videoOnly();
        Fmp4Fixtures.Collected small = parse(mp4, 7, 13);
        Fmp4Fixtures.Collected whole = parse(mp4, 7, Integer.MAX_VALUE - 1);
        assertThat(small.inits.get(0).tracks()).hasSize(1);
        assertTimeline(small.fragments);
        assertThat(small.fragments).hasSameSizeAs(whole.fragments);
        for (int i = 0; i < small.fragments.size(); i++) {
            assertThat(small.fragments.get(i).bytes()).isEqualTo(whole.fragments.get(i).bytes());
            assertThat(small.fragments.get(i).decodeTime()).isEqualTo(whole.fragments.get(i).decodeTime());
        }
    }

    /** Contiguous decode times, about 10 s in all, and an independent fragment every second. */
    private static void assertTimeline(List<Fragment> fragments) {
        assertThat(fragments).hasSizeGreaterThanOrEqualTo(20);
        double total = 0;
        List<Double> keyframes = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            Fragment f = fragments.get(i);
            if (i > 0) {
                assertThat(f.decodeTime()).as("fragment %d starts where %d ended", i, i - 1)
                        .isEqualTo(fragments.get(i - 1).endTime());
                assertThat(f.sequenceNumber()).isGreaterThan(fragments.get(i - 1).sequenceNumber());
            }
            assertThat(f.durationSeconds()).as("fragment %d", i).isLessThan(0.6); // -frag_duration 0.5 s, cut on the next frame (audio or video) past it
            total += f.durationSeconds();
            if (f.independent()) {
                keyframes.add(f.startSeconds() - fragments.get(0).startSeconds());
            }
        }
        assertThat(fragments.get(0).independent()).isTrue();
        assertThat(total).isCloseTo(10.0, within(0.05));
        assertThat(keyframes).hasSize(10);
        // one keyframe a second; with audio, ffmpeg stretches the first video sample by the AAC
        // priming delay (1024/44100 s), so the first interval is up to 24 ms longer
        assertThat(keyframes.get(1) - keyframes.get(0)).isCloseTo(1.0, within(0.024));
        for (int k = 2; k < keyframes.size(); k++) {
            assertThat(keyframes.get(k) - keyframes.get(k - 1)).isCloseTo(1.0, within(0.001));
        }
    }

    @Test
    void pullsFromAStreamThatReturnsFewBytesAtATime() throws Exception {
        byte[] mp4 = Fmp4Fixtures.muxed();
        Random random = new Random(3);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(mp4)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(9)));
            }
        };
        try (Fmp4Reader reader = new Fmp4Reader(trickle)) {
            assertThat(reader.init().tracks()).hasSize(2);
            int n = 0;
            double total = 0;
            for (Fragment f = reader.next(); f != null; f = reader.next()) {
                n++;
                total += f.durationSeconds();
            }
            assertThat(n).isGreaterThanOrEqualTo(20);
            assertThat(total).isCloseTo(10.0, within(0.05));
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aStreamCutShortIsTruncated() throws Exception {
        byte[] mp4 = Fmp4Fixtures.muxed();
        byte[] cut = Arrays.copyOf(mp4, mp4.length / 2);
        Fmp4Fixtures.Collected c = new Fmp4Fixtures.Collected();
        FragmentParser parser = new FragmentParser(c);
        assertThatThrownBy(() -> Fmp4Fixtures.feedInChunks(parser, cut, 1, 4096))
                .isInstanceOf(Fmp4FormatException.class).hasMessageContaining("truncated");
        assertThat(c.fragments).isNotEmpty(); // what came whole was delivered

        try (Fmp4Reader reader = new Fmp4Reader(new ByteArrayInputStream(cut))) {
            assertThatThrownBy(() -> {
                while (reader.next() != null) {
                    // drain
                }
            }).isInstanceOf(Fmp4FormatException.class).hasMessageContaining("truncated");
        }
        // cut after a moof, before its mdat
        int mdat = indexOf(mp4, "mdat") - 4;
        assertThatThrownBy(() -> Fmp4Fixtures.feedInChunks(new FragmentParser(new Fmp4Fixtures.Collected()),
                Arrays.copyOf(mp4, mdat), 1, 4096)).hasMessageContaining("moof without its mdat");
        assertThatThrownBy(() -> new Fmp4Reader(new ByteArrayInputStream(new byte[0])).init())
                .isInstanceOf(Fmp4FormatException.class).hasMessageContaining("without an init segment");
    }

    @Test
    void aBoxOverTheBoundIsRefusedBeforeItIsBuffered() throws Exception {
        byte[] mp4 = Fmp4Fixtures.muxed();
        FragmentParser parser = new FragmentParser(4096, new Fmp4Fixtures.Collected());
        assertThatThrownBy(() -> parser.feed(mp4)).isInstanceOf(Fmp4FormatException.class)
                .hasMessageContaining("larger than the 4096-byte limit");
        // a header announcing 2 GiB (or 2^63 with a 64-bit size) allocates nothing
        byte[] huge = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'm', 'd', 'a', 't'};
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(huge))
                .hasMessageContaining("larger than");
        byte[] huge64 = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0x7f, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(huge64))
                .hasMessageContaining("larger than");
        byte[] toEnd = {0, 0, 0, 0, 'm', 'd', 'a', 't'};
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(toEnd))
                .hasMessageContaining("size 0");
    }

    @Test
    void garbageIsRefusedWithTheOffset() throws Exception {
        byte[] noise = new byte[100_000];
        new Random(9).nextBytes(noise);
        assertThatThrownBy(() -> Fmp4Fixtures.feedInChunks(new FragmentParser(new Fmp4Fixtures.Collected()), noise, 2, 100))
                .isInstanceOf(Fmp4FormatException.class).hasMessageContaining("at byte 0");
        byte[] text = "Hello, this is not an MP4 file at all\n".repeat(100).getBytes();
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(text))
                .isInstanceOf(Fmp4FormatException.class);

        // a good init, then noise where a fragment should be
        byte[] mp4 = Fmp4Fixtures.muxed();
        int firstMoof = indexOf(mp4, "moof") - 4;
        byte[] spoiled = Arrays.copyOf(mp4, firstMoof + noise.length);
        System.arraycopy(noise, 0, spoiled, firstMoof, noise.length);
        spoiled[firstMoof] = 0x7a; // make sure it is no box header
        Fmp4Fixtures.Collected c = new Fmp4Fixtures.Collected();
        FragmentParser parser = new FragmentParser(c);
        assertThatThrownBy(() -> parser.feed(spoiled)).isInstanceOf(Fmp4FormatException.class)
                .hasMessageContaining("at byte " + firstMoof);
        assertThat(c.inits).hasSize(1);
        assertThatThrownBy(() -> parser.feed(new byte[8])).hasMessageContaining("already failed");

        // a fragment before any init
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected())
                .feed(Arrays.copyOfRange(mp4, firstMoof, mp4.length))).hasMessageContaining("before the init segment");
    }

    @Test
    void aMoofWhoseTrunOverrunsItsBoxIsRefused() throws Exception {
        byte[] mp4 = Fmp4Fixtures.videoOnly().clone();
        int trun = indexOf(mp4, "trun");
        // sample_count = 2^31: far more samples than the box holds
        mp4[trun + 8] = 0x7f;
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(mp4))
                .isInstanceOf(Fmp4FormatException.class).hasMessageContaining("at most");
        // 65,536 samples: accepted as a count, but their fields do not fit in the box
        mp4[trun + 8] = 0;
        mp4[trun + 9] = 1;
        assertThatThrownBy(() -> new FragmentParser(new Fmp4Fixtures.Collected()).feed(mp4))
                .isInstanceOf(Fmp4FormatException.class).hasMessageContaining("overruns");
    }

    @Test
    void aListenerThatThrowsEndsTheStream() throws Exception {
        byte[] mp4 = Fmp4Fixtures.videoOnly();
        List<Fragment> got = new ArrayList<>();
        FragmentParser parser = new FragmentParser(new FragmentParser.Listener() {
            @Override
            public void onInit(Fmp4Init init) {
            }

            @Override
            public void onFragment(Fragment fragment) {
                if (got.size() == 3) {
                    throw new IllegalStateException("storage is down");
                }
                got.add(fragment);
            }
        });
        assertThatThrownBy(() -> parser.feed(mp4)).isInstanceOf(IllegalStateException.class).hasMessage("storage is down");
        assertThat(got).hasSize(3);
        assertThatThrownBy(() -> parser.feed(new byte[1])).isInstanceOf(Fmp4FormatException.class)
                .hasMessageContaining("already failed").hasMessageContaining("storage is down");
    }

    static int indexOf(byte[] b, String fourcc) {
        byte[] f = fourcc.getBytes();
        outer:
        for (int i = 0; i + 4 <= b.length; i++) {
            for (int k = 0; k < 4; k++) {
                if (b[i + k] != f[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
