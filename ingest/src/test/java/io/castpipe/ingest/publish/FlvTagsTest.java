package io.castpipe.ingest.publish;

import io.castpipe.ingest.chunk.RtmpProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlvTagsTest {

    @Test
    void h264AndAacAreTakenWithTheirFlags() throws Exception {
        assertThat(FlvTags.video(new byte[] {0x17, 0, 0, 0, 0})).isEqualTo(new FlvTags.Info(true, true, false));
        assertThat(FlvTags.video(new byte[] {0x17, 1, 0, 0, 0})).isEqualTo(new FlvTags.Info(true, false, true));
        assertThat(FlvTags.video(new byte[] {0x27, 1, 0, 0, 0})).isEqualTo(new FlvTags.Info(false, false, true));
        // ffmpeg's FLV muxer ends a stream with an end of sequence flagged as a keyframe: not a picture
        assertThat(FlvTags.video(new byte[] {0x17, 2, 0, 0, 0})).isEqualTo(new FlvTags.Info(true, false, false));
        assertThat(FlvTags.audio(new byte[] {(byte) 0xAF, 0, 0x12, 0x10})).isEqualTo(new FlvTags.Info(false, true, false));
        assertThat(FlvTags.audio(new byte[] {(byte) 0xAF, 1, 0x21})).isEqualTo(new FlvTags.Info(false, false, true));
    }

    @Test
    void enhancedRtmpAndOtherCodecsAreRefusedByName() {
        // Enhanced RTMP: IsExHeader bit, frame type 1, packet type 0 (sequence start), FourCC
        assertThatThrownBy(() -> FlvTags.video(new byte[] {(byte) 0x90, 'h', 'v', 'c', '1', 1}))
                .isInstanceOf(FlvTags.UnsupportedMedia.class).hasMessage("Enhanced RTMP video (hvc1) is not supported; send H.264 video");
        assertThatThrownBy(() -> FlvTags.video(new byte[] {(byte) 0x91, 'a', 'v', '0', '1'}))
                .hasMessageContaining("(av01)");
        assertThatThrownBy(() -> FlvTags.video(new byte[] {0x12, 0}))
                .hasMessage("video codec id 2 is not supported; send H.264 video (FLV codec id 7)");
        assertThatThrownBy(() -> FlvTags.audio(new byte[] {0x2F, 0}))
                .hasMessage("audio format 2 is not supported; send AAC audio (FLV sound format 10)");
        assertThatThrownBy(() -> FlvTags.audio(new byte[] {(byte) 0x90, 'O', 'p', 'u', 's'}))
                .hasMessageContaining("Enhanced RTMP audio");
    }

    @Test
    void truncatedTagsAreProtocolErrors() {
        assertThatThrownBy(() -> FlvTags.video(new byte[0])).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> FlvTags.video(new byte[] {0x17})).isInstanceOf(RtmpProtocolException.class);
        assertThatThrownBy(() -> FlvTags.audio(new byte[] {(byte) 0xAF})).isInstanceOf(RtmpProtocolException.class);
    }
}
