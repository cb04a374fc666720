package dev.cascade;

import static dev.cascade.CacheModel.show;

import dev.cascade.CacheModel.Event;
import dev.cascade.CacheModel.Increment;
import dev.cascade.CacheModel.MapWriter;
import dev.cascade.CacheModel.Op;
import dev.cascade.CacheModel.Operations;
import dev.cascade.CacheModel.Recorder;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.internal.engine.EntryOperations;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole {@code javax.cache.Cache} API against {@link CacheModel}, a map that does what the spec
 * says, on a real Redis.
 *
 * <p><b>Sequences</b>, in every configuration the engine branches on: random sequences of every
 * operation over six keys, so operations collide. After each step the return value, the events a
 * synchronous listener heard before the call returned (or, with the listener in another
 * CacheManager, heard soon after), the contents (read here and by another CacheManager) and, for
 * write-through, the writer's table must equal the model's. A failing sequence is shrunk (steps
 * removed while it still fails) and reported step by step from an empty cache, with the seed that
 * drew it.
 *
 * <p><b>Two managers</b>: threads of two CacheManagers (two JVMs' connections) run random
 * operations on keys of their own (so each thread's model stays exact), and all of them increment
 * one shared counter. Then both managers must read what the models say, the increments must have
 * returned 1..N once each, and each manager's listener must have heard every change the other
 * manager made, per key in order.
 *
 * <p>Seeds: random per run and printed in every failure; {@code -Dcascade.model.seed=N} draws the
 * same operations again (the sequence of seed N first).
 */
@WithRedis
@Timeout(600)
class CacheModelTest {

  /**
   * Few keys, so operations collide; one empty and one made of the characters Redis keys and globs
   * use.
   */
  static final List<String> KEYS = List.of("a", "b", "c", "d", "", "}:{x}*");

  private static final Set<String> KEY_SET = new TreeSet<>(KEYS);

  /**
   * {@code -Dcascade.model.scale=N} runs N times the sequences and thread steps, for a soak; the
   * default keeps the class at about half a minute.
   */
  private static final int SCALE = Integer.getInteger("cascade.model.scale", 1);

  private static final int SEQUENCES = 60 * SCALE;

  /** Fewer per configuration in the matrix: its 15 configurations overlap the named ones. */
  private static final int MATRIX_SEQUENCES = 20 * SCALE;

  private static final int STEPS = 50;

  /** Replays a shrink may take: each is a fresh cache and up to {@link #STEPS} steps. */
  private static final int SHRINK_REPLAYS = 300;

  /** How long events from another CacheManager, and its near cache's invalidations, may take. */
  private static final long QUIESCENCE_MILLIS = 30_000;

  private static RedisServer redis;

  /** The manager whose caches are tested. */
  private static CacheManager manager;

  /** Another manager reading the same caches: what Redis holds, past this JVM's near cache. */
  private static CacheManager elsewhere;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    manager = Managers.open(redis);
    elsewhere = Managers.open(redis);
  }

  @AfterAll
  static void close() {
    manager.close();
    elsewhere.close();
  }

  /** The seed of the first sequence (or run): {@code -Dcascade.model.seed}, else random. */
  private static long firstSeed() {
    String given = System.getProperty("cascade.model.seed");
    return given != null ? Long.parseLong(given.trim()) : ThreadLocalRandom.current().nextLong();
  }

  private static String rerun(long seed) {
    return "seed " + seed + " (rerun: -Dcascade.model.seed=" + seed + ")";
  }

  /** A creation expiry no test outlives: the expiry code runs, nothing expires. */
  private static final Duration A_DAY = new Duration(TimeUnit.DAYS, 1);

  /** Not one of the five standard policies, so Cascade asks it each time (read, decide, apply). */
  public static final class DayLongExpiry implements ExpiryPolicy, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Duration getExpiryForCreation() {
      return A_DAY;
    }

    @Override
    public Duration getExpiryForAccess() {
      return null;
    }

    @Override
    public Duration getExpiryForUpdate() {
      return null;
    }
  }

  /** The configurations the engine branches on, and the path each is meant to take. */
  static final class Config {
    static final Config PLAIN =
        new Config(
            "PLAIN",
            "eternal, nobody listening: plain HSET/HGET and plain.lua batches",
            false,
            false,
            false,
            0,
            null,
            true,
            false);
    static final Config LISTENING =
        new Config(
            "LISTENING",
            "eternal, a synchronous listener: mutate.lua for every change, events",
            true,
            false,
            false,
            0,
            null,
            false,
            false);
    static final Config LISTENED_TO_ELSEWHERE =
        new Config(
            "LISTENED_TO_ELSEWHERE",
            "eternal, no listener here, one in another CacheManager: mutate.lua publishes",
            false,
            true,
            false,
            0,
            null,
            false,
            false);
    static final Config WRITE_THROUGH =
        new Config(
            "WRITE_THROUGH",
            "eternal, a write-through writer and a listener: read, decide, apply under the key's lock",
            true,
            false,
            true,
            0,
            null,
            false,
            false);
    static final Config NEAR_CACHE =
        new Config(
            "NEAR_CACHE",
            "eternal, a near cache, nobody listening: plain commands that must drop near copies",
            false,
            false,
            false,
            100,
            null,
            true,
            false);
    static final Config NEAR_CACHE_EXPIRING =
        new Config(
            "NEAR_CACHE_EXPIRING",
            "a near cache, CreatedExpiryPolicy of a day and a listener",
            true,
            false,
            false,
            100,
            CreatedExpiryPolicy.factoryOf(A_DAY),
            false,
            false);
    static final Config CREATED_EXPIRY =
        new Config(
            "CREATED_EXPIRY",
            "CreatedExpiryPolicy of a day and a listener: expiry in mutate.lua, HMGET reads",
            true,
            false,
            false,
            0,
            CreatedExpiryPolicy.factoryOf(A_DAY),
            false,
            false);
    static final Config CUSTOM_EXPIRY =
        new Config(
            "CUSTOM_EXPIRY",
            "a custom expiry policy of a day and a listener: read, decide, apply without a writer",
            true,
            false,
            false,
            0,
            FactoryBuilder.factoryOf(new DayLongExpiry()),
            false,
            false);
    static final Config WRITE_BEHIND =
        new Config(
            "WRITE_BEHIND",
            "eternal, a write-behind writer and a listener: every change queued in the same script;"
                + " the writer checked once the queue drained",
            true,
            false,
            true,
            0,
            null,
            false,
            true);

    /** The named configurations: each takes a path of its own (checked when a cache opens). */
    static List<Config> named() {
      return List.of(
          PLAIN,
          LISTENING,
          LISTENED_TO_ELSEWHERE,
          WRITE_THROUGH,
          NEAR_CACHE,
          NEAR_CACHE_EXPIRING,
          CREATED_EXPIRY,
          CUSTOM_EXPIRY,
          WRITE_BEHIND);
    }

    /**
     * The product the engine branches on: expiry (eternal, created, custom) x writer (none,
     * write-through, write-behind) x near cache (no, yes), each with a synchronous listener, so
     * events are checked everywhere. A near cache with a custom expiry policy is refused by design
     * (its reads may change entries), so that pair is not made.
     */
    static Stream<Config> matrix() {
      List<Config> all = new ArrayList<>();
      String[] expiries = {"eternal", "created", "custom"};
      String[] writers = {"none", "through", "behind"};
      for (String expiry : expiries) {
        for (String writer : writers) {
          for (int near : new int[] {0, 100}) {
            if (near > 0 && expiry.equals("custom")) {
              continue;
            }
            Factory<? extends ExpiryPolicy> policy =
                switch (expiry) {
                  case "created" -> CreatedExpiryPolicy.factoryOf(A_DAY);
                  case "custom" -> FactoryBuilder.factoryOf(new DayLongExpiry());
                  default -> null;
                };
            all.add(
                new Config(
                    expiry + "/" + writer + (near > 0 ? "/near" : ""),
                    expiry
                        + " expiry, writer "
                        + writer
                        + (near > 0 ? ", near cache" : "")
                        + ", a synchronous listener",
                    true,
                    false,
                    !writer.equals("none"),
                    near,
                    policy,
                    false,
                    writer.equals("behind")));
          }
        }
      }
      return all.stream();
    }

    final String name;
    final String description;
    final boolean listens;

    /**
     * Another CacheManager listens (asynchronously, as it hears other JVMs' changes), this one does
     * not.
     */
    final boolean listenedToElsewhere;

    final boolean writeThrough;
    final int nearCache;
    final Factory<? extends ExpiryPolicy> expiry;

    /**
     * Whether puts take the plain path ({@link CacheCore#plainWrites}): checked, so no path goes
     * untested unnoticed.
     */
    final boolean plain;

    /** The writer is behind: it sees the changes once the queue drained, not during the call. */
    final boolean behind;

    Config(
        String name,
        String description,
        boolean listens,
        boolean listenedToElsewhere,
        boolean writeThrough,
        int nearCache,
        Factory<? extends ExpiryPolicy> expiry,
        boolean plain,
        boolean behind) {
      this.name = name;
      this.behind = behind;
      this.description = description;
      this.listens = listens;
      this.listenedToElsewhere = listenedToElsewhere;
      this.writeThrough = writeThrough;
      this.nearCache = nearCache;
      this.expiry = expiry;
      this.plain = plain;
    }

    @Override
    public String toString() {
      return name;
    }

    CascadeConfiguration<String, Long> configuration(Recorder recorder, MapWriter writer) {
      CascadeConfiguration<String, Long> c =
          new CascadeConfiguration<String, Long>().setTypes(String.class, Long.class);
      if (recorder != null) {
        c.addCacheEntryListenerConfiguration(
            new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(recorder), null, true, true));
      }
      if (writer != null && behind) {
        c.setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.<String, Long>of(FactoryBuilder.factoryOf(writer))
                    .maxDelay(java.time.Duration.ofMillis(10))
                    .build());
      } else if (writer != null) {
        c.setWriteThrough(true).setCacheWriterFactory(FactoryBuilder.factoryOf(writer));
      }
      if (nearCache > 0) {
        c.setNearCache(nearCache);
      }
      if (expiry != null) {
        c.setExpiryPolicyFactory(expiry);
      }
      return c;
    }
  }

  // ------------------------------------------------------------------ sequences

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedConfigurations")
  void randomSequences_eachConfiguration_matchTheModel(Config config) {
    sequences(config, SEQUENCES);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurationMatrix")
  void randomSequences_configurationMatrix_matchTheModel(Config config) {
    sequences(config, MATRIX_SEQUENCES);
  }

  static List<Config> namedConfigurations() {
    return Config.named();
  }

  static Stream<Config> configurationMatrix() {
    return Config.matrix();
  }

  private static void sequences(Config config, int count) {
    long first = firstSeed();
    for (int i = 0; i < count; i++) {
      long seed = first + i;
      List<Op> ops = new Operations(KEYS, true).sequence(new Random(seed), STEPS);
      Failure failure = replay(config, ops);
      if (failure != null) {
        throw shrink(config, seed, ops, failure);
      }
    }
  }

  /** A sequence that failed: the error, and how many steps ran (the last one failed). */
  private record Failure(AssertionError error, int steps) {}

  /**
   * Runs {@code ops} on a fresh cache of {@code config}; null when every step matched the model.
   */
  private static Failure replay(Config config, List<Op> ops) {
    ModelRun run = new ModelRun(config);
    try {
      for (Op op : ops) {
        run.step(op);
      }
      run.drained();
      return null;
    } catch (AssertionError e) {
      return new Failure(e, run.steps.size());
    } finally {
      run.close();
    }
  }

  /**
   * Removes steps from a failing sequence while it still fails (chunks of halving size, then single
   * steps until none can go), within {@link #SHRINK_REPLAYS} replays; the error names what was
   * found.
   */
  private static AssertionError shrink(Config config, long seed, List<Op> drawn, Failure first) {
    String header =
        config
            + ": the sequence of "
            + rerun(seed)
            + " failed at step "
            + first.steps()
            + " of "
            + drawn.size();
    List<Op> smallest = new ArrayList<>(drawn.subList(0, first.steps()));
    Failure last = replay(config, smallest);
    if (last == null) {
      return new AssertionError(
          header
              + "; replayed, it passed (a timing-dependent failure?):\n"
              + first.error().getMessage(),
          first.error());
    }
    int replays = 1;
    for (int chunk = Math.max(1, smallest.size() / 2); replays < SHRINK_REPLAYS; ) {
      boolean removedSome = false;
      for (int from = 0; from + chunk <= smallest.size() && replays < SHRINK_REPLAYS; ) {
        List<Op> candidate = new ArrayList<>(smallest.subList(0, from));
        candidate.addAll(smallest.subList(from + chunk, smallest.size()));
        Failure f = replay(config, candidate);
        replays++;
        if (f != null) {
          smallest = new ArrayList<>(candidate.subList(0, f.steps()));
          last = f;
          removedSome = true;
        } else {
          from += chunk;
        }
      }
      if (chunk > 1) {
        chunk /= 2;
      } else if (!removedSome) {
        break;
      }
    }
    return new AssertionError(
        header
            + "; shrunk to "
            + smallest.size()
            + " steps in "
            + replays
            + " replays"
            + (replays >= SHRINK_REPLAYS
                ? " (cut short: more replays might shrink it further)"
                : "")
            + ":\n"
            + last.error().getMessage()
            + "\n\nAs drawn:\n"
            + first.error().getMessage(),
        last.error());
  }

  /** One sequence: a fresh cache, its model, and the steps so far (for the failure message). */
  static final class ModelRun {
    final Config config;
    final String name = Managers.uniqueName("model");
    final Recorder recorder;

    /** The listener of the other CacheManager ({@link Config#listenedToElsewhere}), else null. */
    final Recorder remote;

    final MapWriter writer;
    final Cache<String, Long> cache;
    final Cache<String, Long> fromElsewhere;
    final CacheModel model = new CacheModel();
    final List<String> steps = new ArrayList<>();

    ModelRun(Config config) {
      this.config = config;
      this.recorder = config.listens ? new Recorder() : null;
      this.writer = config.writeThrough ? new MapWriter() : null;
      this.remote = config.listenedToElsewhere ? new Recorder() : null;
      if (remote != null) {
        // the other manager listens first: this one opens the cache knowing it must publish
        this.fromElsewhere =
            elsewhere.createCache(
                name,
                new CascadeConfiguration<String, Long>()
                    .setTypes(String.class, Long.class)
                    .addCacheEntryListenerConfiguration(
                        new MutableCacheEntryListenerConfiguration<>(
                            FactoryBuilder.factoryOf(remote), null, true, false)));
        this.cache = manager.createCache(name, config.configuration(recorder, writer));
      } else {
        this.cache = manager.createCache(name, config.configuration(recorder, writer));
        this.fromElsewhere = elsewhere.getCache(name, String.class, Long.class);
      }
      EntryOperations<?, ?> engine = cache.unwrap(CascadeCache.class).operations();
      if (engine.takesPlainWrites() != config.plain
          || (engine.nearCache() != null) != (config.nearCache > 0)) {
        close();
        // not a model failure: the configuration no longer takes the path it is here to test
        throw new IllegalStateException(
            config
                + " is meant to "
                + (config.plain ? "" : "not ")
                + "take the plain"
                + " path"
                + (config.nearCache > 0 ? " with" : " without")
                + " a near cache, but plainWrites() is "
                + engine.takesPlainWrites()
                + " and the near cache "
                + engine.nearCache());
      }
    }

    void step(Op op) {
      steps.add(op.toString());
      try {
        check(op);
      } catch (RuntimeException e) {
        throw failure(op + " or a read after it threw " + e, e);
      }
    }

    private void check(Op op) {
      Object actual = op.onCache(cache);
      List<Event> expectedEvents = new ArrayList<>();
      Object expected = op.onModel(model, expectedEvents);
      if (!Objects.equals(expected, actual)) {
        throw failure(
            op + " returned " + shown(actual) + "; the model says " + shown(expected), null);
      }
      if (recorder != null) {
        List<Event> heard = Event.sorted(recorder.drainOthers());
        List<Event> meant = Event.sorted(expectedEvents);
        if (!heard.equals(meant)) {
          throw failure(
              "by the time "
                  + op
                  + " returned, the synchronous listener had heard "
                  + heard
                  + "; the model says "
                  + meant,
              null);
        }
      }
      if (remote != null) {
        // another JVM hears the change through pub/sub, after the call returned: wait (bounded) for
        // it
        long deadline = System.currentTimeMillis() + QUIESCENCE_MILLIS;
        while (remote.others().size() < expectedEvents.size()
            && System.currentTimeMillis() < deadline) {
          sleep(1);
        }
        List<Event> heard = Event.sorted(remote.drainOthers());
        List<Event> meant = Event.sorted(expectedEvents);
        if (!heard.equals(meant)) {
          throw failure(
              "after "
                  + op
                  + " the listener of another CacheManager heard "
                  + heard
                  + " (within "
                  + QUIESCENCE_MILLIS
                  + " ms); the model says "
                  + meant,
              null);
        }
      }
      Map<String, Long> here = new TreeMap<>(cache.getAll(KEY_SET));
      if (!here.equals(model.entries)) {
        throw failure(
            "after "
                + op
                + " the cache holds "
                + show(here)
                + "; the model says "
                + show(model.entries),
            null);
      }
      Map<String, Long> there = new TreeMap<>(fromElsewhere.getAll(KEY_SET));
      if (!there.equals(model.entries)) {
        throw failure(
            "after "
                + op
                + " another CacheManager reads "
                + show(there)
                + "; the model says "
                + show(model.entries),
            null);
      }
      if (writer != null && !config.behind && !writer.contents().equals(model.written)) {
        throw failure(
            "after "
                + op
                + " the write-through writer holds "
                + show(writer.contents())
                + "; the model says "
                + show(model.written),
            null);
      }
    }

    private AssertionError failure(String what, Throwable cause) {
      StringBuilder message =
          new StringBuilder()
              .append(config)
              .append(" (")
              .append(config.description)
              .append("), cache '")
              .append(name)
              .append("': ")
              .append(what)
              .append("\nThe steps from an empty cache; the last one failed:");
      for (int i = 0; i < steps.size(); i++) {
        message.append("\n  ").append(i + 1).append(". cache.").append(steps.get(i)).append(';');
      }
      return new AssertionError(message.toString(), cause);
    }

    /**
     * A write-behind cache: waits (bounded) until its queue drained, then the writer must hold what
     * the model says it was given. Nothing to wait for otherwise (checked after every step).
     */
    void drained() {
      if (!config.behind) {
        return;
      }
      WriteBehindMXBean queue = cache.unwrap(CascadeCache.class).writeBehind();
      long deadline = System.currentTimeMillis() + 30_000;
      while (queue.getQueueDepth() > 0) {
        if (System.currentTimeMillis() > deadline) {
          throw failure(
              "the write-behind queue did not drain within 30 s: "
                  + queue.getQueueDepth()
                  + " records, last error "
                  + queue.getLastError(),
              null);
        }
        sleepMillis(5);
      }
      if (!writer.contents().equals(model.written)) {
        throw failure(
            "once the queue drained the writer holds "
                + show(writer.contents())
                + "; the model says "
                + show(model.written),
            null);
      }
    }

    void close() {
      try {
        fromElsewhere.close();
      } finally {
        manager.destroyCache(name);
      }
    }
  }

  // ------------------------------------------------------------------ two managers, many threads

  private static final int THREADS_PER_MANAGER = 4;
  private static final int STEPS_PER_THREAD = 1000 * SCALE;
  private static final String COUNTER = "counter";

  @Test
  void threadsOfTwoManagers_nearCacheWithExpiry_agreeWithTheirModelsAndHearEachOther()
      throws Exception {
    new TwoManagers(firstSeed(), Config.NEAR_CACHE_EXPIRING).run();
  }

  @Test
  void threadsOfTwoManagers_writeThrough_agreeWithTheirModelsAndWriterAndHearEachOther()
      throws Exception {
    new TwoManagers(firstSeed(), Config.WRITE_THROUGH).run();
  }

  /**
   * One run: the operations of every thread are drawn up front from {@code seed} (the same seed
   * draws the same operations again; the interleaving is the machine's).
   */
  static final class TwoManagers {
    final long seed;
    final Config config;
    final List<Worker> workers = new ArrayList<>();

    TwoManagers(long seed, Config config) {
      this.seed = seed;
      this.config = config;
    }

    /** One thread: its manager, its own keys, its operations drawn in advance, and its model. */
    final class Worker {
      final String id;
      final int side;
      final List<String> keys;
      final List<Op> plan = new ArrayList<>();
      final CacheModel model = new CacheModel();

      /** Events the model says each own key produced, in order. */
      final Map<String, List<Event>> eventsByKey = new TreeMap<>();

      final List<Long> increments = new ArrayList<>();
      int done;
      Cache<String, Long> cache;
      Recorder recorder;
      Thread thread;

      Worker(int side, int index) {
        this.side = side;
        this.id = (side == 0 ? "A" : "B") + index;
        this.keys = List.of(id + "-x", id + "-y", id + "-z");
        keys.forEach(k -> eventsByKey.put(k, new ArrayList<>()));
      }

      void run() {
        recorder.registerCaller(Thread.currentThread());
        for (Op op : plan) {
          if (op instanceof CountUp) {
            countUp();
          } else {
            apply(op);
          }
          done++;
        }
      }

      private void countUp() {
        long value = cache.invoke(COUNTER, new Increment());
        if (!increments.isEmpty() && value <= increments.get(increments.size() - 1)) {
          throw failure(
              "the shared counter went from "
                  + increments.get(increments.size() - 1)
                  + " to "
                  + value);
        }
        increments.add(value);
        expectHeard(List.of(counterEvent(value)), "incrementing the counter to " + value);
      }

      private void apply(Op op) {
        Object actual = op.onCache(cache);
        List<Event> events = new ArrayList<>();
        Object expected = op.onModel(model, events);
        if (expected != CacheModel.ANY_RESULT && !Objects.equals(expected, actual)) {
          throw failure(op + " returned " + shown(actual) + "; the model says " + shown(expected));
        }
        expectHeard(events, op.toString());
        events.forEach(e -> eventsByKey.get(e.key()).add(e));
        Map<String, Long> own = new TreeMap<>(cache.getAll(new TreeSet<>(keys)));
        if (!own.equals(model.entries)) {
          throw failure(
              "after "
                  + op
                  + " the thread's keys hold "
                  + show(own)
                  + "; the model says "
                  + show(model.entries));
        }
      }

      private void expectHeard(List<Event> events, String what) {
        List<Event> heard = Event.sorted(recorder.drainCaller(Thread.currentThread()));
        if (!heard.equals(Event.sorted(events))) {
          throw failure(
              "by the time "
                  + what
                  + " returned, the synchronous listener had heard "
                  + heard
                  + "; expected "
                  + Event.sorted(events));
        }
      }

      /** The failure with the thread's last steps; the seed draws all of them again. */
      AssertionError failure(String what) {
        int upTo = Math.min(done + 1, plan.size());
        int from = Math.max(0, upTo - 40);
        StringBuilder message =
            new StringBuilder(describe())
                .append(", thread ")
                .append(id)
                .append(", step ")
                .append(done + 1)
                .append(": ")
                .append(what)
                .append("\nIts steps ")
                .append(from + 1)
                .append(" to ")
                .append(upTo)
                .append(" (it changes only its own keys and the shared counter):");
        for (int i = from; i < upTo; i++) {
          message.append("\n  ").append(i + 1).append(". cache.").append(plan.get(i)).append(';');
        }
        return new AssertionError(message.toString());
      }
    }

    /**
     * Adds one to the shared counter (not a model operation: no thread's model knows its value).
     */
    record CountUp() implements Op {
      public Object onCache(Cache<String, Long> c) {
        throw new UnsupportedOperationException();
      }

      public Object onModel(CacheModel m, List<Event> events) {
        throw new UnsupportedOperationException();
      }

      public String toString() {
        return "invoke(\"" + COUNTER + "\", increment)";
      }
    }

    String describe() {
      return config + " with two managers, " + rerun(seed);
    }

    void run() throws Exception {
      CacheManager a = Managers.open(redis);
      CacheManager b = Managers.open(redis);
      String name = Managers.uniqueName("model-shared");
      try {
        Recorder[] recorders = {new Recorder(), new Recorder()};
        MapWriter writer =
            config.writeThrough ? new MapWriter() : null; // one table, as if one database
        // B first: A then opens the cache knowing someone else listens, so it publishes from its
        // first change
        Cache<String, Long> inB = b.createCache(name, config.configuration(recorders[1], writer));
        Cache<String, Long> inA = a.createCache(name, config.configuration(recorders[0], writer));
        List<Cache<String, Long>> caches = List.of(inA, inB);
        plan(caches, recorders);
        runAll();

        List<String> allKeys = new ArrayList<>();
        Map<String, Long> expected = new TreeMap<>();
        Map<String, Long> expectedWritten = new TreeMap<>();
        List<Long> increments = new ArrayList<>();
        for (Worker w : workers) {
          allKeys.addAll(w.keys);
          expected.putAll(w.model.entries);
          expectedWritten.putAll(w.model.written);
          increments.addAll(w.increments);
        }
        allKeys.add(COUNTER);
        Collections.sort(increments);
        List<Long> oneToN = new ArrayList<>();
        for (long i = 1; i <= increments.size(); i++) {
          oneToN.add(i);
        }
        if (!increments.equals(oneToN)) {
          throw new AssertionError(
              describe()
                  + ": the "
                  + increments.size()
                  + " increments of the shared counter returned "
                  + increments
                  + ", not 1.."
                  + increments.size());
        }
        if (!increments.isEmpty()) {
          expected.put(COUNTER, (long) increments.size());
          expectedWritten.put(COUNTER, (long) increments.size());
        }

        // another manager's near cache drops a changed key when Redis' invalidation arrives: soon,
        // not at once
        for (int side = 0; side < 2; side++) {
          Cache<String, Long> cache = caches.get(side);
          Map<String, Long> read =
              awaitValue(() -> new TreeMap<>(cache.getAll(new TreeSet<>(allKeys))), expected);
          if (!read.equals(expected)) {
            throw new AssertionError(
                describe()
                    + ": manager "
                    + (side == 0 ? "A" : "B")
                    + " reads "
                    + difference(read, expected)
                    + " (read vs the threads' models) after "
                    + QUIESCENCE_MILLIS
                    + " ms");
          }
        }
        if (writer != null && !writer.contents().equals(expectedWritten)) {
          throw new AssertionError(
              describe()
                  + ": the write-through writer holds "
                  + difference(writer.contents(), expectedWritten)
                  + " (writer vs the threads' models)");
        }
        for (int side = 0; side < 2; side++) {
          checkHeardFromOtherSide(side, recorders[side]);
        }
      } finally {
        try {
          a.destroyCache(name);
        } finally {
          a.close();
          b.close();
        }
      }
    }

    private void plan(List<Cache<String, Long>> caches, Recorder[] recorders) {
      Random random = new Random(seed);
      List<String> everyKey = new ArrayList<>();
      for (int side = 0; side < 2; side++) {
        for (int i = 0; i < THREADS_PER_MANAGER; i++) {
          Worker w = new Worker(side, i);
          w.cache = caches.get(side);
          w.recorder = recorders[side];
          workers.add(w);
          everyKey.addAll(w.keys);
        }
      }
      for (Worker w : workers) {
        Operations ops = new Operations(w.keys, false);
        for (int n = 0; n < STEPS_PER_THREAD; n++) {
          int dice = random.nextInt(10);
          if (dice == 0) {
            w.plan.add(new CountUp());
          } else if (dice == 1) {
            w.plan.add(new CacheModel.Peek(everyKey.get(random.nextInt(everyKey.size()))));
          } else {
            w.plan.add(ops.next(random));
          }
        }
      }
    }

    private void runAll() throws InterruptedException {
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (Worker w : workers) {
        w.thread =
            new Thread(
                () -> {
                  try {
                    w.run();
                  } catch (AssertionError e) {
                    failures.add(e);
                  } catch (Throwable e) {
                    failures.add(w.failure("threw " + e).initCause(e));
                  }
                },
                "model-" + w.id);
      }
      workers.forEach(w -> w.thread.start());
      for (Worker w : workers) {
        w.thread.join(TimeUnit.MINUTES.toMillis(5));
        if (w.thread.isAlive()) {
          failures.add(w.failure("still running after 5 minutes"));
          w.thread.interrupt();
        }
      }
      if (!failures.isEmpty()) {
        AssertionError first = new AssertionError(failures.get(0).getMessage(), failures.get(0));
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        throw first;
      }
    }

    /**
     * The listener of one side must hear, from other threads than its own callers, exactly the
     * other side's changes: per key in the order the other side's thread made them, and one counter
     * event per increment made there. Waits (bounded) until as many have arrived as were made.
     */
    private void checkHeardFromOtherSide(int side, Recorder recorder) throws InterruptedException {
      Map<String, List<Event>> expected = new TreeMap<>();
      List<Event> counter = new ArrayList<>();
      int count = 0;
      for (Worker w : workers) {
        if (w.side == side) {
          w.keys.forEach(
              k -> expected.put(k, List.of())); // its own changes it heard synchronously, not twice
        } else {
          expected.putAll(w.eventsByKey);
          w.increments.forEach(v -> counter.add(counterEvent(v)));
        }
      }
      for (List<Event> events : expected.values()) {
        count += events.size();
      }
      count += counter.size();
      long deadline = System.currentTimeMillis() + QUIESCENCE_MILLIS;
      while (recorder.others().size() < count && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      Map<String, List<Event>> heard = new TreeMap<>();
      expected.keySet().forEach(k -> heard.put(k, new ArrayList<>()));
      List<Event> heardCounter = new ArrayList<>();
      for (Event e : recorder.others()) {
        if (e.key().equals(COUNTER)) {
          heardCounter.add(e);
        } else {
          heard.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
        }
      }
      String manager = side == 0 ? "A" : "B";
      for (String key : heard.keySet()) {
        if (!heard.get(key).equals(expected.getOrDefault(key, List.of()))) {
          throw new AssertionError(
              describe()
                  + ": manager "
                  + manager
                  + "'s listener heard, for key \""
                  + key
                  + "\" from the other manager, "
                  + heard.get(key)
                  + "; the other manager's thread made "
                  + expected.getOrDefault(key, List.of()));
        }
      }
      if (!Event.sorted(heardCounter).equals(Event.sorted(counter))) {
        throw new AssertionError(
            describe()
                + ": manager "
                + manager
                + "'s listener heard the other manager's "
                + counter.size()
                + " increments of the counter as "
                + Event.sorted(heardCounter)
                + "; expected "
                + Event.sorted(counter));
      }
    }
  }

  private static Event counterEvent(long value) {
    return value == 1 ? Event.created(COUNTER, 1L) : Event.updated(COUNTER, value, value - 1);
  }

  /**
   * Reads until the answer equals {@code expected} or the quiescence bound passes; returns the last
   * answer.
   */
  private static <T> T awaitValue(Supplier<T> read, T expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + QUIESCENCE_MILLIS;
    T last = read.get();
    while (!last.equals(expected) && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
      last = read.get();
    }
    return last;
  }

  @SuppressWarnings("unchecked")
  private static String shown(Object result) {
    return result instanceof Map ? show((Map<String, ?>) result) : String.valueOf(result);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for events", e);
    }
  }

  private static String difference(Map<String, Long> actual, Map<String, Long> expected) {
    Map<String, String> diff = new LinkedHashMap<>();
    Set<String> keys = new TreeSet<>(actual.keySet());
    keys.addAll(expected.keySet());
    for (String k : keys) {
      if (!Objects.equals(actual.get(k), expected.get(k))) {
        diff.put(k, actual.get(k) + " vs " + expected.get(k));
      }
    }
    return show(diff);
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
