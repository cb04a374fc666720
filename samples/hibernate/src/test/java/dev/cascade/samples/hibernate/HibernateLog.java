package dev.cascade.samples.hibernate;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What Hibernate logs at WARNING and above while a test runs. Hibernate logs through JBoss Logging,
 * which writes to java.util.logging when neither Logback nor Log4j is present (the surefire
 * configuration also says {@code org.jboss.logging.provider=jdk}); INFO is silenced for quiet test
 * output.
 */
final class HibernateLog implements AutoCloseable {

  // held: java.util.logging keeps loggers weakly, and a collected logger loses its level
  private static final Logger HIBERNATE = Logger.getLogger("org.hibernate");

  static {
    HIBERNATE.setLevel(Level.WARNING);
  }

  private static final Formatter FORMATTER = new SimpleFormatter();

  private final List<String> messages = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          String text = FORMATTER.formatMessage(record);
          synchronized (messages) {
            messages.add(record.getLevel() + " " + record.getLoggerName() + ": " + text);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  static HibernateLog capture() {
    HibernateLog log = new HibernateLog();
    HIBERNATE.addHandler(log.handler);
    return log;
  }

  List<String> messages() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  /** The messages that contain {@code text}. */
  List<String> containing(String text) {
    return messages().stream().filter(m -> m.contains(text)).toList();
  }

  @Override
  public void close() {
    HIBERNATE.removeHandler(handler);
  }
}
