package dev.cascade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeAdmin;
import dev.cascade.CascadeCache;
import dev.cascade.CascadeCachingProvider;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The command line in-process ({@code CascadeCommand.run}, output captured) against a private
 * redis-server and the test MariaDB: a write-behind cache writes through {@link JdbcCacheWriter}
 * (with a revision column) into a table whose {@code CHECK} refuses the value {@code poison}; the
 * poison record is dead-lettered after its retries, listed, replayed once the constraint is dropped
 * (the row arrives), and a dead letter whose key changed since is not replayed.
 */
@WithRedis
@Timeout(120)
class CliTest {

  private static RedisServer redis;
  private static CacheManager manager;
  private String table;
  private String name;
  private Cache<String, String> cache;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager =
        new CascadeCachingProvider()
            .getCacheManager(URI.create(server.uri()), CliTest.class.getClassLoader());
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @BeforeEach
  void createCacheAndTable() {
    table = TestDatabase.uniqueTableName("cli_dead");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL, revision BIGINT NOT NULL,"
            + " CONSTRAINT "
            + table
            + "_no_poison CHECK (v NOT LIKE 'poison%'))");
    name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    cache =
        manager.createCache(
            name,
            new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setWriteThrough(true)
                .setCacheWriterFactory(
                    WriteBehind.of(
                            JdbcCacheWriter.factory(
                                TestDatabase.dataSource(),
                                TableMapping.scalar(table, "k", String.class, "v", String.class)
                                    .withRevisionColumn("revision")))
                        .retryLimit(2)
                        .partitions(4)
                        .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                        .maxDelay(Duration.ofMillis(20))
                        .build()));
  }

  @AfterEach
  void dropTable() {
    manager.destroyCache(name);
    TestDatabase.dropTable(table);
  }

  /** Puts good values and one poison value, and waits until the poison is a dead letter. */
  private void poison(String... keysAndValues) {
    // a refused record is charged only while other records of its batch succeed (else the
    // database looks down): so good values follow it, within its partition's batch window, and
    // more follow while it is not charged yet (it may have been flushed alone)
    for (int i = 0; i < keysAndValues.length; i += 2) {
      cache.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    int good = 0;
    for (; good < 20; good++) {
      cache.put("good" + good, "v" + good);
    }
    WriteBehindMXBean wb = wb();
    long nudgeAt = System.currentTimeMillis() + 500;
    long deadline = System.currentTimeMillis() + 30_000;
    while (wb.getDeadLetters() < keysAndValues.length / 2 || wb.getQueueDepth() > 0) {
      assertTrue(System.currentTimeMillis() < deadline, "no dead letter: " + wb.getLastError());
      if (System.currentTimeMillis() > nudgeAt && wb.getDeadLetters() < keysAndValues.length / 2) {
        for (int i = 0; i < 8; i++, good++) {
          cache.put("good" + good, "v" + good);
        }
        nudgeAt = System.currentTimeMillis() + 500;
      }
      sleep(20);
    }
  }

  private WriteBehindMXBean wb() {
    return cache.unwrap(CascadeCache.class).writeBehind();
  }

  private Map<String, String> rows() {
    return TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class);
  }

  private void drain() {
    long deadline = System.currentTimeMillis() + 30_000;
    while (wb().getQueueDepth() > 0) {
      assertTrue(System.currentTimeMillis() < deadline, "not drained: " + wb().getLastError());
      sleep(20);
    }
  }

  /** Runs {@code cascade --uri <this redis> args...}; returns exit code, stdout, stderr. */
  private static Run cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--uri";
    all[1] = redis.uri();
    System.arraycopy(args, 0, all, 2, args.length);
    return cliRaw(all);
  }

  private static Run cliRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CascadeCommand.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  record Run(int code, String out, String err) {}

  @Test
  void poisonRecord_isListed_thenReplayedOnceTheDataIsFixed_andTheRowArrives() {
    poison("bad", "poison-1");
    assertFalse(rows().containsKey("bad"));
    int goodRows = rows().size(); // every good value, and the key "bad" is only in the cache

    Run caches = cli("caches");
    assertEquals(ExitCodes.OK, caches.code(), caches.err());
    assertTrue(caches.out().contains(name), caches.out());
    assertTrue(
        caches
            .out()
            .matches(
                "(?s).*"
                    + name
                    + " +java.lang.String +java.lang.String +java +4 +yes +"
                    + (goodRows + 1)
                    + "\n.*"),
        caches.out());

    Run queue = cli("queue", name);
    assertEquals(ExitCodes.OK, queue.code(), queue.err());
    assertTrue(queue.out().contains("0 queued"), queue.out());
    assertTrue(queue.out().contains("1 dead letter,"), queue.out());
    assertTrue(queue.out().contains("1 of 1 flushers alive"), queue.out());

    Run list = cli("dead-letters", name);
    assertEquals(ExitCodes.OK, list.code(), list.err());
    assertTrue(list.out().contains("bad"), list.out());
    assertTrue(list.out().contains("poison-1"), list.out());
    assertTrue(list.out().toLowerCase().contains("constraint"), list.out());
    List<CascadeAdmin.DeadLetter> letters;
    try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
      letters = admin.deadLetters(name, 10);
    }
    assertEquals(1, letters.size());
    CascadeAdmin.DeadLetter letter = letters.get(0);
    assertEquals("bad", letter.key().decoded());
    assertEquals("poison-1", letter.value().decoded());
    assertEquals(2, letter.attempts());

    Run inspect = cli("inspect", name, "bad");
    assertEquals(ExitCodes.OK, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("value:    poison-1"), inspect.out());
    assertTrue(inspect.out().contains(letter.id() + " put poison-1"), inspect.out());

    // the fix: the constraint goes
    TestDatabase.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + table + "_no_poison");
    Run replay = cli("replay", name, letter.id());
    assertEquals(ExitCodes.OK, replay.code(), replay.err() + replay.out());
    assertTrue(replay.out().contains("REPLAYED"), replay.out());
    assertTrue(replay.out().contains("1 replayed, 0 superseded"), replay.out());
    drain();
    assertEquals("poison-1", rows().get("bad"));
    assertEquals(0, wb().getDeadLetters());

    Run again = cli("replay", name, letter.id());
    assertEquals(ExitCodes.INCOMPLETE, again.code(), again.out());
    assertTrue(again.out().contains("NOT_FOUND"), again.out());
  }

  @Test
  void keyChangedAfterDeadLettering_replayDoesNotBringTheOldValueBack() {
    poison("bad", "poison-old");
    // the application writes the key again: a good value, which reaches the table
    cache.put("bad", "fixed-by-app");
    drain();
    assertEquals("fixed-by-app", rows().get("bad"));
    TestDatabase.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + table + "_no_poison");

    Run replay = cli("replay", name, "--all");
    assertEquals(ExitCodes.OK, replay.code(), replay.err() + replay.out());
    drain();
    // the database keeps the newer value (checked first: this is what the rule guards)
    assertEquals("fixed-by-app", rows().get("bad"), replay.out());
    assertEquals("fixed-by-app", cache.get("bad"));
    assertTrue(replay.out().contains("SUPERSEDED"), replay.out());
    assertTrue(replay.out().contains("0 replayed, 1 superseded"), replay.out());
    assertEquals(0, wb().getDeadLetters());
  }

  @Test
  void deletedKey_replayOfItsPutIsSuperseded_andTheRowStaysDeleted() {
    poison("bad", "poison-x");
    cache.remove("bad");
    drain();
    TestDatabase.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + table + "_no_poison");
    try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
      List<CascadeAdmin.Replay> r = admin.replayAll(name);
      assertEquals(1, r.size());
      assertEquals(CascadeAdmin.ReplayResult.SUPERSEDED, r.get(0).result());
    }
    drain();
    assertFalse(rows().containsKey("bad"));
    assertNull(cache.get("bad"));
  }

  @Test
  void purge_byIdAndAll_removesDeadLetters() {
    poison("bad1", "poison-1", "bad2", "poison-2", "bad3", "poison-3");
    String first;
    try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
      first = admin.deadLetters(name, 1).get(0).id();
    }
    Run one = cli("purge", name, first);
    assertEquals(ExitCodes.OK, one.code(), one.err());
    assertEquals("purged 1 dead letter", one.out().trim());
    Run rest = cli("--json", "purge", name, "--all");
    assertEquals(ExitCodes.OK, rest.code(), rest.err());
    assertEquals("{\"purged\":2}", rest.out().trim());
    assertEquals(0, wb().getDeadLetters());
    assertFalse(rows().containsKey("bad2"));
  }

  @Test
  void mxBeanOperations_listReplayAndPurge() throws Exception {
    poison("bad", "poison-m");
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> names =
        server.queryNames(
            new ObjectName("dev.cascade:type=WriteBehind,Cache=" + name + ",*"), null);
    assertEquals(1, names.size(), names.toString());
    ObjectName bean = names.iterator().next();
    String[] listed =
        (String[]) server.invoke(bean, "listDeadLetters", new Object[] {10}, new String[] {"int"});
    assertEquals(1, listed.length);
    assertTrue(listed[0].contains("key=bad put value=poison-m attempts=2"), listed[0]);
    TestDatabase.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + table + "_no_poison");
    String[] replayed =
        (String[]) server.invoke(bean, "replayAllDeadLetters", new Object[0], new String[0]);
    assertEquals(1, replayed.length);
    assertTrue(replayed[0].contains("REPLAYED"), replayed[0]);
    drain();
    assertEquals("poison-m", rows().get("bad"));
    assertEquals(0L, server.getAttribute(bean, "DeadLetters"));
    assertEquals(
        0L,
        server.invoke(
            bean, "purgeDeadLetters", new Object[] {"1-0"}, new String[] {"java.lang.String"}));
  }

  /** A value class of the application's (allowed where the application declared it). */
  record Order(String id, long cents) implements Serializable {}

  @Test
  void valueOfAClassNotAllowedHere_isShownAsBytesWithTheReason_andDecodedWithAllow() {
    String objects = name + "-objects";
    Cache<String, Order> orders =
        manager.createCache(
            objects, new MutableConfiguration<String, Order>().setTypes(String.class, Order.class));
    orders.put("o1", new Order("o1", 4200));
    try {
      Run raw = cli("inspect", objects, "o1");
      assertEquals(ExitCodes.OK, raw.code(), raw.err());
      assertTrue(raw.out().contains("value:    hex:"), raw.out());
      assertTrue(raw.out().contains("not decoded"), raw.out());
      assertFalse(raw.out().contains("cents=4200"), raw.out());

      Run allowed = cli("--allow", "dev.cascade.cli.*", "inspect", objects, "o1");
      assertEquals(ExitCodes.OK, allowed.code(), allowed.err());
      assertTrue(allowed.out().contains("value:    Order[id=o1, cents=4200]"), allowed.out());

      // from the application's own manager, the cache's configuration allows its type
      try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
        assertEquals(new Order("o1", 4200), admin.inspect(objects, "o1").value().decoded());
      }
    } finally {
      manager.destroyCache(objects);
    }
  }

  /**
   * Whoever can write to Redis chooses a value's bytes: printed as they are, an escape sequence
   * would drive the operator's terminal and a line break could fake a line of output.
   */
  @Test
  void inspect_valueWithControlCharacters_printsThemEscaped() {
    String texts = name + "-texts";
    Cache<String, String> cache =
        manager.createCache(
            texts, new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    cache.put("t", "\u001b[2J\u001b]0;owned\u0007ok\nstatus: fine\u202e");
    try {
      Run r = cli("inspect", texts, "t");
      assertEquals(ExitCodes.OK, r.code(), r.err());
      assertFalse(r.out().contains("\u001b"), r.out());
      assertFalse(r.out().contains("\u202e"), r.out());
      assertTrue(
          r.out().contains("\\u001b[2J\\u001b]0;owned\\u0007ok\\nstatus: fine\\u202e"), r.out());
    } finally {
      manager.destroyCache(texts);
    }
  }

  @Test
  void caches_showsNamesAsGiven_evenWithCharactersRedisKeysEscape() {
    String odd = name + " eu:{größe} 50%";
    manager.createCache(
        odd, new MutableConfiguration<Long, String>().setTypes(Long.class, String.class));
    try {
      Run r = cli("caches", "--no-count", "--json");
      assertEquals(ExitCodes.OK, r.code(), r.err());
      assertTrue(r.out().contains("\"name\":\"" + odd + "\""), r.out());
      assertTrue(r.out().contains("\"entries\":-1"), r.out());
    } finally {
      manager.destroyCache(odd);
    }
  }

  @Test
  void jsonCodecValues_areShownAsTheirJson_andDecodedByTheApplicationsAdmin() {
    String json = name + "-json";
    Cache<String, Order> orders =
        manager.createCache(
            json,
            new CascadeConfiguration<String, Order>()
                .setTypes(String.class, Order.class)
                .setCodec("json"));
    orders.put("o2", new Order("o2", 1999));
    try {
      Run r = cli("inspect", json, "o2");
      assertEquals(ExitCodes.OK, r.code(), r.err());
      assertTrue(
          r.out().contains("value:    {\"id\":\"o2\",\"cents\":1999} (not decoded:"), r.out());
      Run caches = cli("caches");
      assertTrue(
          caches
              .out()
              .matches(
                  "(?s).*" + json + " +java.lang.String +dev.cascade.cli.CliTest\\$Order +json .*"),
          caches.out());
      try (CascadeAdmin admin = CascadeAdmin.of(manager)) {
        assertEquals(new Order("o2", 1999), admin.inspect(json, "o2").value().decoded());
      }
    } finally {
      manager.destroyCache(json);
    }
  }

  @Test
  void unknownCache_exits3_namingTheCaches() {
    Run r = cli("queue", "no-such-cache");
    assertEquals(ExitCodes.NOT_FOUND, r.code());
    assertTrue(r.err().contains("has no cache 'no-such-cache'"), r.err());
    assertTrue(r.err().contains(name), r.err());
  }

  @Test
  void unreachableRedis_exits4_namingTheUriWithoutItsPassword() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = cliRaw("--uri", "redis://ops:s3cretPW@127.0.0.1:" + port, "caches");
    assertEquals(ExitCodes.REDIS, r.code(), r.err());
    assertTrue(r.err().contains("127.0.0.1:" + port), r.err());
    assertFalse(r.err().contains("s3cretPW"), r.err());
  }

  @Test
  void usageErrors_exit2() {
    assertEquals(ExitCodes.USAGE, cli("replay", name).code());
    assertEquals(ExitCodes.USAGE, cli("replay", name, "1-0", "--all").code());
    assertEquals(ExitCodes.USAGE, cli("no-such-command").code());
    assertEquals(ExitCodes.USAGE, cli("dead-letters", name, "--max", "0").code());
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
