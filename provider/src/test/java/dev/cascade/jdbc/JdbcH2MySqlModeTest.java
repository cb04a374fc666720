package dev.cascade.jdbc;

import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** The contract on H2 in memory with MODE=MySQL: still the H2 dialect (MERGE … KEY). */
@Timeout(120)
class JdbcH2MySqlModeTest extends JdbcDatabaseContract {

  private static final BasicDataSource POOL = Databases.h2("MySQL");

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

  /** MODE=MySQL does not make H2 accept backticks in every position; double quotes always work. */
  @Override
  String quote(String name) {
    return "\"" + name + "\"";
  }
}
