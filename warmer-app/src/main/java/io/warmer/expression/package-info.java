/**
 * Expressions over a row's columns, in the Common Expression Language (CEL): what a family's computed key parts,
 * fields, {@code where} conditions and TTLs are written in ({@link io.warmer.expression.RowExpression}). Each is parsed
 * and compiled once when the configuration loads, type-checked against the table's columns when the database is
 * known ({@link io.warmer.expression.RowExpression#typeErrors}), and evaluated per row on the hot path. docs/design.md,
 * "Expressions", says why CEL.
 */
package io.warmer.expression;
