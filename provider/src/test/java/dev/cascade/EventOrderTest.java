package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cascade.testing.Await;
import dev.cascade.testing.LogCapture;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.integration.CacheLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSR-107 (8.3): a listener hears one key's events in the order they happened, synchronous and
 * asynchronous alike. Threads that change the same keys at once must not make a listener hear
 * "updated a→b" before "created a": every event's old value is the value the event before it left,
 * checked for every key over thousands of racing changes.
 */
@WithRedis
@Timeout(180)
class EventOrderTest {

  static final Map<String, List<String>> HEARD = new ConcurrentHashMap<>();

  @Test
  void racingChangesOfOneKey_areHeardInTheOrderRedisMadeThem(RedisServer redis) throws Exception {
    String name = Managers.uniqueName("order");
    int threads = 8;
    int changesPerThread = 1_500;
    String[] keys = {"a", "b"};
    try (CacheManager manager = Managers.open(redis)) {
      MutableConfiguration<String, String> config =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      for (String mode : List.of("async", "sync")) {
        config.addCacheEntryListenerConfiguration(
            new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new Recording(name + "/" + mode)),
                null,
                true,
                mode.equals("sync")));
      }
      Cache<String, String> cache = manager.createCache(name, config);

      CountDownLatch start = new CountDownLatch(1);
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  for (int i = 0; i < changesPerThread; i++) {
                    String key = keys[i % keys.length];
                    String value = thread + "." + i;
                    switch (i % 10) {
                      case 9 -> cache.remove(key);
                      case 8 -> cache.removeAll(Set.of(key));
                      case 5 -> cache.getAndPut(key, value);
                      case 3 ->
                          cache.invoke(
                              key,
                              (entry, args) -> {
                                entry.setValue((String) args[0]);
                                return null;
                              },
                              value);
                      case 2 -> cache.putAll(Map.of(key, value));
                      case 1 -> cache.replace(key, value);
                      default -> cache.put(key, value);
                    }
                  }
                });
        w.start();
        writers.add(w);
      }
      start.countDown();
      for (Thread w : writers) {
        w.join();
      }
      // every change to the end is heard: a last remove of each key the listeners can wait for
      for (String key : keys) {
        cache.put(key, "end");
        cache.remove(key);
      }
      for (String mode : List.of("async", "sync")) {
        List<String> heard = heard(name + "/" + mode);
        Await.until(
            mode + " listener heard every key's end",
            () ->
                heard.stream().filter(e -> e.startsWith("REMOVED") && e.endsWith("=end")).count()
                    == keys.length);
        for (String key : keys) {
          requireChained(mode, key, heard);
        }
      }
    }
  }

  /**
   * The batched put path (a listener without old values: puts share logged calls) keeps the order
   * too: each key's events must alternate between "absent" and "present" (created only when absent,
   * updated and removed only when present).
   */
  @Test
  void racingPutsAndRemoves_withoutOldValues_areHeardInOrder(RedisServer redis) throws Exception {
    String name = Managers.uniqueName("orderShared");
    String[] keys = {"a", "b"};
    try (CacheManager manager = Managers.open(redis)) {
      MutableConfiguration<String, String> config =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      config.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(new Recording(name)), null, false, false));
      Cache<String, String> cache = manager.createCache(name, config);
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        Thread w =
            new Thread(
                () -> {
                  for (int i = 0; i < 1_000; i++) {
                    String key = keys[i % keys.length];
                    if (i % 5 == 4) {
                      cache.remove(key);
                    } else {
                      cache.put(key, thread + "." + i);
                    }
                  }
                });
        w.start();
        writers.add(w);
      }
      for (Thread w : writers) {
        w.join();
      }
      for (String key : keys) {
        cache.put(key, "end");
        cache.remove(key);
      }
      List<String> heard = heard(name);
      Await.until(
          "the listener heard every key's end",
          () ->
              heard.stream()
                          .filter(
                              e ->
                                  e.equals("CREATED a:=end")
                                      || e.equals("CREATED b:=end")
                                      || e.startsWith("UPDATED a:") && e.endsWith("=end")
                                      || e.startsWith("UPDATED b:") && e.endsWith("=end"))
                          .count()
                      == keys.length
                  && heard.stream().filter(e -> e.startsWith("REMOVED")).count() >= keys.length);
      // the last event of each key is the final remove once everything was heard
      Await.until(
          "every event was heard",
          () ->
              lastOf(heard, "a").startsWith("REMOVED") && lastOf(heard, "b").startsWith("REMOVED"));
      for (String key : keys) {
        boolean present = false;
        int n = 0;
        for (String e : heard) {
          if (!e.split(" ", 2)[1].startsWith(key + ":")
              && !e.split(" ", 2)[1].startsWith(key + "=")) {
            continue;
          }
          n++;
          boolean created = e.startsWith("CREATED");
          if (created == present) {
            fail(
                "event "
                    + n
                    + " of key "
                    + key
                    + " is '"
                    + e
                    + "' but the key was "
                    + (present ? "present" : "absent"));
          }
          present = !e.startsWith("REMOVED");
        }
      }
    }
  }

  private static String lastOf(List<String> heard, String key) {
    String last = "";
    for (String e : heard) {
      String rest = e.split(" ", 2)[1];
      if (rest.startsWith(key + ":") || rest.startsWith(key + "=")) {
        last = e;
      }
    }
    return last;
  }

  /**
   * A loader of cache A that writes cache B, and a synchronous listener of B that reads A, each
   * inside the other's operation: the loader must not wait for B's stripe, which B's put holds
   * while its listener waits for the loader's load. Before nested operations were left out of the
   * ordering, this waited for good (and with a bounded wait, for a command timeout and a WARNING).
   */
  @Test
  void aLoaderAndAListenerThatUseEachOthersCaches_doNotWaitForEachOther(RedisServer redis)
      throws Exception {
    String a = Managers.uniqueName("loaded");
    String b = Managers.uniqueName("listened");
    try (CacheManager manager = Managers.open(redis);
        LogCapture log = LogCapture.of("dev.cascade", Level.WARNING)) {
      CrossCaches.reset(manager, a, b);
      MutableConfiguration<String, String> loaded =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      loaded
          .setReadThrough(true)
          .setCacheLoaderFactory(FactoryBuilder.factoryOf(CrossLoader.class));
      Cache<String, String> cacheA = manager.createCache(a, loaded);
      MutableConfiguration<String, String> listened =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      listened.addCacheEntryListenerConfiguration(
          new MutableCacheEntryListenerConfiguration<>(
              FactoryBuilder.factoryOf(CrossListener.class), null, false, true));
      Cache<String, String> cacheB = manager.createCache(b, listened);

      Thread putter = new Thread(() -> cacheB.put("j", "from the put"));
      putter.start(); // its listener waits until the load below is running, then joins it
      assertEquals("loaded", cacheA.get("k"));
      putter.join(30_000);
      assertEquals(List.of(), log.messages(Level.WARNING, "went on without it"), log.describe());
    }
  }

  /** The latches and caches of the cross-cache test. */
  static final class CrossCaches {
    static volatile CountDownLatch listenerInside;
    static volatile CountDownLatch loading;
    static volatile CacheManager manager;
    static volatile String a;
    static volatile String b;

    static void reset(CacheManager m, String loaded, String listened) {
      listenerInside = new CountDownLatch(1);
      loading = new CountDownLatch(1);
      manager = m;
      a = loaded;
      b = listened;
    }
  }

  /** Waits until B's listener is inside B's put, then writes B's key that put holds. */
  public static final class CrossLoader implements CacheLoader<String, String>, Serializable {
    @Override
    public String load(String key) {
      CrossCaches.loading.countDown();
      await(CrossCaches.listenerInside);
      CrossCaches.manager.getCache(CrossCaches.b, String.class, String.class).put("j", "loader");
      return "loaded";
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      throw new UnsupportedOperationException();
    }
  }

  /** Inside B's put: says so, waits until A's load runs, then reads A's key (joining the load). */
  public static final class CrossListener
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          Serializable {
    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        if (e.getValue().equals("from the put")) {
          CrossCaches.listenerInside.countDown();
          await(CrossCaches.loading);
          CrossCaches.manager.getCache(CrossCaches.a, String.class, String.class).get("k");
        }
      }
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {}
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other side never came");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Each event of {@code key} must start from the value the previous one left (null: absent). */
  private static void requireChained(String mode, String key, List<String> heard) {
    String current = null;
    int n = 0;
    for (String e : heard) {
      String[] p = e.split(" ", 2);
      String[] kv = p[1].split("[:=]", -1); // "key:old=new" or "key=old" (removed)
      if (!kv[0].equals(key)) {
        continue;
      }
      n++;
      String type = p[0];
      String old = type.equals("CREATED") ? null : kv[1];
      String now = type.equals("REMOVED") ? null : kv[kv.length - 1];
      if (type.equals("CREATED") ? current != null : !old.equals(current)) {
        fail(
            mode
                + " listener: event "
                + n
                + " of key "
                + key
                + " is '"
                + e
                + "' but the key held "
                + current
                + " after the event before it");
      }
      current = now;
    }
    assertEquals(null, current, mode + ": the key ends removed");
  }

  private static List<String> heard(String listener) {
    return HEARD.computeIfAbsent(listener, n -> new CopyOnWriteArrayList<>());
  }

  /** Records "CREATED key:=new", "UPDATED key:old=new", "REMOVED key=old". */
  static final class Recording
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          CacheEntryRemovedListener<String, String>,
          Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        heard(name).add("CREATED " + e.getKey() + ":=" + e.getValue());
      }
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        heard(name).add("UPDATED " + e.getKey() + ":" + e.getOldValue() + "=" + e.getValue());
      }
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        heard(name).add("REMOVED " + e.getKey() + "=" + e.getOldValue());
      }
    }
  }
}
