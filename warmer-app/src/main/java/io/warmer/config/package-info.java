/**
 * The YAML configuration, read once by {@link io.warmer.config.ConfigLoader} into immutable records
 * ({@link io.warmer.config.WarmerConfig} and its parts), each option with its default constant and validation in one
 * place; every problem is a {@link io.warmer.config.ConfigException} naming the file and the field.
 */
package io.warmer.config;
