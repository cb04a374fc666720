package dev.cascade.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import javax.management.BadAttributeValueExpException;
import org.apache.commons.beanutils.BeanComparator;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;

/**
 * Known deserialization gadget chains, built here from the libraries on the test class path (the
 * shapes of ysoserial's payloads), each serialized as an attacker would plant it: plain Java
 * serialization, without Cascade's tag byte. Each calls {@link SideEffects#fire()} (or, for URLDNS,
 * asks {@link ProbeUrlHandlers} to resolve a host) when deserialized by a plain {@code
 * ObjectInputStream}; {@code HostileGadgetsTest} checks both that it does and that Cascade refuses
 * it first.
 */
public final class Chains {

  private Chains() {}

  /** A chain, its bytes, and whether it has a side effect to check (exhaustion has none). */
  public record Chain(String name, byte[] bytes, boolean firesSideEffect, boolean looksUpHost) {
    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Chain> all() {
    List<Chain> all = new ArrayList<>();
    all.add(new Chain("CommonsCollections6", commonsCollections6(), true, false));
    // the JDK's fix for this trigger (BadAttributeValueExpException keeps val as a String, in
    // 17.0.15 here) leaves nothing to fire, but the bytes must still be refused
    all.add(new Chain("CommonsCollections5", commonsCollections5(), triggerOfFiveWorks(), false));
    all.add(new Chain("CommonsCollections7", commonsCollections7(), true, false));
    all.add(new Chain("CommonsBeanutils1", commonsBeanutils1(), true, false));
    all.add(new Chain("URLDNS", urlDns(), false, true));
    all.add(new Chain("nested sets (billion laughs)", serialize(setBomb(26)), false, false));
    all.add(new Chain("deep nesting", serialize(nested(300)), false, false));
    all.add(new Chain("huge long[]", hugeLongArray(), false, false));
    all.add(new Chain("HashMap declaring 2^30 entries", hugeHashMap(), false, false));
    return all;
  }

  /**
   * {@code InvokerTransformer} calls {@code SideEffects.class.getMethod("fire").invoke(null)}; the
   * chain runs when a {@code LazyMap} is asked for a missing key, which a {@code TiedMapEntry} does
   * in {@code hashCode}, which {@code HashMap.readObject} calls for every key.
   */
  static byte[] commonsCollections6() {
    ChainedTransformer chain =
        new ChainedTransformer(new Transformer[] {new ConstantTransformer(1)});
    Map<Object, Object> inner = new HashMap<>();
    @SuppressWarnings("unchecked")
    Map<Object, Object> lazy = LazyMap.decorate(inner, chain);
    TiedMapEntry entry = new TiedMapEntry(lazy, "cascade");
    Map<Object, Object> outer = new HashMap<>();
    // hashing the entry here ran the harmless chain and cached its result: take both back
    outer.put(entry, "v");
    inner.remove("cascade");
    setField(chain, "iTransformers", fire());
    return serialize(outer);
  }

  /**
   * The same chain, reached through {@code TiedMapEntry.toString}, which {@code
   * BadAttributeValueExpException.readObject} calls on its {@code val}.
   */
  static byte[] commonsCollections5() {
    @SuppressWarnings("unchecked")
    Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), new ChainedTransformer(fire()));
    TiedMapEntry entry = new TiedMapEntry(lazy, "cascade");
    String placeholder = new String("val placeholder");
    BadAttributeValueExpException exception = new BadAttributeValueExpException(placeholder);
    // its constructor would call toString on the entry (running the chain here): put the entry
    // in the stream where the placeholder is
    return serialize(exception, placeholder, entry);
  }

  /** Whether this JDK's {@code BadAttributeValueExpException} still reads any object as val. */
  private static boolean triggerOfFiveWorks() {
    return java.io.ObjectStreamClass.lookup(BadAttributeValueExpException.class)
            .getField("val")
            .getType()
        == Object.class;
  }

  /**
   * The same chain, reached through {@code LazyMap.equals}: {@code Hashtable.readObject} compares
   * keys whose hashes collide ({@code "yy"} and {@code "zZ"}), and comparing maps asks one for the
   * other's key.
   */
  static byte[] commonsCollections7() {
    ChainedTransformer chain = new ChainedTransformer(new Transformer[0]);
    // (an empty chain returns the missing key itself, so while building, the maps differ)
    Map<Object, Object> inner1 = new HashMap<>();
    Map<Object, Object> inner2 = new HashMap<>();
    @SuppressWarnings("unchecked")
    Map<Object, Object> lazy1 = LazyMap.decorate(inner1, chain);
    lazy1.put("yy", 1);
    @SuppressWarnings("unchecked")
    Map<Object, Object> lazy2 = LazyMap.decorate(inner2, chain);
    lazy2.put("zZ", 1);
    Hashtable<Object, Object> table = new Hashtable<>();
    table.put(lazy1, 1);
    // the collision compared the maps here, with the harmless chain, and added "yy" to lazy2
    table.put(lazy2, 2);
    setField(chain, "iTransformers", fire());
    lazy2.remove("yy");
    return serialize(table);
  }

  /**
   * {@code PriorityQueue.readObject} sorts its elements with its comparator; {@code BeanComparator}
   * calls the getter its property names on each ({@code getOutputProperties} of a {@code
   * TemplatesImpl} in ysoserial; {@link Trigger#getBoom} here).
   */
  static byte[] commonsBeanutils1() {
    BeanComparator<Object> comparator = new BeanComparator<>("name", String.CASE_INSENSITIVE_ORDER);
    PriorityQueue<Object> queue = new PriorityQueue<>(2, comparator);
    queue.add(new Trigger("a"));
    queue.add(new Trigger("b"));
    setField(comparator, "property", "boom");
    return serialize(queue);
  }

  /**
   * A {@code HashMap} whose key is a URL never hashed: reading it hashes the URL, which asks its
   * handler to resolve the host (a DNS query of the attacker's choosing for {@code http}).
   */
  static byte[] urlDns() {
    try {
      String placeholder = new String("url placeholder");
      Map<Object, Object> map = new HashMap<>();
      map.put(placeholder, "v");
      URL url = new URL(ProbeUrlHandlers.PROTOCOL + "://lookup.cascade.invalid/");
      return serialize(map, placeholder, url);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Two sets per level, each holding both sets of the level below: 2^depth paths to hash. */
  public static Set<Object> setBomb(int depth) {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < depth; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("unequal");
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return root;
  }

  static Object nested(int depth) {
    Object o = "bottom";
    for (int i = 0; i < depth; i++) {
      o = new Object[] {o};
    }
    return o;
  }

  /** 28 bytes that declare a long[60_000_000]: 480 MB if allocated. */
  static byte[] hugeLongArray() {
    byte[] bytes = serialize(new long[0]);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, 60_000_000);
    return bytes;
  }

  /** A HashMap that declares a table for 2^30 mappings (its readObject sizes the table first). */
  static byte[] hugeHashMap() {
    byte[] bytes = serialize(new HashMap<>());
    // the stream ends with the block data: capacity (int), then size (int), then TC_ENDBLOCKDATA
    ByteBuffer.wrap(bytes).putInt(bytes.length - 5, 1 << 30);
    return bytes;
  }

  private static Transformer[] fire() {
    return new Transformer[] {
      new ConstantTransformer(SideEffects.class),
      new InvokerTransformer(
          "getMethod", new Class<?>[] {String.class, Class[].class}, new Object[] {"fire", null}),
      new InvokerTransformer(
          "invoke", new Class<?>[] {Object.class, Object[].class}, new Object[] {null, null}),
      new ConstantTransformer(1)
    };
  }

  public static byte[] serialize(Object o) {
    return serialize(o, null, null);
  }

  /** Serializes {@code o}, writing {@code replacement} wherever {@code placeholder} would be. */
  private static byte[] serialize(Object o, Object placeholder, Object replacement) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new Replacing(bytes, placeholder, replacement)) {
      out.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static final class Replacing extends ObjectOutputStream {
    private final Object placeholder;
    private final Object replacement;

    Replacing(OutputStream out, Object placeholder, Object replacement) throws IOException {
      super(out);
      this.placeholder = placeholder;
      this.replacement = replacement;
      enableReplaceObject(placeholder != null);
    }

    @Override
    protected Object replaceObject(Object obj) {
      return obj == placeholder ? replacement : obj;
    }
  }

  private static void setField(Object target, String name, Object value) {
    try {
      Field f = target.getClass().getDeclaredField(name);
      f.setAccessible(true);
      f.set(target, value);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
