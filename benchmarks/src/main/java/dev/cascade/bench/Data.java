package dev.cascade.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fixed data every system under test gets: {@value #KEYS} keys, all present before timing
 * starts (so gets hit), {@value #VALUE_BYTES}-byte ASCII values, keys that are never stored (for
 * misses), and pre-built batches of {@value #BATCH} distinct keys for getAll/putAll, so building a
 * batch is not timed. Deterministic (fixed seed) and immutable; shared by all threads.
 */
final class Data {

  static final int KEYS = 10_000;
  static final int VALUE_BYTES = 100;
  static final int BATCH = 100;
  private static final int VALUES = 1_000;
  private static final int BATCHES = 256;

  private static final String[] KEY = new String[KEYS];
  private static final String[] MISS = new String[KEYS];
  private static final String[] VALUE = new String[VALUES];
  private static final List<Set<String>> KEY_SETS = new ArrayList<>(BATCHES);
  private static final List<Map<String, String>> ENTRY_MAPS = new ArrayList<>(BATCHES);

  static {
    for (int i = 0; i < KEYS; i++) {
      KEY[i] = "key:" + i;
      MISS[i] = "miss:" + i;
    }
    Random random = new Random(107);
    for (int i = 0; i < VALUES; i++) {
      StringBuilder sb = new StringBuilder(VALUE_BYTES);
      for (int j = 0; j < VALUE_BYTES; j++) {
        sb.append((char) ('a' + random.nextInt(26)));
      }
      VALUE[i] = sb.toString();
    }
    for (int b = 0; b < BATCHES; b++) {
      Set<String> keys = new LinkedHashSet<>();
      while (keys.size() < BATCH) {
        keys.add(KEY[random.nextInt(KEYS)]);
      }
      Map<String, String> entries = new LinkedHashMap<>();
      for (String k : keys) {
        entries.put(k, VALUE[random.nextInt(VALUES)]);
      }
      KEY_SETS.add(Collections.unmodifiableSet(keys));
      ENTRY_MAPS.add(Collections.unmodifiableMap(entries));
    }
  }

  private Data() {}

  static String key(int i) {
    return KEY[i];
  }

  static String randomKey() {
    return KEY[ThreadLocalRandom.current().nextInt(KEYS)];
  }

  static String randomMissingKey() {
    return MISS[ThreadLocalRandom.current().nextInt(KEYS)];
  }

  static String randomValue() {
    return VALUE[ThreadLocalRandom.current().nextInt(VALUES)];
  }

  static String value(int i) {
    return VALUE[i % VALUES];
  }

  static Set<String> randomKeySet() {
    return KEY_SETS.get(ThreadLocalRandom.current().nextInt(BATCHES));
  }

  static Map<String, String> randomEntries() {
    return ENTRY_MAPS.get(ThreadLocalRandom.current().nextInt(BATCHES));
  }

  /** Every key with its value, in chunks of {@code size}, for pre-populating a store. */
  static List<Map<String, String>> allEntries(int size) {
    List<Map<String, String>> chunks = new ArrayList<>();
    Map<String, String> chunk = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      chunk.put(KEY[i], value(i));
      if (chunk.size() == size) {
        chunks.add(chunk);
        chunk = new LinkedHashMap<>();
      }
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }
}
