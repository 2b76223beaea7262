package io.warmer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.expression.RowExpression;

/**
 * What one expression costs per row on the hot path (bench/expression-cost.sh): each expression of a family, as the
 * configuration would compile it, evaluated on one row of the shape the capture sends, after a warm-up, with a bare
 * column as the reference (a family without expressions never evaluates anything). One thread, no servers.
 */
public final class ExpressionCost {

    private static final String[][] CASES = {
            {"a bare column (not evaluated)", "first_name"},
            {"a key part", "lower(email)"},
            {"two columns joined", "first_name + ' ' + last_name"},
            {"a condition", "balance > 10.0 && tier != 'free'"},
            {"a TTL", "tier == 'pro' ? duration('24h') : duration('1h')"},
            {"a date formatted", "formatTime(created_at, 'yyyy-MM')"},
    };

    private ExpressionCost() {
    }

    public static void main(String[] args) throws Exception {
        int evaluations = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        ObjectNode row = (ObjectNode) new ObjectMapper().readTree("{\"id\":42,\"first_name\":\"Ada\",\"last_name\":"
                + "\"Lovelace\",\"email\":\"Ada@Example.COM\",\"balance\":12.50,\"tier\":\"pro\","
                + "\"created_at\":\"2026-03-04T05:06:07.123456Z\"}");
        System.out.println("| expression | ns per row |");
        System.out.println("|---|---:|");
        Object sink = null;
        for (String[] c : CASES) {
            RowExpression expression = RowExpression.compile(c[1], c[0]);
            for (int i = 0; i < evaluations / 10; i++) {
                sink = expression.json(row);
            }
            long started = System.nanoTime();
            for (int i = 0; i < evaluations; i++) {
                sink = expression.json(row);
            }
            double nanos = (System.nanoTime() - started) / (double) evaluations;
            System.out.printf("| %s: `%s` | %.0f |%n", c[0], c[1], nanos);
        }
        if (sink == null) {
            throw new IllegalStateException("no result");
        }
    }
}
