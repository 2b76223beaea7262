package io.warmer.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.family.UnrenderableRowException;
import io.warmer.sink.CacheSinkStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies the changes of one table to the cache: every family of the table maps the change, and the
 * writes go to the sink store. A change that cannot be mapped is forwarded to the dead-letter sink
 * with the reason; it never stops the pipeline.
 */
final class MaterializeProcessor implements Processor<String, String, String, String> {

    private final List<KeyFamily> families;
    private final String storeName;
    private ProcessorContext<String, String> context;
    private CacheSinkStore sink;

    MaterializeProcessor(List<KeyFamily> families, String storeName) {
        this.families = families;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.sink = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return; // the tombstone after a delete only lets compaction forget the row
        }
        List<CacheWrite> writes = new ArrayList<>();
        String family = "";
        try {
            ObjectNode primaryKey = RowChangeCodec.readKey(record.key());
            RowChange change = RowChangeCodec.read(record.value());
            for (KeyFamily f : families) {
                family = f.name();
                writes.addAll(f.map(primaryKey, change, context.currentSystemTimeMs()));
            }
        } catch (MalformedChangeException | UnrenderableRowException e) {
            context.forward(DeadLetters.of(record, context.recordMetadata().orElse(null), family, e.getMessage()),
                    WarmerTopology.DEAD_LETTER_SINK);
            return;
        }
        sink.write(writes);
    }
}
