package io.castpipe.packager.cmaf;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InitSegmentTest {

    @Test
    void namesAvcFromItsConfigurationAndAacFromItsEsds() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 0x35});
        b.writeBytes("avcC".getBytes());
        b.writeBytes(new byte[] {1, 0x64, 0x00, 0x1f, (byte) 0xff});
        b.writeBytes("mp4a".getBytes());
        b.writeBytes(new byte[20]);
        b.writeBytes("esds".getBytes());
        // version/flags, ES_Descriptor(3) … DecoderConfig(4) … DecoderSpecificInfo(5) len 2: 0x12 0x10 = AAC-LC
        b.writeBytes(new byte[] {0, 0, 0, 0, 0x03, 0x19, 0, 1, 0, 0x04, 0x11, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0x12, 0x10});
        assertThat(InitSegment.codecs(b.toByteArray())).containsExactly("avc1.64001f", "mp4a.40.2");
    }

    @Test
    void unknownBytesNameNothing() {
        assertThat(InitSegment.codecs(new byte[100])).isEmpty();
    }
}
