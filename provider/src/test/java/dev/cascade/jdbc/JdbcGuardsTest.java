package dev.cascade.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.CascadeEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What fails before any SQL runs (null and mistyped keys, null values, bad settings), what an
 * unreachable database turns into, and the factories. The DataSource points at a server that does
 * not exist: a guard that let a call through would fail differently.
 */
@Timeout(60)
class JdbcGuardsTest {

  private static JdbcDataSource nowhere() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:tcp://127.0.0.1:1/nowhere");
    return ds;
  }

  private final TableMapping<Long, Product> mapping = Product.mapping("products");
  private final JdbcCacheLoader<Long, Product> loader =
      new JdbcCacheLoader<>(nowhere(), mapping, Dialect.H2);
  private final JdbcCacheWriter<Long, Product> writer = new JdbcCacheWriter<>(nowhere(), mapping);

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void load_nullOrMistypedKey_failsBeforeConnecting() {
    assertThrows(NullPointerException.class, () -> loader.load(null));
    ClassCastException e =
        assertThrows(ClassCastException.class, () -> ((JdbcCacheLoader) loader).load("7"));
    assertEquals(
        "load on table products: key 7 is a java.lang.String, the mapping's key type is java.lang.Long",
        e.getMessage());
    assertThrows(NullPointerException.class, () -> loader.loadAll(Arrays.asList(1L, null)));
  }

  @Test
  void writeAll_nullEntryOrKey_failsLeavingCollectionAlone() {
    Collection<Cache.Entry<? extends Long, ? extends Product>> batch = new ArrayList<>();
    batch.add(new CascadeEntry<>(1L, Product.of("a", "1.00")));
    batch.add(new CascadeEntry<>(null, Product.of("b", "1.00")));
    assertThrows(NullPointerException.class, () -> writer.writeAll(batch));
    assertEquals(2, batch.size());
    batch.add(null);
    assertThrows(NullPointerException.class, () -> writer.writeAll(batch));
  }

  @Test
  void deleteAll_mistypedKey_failsLeavingCollectionAlone() {
    Collection<Object> keys = new ArrayList<>(List.of(1L, "two"));
    assertThrows(ClassCastException.class, () -> writer.deleteAll(keys));
    assertEquals(2, keys.size());
  }

  @Test
  void emptyBatches_doNothing_withoutConnecting() {
    writer.writeAll(new ArrayList<>());
    writer.deleteAll(new ArrayList<>());
    assertEquals(0, loader.loadAll(List.of()).size());
  }

  @Test
  void calls_databaseUnreachable_becomeCacheExceptionsNamingTableAndKey() {
    CacheLoaderException load = assertThrows(CacheLoaderException.class, () -> loader.load(3L));
    assertTrue(
        load.getMessage().startsWith("load from table products failed for key 3: SQLState "),
        load.getMessage());
    CacheWriterException write =
        assertThrows(
            CacheWriterException.class,
            () -> writer.write(new CascadeEntry<>(3L, Product.of("a", "1.00"))));
    assertTrue(
        write.getMessage().startsWith("write to table products failed for key 3: SQLState "),
        write.getMessage());
    Collection<Object> keys = new ArrayList<>(List.of(4L, 5L));
    CacheWriterException delete =
        assertThrows(CacheWriterException.class, () -> writer.deleteAll(keys));
    assertTrue(
        delete
            .getMessage()
            .startsWith(
                "deleteAll from table products failed in the chunk of rows 1..2 of 2"
                    + " (first key 4); nothing was written: SQLState "),
        delete.getMessage());
    assertEquals(2, keys.size());
  }

  @Test
  void withChunkSize_belowOne_rejected() {
    assertThrows(IllegalArgumentException.class, () -> loader.withChunkSize(0));
    assertThrows(IllegalArgumentException.class, () -> writer.withChunkSize(0));
    assertThrows(NullPointerException.class, () -> new JdbcCacheWriter<>(nowhere(), mapping, null));
  }

  @Test
  void factory_inThisJvm_handsOutTheInstance() {
    Factory<JdbcCacheWriter<Long, Product>> factory = writer.asFactory();
    assertSame(writer, factory.create());
    assertSame(factory.create(), factory.create());
    assertEquals(mapping, JdbcCacheLoader.factory(nowhere(), mapping).create().mapping());
  }

  @Test
  void factory_serializedAndReadBack_refusesToCreateSayingWhy() throws Exception {
    Factory<JdbcCacheLoader<Long, Product>> factory = JdbcCacheLoader.factory(nowhere(), mapping);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(factory);
    }
    Factory<?> copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (Factory<?>) in.readObject();
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, copy::create);
    assertTrue(
        e.getMessage()
            .startsWith("The factory of the JdbcCacheLoader of table products was serialized"),
        e.getMessage());
  }
}
