package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.config.CascadeConfiguration;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.math.BigDecimal;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Cascade cache on a private redis-server, read-through and write-through to MariaDB with
 * the JDBC loader and writer: the way users wire it.
 */
@WithRedis
@Timeout(120)
class JdbcEndToEndTest {

  private final DataSource db = TestDatabase.dataSource();
  private CacheManager manager;
  private String table;

  @BeforeEach
  void open(RedisServer redis) {
    manager =
        Caching.getCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    table = TestDatabase.uniqueTableName("products");
    TestDatabase.execute(
        "CREATE TABLE "
            + table
            + " (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL,"
            + " price DECIMAL(10,2) NOT NULL CHECK (price >= 0))");
  }

  @AfterEach
  void close() {
    manager.close();
    TestDatabase.dropTable(table);
  }

  private Cache<Long, Product> cache(JdbcCacheWriter<Long, Product> writer) {
    TableMapping<Long, Product> mapping = writer.mapping();
    return manager.createCache(
        table,
        new CascadeConfiguration<Long, Product>()
            .setTypes(Long.class, Product.class)
            .allowDeserialization(Product.class.getName())
            .setReadThrough(true)
            .setWriteThrough(true)
            .setCacheLoaderFactory(JdbcCacheLoader.factory(db, mapping))
            .setCacheWriterFactory(writer.asFactory()));
  }

  private Map<Long, Product> rows() {
    return Databases.products(db, table);
  }

  @Test
  void cache_putGetRemove_travelThroughToTheTable() {
    Cache<Long, Product> cache = cache(new JdbcCacheWriter<>(db, Product.mapping(table)));

    cache.put(1L, Product.of("pen", "1.50"));
    assertEquals(Map.of(1L, Product.of("pen", "1.50")), rows(), "put wrote the row");

    TestDatabase.execute("INSERT INTO " + table + " (id, name, price) VALUES (2, 'ink', 3.00)");
    assertFalse(cache.containsKey(2L));
    assertEquals(Product.of("ink", "3.00"), cache.get(2L), "a miss was loaded from the row");
    assertTrue(cache.containsKey(2L), "and kept in the cache");
    assertNull(cache.get(404L));

    cache.remove(1L);
    assertEquals(Map.of(2L, Product.of("ink", "3.00")), rows(), "remove deleted the row");
    assertFalse(cache.containsKey(1L));
  }

  @Test
  void cache_closedThenGetCache_opensAgainWithItsLoaderAndWriter() {
    Cache<Long, Product> first = cache(new JdbcCacheWriter<>(db, Product.mapping(table)));
    first.put(1L, Product.of("pen", "1.50"));
    first.close();

    // the same manager opens it again as it was created, not as a stranger joining from Redis
    // (types only): a put that reached Redis alone would leave the table behind the cache
    Cache<Long, Product> again = manager.getCache(table, Long.class, Product.class);
    again.put(2L, Product.of("ink", "3.00"));
    assertEquals(Set.of(1L, 2L), rows().keySet(), "the put of the reopened cache wrote its row");
    again.remove(1L);
    assertEquals(Set.of(2L), rows().keySet(), "its remove deleted the row");
    TestDatabase.execute("INSERT INTO " + table + " (id, name, price) VALUES (3, 'nib', 0.50)");
    assertEquals(Product.of("nib", "0.50"), again.get(3L), "its miss was loaded from the row");

    again.close();
    Cache<Long, Product> untyped = manager.getCache(table);
    untyped.put(4L, Product.of("cap", "0.20"));
    assertEquals(Set.of(2L, 3L, 4L), rows().keySet(), "and so does getCache without types");
  }

  @Test
  void cache_bulkCalls_useLoadAllWriteAllDeleteAll() {
    Cache<Long, Product> cache = cache(new JdbcCacheWriter<>(db, Product.mapping(table)));
    TestDatabase.execute(
        "INSERT INTO " + table + " (id, name, price) VALUES (5, 'a', 1.00), (6, 'b', 2.00)");

    cache.putAll(Map.of(3L, Product.of("c", "3.00"), 4L, Product.of("d", "4.00")));
    assertEquals(Set.of(3L, 4L, 5L, 6L), rows().keySet());

    Map<Long, Product> got = cache.getAll(Set.of(5L, 6L, 7L));
    assertEquals(Map.of(5L, Product.of("a", "1.00"), 6L, Product.of("b", "2.00")), got);

    cache.removeAll(Set.of(3L, 4L, 5L));
    assertEquals(Set.of(6L), rows().keySet());
  }

  @Test
  void cache_putRejectedByDatabase_leavesCacheAndTableUnchanged() {
    Cache<Long, Product> cache = cache(new JdbcCacheWriter<>(db, Product.mapping(table)));
    CacheWriterException e =
        assertThrows(
            CacheWriterException.class,
            () -> cache.put(8L, new Product("bad", new BigDecimal("-1.00"))));
    assertTrue(
        e.getMessage().contains("write to table " + table + " failed for key 8"), e.getMessage());
    assertFalse(cache.containsKey(8L));
    assertEquals(Map.of(), rows());
  }

  @Test
  void cache_putAllFailingInSecondChunk_cacheHoldsExactlyTheRowsWritten() {
    Cache<Long, Product> cache =
        cache(new JdbcCacheWriter<>(db, Product.mapping(table)).withChunkSize(2));
    Map<Long, Product> batch = new LinkedHashMap<>();
    for (long id = 1; id <= 6; id++) {
      batch.put(id, Product.of("p" + id, id == 4 ? "-4.00" : id + ".00"));
    }
    assertThrows(CacheWriterException.class, () -> cache.putAll(batch));

    Set<Long> inTable = new TreeSet<>(rows().keySet());
    Map<Long, Product> inCache = new HashMap<>();
    for (Cache.Entry<Long, Product> e : cache) {
      inCache.put(e.getKey(), e.getValue());
    }
    assertFalse(inTable.isEmpty(), "the first chunk was committed");
    assertFalse(inTable.contains(4L));
    assertEquals(
        inTable, new TreeSet<>(inCache.keySet()), "cache and table agree on what was written");
  }
}
