package dev.cascade.samples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small REST service on Cascade: {@code PUT /items/{id}} and {@code GET /items/{id}} go through
 * the {@code items} cache, which reads through from and writes behind to the items table; {@code
 * GET /items/{id}/report} is cached with {@code @Cacheable}. Everything about the caches is in
 * {@code application.yml}.
 */
@SpringBootApplication
@EnableCaching
public class ItemsApplication {

  public static void main(String[] args) {
    SpringApplication.run(ItemsApplication.class, args);
  }
}
