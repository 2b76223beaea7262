package io.warmer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.Version;
import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warmer keys render}: the keys and value a family produces for a row, computed by the same
 * code as the pipeline, so an application's tests can check the key format it reads.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print the cache writes a family produces for a row, exactly as the pipeline makes them.",
                "Example: warmer keys render --config warmer.yml --family user-profile-v2 --row '{\"id\":42,\"name\":\"Ada\"}'"})
final class KeysRenderCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--family", required = true, description = "The family's name.")
    String family;

    @Option(names = "--row", required = true, description = "The row as a JSON object of column values.")
    String row;

    @Option(names = "--delete", description = "Render the writes of the row's deletion instead.")
    boolean delete;

    @Option(names = "--json", description = "Print a JSON array instead of lines.")
    boolean json;

    @Override
    public Integer call() {
        WarmerConfig loaded = config.load();
        KeyFamily keyFamily = loaded.keyFamily(loaded.family(family, config.toString()).name());
        ObjectNode columns = parseRow();
        RowChange change = delete ? new RowChange(Operation.DELETE, Version.ZERO, 0, keyFamily.table().qualified(), null, columns)
                : new RowChange(Operation.INSERT, Version.ZERO, 0, keyFamily.table().qualified(), columns, null);
        var writes = keyFamily.map(columns, change, Set.of(), System.currentTimeMillis()).writes();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            writes.forEach(w -> array.add(asJson(w)));
            out.println(RowChangeCodec.writeJson(array));
        } else {
            writes.forEach(w -> out.println(asLine(w)));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private ObjectNode parseRow() {
        try {
            JsonNode parsed = RowChangeCodec.json().readTree(row);
            if (parsed instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--row: found " + row + ", expected a JSON object such as {\"id\":42}");
    }

    private static String asLine(CacheWrite write) {
        if (write instanceof CacheWrite.PutHash hash) {
            ObjectNode fields = JsonNodeFactory.instance.objectNode();
            hash.fields().forEach(fields::put);
            return "hset " + hash.key() + " " + RowChangeCodec.writeJson(fields)
                    + (hash.ttl() == null ? "" : " ttl=" + hash.ttl().toSeconds() + "s")
                    + (hash.fencing().enabled() ? " fenced" : "");
        }
        if (write instanceof CacheWrite.Put put) {
            return "set " + put.key() + " " + put.value()
                    + (put.ttl() == null ? "" : " ttl=" + put.ttl().toSeconds() + "s")
                    + (put.fencing().enabled() ? " fenced" : "");
        }
        if (write instanceof CacheWrite.AddMember add) {
            return (add.score() == null ? "sadd " + add.key() + " " + add.member()
                    : "zadd " + add.key() + " " + add.scoreText() + " " + add.member())
                    + (add.cap() > 0 ? " cap=" + add.cap() : "") + (add.fencing().enabled() ? " fenced" : "");
        }
        if (write instanceof CacheWrite.RemoveMember remove) {
            return (remove.sorted() ? "zrem " : "srem ") + remove.key() + " " + remove.member()
                    + (remove.cap() > 0 ? " cap=" + remove.cap() : "") + (remove.fencing().enabled() ? " fenced" : "");
        }
        return "del " + write.key() + (write.fencing().enabled() ? " fenced" : "");
    }

    private static ObjectNode asJson(CacheWrite write) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("op", asLine(write).split(" ", 2)[0]);
        node.put("key", write.key());
        if (write instanceof CacheWrite.AddMember add) {
            node.put("member", add.member());
            if (add.score() != null) {
                node.put("score", add.score());
            }
            if (add.cap() > 0) {
                node.put("cap", add.cap());
            }
        }
        if (write instanceof CacheWrite.RemoveMember remove) {
            node.put("member", remove.member());
            if (remove.cap() > 0) {
                node.put("cap", remove.cap());
            }
        }
        if (write instanceof CacheWrite.PutHash hash) {
            ObjectNode fields = node.putObject("fields");
            hash.fields().forEach(fields::put);
            if (hash.ttl() != null) {
                node.put("ttlSeconds", hash.ttl().toSeconds());
            }
        }
        if (write instanceof CacheWrite.Put put) {
            node.put("value", put.value());
            if (put.ttl() != null) {
                node.put("ttlSeconds", put.ttl().toSeconds());
            }
        }
        node.put("fenced", write.fencing().enabled());
        return node;
    }
}
