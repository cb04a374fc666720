package dev.cascade.internal.config;

import dev.cascade.codec.SerializationLimits;
import dev.cascade.config.CascadeConfiguration;
import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.CacheException;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.sql.DataSource;

/**
 * Turns {@code cascade.templates} and {@code cascade.caches} into {@link DeclaredCache}s: checks
 * every key (unknown keys with a suggestion), every value's type, the classes named, the data
 * sources referred to, and builds each cache's {@link CascadeConfiguration}. A cache naming a
 * {@code template} starts from the template's settings; its own win, sections merging key by key
 * except {@code expiry}, which the cache's replaces whole.
 */
final class DeclaredCaches {

  static final List<String> CACHE_KEYS =
      List.of(
          "template",
          "key-type",
          "value-type",
          "expiry",
          "statistics",
          "management",
          "store-by-value",
          "read-through",
          "write-through",
          "loader",
          "writer",
          "jdbc",
          "write-behind",
          "codec",
          "near-cache",
          "partitions",
          "lock",
          "replica-ack");
  static final List<String> JDBC_KEYS =
      List.of("datasource", "table", "key-column", "value-column", "revision-column");

  /** Keys a later source replaces whole instead of merging into: an expiry is one choice. */
  static final Set<String> REPLACED_WHOLE = Set.of("expiry");

  private final Map<String, ConfigNode> templates;
  private final DataSources dataSources;
  private final ClassLoader loader;
  private final SerializationLimits managerLimits;
  private final String managerCodec;

  private DeclaredCaches(
      Map<String, ConfigNode> templates,
      DataSources dataSources,
      ClassLoader loader,
      SerializationLimits managerLimits,
      String managerCodec) {
    this.templates = templates;
    this.dataSources = dataSources;
    this.loader = loader;
    this.managerLimits = managerLimits;
    this.managerCodec = managerCodec;
  }

  /**
   * @throws CacheException naming the file, line and key of the first problem
   */
  static List<DeclaredCache> read(
      ConfigNode templates,
      ConfigNode caches,
      DataSources dataSources,
      ClassLoader loader,
      SerializationLimits managerLimits,
      String managerCodec) {
    Map<String, ConfigNode> templateNodes = templates == null ? Map.of() : templates.children();
    for (ConfigNode t : templateNodes.values()) {
      checkKeys(t, false);
    }
    DeclaredCaches binder =
        new DeclaredCaches(templateNodes, dataSources, loader, managerLimits, managerCodec);
    List<DeclaredCache> out = new ArrayList<>();
    if (caches != null) {
      for (ConfigNode c : caches.children().values()) {
        checkKeys(c, true);
        out.add(binder.bind(c));
      }
    }
    return out;
  }

  /** Unknown keys anywhere in a cache's or template's section. */
  private static void checkKeys(ConfigNode cache, boolean mayNameTemplate) {
    List<String> known = mayNameTemplate ? CACHE_KEYS : CACHE_KEYS.subList(1, CACHE_KEYS.size());
    for (ConfigNode c : cache.children().values()) {
      if (!known.contains(c.name()) && c.isSection() && isProperties(cache)) {
        // cascade.caches.com.acme.User.expiry.created: the cache is 'com', its key 'acme'
        String parent = cache.key().substring(0, cache.key().length() - cache.name().length() - 1);
        String dotted = cache.name() + "." + c.name();
        throw c.fail(
            "unknown key '"
                + c.name()
                + "'"
                + Suggestions.didYouMean(c.name(), known)
                + "; if '"
                + dotted
                + "…' is one name with dots, write it in brackets in properties: "
                + parent
                + "["
                + dotted
                + "…]");
      }
    }
    cache.requireKnown(known);
    ConfigNode expiry = cache.child("expiry");
    if (expiry != null && expiry.isSection()) {
      expiry.requireKnown(DeclaredExpiry.KINDS);
    }
    ConfigNode jdbc = cache.child("jdbc");
    if (jdbc != null) {
      jdbc.requireKnown(JDBC_KEYS);
    }
    ConfigNode wb = cache.child("write-behind");
    if (wb != null) {
      wb.requireKnown(DeclaredWriteBehind.KEYS);
      if (wb.child("backoff") != null) {
        wb.child("backoff").requireKnown(DeclaredWriteBehind.BACKOFF_KEYS);
      }
      if (wb.child("replica-ack") != null) {
        wb.child("replica-ack").requireKnown(DeclaredWriteBehind.REPLICA_ACK_KEYS);
      }
    }
    if (cache.child("codec") != null) {
      ConfigNode codec = cache.child("codec");
      codec.requireKnown(CacheDefaults.CODEC_KEYS);
      for (String managerOnly : CacheDefaults.MANAGER_ONLY_CODEC_KEYS) {
        if (codec.child(managerOnly) != null) {
          throw codec
              .child(managerOnly)
              .fail("is a setting of the whole CacheManager: use cascade.codec." + managerOnly);
        }
      }
      if (codec.child("strict") != null) {
        // a declared cache's settings live in its configuration; strictness is the manager's
        throw codec
            .child("strict")
            .fail(
                "is not a setting of a declared cache: use cascade.codec.strict for the"
                    + " CacheManager (its declared caches follow it)");
      }
    }
    if (cache.child("lock") != null) {
      cache.child("lock").requireKnown(CacheDefaults.LOCK_KEYS);
    }
    if (cache.child("replica-ack") != null) {
      cache.child("replica-ack").requireKnown(DeclaredWriteBehind.REPLICA_ACK_KEYS);
    }
  }

  /** Whether the section was written in properties, where dots in names are ambiguous. */
  private static boolean isProperties(ConfigNode section) {
    return !section.key().endsWith("]")
        && !section.source().endsWith(".yaml")
        && !section.source().endsWith(".yml");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DeclaredCache bind(ConfigNode own) {
    ConfigNode c = own;
    ConfigNode templateName = own.child("template");
    if (templateName != null) {
      ConfigNode template = templates.get(templateName.text());
      if (template == null) {
        throw templateName.fail(
            "no template '"
                + templateName.text()
                + "' is declared under cascade.templates"
                + Suggestions.didYouMean(templateName.text(), templates.keySet()));
      }
      c = template.overlay(own, REPLACED_WHOLE);
    }
    CascadeConfiguration<Object, Object> config = new CascadeConfiguration<>();
    Class keyType = type(c.child("key-type"));
    Class valueType = type(c.child("value-type"));
    config.setTypes(keyType, valueType);
    config.setExpiryPolicyFactory(DeclaredExpiry.factory(c.child("expiry")));
    Boolean b;
    if ((b = c.bool("statistics")) != null) {
      config.setStatisticsEnabled(b);
    }
    if ((b = c.bool("management")) != null) {
      config.setManagementEnabled(b);
    }
    if ((b = c.bool("store-by-value")) != null) {
      config.setStoreByValue(b);
    }

    ConfigNode jdbc = c.child("jdbc");
    ConfigNode loaderNode = c.child("loader");
    ConfigNode writerNode = c.child("writer");
    ConfigNode writeBehind = c.child("write-behind");
    Factory<? extends CacheLoader> loaderFactory = null;
    Factory<? extends CacheWriter> writerFactory = null;
    if (jdbc != null) {
      ConfigNode other = loaderNode != null ? loaderNode : writerNode;
      if (other != null) {
        throw jdbc.fail(
            "jdbc makes both the loader and the writer, and '"
                + other.name()
                + "' is given too ("
                + other.place()
                + "); give jdbc, or loader and writer classes, not both");
      }
      TableMapping mapping = mapping(jdbc, keyType, valueType);
      DataSource ds = dataSources.get(jdbc.requiredString("datasource"), jdbc.child("datasource"));
      loaderFactory = JdbcCacheLoader.factory(ds, mapping);
      writerFactory = JdbcCacheWriter.factory(ds, mapping);
    } else {
      if (loaderNode != null) {
        loaderFactory = ClassNameFactory.of(loaderNode, CacheLoader.class, loader);
      }
      if (writerNode != null) {
        writerFactory = ClassNameFactory.of(writerNode, CacheWriter.class, loader);
      }
    }
    if (writeBehind != null) {
      if (writerFactory == null) {
        throw writeBehind.fail(
            "write-behind needs a writer: give 'writer' (a class) or 'jdbc' in this cache");
      }
      writerFactory = DeclaredWriteBehind.wrap(writeBehind, writerFactory);
    }
    if (loaderFactory != null) {
      config.setCacheLoaderFactory((Factory) loaderFactory);
    }
    if (writerFactory != null) {
      config.setCacheWriterFactory((Factory) writerFactory);
    }
    config.setReadThrough(
        flag(c, "read-through", loaderFactory != null, "a loader ('loader' or 'jdbc')"));
    config.setWriteThrough(
        flag(
            c,
            "write-through",
            writerFactory != null,
            "a writer ('writer', 'jdbc' or 'write-behind')"));
    if (writeBehind != null && !config.isWriteThrough()) {
      throw c.child("write-through")
          .fail(
              "is false, but write-behind is given ("
                  + writeBehind.place()
                  + "); write-behind is a kind of write-through");
    }

    CacheDefaults d = CacheDefaults.read(c);
    if (d.partitions != null) {
      config.setPartitions(d.partitions);
    }
    if (d.nearCache != null) {
      config.setNearCache(d.nearCache);
    }
    config.allowDeserialization(d.allow.toArray(new String[0]));
    SerializationLimits limits = d.limits(managerLimits);
    if (!limits.equals(managerLimits)) {
      config.setDeserializationLimits(limits);
    }
    if (d.lockLease != null) {
      config.setLockLease(d.lockLease);
    }
    if (d.lockWait != null) {
      config.setLockWait(d.lockWait);
    }
    ConfigNode ack = c.child("replica-ack");
    if (ack != null) {
      // a write-behind cache takes it in its write-behind section: said here, where the line is
      if (writeBehind != null) {
        throw ack.fail(
            "is a setting of write-through caches; this one writes behind: use"
                + " write-behind.replica-ack");
      }
      DeclaredWriteBehind.readReplicaAck(ack, config::setReplicaAck);
    }
    return new DeclaredCache(
        own.name(), own.place(), config, d.codecName != null ? d.codecName : managerCodec);
  }

  /** true/false as given; unset: whether the thing it needs is there. */
  private static boolean flag(ConfigNode c, String key, boolean available, String needs) {
    Boolean given = c.bool(key);
    if (given == null) {
      return available;
    }
    if (given && !available) {
      throw c.child(key).fail("is true, but the cache has no " + needs);
    }
    return given;
  }

  private Class<?> type(ConfigNode node) {
    return node == null ? Object.class : loadClass(node, loader);
  }

  /**
   * The class {@code node} names: a fully qualified name, a {@code java.lang} class by its simple
   * name ({@code String}, {@code Long}), or {@code byte[]}.
   */
  static Class<?> loadClass(ConfigNode node, ClassLoader loader) {
    String name = node.text();
    if (name.equals("byte[]")) {
      return byte[].class;
    }
    ClassLoader cl = loader != null ? loader : DeclaredCaches.class.getClassLoader();
    try {
      return Class.forName(name, false, cl);
    } catch (ClassNotFoundException | LinkageError e) {
      if (!name.contains(".")) {
        try {
          return Class.forName("java.lang." + name, false, cl);
        } catch (ClassNotFoundException | LinkageError ignored) {
          // reported below with the name as written
        }
      }
      throw node.fail("class '" + name + "' is not on the class path (" + e + ")");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static TableMapping mapping(ConfigNode jdbc, Class keyType, Class valueType) {
    String table = jdbc.requiredString("table");
    String keyColumn = jdbc.requiredString("key-column");
    String valueColumn = jdbc.requiredString("value-column");
    String revision = jdbc.string("revision-column");
    try {
      TableMapping m = TableMapping.scalar(table, keyColumn, keyType, valueColumn, valueType);
      return revision == null ? m : m.withRevisionColumn(revision);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw jdbc.fail(e.getMessage(), e);
    }
  }
}
