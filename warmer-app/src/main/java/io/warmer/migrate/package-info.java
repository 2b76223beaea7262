/**
 * {@code warmer migrate-keys}: copying existing keys to a new key format inside Redis, resumable from a checkpoint
 * ({@link io.warmer.migrate.KeyMigration}, {@link io.warmer.migrate.KeyMapping}).
 */
package io.warmer.migrate;
