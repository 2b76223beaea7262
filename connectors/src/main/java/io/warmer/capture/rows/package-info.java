/**
 * Reading rows as the capture writes them: column types decided by type OID ({@link io.warmer.capture.rows.ColumnTypes}),
 * a row read from JDBC ({@link io.warmer.capture.rows.RowReader}) and how a table stores its columns (TOAST,
 * {@link io.warmer.capture.rows.TableStorage}).
 */
package io.warmer.capture.rows;
