package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.data.VariableScaleDecimal;
import io.warmer.change.MalformedChangeException;
import java.math.BigDecimal;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** How each Debezium type reaches the cache: the rendering the README documents. */
class ConnectJsonTest {

    private static final ChangeRecordWriter WRITER = new ChangeRecordWriter(TimestampFormat.ISO_8601);
    private static final ChangeRecordWriter MILLIS = new ChangeRecordWriter(TimestampFormat.EPOCH_MILLIS);

    private static Schema logical(Schema.Type type, String name) {
        return new SchemaBuilder(type).name(name).optional().build();
    }

    private static String render(Schema schema, Object value) {
        return WRITER.json(schema, value);
    }

    @Test
    void shouldRenderADateAsIsoDate() {
        assertThat(render(logical(Schema.Type.INT32, "io.debezium.time.Date"), 19_723)).isEqualTo("\"2024-01-01\"");
    }

    @Test
    void shouldRenderATimestampWithoutZoneAsIsoLocalDateTime() {
        assertThat(render(logical(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), 1_704_110_400_123_456L))
                .isEqualTo("\"2024-01-01T12:00:00.123456\"");
        assertThat(render(logical(Schema.Type.INT64, "io.debezium.time.Timestamp"), 1_704_110_400_000L))
                .isEqualTo("\"2024-01-01T12:00\"");
    }

    @Test
    void shouldRenderTimestampsAsEpochMillisWhenConfigured() {
        assertThat(MILLIS.json(logical(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), 1_704_110_400_123_456L))
                .isEqualTo("1704110400123");
        assertThat(MILLIS.json(logical(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp"), "2024-01-01T12:00:00.123000Z"))
                .isEqualTo("1704110400123");
        assertThat(MILLIS.json(logical(Schema.Type.INT32, "io.debezium.time.Date"), 19_723)).isEqualTo("\"2024-01-01\"");
    }

    @Test
    void shouldRenderATimeOfDayAsIsoTime() {
        assertThat(render(logical(Schema.Type.INT64, "io.debezium.time.MicroTime"), 45_296_000_000L))
                .isEqualTo("\"12:34:56\"");
    }

    @Test
    void shouldNestJsonColumnsInsteadOfQuotingThem() {
        assertThat(render(logical(Schema.Type.STRING, "io.debezium.data.Json"), "{\"a\": [1, 2]}"))
                .isEqualTo("{\"a\": [1, 2]}");
    }

    @Test
    void shouldRenderNumericExactlyWithoutExponent() {
        assertThat(render(Decimal.builder(2).optional().build(), new BigDecimal("10.50"))).isEqualTo("10.50");
        assertThat(render(Decimal.builder(0).optional().build(), new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(render(VariableScaleDecimal.optionalSchema(),
                VariableScaleDecimal.fromLogical(VariableScaleDecimal.optionalSchema(), new BigDecimal("12345678901234567890.0001"))))
                .isEqualTo("12345678901234567890.0001");
    }

    @Test
    void shouldRefuseNaNWithTheColumnName() {
        Schema row = SchemaBuilder.struct().field("ratio", Schema.OPTIONAL_FLOAT64_SCHEMA).build();

        assertThatThrownBy(() -> render(row, new org.apache.kafka.connect.data.Struct(row).put("ratio", Double.NaN)))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessage("column 'ratio' holds NaN, which JSON cannot represent");
    }

    @Test
    void shouldWriteDebeziumsBytesOfABitStringAsItsBinaryNumeral() {
        // B'10110' as Debezium streams it: little-endian, bit 0 the rightmost.
        org.assertj.core.api.Assertions.assertThat(ConnectJson.bits(new byte[] {0b00010110})).isEqualTo("10110");
        org.assertj.core.api.Assertions.assertThat(ConnectJson.bits(new byte[] {0b00000101, 0})).as("B'0101'").isEqualTo("101");
        org.assertj.core.api.Assertions.assertThat(ConnectJson.bits(new byte[0])).isEqualTo("0");
        org.assertj.core.api.Assertions.assertThat(io.warmer.capture.rows.RowReader.binaryNumeral("00101")).isEqualTo("101");
    }
}
