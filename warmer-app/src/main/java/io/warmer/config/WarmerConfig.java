package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.warmer.change.TableId;
import io.warmer.family.KeyFamily;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration: one YAML file, parsed once by {@link ConfigLoader}, immutable after. Each family is
 * resolved into its {@link KeyFamily} once, here; everything downstream takes the resolved form.
 *
 * <p>A class rather than a record only to hold what it resolves; its accessors and equality are a record's.
 */
public final class WarmerConfig {

    private final SourceConfig source;
    private final KafkaSettings kafka;
    private final RedisSettings redis;
    private final List<FamilyConfig> families;
    private final HttpSettings http;
    private final List<KeyFamily> keyFamilies;
    private final Map<String, KeyFamily> keyFamiliesByName = new LinkedHashMap<>();
    private final Map<String, Map<TableId, Set<String>>> requiredColumnsByFamily = new LinkedHashMap<>();

    /**
     * @param http the monitoring server; {@link HttpSettings#DEFAULTS} when the file has no {@code http} section
     * @throws InvalidFieldException naming the field, {@code families[i].ttl-jitter} for one inside a family
     */
    @JsonCreator
    public WarmerConfig(@JsonProperty("source") SourceConfig source, @JsonProperty("kafka") KafkaSettings kafka,
                        @JsonProperty("redis") RedisSettings redis, @JsonProperty("families") List<FamilyConfig> families,
                        @JsonProperty("http") HttpSettings http) {
        this.http = http == null ? HttpSettings.DEFAULTS : http;
        this.source = require(source, "source", "{postgres: {...}}");
        this.kafka = require(kafka, "kafka", "{bootstrap-servers: localhost:9092}");
        this.redis = require(redis, "redis", "{uri: redis://localhost:6379}");
        if (families == null || families.isEmpty()) {
            throw new InvalidFieldException("families", "found none, expected at least one key family");
        }
        this.families = List.copyOf(families);
        for (int i = 0; i < this.families.size(); i++) {
            FamilyConfig family = this.families.get(i);
            if (keyFamiliesByName.containsKey(family.name())) {
                throw new InvalidFieldException("families[" + i + "].name",
                        "found '" + family.name() + "' a second time, expected unique family names");
            }
            KeyFamily resolved;
            try {
                resolved = family.toKeyFamily();
            } catch (InvalidFieldException e) {
                throw new InvalidFieldException("families[" + i + "]." + e.field(), e.getMessage());
            }
            keyFamiliesByName.put(family.name(), resolved);
            requiredColumnsByFamily.put(family.name(), family.requiredColumns(resolved));
        }
        this.keyFamilies = List.copyOf(keyFamiliesByName.values());
    }

    public WarmerConfig(SourceConfig source, KafkaSettings kafka, RedisSettings redis, List<FamilyConfig> families) {
        this(source, kafka, redis, families, null);
    }

    public SourceConfig source() {
        return source;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public RedisSettings redis() {
        return redis;
    }

    public List<FamilyConfig> families() {
        return families;
    }

    public HttpSettings http() {
        return http;
    }

    /** Every family, resolved: in the order of {@link #families()}. */
    public List<KeyFamily> keyFamilies() {
        return keyFamilies;
    }

    /** The resolved family of that name. */
    public KeyFamily keyFamily(String name) {
        KeyFamily family = keyFamiliesByName.get(name);
        if (family == null) {
            throw new IllegalArgumentException("no family '" + name + "'; there are " + keyFamiliesByName.keySet());
        }
        return family;
    }

    /** The tables to capture: every table some family reads or joins, in order of first mention. */
    public List<TableId> tables() {
        List<TableId> tables = new java.util.ArrayList<>();
        for (FamilyConfig family : families) {
            tables.add(family.table());
            tables.addAll(family.joinedTables());
        }
        return tables.stream().distinct().toList();
    }

    /** For each table, the columns its families use: these must exist before anything starts. */
    public Map<TableId, Set<String>> requiredColumns() {
        Map<TableId, Set<String>> required = new LinkedHashMap<>();
        requiredColumnsByFamily.values().forEach(ofFamily -> ofFamily.forEach((table, columns) ->
                required.computeIfAbsent(table, t -> new LinkedHashSet<>()).addAll(columns)));
        return required;
    }

    /** Per table, the columns one family reads there: its own table's and each joined table's. */
    public Map<TableId, Set<String>> requiredColumns(String familyName) {
        return requiredColumnsByFamily.get(familyName);
    }

    /**
     * @param source what to call the configuration in the message, usually its file
     * @throws ConfigException naming the families there are when none is called {@code name}
     */
    public FamilyConfig family(String name, String source) {
        return families.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException(source, "families", "has no family '" + name + "'; it has "
                        + families.stream().map(FamilyConfig::name).toList()));
    }

    /** The same configuration with another monitoring server, e.g. from {@code --http-port}. */
    public WarmerConfig with(HttpSettings otherHttp) {
        return new WarmerConfig(source, kafka, redis, families, otherHttp);
    }

    /** The same configuration with other Kafka settings and families, e.g. for a replay. */
    public WarmerConfig with(KafkaSettings otherKafka, List<FamilyConfig> otherFamilies) {
        return new WarmerConfig(source, otherKafka, redis, otherFamilies, http);
    }

    /** This configuration with every secret it names looked up and every file it names checked. */
    WarmerConfig resolve(Secrets secrets) {
        return new WarmerConfig(source.resolve(secrets), kafka.resolve(secrets),
                redis.resolve(secrets), families, http);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WarmerConfig that && source.equals(that.source) && kafka.equals(that.kafka)
                && redis.equals(that.redis) && families.equals(that.families) && http.equals(that.http);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, kafka, redis, families, http);
    }

    @Override
    public String toString() {
        return "WarmerConfig[source=" + source + ", kafka=" + kafka + ", redis=" + redis + ", families=" + families
                + ", http=" + http + "]";
    }
}
