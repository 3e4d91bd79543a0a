package io.castpipe.packager.thumbs;

import java.util.Locale;

/**
 * Scrub-preview thumbnails laid out in sprite sheets, and the WebVTT file that maps each stretch
 * of the video to its tile ({@code sprite-N.jpg#xywh=x,y,w,h}), as players' thumbnail tracks expect.
 * Sheets are numbered from 1, tiles fill a sheet row by row.
 */
public record Storyboard(double intervalSeconds, int tileWidth, int tileHeight, int columns, int rows) {

    public int tilesPerSheet() {
        return columns * rows;
    }

    /** How many thumbnails a video of this length has: one at the start of every interval. */
    public int thumbnails(double durationSeconds) {
        return Math.max(1, (int) Math.ceil(durationSeconds / intervalSeconds - 1e-9));
    }

    public int sheets(double durationSeconds) {
        return (thumbnails(durationSeconds) + tilesPerSheet() - 1) / tilesPerSheet();
    }

    public String vtt(double durationSeconds, String sheetPrefix) {
        StringBuilder b = new StringBuilder("WEBVTT\n");
        int count = thumbnails(durationSeconds);
        for (int i = 0; i < count; i++) {
            double start = i * intervalSeconds;
            double end = Math.min((i + 1) * intervalSeconds, durationSeconds);
            int tile = i % tilesPerSheet();
            b.append('\n').append(timestamp(start)).append(" --> ").append(timestamp(end)).append('\n')
                    .append(sheetPrefix).append(i / tilesPerSheet() + 1).append(".jpg#xywh=")
                    .append((tile % columns) * tileWidth).append(',').append((tile / columns) * tileHeight).append(',')
                    .append(tileWidth).append(',').append(tileHeight).append('\n');
        }
        return b.toString();
    }

    private static String timestamp(double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }
}
