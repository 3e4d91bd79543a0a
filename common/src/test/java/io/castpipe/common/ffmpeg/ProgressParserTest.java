package io.castpipe.common.ffmpeg;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressParserTest {

    @Test
    void emitsOneReportPerBlockWithTheFiguresOfThatBlock() {
        List<FfmpegProgress> out = new ArrayList<>();
        ProgressParser p = new ProgressParser(out::add);
        for (String line : List.of("frame=12", "fps=24.5", "out_time_us=N/A", "speed=N/A", "progress=continue",
                "frame=50", "fps=25.0", "out_time_ms=2000000", "out_time_us=2000000", "speed=1.5x", "progress=end")) {
            p.line(line);
        }

        assertThat(out).hasSize(2);
        assertThat(out.get(0).frame()).isEqualTo(12);
        assertThat(out.get(0).outTime()).isZero();
        assertThat(out.get(0).ended()).isFalse();
        assertThat(out.get(1).outTime().toMillis()).isEqualTo(2000);
        assertThat(out.get(1).speed()).isEqualTo(1.5);
        assertThat(out.get(1).ended()).isTrue();
    }

    @Test
    void ignoresLinesThatAreNotKeyValue() {
        List<FfmpegProgress> out = new ArrayList<>();
        ProgressParser p = new ProgressParser(out::add);
        p.line("");
        p.line("garbage");
        p.line("=x");
        assertThat(out).isEmpty();
    }
}
