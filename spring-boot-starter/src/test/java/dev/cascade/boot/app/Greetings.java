package dev.cascade.boot.app;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.Cacheable;

/** A service cached with Spring's {@code @Cacheable}, counting the calls that were not cached. */
public class Greetings {

  private final AtomicInteger calls = new AtomicInteger();

  /** Calls that ran the method (a proxy has no fields of its own: read through this). */
  public int calls() {
    return calls.get();
  }

  @Cacheable("boot-greetings")
  public Greeting greet(String name) {
    return new Greeting(name, calls.incrementAndGet());
  }
}
