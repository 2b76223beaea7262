package io.warmer.capture.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream's side of a chunk: what it must drop, and when a chunk's snapshot cannot be used. */
class ChunkWindowsTest {

    private static final TableId USERS = TableId.parse("users");
    private static final TableId ORDERS = TableId.parse("orders");

    private final ChunkWindows windows = new ChunkWindows("run-1");

    private static ChunkReader.ReadChunk chunk(TransactionSnapshot snapshot) {
        return new ChunkReader.ReadChunk(snapshot, List.of(), List.of(), List.of("1"), false, 0);
    }

    @Test
    void shouldRecordTheKeysOfItsTableDeliveredWhileOpen() throws InterruptedException {
        windows.changeDelivered(USERS, "{\"id\":1}", 10, Version.of(100, 100));
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        windows.changeDelivered(USERS, "{\"id\":2}", 11, Version.of(110, 110));
        windows.changeDelivered(ORDERS, "{\"id\":3}", 11, Version.of(110, 110));
        window.read.complete(chunk(TransactionSnapshot.parse("12:12:")));

        ChunkWindows.Window delivered = windows.markerDelivered(windows.markerOf(window), 120);

        assertThat(delivered).isSameAs(window);
        assertThat(delivered.touched).containsExactly("{\"id\":2}");
        assertThat(delivered.openedAt).as("just above what was delivered before opening").isEqualTo(Version.of(100, 101));
        assertThat(windows.position()).isEqualTo(120);
    }

    @Test
    void shouldOpenAboveTheRowsOfTheChunkBefore() throws InterruptedException {
        ChunkWindows.Window first = windows.open(USERS, "s1", null);
        first.read.complete(chunk(TransactionSnapshot.parse("12:12:")));
        windows.markerDelivered(windows.markerOf(first), 500); // its rows are written at 500.0

        ChunkWindows.Window next = windows.open(USERS, "s2", null);

        assertThat(next.openedAt).isGreaterThan(Version.snapshot(500)).isLessThan(Version.of(500, 1_000));
    }

    @Test
    void shouldStopRecordingOnceTheMarkerIsDelivered() throws InterruptedException {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        window.read.complete(chunk(TransactionSnapshot.parse("12:12:")));
        windows.markerDelivered(windows.markerOf(window), 120);

        windows.changeDelivered(USERS, "{\"id\":9}", 13, Version.of(130, 130));

        assertThat(window.touched).isEmpty();
    }

    @Test
    void shouldRefuseASnapshotThatDoesNotSeeATransactionDeliveredBeforeTheWindowOpened() {
        windows.changeDelivered(USERS, "{\"id\":1}", 7, Version.of(100, 100)); // delivered, still in progress to PostgreSQL
        ChunkWindows.Window window = windows.open(USERS, "s1", null);

        assertThat(windows.missesDelivered(window, TransactionSnapshot.parse("5:9:7"))).isTrue();
        assertThat(windows.missesDelivered(window, TransactionSnapshot.parse("5:7:"))).as("at xmax").isTrue();
        assertThat(windows.missesDelivered(window, TransactionSnapshot.parse("8:9:"))).isFalse();
    }

    @Test
    void shouldNotHoldTransactionsDeliveredAfterOpeningAgainstTheChunk() {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        windows.changeDelivered(USERS, "{\"id\":1}", 7, Version.of(100, 100)); // committed after the chunk's snapshot: in the window

        assertThat(windows.missesDelivered(window, TransactionSnapshot.parse("5:7:"))).isFalse();
        assertThat(window.touched).containsExactly("{\"id\":1}");
    }

    @Test
    void shouldForgetDeliveredTransactionsOnceASnapshotSeesThem() {
        windows.changeDelivered(USERS, "{\"id\":1}", 7, Version.of(100, 100));
        windows.changeDelivered(USERS, "{\"id\":2}", 8, Version.of(110, 110));

        windows.confirm(TransactionSnapshot.parse("8:9:8"));

        assertThat(windows.unconfirmedCount()).isEqualTo(1);
        windows.confirm(TransactionSnapshot.parse("9:9:"));
        assertThat(windows.unconfirmedCount()).isZero();
    }

    @Test
    void shouldIgnoreMarkersOfAnotherRunAndOtherMessages() throws InterruptedException {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        window.read.complete(chunk(TransactionSnapshot.parse("12:12:")));

        assertThat(windows.markerDelivered("chunk:run-0:" + window.id, 200)).isNull();
        assertThat(windows.markerDelivered("heartbeat", 210)).isNull();
        assertThat(windows.position()).as("every message moves the position on").isEqualTo(210);
    }

    @Test
    void shouldGiveUpAChunkWhoseReaderFailedAfterWritingTheMarker() throws InterruptedException {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        window.read.completeExceptionally(new java.sql.SQLException("commit failed"));

        assertThat(windows.markerDelivered(windows.markerOf(window), 300)).isNull();
        assertThat(window.written).isCompletedExceptionally();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode json(String text) throws Exception {
        return (com.fasterxml.jackson.databind.node.ObjectNode) io.warmer.change.RowChangeCodec.json().readTree(text);
    }

    private void update(String row, String unavailable) {
        windows.changeDelivered(USERS, "{\"id\":1}", 20, Version.of(200, 200), "{\"op\":\"u\",\"version\":\"x\","
                + "\"commitTimeMs\":1,\"table\":\"public.users\",\"row\":" + row
                + (unavailable.isEmpty() ? "" : ",\"unavailable\":[\"" + unavailable + "\"]") + "}");
    }

    @Test
    void shouldCompleteATouchedRowWhoseLatestChangeLacksAToastedValueFromTheRead() throws Exception {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        update("{\"id\":1,\"note\":null,\"n\":2}", "note");

        assertThat(ChunkWindows.asOfMarker(window, "{\"id\":1}", json("{\"id\":1,\"note\":\"long\",\"n\":1}")))
                .as("the change's values, the read's note").isEqualTo(json("{\"id\":1,\"note\":\"long\",\"n\":2}"));
    }

    @Test
    void shouldKeepWhatEachOfTwoOpenWindowsOfATableWasToldOnItsOwn() throws Exception {
        // The reader reads a table's next chunk while the last one is sent: two windows of it are open.
        ChunkWindows.Window earlier = windows.open(USERS, "s1", null);
        update("{\"id\":1,\"note\":\"set in the first window\",\"n\":2}", "");
        ChunkWindows.Window later = windows.open(USERS, "s1", List.of("1"));
        update("{\"id\":1,\"note\":null,\"n\":3}", "note");

        assertThat(earlier.touched).containsExactly("{\"id\":1}");
        assertThat(later.touched).containsExactly("{\"id\":1}");
        assertThat(ChunkWindows.asOfMarker(earlier, "{\"id\":1}", json("{\"id\":1,\"note\":\"read\",\"n\":1}")))
                .as("the first window's changes tell the row whole").isNull();
        assertThat(later.incomplete.get("{\"id\":1}").row()).as("not completed by the other window's change")
                .isEqualTo(json("{\"id\":1,\"note\":null,\"n\":3}"));
        assertThat(ChunkWindows.asOfMarker(later, "{\"id\":1}", json("{\"id\":1,\"note\":\"read\",\"n\":1}")))
                .isEqualTo(json("{\"id\":1,\"note\":\"read\",\"n\":3}"));
    }

    @Test
    void shouldLeaveARowToTheStreamWhenAnEarlierChangeInTheWindowSentTheValue() throws Exception {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        update("{\"id\":1,\"note\":\"set in the window\",\"n\":2}", "");
        update("{\"id\":1,\"note\":null,\"n\":3}", "note");

        // The materializer has the note from the earlier change; the read's may be older than it.
        assertThat(ChunkWindows.asOfMarker(window, "{\"id\":1}", json("{\"id\":1,\"note\":\"read before\",\"n\":1}")))
                .isNull();

        update("{\"id\":1,\"other\":null,\"n\":4}", "other");
        assertThat(ChunkWindows.asOfMarker(window, "{\"id\":1}",
                json("{\"id\":1,\"note\":\"read before\",\"other\":\"o\",\"n\":1}")))
                .as("a value unsent since the window opened comes from the read, the others from the changes")
                .isEqualTo(json("{\"id\":1,\"other\":\"o\",\"n\":4}"));
    }

    @Test
    void shouldLeaveARowWhoseLatestChangeIsWholeOrADeleteToTheStream() throws Exception {
        ChunkWindows.Window window = windows.open(USERS, "s1", null);
        update("{\"id\":1,\"note\":null,\"n\":2}", "note");
        update("{\"id\":1,\"note\":\"sent\",\"n\":3}", "");
        assertThat(ChunkWindows.asOfMarker(window, "{\"id\":1}", json("{\"id\":1,\"note\":\"x\",\"n\":1}"))).isNull();

        update("{\"id\":1,\"note\":null,\"n\":4}", "note");
        windows.changeDelivered(USERS, "{\"id\":1}", 21, Version.of(210, 210),
                "{\"op\":\"d\",\"version\":\"x\",\"commitTimeMs\":1,\"table\":\"public.users\"}");
        assertThat(ChunkWindows.asOfMarker(window, "{\"id\":1}", json("{\"id\":1,\"note\":\"x\",\"n\":1}"))).isNull();
    }
}
