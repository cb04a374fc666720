package dev.cascade.samples.annotations;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.name.Names;
import com.google.inject.util.Modules;
import java.lang.annotation.Annotation;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.annotation.CacheInvocationContext;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.sql.DataSource;
import org.jsr107.ri.annotations.guice.module.CacheAnnotationsModule;

/**
 * Guice runs {@link ProductCatalog}'s JCache annotations over Cascade, through the JSR-107
 * annotation RI ({@code org.jsr107.ri:cache-annotations-ri-guice}).
 *
 * <p>Use Guice 6: the RI's interceptors are bound with {@code javax.inject} annotations, which
 * Guice 7 (jakarta.inject only) no longer reads.
 *
 * <p>Why our own {@link CacheResolverFactory}: the RI's default one takes {@code
 * Caching.getCachingProvider().getCacheManager()} once, when it is built, and keeps it for ever.
 * That is the default URI's manager (not necessarily the Redis you configured), and once anything
 * closes it every annotated call fails with "closed". This module's resolver asks the {@code
 * Provider<CacheManager>} you give it at every call and opens the catalog cache with Cascade's
 * configuration ({@link CatalogCache}) if that manager has not yet.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new GuiceCatalogModule(
 *     () -> Caching.getCachingProvider().getCacheManager(uri, loader),    // open, or reopened if closed
 *     dataSource, "products"));
 * ProductCatalog catalog = injector.getInstance(ProductCatalog.class);
 * }</pre>
 */
public final class GuiceCatalogModule extends AbstractModule {

  private final Provider<CacheManager> cacheManager;
  private final DataSource dataSource;
  private final String table;

  public GuiceCatalogModule(
      Provider<CacheManager> cacheManager, DataSource dataSource, String table) {
    this.cacheManager = cacheManager;
    this.dataSource = dataSource;
    this.table = table;
  }

  @Override
  protected void configure() {
    install(
        Modules.override(new CacheAnnotationsModule())
            .with(
                new AbstractModule() {
                  @Override
                  protected void configure() {
                    bind(CacheResolverFactory.class)
                        .toInstance(new FreshCacheResolverFactory(cacheManager));
                  }
                }));
    bind(DataSource.class).toInstance(dataSource);
    bindConstant().annotatedWith(Names.named("catalog.table")).to(table);
  }

  /** Resolves every annotated call's cache in the manager the provider returns at that moment. */
  static final class FreshCacheResolverFactory implements CacheResolverFactory {
    private final Provider<CacheManager> cacheManager;

    FreshCacheResolverFactory(Provider<CacheManager> cacheManager) {
      this.cacheManager = cacheManager;
    }

    @Override
    public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> details) {
      return resolver(details.getCacheName());
    }

    @Override
    public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> details) {
      return resolver(details.getCacheAnnotation().exceptionCacheName());
    }

    private CacheResolver resolver(String name) {
      if (!CatalogCache.NAME.equals(name)) {
        throw new IllegalArgumentException(
            "this module configures only the cache '"
                + CatalogCache.NAME
                + "', not '"
                + name
                + "'");
      }
      return new CacheResolver() {
        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Cache<K, V> resolveCache(
            CacheInvocationContext<? extends Annotation> context) {
          return (Cache<K, V>) CatalogCache.open(cacheManager.get());
        }
      };
    }
  }
}
