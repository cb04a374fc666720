package dev.cascade.jdbc;

import java.io.Serializable;
import java.math.BigDecimal;

/** The value type of the tests: two columns, one with a CHECK constraint (price >= 0). */
record Product(String name, BigDecimal price) implements Serializable {

  static Product of(String name, String price) {
    return new Product(name, new BigDecimal(price));
  }

  static TableMapping<Long, Product> mapping(String table) {
    return TableMapping.builder(table)
        .key("id", Long.class)
        .column("name", Product::name)
        .column("price", Product::price)
        .reader(row -> new Product(row.getString("name"), row.getBigDecimal("price")))
        .build();
  }
}
