package io.castpipe.transcoder.vod;

import java.nio.file.Path;
import java.util.List;

/**
 * How ffmpeg opens an uploaded source: as a local file, through the demuxers of the video
 * containers people upload, and nothing else. An upload is the uploader's bytes; opened with
 * every demuxer ffmpeg has, a playlist (hls, dash) or a concat list would make it read other
 * local files or reach the network on the uploader's behalf, and image2 would read file
 * sequences. Refused formats end the probe with {@link #REFUSED} in ffmpeg's output.
 */
final class UploadInput {
    /**
     * Demuxer names (ffmpeg matches any name of a demuxer: "mov" admits mov,mp4,m4a,3gp,3g2,mj2;
     * "matroska" admits WebM): MP4/MOV, MKV/WebM, AVI, FLV, MPEG-TS, MPEG-PS, WMV/ASF, Ogg, MXF, DV;
     * and MP3, WAV and FLAC, so that an audio file is told it holds no video rather than refused.
     */
    static final String CONTAINERS = "mov,matroska,avi,flv,mpegts,mpeg,asf,ogg,mxf,dv,mp3,wav,flac";
    /** What ffmpeg prints when the file is none of them. */
    static final String REFUSED = "not on whitelist";
    static final String CONTAINERS_FOR_PEOPLE = "MP4, MOV, MKV, WebM, AVI, FLV, MPEG-TS, MPEG-PS, WMV, Ogg, MXF or DV";

    private UploadInput() {
    }

    /** The input options and {@code -i} for the source; the path is ours, the {@code file:} prefix keeps it a path. */
    static List<String> of(Path source) {
        return List.of("-protocol_whitelist", "file", "-format_whitelist", CONTAINERS, "-i", "file:" + source);
    }
}
