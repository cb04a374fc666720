package dev.cascade.testapp.zero;

import dev.cascade.testapp.zero.model.Greeting;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application as a new user writes it: the JCache provider found on the class path, its default
 * CacheManager, caches created with a plain {@code MutableConfiguration} (as Spring Boot's {@code
 * spring.cache.cache-names} does), Spring's caching over it, and no Cascade setting at all (the
 * Redis URI is the default CacheManager's, from {@code cascade.redis.uri} here). Prints what it
 * computed and what it read, for {@code ZeroConfigurationTest}.
 */
public final class ZeroConfigApp {

  private ZeroConfigApp() {}

  public static void main(String[] args) {
    CacheManager jcache = Caching.getCachingProvider().getCacheManager();
    for (String name : new String[] {"greetings", "greetings-jsr107"}) {
      if (jcache.getCache(name) == null) {
        jcache.createCache(name, new MutableConfiguration<>());
      }
    }
    try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
      context.registerBean("jcacheManager", CacheManager.class, () -> jcache);
      context.register(Config.class);
      context.refresh();
      GreetingService service = context.getBean(GreetingService.class);
      Greeting spring = service.greet("Ann", 3);
      Greeting again = service.greet("Ann", 3);
      Greeting jsr107 = service.greetFormally("Bob");
      System.out.println("greeting=" + spring);
      System.out.println("again=" + again);
      System.out.println("formal=" + jsr107);
      System.out.println("computed=" + GreetingService.COMPUTED.get());
    } catch (RuntimeException e) {
      System.out.println("failed: " + e);
      System.exit(1);
    } finally {
      jcache.close();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Config {
    @Bean
    JCacheCacheManager cacheManager(CacheManager jcache) {
      return new JCacheCacheManager(jcache);
    }

    @Bean
    GreetingService greetingService() {
      return new GreetingService();
    }
  }
}
