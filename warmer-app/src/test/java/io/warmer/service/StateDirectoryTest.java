package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka Streams' local state: a slot per process, kept after a clean stop, emptied after any other. */
class StateDirectoryTest {

    @Test
    void shouldGiveASecondProcessItsOwnSlot(@TempDir Path root) {
        try (StateDirectory first = StateDirectory.claim(root); StateDirectory second = StateDirectory.claim(root)) {
            assertThat(first.path()).isEqualTo(root.resolve("slot-0"));
            assertThat(second.path()).isEqualTo(root.resolve("slot-1"));
        }
    }

    @Test
    void shouldKeepTheStoresOfACleanStop(@TempDir Path root) throws Exception {
        try (StateDirectory state = StateDirectory.claim(root)) {
            Files.writeString(state.path().resolve("store"), "rows");
            state.markClean();
        }
        try (StateDirectory state = StateDirectory.claim(root)) {
            assertThat(state.reused()).isTrue();
            assertThat(state.path().resolve("store")).hasContent("rows");
        }
    }

    @Test
    void shouldEmptyTheSlotOfAProcessThatDidNotStopCleanly(@TempDir Path root) throws Exception {
        try (StateDirectory state = StateDirectory.claim(root)) {
            Files.createDirectories(state.path().resolve("app/0_1"));
            Files.writeString(state.path().resolve("app/0_1/store"), "rows");
        } // no markClean: killed, or its streams did not close in time
        try (StateDirectory state = StateDirectory.claim(root)) {
            assertThat(state.reused()).isFalse();
            assertThat(state.path().resolve("app")).doesNotExist();
        }
    }

    @Test
    void shouldKeepAnApplicationsStoresOnlyForTheSameChangelogTopics(@TempDir Path root) throws Exception {
        String before = "cluster c1\napp-keys-changelog 5Yc1\n";
        try (StateDirectory state = StateDirectory.claim(root)) {
            for (String app : new String[] {"same", "recreated", "unknown"}) {
                Files.createDirectories(state.path().resolve(app + "/0_1"));
                state.recordChangelogs(app, before);
            }
            state.markClean();
        }
        try (StateDirectory state = StateDirectory.claim(root)) {
            assertThat(state.keep("same", before)).isTrue();
            assertThat(state.keep("recreated", "cluster c1\napp-keys-changelog 9Qz0\n")).isFalse();
            assertThat(state.keep("unknown", null)).as("the topics could not be read").isFalse();

            assertThat(state.path().resolve("same/0_1")).exists();
            assertThat(state.path().resolve("recreated")).doesNotExist();
            assertThat(state.path().resolve("unknown")).doesNotExist();
        }
    }
}
