package dev.cascade.internal.event;

import dev.cascade.internal.support.Lifecycle;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One registered listener: its configuration, and the listener and filter its factories made. */
final class ListenerRegistration<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerRegistration.class);

  final CacheEntryListenerConfiguration<K, V> configuration;
  final CacheEntryListener<? super K, ? super V> listener;
  final CacheEntryEventFilter<? super K, ? super V> filter;
  final boolean oldValueRequired;
  final boolean synchronous;

  /**
   * False once deregistered or closed: asynchronous events still queued for it are dropped, so a
   * listener is not called after {@code deregisterCacheEntryListener} returned (or after close).
   */
  private volatile boolean active = true;

  ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration) {
    this.configuration = configuration;
    Factory<CacheEntryListener<? super K, ? super V>> listenerFactory =
        configuration.getCacheEntryListenerFactory();
    if (listenerFactory == null) {
      throw new IllegalArgumentException("The listener configuration has no listener factory");
    }
    this.listener = listenerFactory.create();
    Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
        configuration.getCacheEntryEventFilterFactory();
    try {
      this.filter = filterFactory == null ? null : filterFactory.create();
    } catch (RuntimeException | Error e) {
      Lifecycle.closeQuietly(listener, LOG); // made for a registration that fails
      throw e;
    }
    this.oldValueRequired = configuration.isOldValueRequired();
    this.synchronous = configuration.isSynchronous();
  }

  boolean listensTo(EventType type) {
    switch (type) {
      case CREATED:
        return listener instanceof CacheEntryCreatedListener;
      case UPDATED:
        return listener instanceof CacheEntryUpdatedListener;
      case REMOVED:
        return listener instanceof CacheEntryRemovedListener;
      default:
        return listener instanceof CacheEntryExpiredListener;
    }
  }

  /** The event this listener sees for a change: old values only where configured. */
  CascadeEntryEvent<K, V> eventFor(Cache<K, V> source, EntryChange<K, V> change) {
    switch (change.type()) {
      case CREATED:
        return new CascadeEntryEvent<>(
            source, EventType.CREATED, change.key(), change.value(), null, false);
      case UPDATED:
        return oldValueRequired
            ? new CascadeEntryEvent<>(
                source, EventType.UPDATED, change.key(), change.value(), change.oldValue(), true)
            : new CascadeEntryEvent<>(
                source, EventType.UPDATED, change.key(), change.value(), null, false);
      default:
        // REMOVED and EXPIRED: since JCache 1.1 the value is the old value, when available
        return oldValueRequired
            ? new CascadeEntryEvent<>(
                source, change.type(), change.key(), change.oldValue(), change.oldValue(), true)
            : new CascadeEntryEvent<>(source, change.type(), change.key(), null, null, false);
    }
  }

  boolean accepts(CascadeEntryEvent<K, V> event) {
    return filter == null || filter.evaluate(event);
  }

  @SuppressWarnings("unchecked")
  void deliver(EventType type, Iterable<CacheEntryEvent<? extends K, ? extends V>> events) {
    switch (type) {
      case CREATED:
        ((CacheEntryCreatedListener<K, V>) listener).onCreated(events);
        break;
      case UPDATED:
        ((CacheEntryUpdatedListener<K, V>) listener).onUpdated(events);
        break;
      case REMOVED:
        ((CacheEntryRemovedListener<K, V>) listener).onRemoved(events);
        break;
      default:
        ((CacheEntryExpiredListener<K, V>) listener).onExpired(events);
        break;
    }
  }

  boolean isActive() {
    return active;
  }

  void close() {
    active = false;
    Lifecycle.closeQuietly(listener, LOG);
    Lifecycle.closeQuietly(filter, LOG);
  }
}
