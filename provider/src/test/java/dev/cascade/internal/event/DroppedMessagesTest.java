package dev.cascade.internal.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class DroppedMessagesTest {

  @Test
  void dropped_manyInOnePeriod_warnsOnceThenCountsTheRestInTheNextWarning() {
    AtomicLong now = new AtomicLong(1_000);
    DroppedMessages drops = new DroppedMessages(now::get);
    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger(RemoteEvents.class.getName());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel() == Level.WARNING) {
              warnings.add(r.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try {
      assertTrue(drops.dropped("users", "cascade:users#events", "too short"));
      for (int i = 0; i < 1000; i++) {
        assertFalse(drops.dropped("users", "cascade:users#events", "too short"));
      }
      assertTrue(drops.dropped("orders", "cascade:orders#events", "other channel, own window"));
      now.addAndGet(DroppedMessages.PERIOD_NANOS);
      assertTrue(drops.dropped("users", "cascade:users#events", "a minute later"));
    } finally {
      log.removeHandler(capture);
    }
    assertEquals(3, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).contains("'cascade:users#events' of cache 'users': too short"),
        warnings.get(0));
    assertTrue(warnings.get(2).contains("(and 1000 more since the last warning)"), warnings.get(2));
  }
}
