package io.castpipe.common.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.castpipe.common.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDiskTest {

    @Test
    void aFolderThatTakesWritesPassesAndKeepsNothingOfTheProbe() throws IOException {
        Path dir = TestServices.tempDir("disk").resolve("work");
        DataDisk.check(dir);
        try (var left = Files.list(dir)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void aFolderThatCannotBeWrittenIsRefusedWithWhy() throws IOException {
        Path file = Files.createFile(TestServices.tempDir("disk").resolve("not-a-folder"));
        assertThatThrownBy(() -> DataDisk.check(file.resolve("work"))).isInstanceOf(IOException.class);
        assertThat(DataDisk.writable(file.resolve("work"))).isFalse();
    }
}
