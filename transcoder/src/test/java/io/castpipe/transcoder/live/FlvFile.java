package io.castpipe.transcoder.live;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tags of an FLV file ffmpeg made: what an RTMP publisher sends, one message per tag. */
record FlvFile(List<Tag> tags) {

    record Tag(int type, long timestamp, byte[] body) {
    }

    static FlvFile read(Path file) throws IOException {
        List<Tag> tags = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            in.skipNBytes(13); // header and the first previous-tag-size
            while (true) {
                int type;
                try {
                    type = in.readUnsignedByte();
                } catch (EOFException e) {
                    return new FlvFile(tags);
                }
                int size = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                long ts = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                ts |= (long) in.readUnsignedByte() << 24;
                in.skipNBytes(3);
                byte[] body = in.readNBytes(size);
                in.skipNBytes(4);
                tags.add(new Tag(type, ts, body));
            }
        }
    }
}
