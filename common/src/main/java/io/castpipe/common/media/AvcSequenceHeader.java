package io.castpipe.common.media;

import java.util.Optional;

/**
 * Reads the picture size out of an FLV/RTMP AVC sequence header (the AVCDecoderConfigurationRecord
 * with its SPS), so that the live ladder and the ingest figures follow what the encoder really
 * sends rather than what the publisher's metadata claims.
 */
public final class AvcSequenceHeader {
    private static final int CODEC_AVC = 7;

    public record PictureSize(int width, int height) {
    }

    private AvcSequenceHeader() {
    }

    /** The size, or empty when the payload is not an AVC sequence header with a readable SPS. */
    public static Optional<PictureSize> pictureSize(byte[] payload) {
        // FLV video tag body: frame type and codec id, AVC packet type (0: sequence header), composition time.
        if (payload.length < 13 || (payload[0] & 0x0f) != CODEC_AVC || payload[1] != 0) {
            return Optional.empty();
        }
        int record = 5;
        int spsCount = payload[record + 5] & 0x1f;
        if (spsCount < 1) {
            return Optional.empty();
        }
        int spsLength = ((payload[record + 6] & 0xff) << 8) | (payload[record + 7] & 0xff);
        int spsStart = record + 8;
        if (spsLength < 4 || spsStart + spsLength > payload.length) {
            return Optional.empty();
        }
        try {
            return Optional.of(parseSps(unescape(payload, spsStart + 1, spsLength - 1)));
        } catch (IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private static PictureSize parseSps(byte[] rbsp) {
        Bits b = new Bits(rbsp);
        int profile = b.u(8);
        b.u(16); // constraint flags, level
        b.ue(); // seq_parameter_set_id
        int chroma = 1;
        boolean separateColourPlanes = false;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chroma = b.ue();
            if (chroma == 3) {
                separateColourPlanes = b.u(1) == 1;
            }
            b.ue(); // bit_depth_luma_minus8
            b.ue(); // bit_depth_chroma_minus8
            b.u(1); // qpprime_y_zero_transform_bypass
            if (b.u(1) == 1) {
                for (int i = 0; i < (chroma != 3 ? 8 : 12); i++) {
                    if (b.u(1) == 1) {
                        skipScalingList(b, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        b.ue(); // log2_max_frame_num_minus4
        int pocType = b.ue();
        if (pocType == 0) {
            b.ue();
        } else if (pocType == 1) {
            b.u(1);
            b.se();
            b.se();
            int cycle = b.ue();
            for (int i = 0; i < cycle; i++) {
                b.se();
            }
        }
        b.ue(); // max_num_ref_frames
        b.u(1); // gaps_in_frame_num_allowed
        int widthMbs = b.ue() + 1;
        int heightMapUnits = b.ue() + 1;
        int frameMbsOnly = b.u(1);
        if (frameMbsOnly == 0) {
            b.u(1); // mb_adaptive_frame_field
        }
        b.u(1); // direct_8x8_inference
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (b.u(1) == 1) {
            cropLeft = b.ue();
            cropRight = b.ue();
            cropTop = b.ue();
            cropBottom = b.ue();
        }
        int arrayType = separateColourPlanes ? 0 : chroma;
        int cropUnitX = arrayType == 0 ? 1 : (arrayType == 3 ? 1 : 2);
        int cropUnitY = (arrayType == 0 ? 1 : (arrayType == 1 ? 2 : 1)) * (2 - frameMbsOnly);
        int width = widthMbs * 16 - (cropLeft + cropRight) * cropUnitX;
        int height = (2 - frameMbsOnly) * heightMapUnits * 16 - (cropTop + cropBottom) * cropUnitY;
        return new PictureSize(width, height);
    }

    private static void skipScalingList(Bits b, int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + b.se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /** Drops the emulation-prevention bytes (00 00 03 → 00 00) of a NAL unit. */
    private static byte[] unescape(byte[] b, int from, int length) {
        byte[] out = new byte[length];
        int n = 0;
        int zeros = 0;
        for (int i = from; i < from + length; i++) {
            if (zeros >= 2 && b[i] == 3) {
                zeros = 0;
                continue;
            }
            zeros = b[i] == 0 ? zeros + 1 : 0;
            out[n++] = b[i];
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Exp-Golomb bit reader over an RBSP. */
    private static final class Bits {
        private final byte[] data;
        private int bit;

        Bits(byte[] data) {
            this.data = data;
        }

        int u(int n) {
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
                bit++;
            }
            return v;
        }

        int ue() {
            int zeros = 0;
            while (u(1) == 0) {
                if (++zeros > 31) {
                    throw new IndexOutOfBoundsException("bad exp-Golomb code");
                }
            }
            return (int) ((1L << zeros) - 1 + (zeros == 0 ? 0 : u(zeros)));
        }

        int se() {
            int k = ue();
            return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
        }
    }
}
