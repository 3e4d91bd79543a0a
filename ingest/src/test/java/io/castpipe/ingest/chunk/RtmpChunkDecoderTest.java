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

    private static List<RtmpMessage> decode(byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(new RtmpChunkDecoder());
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
        EmbeddedChannel ch = new EmbeddedChannel(new RtmpChunkDecoder());
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
