package dev.cascade.cli;

/** What {@code cascade} exits with, so scripts can tell failures apart. */
public final class ExitCodes {

  /** Done. */
  public static final int OK = 0;

  /**
   * Done, but not everything asked for happened: a dead letter to replay was not found, or its
   * queue was full (it stays).
   */
  public static final int INCOMPLETE = 1;

  /** The command line was wrong (unknown command or option, missing argument). */
  public static final int USAGE = 2;

  /** Redis has no such cache, the cache is not write-behind, or a key is not one of the cache. */
  public static final int NOT_FOUND = 3;

  /** Redis could not be reached, or failed the command. */
  public static final int REDIS = 4;

  private ExitCodes() {}
}
