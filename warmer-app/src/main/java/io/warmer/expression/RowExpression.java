package io.warmer.expression;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One expression over a row's columns in CEL, e.g. {@code first_name + ' ' + last_name} or
 * {@code tier == 'pro' ? duration('24h') : duration('1h')}: the columns are its variables. It is parsed and compiled
 * once ({@link #compile}); an expression that is only a column name ({@link #column()}) is not evaluated at all, so
 * that a family without computed parts costs what it did. Besides CEL's standard functions and its {@code strings},
 * {@code math} and {@code optional} extensions there are {@code lower(s)}, {@code upper(s)} (Unicode, unlike
 * {@code lowerAscii()}) and {@code formatTime(t, 'yyyy-MM-dd')} (a timestamp or the ISO text of one, in UTC).
 */
public final class RowExpression {

    /** Where an expression is used, and what its result must be there. */
    public enum Use {
        KEY("text or a whole number"),
        VALUE("a value"),
        CONDITION("true or false"),
        SCORE("a number or a timestamp"),
        TTL("a duration, a number of seconds or a timestamp to expire at");

        private final String expected;

        Use(String expected) {
            this.expected = expected;
        }

        public String expected() {
            return expected;
        }
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Receivers of namespaced functions ({@code optional.of}, {@code math.greatest}), not columns. */
    private static final Set<String> NAMESPACES = Set.of("optional", "math", "strings", "base64", "lists", "sets");
    private static final Map<String, DateTimeFormatter> FORMATS = new ConcurrentHashMap<>();
    private static final Cel BASE = environment();

    private final String text;
    private final String column;
    private final Set<String> columns;
    private final CelRuntime.Program program;

    private RowExpression(String text, String column, Set<String> columns, CelRuntime.Program program) {
        this.text = text;
        this.column = column;
        this.columns = Set.copyOf(columns);
        this.program = program;
    }

    /**
     * @param text        the expression
     * @param description what to call it in messages, e.g. {@code fields.full_name}
     * @throws IllegalArgumentException with CEL's message: the position and what it expected there
     */
    public static RowExpression compile(String text, String description) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("found an empty expression, expected a column or an expression such as"
                    + " first_name + ' ' + last_name");
        }
        String trimmed = text.trim();
        if (IDENTIFIER.matcher(trimmed).matches() && !NAMESPACES.contains(trimmed)) {
            return new RowExpression(trimmed, trimmed, Set.of(trimmed), null);
        }
        try {
            CelAbstractSyntaxTree parsed = BASE.parse(trimmed, description).getAst();
            Set<String> columns = freeIdentifiers(parsed);
            var builder = BASE.toCelBuilder();
            columns.forEach(c -> builder.addVar(c, SimpleType.DYN));
            Cel cel = builder.build();
            CelAbstractSyntaxTree checked = cel.check(parsed).getAst();
            return new RowExpression(trimmed, null, columns, cel.createProgram(checked));
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("'" + trimmed + "' does not compile: " + issues(e), e);
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException(description + ": " + e.getMessage(), e);
        }
    }

    public String text() {
        return text;
    }

    /** The column this expression is when it is nothing more than a column's name. */
    public Optional<String> column() {
        return Optional.ofNullable(column);
    }

    /** The columns the expression reads. */
    public Set<String> columns() {
        return columns;
    }

    /**
     * The expression checked against the table's columns and their types (information_schema's {@code data_type}):
     * what {@code warmer config check --connect} and the start-up check report.
     *
     * @return what is wrong, with the position, or empty
     */
    public Optional<String> typeErrors(Map<String, String> columnTypes, Use use, String description) {
        if (column != null) {
            return columnTypes.containsKey(column) ? Optional.empty()
                    : Optional.of(description + ": the table has no column '" + column + "'");
        }
        try {
            var builder = BASE.toCelBuilder();
            columnTypes.forEach((name, type) -> builder.addVar(name, celType(type)));
            Cel cel = builder.build();
            CelType result = cel.compile(text, description).getAst().getResultType();
            return fits(result, use) ? Optional.empty() : Optional.of(description + ": '" + text + "' yields "
                    + result.name() + ", expected " + use.expected());
        } catch (CelValidationException e) {
            return Optional.of(description + ": '" + text + "' " + issues(e));
        }
    }

    /** CEL's errors on one line each, with the column they are at (CEL's own display draws a caret below). */
    private static String issues(CelValidationException e) {
        List<String> lines = new ArrayList<>();
        for (CelIssue issue : e.getErrors()) {
            int column = issue.getSourceLocation().getColumn();
            lines.add((column >= 0 ? "at column " + (column + 1) + ", " : "") + issue.getMessage());
        }
        return lines.isEmpty() ? e.getMessage() : String.join("; ", lines);
    }

    /** The result for this row, as CEL gives it ({@code Optional.empty()} for {@code optional.none()}). */
    public Object evaluate(JsonNode row) {
        if (column != null) {
            return CelValues.toCel(row == null ? null : row.get(column));
        }
        try {
            return program.eval(name -> row != null && columns.contains(name)
                    ? Optional.of(CelValues.toCel(row.get(name))) : Optional.empty());
        } catch (CelEvaluationException e) {
            throw new ExpressionException("'" + text + "' failed for this row: " + e.getMessage()
                    + (e.getMessage().contains("No matching overload") ? " (is a column NULL? e.g. x == null ? '' : x)"
                    : ""));
        }
    }

    /** The result as a JSON value; null when it is {@code optional.none()} (leave the field out). */
    public JsonNode json(JsonNode row) {
        try {
            return CelValues.toJson(evaluate(row));
        } catch (ExpressionException e) {
            throw column == null && !e.getMessage().startsWith("'") ? new ExpressionException("'" + text + "' "
                    + e.getMessage()) : e;
        }
    }

    /** The result as a part of a key: text, or a whole number as its digits. */
    public String keyPart(JsonNode row) {
        Object value = unwrapped(evaluate(row));
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof com.google.common.primitives.UnsignedLong) {
            return value.toString();
        }
        throw new ExpressionException("'" + text + "' yields " + CelValues.kindOf(value) + " for this row, expected "
                + Use.KEY.expected());
    }

    /** The result as a sorted set's score: a number, or a time as its epoch milliseconds. */
    public double score(JsonNode row) {
        Object value = unwrapped(evaluate(row));
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof Double number && !number.isNaN()) {
            return number;
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof String time) {
            try {
                return Timestamps.parse(time).toEpochMilli();
            } catch (DateTimeParseException e) {
                // not a time: reported below
            }
        }
        throw new ExpressionException("'" + text + "' yields " + CelValues.kindOf(value) + " for this row, expected"
                + " a number or a timestamp");
    }

    /** The result as a condition. */
    public boolean test(JsonNode row) {
        Object value = unwrapped(evaluate(row));
        if (value instanceof Boolean b) {
            return b;
        }
        throw new ExpressionException("'" + text + "' yields " + CelValues.kindOf(value) + " for this row, expected "
                + Use.CONDITION.expected());
    }

    /** The result as a TTL from {@code nowMs}: null for none (NULL or {@code optional.none()}). */
    public Duration ttl(JsonNode row, long nowMs) {
        Object value = unwrapped(evaluate(row));
        if (value == null || value instanceof NullValue) {
            return null;
        }
        if (value instanceof Duration d) {
            return d;
        }
        if (value instanceof Long seconds) {
            return Duration.ofSeconds(seconds);
        }
        if (value instanceof Instant at) {
            return Duration.ofMillis(at.toEpochMilli() - nowMs);
        }
        throw new ExpressionException("'" + text + "' yields " + CelValues.kindOf(value) + " for this row, expected "
                + Use.TTL.expected());
    }

    private static Object unwrapped(Object value) {
        return value instanceof Optional<?> optional ? optional.orElse(null) : value;
    }

    private static boolean fits(CelType result, Use use) {
        CelType type = result instanceof NullableType nullable ? nullable.targetType() : result;
        if (type instanceof OptionalType optional && (use == Use.VALUE || use == Use.TTL)) {
            type = optional.parameters().get(0);
        }
        CelKind kind = type.kind();
        if (kind == CelKind.DYN || kind == CelKind.ANY || use == Use.VALUE) {
            return true;
        }
        return switch (use) {
            case KEY -> kind == CelKind.STRING || kind == CelKind.INT || kind == CelKind.UINT;
            case CONDITION -> kind == CelKind.BOOL;
            case SCORE -> kind == CelKind.INT || kind == CelKind.UINT || kind == CelKind.DOUBLE
                    || kind == CelKind.TIMESTAMP || kind == CelKind.STRING;
            case TTL -> kind == CelKind.DURATION || kind == CelKind.INT || kind == CelKind.TIMESTAMP
                    || kind == CelKind.NULL_TYPE;
            case VALUE -> true;
        };
    }

    /** The CEL type of a column as the capture sends it (information_schema's {@code data_type}). */
    static CelType celType(String dataType) {
        String type = dataType == null ? "" : dataType.toLowerCase(Locale.ROOT);
        return switch (type) {
            case "smallint", "integer", "bigint" -> NullableType.create(SimpleType.INT);
            case "real", "double precision", "numeric" -> NullableType.create(SimpleType.DOUBLE);
            case "boolean" -> NullableType.create(SimpleType.BOOL);
            case "text", "character varying", "character", "uuid", "citext", "name", "date", "time without time zone",
                 "time with time zone", "timestamp without time zone", "timestamp with time zone", "interval", "inet",
                 "cidr", "macaddr" -> NullableType.create(SimpleType.STRING);
            default -> SimpleType.DYN; // json, jsonb, arrays, enums and the rest: what the value holds decides
        };
    }

    /** The identifiers an expression reads that it does not bind itself (a macro's loop variables): its columns. */
    private static Set<String> freeIdentifiers(CelAbstractSyntaxTree ast) {
        Set<String> bound = new java.util.HashSet<>();
        Set<String> names = new LinkedHashSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach((CelNavigableExpr node) -> {
            CelExpr expr = node.expr();
            switch (expr.getKind()) {
                case COMPREHENSION -> {
                    bound.add(expr.comprehension().iterVar());
                    bound.add(expr.comprehension().iterVar2());
                    bound.add(expr.comprehension().accuVar());
                }
                case IDENT -> names.add(expr.ident().name());
                default -> {
                }
            }
        });
        names.removeAll(bound);
        names.removeAll(NAMESPACES);
        return names;
    }

    private static Cel environment() {
        CelOptions options = CelOptions.current().enableHeterogeneousNumericComparisons(true)
                .evaluateCanonicalTypesToNativeValues(true).build();
        return CelFactory.plannerCelBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.optional(), CelExtensions.math(options))
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.optional(), CelExtensions.math(options))
                .addFunctionDeclarations(
                        CelFunctionDecl.newFunctionDeclaration("lower", CelOverloadDecl.newGlobalOverload(
                                "warmer_lower", SimpleType.STRING, SimpleType.STRING)),
                        CelFunctionDecl.newFunctionDeclaration("upper", CelOverloadDecl.newGlobalOverload(
                                "warmer_upper", SimpleType.STRING, SimpleType.STRING)),
                        // One overload over dyn: a column's type is dyn without the database, and two overloads
                        // (string, timestamp) would leave the choice to a type the checker does not know.
                        CelFunctionDecl.newFunctionDeclaration("formatTime",
                                CelOverloadDecl.newGlobalOverload("warmer_format_time", SimpleType.STRING,
                                        SimpleType.DYN, SimpleType.STRING)))
                .addFunctionBindings(
                        CelFunctionBinding.from("warmer_lower", String.class, s -> s.toLowerCase(Locale.ROOT)),
                        CelFunctionBinding.from("warmer_upper", String.class, s -> s.toUpperCase(Locale.ROOT)),
                        CelFunctionBinding.from("warmer_format_time", Object.class, String.class,
                                (time, pattern) -> format(instant(time), pattern)))
                .build();
    }

    private static String format(Instant instant, String pattern) {
        return FORMATS.computeIfAbsent(pattern, p -> DateTimeFormatter.ofPattern(p, Locale.ROOT)
                .withZone(ZoneOffset.UTC)).format(instant);
    }

    /** A CEL timestamp, or one as the capture sends it: with a zone or offset, without one (UTC), or a date. */
    private static Instant instant(Object time) {
        if (time instanceof Instant instant) {
            return instant;
        }
        if (!(time instanceof String text)) {
            throw new IllegalArgumentException("formatTime: expected a timestamp or its text, found "
                    + CelValues.kindOf(time));
        }
        try {
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("formatTime: '" + text + "' is not a timestamp");
        }
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowExpression other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
