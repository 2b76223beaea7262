package io.warmer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.warmer.change.TableId;
import io.warmer.family.KeyTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration into {@link WarmerConfig}, once. Every problem becomes a
 * {@link ConfigException} naming the file, the field path, what was found and what was expected.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // `key: "v2:user:${id}"` and `key: [a, b]` are both a list of templates.
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .registerModule(new SimpleModule("warmer-config")
                    .addDeserializer(Duration.class, fromText(Durations::parse))
                    .addDeserializer(TableId.class, fromText(TableId::parse))
                    .addDeserializer(KeyTemplate.class, fromText(KeyTemplate::parse)));

    private final Function<String, String> environment;

    /** @param environment looks up environment variables (for {@code password-env} and the like) */
    public ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public static ConfigLoader withSystemEnvironment() {
        return new ConfigLoader(System::getenv);
    }

    public WarmerConfig load(Path file) {
        return parse(read(file), file.toString());
    }

    /**
     * A configuration as written, and which of the secrets it names are not in the environment: what
     * {@code warmer config check} reports without connecting (a CI job has no credentials). The configuration
     * returned does not hold them; connect with {@link #load} only.
     *
     * @param missingSecrets one line per secret that is not set, naming its field and variable
     * @throws ConfigException for anything else wrong with the file, as {@link #load} does
     */
    public record Unresolved(WarmerConfig config, List<String> missingSecrets) {
    }

    /** @see Unresolved */
    public Unresolved check(Path file) {
        String source = file.toString();
        WarmerConfig config = parseUnresolved(read(file), source);
        List<String> missing = new ArrayList<>();
        config.resolve(new Secrets() {
            @Override
            public String secret(String field, String inline, String env) {
                if (env != null && environment.apply(env) == null) {
                    missing.add(field + ": the environment variable '" + env + "' is not set");
                }
                // Not the secret: the configuration this resolves is thrown away.
                return inline != null ? inline : env != null ? "" : null;
            }

            @Override
            public void readableFile(String field, String path) {
                // The files are the running machine's; the machine checking the file may not have them.
            }
        });
        return new Unresolved(config, List.copyOf(missing));
    }

    private static String read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "", "the file does not exist; pass an existing YAML file with --config");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", "cannot be read: " + e.getMessage());
        }
        return text;
    }

    /** @param source what to call the text in messages, usually the file name */
    public WarmerConfig parse(String yaml, String source) {
        return resolveSecrets(parseUnresolved(yaml, source), source);
    }

    private WarmerConfig parseUnresolved(String yaml, String source) {
        JsonNode document;
        try {
            // The whole document first, so that a syntax error anywhere is reported as one.
            document = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw translate(e, source);
        }
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new ConfigException(source, "", "the document is empty; expected source, kafka, redis and families");
        }
        WarmerConfig config;
        try {
            config = YAML.treeToValue(document, WarmerConfig.class);
        } catch (JsonProcessingException e) {
            throw translate(e, source);
        }
        if (config == null) {
            throw new ConfigException(source, "", "the document is empty; expected source, kafka, redis and families");
        }
        return config;
    }

    private WarmerConfig resolveSecrets(WarmerConfig config, String source) {
        try {
            return config.resolve(new Secrets() {
                @Override
                public String secret(String field, String inline, String env) {
                    if (env == null) {
                        return inline;
                    }
                    String value = environment.apply(env);
                    if (value == null) {
                        throw new InvalidFieldException(field, "the environment variable '" + env
                                + "' is not set; export it before starting Warmer");
                    }
                    return value;
                }

                @Override
                public void readableFile(String field, String path) {
                    if (path != null && !(Files.isRegularFile(Path.of(path)) && Files.isReadable(Path.of(path)))) {
                        throw new InvalidFieldException(field, "found '" + path + "', which is not a file Warmer can"
                                + " read; check the path and its permissions");
                    }
                }
            });
        } catch (InvalidFieldException e) {
            throw new ConfigException(source, e.field(), e.getMessage());
        }
    }

    private static ConfigException translate(JsonProcessingException e, String source) {
        if (!(e instanceof JsonMappingException mapping)) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return new ConfigException(source, "", "is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        String path = pathOf(mapping);
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return new ConfigException(source, path, "found an unknown field, expected one of: " + known);
        }
        Throwable cause = e instanceof ValueInstantiationException ? e.getCause() : null;
        if (cause instanceof InvalidFieldException invalid) {
            // A record's constructor names its field; a scalar's creator is already at its own path.
            String fieldPath = path.isEmpty() ? invalid.field()
                    : path.equals(invalid.field()) || path.endsWith("." + invalid.field()) ? path
                    : path + "." + invalid.field();
            return new ConfigException(source, fieldPath, invalid.getMessage());
        }
        if (e.getCause() instanceof IllegalArgumentException invalid) {
            return new ConfigException(source, path, invalid.getMessage());
        }
        if (e instanceof InvalidFormatException format && format.getTargetType() != null) {
            return new ConfigException(source, path, "found '" + format.getValue() + "', expected "
                    + describe(format.getTargetType()));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new ConfigException(source, path, "found a value of the wrong kind, expected "
                    + describe(mismatch.getTargetType()));
        }
        return new ConfigException(source, path, e.getOriginalMessage());
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            }
        }
        return path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a mapping of fields";
        }
        return "a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static <T> JsonDeserializer<T> fromText(Function<String, T> parser) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.currentToken().isScalarValue()) {
                    throw MismatchedInputException.from(p, String.class, "expected a single value, not a structure");
                }
                try {
                    return parser.apply(p.getValueAsString());
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(p, e.getMessage(), e);
                }
            }
        };
    }
}
