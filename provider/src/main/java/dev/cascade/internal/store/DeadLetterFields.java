package dev.cascade.internal.store;

import java.nio.charset.StandardCharsets;

/**
 * The fields of a dead letter in {@code cascade:<cache>#dead}, besides the queue record's own
 * ({@code k} key, {@code o} operation, {@code v} value): written by {@link QueueStore}, read by
 * {@link AdminStore}.
 */
final class DeadLetterFields {

  /** The partition whose queue held the record. */
  static final byte[] PARTITION = ascii("partition");

  /** The id the record had in its partition's stream (its revision). */
  static final byte[] RECORD = ascii("record");

  /** The writer's last error, UTF-8. */
  static final byte[] ERROR = ascii("error");

  /** How many attempts were charged to the record. */
  static final byte[] ATTEMPTS = ascii("attempts");

  private DeadLetterFields() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
