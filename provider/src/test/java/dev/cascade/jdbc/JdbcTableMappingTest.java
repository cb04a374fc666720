package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Building mappings: what is accepted, and that every bad part fails at once, named. No server. */
class JdbcTableMappingTest {

  private static void assertRejected(Executable build, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "'" + f + "' not in: " + e.getMessage());
    }
  }

  @Test
  void builder_methodReferences_inferValueTypeAndKeepOrder() {
    TableMapping<Long, Product> m = Product.mapping("products");
    assertEquals("products", m.table());
    assertEquals("id", m.keyColumn());
    assertEquals(Long.class, m.keyType());
    assertEquals(List.of("name", "price"), m.valueColumns());
    assertEquals("TableMapping[products: key id (Long), values [name, price]]", m.toString());
  }

  @Test
  void builder_lambdasAfterValueType_compileAndBuild() {
    TableMapping<Long, Product> m =
        TableMapping.builder("shop.products")
            .key("id", Long.class)
            .value(Product.class)
            .column("name", p -> p.name())
            .column("price", p -> p.price().setScale(2))
            .reader(row -> new Product(row.getString("NAME"), row.getBigDecimal("price")))
            .build();
    assertEquals("shop.products", m.table());
  }

  @Test
  void scalar_oneValueColumn_buildsMapping() {
    TableMapping<Long, Long> m =
        TableMapping.scalar("view_counts", "product_id", Long.class, "views", Long.class);
    assertEquals(List.of("views"), m.valueColumns());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "products; DROP TABLE users",
        "products--",
        "prod ucts",
        "products'",
        "`products`",
        "products/*x*/",
        "pröducts"
      })
  void builder_tableWithSqlCharacters_rejectedNamingTheCharacter(String table) {
    assertRejected(
        () -> TableMapping.builder(table),
        "table name '" + table + "' is not a valid SQL identifier",
        "is not allowed");
  }

  @Test
  void builder_badTableShapes_rejectedSayingWhy() {
    assertRejected(() -> TableMapping.builder(""), "it is empty");
    assertRejected(() -> TableMapping.builder("a.b.c.d"), "at most 3 parts");
    assertRejected(() -> TableMapping.builder("shop..products"), "'': it is empty");
    assertRejected(() -> TableMapping.builder("1products"), "must not start with a digit");
    assertRejected(() -> TableMapping.builder("order"), "'order' is a reserved word", "\"order\"");
    assertRejected(
        () -> TableMapping.builder("t".repeat(SqlName.MAX_LENGTH + 1)), "longer than 63");
    assertThrows(NullPointerException.class, () -> TableMapping.builder(null));
  }

  @Test
  void builder_goodTableShapes_accepted() {
    TableMapping.builder("t".repeat(SqlName.MAX_LENGTH));
    TableMapping.builder("shop.products");
    TableMapping.builder("catalog.shop.products");
    TableMapping.builder("\"Shop\".\"Order\"");
    TableMapping.builder("_private_2");
  }

  @Test
  void key_badColumn_rejectedNamingTableAndColumn() {
    assertRejected(
        () -> TableMapping.builder("products").key("id`", Long.class),
        "mapping of table 'products': key column 'id`'",
        "character '`' at position 3");
    assertRejected(
        () -> TableMapping.builder("products").key("key", Long.class), "'key' is a reserved word");
    assertRejected(
        () -> TableMapping.builder("products").key("products.id", Long.class),
        "cannot be qualified");
    assertThrows(
        NullPointerException.class, () -> TableMapping.builder("products").key("id", null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "na me",
        "name)",
        "name=1",
        "\"va\"lue\"",
        "\"\"",
        "value",
        "desc",
        "user",
        "year"
      })
  void column_invalidOrReserved_rejectedNamingColumn(String column) {
    assertRejected(
        () ->
            TableMapping.builder("products")
                .key("id", Long.class)
                .value(Product.class)
                .column(column, Product::name),
        "mapping of table 'products': column '" + column + "'");
  }

  @Test
  void column_quotedReservedWord_accepted() {
    TableMapping<Long, String> m =
        TableMapping.scalar("kv", "\"key\"", Long.class, "\"value\"", String.class);
    assertEquals(List.of("\"value\""), m.valueColumns());
  }

  @Test
  void column_sameAsKeyOrTwice_rejected() {
    assertRejected(
        () ->
            TableMapping.builder("products")
                .key("id", Long.class)
                .value(Product.class)
                .column("ID", Product::name),
        "column 'ID' is the key column");
    assertRejected(
        () ->
            TableMapping.builder("products")
                .key("id", Long.class)
                .value(Product.class)
                .column("name", Product::name)
                .column("NAME", Product::name),
        "column 'NAME' is mapped twice");
    assertRejected(
        () ->
            TableMapping.builder("products")
                .key("id", Long.class)
                .value(Product.class)
                .column("name", null),
        "the getter of column 'name' is null");
  }

  @Test
  void build_withoutColumnsOrReader_failsSayingWhatIsMissing() {
    IllegalStateException noColumn =
        assertThrows(
            IllegalStateException.class,
            () ->
                TableMapping.builder("products")
                    .key("id", Long.class)
                    .value(Product.class)
                    .reader(row -> null)
                    .build());
    assertEquals(
        "mapping of table 'products': no value column; add one with column(..)",
        noColumn.getMessage());
    IllegalStateException noReader =
        assertThrows(
            IllegalStateException.class,
            () ->
                TableMapping.builder("products")
                    .key("id", Long.class)
                    .column("name", Product::name)
                    .build());
    assertTrue(noReader.getMessage().contains("no reader"), noReader.getMessage());
  }

  @Test
  void bindColumns_getterThrows_namesTheColumn() {
    TableMapping<Long, Product> m =
        TableMapping.builder("products")
            .key("id", Long.class)
            .column("price", (Product p) -> p.price().negate())
            .reader(row -> null)
            .build();
    TableMapping.MappingException e =
        assertThrows(
            TableMapping.MappingException.class,
            () -> m.bindColumns(null, 2, new Product("x", (BigDecimal) null)));
    assertTrue(
        e.getMessage()
            .startsWith("the getter of column price threw java.lang.NullPointerException"),
        e.getMessage());
  }
}
