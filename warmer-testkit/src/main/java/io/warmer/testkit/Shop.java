package io.warmer.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A shop's schema as users have them: {@code customers} (serial key, numeric money, jsonb, a longer text that is
 * TOASTed in every hundredth row, timestamptz) and three {@code orders} each (serial key, a foreign key with cascading deletes, numeric,
 * timestamptz); Warmer's families for it; and what each family's keys must hold, by PostgreSQL's own JSON functions.
 */
public final class Shop {

    private Shop() {
    }

    /** Creates the tables with {@code customers} customers and three orders each. */
    public static void create(Connection db, long customers) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, balance"
                    + " numeric(12,2) NOT NULL DEFAULT 0, tier text, prefs jsonb, note text,"
                    + " updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id)"
                    + " ON DELETE CASCADE, total numeric(10,2) NOT NULL, status text NOT NULL,"
                    + " placed_at timestamptz NOT NULL DEFAULT now())");
            st.execute("INSERT INTO customers (name, email, balance, tier, prefs, note) SELECT 'customer ' || i,"
                    + " 'c' || i || '@example.com', (i % 1000) + 0.25, (ARRAY['free','pro','team'])[1 + i % 3],"
                    + " jsonb_build_object('lang', 'en', 'n', i), CASE WHEN i % 100 = 0"
                    // every hundredth note ~8 kB that compresses to more than 2 kB: TOASTed, so an update that
                    // leaves it alone does not send it
                    + " THEN (SELECT string_agg(md5(i::text || g::text), '') FROM generate_series(1, 250) g)"
                    + " ELSE repeat(md5(i::text), 4) END"
                    + " FROM generate_series(1, " + customers + ") i");
            st.execute("INSERT INTO orders (customer_id, total, status) SELECT 1 + (i % " + customers + "),"
                    + " (i % 500) + 0.10, 'open' FROM generate_series(1, " + (3 * customers) + ") i");
            st.execute("CREATE INDEX ON orders (customer_id)");
        }
    }

    /**
     * Warmer's families of the shop under a key prefix (YAML list items, indented by two spaces): every customer
     * under a new and a legacy key, each customer with its orders (a 1:N join), every order.
     */
    public static String families(String prefix) {
        return """
                  - name: customer
                    table: customers
                    key: ["%1$s:v2:customer:${id}", "%1$s:customer:${id}"]
                    ttl: 1h
                  - name: customer-orders
                    table: customers
                    key: "%1$s:v2:customer:${id}:orders"
                    columns: [id, name]
                    join:
                      - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total, status], many: true}
                  - name: order
                    table: orders
                    key: "%1$s:v2:order:${id}"
                """.formatted(prefix);
    }

    /** What the families' keys must hold, from the database, and where else no key may be. */
    public static CacheAudit.Expectation expectation(String prefix) {
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("customers", "SELECT id, to_jsonb(c)::text FROM customers c",
                        List.of(prefix + ":v2:customer:%d", prefix + ":customer:%d")),
                new CacheAudit.Query("customers", "SELECT c.id, json_build_object('id', c.id, 'name', c.name, 'orders',"
                        + " COALESCE((SELECT json_agg(json_build_object('id', o.id, 'total', o.total, 'status', o.status)"
                        + " ORDER BY o.id) FROM orders o WHERE o.customer_id = c.id), '[]'::json))::text FROM customers c",
                        List.of(prefix + ":v2:customer:%d:orders")),
                new CacheAudit.Query("orders", "SELECT id, to_jsonb(o)::text FROM orders o",
                        List.of(prefix + ":v2:order:%d"))),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:customer:", "customers"),
                        new CacheAudit.KeySpace(prefix + ":customer:", "customers"),
                        new CacheAudit.KeySpace(prefix + ":v2:order:", "orders")));
    }
}
