package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeEntry;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.RevisionedCacheWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB through Connector/J, on tables the writer writes with its guarded statements (see {@link
 * Statements#guarded}): another writer inserts the same key after this writer read which keys are
 * there and before it inserts the ones that were not. The writer promises that a write changes the
 * row of its own key and that only a clash on another unique index fails it; so a key that appeared
 * in between must not fail the write with a duplicate key, nor leave two rows or none. The write
 * takes effect as it would have without the race: a direct write (write-through) ends with this
 * writer's value in the row; a revisioned one (write-behind) leaves a row holding a newer revision
 * alone and writes over an older one.
 *
 * <p>The race is made, not hoped for: the writer's connections come from a DataSource whose
 * statements, right after the writer's read of the keys has run, insert the competing row through
 * another pool and commit it. Each test also checks that the race was really hit (the writer's
 * INSERT met the competing row as a duplicate key), so it cannot pass by missing it.
 */
@Timeout(120)
class JdbcMySqlGuardedUpsertRaceTest {

  /** The two table shapes that make the writer guard its upserts on MySQL and MariaDB. */
  enum Shape {
    /** The key is the primary key; another unique index (on name) exists besides it. */
    SECOND_UNIQUE_INDEX(
        "id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(10,2) NOT NULL,"
            + " revision BIGINT NOT NULL DEFAULT 0, UNIQUE KEY by_name (name)"),
    /** The key is not the primary key (a surrogate is) but carries a unique index. */
    KEY_UNIQUE_BESIDE_SURROGATE_PRIMARY_KEY(
        "row_id BIGINT AUTO_INCREMENT PRIMARY KEY, id BIGINT NOT NULL, name VARCHAR(20) NOT NULL,"
            + " price DECIMAL(10,2) NOT NULL, revision BIGINT NOT NULL DEFAULT 0,"
            + " UNIQUE KEY by_id (id)");

    final String columns;

    Shape(String columns) {
      this.columns = columns;
    }
  }

  private String table;
  private BasicDataSource pool;

  /** How often the competing insert ran; the SQL errors the writer's statements met. */
  private final AtomicInteger races = new AtomicInteger();

  private final List<SQLException> writerErrors = new CopyOnWriteArrayList<>();

  @AfterEach
  void dropTable() throws Exception {
    if (pool != null) {
      pool.close();
    }
    if (table != null) {
      TestDatabase.dropTable(table);
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void write_keyInsertedByAnotherWriterAfterTheRead_endsWithThisWritersValue(Shape shape) {
    JdbcCacheWriter<Long, Product> writer =
        writer(shape, "rewriteBatchedStatements=true", true, competingInsert(2, "theirs", 0));

    // write-through: one statement at a time in autocommit, so the competing row is committed
    // before the writer's INSERT runs
    assertDoesNotThrow(
        () -> writer.write(entry(2, "ours", "2.00")),
        "a key another writer inserted after the read must not fail the write");

    assertRaceHit();
    assertEquals(
        Map.of(1L, Product.of("pen", "1.50"), 2L, Product.of("ours", "2.00")),
        Databases.products(pool, table),
        "the row of the raced key holds this writer's value");
    assertEquals(2, Databases.count(pool, table), "one row per key: none lost, none doubled");
  }

  static Stream<Arguments> shapesAndUrlOptions() {
    List<Arguments> all = new ArrayList<>();
    for (Shape shape : Shape.values()) {
      // one multi-row INSERT that fails as a whole; row-by-row inserts of which the others get in;
      // update counts that leave out a row already holding the value
      for (String option :
          List.of(
              "rewriteBatchedStatements=true",
              "rewriteBatchedStatements=false",
              "useAffectedRows=true&rewriteBatchedStatements=false")) {
        all.add(Arguments.of(shape, option));
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("shapesAndUrlOptions")
  void writeAll_keyInsertedByAnotherWriterAfterTheRead_writesEveryRow(Shape shape, String option) {
    // no revision column: the plain UPDATE, which with useAffectedRows=true counts 0 for a row
    // that already holds the value (as rows 2 and 4 do, inserted by the unrewritten batch around
    // the failing row 3), so they go on to the INSERT … WHERE NOT EXISTS
    JdbcCacheWriter<Long, Product> writer =
        writer(shape, option, false, competingInsert(3, "theirs", 0));
    // an existing row, the raced key between two other new ones, all in one chunk (one
    // transaction, whose snapshot is taken by the read, before the competing commit)
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(
            List.of(
                entry(1, "pen", "1.60"),
                entry(2, "ink", "2.00"),
                entry(3, "ours", "3.00"),
                entry(4, "cap", "4.00")));

    assertDoesNotThrow(
        () -> writer.writeAll(batch),
        "a key another writer inserted after the read must not fail the chunk");

    assertRaceHit();
    assertTrue(batch.isEmpty(), "every entry was written: " + batch);
    assertEquals(
        Map.of(
            1L,
            Product.of("pen", "1.60"),
            2L,
            Product.of("ink", "2.00"),
            3L,
            Product.of("ours", "3.00"),
            4L,
            Product.of("cap", "4.00")),
        Databases.products(pool, table),
        "every row holds this writer's value, the raced one too");
    assertEquals(4, Databases.count(pool, table), "one row per key: none lost, none doubled");
  }

  @ParameterizedTest
  @ValueSource(longs = {50, 200})
  void writeAllRevisioned_keyInsertedByAnotherWriterAfterTheRead_newerRowWins(long theirRevision) {
    // write-behind hands over revision 100; the competing row is older (50) or newer (200). The
    // update refuses a newer row, and the INSERT … WHERE NOT EXISTS after it must then insert
    // nothing, not fail on the key
    JdbcCacheWriter<Long, Product> writer =
        writer(
            Shape.SECOND_UNIQUE_INDEX,
            "rewriteBatchedStatements=true",
            true,
            competingInsert(2, "theirs", theirRevision));
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch =
        new ArrayList<>(List.of(entry(2, "ours", "2.00"), entry(3, "pad", "3.00")));

    assertDoesNotThrow(
        () -> writer.writeAll(batch, revisions(100)),
        "a key another writer inserted after the read must not fail the chunk");

    assertRaceHit();
    assertTrue(batch.isEmpty(), "every entry was written or refused as stale: " + batch);
    boolean theirsIsNewer = theirRevision > 100;
    assertEquals(
        Map.of(
            1L,
            Product.of("pen", "1.50"),
            2L,
            theirsIsNewer ? Product.of("theirs", "9.99") : Product.of("ours", "2.00"),
            3L,
            Product.of("pad", "3.00")),
        Databases.products(pool, table),
        "the raced row holds the newer of the two writes");
    assertEquals(
        Map.of(1L, 0L, 2L, theirsIsNewer ? theirRevision : 100L, 3L, 100L),
        TestDatabase.queryMap("SELECT id, revision FROM " + table, Long.class, Long.class));
    assertEquals(3, Databases.count(pool, table), "one row per key: none lost, none doubled");
  }

  /** The race happened, once, and the writer's INSERT met the competing row. */
  private void assertRaceHit() {
    assertEquals(1, races.get(), "the competing insert ran once, right after the writer's read");
    assertTrue(
        writerErrors.stream().anyMatch(Failures::isUniqueViolation),
        "the writer's INSERT should have met the competing row as a duplicate key (the race was"
            + " missed?); its statements failed with: "
            + writerErrors);
  }

  /**
   * A writer on a new table of {@code shape} holding row 1, through a pool with {@code option} on
   * the URL, whose connections run {@code race} right after the writer's read of the keys; its
   * mapping has the revision column if {@code revisioned}.
   */
  private JdbcCacheWriter<Long, Product> writer(
      Shape shape, String option, boolean revisioned, Runnable race) {
    table = TestDatabase.uniqueTableName("guarded_race");
    TestDatabase.execute("CREATE TABLE " + table + " (" + shape.columns + ")");
    TestDatabase.execute("INSERT INTO " + table + " (id, name, price) VALUES (1, 'pen', 1.50)");
    String url = TestDatabase.jdbcUrl().replace("rewriteBatchedStatements=true", option);
    // a URL that sets the option otherwise would run every mode alike
    assertTrue(url.contains(option), "the statement mode " + option + " is in the URL " + url);
    pool = Databases.pool("com.mysql.cj.jdbc.Driver", url);
    TableMapping<Long, Product> mapping = Product.mapping(table);
    if (revisioned) {
      mapping = mapping.withRevisionColumn("revision");
    }
    return new JdbcCacheWriter<>(racing(pool, race), mapping);
  }

  /**
   * Another writer's insert of {@code id}, through the shared pool (autocommit): committed when it
   * returns.
   */
  private Runnable competingInsert(long id, String name, long revision) {
    return () ->
        assertEquals(
            1,
            TestDatabase.execute(
                "INSERT INTO " + table + " (id, name, price, revision) VALUES (?, ?, 9.99, ?)",
                id,
                name,
                revision));
  }

  /**
   * {@code pool}, with statements that run {@code race} once, just after the writer's read of which
   * keys are there ({@code SELECT key FROM table WHERE key IN (…)}, told by its SQL text) has run,
   * and that record every SQL error a statement of the writer throws.
   */
  private DataSource racing(DataSource pool, Runnable race) {
    String keysRead = "SELECT id FROM " + table + " WHERE id IN (";
    return proxy(
        DataSource.class,
        pool,
        (connect, m, a) -> {
          Object result = connect.call();
          if (!(result instanceof Connection c)) {
            return result;
          }
          return proxy(
              Connection.class,
              c,
              (prepare, cm, ca) -> {
                Object statement = prepare.call();
                if (!(statement instanceof PreparedStatement ps)
                    || !cm.getName().equals("prepareStatement")) {
                  return statement;
                }
                String sql = ((String) ca[0]).replace("`", "");
                return proxy(
                    PreparedStatement.class,
                    ps,
                    (run, sm, sa) -> {
                      Object out;
                      try {
                        out = run.call();
                      } catch (SQLException e) {
                        writerErrors.add(e);
                        throw e;
                      }
                      if (sm.getName().equals("executeQuery")
                          && sql.startsWith(keysRead)
                          && races.getAndIncrement() == 0) {
                        race.run();
                      }
                      return out;
                    });
              });
        });
  }

  /** Around one call on a proxied JDBC object: {@code target} runs it on the real object. */
  private interface Around {
    Object call(Target target, Method method, Object[] args) throws Throwable;
  }

  private interface Target {
    Object call() throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T real, Around around) {
    return (T)
        Proxy.newProxyInstance(
            JdbcMySqlGuardedUpsertRaceTest.class.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) ->
                around.call(
                    () -> {
                      try {
                        return method.invoke(real, args);
                      } catch (InvocationTargetException e) {
                        throw e.getCause();
                      }
                    },
                    method,
                    args));
  }

  private static Cache.Entry<Long, Product> entry(long id, String name, String price) {
    return new CascadeEntry<>(id, Product.of(name, price));
  }

  private static RevisionedCacheWriter.Revisions revisions(long revision) {
    return key -> revision;
  }
}
