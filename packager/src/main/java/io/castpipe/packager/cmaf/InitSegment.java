package io.castpipe.packager.cmaf;

import java.util.ArrayList;
import java.util.List;

/**
 * An fMP4 initialization segment, read just far enough to name its codecs the way the HLS
 * CODECS attribute wants them (RFC 6381): {@code avc1.64001f}, {@code mp4a.40.2}.
 */
public final class InitSegment {
    private InitSegment() {
    }

    /** The codecs of the tracks in {@code init}, video first; empty when none is recognised. */
    public static List<String> codecs(byte[] init) {
        List<String> codecs = new ArrayList<>();
        int avcC = indexOf(init, "avcC");
        if (avcC >= 0 && avcC + 8 <= init.length) {
            // avcC payload: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
            codecs.add(String.format("avc1.%02x%02x%02x", init[avcC + 5] & 0xff, init[avcC + 6] & 0xff, init[avcC + 7] & 0xff));
        }
        int mp4a = indexOf(init, "mp4a");
        if (mp4a >= 0) {
            codecs.add("mp4a.40." + aacObjectType(init, mp4a));
        }
        return codecs;
    }

    /** The AAC audio object type from the esds AudioSpecificConfig; 2 (AAC-LC) when it cannot be read. */
    private static int aacObjectType(byte[] b, int from) {
        int esds = indexOf(b, "esds", from);
        if (esds < 0) {
            return 2;
        }
        // Walk the ES descriptor to the DecoderSpecificInfo (tag 5); its first 5 bits are the object type.
        for (int i = esds + 8; i < b.length - 2; i++) {
            if (b[i] == 0x05) {
                int j = i + 1;
                while (j < b.length && (b[j] & 0x80) != 0) {
                    j++;
                }
                j++;
                if (j < b.length) {
                    int type = (b[j] & 0xff) >> 3;
                    return type == 0 ? 2 : type;
                }
            }
        }
        return 2;
    }

    private static int indexOf(byte[] b, String fourcc) {
        return indexOf(b, fourcc, 0);
    }

    private static int indexOf(byte[] b, String fourcc, int from) {
        byte c0 = (byte) fourcc.charAt(0);
        byte c1 = (byte) fourcc.charAt(1);
        byte c2 = (byte) fourcc.charAt(2);
        byte c3 = (byte) fourcc.charAt(3);
        for (int i = Math.max(0, from); i + 4 <= b.length; i++) {
            if (b[i] == c0 && b[i + 1] == c1 && b[i + 2] == c2 && b[i + 3] == c3) {
                return i;
            }
        }
        return -1;
    }
}
