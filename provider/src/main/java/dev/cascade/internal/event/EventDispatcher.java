package dev.cascade.internal.event;

import dev.cascade.ListenerStatistics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.EventType;

/**
 * The listeners of one cache in this JVM, and how changes reach them.
 *
 * <p>Synchronous listeners run on the caller's thread before the cache operation returns; an
 * exception they throw reaches the caller as a {@link CacheEntryListenerException} (the cache has
 * already changed). Asynchronous listeners run on {@link EventLanes}, one key's events in order.
 * Changes made in other JVMs arrive on the key's lane ({@link #onLane}) and go to every listener
 * through {@link #deliverRemote}, asynchronously (a remote change cannot wait for this JVM).
 *
 * <p>Thread-safe: registrations may change while events flow.
 */
public final class EventDispatcher<K, V> implements ListenerStatistics {

  /** RI order: expiries first, then creations, updates, removals. */
  private static final EventType[] ORDER = {
    EventType.EXPIRED, EventType.CREATED, EventType.UPDATED, EventType.REMOVED
  };

  private final String cacheName;
  private final EventLanes lanes;
  private final List<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
  private volatile Cache<K, V> source;
  private final AtomicLong dropped = new AtomicLong();

  public EventDispatcher(String cacheName, EventLanes lanes) {
    this.cacheName = cacheName;
    this.lanes = lanes;
  }

  /** The cache events name as their source; set once, before any event is dispatched. */
  public void attach(Cache<K, V> cache) {
    this.source = cache;
  }

  /**
   * @throws IllegalArgumentException if this configuration is already registered
   */
  public synchronized void register(CacheEntryListenerConfiguration<K, V> configuration) {
    requireNew(configuration);
    registrations.add(new ListenerRegistration<>(configuration));
  }

  /**
   * Registers the listeners the cache was configured with, made before it opened; they are this
   * dispatcher's to close from now on. When one is refused, none is registered, and they stay
   * {@code configured}'s to close.
   *
   * @throws IllegalArgumentException if a configuration is already registered
   */
  public synchronized void registerAll(ConfiguredListeners<K, V> configured) {
    List<ListenerRegistration<K, V>> made = configured.registrations();
    // against those registered, and one another: a Configuration of the user's own making may
    // hold one listener configuration twice, which MutableConfiguration refuses
    for (int i = 0; i < made.size(); i++) {
      requireNew(made.get(i).configuration);
      for (int j = 0; j < i; j++) {
        if (made.get(j).configuration.equals(made.get(i).configuration)) {
          throw new IllegalArgumentException(
              "Cache '" + cacheName + "' is configured with one listener configuration twice");
        }
      }
    }
    registrations.addAll(made);
    configured.handedOver();
  }

  private void requireNew(CacheEntryListenerConfiguration<K, V> configuration) {
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.configuration.equals(configuration)) {
        throw new IllegalArgumentException(
            "This listener configuration is already registered with cache '" + cacheName + "'");
      }
    }
  }

  public synchronized void deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.configuration.equals(configuration)) {
        registrations.remove(r);
        r.close();
        return;
      }
    }
  }

  public List<CacheEntryListenerConfiguration<K, V>> configurations() {
    List<CacheEntryListenerConfiguration<K, V>> result = new ArrayList<>();
    for (ListenerRegistration<K, V> r : registrations) {
      result.add(r.configuration);
    }
    return result;
  }

  public boolean isEmpty() {
    return registrations.isEmpty();
  }

  public boolean listensTo(EventType type) {
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.listensTo(type)) {
        return true;
      }
    }
    return false;
  }

  /** Delivers the changes of one local operation. */
  public void dispatch(List<EntryChange<K, V>> changes) {
    if (changes.isEmpty() || registrations.isEmpty()) {
      return;
    }
    RuntimeException failure = null;
    // an event counts as dropped once, however many listeners missed it (made only for a drop)
    Set<EntryChange<K, V>> droppedChanges = null;
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.synchronous) {
        try {
          deliverSynchronously(r, changes);
        } catch (CacheEntryListenerException e) {
          failure = failure == null ? e : failure;
        } catch (RuntimeException e) {
          failure =
              failure == null
                  ? new CacheEntryListenerException(
                      "A synchronous listener of cache '" + cacheName + "' failed", e)
                  : failure;
        }
      } else {
        for (EntryChange<K, V> change : changes) {
          if (r.listensTo(change.type())
              && !lanes.submit(change.lane(), () -> deliverOne(r, change), cacheName)) {
            if (droppedChanges == null) {
              droppedChanges = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            droppedChanges.add(change);
          }
        }
      }
    }
    if (droppedChanges != null) {
      dropped.addAndGet(droppedChanges.size());
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Runs {@code decodeAndDeliver} for a change made elsewhere on the key's lane: decoding runs user
   * classes (deserialization), so it must not run on the pub/sub I/O thread either.
   *
   * @return false when the asynchronous listeners are too far behind ({@link EventLanes#offer}):
   *     the change is not delivered
   */
  public boolean onLane(int laneHash, Runnable decodeAndDeliver) {
    return lanes.offer(laneHash, decodeAndDeliver);
  }

  /** Delivers a change made elsewhere to every listener; call it on the key's lane. */
  public void deliverRemote(EntryChange<K, V> change) {
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.listensTo(change.type())) {
        deliverOne(r, change);
      }
    }
  }

  /** A change made elsewhere that found no room on the lanes ({@link #onLane} returned false). */
  public void droppedRemote() {
    dropped.incrementAndGet();
  }

  @Override
  public long eventsDropped() {
    return dropped.get();
  }

  /** True when a listener of this type wants old values in its events. */
  public boolean needsOldValues(EventType type) {
    for (ListenerRegistration<K, V> r : registrations) {
      if (r.oldValueRequired && r.listensTo(type)) {
        return true;
      }
    }
    return false;
  }

  private void deliverSynchronously(ListenerRegistration<K, V> r, List<EntryChange<K, V>> changes) {
    for (EventType type : ORDER) {
      if (!r.listensTo(type)) {
        continue;
      }
      List<CacheEntryEvent<? extends K, ? extends V>> events = null;
      for (EntryChange<K, V> change : changes) {
        if (change.type() == type) {
          CascadeEntryEvent<K, V> event = r.eventFor(source, change);
          if (r.accepts(event)) {
            if (events == null) {
              events = new ArrayList<>();
            }
            events.add(event);
          }
        }
      }
      if (events != null) {
        r.deliver(type, events);
      }
    }
  }

  private void deliverOne(ListenerRegistration<K, V> r, EntryChange<K, V> change) {
    if (!r.isActive()) {
      return; // deregistered while the event waited on its lane
    }
    CascadeEntryEvent<K, V> event = r.eventFor(source, change);
    if (r.accepts(event)) {
      r.deliver(change.type(), List.of(event));
    }
  }

  /** Closes every listener and filter that is {@link java.io.Closeable}. */
  public synchronized void close() {
    for (ListenerRegistration<K, V> r : registrations) {
      r.close();
    }
    registrations.clear();
  }
}
