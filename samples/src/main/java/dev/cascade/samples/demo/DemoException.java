package dev.cascade.samples.demo;

/**
 * A failure the user can fix: printed as one line (what went wrong, then the fix), never with a
 * stack trace, and the demo exits with status 1.
 */
final class DemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DemoException(String problem, String fix) {
    super(problem + ". Fix: " + fix);
  }

  /** The first line of the innermost cause's message: the part that names the real problem. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.strip().lines().findFirst().orElse(message);
  }
}
