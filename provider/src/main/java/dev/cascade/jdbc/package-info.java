/**
 * A ready-made {@link javax.cache.integration.CacheLoader} and {@link
 * javax.cache.integration.CacheWriter} over any {@link javax.sql.DataSource}: read-through and
 * write-through (and, wrapped by write-behind, batched flushing) to one table described by a {@link
 * dev.cascade.jdbc.TableMapping}.
 *
 * <pre>{@code
 * TableMapping<Long, Product> products = TableMapping.builder("products")
 *     .key("id", Long.class)
 *     .column("name", Product::name)
 *     .column("price", Product::price)
 *     .reader(row -> new Product(row.getString("name"), row.getBigDecimal("price")))
 *     .build();
 *
 * new MutableConfiguration<Long, Product>()
 *     .setReadThrough(true).setWriteThrough(true)
 *     .setCacheLoaderFactory(JdbcCacheLoader.factory(dataSource, products))
 *     .setCacheWriterFactory(JdbcCacheWriter.factory(dataSource, products));
 * }</pre>
 *
 * <p>Owns: the SQL for one mapped table in each supported {@link dev.cascade.jdbc.Dialect}
 * (MySQL/MariaDB, H2, PostgreSQL), identifier validation (a mapping can never inject SQL), chunked
 * queries and per-chunk transactions, and turning {@code SQLException}s into {@code
 * CacheLoaderException}/{@code CacheWriterException} with the table, the key and the SQL error in
 * the message.
 *
 * <p>Must not: depend on a JDBC driver or pool (only {@code java.sql}/{@code javax.sql}; drivers
 * are the user's choice), hold a connection between calls (each call borrows one from the pool and
 * returns it), or know about Redis or the cache that calls it: this package is plain JCache
 * integration and would work under any provider.
 */
package dev.cascade.jdbc;
