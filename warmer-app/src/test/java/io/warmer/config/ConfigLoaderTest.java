package io.warmer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.change.TableId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    static final String VALID = """
            source:
              postgres:
                host: db.internal
                database: app
                user: warmer
                password-env: PGPASSWORD
            kafka:
              bootstrap-servers: kafka:9092
            redis:
              uri: redis://cache:6379
            families:
              - name: user-profile-v2
                table: users
                key: "v2:user:${id}:profile"
                columns: [id, name]
                ttl: 1h
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("PGPASSWORD", "s3cret")::get);

    @Test
    void shouldLoadAValidFileAndApplyTheDocumentedDefaults() {
        WarmerConfig config = loader.parse(VALID, "warmer.yml");

        assertThat(config.source().postgres().port()).isEqualTo(PostgresSourceConfig.DEFAULT_PORT);
        assertThat(config.source().postgres().slot()).isEqualTo(PostgresSourceConfig.DEFAULT_SLOT);
        assertThat(config.kafka().partitions()).isEqualTo(KafkaSettings.DEFAULT_PARTITIONS);
        assertThat(config.kafka().topicPrefix()).isEqualTo(KafkaSettings.DEFAULT_TOPIC_PREFIX);
        assertThat(config.redis().pipeline()).isEqualTo(RedisSettings.DEFAULT_PIPELINE);
        assertThat(config.families().get(0).table()).isEqualTo(new TableId("public", "users"));
        assertThat(FamilyConfig.fixedTtl(config.families().get(0).ttl())).isEqualTo(Duration.ofHours(1));
        assertThat(config.tables()).containsExactly(new TableId("public", "users"));
        assertThat(config.requiredColumns().get(new TableId("public", "users"))).containsExactly("id", "name");
    }

    @Test
    void shouldResolveThePasswordFromTheEnvironmentAndNeverPrintIt() {
        WarmerConfig config = loader.parse(VALID, "warmer.yml");

        assertThat(config.source().postgres().password()).isEqualTo("s3cret");
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldNameTheMissingEnvironmentVariable() {
        assertThatThrownBy(() -> new ConfigLoader(name -> null).parse(VALID, "warmer.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("warmer.yml: source.postgres.password-env: the environment variable 'PGPASSWORD' is not set;"
                        + " export it before starting Warmer");
    }

    @Test
    void shouldReportAnUnknownFieldWithItsPathAndTheKnownFields() {
        String yaml = VALID.replace("    ttl: 1h", "    tll: 1h");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("warmer.yml: families[0].tll: found an unknown field, expected one of:")
                .hasMessageContaining("ttl");
    }

    @Test
    void shouldReportAMalformedKeyTemplateWithItsPath() {
        String yaml = VALID.replace("v2:user:${id}:profile", "v2:user:${user id}:profile");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: families[0].key[0]: found '${user id}' in 'v2:user:${user id}:profile',"
                        + " which is neither a column name nor an expression ('user id' does not compile: at column"
                        + " 6, extraneous input 'id' expecting <EOF>); expected e.g. ${id} or ${lower(email)}");
    }

    @Test
    void shouldReportAMissingRequiredField() {
        String yaml = VALID.replace("    host: db.internal\n", "");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: source.postgres.host: is required, e.g. localhost");
    }

    @Test
    void shouldReportAValueOfTheWrongKind() {
        String yaml = VALID.replace("bootstrap-servers: kafka:9092", "bootstrap-servers: kafka:9092\n  partitions: many");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessageStartingWith("warmer.yml: kafka.partitions: ")
                .hasMessageContaining("many");
    }

    @Test
    void shouldReportAnUnparseableDuration() {
        String yaml = VALID.replace("ttl: 1h", "ttl: an hour");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: families[0].ttl: found 'an hour', which is neither a duration such as"
                        + " 500ms, 30s, 15m, 1h, 2d or PT1H nor an expression ('an hour' does not compile: at column 4,"
                        + " extraneous input 'hour' expecting <EOF>)");
    }

    @Test
    void shouldRefuseAJitterThatIsNotAShare() {
        String yaml = VALID.replace("ttl: 1h", "ttl: 1h\n    ttl-jitter: lots");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: families[0].ttl-jitter: found 'lots', expected a share below 100% such as 10%");
    }

    @Test
    void shouldRefuseAFixedTtlAndATtlColumnTogether() {
        String yaml = VALID.replace("ttl: 1h", "ttl: 1h\n    ttl-column: expires_at");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: families[0].ttl-column: found both ttl and ttl-column, expected one of them");
    }

    @Test
    void shouldRequireTheTtlColumnToExistLikeEveryOtherColumn() {
        String yaml = VALID.replace("ttl: 1h", "ttl-column: expires_at\n    ttl-jitter: 5%");

        WarmerConfig config = loader.parse(yaml, "warmer.yml");

        assertThat(config.requiredColumns().get(new TableId("public", "users"))).contains("expires_at");
        assertThat(config.keyFamilies().get(0).expiry().jitter()).isEqualTo(0.05);
    }

    @Test
    void shouldNameTheAcceptedTimestampFormats() {
        String yaml = VALID.replace("password-env: PGPASSWORD", "password-env: PGPASSWORD\n    timestamps: unix");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: source.postgres.timestamps: found 'unix', expected one of: iso-8601, epoch-millis");
    }

    @Test
    void shouldTurnFencingOnByDefault() {
        assertThat(loader.parse(VALID, "warmer.yml").keyFamilies().get(0).fencing().enabled()).isTrue();
    }

    @Test
    void shouldPauseWritingWhileRedisEvictsByDefault() {
        assertThat(loader.parse(VALID, "warmer.yml").redis().evictionGuard())
                .isEqualTo(RedisSettings.DEFAULT_EVICTION_GUARD).isEqualTo(EvictionGuardMode.PAUSE);
    }

    @Test
    void shouldReadTheEvictionGuardByItsWireName() {
        String yaml = VALID.replace("uri: redis://cache:6379", "uri: redis://cache:6379\n  eviction-guard: warn");

        assertThat(loader.parse(yaml, "warmer.yml").redis().evictionGuard()).isEqualTo(EvictionGuardMode.WARN);
    }

    @Test
    void shouldTakeAnUnquotedOffAsOffThoughYamlReadsItAsFalse() {
        String yaml = VALID.replace("uri: redis://cache:6379", "uri: redis://cache:6379\n  eviction-guard: off");

        assertThat(loader.parse(yaml, "warmer.yml").redis().evictionGuard()).isEqualTo(EvictionGuardMode.OFF);
    }

    @Test
    void shouldNameTheAcceptedEvictionGuardModesWhenYamlReadOnAsTrue() {
        String yaml = VALID.replace("uri: redis://cache:6379", "uri: redis://cache:6379\n  eviction-guard: on");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: redis.eviction-guard: found 'true' (YAML reads on and yes as true), expected"
                        + " one of: pause, warn, off");
    }

    @Test
    void shouldNameTheAcceptedEvictionGuardModes() {
        String yaml = VALID.replace("uri: redis://cache:6379", "uri: redis://cache:6379\n  eviction-guard: evict");

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: redis.eviction-guard: found 'evict', expected one of: pause, warn, off");
    }

    @Test
    void shouldRejectTwoFamiliesWithOneName() {
        String yaml = VALID + """
                  - name: user-profile-v2
                    table: users
                    key: "user:${id}:profile"
                """;

        assertThatThrownBy(() -> loader.parse(yaml, "warmer.yml"))
                .hasMessage("warmer.yml: families[1].name: found 'user-profile-v2' a second time, expected unique family names");
    }

    @Test
    void shouldPointAtTheLineOfInvalidYaml() {
        assertThatThrownBy(() -> loader.parse("source: postgres: host\n", "warmer.yml"))
                .hasMessageStartingWith("warmer.yml: is not valid YAML at line");
    }

    @Test
    void shouldSayWhenTheFileDoesNotExist() {
        assertThatThrownBy(() -> loader.load(Path.of("/no/such/warmer.yml")))
                .hasMessage("/no/such/warmer.yml: the file does not exist; pass an existing YAML file with --config");
    }

    @Test
    void shouldMaskTheRedisPasswordInMessages() {
        String yaml = VALID.replace("redis://cache:6379", "redis://:hunter2@cache:6379");

        WarmerConfig config = loader.parse(yaml, "warmer.yml");

        assertThat(config.redis().toString()).doesNotContain("hunter2");
        assertThat(config.redis().seedUris()).extracting(u -> u.getHost() + ":" + u.getPort()).containsExactly("cache:6379");
    }

    private static final String SET_FAMILY = """
              - name: by-tier
                table: users
                key: "tier:${tier}:users"
                value: set
                member: id
            """;

    @Test
    void shouldLoadASetFamilyWhoseMemberIsAColumnOrAnExpression() {
        WarmerConfig config = loader.parse(VALID + SET_FAMILY.replace("member: id", "member: \"'u' + string(id)\""),
                "warmer.yml");

        var members = (io.warmer.family.ValueShape.Members) config.keyFamily("by-tier").value();
        assertThat(members.member().columns()).containsExactly("id");
        assertThat(members.sorted()).isFalse();
        assertThat(config.keyFamily("by-tier").usedColumns()).containsExactlyInAnyOrder("tier", "id");
    }

    @Test
    void shouldSayWhatASetOrSortedSetFamilyLacksOrMustNotHave() {
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY.replace("    member: id\n", ""), "warmer.yml"))
                .hasMessageStartingWith("warmer.yml: families[1].member: is required, e.g. id");
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY.replace("value: set", "value: sorted-set"), "warmer.yml"))
                .hasMessageStartingWith("warmer.yml: families[1].score: is required, e.g. placed_at");
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY + "    cap: 10\n", "warmer.yml"))
                .hasMessageContaining("families[1].cap: found a cap for a set, expected value: sorted-set");
        String sorted = SET_FAMILY.replace("value: set", "value: sorted-set") + "    score: placed_at\n";
        assertThatThrownBy(() -> loader.parse(VALID + sorted + "    cap: 0\n", "warmer.yml"))
                .hasMessageContaining("families[1].cap: found 0, expected how many members the key keeps at most, at"
                        + " least 1, e.g. 10");
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY.replace("    value: set\n    member: id\n", "")
                + "    cap: 10\n", "warmer.yml"))
                .hasMessageContaining("families[1].cap: found it for a json value, expected value: sorted-set");
        var capped = (io.warmer.family.ValueShape.Members) loader.parse(VALID + sorted + "    cap: 10\n", "warmer.yml")
                .keyFamily("by-tier").value();
        assertThat(capped.cap()).isEqualTo(10);
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY + "    ttl: 1h\n", "warmer.yml"))
                .hasMessageContaining("families[1].ttl: found a TTL for a set value, whose key holds the members of"
                        + " many rows; expected none");
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY + "    columns: [id]\n", "warmer.yml"))
                .hasMessageContaining("families[1].columns: found them for a set value, expected member");
        assertThatThrownBy(() -> loader.parse(VALID + SET_FAMILY.replace("    value: set\n", ""), "warmer.yml"))
                .hasMessageContaining("families[1].member: found it for a json value, expected value: set or value:"
                        + " sorted-set");
    }

    @Test
    void shouldSayWhatAFlattenedJoinOrAJoinedValueNeeds() {
        String join = """
                    join:
                      - {table: stock, on: {product_id: id}, as: stock, columns: [quantity], flatten: true}
                """;
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("columns: [quantity], ", ""), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].columns: found none for a flattened join");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("flatten: true", "flatten: true, many: true"),
                "warmer.yml")).hasMessageContaining("families[0].join[0].flatten: found it with many: true");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("[quantity]", "[name]"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].columns: found 'name', which the value has already");
        assertThatThrownBy(() -> loader.parse(VALID + "    value-of: stok\n" + join, "warmer.yml"))
                .hasMessageContaining("families[0].value-of: found 'stok', expected the as of one of the family's joins");
        assertThatThrownBy(() -> loader.parse(VALID + "    value-of: stock\n" + join.replace(", flatten: true", ""),
                "warmer.yml")).hasMessageContaining("families[0].columns: found it with value-of");
    }

    @Test
    void shouldSayWhatALookupNeeds() {
        String join = """
                    join:
                      - {table: categories, lookup: {category_id: id}, as: category, columns: [title]}
                """;
        assertThat(loader.parse(VALID + join, "warmer.yml").keyFamily("user-profile-v2").joins().get(0).isLookup())
                .isTrue();
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("lookup:", "on: {id: id}, lookup:"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].lookup: found it with on, expected one of them");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("columns: [title]", "many: true"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].many: found many: true with lookup, expected one row");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("lookup: {category_id: id}, ", ""), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].on: ").hasMessageContaining("lookup: {category_id: id}")
                .hasMessageContaining("or match: {customer_email: email}");
    }

    @Test
    void shouldSayWhatJoinsTwoLevelsDeepNeed() {
        String join = """
                    join:
                      - table: order_lines
                        on: {order_id: id}
                        as: lines
                        many: true
                        join:
                          - {table: products, lookup: {product_id: id}, as: product}
                """;
        var joins = loader.parse(VALID + join, "warmer.yml").keyFamily("user-profile-v2").joins();
        assertThat(joins.get(0).joins()).singleElement().satisfies(j -> assertThat(j.isLookup()).isTrue());
        assertThat(joins.get(0).nestedFields()).containsExactly("product");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("{table: products, lookup: {product_id: id}, as:"
                + " product}", "{table: shipments, on: {line_id: id}, as: shipments, many: true, join: [{table: carriers,"
                + " lookup: {carrier_id: id}, as: carrier}]}"), "warmer.yml")).hasMessageContaining("families[0].join[0].join[0].join: found a third level of joins");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("table: products", "table: order_lines"),
                "warmer.yml")).hasMessageContaining("families[0].join[0].join[0].table: found public.order_lines");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("on: {order_id: id}", "lookup: {line_id: id}")
                .replace("many: true", "many: false"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].join: found joins under a lookup");
    }

    @Test
    void shouldSayWhatAMatchNeeds() {
        String join = """
                    join:
                      - {table: preferences, match: {email: email}, as: preferences, many: true}
                """;
        var joins = loader.parse(VALID + join, "warmer.yml").keyFamily("user-profile-v2").joins();
        assertThat(joins.get(0).isMatch()).isTrue();
        assertThat(joins.get(0).subscribes()).isTrue();
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("match:", "on: {id: id}, match:"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].match: found it with on, expected one of them");
        assertThatThrownBy(() -> loader.parse(VALID + join.replace("match:", "lookup: {id: id}, match:"), "warmer.yml"))
                .hasMessageContaining("families[0].join[0].match: found it with lookup, expected one of them");
    }
}
