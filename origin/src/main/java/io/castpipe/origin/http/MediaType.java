package io.castpipe.origin.http;

import java.util.Optional;

/** The file types the origin serves, by extension: what they are and how clients may cache them. */
public enum MediaType {
    M3U8("m3u8", "application/vnd.apple.mpegurl", true),
    M4S("m4s", "video/iso.segment", false),
    MP4("mp4", "video/mp4", false),
    JPG("jpg", "image/jpeg", false),
    VTT("vtt", "text/vtt; charset=utf-8", true);

    private final String extension;
    private final String contentType;
    private final boolean text;

    MediaType(String extension, String contentType, boolean text) {
        this.extension = extension;
        this.contentType = contentType;
        this.text = text;
    }

    public String extension() {
        return extension;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * Playlists and text tracks: small, compressible, and rewritten when a publisher replaces
     * them. Segments, init sections and images are never rewritten under the same name.
     */
    public boolean isText() {
        return text;
    }

    public boolean isPlaylist() {
        return this == M3U8;
    }

    /** The type of a file name by its extension (lower case only), if the origin serves it. */
    public static Optional<MediaType> ofFile(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String ext = name.substring(dot + 1);
        for (MediaType t : values()) {
            if (t.extension.equals(ext)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
