package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.Version;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Debezium's envelope, as the embedded engine hands it over in Connect form, into our topic format. */
class ChangeRecordWriterTest {

    private static final ChangeRecordWriter WRITER = new ChangeRecordWriter(TimestampFormat.ISO_8601);

    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Schema.OPTIONAL_STRING_SCHEMA)
            .field("active", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("avatar", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("seen_at", Timestamp.builder().optional().build())
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct()
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct()
            .field("before", ROW).field("after", ROW).field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

    private static SourceRecord record(String op, Struct before, Struct after, long lsn) {
        return record(op, before, after, "[\"1000\",\"" + lsn + "\"]", lsn);
    }

    /** @param sequence Debezium's source.sequence: the position the change was delivered after, and its LSN */
    private static SourceRecord record(String op, Struct before, Struct after, String sequence, long lsn) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "users").put("lsn", lsn)
                .put("ts_ms", 1_700_000_000_000L).put("txId", 733L).put("sequence", sequence);
        Struct envelope = new Struct(ENVELOPE).put("op", op).put("before", before).put("after", after)
                .put("source", source).put("ts_ms", 1_700_000_000_123L);
        return new SourceRecord(Map.of(), Map.of(), "warmer.public.users", null, KEY, new Struct(KEY).put("id", 42L),
                ENVELOPE, envelope);
    }

    private static Struct row() {
        return new Struct(ROW).put("id", 42L).put("name", "Ada").put("balance", "10.50").put("active", true)
                .put("avatar", new byte[] {1, 2, 3}).put("seen_at", new Date(1_700_000_000_000L))
                .put("tags", List.of("a", "b"));
    }

    @Test
    void shouldWriteThePrimaryKeyAsAJsonObject() {
        assertThat(WRITER.translate(record("c", null, row(), 5)).key()).isEqualTo("{\"id\":42}");
    }

    @Test
    void shouldKeepTheRowTheOperationAndTheStreamPositionAsVersion() {
        var written = WRITER.translate(record("u", null, row(), "[\"123000\",\"123456\"]", 123456));

        RowChange change = RowChangeCodec.read(written.value());
        assertThat(change.op()).isEqualTo(Operation.UPDATE);
        assertThat(change.version()).isEqualTo(Version.of(123000, 123456)).isEqualTo(written.version());
        assertThat(written.txId()).isEqualTo(733L);
        assertThat(change.commitTimeMs()).isEqualTo(1_700_000_000_000L);
        assertThat(change.table()).isEqualTo("public.users");
        assertThat(change.row().toString()).isEqualTo("{\"id\":42,\"name\":\"Ada\",\"balance\":\"10.50\",\"active\":true,"
                + "\"avatar\":\"AQID\",\"seen_at\":\"2023-11-14T22:13:20Z\",\"tags\":[\"a\",\"b\"]}");
        assertThat(change.before()).isNull();
    }

    @Test
    void shouldOrderAChangeOfALaterTransactionAboveOneWrittenEarlierInTheWal() {
        // A transaction that wrote its change first but committed second is delivered second.
        var committedFirst = WRITER.translate(record("u", null, row(), "[\"9000\",\"9500\"]", 9500));
        var committedSecond = WRITER.translate(record("u", null, row(), "[\"9800\",\"9100\"]", 9100));

        assertThat(committedSecond.version()).isGreaterThan(committedFirst.version());
    }

    @Test
    void shouldOrderTheDeleteHalfOfAPrimaryKeyUpdateJustBeforeItsCreateHalf() {
        SourceRecord deleted = record("d", row(), null, "[\"9000\",\"9500\"]", 9500);
        deleted.headers().addString(ChangeRecordWriter.PK_UPDATE_NEWKEY, "{\"id\":43}");
        var delete = WRITER.translate(deleted);
        var create = WRITER.translate(record("c", null, row(), "[\"9000\",\"9500\"]", 9500));
        var earlier = WRITER.translate(record("u", null, row(), "[\"9000\",\"9400\"]", 9400));

        assertThat(create.version()).isGreaterThan(delete.version());
        assertThat(delete.version()).isEqualTo(Version.of(9000, 9499)).isGreaterThan(earlier.version());
    }

    @Test
    void shouldOrderTheFirstTransactionOnANewSlotByItsOwnLsn() {
        var first = WRITER.translate(record("c", null, row(), "[null,\"5000\"]", 5000));
        var next = WRITER.translate(record("c", null, row(), "[\"5100\",\"5200\"]", 5200));

        assertThat(first.version()).isEqualTo(Version.of(5000, 5000));
        assertThat(next.version()).isGreaterThan(first.version());
    }

    @Test
    void shouldCarryTheBeforeImageOfADelete() {
        Struct before = new Struct(ROW).put("id", 42L);

        RowChange change = RowChangeCodec.read(WRITER.translate(record("d", before, null, 7)).value());

        assertThat(change.isDelete()).isTrue();
        assertThat(change.row()).isNull();
        assertThat(change.before().get("id").asLong()).isEqualTo(42);
    }

    @Test
    void shouldPassATombstoneOnAsANullValue() {
        var tombstone = new SourceRecord(Map.of(), Map.of(), "warmer.public.users", null, KEY,
                new Struct(KEY).put("id", 42L), null, null);

        var written = WRITER.translate(tombstone);

        assertThat(written.value()).isNull();
        assertThat(written.key()).isEqualTo("{\"id\":42}");
    }

    @Test
    void shouldRefuseARecordThatIsNotAChangeEnvelope() {
        var heartbeat = new SourceRecord(Map.of(), Map.of(), "warmer.heartbeat", null, KEY,
                new Struct(KEY).put("id", 1L), KEY, new Struct(KEY).put("id", 1L));

        assertThatThrownBy(() -> WRITER.translate(heartbeat))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageContaining("not a change envelope");
    }
}
