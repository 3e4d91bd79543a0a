package io.castpipe.packager.thumbs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoryboardTest {

    @Test
    void mapsEveryIntervalToItsTileAcrossSheets() {
        Storyboard s = new Storyboard(2, 160, 90, 2, 2);
        assertThat(s.thumbnails(9)).isEqualTo(5);
        assertThat(s.sheets(9)).isEqualTo(2);
        assertThat(s.vtt(9, "sprite-")).isEqualTo("""
                WEBVTT

                00:00:00.000 --> 00:00:02.000
                sprite-1.jpg#xywh=0,0,160,90

                00:00:02.000 --> 00:00:04.000
                sprite-1.jpg#xywh=160,0,160,90

                00:00:04.000 --> 00:00:06.000
                sprite-1.jpg#xywh=0,90,160,90

                00:00:06.000 --> 00:00:08.000
                sprite-1.jpg#xywh=160,90,160,90

                00:00:08.000 --> 00:00:09.000
                sprite-2.jpg#xywh=0,0,160,90
                """);
    }

    @Test
    void anExactMultipleHasNoEmptyLastCue() {
        assertThat(new Storyboard(1, 160, 90, 10, 10).thumbnails(10)).isEqualTo(10);
        assertThat(new Storyboard(1, 160, 90, 10, 10).thumbnails(0.2)).isEqualTo(1);
    }
}
