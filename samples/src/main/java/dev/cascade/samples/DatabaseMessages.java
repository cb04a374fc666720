package dev.cascade.samples;

import java.sql.SQLException;

/** Turns a failure from the database into the one sentence a user may see. */
final class DatabaseMessages {

  private DatabaseMessages() {}

  /**
   * The database's own reason ({@code CONSTRAINT `users.email` failed ...}) when there is an {@code
   * SQLException} among the causes, else the exception's message. Not the stack trace, and not
   * Cascade's wrapper text: the caller decides what to add.
   */
  static String reason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException && t.getMessage() != null) {
        return t.getMessage().strip().lines().findFirst().orElse("").strip();
      }
    }
    return String.valueOf(failure.getMessage());
  }
}
