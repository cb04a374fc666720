package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisBinary;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Every feature of Cascade works for a Redis user with exactly the rights docs/security.md lists
 * ({@link #COMMANDS}, keys {@code cascade:*}, channels {@code cascade:*}), on a server whose {@code
 * default} user is off; and that user can do nothing outside them. After each test the server's
 * {@code ACL LOG} must be empty: a command Cascade sent that the list lacks (on any connection, in
 * any script, in the background) shows up there even when Cascade tolerated it.
 *
 * <p>A subclass starts the server ({@link #start}) and says how to reach it: plain or TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class AclContract {

  /**
   * The commands Cascade sends, as docs/security.md ("TLS and ACLs") lists them; keep the two in
   * step. Scripts run with their caller's rights, so the commands only the Lua scripts call are
   * here too (del, exists, get, hvals, incr, persist, pexpireat, set, time, xdel, zadd,
   * zrangebyscore, zremrangebyscore); HELLO and AUTH need no right.
   */
  static final String COMMANDS =
      String.join(
          " ",
          "+evalsha",
          "+eval",
          "+hget",
          "+hmget",
          "+hset",
          "+hdel",
          "+hexists",
          "+hgetall",
          "+hlen",
          "+hvals",
          "+get",
          "+set",
          "+del",
          "+exists",
          "+unlink",
          "+incr",
          "+time",
          "+pexpire",
          "+pexpireat",
          "+persist",
          "+scan",
          "+xadd",
          "+xack",
          "+xautoclaim",
          "+xdel",
          "+xgroup|create",
          "+xinfo|groups",
          "+xlen",
          "+xpending",
          "+xrange",
          "+xtrim",
          "+xreadgroup",
          "+watch",
          "+unwatch",
          "+multi",
          "+exec",
          "+zadd",
          "+zrangebyscore",
          "+zremrangebyscore",
          "+publish",
          "+subscribe",
          "+unsubscribe",
          "+client|tracking",
          "+ping",
          "+info",
          "+wait");

  static final String PASSWORD = "cascade-acl-secret";
  static final String USER = "cascade";

  /**
   * {@code resetchannels}: Redis 6.2 starts a user with every channel, and refuses a pattern after
   * that.
   */
  static final String RULES =
      "on >" + PASSWORD + " ~cascade:* resetchannels &cascade:* -@all " + COMMANDS;

  /** The same rights without INFO, which Cascade only reads for a warning. */
  static final String USER_WITHOUT_INFO = "cascade-noinfo";

  RedisServer redis;
  CacheManager first;
  CacheManager second;

  /**
   * A server with the users above, the {@code default} user off, and the fixture's own admin user.
   */
  static RedisServer.Builder aclServer() {
    RedisBinary binary = RedisBinary.resolve();
    String rules = RULES + quietRules(binary);
    return RedisServer.builder()
        .binary(binary)
        .config("user", "admin on >admin-secret ~* &* +@all")
        .auth("admin", "admin-secret")
        .config("user", "default off")
        .config("user", USER + " " + rules)
        .config("user", USER_WITHOUT_INFO + " " + rules + " -info");
  }

  /**
   * What docs/security.md suggests adding, per Redis version, so that the CLIENT subcommands
   * Lettuce sends on every connection and ignores the refusal of (SETINFO, MAINT_NOTIFICATIONS)
   * leave no trace in ACL LOG: Redis 6.2 checks them (and accepts rules naming unknown ones), 7.0
   * and 7.1 refuse rules naming subcommands they lack (and answer "unknown subcommand" before any
   * ACL check), 7.2 has CLIENT SETINFO.
   */
  static String quietRules(RedisBinary binary) {
    String[] version = binary.version().split("\\.");
    int major = Integer.parseInt(version[0]);
    int minor = Integer.parseInt(version[1]);
    if (major < 7) {
      return " +client|setinfo +client|maint_notifications";
    }
    return major == 7 && minor < 2 ? "" : " +client|setinfo";
  }

  /** Starts the server ({@link #aclServer()}, plus what the subclass tests: TLS). */
  abstract RedisServer start();

  /** The CacheManager properties the server needs (a truststore for TLS). */
  abstract Properties properties();

  /** Lettuce client options for the raw connections (TLS). */
  abstract ClientOptions rawOptions();

  CacheManager open(String user) {
    return new CascadeCachingProvider()
        .getCacheManager(
            URI.create(redis.uri(user, PASSWORD)),
            AclContract.class.getClassLoader(),
            properties());
  }

  @BeforeAll
  void openManagers() {
    redis = start();
    first = open(USER);
    second = open(USER);
  }

  @AfterAll
  void close() {
    first.close();
    second.close();
    redis.close();
  }

  /**
   * What the server refused, by user and command: must be nothing. Reset, so each test answers for
   * itself.
   */
  @AfterEach
  void nothingWasRefused() {
    List<String> refused = refusals();
    redis.command("ACL", "LOG", "RESET");
    assertEquals(List.of(), refused, "ACL LOG: commands the least-privilege user was refused");
  }

  @SuppressWarnings("unchecked")
  List<String> refusals() {
    List<String> refused = new ArrayList<>();
    for (Object entry : (List<Object>) redis.command("ACL", "LOG")) {
      List<Object> fields = (List<Object>) entry;
      Map<String, Object> e = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        e.put(String.valueOf(fields.get(i)), fields.get(i + 1));
      }
      // Redis 7 names a subcommand (config|get), 6.2 the command (config)
      String object = String.valueOf(e.get("object"));
      object =
          "command".equals(e.get("reason")) && object.contains("|")
              ? object.substring(0, object.indexOf('|'))
              : object;
      refused.add(
          e.get("username")
              + ": "
              + e.get("reason")
              + " "
              + object
              + " ("
              + e.get("context")
              + ")");
    }
    return refused;
  }

  static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  // ------------------------------------------------------------------ every feature

  @Test
  void plainOperations_underTheAclUser_work() throws Exception {
    for (MutableConfiguration<String, String> config :
        List.of(
            strings().setStatisticsEnabled(true), // plain commands
            strings()
                .setStatisticsEnabled(true) // mutate.lua
                .setExpiryPolicyFactory(
                    CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 5))))) {
      String name = Managers.uniqueName("plain");
      Cache<String, String> cache = first.createCache(name, config);
      cache.put("a", "1");
      assertEquals("1", cache.get("a"));
      assertTrue(cache.containsKey("a"));
      assertFalse(cache.putIfAbsent("a", "x"));
      assertEquals("1", cache.getAndPut("a", "2"));
      assertTrue(cache.replace("a", "2", "3"));
      assertEquals("3", cache.getAndReplace("a", "4"));
      assertEquals(
          Integer.valueOf(4),
          cache.invoke(
              "a",
              (entry, args) -> {
                entry.setValue(entry.getValue() + "!");
                return entry.getValue().length() * 2;
              }));
      assertEquals("4!", cache.getAndRemove("a"));
      assertFalse(cache.remove("a"));

      Map<String, String> many = new HashMap<>();
      for (int i = 0; i < 50; i++) {
        many.put("k" + i, "v" + i);
      }
      cache.putAll(many);
      assertEquals(many, cache.getAll(many.keySet()));
      Set<String> seen = new HashSet<>();
      cache.forEach(e -> seen.add(e.getKey()));
      assertEquals(many.keySet(), seen);
      cache.removeAll(Set.of("k0", "k1"));
      assertNull(cache.get("k0"));
      assertTrue(cache.remove("k2", "v2"));
      cache.removeAll();
      assertFalse(cache.iterator().hasNext());
      cache.put("again", "1");
      cache.clear();
      assertNull(cache.get("again"));

      assertTrue(
          statistic(name, "CacheHits") > 0 && statistic(name, "CachePuts") > 0,
          "statistics counted");
      assertEquals(
          name,
          second.getCache(name, String.class, String.class).getName(),
          "another manager opens it");
      first.destroyCache(name);
    }
  }

  @Test
  void writeThroughAndReadThrough_withLocks_underTheAclUser_work() {
    String name = Managers.uniqueName("through");
    Cache<String, String> cache =
        first.createCache(
            name,
            strings()
                .setWriteThrough(true)
                .setCacheWriterFactory(MapDatabase.<String, String>writerFactory(DATABASE))
                .setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(MapLoader.class)));
    cache.put("w", "1");
    assertEquals("1", database().get("w"));
    cache.putAll(Map.of("x", "2", "y", "3"));
    assertEquals("3", database().get("y"));
    cache.remove("x");
    assertFalse(database().containsKey("x"));
    cache.removeAll(Set.of("y"));
    assertFalse(database().containsKey("y"));
    database().put("only-in-db", "loaded");
    assertEquals("loaded", cache.get("only-in-db"), "read through the loader");
    assertEquals(
        Integer.valueOf(1),
        cache.invoke(
            "w",
            (entry, args) -> {
              entry.setValue("2");
              return 1;
            }));
    assertEquals("2", database().get("w"));
  }

  @Test
  void listeners_acrossTwoManagers_underTheAclUser_hearEachOther() throws Exception {
    String name = Managers.uniqueName("events");
    Cache<String, String> writer =
        first.createCache(
            name,
            strings()
                .setExpiryPolicyFactory(
                    CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 300))));
    MutableConfiguration<String, String> listening =
        strings()
            .setExpiryPolicyFactory(
                CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 300)));
    listening.addCacheEntryListenerConfiguration(
        new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(Collecting.class), null, true, false));
    Cache<String, String> listener = second.createCache(name, listening);
    // the writer learns over pub/sub that someone listens now: wait until a probe is heard
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Collecting.EVENTS.contains("created " + name + " probe")) {
      assertTrue(
          System.currentTimeMillis() < deadline, "the listener never heard the other manager");
      writer.remove("probe");
      writer.put("probe", "p");
      Thread.sleep(20);
    }
    writer.put("k", "one");
    assertEquals("created " + name + " k", poll("created " + name + " k"));
    writer.put("k", "two");
    assertEquals("updated " + name + " k", poll("updated " + name + " k"));
    writer.remove("k");
    assertEquals("removed " + name + " k", poll("removed " + name + " k"));
    writer.put("short", "lived");
    Thread.sleep(400);
    assertNull(listener.get("short"), "expired");
    assertEquals("expired " + name + " short", poll("expired " + name + " short"));
  }

  private static String poll(String expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      String e = Collecting.EVENTS.poll(100, TimeUnit.MILLISECONDS);
      if (expected.equals(e)) {
        return e;
      }
    }
    return "no '" + expected + "' within 10 s";
  }

  @Test
  void writeBehind_underTheAclUser_flushesToTheDatabase() throws Exception {
    String table = TestDatabase.uniqueTableName("acl_wb");
    TestDatabase.execute(
        "CREATE TABLE " + table + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL)");
    try {
      Cache<String, String> cache =
          first.createCache(
              Managers.uniqueName("wb"),
              strings()
                  .setWriteThrough(true)
                  .setCacheWriterFactory(
                      WriteBehind.of(new TableWriterFactory(table))
                          .maxDelay(java.time.Duration.ofMillis(100))
                          .build()));
      cache.put("a", "1");
      cache.putAll(Map.of("b", "2", "c", "3"));
      cache.remove("c");
      cache.put("a", "4");
      WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
      // the MXBean's readings go to Redis too (XRANGE, INFO)
      assertTrue(wb.getOldestPendingAgeMillis() >= 0);
      assertTrue(wb.getEvictionRisk() != null);
      long deadline = System.currentTimeMillis() + 30_000;
      while (wb.getQueueDepth() > 0 || rows(table).size() != 2) {
        assertTrue(
            System.currentTimeMillis() < deadline,
            "flushed within 30 s: depth "
                + wb.getQueueDepth()
                + ", last error "
                + wb.getLastError()
                + ", rows "
                + rows(table));
        Thread.sleep(50);
      }
      assertEquals(Map.of("a", "4", "b", "2"), rows(table));
      assertEquals(0, wb.getDeadLetters());
    } finally {
      TestDatabase.dropTable(table);
    }
  }

  private static Map<String, String> rows(String table) {
    return TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class);
  }

  @Test
  void nearCache_underTheAclUser_isInvalidatedByTheOtherManager() {
    String name = Managers.uniqueName("near");
    CascadeConfiguration<String, String> near =
        new CascadeConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setNearCache(100);
    Cache<String, String> a = first.createCache(name, near);
    Cache<String, String> b = second.createCache(name, near);
    NearCacheStatistics nearA = a.unwrap(CascadeCache.class).nearCache();
    a.put("k", "1");
    long deadline = System.currentTimeMillis() + 5_000;
    // the put's own invalidation comes back asynchronously and may evict the first read's copy
    while (nearA.hits() == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "never served near: is tracking on?");
      assertEquals("1", a.get("k"));
    }
    b.put("k", "2");
    deadline = System.currentTimeMillis() + 5_000;
    while (!"2".equals(a.get("k"))) {
      assertTrue(System.currentTimeMillis() < deadline, "the invalidation never arrived");
      Thread.onSpinWait();
    }
  }

  // ------------------------------------------------------------------ and nothing more

  @Test
  void outsideItsKeysChannelsAndCommands_theAclUserIsRefused() {
    RedisClient client = RedisClient.create(RedisURI.create(redis.uri(USER, PASSWORD)));
    client.setOptions(rawOptions());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> sync = c.sync();
      sync.set("cascade:mine", "allowed");
      assertNoPermission(() -> sync.set("other:key", "v"));
      assertNoPermission(() -> sync.get("other:key"));
      assertNoPermission(() -> sync.publish("other-channel", "m"));
      assertNoPermission(() -> sync.flushall());
      assertNoPermission(() -> sync.configGet("*"));
      assertNoPermission(() -> sync.keys("*"));
      // a script runs with its caller's rights
      RedisCommandExecutionException e =
          assertThrows(
              RedisCommandExecutionException.class,
              () ->
                  sync.eval("return redis.call('SET', 'other:key', 'v')", ScriptOutputType.STATUS));
      assertTrue(e.getMessage().contains("can't access at least one of the keys"), e.getMessage());
      sync.del("cascade:mine");
    } finally {
      client.shutdown();
    }
    List<String> refused = refusals();
    redis.command("ACL", "LOG", "RESET");
    // ACL LOG counts repeats of one refusal (SET and GET of other:key) in one entry
    assertEquals(
        Set.of(
            USER + ": key other:key (toplevel)",
            USER + ": channel other-channel (toplevel)",
            USER + ": command flushall (toplevel)",
            USER + ": command config (toplevel)",
            USER + ": command keys (toplevel)",
            USER + ": key other:key (lua)"),
        new HashSet<>(refused));
  }

  private static void assertNoPermission(Runnable command) {
    RedisCommandExecutionException e =
        assertThrows(RedisCommandExecutionException.class, command::run);
    assertTrue(e.getMessage().startsWith("NOPERM"), e.getMessage());
  }

  @Test
  void withoutInfo_theManagerStillWorks_onlyTheEvictionWarningIsSkipped() {
    CacheManager manager = open(USER_WITHOUT_INFO);
    try {
      Cache<String, String> cache = manager.createCache(Managers.uniqueName("noinfo"), strings());
      cache.put("k", "v");
      assertEquals("v", cache.get("k"));
    } finally {
      manager.close();
    }
    List<String> refused = refusals();
    redis.command("ACL", "LOG", "RESET");
    assertEquals(1, refused.size(), refused.toString());
    assertTrue(refused.get(0).startsWith(USER_WITHOUT_INFO + ": command info"), refused.toString());
  }

  // ------------------------------------------------------------------ helpers

  static long statistic(String cache, String attribute) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> names =
        server.queryNames(
            new ObjectName("javax.cache:type=CacheStatistics,Cache=" + cache + ",*"), null);
    assertEquals(1, names.size(), "one statistics MXBean for " + cache + ": " + names);
    return ((Number) server.getAttribute(names.iterator().next(), attribute)).longValue();
  }

  /** Events as "kind cache key"; the test thread asserts on them. */
  public static final class Collecting
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          CacheEntryRemovedListener<String, String>,
          CacheEntryExpiredListener<String, String>,
          Serializable {
    private static final long serialVersionUID = 1L;
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    private static void add(
        String kind, Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> EVENTS.add(kind + " " + e.getSource().getName() + " " + e.getKey()));
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      add("created", events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      add("updated", events);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      add("removed", events);
    }

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      add("expired", events);
    }
  }

  /** The in-memory table the write-through test writes to and its loader reads. */
  static final String DATABASE = "acl-contract";

  static Map<String, String> database() {
    return MapDatabase.table(DATABASE);
  }

  /** Loads from the in-memory database the write-through test writes to. */
  public static final class MapLoader implements CacheLoader<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String load(String key) {
      return database().get(key);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> out = new HashMap<>();
      keys.forEach(
          k -> {
            String v = database().get(k);
            if (v != null) {
              out.put(k, v);
            }
          });
      return out;
    }
  }

  /** The JDBC writer into one table of the test database. */
  static final class TableWriterFactory implements Factory<CacheWriter<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    TableWriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<String, String> create() {
      return new JdbcCacheWriter<>(
          TestDatabase.dataSource(),
          TableMapping.scalar(table, "k", String.class, "v", String.class));
    }
  }

  static ClientOptions tlsOptions(File truststore, String password) {
    return ClientOptions.builder()
        .sslOptions(SslOptions.builder().truststore(truststore, password).build())
        .build();
  }
}
