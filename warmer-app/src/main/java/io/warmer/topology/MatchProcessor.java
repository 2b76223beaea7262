package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.Version;
import io.warmer.family.Join;
import io.warmer.sink.SinkCounters;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The middle stage of a match join (the joined rows whose columns hold the values of other columns of the main row,
 * many main rows to many joined rows), partitioned by those values (the subject, {@code {"email":"a@b.c"}}): it
 * keeps the joined rows of each subject, newest by version, and the main rows subscribed to it, and answers both
 * ways. The joined rows come from {@link JoinRouteProcessor}, which re-keys each change of a joined row by its values
 * (and tells the subject a row left, when its values changed or it was deleted); the subscriptions from the
 * assembler. A subscriber is sent every change of the subject's rows as it comes, and a new subscriber all of them at
 * once: its answer, which replaces whatever rows the main row held. Both are keyed by the main key and name their
 * subject ({@code for}), so that the assembler drops what arrives for a subject the main row no longer points at.
 *
 * <p>One instance reads the routed rows ({@code rows}), the other the subscriptions; they share the stores.
 */
final class MatchProcessor implements Processor<String, String, String, String> {

    private final Join join;
    private final boolean rows;
    private final String rowStoreName;
    private final String subscriptionStoreName;
    private final String answerSink;
    private final SinkCounters counters;
    private ProcessorContext<String, String> context;
    /** {@code subject NUL joinedKey} → the joined row's last delta, with what was filled in from the one before. */
    private KeyValueStore<String, String> matched;
    private Subscribers subscribers;

    /** @param rows true for the instance that reads the routed rows, false for the one that reads the subscriptions */
    MatchProcessor(Join join, boolean rows, String rowStoreName, String subscriptionStoreName, String answerSink,
                   SinkCounters counters) {
        this.join = join;
        this.rows = rows;
        this.rowStoreName = rowStoreName;
        this.subscriptionStoreName = subscriptionStoreName;
        this.answerSink = answerSink;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.matched = context.getStateStore(rowStoreName);
        this.subscribers = new Subscribers(context.getStateStore(subscriptionStoreName));
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (rows) {
                rowChanged(record);
            } else {
                subscribed(record);
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // Only Warmer writes these topics: a record it cannot read was not written by this version of it.
            DeadLetters.setAside(context, record, "join " + join.as(), "not a " + (rows ? "routed row" : "subscription")
                    + " of a match join: " + e.getMessage(), counters);
        }
    }

    private void rowChanged(Record<String, String> record) throws JsonProcessingException {
        ObjectNode delta = parse(record.value());
        String rowKey = delta.path("key").asText(null);
        if (rowKey == null || !delta.has("version")) {
            throw new IllegalArgumentException("no key or version in " + record.value());
        }
        String entryKey = record.key() + Subscribers.SEPARATOR + rowKey;
        String storedText = matched.get(entryKey);
        ObjectNode stored = storedText == null ? null : parse(storedText);
        Version version = Version.fromJson(delta.get("version"));
        if (stored != null && Version.fromJson(stored.get("version")).isNewerThan(version)) {
            return; // delivered again after a newer change
        }
        if (delta.hasNonNull("broken")) {
            // The row stays as it was and the main rows cannot be rendered until a change the join can read comes.
            ObjectNode entry = stored == null ? delta.deepCopy() : stored;
            entry.put("version", version.text());
            entry.set("broken", delta.get("broken"));
            matched.put(entryKey, RowChangeCodec.writeJson(entry));
        } else if (delta.hasNonNull("row")) {
            fillUnsent(delta, stored);
            matched.put(entryKey, RowChangeCodec.writeJson(delta));
        } else {
            matched.delete(entryKey);
        }
        delta.put("for", record.key());
        String forwarded = RowChangeCodec.writeJson(delta);
        for (String mainKey : subscribers.of(record.key())) {
            context.forward(record.withKey(mainKey).withValue(forwarded), answerSink);
        }
    }

    /** Unchanged TOASTed values PostgreSQL did not send: the row kept here has them, unless it lacked them too. */
    private static void fillUnsent(ObjectNode delta, ObjectNode stored) {
        if (!delta.has("unavailable")) {
            return;
        }
        UnsentColumns.Filled filled = UnsentColumns.fill((ObjectNode) delta.get("row"),
                UnsentColumns.names(delta.get("unavailable")), stored == null ? null : (ObjectNode) stored.get("row"),
                stored == null ? null : stored.get("unavailable"));
        delta.set("row", filled.row());
        delta.remove("unavailable");
        if (filled.unknownArray() != null) {
            delta.set("unavailable", filled.unknownArray());
        }
    }

    private void subscribed(Record<String, String> record) throws JsonProcessingException {
        Subscribers.Request request = Subscribers.Request.parse(record.value());
        if (!subscribers.apply(record.key(), request)) {
            return;
        }
        ObjectNode answer = RowChangeCodec.json().createObjectNode();
        answer.put("for", record.key());
        answer.put("answer", request.asked() == null ? "" : request.asked());
        ArrayNode all = answer.putArray("rows");
        List<String> rowKeys = Subscribers.suffixesAfter(matched, record.key());
        for (String rowKey : rowKeys) {
            all.add(parse(matched.get(record.key() + Subscribers.SEPARATOR + rowKey)));
        }
        context.forward(record.withKey(request.mainKey()).withValue(RowChangeCodec.writeJson(answer)), answerSink);
    }

    private static ObjectNode parse(String json) throws JsonProcessingException {
        JsonNode node = RowChangeCodec.json().readTree(json);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("not an object: " + json);
        }
        return object;
    }
}
