/**
 * JCache annotations ({@code @CacheResult}, {@code @CachePut}, {@code @CacheRemove},
 * {@code @CacheRemoveAll}) on one plain service class, {@link
 * dev.cascade.samples.annotations.ProductCatalog}, run by two containers over Cascade: Spring
 * ({@link dev.cascade.samples.annotations.SpringCatalogConfiguration}) and Guice with the JSR-107
 * annotation RI ({@link dev.cascade.samples.annotations.GuiceCatalogModule}).
 *
 * <p>Owns: the catalog cache's configuration ({@link dev.cascade.samples.annotations.CatalogCache})
 * and the wiring of each container. Must not: depend on a container from the service class beyond
 * the {@code javax.cache.annotation} and {@code javax.inject} annotations.
 */
package dev.cascade.samples.annotations;
