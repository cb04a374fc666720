package dev.cascade.boot.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;

/**
 * What an application declares: caching on, a cached service, a writer bean. {@code
 * AutoConfigurationPackage} registers this package, as {@code @SpringBootApplication} would.
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
@AutoConfigurationPackage
public class GreetingsApplication {

  @Bean
  Greetings greetings() {
    return new Greetings();
  }

  @Bean
  MapWriter mapWriter() {
    return new MapWriter();
  }

  @Bean
  ClosingWriter closingWriter() {
    return new ClosingWriter();
  }

  @Bean
  @Scope("prototype")
  ClosingWriter prototypeWriter() {
    return new ClosingWriter();
  }

  /** A CacheWriter that keeps what it is given in a map. */
  public static class MapWriter implements CacheWriter<Object, Object> {
    public final Map<Object, Object> rows = new ConcurrentHashMap<>();

    @Override
    public void write(Cache.Entry<?, ?> entry) {
      rows.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(java.util.Collection<Cache.Entry<?, ?>> entries) {
      entries.forEach(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      rows.remove(key);
    }

    @Override
    public void deleteAll(java.util.Collection<?> keys) {
      keys.forEach(rows::remove);
      keys.clear();
    }
  }
}
