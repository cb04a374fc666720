package dev.cascade.internal.config;

import dev.cascade.config.CascadeConfiguration;

/**
 * A cache the configuration file declares ({@code cascade.caches.<name>}): its name, its
 * configuration (types, expiry, loader, writer, …, every factory ready), and where it was written,
 * for errors raised when it opens. The CacheManager opens it as it opens.
 */
public final class DeclaredCache {

  private final String name;
  private final String place;
  private final CascadeConfiguration<Object, Object> configuration;
  private final String codecName;

  DeclaredCache(
      String name,
      String place,
      CascadeConfiguration<Object, Object> configuration,
      String codecName) {
    this.name = name;
    this.place = place;
    this.configuration = configuration;
    this.codecName = codecName;
  }

  public String name() {
    return name;
  }

  /** Where it is declared: {@code cascade.yaml line 12}. */
  public String place() {
    return place;
  }

  /** The configuration to create it with (a fresh copy each call). */
  public CascadeConfiguration<Object, Object> configuration() {
    return new CascadeConfiguration<>(configuration);
  }

  /** Its {@code codec.name} (or the manager's), or null for the default codec. */
  public String codecName() {
    return codecName;
  }
}
