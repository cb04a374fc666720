package dev.cascade.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.samples.Shop;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end against a private Redis and MariaDB (and H2), and its one-line errors. */
@WithRedis
@Timeout(180)
class ShopDemoTest {

  @TempDir Path dir;
  private RedisServer redis;
  private String prefix;
  private final List<String> tables = new ArrayList<>();

  @BeforeEach
  void names(RedisServer redis) {
    this.redis = redis;
    prefix = TestDatabase.uniqueTableName("demo") + "_";
    tables.addAll(Shop.Tables.withPrefix(prefix).all());
  }

  @AfterEach
  void dropTables() {
    tables.forEach(TestDatabase::dropTable);
  }

  /** Exit status, stdout, stderr of one run in this JVM. */
  record Run(int status, String out, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        ShopDemo.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static long tableNumber(String out, String row, int column) {
    Matcher m =
        Pattern.compile("\\| " + Pattern.quote(row) + " +\\|([^|]*)\\|([^|]*)\\|").matcher(out);
    assertTrue(m.find(), "row '" + row + "' in:\n" + out);
    Matcher n = Pattern.compile("^\\s*([\\d,]+)").matcher(m.group(column));
    assertTrue(n.find(), m.group(column));
    return Long.parseLong(n.group(1).replace(",", ""));
  }

  @Test
  void run_againstMariaDb_tablesEqualCachesAndReportIsSelfContained() throws Exception {
    Path report = dir.resolve("report.html");
    Run r =
        run(
            "--duration",
            "3s",
            "--threads",
            "2",
            "--products",
            "50",
            "--redis",
            redis.uri(),
            "--jdbc-url",
            TestDatabase.configuredUrl(),
            "--table-prefix",
            prefix,
            "--report",
            report.toString());

    assertEquals(0, r.status(), r.out() + r.err());
    assertEquals("", r.err());
    assertTrue(r.out().contains("Created table " + prefix + "products (it was missing)"), r.out());
    assertEquals(0, tableNumber(r.out(), "Mismatching rows (final check)", 1));
    assertEquals(0, tableNumber(r.out(), "Mismatching rows (final check)", 2));
    long priceUpdates = tableNumber(r.out(), "Cache writes", 1);
    assertTrue(priceUpdates > 0);
    assertEquals(
        priceUpdates,
        tableNumber(r.out(), "Database statements", 1),
        "write-through: one statement per write");
    long views = tableNumber(r.out(), "Cache writes", 2);
    assertTrue(
        tableNumber(r.out(), "Rows written", 2) <= views,
        "write-behind never writes more rows than views");
    long viewSum =
        TestDatabase.queryMap(
                "SELECT 1, SUM(views) FROM " + prefix + "product_views", Long.class, Long.class)
            .get(1L);
    assertEquals(views, viewSum, "every view increment reached the table");

    String html = Files.readString(report);
    assertTrue(
        html.contains("echarts.init") && html.length() > 500_000, "the chart library is inlined");
    assertFalse(
        html.contains("<script src") || html.contains("src=\"http") || html.contains("href=\"http"),
        "no network needed");
    // destroyCache leaves only the mark of a destroyed cache in place of each registry entry (for
    // ten minutes, so that JVMs that have the cache open learn it was destroyed)
    for (Object key : (List<?>) redis.command("KEYS", "cascade:" + prefix + "*")) {
      assertTrue(key.toString().endsWith(":meta"), "the demo removed its caches, not " + key);
      assertEquals(
          List.of("destroyed", "finished"),
          redis.command("HKEYS", key.toString()),
          key + " is the mark of a destroyed cache whose keys are all deleted");
    }
  }

  @Test
  void run_twiceOnTheSameTables_reusesThemAndCountsOn() {
    Path report = dir.resolve("report.html");
    String[] args = {
      "--duration",
      "2s",
      "--threads",
      "2",
      "--products",
      "20",
      "--redis",
      redis.uri(),
      "--jdbc-url",
      TestDatabase.configuredUrl(),
      "--table-prefix",
      prefix,
      "--report",
      report.toString()
    };
    assertEquals(0, run(args).status());
    long before =
        TestDatabase.queryMap(
                "SELECT 1, SUM(views) FROM " + prefix + "product_views", Long.class, Long.class)
            .get(1L);

    Run second = run(args);

    assertEquals(0, second.status(), second.out() + second.err());
    assertFalse(second.out().contains("Created table"), second.out());
    long after =
        TestDatabase.queryMap(
                "SELECT 1, SUM(views) FROM " + prefix + "product_views", Long.class, Long.class)
            .get(1L);
    assertEquals(
        before + tableNumber(second.out(), "Cache writes", 2),
        after,
        "counts continued from the table (read-through), none lost");
  }

  @Test
  void run_withoutServers_startsItsOwnRedisAndUsesH2() {
    Run r =
        run(
            "--duration",
            "2s",
            "--threads",
            "2",
            "--products",
            "20",
            "--table-prefix",
            prefix,
            "--report",
            dir.resolve("h2.html").toString());

    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("a private redis-server"), r.out());
    assertTrue(r.out().contains("in-memory H2"), r.out());
    assertEquals(0, tableNumber(r.out(), "Mismatching rows (final check)", 2));
  }

  private void assertOneLineError(Run r, int status, String expected) {
    assertEquals(status, r.status(), r.out() + r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), "one line:\n" + r.err());
    assertTrue(
        lines.get(0).startsWith("Error: ")
            && lines.get(0).contains(expected)
            && lines.get(0).contains("Fix: "),
        lines.get(0));
  }

  @Test
  void badOptions_oneLineAndStatus2() {
    assertOneLineError(run("--duration", "soon"), 2, "'soon' is not a duration");
    assertOneLineError(run("--mix", "50:60:30"), 2, "adding up to 100");
    assertOneLineError(run("--threads", "0"), 2, "--threads must be between 1 and 256");
    assertOneLineError(run("--frobnicate"), 2, "Unknown option");
  }

  @Test
  void unreachableServers_oneLineWithTheFix() {
    assertOneLineError(
        run("--redis", "redis://127.0.0.1:1", "--duration", "1s"), 1, "Cannot reach Redis");
    assertOneLineError(run("--redis", "localhost:6379"), 1, "is not a Redis URI");
    assertOneLineError(
        run("--redis", redis.uri(), "--jdbc-url", "jdbc:mysql://127.0.0.1:1/test"),
        1,
        "Cannot reach the database at jdbc:mysql://127.0.0.1:1/test");
    assertOneLineError(
        run("--redis", redis.uri(), "--jdbc-url", "jdbc:postgresql://127.0.0.1/test"),
        1,
        "No JDBC driver");
  }

  @Test
  void tables_missingWithNoCreate_orWrongShape_oneLineWithTheFix() {
    assertOneLineError(
        run(
            "--redis",
            redis.uri(),
            "--jdbc-url",
            TestDatabase.configuredUrl(),
            "--table-prefix",
            prefix,
            "--no-create-tables"),
        1,
        "Table " + prefix + "products does not exist");

    TestDatabase.execute(
        "CREATE TABLE " + prefix + "products (id BIGINT PRIMARY KEY, title VARCHAR(20))");
    assertOneLineError(
        run(
            "--redis",
            redis.uri(),
            "--jdbc-url",
            TestDatabase.configuredUrl(),
            "--table-prefix",
            prefix),
        1,
        "exists but is not shaped as the demo needs");
  }
}
