package dev.cascade.internal.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventLanesTest {

  @Test
  @Timeout(60)
  void eventsOfOneKey_runInTheOrderTheyWereSubmitted_evenFromManyThreads() throws Exception {
    EventLanes lanes = new EventLanes("test", 16);
    int producers = 8;
    int perProducer = 20_000;
    Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(producers * perProducer);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int key = p; // each producer owns one key, so its submissions have a defined order
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < perProducer; i++) {
                  int n = i;
                  lanes.submit(
                      Integer.hashCode(key),
                      () -> {
                        seen.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
                        done.countDown();
                      });
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(done.await(30, TimeUnit.SECONDS), "every event ran");
    for (Map.Entry<Integer, List<Integer>> e : seen.entrySet()) {
      List<Integer> order = e.getValue();
      assertEquals(perProducer, order.size());
      for (int i = 0; i < order.size(); i++) {
        assertEquals(i, order.get(i), "key " + e.getKey() + " ran out of order at " + i);
      }
    }
    lanes.close();
  }

  @Test
  @Timeout(30)
  void aFailingListener_doesNotStopItsLane() throws Exception {
    EventLanes lanes = new EventLanes("test", 2);
    CountDownLatch after = new CountDownLatch(1);
    lanes.submit(
        1,
        () -> {
          throw new IllegalStateException("listener bug (expected in this test)");
        });
    lanes.submit(1, after::countDown);
    assertTrue(after.await(10, TimeUnit.SECONDS));
    lanes.close();
  }
}
