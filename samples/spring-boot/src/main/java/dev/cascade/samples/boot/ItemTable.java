package dev.cascade.samples.boot;

import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The system of record: the items table (created at startup if missing), and the loader and writer
 * beans that {@code application.yml} names for the {@code items} cache ({@code loader: itemLoader},
 * {@code writer: itemWriter}).
 */
@Configuration(proxyBeanMethods = false)
public class ItemTable {

  @Bean
  TableMapping<Long, Item> itemMapping(
      DataSource dataSource, @Value("${items.table}") String table) {
    // a revision column: a stale write-behind batch can never overwrite a newer row
    new JdbcTemplate(dataSource)
        .execute(
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (id BIGINT PRIMARY KEY, name VARCHAR(200) NOT NULL,"
                + " quantity INT NOT NULL, revision BIGINT NOT NULL)");
    return TableMapping.builder(table)
        .key("id", Long.class)
        .column("name", Item::name)
        .column("quantity", Item::quantity)
        .reader(row -> new Item(row.getLong("id"), row.getString("name"), row.getInt("quantity")))
        .build()
        .withRevisionColumn("revision");
  }

  @Bean
  JdbcCacheLoader<Long, Item> itemLoader(DataSource dataSource, TableMapping<Long, Item> mapping) {
    return new JdbcCacheLoader<>(dataSource, mapping);
  }

  @Bean
  JdbcCacheWriter<Long, Item> itemWriter(DataSource dataSource, TableMapping<Long, Item> mapping) {
    return new JdbcCacheWriter<>(dataSource, mapping);
  }
}
