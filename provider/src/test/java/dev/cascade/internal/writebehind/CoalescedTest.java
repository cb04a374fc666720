package dev.cascade.internal.writebehind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.QueueStore.QueuedRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescedTest {

  @Test
  void lastRecordOfAKeyWins_andSettlesEveryEarlierOne() {
    Coalesced c =
        Coalesced.of(
            List.of(
                put("1-0", "a", "1"),
                put("2-0", "b", "1"),
                put("3-0", "a", "2"),
                delete("4-0", "b"),
                put("5-0", "a", "3")));
    assertEquals(5, c.records());
    assertEquals(2, c.changes().size());
    assertEquals(3, c.coalesced());
    Coalesced.Change a = c.changes().get(0);
    assertArrayEquals(bytes("3"), a.value);
    assertEquals("5-0", a.lastId());
    assertEquals(3, a.records.size());
    Coalesced.Change b = c.changes().get(1);
    assertTrue(b.delete, "a delete after a put is a delete");
    assertEquals("4-0", b.lastId());
  }

  @Test
  void putAfterDelete_isAPut() {
    Coalesced c = Coalesced.of(List.of(delete("1-0", "k"), put("1-1", "k", "v")));
    assertEquals(1, c.changes().size());
    assertEquals(false, c.changes().get(0).delete);
    assertArrayEquals(bytes("v"), c.changes().get(0).value);
  }

  @Test
  void recordIdsOrderByTimeThenSequence() {
    assertTrue(QueueStore.ID_ORDER.compare("9-5", "10-0") < 0);
    assertTrue(QueueStore.ID_ORDER.compare("10-2", "10-10") < 0);
  }

  static QueuedRecord put(String id, String key, String value) {
    return record(id, key, false, bytes(value));
  }

  static QueuedRecord delete(String id, String key) {
    return record(id, key, true, null);
  }

  private static QueuedRecord record(String id, String key, boolean delete, byte[] value) {
    return new QueuedRecord(id, bytes(key), delete, value);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
