package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecsTest {

  private static final ClassLoader LOADER = CodecsTest.class.getClassLoader();

  record Product(String name, BigDecimal price) implements Serializable {
  }

  static final class NotSerializable {
  }

  @Test
  void directCodecs_writeReadableBytes() {
    assertEquals("alice", text(Codecs.forKeys(String.class, SerializationFilter.defaults(), LOADER).encode("alice")));
    assertEquals("123", text(Codecs.forKeys(Long.class, SerializationFilter.defaults(), LOADER).encode(123L)));
    assertEquals("-7", text(Codecs.forValues(Integer.class, SerializationFilter.defaults(), LOADER).encode(-7)));
  }

  @Test
  void readableKeyCodec_keepsStringAndLongApart() {
    Codec<Object> keys = Codecs.forKeys(Object.class, SerializationFilter.defaults(), LOADER);
    byte[] s = keys.encode("123");
    byte[] l = keys.encode(123L);
    assertFalse(Arrays.equals(s, l));
    assertEquals("s:123", text(s));
    assertEquals("l:123", text(l));
    assertEquals("123", keys.decode(s));
    assertEquals(123L, keys.decode(l));
  }

  @Test
  void taggedCodec_roundTripsJdkTypesAndSerializables() {
    Codec<Object> values = Codecs.forValues(Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    for (Object v : List.of("héllo", 42L, 7, (short) 3, (byte) 1, 2.5d, 1.5f, true, 'x',
        Instant.ofEpochSecond(5), Map.of("a", 1), new Product("pen", new BigDecimal("1.50")))) {
      assertEquals(v, values.decode(values.encode(v)), "round trip of " + v.getClass());
    }
    byte[] raw = {1, 2, 3};
    assertArrayEquals(raw, (byte[]) values.decode(values.encode(raw)));
  }

  @Test
  void keyEncoding_isDeterministicForEqualKeys() {
    Codec<Object> keys = Codecs.forKeys(Object.class, SerializationFilter.defaults(), LOADER);
    assertArrayEquals(keys.encode(Instant.ofEpochSecond(9)), keys.encode(Instant.ofEpochSecond(9)));
  }

  @Test
  void encode_notSerializable_namesTheClass() {
    Codec<Object> values = Codecs.forValues(Object.class, SerializationFilter.defaults(), LOADER);
    CodecException e = assertThrows(CodecException.class, () -> values.encode(new NotSerializable()));
    assertTrue(e.getMessage().contains(NotSerializable.class.getName()), e.getMessage());
  }

  @Test
  void decode_classOutsideAllowList_isRefusedWithTheClassAndTheSetting() {
    Codec<Object> writer = Codecs.forValues(Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    byte[] bytes = writer.encode(new Product("pen", BigDecimal.ONE));
    Codec<Object> reader = Codecs.forValues(Object.class, SerializationFilter.defaults(), LOADER);
    CodecException e = assertThrows(CodecException.class, () -> reader.decode(bytes));
    assertTrue(e.getMessage().contains(Product.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(SerializationFilter.ALLOW_PROPERTY), e.getMessage());
  }

  @Test
  void filterPatterns_matchPackagesSubpackagesAndPrefixes() {
    assertTrue(SerializationFilter.matches("com.acme.*", "com.acme.Product"));
    assertFalse(SerializationFilter.matches("com.acme.*", "com.acme.sub.Product"));
    assertTrue(SerializationFilter.matches("com.acme.**", "com.acme.sub.Product"));
    assertTrue(SerializationFilter.matches("com.acme.Prod*", "com.acme.Product"));
    assertTrue(SerializationFilter.matches("com.acme.Product", "com.acme.Product"));
    assertFalse(SerializationFilter.matches("com.acme.Product", "com.acme.ProductX"));
    assertTrue(SerializationFilter.defaults().allows(long[][].class));
    assertFalse(SerializationFilter.defaults().allows(Product[].class));
  }

  @Test
  void decode_bytesFromAnotherCodec_failsWithAClearMessage() {
    Codec<Long> longs = Codecs.forValues(Long.class, SerializationFilter.defaults(), LOADER);
    CodecException e = assertThrows(CodecException.class, () -> longs.decode("abc".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("abc"), e.getMessage());
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
