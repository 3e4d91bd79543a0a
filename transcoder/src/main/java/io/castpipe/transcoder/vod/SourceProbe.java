package io.castpipe.transcoder.vod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;

/**
 * Learns what a source file holds from ffmpeg's own description of its input (the bundled
 * ffmpeg has no ffprobe): container, duration, the first real video stream (cover art does not
 * count), its size as displayed after rotation, frame rate, pixel format, and whether there is audio.
 */
final class SourceProbe {
    private static final Pattern INPUT = Pattern.compile("^Input #0, ([^,]+)");
    private static final Pattern DURATION = Pattern.compile("Duration: (\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)");
    private static final Pattern BITRATE = Pattern.compile("bitrate: (\\d+) kb/s");
    private static final Pattern STREAM = Pattern.compile("Stream #0:\\d+(?:\\[\\w+\\])?(?:\\(\\w+\\))?: (Video|Audio): (.*)$");
    private static final Pattern SIZE = Pattern.compile("^(\\d{2,5})x(\\d{2,5})");
    private static final Pattern RATE = Pattern.compile("^(\\d+(?:\\.\\d+)?)(k?) (fps|tbr)$");
    private static final Pattern ROTATION = Pattern.compile("displaymatrix: rotation of (-?\\d+(?:\\.\\d+)?) degrees");
    private static final Pattern ROTATE_TAG = Pattern.compile("^\\s*rotate\\s*: (-?\\d+)");

    private SourceProbe() {
    }

    static SourceInfo probe(Ffmpeg ffmpeg, Path source, String videoId) throws JobFailure {
        List<String> lines;
        try {
            // With no output ffmpeg describes the input and exits 1; the description is what we want.
            ffmpeg.command(videoId + "-probe").args(UploadInput.of(source)).timeout(java.time.Duration.ofMinutes(2)).run();
            throw new IllegalStateException("ffmpeg accepted a command without an output");
        } catch (FfmpegException e) {
            lines = e.stderrTail();
        }
        long size;
        boolean mp4Header;
        try (var in = Files.newInputStream(source)) {
            size = Files.size(source);
            byte[] head = in.readNBytes(8);
            mp4Header = head.length == 8 && new String(head, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ftyp");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return parse(lines, size, mp4Header);
    }

    /** @param mp4Header whether the file starts with an MP4 {@code ftyp} box */
    static SourceInfo parse(List<String> lines, long sizeBytes, boolean mp4Header) throws JobFailure {
        if (sizeBytes == 0) {
            throw new JobFailure("empty_file", "The uploaded file is empty.");
        }
        String container = null;
        double duration = 0;
        long bitrate = 0;
        String videoCodec = null;
        String pixelFormat = null;
        String audioCodec = null;
        int width = 0;
        int height = 0;
        double frameRate = 0;
        int rotation = 0;
        boolean inVideo = false;
        for (String line : lines) {
            Matcher m;
            if ((m = INPUT.matcher(line)).find()) {
                container = m.group(1);
            }
            if ((m = DURATION.matcher(line)).find()) {
                duration = Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + Double.parseDouble(m.group(3));
            }
            if ((m = BITRATE.matcher(line)).find()) {
                bitrate = Long.parseLong(m.group(1)) * 1000;
            }
            if ((m = STREAM.matcher(line)).find()) {
                inVideo = false;
                List<String> fields = splitTopLevel(m.group(2));
                boolean coverArt = m.group(2).contains("(attached pic)");
                if (m.group(1).equals("Video") && videoCodec == null && !coverArt) {
                    inVideo = true;
                    videoCodec = firstWord(fields.get(0));
                    pixelFormat = fields.size() > 1 ? firstWord(fields.get(1)) : null;
                    for (String f : fields) {
                        Matcher s = SIZE.matcher(f);
                        if (s.find() && width == 0) {
                            width = Integer.parseInt(s.group(1));
                            height = Integer.parseInt(s.group(2));
                        }
                        Matcher r = RATE.matcher(f);
                        if (r.find() && (frameRate == 0 || r.group(3).equals("fps"))) {
                            frameRate = Double.parseDouble(r.group(1)) * (r.group(2).isEmpty() ? 1 : 1000);
                        }
                    }
                } else if (m.group(1).equals("Audio") && audioCodec == null) {
                    audioCodec = firstWord(fields.get(0));
                }
            } else if (inVideo) {
                Matcher r = ROTATION.matcher(line);
                Matcher t = ROTATE_TAG.matcher(line);
                if (r.find()) {
                    rotation = normalise((int) Math.round(-Double.parseDouble(r.group(1))));
                } else if (t.find() && rotation == 0) {
                    rotation = normalise(Integer.parseInt(t.group(1)));
                }
            }
        }
        if (container == null && mp4Header && lines.stream().anyMatch(l -> l.contains("moov atom not found"))) {
            throw new JobFailure("truncated", "The file is incomplete: the index at its end is missing, "
                    + "as happens when an upload or a recording is cut short.");
        }
        if (container == null && lines.stream().anyMatch(l -> l.contains(UploadInput.REFUSED))) {
            throw new JobFailure("unsupported_container", "The file is not in a video container Castpipe accepts ("
                    + UploadInput.CONTAINERS_FOR_PEOPLE + ").");
        }
        if (container == null) {
            throw new JobFailure("unreadable_input", "The file is not a video Castpipe can read"
                    + lastWords(lines) + ".");
        }
        if (videoCodec == null) {
            throw new JobFailure("no_video_stream", "The file has no video stream"
                    + (audioCodec != null ? " (it holds only audio)" : "") + ".");
        }
        if (width == 0 || height == 0) {
            throw new JobFailure("no_picture_size", "The video stream has no picture size ffmpeg can decode.");
        }
        if (duration <= 0) {
            throw new JobFailure("no_duration", "The video has no duration; the file may be truncated.");
        }
        if (rotation == 90 || rotation == 270) {
            int w = width;
            width = height;
            height = w;
        }
        return new SourceInfo(container, duration, width, height, rotation, frameRate, videoCodec, pixelFormat,
                audioCodec, bitrate, sizeBytes);
    }

    private static int normalise(int degrees) {
        return ((degrees % 360) + 360) % 360;
    }

    /** Splits on commas that are not inside brackets: "yuv420p(tv, bt709)" stays one field. */
    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(s.substring(start).trim());
        return out;
    }

    private static String firstWord(String s) {
        int end = 0;
        while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
            end++;
        }
        return s.substring(0, end);
    }

    /** ffmpeg's own complaint about the input, e.g. "Invalid data found when processing input". */
    private static String lastWords(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            int colon = l.lastIndexOf(": ");
            if (colon > 0 && !l.contains("At least one output file")) {
                return " (ffmpeg: " + l.substring(colon + 2).trim() + ")";
            }
        }
        return "";
    }
}
