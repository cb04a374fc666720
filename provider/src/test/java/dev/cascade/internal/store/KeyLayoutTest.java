package dev.cascade.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

  private final KeyLayout layout = new KeyLayout("users", 16);

  @Test
  void entryKey_isReadableForTextKeys() {
    byte[] key = bytes("alice");
    int p = layout.partition(key);
    assertEquals(
        "cascade:users:{" + KeyLayout.hashTag("users", p, 16) + "}:alice",
        text(layout.entryKey(key)));
    assertTrue(KeyLayout.hashTag("users", p, 16).matches("users#" + p + "(\\.\\d+)?"));
  }

  @Test
  void partitions_spreadEvenlyOverTheSlotsOfThreeMasters() {
    // a cluster of three masters made the usual way owns 0-5460, 5461-10922, 10923-16383
    for (String name : List.of("users", "products", "orders", "views", "a", "we%7Bird")) {
      int[] perMaster = new int[3];
      for (int p = 0; p < 16; p++) {
        int slot = SlotHash.getSlot(KeyLayout.hashTag(name, p, 16));
        perMaster[slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2]++;
      }
      for (int n : perMaster) {
        assertTrue(
            n >= 4 && n <= 6,
            name + ": partitions per master " + java.util.Arrays.toString(perMaster));
      }
    }
  }

  @Test
  void aSinglePartition_keepsThePlainTag() {
    assertEquals(
        "cascade:users:{users#0}:alice", text(new KeyLayout("users", 1).entryKey(bytes("alice"))));
  }

  @Test
  void everyKeyOneScriptTouches_sharesTheEntrysHashSlot() {
    for (int i = 0; i < 2_000; i++) {
      byte[] key = bytes("key-" + i);
      int slot = SlotHash.getSlot(layout.entryKey(key));
      assertEquals(slot, SlotHash.getSlot(layout.lockKey(key)), "lock of key-" + i);
      assertEquals(
          slot, SlotHash.getSlot(layout.listenerFlagFor(key)), "listener flag of key-" + i);
      assertEquals(slot, SlotHash.getSlot(layout.streamKeyFor(key)), "stream of key-" + i);
      int p = layout.partition(key);
      assertEquals(slot, SlotHash.getSlot(layout.leaseKey(p)), "flush lease of key-" + i);
      assertEquals(slot, SlotHash.getSlot(layout.epochKey(p)), "lease epoch of key-" + i);
    }
  }

  @Test
  void cacheNameWithHashTagCharacters_cannotBreakTheSlot() {
    KeyLayout odd = new KeyLayout("we{ir}d:name *?[x]", 4);
    byte[] key = bytes("k");
    byte[] entry = odd.entryKey(key);
    assertEquals(SlotHash.getSlot(entry), SlotHash.getSlot(odd.lockKey(key)));
    assertArrayEquals(key, odd.encodedKeyOf(entry));
    assertFalse(text(entry).substring(0, text(entry).indexOf('{')).contains("}"));
  }

  @Test
  void partitions_spreadKeysOverManySlots() {
    Set<Integer> slots = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      slots.add(SlotHash.getSlot(layout.entryKey(bytes("key-" + i))));
    }
    assertEquals(16, slots.size());
  }

  @Test
  void partition_isStable() {
    // CRC-32 of the encoded key, mod P: other JVMs and versions must agree on it
    assertEquals(
        layout.partition(bytes("alice")), new KeyLayout("other", 16).partition(bytes("alice")));
    assertEquals(0, new KeyLayout("one", 1).partition(bytes("alice")));
  }

  @Test
  void entryPattern_findsEntriesButNeverAuxiliaryKeysEvenForAKeyNamedLikeThem() {
    Pattern glob =
        Pattern.compile(text(layout.entryPattern()).replace("{", "\\{").replace("*", ".*"));
    byte[] wb = bytes("wb");
    assertTrue(glob.matcher(text(layout.entryKey(wb))).matches());
    assertFalse(glob.matcher(text(layout.streamKeyFor(wb))).matches());
    assertFalse(glob.matcher(text(layout.lockKey(bytes("x}:y")))).matches());
    assertFalse(glob.matcher(text(layout.listenerFlag(3))).matches());
    assertFalse(glob.matcher(text(layout.metaKey())).matches());
    assertFalse(glob.matcher(text(new KeyLayout("users2", 16).entryKey(wb))).matches());
  }

  @Test
  void encodedKeyOf_roundTripsAndRejectsOtherCaches() {
    byte[] key = bytes("a}:b:{c}");
    assertArrayEquals(key, layout.encodedKeyOf(layout.entryKey(key)));
    assertNull(layout.encodedKeyOf(new KeyLayout("orders", 16).entryKey(key)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void unescape_givesBackEveryName_theOperatorsListShowsNamesAsGiven() {
    for (String name :
        List.of("orders", "a:b", "{tag}", "x#1", "50% off", "größe", "k*?[]\\ ", "a%41", "")) {
      assertEquals(name, KeyLayout.unescape(KeyLayout.escape(name)), name);
    }
  }
}
