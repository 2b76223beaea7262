package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import org.junit.jupiter.api.Test;

class DebeziumEnvelopeTranslatorTest {

    private static final String UPDATE = """
            {"before":null,"after":{"id":42,"name":"Ada","balance":"10.50"},
             "source":{"connector":"postgresql","schema":"public","table":"users","lsn":123456,"ts_ms":1700000000000,"snapshot":"false"},
             "op":"u","ts_ms":1700000000123}""";

    @Test
    void shouldKeepTheRowTheOperationAndTheLsnAsVersion() {
        RowChange change = DebeziumEnvelopeTranslator.translate(UPDATE).orElseThrow();

        assertThat(change.op()).isEqualTo(Operation.UPDATE);
        assertThat(change.version()).isEqualTo(123456L);
        assertThat(change.commitTimeMs()).isEqualTo(1700000000000L);
        assertThat(change.table()).isEqualTo("public.users");
        assertThat(change.row().get("name").asText()).isEqualTo("Ada");
        assertThat(change.row().get("balance").asText()).isEqualTo("10.50");
    }

    @Test
    void shouldTreatTheFourCharacterStringNullAsATombstone() {
        assertThat(DebeziumEnvelopeTranslator.translate("null")).isEmpty();
        assertThat(DebeziumEnvelopeTranslator.translate(null)).isEmpty();
    }

    @Test
    void shouldCarryTheBeforeImageOfADelete() {
        String delete = """
                {"before":{"id":42},"after":null,
                 "source":{"schema":"public","table":"users","lsn":200,"ts_ms":1},"op":"d","ts_ms":2}""";

        RowChange change = DebeziumEnvelopeTranslator.translate(delete).orElseThrow();

        assertThat(change.isDelete()).isTrue();
        assertThat(change.row()).isNull();
        assertThat(change.before().get("id").asLong()).isEqualTo(42);
    }

    @Test
    void shouldRoundTripThroughTheTopicFormat() {
        RowChange change = DebeziumEnvelopeTranslator.translate(UPDATE).orElseThrow();

        assertThat(RowChangeCodec.read(RowChangeCodec.write(change))).isEqualTo(change);
    }

    @Test
    void shouldRejectAValueThatIsNotJson() {
        assertThatThrownBy(() -> DebeziumEnvelopeTranslator.translate("{not json"))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageContaining("not JSON");
    }
}
