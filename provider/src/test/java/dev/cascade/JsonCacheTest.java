package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache with the json codec through the whole Cache API on a real Redis: values are records
 * without {@code Serializable}, with {@code java.time} and nested types, stored as JSON text that
 * any client can read, and read back equal in this and another CacheManager.
 */
@WithRedis
@Timeout(60)
class JsonCacheTest {

  /** The in-memory table the write-behind test's writer writes to. */
  private static final String ROWS = "json-write-behind";

  record Address(String city, String zip) {}

  /** Not Serializable: the java codec could not store it at all. */
  record Profile(
      long id,
      String name,
      Instant since,
      LocalDate birthday,
      List<String> tags,
      Address address,
      String nickname) {}

  private static CacheManager manager;
  private static CacheManager other;
  private static RawRedis bytes;

  @BeforeAll
  static void open(RedisServer redis) {
    manager = Managers.open(redis);
    other = Managers.open(redis);
    bytes = RawRedis.connect(redis);
  }

  @AfterAll
  static void close() {
    manager.close();
    other.close();
    bytes.close();
  }

  static Profile profile(long id, String name) {
    return new Profile(
        id,
        name,
        Instant.parse("2026-01-02T03:04:05.678Z"),
        LocalDate.of(1990, 5, 17),
        List.of("a", "b"),
        new Address("Lyon", "69001"),
        null);
  }

  /** Collects every event it hears, with its values as decoded. */
  static final class Events
      implements CacheEntryCreatedListener<Long, Profile>,
          CacheEntryUpdatedListener<Long, Profile>,
          CacheEntryRemovedListener<Long, Profile>,
          Serializable {
    static final List<String> HEARD = new CopyOnWriteArrayList<>();

    private void record(Iterable<CacheEntryEvent<? extends Long, ? extends Profile>> events) {
      for (CacheEntryEvent<? extends Long, ? extends Profile> e : events) {
        HEARD.add(
            e.getEventType()
                + " "
                + e.getKey()
                + " "
                + (e.getValue() == null ? null : e.getValue().name())
                + " old="
                + (e.getOldValue() == null ? null : e.getOldValue().name()));
      }
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends Long, ? extends Profile>> events)
        throws CacheEntryListenerException {
      record(events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends Long, ? extends Profile>> events)
        throws CacheEntryListenerException {
      record(events);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends Long, ? extends Profile>> events)
        throws CacheEntryListenerException {
      record(events);
    }
  }

  @Test
  void jsonValues_throughPutGetGetAllInvokeConditionalsIteratorAndListeners() {
    String name = Managers.uniqueName("codec-json-ops");
    Events.HEARD.clear();
    Cache<Long, Profile> cache =
        manager.createCache(
            name,
            new CascadeConfiguration<Long, Profile>()
                .setTypes(Long.class, Profile.class)
                .setCodec("json")
                .addCacheEntryListenerConfiguration(
                    new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(new Events()), null, true, true)));

    cache.put(1L, profile(1, "Ada"));
    assertEquals(profile(1, "Ada"), cache.get(1L));

    Map<Long, Profile> more = new HashMap<>();
    more.put(2L, profile(2, "Grace"));
    more.put(3L, profile(3, "Edsger"));
    cache.putAll(more);
    Map<Long, Profile> all = cache.getAll(Set.of(1L, 2L, 3L, 4L));
    assertEquals(
        Map.of(1L, profile(1, "Ada"), 2L, profile(2, "Grace"), 3L, profile(3, "Edsger")), all);

    String renamed =
        cache.invoke(
            1L,
            (entry, args) -> {
              Profile p = entry.getValue();
              entry.setValue(
                  new Profile(
                      p.id(),
                      p.name() + " L.",
                      p.since(),
                      p.birthday(),
                      p.tags(),
                      p.address(),
                      "countess"));
              return entry.getValue().name();
            });
    assertEquals("Ada L.", renamed);
    Profile ada = cache.get(1L);
    assertEquals("countess", ada.nickname());

    // conditionals compare encoded values: the JSON of an equal record is the same bytes
    assertTrue(cache.replace(2L, profile(2, "Grace"), profile(2, "Grace H.")));
    assertTrue(cache.remove(3L, profile(3, "Edsger")));

    Map<Long, Profile> iterated = new HashMap<>();
    for (Cache.Entry<Long, Profile> e : cache) {
      iterated.put(e.getKey(), e.getValue());
    }
    assertEquals(Map.of(1L, ada, 2L, profile(2, "Grace H.")), iterated);

    assertEquals(
        List.of(
            "CREATED 1 Ada old=null",
            "CREATED 2 Grace old=null",
            "CREATED 3 Edsger old=null",
            "UPDATED 1 Ada L. old=Ada",
            "UPDATED 2 Grace H. old=Grace",
            "REMOVED 3 Edsger old=Edsger"),
        sortedCreates(Events.HEARD));

    // what redis-cli shows: the key's text and the value's JSON
    byte[] json = bytes.sync().hget(new KeyLayout(name, 16).entryKey(utf8("2")), utf8("v"));
    assertEquals(
        "{\"id\":2,\"name\":\"Grace H.\",\"since\":\"2026-01-02T03:04:05.678Z\","
            + "\"birthday\":\"1990-05-17\",\"tags\":[\"a\",\"b\"],"
            + "\"address\":{\"city\":\"Lyon\",\"zip\":\"69001\"},\"nickname\":null}",
        new String(json, StandardCharsets.UTF_8));

    // another CacheManager (another JVM) opening it by its types reads the same values
    Cache<Long, Profile> there = other.getCache(name, Long.class, Profile.class);
    assertEquals(ada, there.get(1L));
    manager.destroyCache(name);
  }

  /**
   * Hears another CacheManager's changes (an asynchronous listener, as remote events always are).
   */
  static final class Remote implements CacheEntryCreatedListener<Long, Profile>, Serializable {
    static final List<Profile> HEARD = new CopyOnWriteArrayList<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends Long, ? extends Profile>> events) {
      events.forEach(e -> HEARD.add(e.getValue()));
    }
  }

  /**
   * JSON carries no class name: a JVM declaring another value type would read the others' entries
   * as its own type (or fail on each). The registry compares the declared types under json, which
   * it did only for String, Long, Integer and byte[] (what the java codec needs).
   */
  @Test
  void anotherDeclaredValueType_isRefused_underJson() {
    String name = Managers.uniqueName("codec-json-types");
    manager.createCache(
        name,
        new CascadeConfiguration<Long, Profile>()
            .setTypes(Long.class, Profile.class)
            .setCodec("json"));
    try {
      CacheException e =
          assertThrows(
              CacheException.class,
              () ->
                  other.createCache(
                      name,
                      new CascadeConfiguration<Long, Address>()
                          .setTypes(Long.class, Address.class)
                          .setCodec("json")));
      assertTrue(e.getMessage().contains("value type " + Address.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains(Profile.class.getName() + " in Redis"), e.getMessage());
      assertTrue(e.getMessage().contains("codec 'json'"), e.getMessage());
      // the same declared types are welcome
      other
          .createCache(
              name,
              new CascadeConfiguration<Long, Profile>()
                  .setTypes(Long.class, Profile.class)
                  .setCodec("json"))
          .close();
    } finally {
      manager.destroyCache(name);
    }
  }

  @Test
  void anotherManagersChanges_arriveAsEventsWithDecodedValues() throws InterruptedException {
    String name = Managers.uniqueName("codec-json-remote");
    Remote.HEARD.clear();
    Cache<Long, Profile> listening =
        other.createCache(
            name,
            new CascadeConfiguration<Long, Profile>()
                .setTypes(Long.class, Profile.class)
                .setCodec("json")
                .addCacheEntryListenerConfiguration(
                    new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(new Remote()), null, true, false)));
    Cache<Long, Profile> writing = manager.getCache(name, Long.class, Profile.class);
    writing.put(5L, profile(5, "Barbara"));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Remote.HEARD.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(List.of(profile(5, "Barbara")), Remote.HEARD);
    listening.close();
    manager.destroyCache(name);
  }

  @Test
  void writeBehind_queuesJson_andTheWriterGetsTheDeclaredTypes() throws InterruptedException {
    String name = Managers.uniqueName("codec-json-behind");
    MapDatabase.table(ROWS).clear();
    Cache<Long, Profile> cache =
        manager.createCache(
            name,
            new CascadeConfiguration<Long, Profile>()
                .setTypes(Long.class, Profile.class)
                .setCodec("json")
                .setWriteThrough(true)
                .setCacheWriterFactory(
                    WriteBehind.<Long, Profile>of(MapDatabase.writerFactory(ROWS))
                        .maxDelay(Duration.ofMillis(10))
                        .build()));
    cache.put(1L, profile(1, "Ada"));
    cache.put(2L, profile(2, "Grace"));
    cache.put(3L, profile(3, "Edsger"));
    cache.remove(3L);

    WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (wb.getQueueDepth() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, wb.getQueueDepth(), "queue not drained; last error: " + wb.getLastError());
    assertEquals(Map.of(1L, profile(1, "Ada"), 2L, profile(2, "Grace")), MapDatabase.table(ROWS));
    manager.destroyCache(name);
  }

  /** putAll's creates arrive in no particular order; everything else in the order made. */
  private static List<String> sortedCreates(List<String> heard) {
    List<String> out = new ArrayList<>(heard);
    List<String> bulk = new ArrayList<>(out.subList(1, 3));
    bulk.sort(null);
    for (int i = 0; i < 2; i++) {
      out.set(1 + i, bulk.get(i));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
