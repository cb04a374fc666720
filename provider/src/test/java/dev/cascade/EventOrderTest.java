package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cascade.testing.Await;
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
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
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
