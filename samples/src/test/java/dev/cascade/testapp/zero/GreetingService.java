package dev.cascade.testapp.zero;

import dev.cascade.testapp.zero.model.Greeting;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheResult;
import org.springframework.cache.annotation.Cacheable;

/** Caches through Spring's {@code @Cacheable} and JSR-107's {@code @CacheResult}. */
public class GreetingService {

  /** How often a greeting was computed rather than read from the cache, in this JVM. */
  public static final AtomicInteger COMPUTED = new AtomicInteger();

  /** Two parameters: Spring's key is a {@code SimpleKey}. */
  @Cacheable("greetings")
  public Greeting greet(String name, int visits) {
    COMPUTED.incrementAndGet();
    return new Greeting(
        "Hello, " + name,
        Instant.parse("2026-12-06T06:30:00Z"),
        new Greeting.Visitor(name, visits));
  }

  /** One parameter: the key is the name itself. */
  @CacheResult(cacheName = "greetings-jsr107")
  public Greeting greetFormally(String name) {
    COMPUTED.incrementAndGet();
    return new Greeting(
        "Good day, " + name, Instant.parse("2026-12-06T06:31:00Z"), new Greeting.Visitor(name, 1));
  }
}
