package dev.cascade.internal.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.TestDatabase;
import java.sql.Connection;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;

/** The pools of declared data sources reach the database and are closed with the settings. */
class DataSourcesTest {

  @Test
  void declaredPool_connects_andClosesWithTheManagerSettings() throws Exception {
    ConfigNode section = ConfigNode.section("cascade.datasources", "test", 1);
    ConfigNode main = section.childSection("main", "test", 2);
    main.add(
        "url", ConfigNode.value("cascade.datasources.main.url", "test", 3, TestDatabase.jdbcUrl()));
    main.add("max-total", ConfigNode.value("cascade.datasources.main.max-total", "test", 4, "2"));
    DataSources sources = new DataSources(section, getClass().getClassLoader());
    DataSource pool = sources.get("main", main);
    try (Connection c = pool.getConnection()) {
      assertTrue(c.isValid(5));
    }
    sources.close();
    assertTrue(((BasicDataSource) pool).isClosed(), "closed with the settings");
  }
}
