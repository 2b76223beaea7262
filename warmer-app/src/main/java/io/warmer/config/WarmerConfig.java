package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.change.TableId;
import io.warmer.family.KeyFamily;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration: one YAML file, parsed once by {@link ConfigLoader}, immutable after.
 *
 * @param http the monitoring server; {@link HttpSettings#DEFAULTS} when the file has no {@code http} section
 */
public record WarmerConfig(SourceConfig source, KafkaSettings kafka, RedisSettings redis, List<FamilyConfig> families,
                           HttpSettings http) {

    public WarmerConfig(SourceConfig source, KafkaSettings kafka, RedisSettings redis, List<FamilyConfig> families) {
        this(source, kafka, redis, families, null);
    }

    public WarmerConfig {
        http = http == null ? HttpSettings.DEFAULTS : http;
        require(source, "source", "{postgres: {...}}");
        require(kafka, "kafka", "{bootstrap-servers: localhost:9092}");
        require(redis, "redis", "{uri: redis://localhost:6379}");
        if (families == null || families.isEmpty()) {
            throw new InvalidFieldException("families", "found none, expected at least one key family");
        }
        families = List.copyOf(families);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < families.size(); i++) {
            if (!names.add(families.get(i).name())) {
                throw new InvalidFieldException("families[" + i + "].name",
                        "found '" + families.get(i).name() + "' a second time, expected unique family names");
            }
        }
    }

    public List<KeyFamily> keyFamilies() {
        return families.stream().map(FamilyConfig::toKeyFamily).toList();
    }

    /** The tables to capture: every table some family reads or joins, in order of first mention. */
    public List<TableId> tables() {
        List<TableId> tables = new java.util.ArrayList<>();
        for (FamilyConfig family : families) {
            tables.add(family.table());
            family.join().forEach(j -> tables.add(j.table()));
        }
        return tables.stream().distinct().toList();
    }

    /** For each table, the columns its families use: these must exist before anything starts. */
    public Map<TableId, Set<String>> requiredColumns() {
        Map<TableId, Set<String>> required = new LinkedHashMap<>();
        for (FamilyConfig family : families) {
            family.requiredColumns().forEach((table, columns) ->
                    required.computeIfAbsent(table, t -> new LinkedHashSet<>()).addAll(columns));
        }
        return required;
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

    PostgresSourceConfig postgres() {
        return source.postgres();
    }

    WarmerConfig withPostgres(PostgresSourceConfig postgres) {
        return new WarmerConfig(new SourceConfig(postgres), kafka, redis, families, http);
    }
}
