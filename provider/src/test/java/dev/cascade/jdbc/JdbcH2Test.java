package dev.cascade.jdbc;

import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The contract on H2 in memory, in H2's own mode. */
@Timeout(120)
class JdbcH2Test extends JdbcDatabaseContract {

  private static final BasicDataSource POOL = Databases.h2(null);

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
    return Dialect.H2;
  }
}
