package dev.cascade.jdbc;

import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * The contract on PostgreSQL ({@code CASCADE_TEST_PG_URL}, default the local server, user
 * postgres).
 */
@Timeout(120)
class JdbcPostgresTest extends JdbcDatabaseContract {

  private static final BasicDataSource POOL = Databases.postgres();

  @AfterAll
  static void closePool() {
    Databases.close(POOL);
  }

  @Override
  DataSource dataSource() {
    return POOL;
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.POSTGRESQL;
  }
}
