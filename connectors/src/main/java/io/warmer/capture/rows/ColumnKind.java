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
    /** {@code time with time zone}: ISO-8601 in UTC, as Debezium's ZonedTime ({@code 10:34:56Z}). */
    TIMETZ,
    /** {@code interval}: ISO-8601 ({@code P1Y2M3DT4H5M6.78S}), as Debezium's Interval in string mode. */
    INTERVAL,
    /** {@code bit(1)} and {@code bit varying(1)}: a boolean, as Debezium streams it. */
    BIT,
    /**
     * {@code bit(n)} and {@code bit varying(n)} for n &gt; 1: the bits as a binary numeral without leading zeros
     * ({@code B'00101'} is {@code "101"}, no bit set is {@code "0"}), which is what Debezium's bytes keep of them.
     */
    BITS,
    /** {@code json}, {@code jsonb}: nested JSON. */
    JSON,
    /** {@code bytea}: base64. */
    BYTEA,
    /** Everything else (text, varchar, uuid, enums, inet, ranges, xml, ...): the value's text. */
    TEXT,
    /**
     * A column Debezium does not stream (it has no converter for it: arrays of domains, composite types). Left out
     * of every value, so that a snapshot row and a streamed change of it are the same.
     */
    ABSENT
}
