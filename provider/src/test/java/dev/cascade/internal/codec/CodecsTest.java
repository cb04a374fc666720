package dev.cascade.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import dev.cascade.codec.SerializationLimits;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class CodecsTest {

  private static final ClassLoader LOADER = CodecsTest.class.getClassLoader();

  record Product(String name, BigDecimal price) implements Serializable {}

  static final class NotSerializable {}

  @Test
  void directCodecs_writeReadableBytes() {
    assertEquals(
        "alice",
        text(Codecs.forKeys(String.class, SerializationFilter.defaults(), LOADER).encode("alice")));
    assertEquals(
        "123",
        text(Codecs.forKeys(Long.class, SerializationFilter.defaults(), LOADER).encode(123L)));
    assertEquals(
        "-7",
        text(Codecs.forValues(Integer.class, SerializationFilter.defaults(), LOADER).encode(-7)));
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
    Codec<Object> values =
        Codecs.forValues(
            Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    for (Object v :
        List.of(
            "héllo",
            42L,
            7,
            (short) 3,
            (byte) 1,
            2.5d,
            1.5f,
            true,
            'x',
            Instant.ofEpochSecond(5),
            Map.of("a", 1),
            new Product("pen", new BigDecimal("1.50")))) {
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
    CodecException e =
        assertThrows(CodecException.class, () -> values.encode(new NotSerializable()));
    assertTrue(e.getMessage().contains(NotSerializable.class.getName()), e.getMessage());
  }

  @Test
  void decode_classOutsideAllowList_isRefusedWithTheClassAndTheSetting() {
    Codec<Object> writer =
        Codecs.forValues(
            Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    byte[] bytes = writer.encode(new Product("pen", BigDecimal.ONE));
    Codec<Object> reader = Codecs.forValues(Object.class, SerializationFilter.defaults(), LOADER);
    CodecException e = assertThrows(CodecException.class, () -> reader.decode(bytes));
    assertTrue(e.getMessage().contains(Product.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(SerializationFilter.ALLOW_PROPERTY), e.getMessage());
  }

  @Test
  void decode_classOutsideAllowList_ofANamedCache_namesThePerCacheSetting() {
    Codec<Object> writer =
        Codecs.forValues(
            Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    byte[] bytes = writer.encode(new Product("pen", BigDecimal.ONE));
    Codec<Object> reader =
        Codecs.forValues(Object.class, SerializationFilter.defaults().forCache("users"), LOADER);
    CodecException e = assertThrows(CodecException.class, () -> reader.decode(bytes));
    assertTrue(
        e.getMessage().contains("cascade.cache.users.codec.allow=" + Product.class.getName()),
        e.getMessage());
  }

  @Test
  void defaults_refuseJavaNet_butADeclaredJdkTypeIsAllowedAlone() throws Exception {
    assertFalse(SerializationFilter.defaults().allows(URL.class));
    assertFalse(SerializationFilter.defaults().allows(URI.class));
    SerializationFilter declared = SerializationFilter.defaults().allowingPackageOf(URL.class);
    assertTrue(declared.allows(URL.class));
    assertFalse(declared.allows(URI.class), "declaring URL allows URL, not java.net");
    Codec<Object> values = Codecs.forValues(Object.class, declared, LOADER);
    URL url = new URL("http://cascade-test.invalid/");
    assertEquals(url.toString(), values.decode(values.encode(url)).toString());
  }

  @Test
  void decode_arrayLongerThanItsBytes_isRefusedBeforeItIsAllocated() {
    Codec<Object> values = Codecs.forValues(Object.class, SerializationFilter.defaults(), LOADER);
    byte[] bytes = values.encode(new long[0]);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, 60_000_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    CodecException e = assertThrows(CodecException.class, () -> values.decode(bytes));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes");
    assertTrue(e.getMessage().contains("long[60000000]"), e.getMessage());
  }

  @Test
  void decode_arrayListDeclaringAHugeSize_isRefusedBeforeItIsAllocated() throws Exception {
    Codec<Object> values = Codecs.forValues(Object.class, SerializationFilter.defaults(), LOADER);
    byte[] bytes = values.encode(new ArrayList<>(List.of("a")));
    // ArrayList writes its size field, then the size again in block data (77 04): readObject sizes
    // by the field
    int at = indexOf(bytes, new byte[] {0, 0, 0, 1, 0x77, 4, 0, 0, 0, 1});
    ByteBuffer.wrap(bytes).putInt(at, 100_000_000);
    CodecException e = assertThrows(CodecException.class, () -> values.decode(bytes));
    assertTrue(e.getMessage().contains("[100000000]"), e.getMessage());
  }

  @Test
  void decode_overALimit_namesTheLimitAndItsSetting() {
    SerializationFilter tight =
        SerializationFilter.defaults()
            .forCache("users")
            .withLimits(
                SerializationLimits.DEFAULTS.withMaxDepth(3).withMaxArray(10).withMaxBytes(1000));
    Codec<Object> values = Codecs.forValues(Object.class, tight, LOADER);
    byte[] deep = values.encode(List.of(List.of(List.of(List.of("x")))));
    CodecException e = assertThrows(CodecException.class, () -> values.decode(deep));
    assertTrue(e.getMessage().contains("max-depth 3"), e.getMessage());
    assertTrue(e.getMessage().contains("cascade.cache.users.codec.max-depth"), e.getMessage());
    byte[] wide = values.encode(new int[11]);
    e = assertThrows(CodecException.class, () -> values.decode(wide));
    assertTrue(e.getMessage().contains("max-array 10"), e.getMessage());
    byte[] large = values.encode(List.of("a".repeat(400), "b".repeat(400), "c".repeat(400)));
    e = assertThrows(CodecException.class, () -> values.decode(large));
    assertTrue(e.getMessage().contains("max-bytes 1000"), e.getMessage());
  }

  /** Only the JVM-wide filter of the next test names it. */
  record JvmForbidden(String text) implements Serializable {}

  @Test
  void decode_classTheJvmWideFilterRejects_isRefusedThoughTheCacheAllowsIt() {
    if (ObjectInputFilter.Config.getSerialFilter() == null) {
      // for the rest of this test JVM; it rejects a class nothing else uses, every other class
      // stays undecided
      ObjectInputFilter.Config.setSerialFilter(
          ObjectInputFilter.Config.createFilter("!" + JvmForbidden.class.getName()));
    }
    Codec<Object> values =
        Codecs.forValues(
            Object.class,
            SerializationFilter.defaults().allowingPackageOf(JvmForbidden.class),
            LOADER);
    byte[] bytes = values.encode(new JvmForbidden("x"));
    CodecException e = assertThrows(CodecException.class, () -> values.decode(bytes));
    assertTrue(e.getMessage().contains("jdk.serialFilter"), e.getMessage());
  }

  /** Values as large and deep as real cache values get: all fit the default limits. */
  @Test
  void decode_largeRealValues_fitTheDefaultLimits() {
    Codec<Object> values =
        Codecs.forValues(
            Object.class, SerializationFilter.defaults().allowingPackageOf(Product.class), LOADER);
    Map<String, Product> catalog = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      catalog.put("sku-" + i, new Product("product " + i, BigDecimal.valueOf(i, 2)));
    }
    List<Long> ids = new ArrayList<>();
    for (long i = 0; i < 200_000; i++) {
      ids.add(i);
    }
    Object nested = "leaf";
    for (int i = 0; i < 8; i++) {
      nested = new ArrayList<>(List.of(Map.of("level", nested)));
    }
    for (Object v :
        List.of(
            catalog,
            ids,
            new byte[10 << 20],
            new double[1_000_000],
            nested,
            new Product[] {new Product("pen", BigDecimal.ONE)})) {
      Object back = values.decode(values.encode(v));
      assertTrue(Objects.deepEquals(v, back), "round trip of a " + v.getClass().getSimpleName());
    }
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
    CodecException e =
        assertThrows(
            CodecException.class, () -> longs.decode("abc".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("abc"), e.getMessage());
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    for (int i = bytes.length - part.length; i >= 0; i--) {
      if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void defaults_allowFrameworkProfiles_strictDoesNot() throws Exception {
    Class<?> item =
        Class.forName(
            "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item", false, LOADER);

    assertTrue(SerializationFilter.defaults().allows(item));
    assertTrue(SerializationFilter.defaults().allows(java.io.Serializable[].class));
    assertFalse(SerializationFilter.defaults(true, null).allows(item));
    assertTrue(SerializationFilter.defaults(true, null).allows(java.time.Instant.class));
    // exact names: Hibernate's types (ysoserial's Hibernate1 goes through them) stay refused
    assertFalse(
        SerializationFilter.defaults()
            .allows(Class.forName("org.hibernate.engine.spi.TypedValue", false, LOADER)));
    assertFalse(
        SerializationFilter.defaults()
            .allows(Class.forName("org.hibernate.type.ComponentType", false, LOADER)));
  }

  @Test
  void taggedCodec_withSecret_roundTripsAnyClassAndRefusesUntagged() {
    ValueTags tags = ValueTags.of("codecs-test-secret-0123456789", null, false).forCache("c");
    SerializationFilter filter = SerializationFilter.defaults().forCache("c");
    Codec<Object> tagged =
        Codecs.forValues(Object.class, filter, tags, filter.allowingAnyClass(), LOADER);
    Codec<Object> plain = Codecs.forValues(Object.class, filter, LOADER);
    Product p = new Product("tea", new BigDecimal("3.50"));

    assertEquals(p, tagged.decode(tagged.encode(p)));
    assertEquals("s", tagged.decode(tagged.encode("s")));
    CodecException e = assertThrows(CodecException.class, () -> tagged.decode(plain.encode(p)));
    assertTrue(e.getMessage().contains("no authentication tag"), e.getMessage());
    // without the secret, the tag is ignored and the allow-list decides
    assertThrows(CodecException.class, () -> plain.decode(tagged.encode(p)));
    assertEquals(List.of("x"), plain.decode(tagged.encode(new ArrayList<>(List.of("x")))));
  }
}
