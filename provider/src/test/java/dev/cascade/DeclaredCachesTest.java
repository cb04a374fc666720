package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.KeyLayout;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caches declared in a configuration file, opened as a user opens them: a CacheManager whose URI
 * names the file (YAML, then the same in properties), on a private redis-server, with read-through
 * from a loader class, write-through and write-behind into MariaDB tables, statistics, a near
 * cache, a template and placeholders.
 */
@WithRedis
@Timeout(120)
public class DeclaredCachesTest {

  /** Named by class in the files. */
  public static final class UpperLoader implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
      return key.toUpperCase();
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      Map<String, String> all = new java.util.HashMap<>();
      keys.forEach(k -> all.put(k, load(k)));
      return all;
    }
  }

  @TempDir Path dir;
  private RedisServer redis;
  private String writeThroughTable;
  private String writeBehindTable;
  private final List<CacheManager> managers = new ArrayList<>();

  @BeforeEach
  void tables(RedisServer redis) {
    this.redis = redis;
    redis.flushAll();
    writeThroughTable = TestDatabase.uniqueTableName("config_wt");
    writeBehindTable = TestDatabase.uniqueTableName("config_wb");
    TestDatabase.execute(
        "CREATE TABLE " + writeThroughTable + " (id BIGINT PRIMARY KEY, payload VARCHAR(100))");
    TestDatabase.execute(
        "CREATE TABLE "
            + writeBehindTable
            + " (id BIGINT PRIMARY KEY, payload VARCHAR(100), revision BIGINT NOT NULL)");
    System.setProperty("CONFIG_IT_REDIS", redis.uri());
    System.setProperty("CONFIG_IT_JDBC", TestDatabase.jdbcUrl());
    System.setProperty("CONFIG_IT_WT", writeThroughTable);
    System.setProperty("CONFIG_IT_WB", writeBehindTable);
  }

  @AfterEach
  void cleanUp() {
    managers.forEach(CacheManager::close);
    TestDatabase.dropTable(writeThroughTable);
    TestDatabase.dropTable(writeBehindTable);
    for (String p : List.of("CONFIG_IT_REDIS", "CONFIG_IT_JDBC", "CONFIG_IT_WT", "CONFIG_IT_WB")) {
      System.clearProperty(p);
    }
  }

  private CacheManager open(Path file) {
    CacheManager m =
        Caching.getCachingProvider().getCacheManager(file.toUri(), getClass().getClassLoader());
    managers.add(m);
    return m;
  }

  @Test
  void yamlFile_declaredCachesExistWhenTheManagerOpens() throws Exception {
    Path file = dir.resolve("cascade.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "cascade:",
            "  redis:",
            "    uri: ${CONFIG_IT_REDIS:redis://127.0.0.1:1}",
            "  datasources:",
            "    main:",
            "      url: ${CONFIG_IT_JDBC}",
            "      max-total: 4",
            "  templates:",
            "    short-lived:",
            "      expiry: { created: 10m }",
            "      statistics: true",
            "  caches:",
            "    cfg-users:",
            "      template: short-lived",
            "      key-type: String",
            "      value-type: String",
            "      loader: " + UpperLoader.class.getName(),
            "    cfg-accounts:",
            "      key-type: Long",
            "      value-type: String",
            "      jdbc: { datasource: main, table: '${CONFIG_IT_WT}', key-column: id,"
                + " value-column: payload }",
            "    cfg-events:",
            "      key-type: Long",
            "      value-type: String",
            "      jdbc:",
            "        datasource: main",
            "        table: ${CONFIG_IT_WB}",
            "        key-column: id",
            "        value-column: payload",
            "        revision-column: revision",
            "      write-behind:",
            "        batch-size: 10",
            "        max-delay: 20ms",
            "    cfg-near:",
            "      key-type: String",
            "      value-type: String",
            "      near-cache: 100",
            ""));
    checkDeclaredCaches(open(file));
  }

  @Test
  void propertiesFile_declaresTheSameCaches() throws Exception {
    Path file = dir.resolve("cascade.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "cascade.redis.uri=${CONFIG_IT_REDIS:redis://127.0.0.1:1}",
            "cascade.datasources.main.url=${CONFIG_IT_JDBC}",
            "cascade.datasources.main.max-total=4",
            "cascade.templates.short-lived.expiry.created=10m",
            "cascade.templates.short-lived.statistics=true",
            "cascade.caches.cfg-users.template=short-lived",
            "cascade.caches.cfg-users.key-type=String",
            "cascade.caches.cfg-users.value-type=String",
            "cascade.caches.cfg-users.loader=" + UpperLoader.class.getName(),
            "cascade.caches.cfg-accounts.key-type=Long",
            "cascade.caches.cfg-accounts.value-type=String",
            "cascade.caches.cfg-accounts.jdbc.datasource=main",
            "cascade.caches.cfg-accounts.jdbc.table=${CONFIG_IT_WT}",
            "cascade.caches.cfg-accounts.jdbc.key-column=id",
            "cascade.caches.cfg-accounts.jdbc.value-column=payload",
            "cascade.caches.cfg-events.key-type=Long",
            "cascade.caches.cfg-events.value-type=String",
            "cascade.caches.cfg-events.jdbc.datasource=main",
            "cascade.caches.cfg-events.jdbc.table=${CONFIG_IT_WB}",
            "cascade.caches.cfg-events.jdbc.key-column=id",
            "cascade.caches.cfg-events.jdbc.value-column=payload",
            "cascade.caches.cfg-events.jdbc.revision-column=revision",
            "cascade.caches.cfg-events.write-behind.batch-size=10",
            "cascade.caches.cfg-events.write-behind.max-delay=20ms",
            "cascade.caches.cfg-near.key-type=String",
            "cascade.caches.cfg-near.value-type=String",
            "cascade.caches.cfg-near.near-cache=100",
            ""));
    checkDeclaredCaches(open(file));
  }

  private void checkDeclaredCaches(CacheManager manager) throws Exception {
    Set<String> names = new java.util.TreeSet<>();
    manager.getCacheNames().forEach(names::add);
    assertEquals(Set.of("cfg-users", "cfg-accounts", "cfg-events", "cfg-near"), names);

    // read-through from the loader class, expiry from the template, visible as Redis' own TTL
    Cache<String, String> users = manager.getCache("cfg-users", String.class, String.class);
    assertNotNull(users);
    CompleteConfiguration<?, ?> usersConfig = users.getConfiguration(CompleteConfiguration.class);
    assertInstanceOf(CreatedExpiryPolicy.class, usersConfig.getExpiryPolicyFactory().create());
    assertTrue(usersConfig.isReadThrough() && usersConfig.isStatisticsEnabled());
    assertEquals("ABC", users.get("abc"));
    assertEquals("ABC", users.get("abc"));
    long ttl = pttl("cfg-users", "abc");
    assertTrue(ttl > 0 && ttl <= 600_000, "PTTL of the loaded entry: " + ttl);

    // statistics on from the file: the JCache statistics MXBean counts this JVM's hit and miss
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> stats =
        server.queryNames(new ObjectName("javax.cache:type=CacheStatistics,*"), null);
    ObjectName usersStats =
        stats.stream()
            .filter(n -> n.getKeyProperty("Cache").contains("cfg-users"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no statistics MXBean for cfg-users: " + stats));
    assertEquals(1L, server.getAttribute(usersStats, "CacheHits"));
    assertEquals(1L, server.getAttribute(usersStats, "CacheMisses"));

    // write-through into MariaDB through the declared pool
    Cache<Long, String> accounts = manager.getCache("cfg-accounts", Long.class, String.class);
    accounts.put(1L, "alice");
    assertEquals(
        Map.of(1L, "alice"),
        TestDatabase.queryMap(
            "SELECT id, payload FROM " + writeThroughTable, Long.class, String.class));
    TestDatabase.execute("INSERT INTO " + writeThroughTable + " VALUES (2, 'bob')");
    assertEquals("bob", accounts.get(2L), "read-through from the same table");

    // write-behind: the row arrives once the flusher ran, with a revision
    Cache<Long, String> events = manager.getCache("cfg-events", Long.class, String.class);
    assertNotNull(events.unwrap(CascadeCache.class).writeBehind(), "a write-behind cache");
    events.put(7L, "queued");
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<Map<String, Object>> rows;
    do {
      rows = TestDatabase.queryRows("SELECT payload, revision FROM " + writeBehindTable);
      if (rows.isEmpty()) {
        Thread.sleep(20);
      }
    } while (rows.isEmpty() && System.nanoTime() < deadline);
    assertEquals(1, rows.size(), "the write-behind row");
    assertEquals("queued", rows.get(0).get("payload"));
    assertTrue(((Number) rows.get(0).get("revision")).longValue() > 0);

    // near cache: the second read is served in this JVM
    Cache<String, String> near = manager.getCache("cfg-near", String.class, String.class);
    near.put("k", "v");
    // a near cache serves reads once Redis confirmed its invalidations (set up asynchronously)
    long nearDeadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (near.unwrap(CascadeCache.class).nearCache().hits() < 1
        && System.nanoTime() < nearDeadline) {
      assertEquals("v", near.get("k"));
    }
    assertTrue(near.unwrap(CascadeCache.class).nearCache().hits() >= 1, "near-cache hits");
    assertEquals(100, near.unwrap(CascadeCache.class).nearCache().maxEntries());

    // a declared cache is not created again in code
    CacheException e =
        assertThrows(
            CacheException.class,
            () -> manager.createCache("cfg-users", new MutableConfiguration<String, String>()));
    assertTrue(e.getMessage().contains("declared at "), e.getMessage());
  }

  @Test
  void aDeclaredCachesCodec_isUsedAndRecorded() throws Exception {
    Path file = dir.resolve("json.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "cascade:",
            "  redis: { uri: '${CONFIG_IT_REDIS}' }",
            "  caches:",
            "    cfg-json:",
            "      key-type: String",
            "      value-type: java.util.Map",
            "      codec: { name: json }",
            ""));
    Cache<Object, Object> c = open(file).getCache("cfg-json");
    c.put("k", Map.of("city", "Haarlem"));
    byte[] entry = new KeyLayout("cfg-json", 16).entryKey("k".getBytes(StandardCharsets.UTF_8));
    Object raw = redis.command("HGET", new String(entry, StandardCharsets.UTF_8), "v");
    assertEquals(
        "{\"city\":\"Haarlem\"}",
        raw instanceof byte[] ? new String((byte[]) raw, StandardCharsets.UTF_8) : raw,
        "the value as JSON, as any client reads it");
    assertEquals(Map.of("city", "Haarlem"), c.get("k"));
    assertEquals("json", redis.command("HGET", "cascade:cfg-json:meta", "codec"), "recorded");
  }

  private long pttl(String cache, String key) {
    byte[] entry = new KeyLayout(cache, 16).entryKey(key.getBytes(StandardCharsets.UTF_8));
    return (Long) redis.command("PTTL", new String(entry, StandardCharsets.UTF_8));
  }

  @Test
  void propertiesWithoutUri_nameTheRedis() {
    Properties p = new Properties();
    p.setProperty("cascade.redis.uri", redis.uri());
    p.setProperty("cascade.caches.cfg-from-properties.expiry.created", "1m");
    p.setProperty("cascade.caches.cfg-from-properties.key-type", "String");
    CacheManager m =
        Caching.getCachingProvider().getCacheManager(null, getClass().getClassLoader(), p);
    managers.add(m);
    assertEquals(URI.create(redis.uri()), m.getURI());
    Cache<Object, Object> c = m.getCache("cfg-from-properties");
    assertNotNull(c, "declared in the properties");
    c.put("k", "v");
    assertEquals(
        1L,
        redis.command("EXISTS", "cascade:cfg-from-properties:meta"),
        "the registry record is in the Redis the properties name");
    long ttl = pttl("cfg-from-properties", "k");
    assertTrue(ttl > 0 && ttl <= 60_000, "PTTL: " + ttl);
  }

  @Test
  void declaredCacheThatCannotOpen_namesWhereItIsDeclared_andTheManagerCloses() throws Exception {
    // another JVM made the cache with other types: the declared one cannot open
    try (CacheManager other = Managers.open(redis)) {
      other.createCache(
          "cfg-bad", new MutableConfiguration<Long, Long>().setTypes(Long.class, Long.class));
    }
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "cascade:",
            "  redis: { uri: '${CONFIG_IT_REDIS}' }",
            "  caches:",
            "    cfg-bad:",
            "      key-type: String",
            ""));
    CacheException e = assertThrows(CacheException.class, () -> open(file));
    assertTrue(
        e.getMessage().startsWith("Cache 'cfg-bad' declared at file:")
            && e.getMessage().contains("bad.yaml line 4 cannot open: "),
        e.getMessage());
  }
}
