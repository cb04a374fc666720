package dev.cascade.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;

/**
 * What a logger and its children log while a test runs, for tests that check what an operator
 * reads. The test modules bind SLF4J to {@code java.util.logging} (slf4j-jdk14), so this sees what
 * Cascade and Lettuce log through SLF4J too.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("dev.cascade", Level.INFO)) {
 *   ... // the code under test
 *   assertEquals(1, log.messages(Level.WARNING, "dead letters").size());
 * }
 * }</pre>
 *
 * Thread-safe: records may arrive from any thread. {@link #close()} removes the handler and gives
 * the logger its level back.
 */
public final class LogCapture implements AutoCloseable {

  private static final SimpleFormatter FORMAT = new SimpleFormatter();

  private final Logger logger;
  private final Level levelBefore;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(String loggerName, Level level) {
    this.logger = Logger.getLogger(loggerName);
    this.levelBefore = logger.getLevel();
    Level effective = effectiveLevel(logger);
    if (effective == null || effective.intValue() > level.intValue()) {
      logger.setLevel(level);
    }
    handler.setLevel(level);
    logger.addHandler(handler);
  }

  /** Captures what {@code loggerName} and its children log at {@code level} or above. */
  public static LogCapture of(String loggerName, Level level) {
    return new LogCapture(loggerName, level);
  }

  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The formatted messages logged at exactly {@code level} that contain {@code text}. */
  public List<String> messages(Level level, String text) {
    return records.stream()
        .filter(r -> r.getLevel().equals(level))
        .map(LogCapture::format)
        .filter(m -> m.contains(text))
        .collect(Collectors.toList());
  }

  /** The formatted messages logged at {@code level} or above. */
  public List<String> messagesAtLeast(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(LogCapture::format)
        .collect(Collectors.toList());
  }

  /** Every record as {@code LEVEL message}, one per line, for assertion messages. */
  public String describe() {
    return records.stream()
        .map(r -> r.getLevel() + " " + format(r))
        .collect(Collectors.joining("\n", "\n", ""));
  }

  public static String format(LogRecord record) {
    return FORMAT.formatMessage(record);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(levelBefore);
  }

  private static Level effectiveLevel(Logger logger) {
    for (Logger l = logger; l != null; l = l.getParent()) {
      if (l.getLevel() != null) {
        return l.getLevel();
      }
    }
    return null;
  }
}
