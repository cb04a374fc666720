package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HashEncodingTest {

  @Test
  void cost_defaultLimitOfRedis7_namesTheListpackSettingAndTheLineToRun() {
    String cost =
        HashEncoding.cost(Map.of("hash-max-listpack-value", "64", "hash-max-ziplist-value", "64"));
    assertTrue(cost.startsWith("hash-max-listpack-value is 64"), cost);
    assertTrue(cost.contains("CONFIG SET hash-max-listpack-value 1024"), cost);
    assertTrue(cost.contains("redis.conf"), cost);
  }

  @Test
  void cost_redis62_namesTheZiplistSetting() {
    String cost = HashEncoding.cost(Map.of("hash-max-ziplist-value", "64"));
    assertTrue(cost.contains("CONFIG SET hash-max-ziplist-value 1024"), cost);
  }

  @Test
  void cost_limitAtOrAboveTheRecommendation_isEmpty() {
    assertEquals("", HashEncoding.cost(Map.of("hash-max-listpack-value", "1024")));
    assertEquals("", HashEncoding.cost(Map.of("hash-max-ziplist-value", "8192")));
  }

  @Test
  void cost_unknownOrUnreadable_isEmpty() {
    assertEquals("", HashEncoding.cost(null));
    assertEquals("", HashEncoding.cost(Map.of()));
    assertEquals("", HashEncoding.cost(Map.of("hash-max-listpack-value", "lots")));
  }
}
