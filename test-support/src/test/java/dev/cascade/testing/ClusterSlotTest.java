package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Known values from the Redis Cluster specification; no server needed. */
class ClusterSlotTest {

  @Test
  void crc16_checkString_isXmodemCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0x31C3, ClusterSlot.crc16(check, 0, check.length));
    assertEquals(0x31C3, RedisCluster.slot("123456789"));
  }

  @Test
  void slot_plainKeys_matchRedis() {
    assertEquals(12182, RedisCluster.slot("foo"));
    assertEquals(11058, RedisCluster.slot("somekey"));
    assertEquals(0, RedisCluster.slot(""));
  }

  @Test
  void slot_hashTag_onlyTagIsHashed() {
    assertEquals(
        RedisCluster.slot("{user1000}.following"), RedisCluster.slot("{user1000}.followers"));
    assertEquals(RedisCluster.slot("user1000"), RedisCluster.slot("{user1000}.following"));
    assertEquals(RedisCluster.slot("bar"), RedisCluster.slot("foo{bar}{zap}"));
    assertEquals(2515, RedisCluster.slot("foo{hash_tag}"));
    assertEquals(2515, RedisCluster.slot("bar{hash_tag}"));
  }

  @Test
  void slot_hashTagEdgeCases_followSpec() {
    // empty tag: the whole key is hashed
    assertEquals(crcOf("foo{}{bar}"), RedisCluster.slot("foo{}{bar}"));
    // tag is "{bar": from the first '{' to the first '}' after it
    assertEquals(RedisCluster.slot("{bar"), crcOf("{bar"));
    assertEquals(crcOf("{bar"), RedisCluster.slot("foo{{bar}}zap"));
    // no closing brace: the whole key
    assertEquals(crcOf("foo{bar"), RedisCluster.slot("foo{bar"));
  }

  @Test
  void slot_bytesAndString_agree() {
    assertEquals(
        RedisCluster.slot("cascade:users:{users#3}:123"),
        RedisCluster.slot("cascade:users:{users#3}:123".getBytes(StandardCharsets.UTF_8)));
    assertEquals(RedisCluster.slot("users#3"), RedisCluster.slot("cascade:users:{users#3}:wb"));
  }

  private static int crcOf(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return ClusterSlot.crc16(b, 0, b.length) % 16384;
  }
}
