package dev.cascade.internal.event;

import java.util.ArrayList;
import java.util.List;
import javax.cache.configuration.CacheEntryListenerConfiguration;

/**
 * The listeners and filters a cache's configuration names, made from their factories before the
 * cache is recorded in Redis or opened: a factory that throws then leaves nothing behind (no
 * registry entry, no subscription). {@link EventDispatcher#registerAll} takes them over.
 */
public final class ConfiguredListeners<K, V> {

  private final List<ListenerRegistration<K, V>> made;

  /** True once a dispatcher took them: closing them is its job then. */
  private volatile boolean handedOver;

  private ConfiguredListeners(List<ListenerRegistration<K, V>> made) {
    this.made = made;
  }

  /** Runs every factory; when one throws, closes what the ones before it made. */
  public static <K, V> ConfiguredListeners<K, V> make(
      Iterable<CacheEntryListenerConfiguration<K, V>> configurations) {
    List<ListenerRegistration<K, V>> made = new ArrayList<>();
    try {
      for (CacheEntryListenerConfiguration<K, V> c : configurations) {
        made.add(new ListenerRegistration<>(c));
      }
    } catch (RuntimeException | Error e) {
      made.forEach(ListenerRegistration::close);
      throw e;
    }
    return new ConfiguredListeners<>(made);
  }

  List<ListenerRegistration<K, V>> registrations() {
    return made;
  }

  void handedOver() {
    handedOver = true;
  }

  /**
   * Closes the listeners and filters that are {@code Closeable}, unless a dispatcher took them: the
   * cache did not open.
   */
  public void close() {
    if (!handedOver) {
      made.forEach(ListenerRegistration::close);
    }
  }
}
