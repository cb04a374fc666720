package dev.cascade.internal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Durations in settings: reads {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}, ISO
 * {@code PT10S}, or plain ms; and the one check of a duration that must be positive.
 */
public final class Durations {

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the setting and the value
   */
  public static Duration parse(String text, String setting) {
    String v = text.trim().toLowerCase();
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(text.trim());
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
      }
      if (v.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1).trim()));
      }
      if (v.endsWith("d")) {
        return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1).trim()));
      }
      return Duration.ofMillis(Long.parseLong(v));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "Setting "
              + setting
              + " is not a duration: '"
              + text
              + "' (use 250ms, 10s, 5m, 1h, 2d, PT10S or a number of milliseconds)",
          e);
    }
  }

  /**
   * {@code value} when it is positive.
   *
   * @throws IllegalArgumentException naming the setting and the value
   */
  public static Duration requirePositive(Duration value, String setting) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be a positive duration, not " + value);
    }
    return value;
  }
}
