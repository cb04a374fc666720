package dev.cascade.internal.writebehind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.QueueStore.QueuedRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
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
    assertEquals(0, QueueStore.ID_ORDER.compare("1733490000000-7", "1733490000000-7"));
    assertTrue(QueueStore.ID_ORDER.compare("0-0", "0-1") < 0);
    // ids are unsigned 64-bit numbers: beyond a long, still ordered
    assertTrue(QueueStore.ID_ORDER.compare("9223372036854775807-0", "18446744073709551615-0") < 0);
  }

  /** The order holds for ids as Redis writes them; typed ids are checked against that form. */
  @Test
  void streamIds_areDecimalsWithoutLeadingZeros() {
    assertTrue(QueueStore.STREAM_ID.matcher("0-0").matches());
    assertTrue(QueueStore.STREAM_ID.matcher("1765000000000-12").matches());
    assertFalse(QueueStore.STREAM_ID.matcher("01-5").matches(), "a leading zero");
    assertFalse(QueueStore.STREAM_ID.matcher("1-05").matches(), "a leading zero");
    assertFalse(QueueStore.STREAM_ID.matcher("1-").matches());
    assertFalse(QueueStore.STREAM_ID.matcher("-1-0").matches());
  }

  /** The comparator compares digits in place; it must agree with the ids' numeric order. */
  @Test
  void recordIdOrder_agreesWithNumericOrder() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      long[] a = {number(random), number(random)};
      long[] b =
          random.nextInt(4) == 0
              ? new long[] {a[0], number(random)}
              : new long[] {number(random), number(random)};
      int expected = a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
      int actual = QueueStore.ID_ORDER.compare(a[0] + "-" + a[1], b[0] + "-" + b[1]);
      assertEquals(
          Integer.signum(expected),
          Integer.signum(actual),
          a[0] + "-" + a[1] + " against " + b[0] + "-" + b[1]);
    }
  }

  /** A number of 1 to 18 digits, small ones often, so equal lengths and equal values both occur. */
  private static long number(Random random) {
    long bound = (long) Math.pow(10, 1 + random.nextInt(18));
    return Math.floorMod(random.nextLong(), bound);
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
