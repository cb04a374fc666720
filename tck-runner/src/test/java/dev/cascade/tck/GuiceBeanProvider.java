package dev.cascade.tck;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.util.Modules;
import java.lang.annotation.Annotation;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.annotation.BeanProvider;
import javax.cache.annotation.CacheInvocationContext;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.cache.configuration.MutableConfiguration;
import org.jsr107.ri.annotations.guice.module.CacheAnnotationsModule;

/**
 * Gives the TCK's annotation tests their beans through the annotation RI's Guice integration.
 *
 * <p>The RI's default resolver factory holds one CacheManager for ever; earlier TCK classes close
 * the default CacheManager, so this provider resolves the cache afresh on every call instead.
 */
public final class GuiceBeanProvider implements BeanProvider {

  private final Injector injector =
      Guice.createInjector(
          Modules.override(new CacheAnnotationsModule())
              .with(
                  new AbstractModule() {
                    @Override
                    protected void configure() {
                      bind(CacheResolverFactory.class).to(FreshCacheResolverFactory.class);
                    }
                  }));

  @Override
  public <T> T getBeanByType(Class<T> beanClass) {
    return injector.getInstance(beanClass);
  }

  /** Resolves caches by name from the current default CacheManager at every invocation. */
  public static final class FreshCacheResolverFactory implements CacheResolverFactory {

    @Override
    public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> details) {
      return new ByName(details.getCacheName());
    }

    @Override
    public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> details) {
      String name = details.getCacheAnnotation().exceptionCacheName();
      return new ByName(name);
    }
  }

  private static final class ByName implements CacheResolver {
    private final String name;

    ByName(String name) {
      this.name = name;
    }

    @Override
    public <K, V> Cache<K, V> resolveCache(CacheInvocationContext<? extends Annotation> context) {
      CacheManager manager = Caching.getCachingProvider().getCacheManager();
      Cache<K, V> cache = manager.getCache(name);
      if (cache == null) {
        try {
          cache = manager.createCache(name, new MutableConfiguration<>());
        } catch (javax.cache.CacheException e) {
          cache = manager.getCache(name);
        }
      }
      return cache;
    }
  }
}
