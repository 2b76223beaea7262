package io.warmer.capture.rows;

/**
 * How a column's values are written into a cache value, decided by the column's type as {@code pg_type} says
 * (its OID, through domains to the base type), never by the JDBC driver's type name: the driver calls a
 * {@code serial} column "serial" and a domain by its own name. Each kind renders exactly as the capture renders
 * what Debezium streams (README, "How values are rendered"), so that a snapshot row, a streamed row and
 * {@code warmer verify}'s reading of the database are the same bytes.
 */
public enum ColumnKind {
    /** {@code smallint}, {@code integer}, {@code bigint}, {@code oid}: a JSON number. */
    INTEGER,
    /** {@code numeric}: an exact JSON number; NaN and infinities cannot be JSON. */
    NUMERIC,
    /** {@code real}: a JSON number as Java prints the float. */
    FLOAT4,
    /** {@code double precision}. */
    FLOAT8,
    BOOLEAN,
    /** {@code timestamp with time zone}: ISO-8601 in UTC, or epoch milliseconds. */
    TIMESTAMPTZ,
    /** {@code timestamp}: ISO-8601 without offset, or epoch milliseconds taken as UTC. */
    TIMESTAMP,
    DATE,
    TIME,
    /** {@code json}, {@code jsonb}: nested JSON. */
    JSON,
    /** {@code bytea}: base64. */
    BYTEA,
    /** Everything else (text, varchar, uuid, enums, ...): the value's text. */
    TEXT
}
