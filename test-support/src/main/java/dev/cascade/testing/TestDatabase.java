package dev.cascade.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The MySQL/MariaDB database that tests write through to: one shared connection pool per JVM, and
 * small helpers to create, read and drop per-test tables.
 *
 * <p>The JDBC URL comes from the environment variable {@code CASCADE_TEST_JDBC_URL}, else the
 * system property {@code cascade.test.jdbc.url}, else {@code
 * jdbc:mysql://127.0.0.1:3306/test?user=root}. Options this suite relies on are added when the URL
 * lacks them: {@code rewriteBatchedStatements=true} (batched upserts become one multi-row
 * statement, as in production), and for a loopback server {@code
 * useSSL=false&allowPublicKeyRetrieval=true} (no certificates on a test box).
 *
 * <p>A missing database fails the test with a one-line explanation; it never skips it: a green run
 * without the database would hide untested write-through code.
 *
 * <pre>{@code
 * String table = TestDatabase.uniqueTableName("users");
 * TestDatabase.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(100))");
 * ... new JdbcCacheWriter(TestDatabase.dataSource(), table) ...
 * Map<Long, String> rows = TestDatabase.queryMap("SELECT id, name FROM " + table, Long.class, String.class);
 * TestDatabase.dropTable(table);
 * }</pre>
 *
 * <p>Thread-safe: the pool is created once under a lock; DBCP2 pools are thread-safe.
 */
public final class TestDatabase {

  public static final String ENVIRONMENT = "CASCADE_TEST_JDBC_URL";
  public static final String PROPERTY = "cascade.test.jdbc.url";
  public static final String DEFAULT_URL = "jdbc:mysql://127.0.0.1:3306/test?user=root";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int MAX_IDENTIFIER = 64;
  private static BasicDataSource shared;

  private TestDatabase() {}

  /** The URL as configured, before options are added. */
  public static String configuredUrl() {
    String url = System.getenv(ENVIRONMENT);
    if (url == null || url.isBlank()) {
      url = System.getProperty(PROPERTY);
    }
    return url == null || url.isBlank() ? DEFAULT_URL : url.trim();
  }

  /** The URL the pool connects with: {@link #configuredUrl()} plus the options described above. */
  public static String jdbcUrl() {
    String url = configuredUrl();
    url = withOption(url, "rewriteBatchedStatements", "true");
    url = withOption(url, "connectTimeout", "5000");
    if (isLoopback(url)) {
      url = withOption(url, "useSSL", "false");
      url = withOption(url, "allowPublicKeyRetrieval", "true");
    }
    return url;
  }

  /**
   * The shared pool (8 connections). The first call checks that the database answers.
   *
   * @throws FixtureException in one line naming the URL and the fix, if it does not
   */
  public static synchronized DataSource dataSource() {
    if (shared == null) {
      shared = open(jdbcUrl());
    }
    return shared;
  }

  /** A new pool over {@code url}, checked with one connection. */
  static BasicDataSource open(String url) {
    BasicDataSource pool = new BasicDataSource();
    pool.setDriverClassName("com.mysql.cj.jdbc.Driver");
    pool.setUrl(url);
    pool.setMaxTotal(8);
    pool.setMaxIdle(8);
    pool.setMaxWait(Duration.ofSeconds(10));
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
      return pool;
    } catch (SQLException e) {
      closeQuietly(pool);
      throw new FixtureException(
          "Cannot reach the test database at "
              + masked(url)
              + " ("
              + rootCause(e)
              + "): start MariaDB/MySQL, or set "
              + ENVIRONMENT
              + "; scripts/test.sh installs and starts MariaDB on Debian/Ubuntu",
          e);
    }
  }

  /** {@code prefix_<random>}: a valid, unquoted identifier, unique per call. */
  public static String uniqueTableName(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return checkIdentifier(name);
  }

  /** Runs one statement with {@code ?} parameters; returns the update count (0 for DDL). */
  public static int execute(String sql, Object... params) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = prepare(c, sql, params)) {
      s.execute();
      return Math.max(0, s.getUpdateCount());
    } catch (SQLException e) {
      throw new FixtureException(
          "SQL failed on " + masked(jdbcUrl()) + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /** All rows, each a map from column label to value, in column order. */
  public static List<Map<String, Object>> queryRows(String sql, Object... params) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = prepare(c, sql, params);
        ResultSet rs = s.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new FixtureException(
          "SQL failed on " + masked(jdbcUrl()) + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * A two-column query as a map from the first column to the second, in row order: the shape of
   * "what the database holds" to compare with what the cache holds.
   */
  public static <K, V> Map<K, V> queryMap(
      String sql, Class<K> keyType, Class<V> valueType, Object... params) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = prepare(c, sql, params);
        ResultSet rs = s.executeQuery()) {
      Map<K, V> map = new LinkedHashMap<>();
      while (rs.next()) {
        map.put(rs.getObject(1, keyType), rs.getObject(2, valueType));
      }
      return map;
    } catch (SQLException e) {
      throw new FixtureException(
          "SQL failed on " + masked(jdbcUrl()) + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /** {@code DROP TABLE IF EXISTS}. */
  public static void dropTable(String name) {
    execute("DROP TABLE IF EXISTS " + checkIdentifier(name));
  }

  private static PreparedStatement prepare(Connection c, String sql, Object[] params)
      throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      s.setObject(i + 1, params[i]);
    }
    return s;
  }

  private static String checkIdentifier(String name) {
    if (!IDENTIFIER.matcher(name).matches() || name.length() > MAX_IDENTIFIER) {
      throw new IllegalArgumentException(
          "not a plain SQL identifier of at most 64 characters: " + name);
    }
    return name;
  }

  static String withOption(String url, String name, String value) {
    if (url.toLowerCase(Locale.ROOT).matches(".*[?&]" + name.toLowerCase(Locale.ROOT) + "=.*")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + name + "=" + value;
  }

  private static boolean isLoopback(String url) {
    String rest = url.replaceFirst("^jdbc:[a-z]+://", "");
    return rest.startsWith("127.") || rest.startsWith("localhost") || rest.startsWith("[::1]");
  }

  /** The URL with any password value replaced, for messages. */
  static String masked(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***")
        .replaceAll("//([^/@:]+):[^@/]*@", "//$1:***@");
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  private static void closeQuietly(BasicDataSource pool) {
    try {
      pool.close();
    } catch (SQLException ignored) {
      // the pool never opened a connection; nothing to release
    }
  }
}
