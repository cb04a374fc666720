package dev.cascade.jdbc;

import javax.cache.configuration.Factory;

/**
 * A {@link Factory} that hands out one ready-made, thread-safe instance.
 *
 * <p>JCache wants factories to be {@code Serializable}, but the instance holds a {@code DataSource}
 * and a mapping's lambdas, which usually are not. So the instance is {@code transient}: the factory
 * serializes (configurations copy fine), and a copy deserialized anywhere refuses to {@link
 * #create()} with a message instead of handing out a broken loader or writer. Such a factory only
 * works in the JVM that built it, which is where a cache with a {@code DataSource} lives anyway.
 */
final class LocalFactory<T> implements Factory<T> {

  private static final long serialVersionUID = 1L;

  private final String description;
  private final transient T instance;

  LocalFactory(String description, T instance) {
    this.description = description;
    this.instance = instance;
  }

  @Override
  public T create() {
    if (instance == null) {
      throw new IllegalStateException(
          "The factory of the "
              + description
              + " was serialized and read back;"
              + " it holds a DataSource, which cannot travel, so it only works in the JVM that built it."
              + " Build the factory in each JVM (e.g. in the code that configures the cache).");
    }
    return instance;
  }

  @Override
  public String toString() {
    return "Factory[" + description + "]";
  }
}
