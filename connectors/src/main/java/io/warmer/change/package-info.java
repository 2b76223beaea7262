/**
 * What a row change is, shared by the capture and everything downstream: {@link io.warmer.change.RowChange} and its
 * JSON codec, {@link io.warmer.change.Version} (the order of a row's changes), {@link io.warmer.change.TableId}, the
 * change-topic names ({@link io.warmer.change.ChangeTopics}) and the dead-letter headers. No I/O.
 */
package io.warmer.change;
