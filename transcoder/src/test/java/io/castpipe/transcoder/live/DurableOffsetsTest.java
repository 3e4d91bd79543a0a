package io.castpipe.transcoder.live;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DurableOffsetsTest {
    private static final TopicPartition PARTITION = new TopicPartition("media.live", 0);

    @Test
    void nothingPastWhereTheStreamWasTakenOnIsSafeUntilEveryRungHasStoredIt() {
        DurableOffsets.Mark mark = new DurableOffsets.Mark(PARTITION, 100);
        mark.restartPoint(100, 0);
        mark.restartPoint(130, 1000);
        mark.restartPoint(160, 2000);
        assertThat(mark.safeOffset()).as("no ladder yet").isEqualTo(100);
        mark.ladder(2);
        mark.stored("720p", 2000);
        assertThat(mark.safeOffset()).as("one rung of two stored").isEqualTo(100);
        mark.stored("360p", 1500);
        assertThat(mark.safeOffset()).as("the last keyframe both rungs have stored past").isEqualTo(130);
        mark.stored("360p", 1999);
        assertThat(mark.safeOffset()).as("a keyframe a millisecond after the stored end starts no gap").isEqualTo(160);
    }

    @Test
    void aSafeOffsetNeverGoesBack() {
        DurableOffsets.Mark mark = new DurableOffsets.Mark(PARTITION, 10);
        mark.ladder(1);
        mark.restartPoint(40, 1000);
        mark.stored("360p", 3000);
        assertThat(mark.safeOffset()).isEqualTo(40);
        mark.stored("360p", 500);
        mark.restartPoint(70, 4000);
        assertThat(mark.safeOffset()).isEqualTo(40);
    }
}
