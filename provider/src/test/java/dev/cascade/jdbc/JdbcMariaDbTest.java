package dev.cascade.jdbc;

import dev.cascade.testing.TestDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;

/**
 * The contract on MariaDB through MySQL Connector/J and a DBCP2 pool, with
 * rewriteBatchedStatements=true.
 */
@Timeout(120)
class JdbcMariaDbTest extends JdbcDatabaseContract {

  @Override
  DataSource dataSource() {
    return TestDatabase.dataSource();
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.MYSQL;
  }
}
