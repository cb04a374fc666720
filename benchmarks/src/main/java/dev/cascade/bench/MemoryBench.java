package dev.cascade.bench;

import dev.cascade.CascadeCache;
import dev.cascade.testing.RedisBinary;
import dev.cascade.testing.RedisServer;
import dev.cascade.writebehind.WriteBehind;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.integration.CacheWriter;

/**
 * Redis memory per entry: Cascade (plain, with an expiry policy, write-behind after its queue
 * drained), plain {@code SET}, {@code SET PX}, {@code HSET key v value} and Redisson's JCache, each
 * filled with the same N entries ({@code user:100000}, {@code user:100001}, ... and values of a
 * given size) into an empty private redis-server. Per entry: the {@code INFO memory} {@code
 * used_memory} delta divided by N (everything the entries cost: keys, values, dictionary buckets,
 * the expires dictionary, streams), and {@code MEMORY USAGE key SAMPLES 0} averaged over sample
 * keys (what one key costs, without the main and expires dictionaries' share).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar memory [--entries N] [--sizes 100,1024]
 *     [--servers default,embedded] [--listpack-values default,1024] [--only REGEX]
 * </pre>
 *
 * {@code --servers}: {@code default} is the redis-server {@link RedisBinary#resolve()} finds (the
 * PATH), {@code embedded} the Redis 6.2 inside the embedded-redis jar. {@code --listpack-values}:
 * the server's {@code hash-max-listpack-value} ({@code hash-max-ziplist-value} on 6.2) for each
 * run, {@code default} leaving Redis's own (64). Every combination runs on its own fresh server.
 */
final class MemoryBench {

  private static final String CACHE = "users";
  private static final long HOUR_MS = 3_600_000L;
  private static final int CHUNK = 100;

  private MemoryBench() {}

  /** One way of storing N entries. */
  interface Variant {
    String name();

    /** Opens what the variant needs (before the "before" reading of used_memory). */
    default void open(String uri) {}

    void fill(String uri, int entries, int size);

    /** Waits until what the variant does in the background is done (a write-behind drain). */
    default void settle() {}

    /** SCAN MATCH pattern of the keys {@code MEMORY USAGE} samples. */
    String samplePattern();

    /** How many entries one sampled key holds (Redisson keeps the whole cache in one hash). */
    default int entriesPerSampledKey(int entries) {
      return 1;
    }

    /** Whether the entries carry a TTL (compared with SET PX as well as with SET). */
    default boolean expires() {
      return false;
    }

    default void close() {}
  }

  /** What one variant measured at one value size. */
  record Result(
      String variant,
      int size,
      double bytesPerEntry,
      double memoryUsage,
      String encoding,
      double keyLength,
      long keys,
      long expires,
      boolean withTtl) {}

  static void main(String[] args) throws Exception {
    int entries = 100_000;
    List<Integer> sizes = List.of(100, 1024);
    List<String> servers = List.of("default");
    List<String> listpackValues = List.of("default", "1024");
    String only = ".*";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--entries" -> entries = Integer.parseInt(args[++i]);
        case "--sizes" -> sizes = parseInts(args[++i]);
        case "--servers" -> servers = List.of(args[++i].split(","));
        case "--listpack-values" -> listpackValues = List.of(args[++i].split(","));
        case "--only" -> only = args[++i];
        default -> {
          System.err.println(
              "usage: memory [--entries N] [--sizes 100,1024] [--servers default,embedded]"
                  + " [--listpack-values default,1024] [--only REGEX]");
          System.exit(2);
        }
      }
    }
    System.out.println(
        "memory per entry: "
            + entries
            + " entries per variant, String keys user:100000.., cache '"
            + CACHE
            + "', values of "
            + sizes
            + " bytes");
    for (String server : servers) {
      for (String listpackValue : listpackValues) {
        run(server, listpackValue, entries, sizes, only);
      }
    }
  }

  private static List<Integer> parseInts(String list) {
    List<Integer> out = new ArrayList<>();
    for (String s : list.split(",")) {
      out.add(Integer.parseInt(s.trim()));
    }
    return out;
  }

  private static void run(
      String serverKind, String listpackValue, int entries, List<Integer> sizes, String only)
      throws Exception {
    RedisBinary binary = binary(serverKind);
    RedisServer.Builder builder = RedisServer.builder().binary(binary);
    // the 6.2 name; Redis 7 takes it as an alias of hash-max-listpack-value. "default" is Redis'
    // own default, 64 (test-support's servers are configured as Cascade recommends, 1024)
    builder.config(
        "hash-max-ziplist-value", "default".equals(listpackValue) ? "64" : listpackValue);
    try (RedisServer server = builder.start()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> redis = connection.sync();
        String version = server.info("server").get("redis_version");
        List<String> limit = redis.configGet("hash-max-ziplist-value").values().stream().toList();
        System.out.println();
        System.out.println(
            "Redis "
                + version
                + " ("
                + binary.path()
                + "), hash-max-ziplist-value (hash-max-listpack-value on 7) "
                + String.join(",", limit)
                + ", maxmemory-policy "
                + String.join(",", redis.configGet("maxmemory-policy").values()));
        List<Result> results = new ArrayList<>();
        for (int size : sizes) {
          for (Variant variant : variants()) {
            if (!variant.name().matches(only)) {
              continue;
            }
            results.add(measure(server.uri(), redis, variant, entries, size));
          }
        }
        print(results);
      } finally {
        client.shutdown();
      }
    }
  }

  private static RedisBinary binary(String kind) {
    if ("default".equals(kind)) {
      return RedisBinary.resolve();
    }
    if (!RedisBinary.EMBEDDED.equals(kind)) {
      throw new IllegalArgumentException("--servers takes default and/or embedded, not " + kind);
    }
    String before = System.getProperty(RedisBinary.PROPERTY);
    System.setProperty(RedisBinary.PROPERTY, RedisBinary.EMBEDDED);
    try {
      return RedisBinary.resolve();
    } finally {
      if (before == null) {
        System.clearProperty(RedisBinary.PROPERTY);
      } else {
        System.setProperty(RedisBinary.PROPERTY, before);
      }
    }
  }

  private static Result measure(
      String uri, RedisCommands<String, String> redis, Variant variant, int entries, int size)
      throws InterruptedException {
    redis.flushall();
    variant.open(uri);
    try {
      Thread.sleep(500);
      long before = usedMemory(redis);
      variant.fill(uri, entries, size);
      variant.settle();
      // lets serverCron finish an incremental rehash and clientsCron shrink the query buffers
      Thread.sleep(2_500);
      long after = usedMemory(redis);
      List<String> sample = sampleKeys(redis, variant.samplePattern(), 50);
      if (sample.isEmpty()) {
        throw new IllegalStateException(
            variant.name() + ": no key matches " + variant.samplePattern());
      }
      long usage = 0;
      long keyLength = 0;
      for (String key : sample) {
        usage += redis.memoryUsage(key);
        keyLength += key.length();
      }
      double perEntry = (double) usage / sample.size() / variant.entriesPerSampledKey(entries);
      Map<String, String> keyspace = parseInfo(redis.info("keyspace"));
      long keys = 0;
      long expires = 0;
      String db0 = keyspace.get("db0");
      if (db0 != null) {
        for (String part : db0.split(",")) {
          String[] kv = part.split("=");
          if (kv[0].equals("keys")) {
            keys = Long.parseLong(kv[1]);
          } else if (kv[0].equals("expires")) {
            expires = Long.parseLong(kv[1]);
          }
        }
      }
      String first = sample.get(0);
      Result result =
          new Result(
              variant.name(),
              size,
              (double) (after - before) / entries,
              perEntry,
              redis.objectEncoding(first),
              (double) keyLength / sample.size(),
              keys,
              expires,
              variant.expires());
      System.out.printf(
          Locale.ROOT,
          "  %-22s %5d B: %8.1f B/entry (used_memory), MEMORY USAGE %8.1f, %s, e.g. %s%n",
          result.variant(),
          size,
          result.bytesPerEntry(),
          result.memoryUsage(),
          result.encoding(),
          first);
      return result;
    } finally {
      variant.close();
      redis.flushall();
    }
  }

  private static long usedMemory(RedisCommands<String, String> redis) {
    return Long.parseLong(parseInfo(redis.info("memory")).get("used_memory"));
  }

  private static Map<String, String> parseInfo(String info) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        map.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return map;
  }

  private static List<String> sampleKeys(
      RedisCommands<String, String> redis, String pattern, int wanted) {
    List<String> keys = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      var page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
      for (String key : page.getKeys()) {
        if (keys.size() < wanted) {
          keys.add(key);
        }
      }
      cursor = page;
    } while (!cursor.isFinished() && keys.size() < wanted);
    return keys;
  }

  private static void print(List<Result> results) {
    System.out.println();
    System.out.println(
        String.format(
            Locale.ROOT,
            "%-22s %6s %10s %7s %8s %12s %10s %7s %9s %9s",
            "variant",
            "value",
            "B/entry",
            "/SET",
            "/SET PX",
            "MEMORY USAGE",
            "encoding",
            "key len",
            "keys",
            "expires"));
    System.out.println("-".repeat(108));
    for (Result r : results) {
      Result set = find(results, "SET", r.size());
      Result setPx = find(results, "SET PX", r.size());
      System.out.println(
          String.format(
              Locale.ROOT,
              "%-22s %6d %10.1f %7s %8s %12.1f %10s %7.1f %9d %9d",
              r.variant(),
              r.size(),
              r.bytesPerEntry(),
              set == null ? "-" : ratio(r.bytesPerEntry(), set.bytesPerEntry()),
              setPx == null || !r.withTtl() ? "-" : ratio(r.bytesPerEntry(), setPx.bytesPerEntry()),
              r.memoryUsage(),
              r.encoding(),
              r.keyLength(),
              r.keys(),
              r.expires()));
    }
    System.out.println(
        "B/entry: INFO memory used_memory after - before filling, / entries; MEMORY USAGE: mean of"
            + " MEMORY USAGE <key> SAMPLES 0 over up to 50 keys (Redisson: its one hash / entries);"
            + " key len: mean over the same keys");
  }

  private static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }

  private static Result find(List<Result> results, String variant, int size) {
    for (Result r : results) {
      if (r.variant().equals(variant) && r.size() == size) {
        return r;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ data

  static String key(int i) {
    return "user:" + (100_000 + i);
  }

  /** A value of exactly {@code size} bytes, different for each entry, never a number. */
  static String value(int i, int size) {
    StringBuilder sb = new StringBuilder(size);
    sb.append('v').append(i).append(':');
    while (sb.length() < size) {
      sb.append((char) ('a' + (sb.length() % 26)));
    }
    sb.setLength(size);
    return sb.toString();
  }

  private static void awaitAll(Collection<RedisFuture<?>> futures) {
    for (RedisFuture<?> f : futures) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("a fill command failed", e);
      }
    }
    futures.clear();
  }

  // ------------------------------------------------------------------ variants

  static List<Variant> variants() {
    return List.of(
        new RawVariant("SET", false),
        new RawVariant("SET PX", true),
        new HashVariant(),
        new JCacheVariant("Cascade", JCacheOperations.Provider.CASCADE, Kind.PLAIN),
        new JCacheVariant("Cascade expiry", JCacheOperations.Provider.CASCADE, Kind.EXPIRY),
        new JCacheVariant(
            "Cascade write-behind", JCacheOperations.Provider.CASCADE, Kind.WRITE_BEHIND),
        new JCacheVariant("Redisson", JCacheOperations.Provider.REDISSON, Kind.PLAIN),
        new JCacheVariant("Redisson expiry", JCacheOperations.Provider.REDISSON, Kind.EXPIRY));
  }

  /** {@code SET key value} (or with {@code PX} one hour), pipelined. */
  private record RawVariant(String name, boolean expires) implements Variant {

    @Override
    public void fill(String uri, int entries, int size) {
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        RedisAsyncCommands<String, String> async = c.async();
        List<RedisFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
          pending.add(
              expires
                  ? async.set(key(i), value(i, size), SetArgs.Builder.px(HOUR_MS))
                  : async.set(key(i), value(i, size)));
          if (pending.size() == 1000) {
            awaitAll(pending);
          }
        }
        awaitAll(pending);
      } finally {
        client.shutdown();
      }
    }

    @Override
    public String samplePattern() {
      return "user:*";
    }
  }

  /** {@code HSET key v value}: Cascade's entry without its key prefix and meta fields. */
  private static final class HashVariant implements Variant {
    @Override
    public String name() {
      return "HSET key v value";
    }

    @Override
    public void fill(String uri, int entries, int size) {
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        RedisAsyncCommands<String, String> async = c.async();
        List<RedisFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
          pending.add(async.hset(key(i), "v", value(i, size)));
          if (pending.size() == 1000) {
            awaitAll(pending);
          }
        }
        awaitAll(pending);
      } finally {
        client.shutdown();
      }
    }

    @Override
    public String samplePattern() {
      return "user:*";
    }
  }

  enum Kind {
    PLAIN,
    EXPIRY,
    WRITE_BEHIND
  }

  /** A JCache provider's cache {@value #CACHE}, filled with {@code putAll} of 100 entries. */
  private static final class JCacheVariant implements Variant {
    private final String name;
    private final JCacheOperations.Provider provider;
    private final Kind kind;
    private CacheManager manager;
    private Cache<String, String> cache;
    private Path configFile;

    JCacheVariant(String name, JCacheOperations.Provider provider, Kind kind) {
      this.name = name;
      this.provider = provider;
      this.kind = kind;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean expires() {
      return kind == Kind.EXPIRY;
    }

    @Override
    public void open(String uri) {
      ClassLoader loader = MemoryBench.class.getClassLoader();
      var p = Caching.getCachingProvider(provider.className);
      if (provider == JCacheOperations.Provider.CASCADE) {
        manager = p.getCacheManager(URI.create(uri), loader);
      } else {
        configFile = JCacheOperations.redissonConfig(uri);
        manager = p.getCacheManager(configFile.toUri(), loader);
      }
      MutableConfiguration<String, String> config =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      if (kind == Kind.EXPIRY) {
        config.setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ONE_HOUR));
      } else if (kind == Kind.WRITE_BEHIND) {
        config
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.of(FactoryBuilder.factoryOf(NoWriter.class)).build());
      }
      cache = manager.createCache(CACHE, config);
    }

    @Override
    public void fill(String uri, int entries, int size) {
      Map<String, String> chunk = new LinkedHashMap<>();
      for (int i = 0; i < entries; i++) {
        chunk.put(key(i), value(i, size));
        if (chunk.size() == CHUNK) {
          cache.putAll(chunk);
          chunk.clear();
        }
      }
      if (!chunk.isEmpty()) {
        cache.putAll(chunk);
      }
    }

    @Override
    public void settle() {
      if (kind != Kind.WRITE_BEHIND) {
        return;
      }
      var writeBehind = cache.unwrap(CascadeCache.class).writeBehind();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (writeBehind.getQueueDepth() > 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the write-behind queue did not drain in 300 s: " + writeBehind.getQueueDepth());
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public String samplePattern() {
      return provider == JCacheOperations.Provider.CASCADE ? "cascade:" + CACHE + ":{*" : CACHE;
    }

    @Override
    public int entriesPerSampledKey(int entries) {
      return provider == JCacheOperations.Provider.CASCADE ? 1 : entries;
    }

    @Override
    public void close() {
      try {
        if (manager != null) {
          manager.close();
        }
      } finally {
        manager = null;
        cache = null;
        if (configFile != null) {
          try {
            Files.deleteIfExists(configFile);
          } catch (java.io.IOException ignored) {
            // deleteOnExit is the fallback
          }
          configFile = null;
        }
      }
    }
  }

  /** A writer that writes nothing: the write-behind variant measures Redis, not a database. */
  public static final class NoWriter implements CacheWriter<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {}

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      entries.clear();
    }

    @Override
    public void delete(Object key) {}

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.clear();
    }
  }
}
