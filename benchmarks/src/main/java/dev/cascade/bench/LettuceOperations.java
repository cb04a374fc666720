package dev.cascade.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The practical limit: raw Lettuce on one shared {@link StatefulRedisConnection}, the way Cascade
 * talks to Redis. Each entry is a hash with field {@code v}, as in Cascade's layout.
 *
 * <ul>
 *   <li>get / put: {@code HGET} / {@code HSET} through the sync API of the shared connection
 *       (Lettuce pipelines the commands of concurrent callers on it);
 *   <li>getAll / putAll: {@value Data#BATCH} {@code HGET} / {@code HSET} sent through the async API
 *       without waiting, then awaited together: one pipeline;
 *   <li>invoke: {@code HGET}, then {@code HSET} of the value plus one: what a general entry
 *       processor needs at the least (read, compute in the client, write), two round trips, and not
 *       atomic (concurrent increments of one counter can be lost; the keys are random, so they
 *       rarely meet);
 *   <li>invokeHincrby: {@code HINCRBY}, one WATCH-free command (no script): the cheapest atomic
 *       increment Redis offers, a limit rather than an equivalent of a general entry processor.
 * </ul>
 */
final class LettuceOperations implements Operations {

  private static final String FIELD = "v";
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> sync;
  private final RedisAsyncCommands<String, String> async;

  private LettuceOperations(String uri) {
    client = RedisClient.create(uri);
    connection = client.connect();
    sync = connection.sync();
    async = connection.async();
  }

  /**
   * Opens a connection to {@code uri} with every key of {@link Data} present (for any operation).
   */
  static LettuceOperations open(String uri, Op op) {
    LettuceOperations ops = new LettuceOperations(uri);
    try {
      for (Map<String, String> chunk : Data.allEntries(1_000)) {
        List<RedisFuture<?>> replies = new ArrayList<>(chunk.size() * 2);
        for (Map.Entry<String, String> e : chunk.entrySet()) {
          replies.add(ops.async.hset(entry(e.getKey()), FIELD, e.getValue()));
          if (op == Op.INVOKE || op == Op.INVOKE_HINCRBY) {
            replies.add(ops.async.hset(counter(e.getKey()), FIELD, "0"));
          }
        }
        ops.awaitAll(replies);
      }
      return ops;
    } catch (RuntimeException e) {
      ops.close();
      throw e;
    }
  }

  private static String entry(String key) {
    return "bench:" + key;
  }

  private static String counter(String key) {
    return "counter:" + key;
  }

  @Override
  public String getHit() {
    return sync.hget(entry(Data.randomKey()), FIELD);
  }

  @Override
  public String getMiss() {
    return sync.hget(entry(Data.randomMissingKey()), FIELD);
  }

  @Override
  public Boolean put() {
    return sync.hset(entry(Data.randomKey()), FIELD, Data.randomValue());
  }

  @Override
  public Map<String, String> getAll() {
    Set<String> keys = Data.randomKeySet();
    List<String> order = new ArrayList<>(keys.size());
    List<RedisFuture<String>> replies = new ArrayList<>(keys.size());
    for (String k : keys) {
      order.add(k);
      replies.add(async.hget(entry(k), FIELD));
    }
    awaitAll(replies);
    Map<String, String> result = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      String v = replies.get(i).toCompletableFuture().getNow(null);
      if (v != null) {
        result.put(order.get(i), v);
      }
    }
    return result;
  }

  @Override
  public Integer putAll() {
    Map<String, String> entries = Data.randomEntries();
    List<RedisFuture<Boolean>> replies = new ArrayList<>(entries.size());
    for (Map.Entry<String, String> e : entries.entrySet()) {
      replies.add(async.hset(entry(e.getKey()), FIELD, e.getValue()));
    }
    awaitAll(replies);
    return replies.size();
  }

  @Override
  public Long invoke() {
    String key = counter(Data.randomKey());
    String current = sync.hget(key, FIELD);
    long next = (current == null ? 0 : Long.parseLong(current)) + 1;
    sync.hset(key, FIELD, Long.toString(next));
    return next;
  }

  @Override
  public Long invokeHincrby() {
    return sync.hincrby(counter(Data.randomKey()), FIELD, 1);
  }

  private void awaitAll(List<? extends RedisFuture<?>> replies) {
    if (!LettuceFutures.awaitAll(AWAIT, replies.toArray(new RedisFuture<?>[0]))) {
      throw new IllegalStateException(
          "Redis did not answer " + replies.size() + " pipelined commands within " + AWAIT);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown();
    }
  }
}
