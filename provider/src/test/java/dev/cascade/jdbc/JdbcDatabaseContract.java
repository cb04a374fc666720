package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeEntry;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.RevisionedCacheWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.cache.Cache;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link JdbcCacheLoader} and {@link JdbcCacheWriter} must do on every supported database; one
 * subclass per database runs it against a real server. Every test gets fresh tables with unique
 * names and drops them afterwards. Failures are made for real: a CHECK constraint, a NOT NULL
 * column, a value too long for its VARCHAR, a foreign key.
 */
abstract class JdbcDatabaseContract {

  abstract DataSource dataSource();

  abstract Dialect expectedDialect();

  /** An identifier quoted as this database's DDL wants it. */
  String quote(String name) {
    return expectedDialect() == Dialect.MYSQL ? "`" + name + "`" : "\"" + name + "\"";
  }

  private final List<String> tables = new ArrayList<>();
  String products;
  TableMapping<Long, Product> mapping;
  JdbcCacheLoader<Long, Product> loader;
  JdbcCacheWriter<Long, Product> writer;

  @BeforeEach
  void createProducts() {
    products =
        table(
            "products",
            "(id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL,"
                + " price DECIMAL(10,2) NOT NULL CHECK (price >= 0))");
    mapping = Product.mapping(products);
    loader = new JdbcCacheLoader<>(dataSource(), mapping);
    writer = new JdbcCacheWriter<>(dataSource(), mapping);
  }

  @AfterEach
  void dropTables() {
    for (int i = tables.size() - 1; i >= 0; i--) {
      Databases.execute(dataSource(), "DROP TABLE IF EXISTS " + tables.get(i));
    }
  }

  String table(String prefix, String columns) {
    String name = TestDatabase.uniqueTableName(prefix);
    Databases.execute(dataSource(), "CREATE TABLE " + name + " " + columns);
    tables.add(name);
    return name;
  }

  void insert(long id, String name, String price) {
    Databases.execute(
        dataSource(),
        "INSERT INTO " + products + " (id, name, price) VALUES (?, ?, ?)",
        id,
        name,
        new BigDecimal(price));
  }

  Map<Long, Product> rows() {
    return Databases.products(dataSource(), products);
  }

  static Cache.Entry<Long, Product> entry(long key, Product value) {
    return new CascadeEntry<>(key, value);
  }

  static List<Long> keysOf(Collection<Cache.Entry<? extends Long, ? extends Product>> entries) {
    return entries.stream().map(Cache.Entry::getKey).collect(Collectors.toList());
  }

  static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().collect(Collectors.toList());
  }

  /** A column type for short byte strings in this database's DDL. */
  String binaryType() {
    return expectedDialect() == Dialect.POSTGRESQL ? "BYTEA" : "VARBINARY(16)";
  }

  /** Arrays are equal by content, not identity: loadAll once matched byte[] keys by identity. */
  @Test
  void loadAll_byteArrayKeys_findsTheirRows() {
    String t = table("blobs", "(k " + binaryType() + " PRIMARY KEY, v VARCHAR(20) NOT NULL)");
    Databases.execute(
        dataSource(), "INSERT INTO " + t + " (k, v) VALUES (?, ?)", new byte[] {1, 2}, "a");
    Databases.execute(
        dataSource(), "INSERT INTO " + t + " (k, v) VALUES (?, ?)", new byte[] {3}, "b");
    JdbcCacheLoader<byte[], String> blobs =
        new JdbcCacheLoader<>(
            dataSource(), TableMapping.scalar(t, "k", byte[].class, "v", String.class));
    byte[] first = {1, 2};
    byte[] second = {3};

    Map<byte[], String> found = blobs.loadAll(List.of(first, second, new byte[] {9}));

    assertEquals(2, found.size(), found.toString());
    assertEquals("a", found.get(first), "keyed by the array asked for");
    assertEquals("b", found.get(second));
  }

  @Test
  void detect_thisDatabase_findsItsDialect() throws Exception {
    assertEquals(expectedDialect(), Dialect.detect(dataSource()));
  }

  @Test
  void load_existingRow_returnsValue() {
    insert(1, "pen", "1.50");
    assertEquals(Product.of("pen", "1.50"), loader.load(1L));
  }

  @Test
  void load_missingRow_returnsNull() {
    assertNull(loader.load(404L));
  }

  @Test
  void loadAll_someKeysMissing_returnsOnlyFoundRows() {
    insert(1, "pen", "1.50");
    insert(2, "ink", "3.00");
    Map<Long, Product> found = loader.loadAll(List.of(1L, 2L, 404L));
    assertEquals(Map.of(1L, Product.of("pen", "1.50"), 2L, Product.of("ink", "3.00")), found);
  }

  @Test
  void loadAll_moreKeysThanOneChunk_findsRowsOfEveryChunk() {
    for (long id = 1; id <= 30; id += 2) {
      insert(id, "p" + id, id + ".00");
    }
    Map<Long, Product> found = loader.withChunkSize(7).loadAll(range(1, 31));
    assertEquals(15, found.size());
    assertEquals(Product.of("p29", "29.00"), found.get(29L));
    assertTrue(found.keySet().stream().allMatch(id -> id % 2 == 1));
  }

  @Test
  void write_newKey_insertsRow() {
    writer.write(entry(1, Product.of("pen", "1.50")));
    assertEquals(Map.of(1L, Product.of("pen", "1.50")), rows());
  }

  @Test
  void write_existingKey_updatesRow() {
    insert(1, "pen", "1.50");
    writer.write(entry(1, Product.of("fountain pen", "12.00")));
    assertEquals(Map.of(1L, Product.of("fountain pen", "12.00")), rows());
  }

  @Test
  void write_violatesCheckConstraint_throwsWithTableKeyAndSqlState() {
    insert(7, "pen", "1.50");
    CacheWriterException e =
        assertThrows(
            CacheWriterException.class, () -> writer.write(entry(7, Product.of("pen", "-1.00"))));
    assertTrue(
        e.getMessage().contains("write to table " + products + " failed for key 7: SQLState "),
        e.getMessage());
    assertEquals(Map.of(7L, Product.of("pen", "1.50")), rows());
  }

  @Test
  void writeAll_newAndExistingKeys_upsertsAllAndEmptiesCollection() {
    insert(2, "ink", "3.00");
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(
                entry(1, Product.of("pen", "1.50")),
                entry(2, Product.of("ink", "3.50")),
                entry(3, Product.of("pad", "2.00"))));
    writer.writeAll(batch);
    assertTrue(batch.isEmpty());
    assertEquals(
        Map.of(
            1L,
            Product.of("pen", "1.50"),
            2L,
            Product.of("ink", "3.50"),
            3L,
            Product.of("pad", "2.00")),
        rows());
  }

  @Test
  void writeAll_sameKeyManyTimes_lastOneWins() {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(
                entry(1, Product.of("a", "1.00")),
                entry(2, Product.of("b", "2.00")),
                entry(1, Product.of("c", "3.00")),
                entry(1, Product.of("d", "4.00"))));
    writer.writeAll(batch);
    assertTrue(batch.isEmpty());
    assertEquals(Map.of(1L, Product.of("d", "4.00"), 2L, Product.of("b", "2.00")), rows());
  }

  @Test
  void writeAll_nullValue_failsBeforeWritingAnything() {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(entry(1, Product.of("a", "1.00")), new CascadeEntry<Long, Product>(2L, null)));
    assertThrows(NullPointerException.class, () -> writer.writeAll(batch));
    assertEquals(2, batch.size());
    assertEquals(Map.of(), rows());
  }

  @Test
  void writeAll_checkFailsInSecondChunk_firstChunkCommittedRestLeftInCollection() {
    insert(12, "old", "5.00");
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch = new ArrayList<>();
    for (long id = 1; id <= 25; id++) {
      batch.add(entry(id, Product.of("p" + id, id == 15 ? "-1.00" : id + ".00")));
    }
    CacheWriterException e =
        assertThrows(CacheWriterException.class, () -> writer.withChunkSize(10).writeAll(batch));

    assertEquals(range(11, 25), keysOf(batch), "the failing chunk and every later entry stay");
    Map<Long, Product> rows = rows();
    assertEquals(
        range(1, 10).stream().collect(Collectors.toList()),
        rows.keySet().stream().filter(id -> id != 12).collect(Collectors.toList()));
    assertEquals(
        Product.of("old", "5.00"), rows.get(12L), "the failing chunk's update was rolled back");
    String m = e.getMessage();
    assertTrue(m.contains("writeAll to table " + products), m);
    assertTrue(m.contains("rows 11..20 of 25 (first key 11)"), m);
    assertTrue(m.contains("SQLState "), m);
  }

  @Test
  void writeAll_nullInNotNullColumnInFirstChunk_writesNothingKeepsAll() {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch = new ArrayList<>();
    for (long id = 1; id <= 8; id++) {
      batch.add(entry(id, new Product(id == 3 ? null : "p" + id, new BigDecimal("1.00"))));
    }
    CacheWriterException e =
        assertThrows(CacheWriterException.class, () -> writer.withChunkSize(5).writeAll(batch));
    assertEquals(range(1, 8), keysOf(batch));
    assertEquals(Map.of(), rows());
    assertTrue(e.getMessage().contains("(first key 1); nothing was written"), e.getMessage());
  }

  @Test
  void writeAll_valueTooLongInLastChunk_earlierChunksCommitted() {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch = new ArrayList<>();
    for (long id = 1; id <= 12; id++) {
      batch.add(entry(id, Product.of(id == 12 ? "x".repeat(21) : "p" + id, "1.00")));
    }
    CacheWriterException e =
        assertThrows(CacheWriterException.class, () -> writer.withChunkSize(4).writeAll(batch));
    assertEquals(range(9, 12), keysOf(batch));
    assertEquals(range(1, 8), new ArrayList<>(rows().keySet()));
    assertTrue(e.getMessage().contains("rows 1..8 were committed"), e.getMessage());
  }

  @Test
  void delete_existingAndMissingKey_removesRowIgnoresMissing() {
    insert(1, "pen", "1.50");
    insert(2, "ink", "3.00");
    writer.delete(1L);
    writer.delete(404L);
    assertEquals(Map.of(2L, Product.of("ink", "3.00")), rows());
  }

  @Test
  void deleteAll_keysOverSeveralChunks_removesRowsAndEmptiesCollection() {
    for (long id = 1; id <= 20; id++) {
      insert(id, "p" + id, "1.00");
    }
    Collection<Object> keys = new ArrayList<>(range(1, 15));
    keys.add(404L);
    writer.withChunkSize(4).deleteAll(keys);
    assertTrue(keys.isEmpty());
    assertEquals(range(16, 20), new ArrayList<>(rows().keySet()));
  }

  @Test
  void deleteAll_rowReferencedByForeignKey_failingChunkAndLaterKeysStay() {
    for (long id = 1; id <= 12; id++) {
      insert(id, "p" + id, "1.00");
    }
    String orders =
        table(
            "orders",
            "(id BIGINT PRIMARY KEY, product_id BIGINT NOT NULL,"
                + " FOREIGN KEY (product_id) REFERENCES "
                + products
                + " (id))");
    Databases.execute(dataSource(), "INSERT INTO " + orders + " (id, product_id) VALUES (1, 8)");
    Collection<Object> keys = new ArrayList<>(range(1, 12));
    CacheWriterException e =
        assertThrows(CacheWriterException.class, () -> writer.withChunkSize(5).deleteAll(keys));
    assertEquals(new ArrayList<Object>(range(6, 12)), new ArrayList<>(keys));
    assertEquals(
        range(6, 12), new ArrayList<>(rows().keySet()), "rows 6..10 were rolled back, not deleted");
    assertTrue(e.getMessage().contains("deleteAll from table " + products), e.getMessage());
    assertTrue(e.getMessage().contains("(first key 6)"), e.getMessage());
  }

  @Test
  void scalar_writeLoadDelete_roundTripsOneColumn() {
    String views = table("view_counts", "(product_id BIGINT PRIMARY KEY, views BIGINT)");
    TableMapping<Long, Long> m =
        TableMapping.scalar(views, "product_id", Long.class, "views", Long.class);
    JdbcCacheWriter<Long, Long> w = new JdbcCacheWriter<>(dataSource(), m);
    JdbcCacheLoader<Long, Long> l = new JdbcCacheLoader<>(dataSource(), m);
    w.write(new CascadeEntry<>(1L, 10L));
    w.writeAll(new ArrayList<>(List.of(new CascadeEntry<>(1L, 11L), new CascadeEntry<>(2L, 20L))));
    Databases.execute(
        dataSource(), "INSERT INTO " + views + " (product_id, views) VALUES (3, NULL)");
    assertEquals(11L, l.load(1L));
    assertNull(l.load(3L), "a NULL value column is no value");
    assertEquals(Map.of(1L, 11L, 2L, 20L), l.loadAll(List.of(1L, 2L, 3L, 4L)));
    w.delete(1L);
    assertNull(l.load(1L));
  }

  @Test
  void quotedReservedColumn_writeLoadDelete_works() {
    String kv = table("kv", "(id BIGINT PRIMARY KEY, " + quote("value") + " VARCHAR(50))");
    TableMapping<Long, String> m =
        TableMapping.scalar(kv, "id", Long.class, "\"value\"", String.class);
    JdbcCacheWriter<Long, String> w = new JdbcCacheWriter<>(dataSource(), m);
    JdbcCacheLoader<Long, String> l = new JdbcCacheLoader<>(dataSource(), m);
    w.writeAll(
        new ArrayList<>(List.of(new CascadeEntry<>(1L, "one"), new CascadeEntry<>(2L, "two"))));
    w.write(new CascadeEntry<>(1L, "uno"));
    assertEquals(Map.of(1L, "uno", 2L, "two"), l.loadAll(List.of(1L, 2L)));
    w.deleteAll(new ArrayList<>(List.of(1L, 2L)));
    assertEquals(Map.of(), l.loadAll(List.of(1L, 2L)));
  }

  @Test
  void load_missingTable_throwsCacheLoaderExceptionNamingTableAndKey() {
    JdbcCacheLoader<Long, Product> l =
        new JdbcCacheLoader<>(dataSource(), Product.mapping("no_such_table_x1"));
    CacheLoaderException e = assertThrows(CacheLoaderException.class, () -> l.load(5L));
    assertTrue(
        e.getMessage().startsWith("load from table no_such_table_x1 failed for key 5: SQLState "),
        e.getMessage());
    CacheLoaderException all =
        assertThrows(CacheLoaderException.class, () -> l.loadAll(List.of(5L, 6L)));
    assertTrue(all.getMessage().contains("loadAll from table no_such_table_x1"), all.getMessage());
  }

  @Test
  void load_readerAsksForUnmappedColumn_failsNamingColumnAndKey() {
    insert(1, "pen", "1.50");
    TableMapping<Long, Product> typo =
        TableMapping.builder(products)
            .key("id", Long.class)
            .column("name", Product::name)
            .column("price", Product::price)
            .reader(row -> new Product(row.getString("nmae"), row.getBigDecimal("price")))
            .build();
    CacheLoaderException e =
        assertThrows(
            CacheLoaderException.class, () -> new JdbcCacheLoader<>(dataSource(), typo).load(1L));
    assertEquals(
        "load from table "
            + products
            + " failed for key 1: the row reader threw"
            + " java.lang.IllegalArgumentException: column 'nmae' is not in the mapping; the row has [id, name, price]",
        e.getMessage());
  }

  @Test
  void writerAndLoader_sharedByEightThreads_everyRowWrittenAndRead() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long base = t * 100L;
        done.add(
            pool.submit(
                () -> {
                  Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
                      new ArrayList<>();
                  for (long id = base; id < base + 50; id++) {
                    batch.add(entry(id, Product.of("p" + id, "1.00")));
                  }
                  writer.withChunkSize(20).writeAll(batch);
                  writer.write(entry(base + 50, Product.of("single", "2.00")));
                  assertEquals(51, loader.loadAll(range(base, base + 50)).size());
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(8 * 51, Databases.count(dataSource(), products));
  }

  // ------------------------------------------------------------------ revisions

  /** The products table with a revision column, and a writer that keeps it. */
  JdbcCacheWriter<Long, Product> revisionedWriter() {
    Databases.execute(
        dataSource(), "ALTER TABLE " + products + " ADD revision BIGINT NOT NULL DEFAULT 0");
    return new JdbcCacheWriter<>(dataSource(), mapping.withRevisionColumn("revision"));
  }

  static RevisionedCacheWriter.Revisions revisions(Map<Long, Long> byKey) {
    return key -> byKey.get(key);
  }

  @Test
  void writeAllWithRevisions_olderRevisionThanTheRow_leavesTheNewerRow() {
    JdbcCacheWriter<Long, Product> revisioned = revisionedWriter();
    Collection<Cache.Entry<? extends Long, ? extends Product>> newer =
        new ArrayList<>(
            List.of(entry(1L, Product.of("new", "2.00")), entry(2L, Product.of("two", "2.00"))));
    revisioned.writeAll(newer, revisions(Map.of(1L, 20L, 2L, 20L)));
    assertTrue(newer.isEmpty(), "written entries leave the collection");

    // a stale batch (a flusher frozen past its lease) arrives late: key 1 older, key 3 new
    Collection<Cache.Entry<? extends Long, ? extends Product>> stale =
        new ArrayList<>(
            List.of(entry(1L, Product.of("old", "1.00")), entry(3L, Product.of("three", "3.00"))));
    revisioned.writeAll(stale, revisions(Map.of(1L, 10L, 3L, 10L)));
    assertTrue(stale.isEmpty(), "a change refused because the row is newer counts as written");
    assertEquals(
        Map.of(
            1L,
            Product.of("new", "2.00"),
            2L,
            Product.of("two", "2.00"),
            3L,
            Product.of("three", "3.00")),
        rows());

    // the same revision again (delivered twice) and a newer one are written
    revisioned.writeAll(
        new ArrayList<>(List.of(entry(1L, Product.of("newer", "4.00")))),
        revisions(Map.of(1L, 20L)));
    assertEquals(Product.of("newer", "4.00"), rows().get(1L));
    revisioned.writeAll(
        new ArrayList<>(List.of(entry(1L, Product.of("newest", "5.00")))),
        revisions(Map.of(1L, 21L)));
    assertEquals(Product.of("newest", "5.00"), rows().get(1L));
  }

  @Test
  void deleteAllWithRevisions_olderRevisionThanTheRow_keepsIt_newerDeletes() {
    JdbcCacheWriter<Long, Product> revisioned = revisionedWriter();
    revisioned.writeAll(
        new ArrayList<>(
            List.of(entry(1L, Product.of("a", "1.00")), entry(2L, Product.of("b", "1.00")))),
        revisions(Map.of(1L, 20L, 2L, 20L)));
    List<Long> keys = new ArrayList<>(List.of(1L, 2L));
    revisioned.deleteAll(keys, revisions(Map.of(1L, 10L, 2L, 30L)));
    assertTrue(keys.isEmpty());
    assertEquals(
        Map.of(1L, Product.of("a", "1.00")),
        rows(),
        "the stale delete of 1 did nothing, 2 is gone");
  }

  @Test
  void writeWithoutRevision_onARevisionedTable_usesTheCurrentTime_andBeatsOlderBatches() {
    JdbcCacheWriter<Long, Product> revisioned = revisionedWriter();
    long before = RevisionedCacheWriter.Revisions.now();
    revisioned.write(entry(1L, Product.of("direct", "1.00")));
    revisioned.writeAll(
        new ArrayList<>(List.of(entry(1L, Product.of("stale", "9.00")))),
        revisions(Map.of(1L, before - 1)));
    assertEquals(Product.of("direct", "1.00"), rows().get(1L));
    revisioned.delete(1L);
    assertEquals(Map.of(), rows());
  }

  // ------------------------------------------------------------------ transactions

  @Test
  void chunkedTransactions_errorMidChunk_rollsTheChunkBack() {
    // an Error (StackOverflowError, OutOfMemoryError) must roll back like an exception: restoring
    // autocommit afterwards would otherwise commit the half-written chunk
    JdbcTable<Long, Product> t = new JdbcTable<>(dataSource(), mapping, null);
    List<Long> items = range(1, 6);
    List<Long> committed = new ArrayList<>();
    assertThrows(
        StackOverflowError.class,
        () ->
            ChunkedTransactions.run(
                t,
                "writeAll",
                items,
                3,
                k -> k,
                (c, sql, chunk) -> {
                  for (long id : chunk) {
                    if (id == 5) {
                      throw new StackOverflowError("thrown for the test");
                    }
                    try (java.sql.PreparedStatement ps =
                        c.prepareStatement(
                            "INSERT INTO " + products + " (id, name, price) VALUES (?, 'p', 1)")) {
                      ps.setLong(1, id);
                      ps.executeUpdate();
                    }
                  }
                },
                committed::addAll));
    assertEquals(range(1, 3), committed);
    assertEquals(range(1, 3), new ArrayList<>(rows().keySet()), "row 4 was rolled back");
  }

  @Test
  void directWriteAndDelete_rowWithARevisionFromTheFuture_alwaysApply() {
    // another JVM whose clock runs an hour ahead wrote these rows; this JVM's write-through calls
    // are ordered by the cache's per-key lock, so they must win however the clocks disagree
    JdbcCacheWriter<Long, Product> revisioned = revisionedWriter();
    long future =
        RevisionedCacheWriter.Revisions.fromStreamId(System.currentTimeMillis() + 3_600_000L, 0);
    revisioned.writeAll(
        new ArrayList<>(
            List.of(
                entry(1L, Product.of("ahead", "1.00")),
                entry(2L, Product.of("ahead", "2.00")),
                entry(3L, Product.of("ahead", "3.00")),
                entry(4L, Product.of("ahead", "4.00")))),
        revisions(Map.of(1L, future, 2L, future, 3L, future, 4L, future)));

    revisioned.write(entry(1L, Product.of("direct", "1.50")));
    revisioned.writeAll(new ArrayList<>(List.of(entry(2L, Product.of("direct", "2.50")))));
    assertEquals(Product.of("direct", "1.50"), rows().get(1L));
    assertEquals(Product.of("direct", "2.50"), rows().get(2L));

    // the direct write moved the revision past the row's, so the queued change that carried the
    // row's old revision is still refused as older
    revisioned.writeAll(
        new ArrayList<>(List.of(entry(1L, Product.of("stale", "9.00")))),
        revisions(Map.of(1L, future)));
    assertEquals(Product.of("direct", "1.50"), rows().get(1L));

    revisioned.delete(3L);
    revisioned.deleteAll(new ArrayList<>(List.of(4L)));
    assertEquals(List.of(1L, 2L), new ArrayList<>(rows().keySet()));
  }

  @Test
  void nullRevision_revisionedAndDirectCalls_takeEffect() {
    Databases.execute(dataSource(), "ALTER TABLE " + products + " ADD revision BIGINT NULL");
    JdbcCacheWriter<Long, Product> revisioned =
        new JdbcCacheWriter<>(dataSource(), mapping.withRevisionColumn("revision"));
    for (long id = 1; id <= 4; id++) {
      insert(id, "legacy", "1.00"); // rows from before the column was used: revision NULL
    }
    revisioned.writeAll(
        new ArrayList<>(List.of(entry(1L, Product.of("revisioned", "2.00")))),
        revisions(Map.of(1L, 5L)));
    revisioned.deleteAll(new ArrayList<>(List.of(2L)), revisions(Map.of(2L, 5L)));
    revisioned.write(entry(3L, Product.of("direct", "3.00")));
    assertEquals(
        Map.of(
            1L,
            Product.of("revisioned", "2.00"),
            3L,
            Product.of("direct", "3.00"),
            4L,
            Product.of("legacy", "1.00")),
        rows());
    assertEquals(5L, revision(1L));
    assertTrue(revision(3L) > 5L, "a direct write stamps a revision on a NULL one");
  }

  long revision(long id) {
    try (java.sql.Connection c = dataSource().getConnection();
        java.sql.PreparedStatement s =
            c.prepareStatement("SELECT revision FROM " + products + " WHERE id = ?")) {
      s.setLong(1, id);
      try (java.sql.ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "row " + id);
        long revision = rs.getLong(1);
        assertTrue(!rs.wasNull(), "the revision of row " + id + " is NULL");
        return revision;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ unique indexes besides the
  // key

  /** A products table whose name is unique too, holding (1, 'pen', 1.50); its writer. */
  String uniqueNames;

  JdbcCacheWriter<Long, Product> uniqueNamesWriter(boolean revisioned) {
    uniqueNames =
        table(
            "unique_names",
            "(id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE,"
                + " price DECIMAL(10,2) NOT NULL"
                + (revisioned ? ", revision BIGINT NOT NULL DEFAULT 0" : "")
                + ")");
    Databases.execute(
        dataSource(), "INSERT INTO " + uniqueNames + " (id, name, price) VALUES (1, 'pen', 1.50)");
    TableMapping<Long, Product> m = Product.mapping(uniqueNames);
    return new JdbcCacheWriter<>(dataSource(), revisioned ? m.withRevisionColumn("revision") : m);
  }

  void assertUniqueClash(CacheWriterException e, String operation) {
    String m = e.getMessage();
    assertTrue(m.startsWith(operation + " to table " + uniqueNames), m);
    assertTrue(m.contains("clashes with another row on a unique index other than the key"), m);
    assertEquals(
        Map.of(1L, Product.of("pen", "1.50")),
        Databases.products(dataSource(), uniqueNames),
        "the other row is untouched and nothing was inserted");
  }

  @Test
  void write_newKeyClashingOnAnotherUniqueIndex_failsAndLeavesTheOtherRow() {
    JdbcCacheWriter<Long, Product> w = uniqueNamesWriter(false);
    assertUniqueClash(
        assertThrows(
            CacheWriterException.class, () -> w.write(entry(2L, Product.of("pen", "9.00")))),
        "write");
  }

  @Test
  void writeAll_newKeyClashingOnAnotherUniqueIndex_failsRollsBackTheChunk() {
    JdbcCacheWriter<Long, Product> w = uniqueNamesWriter(false);
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(
                entry(1L, Product.of("pen", "1.75")),
                entry(3L, Product.of("ink", "3.00")),
                entry(2L, Product.of("pen", "9.00"))));
    assertUniqueClash(
        assertThrows(CacheWriterException.class, () -> w.writeAll(batch)), "writeAll");
    assertEquals(List.of(1L, 3L, 2L), keysOf(batch), "nothing was written");
  }

  @Test
  void revisionedWrites_newKeyClashingOnAnotherUniqueIndex_fail() {
    JdbcCacheWriter<Long, Product> w = uniqueNamesWriter(true);
    assertUniqueClash(
        assertThrows(
            CacheWriterException.class, () -> w.write(entry(2L, Product.of("pen", "9.00")))),
        "write");
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(List.of(entry(2L, Product.of("pen", "9.00"))));
    assertUniqueClash(
        assertThrows(
            CacheWriterException.class, () -> w.writeAll(batch, revisions(Map.of(2L, 50L)))),
        "writeAll");
  }

  @Test
  void writes_tableWithAnotherUniqueIndex_insertUpdateAndKeepNewerRows() {
    JdbcCacheWriter<Long, Product> w = uniqueNamesWriter(true);
    w.write(entry(1L, Product.of("pen", "1.50"))); // unchanged: no "affected" row
    w.write(entry(2L, Product.of("ink", "2.00")));
    w.writeAll(
        new ArrayList<>(
            List.of(
                entry(1L, Product.of("pen", "1.60")),
                entry(3L, Product.of("pad", "3.00")),
                entry(4L, Product.of("cap", "4.00")))),
        revisions(Map.of(1L, 1L << 62, 3L, 10L, 4L, 10L)));
    // key 1 now holds a revision from the future: a stale batch is refused, inserts nothing
    w.writeAll(
        new ArrayList<>(
            List.of(entry(1L, Product.of("old", "0.10")), entry(5L, Product.of("box", "5.00")))),
        revisions(Map.of(1L, 20L, 5L, 20L)));
    // a row may change its own value in the other unique column
    w.writeAll(new ArrayList<>(List.of(entry(3L, Product.of("pads", "3.00")))));
    assertEquals(
        Map.of(
            1L,
            Product.of("pen", "1.60"),
            2L,
            Product.of("ink", "2.00"),
            3L,
            Product.of("pads", "3.00"),
            4L,
            Product.of("cap", "4.00"),
            5L,
            Product.of("box", "5.00")),
        Databases.products(dataSource(), uniqueNames));
  }

  @Test
  void withRevisionColumn_nameTaken_failsNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> mapping.withRevisionColumn("price"));
    assertTrue(e.getMessage().contains("revision column 'price'"), e.getMessage());
  }
}
