package dev.cascade.internal.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventLanesTest {

  @Test
  @Timeout(60)
  void eventsOfOneKey_runInTheOrderTheyWereSubmitted_evenFromManyThreads() throws Exception {
    EventLanes lanes = new EventLanes("test", 16, 2, Integer.MAX_VALUE, Duration.ofSeconds(10));
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
                      },
                      "test");
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
    EventLanes lanes = new EventLanes("test", 2, 2, Integer.MAX_VALUE, Duration.ofSeconds(10));
    CountDownLatch after = new CountDownLatch(1);
    lanes.submit(
        1,
        () -> {
          throw new IllegalStateException("listener bug (expected in this test)");
        },
        "test");
    lanes.submit(1, after::countDown, "test");
    assertTrue(after.await(10, TimeUnit.SECONDS));
    lanes.close();
  }

  @Test
  @Timeout(60)
  void aFullQueue_makesALocalChangeWaitForRoom_andRefusesARemoteOne() throws Exception {
    EventLanes lanes = new EventLanes("test", 4, 2, 3, Duration.ofHours(1));
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    lanes.submit(0, () -> awaitQuietly(release), "test"); // a blocked listener
    lanes.submit(0, () -> ran.add("a"), "test");
    lanes.submit(0, () -> ran.add("b"), "test");
    assertEquals(3, lanes.queued());

    assertFalse(lanes.offer(1, () -> ran.add("remote")), "a remote change is refused");
    Thread writer = new Thread(() -> lanes.submit(0, () -> ran.add("c"), "test"));
    writer.start();
    Await.until("the writer waits for room", () -> writer.getState() == Thread.State.TIMED_WAITING);
    assertEquals(3, lanes.queued(), "nothing was queued past the bound");

    release.countDown();
    writer.join(10_000);
    assertFalse(writer.isAlive(), "the writer went on once there was room");
    Await.until("every queued event ran", () -> ran.size() == 3);
    assertEquals(List.of("a", "b", "c"), ran, "in order; the refused one never ran");
    lanes.close();
  }

  /**
   * A worker that was napping when events came may take one lane and block in its listener: the
   * other lane's event must get the other worker, not wait behind the blocked one (it did, in about
   * half of these rounds, until a worker that takes a lane with more waiting wakes another).
   */
  @Test
  @Timeout(60)
  void oneBlockedListener_doesNotHoldUpAnotherLane() throws Exception {
    for (int round = 0; round < 20; round++) {
      EventLanes lanes = new EventLanes("test", 4, 2, 100, Duration.ofHours(1));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch ran = new CountDownLatch(1);
      Thread.sleep(1); // let the workers settle into napping and sleeping
      lanes.submit(0, () -> awaitQuietly(release), "test");
      lanes.submit(1, ran::countDown, "test");
      assertTrue(ran.await(10, TimeUnit.SECONDS), "round " + round + ": lane 1 waited");
      release.countDown();
      lanes.close();
    }
  }

  @Test
  @Timeout(30)
  void asManyBlockedListenersAsThreads_leaveTheOtherLanesRunning() throws Exception {
    EventLanes lanes = new EventLanes("test", 4, 3, 100, Duration.ofHours(1));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(2);
    for (int lane = 0; lane < 2; lane++) {
      lanes.submit(
          lane,
          () -> {
            blocked.countDown();
            awaitQuietly(release);
          },
          "test");
    }
    assertTrue(blocked.await(10, TimeUnit.SECONDS), "two listeners block two threads");
    CountDownLatch ran = new CountDownLatch(1);
    lanes.submit(2, ran::countDown, "test");
    assertTrue(ran.await(10, TimeUnit.SECONDS), "the third thread runs another lane's events");
    release.countDown();
    lanes.close();
  }

  @Test
  @Timeout(30)
  void changesFromOtherJvms_fillAtMostHalfTheQueue() {
    EventLanes lanes = new EventLanes("test", 4, 2, 4, Duration.ofHours(1));
    CountDownLatch release = new CountDownLatch(1);
    lanes.submit(0, () -> awaitQuietly(release), "test"); // a blocked listener
    assertTrue(lanes.offer(0, () -> {}), "a remote change while the queue is under half");
    assertFalse(lanes.offer(0, () -> {}), "half full: remote changes are refused");
    // this JVM's own changes still have the other half, without waiting
    assertTrue(lanes.submit(0, () -> {}, "test"));
    assertTrue(lanes.submit(0, () -> {}, "test"));
    assertEquals(4, lanes.queued());
    release.countDown();
    lanes.close();
  }

  @Test
  @Timeout(30)
  void aListenerThatWritesWhileTheQueueIsFull_doesNotWaitForItself() throws Exception {
    EventLanes lanes = new EventLanes("test", 4, 2, 2, Duration.ofHours(1));
    CountDownLatch ran = new CountDownLatch(1);
    List<Boolean> accepted = new CopyOnWriteArrayList<>();
    CountDownLatch submitted = new CountDownLatch(1);
    try (LogCapture log = LogCapture.of(EventLanes.class.getName(), Level.WARNING)) {
      lanes.submit(
          0,
          () -> {
            // this listener's own event fills one place of two: one more fits, two are dropped
            // (on its own lane, behind it: the other worker cannot make room meanwhile)
            for (int i = 0; i < 3; i++) {
              accepted.add(lanes.submit(0, ran::countDown, "derived"));
            }
            submitted.countDown();
          },
          "test");
      assertTrue(submitted.await(20, TimeUnit.SECONDS), "the listener never waited for itself");
      assertEquals(List.of(true, false, false), accepted);
      assertTrue(ran.await(20, TimeUnit.SECONDS), "the event that fitted ran");
      assertEquals(1, log.messages(Level.WARNING, "cache 'derived'").size(), log.describe());
    }
    lanes.close();
  }

  @Test
  @Timeout(20)
  void aChangeWaitsForRoomOnce_thenEventsAreDropped_untilTheListenersCatchUp() throws Exception {
    EventLanes lanes = new EventLanes("test", 4, 2, 2, Duration.ofMillis(200));
    CountDownLatch release = new CountDownLatch(1);
    try (LogCapture log = LogCapture.of(EventLanes.class.getName(), Level.WARNING)) {
      // all on the blocked lane, so the other worker cannot make room
      lanes.submit(0, () -> awaitQuietly(release), "test");
      assertTrue(lanes.submit(0, () -> {}, "orders"), "room for one more");
      assertFalse(lanes.submit(0, () -> {}, "orders"), "dropped after waiting 200 ms");
      // the queue overflows now: nobody waits (200 waits of 200 ms would pass the @Timeout)
      for (int i = 0; i < 200; i++) {
        assertFalse(lanes.submit(0, () -> {}, "orders"));
      }
      List<String> warnings = log.messages(Level.WARNING, "cascade.event-queue = 2");
      assertEquals(1, warnings.size(), "one warning a minute: " + log.describe());
      assertTrue(warnings.get(0).contains("cache 'orders'"), warnings.get(0));
    }
    release.countDown();
    Await.until("the listeners caught up", () -> lanes.queued() == 0);
    CountDownLatch ran = new CountDownLatch(1);
    assertTrue(lanes.submit(1, ran::countDown, "orders"), "queued again once caught up");
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    lanes.close();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
