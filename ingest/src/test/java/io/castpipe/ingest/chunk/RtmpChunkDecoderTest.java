package io.castpipe.ingest.chunk;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RtmpChunkDecoderTest {

    // ---- hand-built chunks ----

    private static final class Chunks {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Chunks basic(int fmt, int csid) {
            if (csid < 64) {
                out.write((fmt << 6) | csid);
            } else if (csid < 320) {
                out.write(fmt << 6);
                out.write(csid - 64);
            } else {
                out.write((fmt << 6) | 1);
                out.write((csid - 64) & 0xff);
                out.write((csid - 64) >>> 8);
            }
            return this;
        }

        Chunks u24(long v) {
            out.write((int) (v >>> 16));
            out.write((int) (v >>> 8));
            out.write((int) v);
            return this;
        }

        Chunks u32(long v) {
            out.write((int) (v >>> 24));
            return u24(v);
        }

        Chunks fmt0(int csid, long ts, int length, int type, int streamId) {
            basic(0, csid).u24(Math.min(ts, 0xFFFFFF)).u24(length);
            out.write(type);
            out.write(streamId);
            out.write(streamId >>> 8);
            out.write(streamId >>> 16);
            out.write(streamId >>> 24);
            if (ts >= 0xFFFFFF) {
                u32(ts);
            }
            return this;
        }

        Chunks fmt1(int csid, long delta, int length, int type) {
            basic(1, csid).u24(delta).u24(length);
            out.write(type);
            return this;
        }

        Chunks fmt2(int csid, long delta) {
            return basic(2, csid).u24(delta);
        }

        Chunks bytes(byte[] b, int from, int to) {
            out.write(b, from, to - from);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }

    private static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A decoder of a connection whose publish was accepted, with memory to spare. */
    private static RtmpChunkDecoder publishing() {
        RtmpChunkDecoder d = new RtmpChunkDecoder(new ReassemblyPool(64L << 20));
        d.publishAccepted();
        return d;
    }

    /** Closes a channel as the connection closing would, after a refusal. */
    private static void close(EmbeddedChannel ch) {
        ch.finishAndReleaseAll();
        assertThat(ch.isOpen()).isFalse();
    }

    private static List<RtmpMessage> decode(byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(publishing());
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        List<RtmpMessage> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((RtmpMessage) o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** The same bytes fed one at a time: every split point must be handled. */
    private static List<RtmpMessage> decodeByteByByte(byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(publishing());
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        List<RtmpMessage> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((RtmpMessage) o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void format0MessageSplitIntoFormat3ChunksIsReassembled() {
        byte[] p = payload(300, 1);
        byte[] wire = new Chunks().fmt0(6, 1000, 300, 9, 1).bytes(p, 0, 128)
                .basic(3, 6).bytes(p, 128, 256).basic(3, 6).bytes(p, 256, 300).build();
        for (List<RtmpMessage> out : List.of(decode(wire), decodeByteByByte(wire))) {
            assertThat(out).hasSize(1);
            RtmpMessage m = out.get(0);
            assertThat(m.chunkStreamId()).isEqualTo(6);
            assertThat(m.typeId()).isEqualTo(9);
            assertThat(m.messageStreamId()).isEqualTo(1);
            assertThat(m.timestamp()).isEqualTo(1000);
            assertThat(m.payload()).isEqualTo(p);
        }
    }

    @Test
    void formats1To3CarryDeltasAndReuseTheHeader() {
        byte[] a = payload(10, 2);
        byte[] b = payload(20, 3);
        byte[] c = payload(20, 4);
        byte[] d = payload(20, 5);
        byte[] wire = new Chunks()
                .fmt0(4, 100, 10, 8, 1).bytes(a, 0, 10)
                .fmt1(4, 23, 20, 8).bytes(b, 0, 20)   // new length, delta 23
                .fmt2(4, 21).bytes(c, 0, 20)          // same length and type, delta 21
                .basic(3, 4).bytes(d, 0, 20)          // everything repeated, delta 21 again
                .build();
        List<RtmpMessage> out = decode(wire);
        assertThat(out).extracting(RtmpMessage::timestamp).containsExactly(100L, 123L, 144L, 165L);
        assertThat(out).extracting(RtmpMessage::typeId).containsOnly(8);
        assertThat(out).extracting(RtmpMessage::messageStreamId).containsOnly(1);
        assertThat(out.get(3).payload()).isEqualTo(d);
        assertThat(decodeByteByByte(wire)).extracting(RtmpMessage::timestamp).containsExactly(100L, 123L, 144L, 165L);
    }

    @Test
    void extendedTimestampsAlsoOnContinuationChunks() {
        long ts = 0x1_2345_678L & 0xFFFFFFFFL; // above 0xFFFFFF
        byte[] p = payload(200, 6);
        byte[] wire = new Chunks().fmt0(6, ts, 200, 9, 1).bytes(p, 0, 128)
                .basic(3, 6).u32(ts).bytes(p, 128, 200).build();
        List<RtmpMessage> out = decode(wire);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).timestamp()).isEqualTo(ts);
        assertThat(out.get(0).payload()).isEqualTo(p);
        assertThat(decodeByteByByte(wire)).extracting(RtmpMessage::timestamp).containsExactly(ts);
    }

    @Test
    void twoAndThreeByteChunkStreamIds() {
        byte[] a = payload(5, 7);
        byte[] b = payload(5, 8);
        byte[] wire = new Chunks().fmt0(64 + 200, 1, 5, 20, 0).bytes(a, 0, 5)
                .fmt0(64 + 1000, 2, 5, 20, 0).bytes(b, 0, 5).build();
        List<RtmpMessage> out = decode(wire);
        assertThat(out).extracting(RtmpMessage::chunkStreamId).containsExactly(264, 1064);
        assertThat(out.get(1).payload()).isEqualTo(b);
    }

    @Test
    void interleavedChunkStreamsReassembleIndependently() {
        byte[] video = payload(300, 9);
        byte[] audio = payload(200, 10);
        byte[] wire = new Chunks()
                .fmt0(6, 40, 300, 9, 1).bytes(video, 0, 128)
                .fmt0(4, 41, 200, 8, 1).bytes(audio, 0, 128)
                .basic(3, 6).bytes(video, 128, 256)
                .basic(3, 4).bytes(audio, 128, 200)
                .basic(3, 6).bytes(video, 256, 300)
                .build();
        List<RtmpMessage> out = decode(wire);
        assertThat(out).extracting(RtmpMessage::typeId).containsExactly(8, 9);
        assertThat(out.get(0).payload()).isEqualTo(audio);
        assertThat(out.get(1).payload()).isEqualTo(video);
    }

    @Test
    void setChunkSizeChangesHowLaterChunksAreCut() {
        byte[] p = payload(5000, 11);
        byte[] wire = new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(4096)
                .fmt0(6, 0, 5000, 9, 1).bytes(p, 0, 4096).basic(3, 6).bytes(p, 4096, 5000).build();
        List<RtmpMessage> out = decode(wire);
        assertThat(out).hasSize(1); // Set Chunk Size is consumed by the decoder
        assertThat(out.get(0).payload()).isEqualTo(p);
    }

    @Test
    void oversizedMessagesAreRejectedBeforeTheirBytesArrive() {
        byte[] video = new Chunks().fmt0(6, 0, RtmpChunkDecoder.MAX_VIDEO_MESSAGE + 1, 9, 1).build();
        assertThatThrownBy(() -> decode(video)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("type 9 is 8388609 bytes");
        byte[] command = new Chunks().fmt0(3, 0, 70_000, 20, 0).build();
        assertThatThrownBy(() -> decode(command)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("the most accepted is 65536");
        byte[] control = new Chunks().fmt0(2, 0, 1000, RtmpMessage.WINDOW_ACK_SIZE, 0).build();
        assertThatThrownBy(() -> decode(control)).isInstanceOf(RtmpProtocolException.class);
    }

    @Test
    void badChunkSizesTooManyChunkStreamsAndHeaderlessStreamsAreRejected() {
        byte[] zero = new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(0).build();
        assertThatThrownBy(() -> decode(zero)).hasMessageContaining("chunk size 0");
        byte[] huge = new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(1 << 24).build();
        assertThatThrownBy(() -> decode(huge)).hasMessageContaining("outside 1..65536");

        Chunks many = new Chunks();
        for (int i = 0; i <= RtmpChunkDecoder.MAX_CHUNK_STREAMS; i++) {
            many.fmt0(3 + i, 0, 1, 20, 0).bytes(new byte[] {5}, 0, 1);
        }
        assertThatThrownBy(() -> decode(many.build())).hasMessageContaining("more than 32 chunk streams");

        assertThatThrownBy(() -> decode(new Chunks().basic(3, 9).build())).hasMessageContaining("began with a format 3 header");
    }

    @Test
    void beforeThePublishOnlyCommandsAndControlComeAndAtMost16KiBOfThemInProgress() {
        ReassemblyPool pool = new ReassemblyPool(64L << 20);
        for (int type : new int[] {RtmpMessage.VIDEO, RtmpMessage.AUDIO, RtmpMessage.DATA_AMF0, RtmpMessage.AGGREGATE}) {
            EmbeddedChannel ch = new EmbeddedChannel(new RtmpChunkDecoder(pool));
            assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(6, 0, 8 << 20, type, 1).build())))
                    .isInstanceOfSatisfying(RtmpLimitException.class,
                            e -> assertThat(e.reason()).isEqualTo(RtmpLimitException.BEFORE_PUBLISH))
                    .hasMessageContaining("type " + type + " before the publish was accepted");
            close(ch);
        }

        // Commands of 16 KiB, each half sent: the third would go past the connection's 16 KiB.
        RtmpChunkDecoder decoder = new RtmpChunkDecoder(pool);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(8192).build()));
        byte[] half = new byte[8192];
        for (int csid = 3; csid < 5; csid++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(csid, 0, 16384, RtmpMessage.COMMAND_AMF0, 0)
                    .bytes(half, 0, half.length).build()));
        }
        assertThat(decoder.held()).isEqualTo(RtmpChunkDecoder.MAX_HELD_BEFORE_PUBLISH);
        assertThat(pool.beforePublish().held()).isEqualTo(RtmpChunkDecoder.MAX_HELD_BEFORE_PUBLISH);
        assertThat(pool.publishing().held()).isZero();
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(5, 0, 16384, RtmpMessage.COMMAND_AMF0, 0)
                .bytes(half, 0, half.length).build())))
                .isInstanceOf(RtmpLimitException.class).hasMessageContaining("before the publish was accepted");
        close(ch);
        assertThat(pool.held()).as("the connection's buffers went back when it closed").isZero();
    }

    @Test
    void aBufferGrowsWithWhatArrivedNeverPastTheDeclaredLengthAndIsReservedWhileInProgress() {
        ReassemblyPool pool = new ReassemblyPool(64L << 20);
        RtmpChunkDecoder decoder = new RtmpChunkDecoder(pool);
        decoder.publishAccepted();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        int length = 300_000;
        byte[] p = payload(length, 16);
        ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(4096).build()));
        for (int at = 0; at < length; at += 4096) {
            Chunks c = at == 0 ? new Chunks().fmt0(6, 0, length, RtmpMessage.VIDEO, 1) : new Chunks().basic(3, 6);
            int arrived = Math.min(length, at + 4096);
            ch.writeInbound(Unpooled.wrappedBuffer(c.bytes(p, at, arrived).build()));
            if (arrived < length) {
                assertThat(decoder.held()).isBetween((long) arrived, Math.min(length, Math.max(4096L, 2L * arrived)));
                assertThat(pool.held()).isEqualTo(decoder.held());
            }
        }
        RtmpMessage m = ch.readInbound();
        assertThat(m.payload()).isEqualTo(p);
        assertThat(decoder.held()).isZero();
        assertThat(pool.held()).isZero();

        // An aborted message gives its buffer back too.
        ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(6, 0, length, RtmpMessage.VIDEO, 1).bytes(p, 0, 4096).build()));
        assertThat(pool.held()).isEqualTo(4096);
        ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.ABORT, 0).u32(6).build()));
        assertThat(pool.held()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPublisherHoldsOneMessageOfEachKindAndThePoolBoundsAllConnectionsTogether() {
        ReassemblyPool pool = new ReassemblyPool(64L << 20);
        RtmpChunkDecoder hoarder = new RtmpChunkDecoder(pool);
        hoarder.publishAccepted();
        EmbeddedChannel ch = new EmbeddedChannel(hoarder);
        ch.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(65536).build()));
        byte[] chunk = new byte[65536];
        assertThatThrownBy(() -> {
            for (int round = 0; round < 64; round++) {
                for (int csid = 3; csid < 8; csid++) {
                    Chunks c = round == 0 ? new Chunks().fmt0(csid, 0, RtmpChunkDecoder.MAX_VIDEO_MESSAGE, RtmpMessage.VIDEO, 1)
                            : new Chunks().basic(3, csid);
                    ch.writeInbound(Unpooled.wrappedBuffer(c.bytes(chunk, 0, chunk.length).build()));
                }
            }
        }).isInstanceOfSatisfying(RtmpLimitException.class, e -> assertThat(e.reason()).isEqualTo(RtmpLimitException.BUFFER))
                .hasMessageContaining("one message of each kind");
        assertThat(pool.held()).isLessThanOrEqualTo(RtmpChunkDecoder.MAX_HELD_PUBLISHING);
        close(ch);
        assertThat(pool.held()).isZero();

        // A pool of 1 MiB, 768 KiB of it for publishers: one has 320 KiB of a 640 KiB message in a buffer of
        // 512 KiB, another 256 KiB of 1 MiB in one of 256 KiB. A third starting a message would go past the share and is
        // refused; the two keep theirs. The second asking for more is refused in turn; the first keeps its.
        ReassemblyPool small = new ReassemblyPool(1 << 20);
        List<EmbeddedChannel> publishers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RtmpChunkDecoder d = new RtmpChunkDecoder(small);
            d.publishAccepted();
            EmbeddedChannel c = new EmbeddedChannel(d);
            publishers.add(c);
            c.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(65536).build()));
        }
        for (int i = 0; i < 2; i++) {
            for (int n = 0; n < 5 - i; n++) {
                publishers.get(i).writeInbound(Unpooled.wrappedBuffer((n == 0 ? new Chunks().fmt0(6, 0, i == 0 ? 640 << 10 : 1 << 20,
                        RtmpMessage.VIDEO, 1)
                        : new Chunks().basic(3, 6)).bytes(chunk, 0, 65536).build()));
            }
        }
        assertThat(small.publishing().held()).isEqualTo(768 << 10).isEqualTo(small.publishing().limit());
        assertThatThrownBy(() -> publishers.get(2).writeInbound(Unpooled.wrappedBuffer(
                new Chunks().fmt0(6, 0, 1 << 20, RtmpMessage.VIDEO, 1).bytes(chunk, 0, 65536).build())))
                .isInstanceOfSatisfying(RtmpLimitException.class, e -> assertThat(e.reason()).isEqualTo(RtmpLimitException.BUFFER))
                .hasMessageContaining("768 KiB, three quarters of CASTPIPE_RTMP_BUFFER_MB");
        assertThatThrownBy(() -> publishers.get(1).writeInbound(Unpooled.wrappedBuffer(
                new Chunks().basic(3, 6).bytes(chunk, 0, 65536).build())))
                .isInstanceOfSatisfying(RtmpLimitException.class, e -> assertThat(e.reason()).isEqualTo(RtmpLimitException.BUFFER));
        close(publishers.get(1));
        assertThat(small.publishing().held()).isEqualTo(512 << 10);
        // The first goes on: its message is whole.
        for (int n = 5; n < 10; n++) {
            publishers.get(0).writeInbound(Unpooled.wrappedBuffer(new Chunks().basic(3, 6).bytes(chunk, 0, 65536).build()));
        }
        assertThat(publishers.get(0).<RtmpMessage>readInbound().payload()).hasSize(640 << 10);
        assertThat(small.publishing().held()).isZero();
        // Publishers never take the share of connections that have not published.
        RtmpChunkDecoder newcomer = new RtmpChunkDecoder(small);
        EmbeddedChannel n = new EmbeddedChannel(newcomer);
        n.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(3, 0, 300, RtmpMessage.COMMAND_AMF0, 0).bytes(chunk, 0, 128).build()));
        assertThat(small.beforePublish().held()).isEqualTo(300);
        close(n);
        publishers.forEach(RtmpChunkDecoderTest::close);
        assertThat(small.held()).isZero();
    }

    @Test
    void connectionsThatHaveNotPublishedCannotTakeWhatPublishersNeed() {
        ReassemblyPool pool = new ReassemblyPool(64L << 20);
        byte[] chunk = new byte[65536];
        // The default connection cap, each connection holding all it may before publishing: it fits in its quarter.
        List<EmbeddedChannel> anonymous = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            RtmpChunkDecoder d = new RtmpChunkDecoder(pool);
            EmbeddedChannel c = new EmbeddedChannel(d);
            anonymous.add(c);
            c.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(4096).build()));
            Chunks command = new Chunks().fmt0(3, 0, RtmpChunkDecoder.MAX_COMMAND_MESSAGE, RtmpMessage.COMMAND_AMF0, 0);
            while (d.held() < RtmpChunkDecoder.MAX_HELD_BEFORE_PUBLISH) {
                c.writeInbound(Unpooled.wrappedBuffer(command.bytes(chunk, 0, 4096).build()));
                command = new Chunks().basic(3, 3);
            }
        }
        assertThat(pool.beforePublish().held()).isEqualTo(1000L * RtmpChunkDecoder.MAX_HELD_BEFORE_PUBLISH)
                .isLessThanOrEqualTo(pool.limit() / 4);

        // Meanwhile five publishers each grow a video message to 8 MiB: the publishers' 48 MiB hold them.
        List<EmbeddedChannel> publishers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RtmpChunkDecoder d = new RtmpChunkDecoder(pool);
            d.publishAccepted();
            EmbeddedChannel c = new EmbeddedChannel(d);
            publishers.add(c);
            c.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(65536).build()));
            for (int n = 0; n < 112; n++) {
                c.writeInbound(Unpooled.wrappedBuffer((n == 0 ? new Chunks().fmt0(6, 0, RtmpChunkDecoder.MAX_VIDEO_MESSAGE,
                        RtmpMessage.VIDEO, 1) : new Chunks().basic(3, 6)).bytes(chunk, 0, 65536).build()));
            }
            assertThat(d.held()).isEqualTo(RtmpChunkDecoder.MAX_VIDEO_MESSAGE);
        }

        // Past the default cap (a cap raised), 24 more connections fill the quarter; the next is closed for it, and
        // the publishers keep theirs.
        for (int i = 0; i < 24; i++) {
            EmbeddedChannel c = new EmbeddedChannel(new RtmpChunkDecoder(pool));
            anonymous.add(c);
            c.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(2, 0, 4, RtmpMessage.SET_CHUNK_SIZE, 0).u32(16384).build()));
            c.writeInbound(Unpooled.wrappedBuffer(new Chunks().fmt0(3, 0, RtmpChunkDecoder.MAX_COMMAND_MESSAGE, RtmpMessage.COMMAND_AMF0, 0)
                    .bytes(chunk, 0, 16384).build()));
        }
        assertThat(pool.beforePublish().held()).isEqualTo(pool.limit() / 4);
        RtmpChunkDecoder extra = new RtmpChunkDecoder(pool);
        EmbeddedChannel e = new EmbeddedChannel(extra);
        assertThatThrownBy(() -> e.writeInbound(Unpooled.wrappedBuffer(new Chunks()
                .fmt0(3, 0, 300, RtmpMessage.COMMAND_AMF0, 0).bytes(chunk, 0, 128).build())))
                .isInstanceOfSatisfying(RtmpLimitException.class, x -> assertThat(x.reason()).isEqualTo(RtmpLimitException.BEFORE_PUBLISH))
                .hasMessageContaining("16 MiB, a quarter of CASTPIPE_RTMP_BUFFER_MB");
        close(e);
        assertThat(pool.publishing().held()).isEqualTo(5L * RtmpChunkDecoder.MAX_VIDEO_MESSAGE);

        anonymous.forEach(RtmpChunkDecoderTest::close);
        publishers.forEach(RtmpChunkDecoderTest::close);
        assertThat(pool.held()).isZero();
    }

    @Test
    void whatTheEncoderWritesTheDecoderReads() {
        List<RtmpMessage> sent = List.of(
                new RtmpMessage(3, 20, 0, 0, payload(50, 12)),
                new RtmpMessage(6, 9, 1, 33, payload(10_000, 13)),
                new RtmpMessage(300, 8, 1, 0x1_0000_00L, payload(700, 14)),
                new RtmpMessage(65_599, 9, 1, 5, payload(129, 15)));
        ByteBuf wire = Unpooled.buffer();
        for (RtmpMessage m : sent) {
            RtmpChunkEncoder.encode(m, 128, wire);
        }
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        List<RtmpMessage> got = decode(bytes);
        assertThat(got).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i).chunkStreamId()).isEqualTo(sent.get(i).chunkStreamId());
            assertThat(got.get(i).timestamp()).isEqualTo(sent.get(i).timestamp());
            assertThat(got.get(i).payload()).isEqualTo(sent.get(i).payload());
        }
    }
}
